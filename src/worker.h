/*
 * worker.h - the counting side of the pool: a worker process reads batches
 * of jobs on one descriptor, counts each file through a fixed buffer and
 * writes a batch of results on another.  It holds no database handle and no
 * thread: when it crashes or hangs, only the file in hand is lost.
 */
#ifndef WCINDEX_WORKER_H
#define WCINDEX_WORKER_H

#include "proto.h"
#include "strbuf.h"

/* The descriptors a worker process finds its pipes on after exec. */
#define WORKER_JOB_FD 3
#define WORKER_RESULT_FD 4

/* A worker that runs out of memory exits with this status. */
#define WORKER_EXIT_NOMEM 75

/* The size of the read buffer each worker allocates once. */
#define WORKER_BUFSIZE (256 * 1024)

struct archive_limits;

/*
 * Parse the worker's command line ("--archive-limits=M:T:R:N:D", made by
 * worker_limits_arg(), and "--cpu-seconds=N") into lim, which starts from
 * the defaults, and *cpu_seconds (0: none).  Returns 0 or -1.
 */
int worker_parse_args(int argc, char **argv, struct archive_limits *lim,
		      unsigned *cpu_seconds);

/* The argument that passes lim to a worker; the caller frees it. */
char *worker_limits_arg(const struct archive_limits *lim);

/*
 * Serve jobs from in_fd until it reaches end of file, writing members and
 * results to out_fd.  Returns the process exit status: 0 after a clean end,
 * 1 after a protocol or I/O error on the pipes.
 */
int worker_main(int in_fd, int out_fd, const struct archive_limits *lim,
		unsigned cpu_seconds);

/* Where the members of an archive go while it is read. */
struct member_sink {
	int fd;				/* the result pipe */
	uint64_t job_id;
	struct proto_writer frame;	/* PROTO_MEMBERS records not yet sent */
	const struct archive_limits *lim;
	unsigned cpu_seconds;		/* CPU time one archive may take */
	int failed;			/* the pipe broke: stop reading */
};

/* Send the members collected so far; 0 or -1. */
int member_sink_flush(struct member_sink *sink);

/*
 * Count one file: open it without blocking and without following a final
 * symlink (unless JOB_FOLLOW), check that it is a regular file, read it
 * through buf and fill res (counts, the metadata fstat() gave before the
 * read, or err/stage and a message in msg on failure).  A file that changes
 * while it is read is read again, up to twice; if it keeps changing the
 * result has stage STAGE_CHANGED and err 0 (counts valid but racy).
 *
 * With JOB_ARCHIVES and a sink, a file whose content is an archive has its
 * members sent to the sink and res->found FOUND_ARCHIVE (a single
 * compressed file: FOUND_COMPRESSED and the counts of what it decompresses
 * to); a hit limit or damage gives STAGE_LIMIT / STAGE_DAMAGED.
 */
void worker_count_file(const char *path, uint32_t flags, unsigned char *buf,
		       size_t bufsize, struct proto_result *res,
		       struct strbuf *msg, struct member_sink *sink);

/*
 * Count [offset, offset + length) of a file as one range of it (see
 * count_init_range()): the last range, the one reaching the end of the
 * file, settles a trailing incomplete sequence, the others leave it to the
 * next.  Ranges are read once: a file that is not the same after the read,
 * or shorter than the range, gives STAGE_CHANGED, and the caller counts it
 * again as a whole.  With JOB_ARCHIVES, a file whose head says archive is
 * counted whole by worker_count_file() in the range at offset 0, while every
 * other range gives STAGE_WHOLE and no counts.
 */
void worker_count_range(const char *path, uint32_t flags, uint64_t offset,
			uint64_t length, unsigned char *buf, size_t bufsize,
			struct proto_result *res, struct strbuf *msg,
			struct member_sink *sink);

#endif
