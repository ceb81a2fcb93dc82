/*
 * writer.h - the scan's only writer to SQLite.
 *
 * The crawler and the pool send it messages through one bounded queue: new
 * directories, deletions, errors met while walking, and the results of
 * counted files.  It alone decides what a result means for the index: the
 * row's flags and status, whether the file is retried, which counter it
 * adds to, and what is reported.  It applies the messages in large BEGIN
 * IMMEDIATE transactions, committing at least every second, so a crash
 * loses at most the last second of counting and never leaves a
 * half-applied change.
 */
#ifndef WCINDEX_WRITER_H
#define WCINDEX_WRITER_H

#include <stdint.h>

#include "proto.h"
#include "queue.h"
#include "store.h"

struct job;

/*
 * Messages to the writer.  Each is queued on q (waiting while it is full,
 * dropped if it is closed), and the writer applies them in queue order.
 */

/* A directory to record: id, its path, its parent's (NULL for a root). */
void writer_send_dir(struct queue *q, int64_t id, const char *path,
		     const char *parent, int64_t root_id);

/* A file row (and its members) whose file is gone. */
void writer_send_del_file(struct queue *q, int64_t row_id);

/* A directory that is gone, with everything indexed below it. */
void writer_send_del_dir(struct queue *q, const char *path);

/* A problem met while walking: stage is "walk", "stat"...; err an errno. */
void writer_send_error(struct queue *q, const char *path, const char *stage,
		       int err, const char *msg);

/*
 * The result of job, which the writer takes over and frees once applied
 * (res is copied, its message too).
 */
void writer_send_result(struct queue *q, struct job *job,
			const struct proto_result *res);

/*
 * A member of the archive job is counting (copied).  The job itself is
 * only borrowed: the pool reports every member of a job before its result,
 * so the result that frees it comes later in the queue.
 */
void writer_send_member(struct queue *q, const struct job *job,
			const struct proto_member *m);

/*
 * Close q and free every message in it without applying it (for a queue
 * no writer reads).
 */
void writer_drain(struct queue *q);

struct writer;

struct writer_options {
	int64_t scan_id;
	int64_t racy_limit_ns;	/* ctime >= this: store as racy */
	unsigned mode_flags;	/* ENTRY_F_OPTIONS bits of this scan */
};

/*
 * Start the writer thread on store s (which it uses exclusively until
 * writer_finish()), consuming q until it is closed and drained.
 */
struct writer *writer_start(struct store *s, struct queue *q,
			    const struct writer_options *opt);

/*
 * Wait for the writer to drain its queue and commit.  Adds its counts to
 * *st.  Returns 0, or -1 if a database error stopped it (what it had
 * committed before stays; later messages were discarded).
 */
int writer_finish(struct writer *w, struct scan_stats *st);

/* Files recorded so far and bytes counted (for progress; any thread). */
void writer_progress(struct writer *w, uint64_t *files, uint64_t *bytes);

/*
 * True once a database error made the writer roll back and stop recording
 * (any thread): the scan should stop, as nothing it counts can be kept.
 */
int writer_failed(struct writer *w);

#endif
