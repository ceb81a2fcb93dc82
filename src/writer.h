/*
 * writer.h - the scan's only writer to SQLite.
 *
 * The crawler and the pool send it messages through one bounded queue: new
 * directories, deletions, errors met while walking, and the results of
 * counted files.  It applies them in large BEGIN IMMEDIATE transactions,
 * committing at least every second, so a crash loses at most the last
 * second of counting and never leaves a half-applied change.
 */
#ifndef WCINDEX_WRITER_H
#define WCINDEX_WRITER_H

#include <stdint.h>

#include "pool.h"
#include "proto.h"
#include "queue.h"
#include "store.h"

enum wmsg_type {
	WMSG_RESULT,		/* a counted (or failed) file: the job itself */
	WMSG_DIR,		/* a directory to record */
	WMSG_DEL_FILE,		/* a file row whose file is gone */
	WMSG_DEL_DIR,		/* a directory (and all below) that is gone */
	WMSG_ERROR,		/* a problem met while walking */
	WMSG_MEMBER,		/* a member of an archive being counted */
};

/*
 * One message.  For WMSG_RESULT the message is also the job: the pool sees
 * only pj, and the scan fills res/msg before passing it on.
 */
struct wmsg {
	struct pool_job pj;	/* first: the pool hands this pointer back */
	enum wmsg_type type;
	int64_t id;		/* DIR: its id; DEL_FILE: the row id */
	int64_t dir_id;		/* RESULT: directory row of the file */
	int64_t root_id;	/* DIR */
	char *path;		/* DIR, DEL_DIR, ERROR (RESULT uses pj.path) */
	char *parent;		/* DIR: parent path, NULL for a root */
	size_t name_off;	/* RESULT: offset of the base name in pj.path */
	int is_new;		/* RESULT: the file was not indexed before */
	int was_archive;	/* RESULT: its row was an archive's (members) */
	int retry;		/* RESULT: recounted only because it had failed */
	struct file_meta meta;	/* RESULT: what the crawler saw */
	struct proto_result res;	/* RESULT: what the worker found */
	char *msg;		/* RESULT/ERROR: the error text */
	const char *stage;	/* ERROR: walk, stat... */
	int err;		/* ERROR: errno */
	/* MEMBER: path/name_off/dir_id/meta name its archive */
	char *member;
	size_t member_len;
	uint32_t member_kind, member_status;
	int64_t member_mtime_ns;
};

/*
 * A member message for the archive counted by job: copies what it needs,
 * so it outlives the pool's buffers.
 */
struct wmsg *wmsg_member(const struct wmsg *job, const struct proto_member *m);

/* Allocate a zeroed message of a type. */
struct wmsg *wmsg_new(enum wmsg_type type);
void wmsg_free(struct wmsg *m);

/*
 * Queue m for the writer, waiting while the queue is full; free it if the
 * queue is closed.
 */
void wmsg_push(struct queue *q, struct wmsg *m);

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
