/*
 * worker.h - the counting side of the pool: a worker process reads batches
 * of jobs on one descriptor, counts each file through a fixed buffer and
 * writes a batch of results on another.  It holds no database handle and no
 * thread: when it crashes or hangs, only the file in hand is lost.
 */
#ifndef WCINDEX_WORKER_H
#define WCINDEX_WORKER_H

#include "archive.h"
#include "proto.h"

/* The descriptors a worker process finds its pipes on after exec. */
#define WORKER_JOB_FD 3
#define WORKER_RESULT_FD 4

/* A worker that runs out of memory exits with this status. */
#define WORKER_EXIT_NOMEM 75

/* The size of the read buffer each worker allocates once. */
#define WORKER_BUFSIZE (256 * 1024)

/* The default of --max-file-bytes: 64 GiB. */
#define WORKER_MAX_FILE_BYTES (UINT64_C(64) << 30)

/*
 * What a worker is told on its command line: the limits of the archives
 * it reads, the CPU time one archive may take (0: no limit) and the bytes
 * of a file it reads at most (--max-file-bytes).  The scan
 * fills it; worker_config_argv() and worker_config_parse() are the two
 * ends of the command line, kept together here.
 */
struct worker_config {
	struct archive_limits limits;
	unsigned cpu_seconds;
	uint64_t max_file_bytes;
};

/*
 * The defaults: archive_limits_default(), no CPU limit,
 * WORKER_MAX_FILE_BYTES.
 */
void worker_config_default(struct worker_config *cfg);

/*
 * The arguments that pass cfg to a worker, after "__worker": a
 * NULL-terminated array to free with worker_config_argv_free().
 */
char **worker_config_argv(const struct worker_config *cfg);
void worker_config_argv_free(char **argv);

/*
 * Parse a worker's arguments (those worker_config_argv() made) into cfg,
 * which starts from the defaults.  Returns 0, or -1 after reporting.
 */
int worker_config_parse(int argc, char **argv, struct worker_config *cfg);

/*
 * Serve jobs from in_fd until it reaches end of file, writing members and
 * results to out_fd.  Returns the process exit status: 0 after a clean end,
 * 1 after a protocol or I/O error on the pipes.
 *
 * A whole-file job opens its path without blocking and without following
 * a final symlink (unless JOB_FOLLOW), checks that it is a regular file,
 * counts it and reports the metadata fstat() gave before the read.  A file
 * that changes while it is read is read again, up to twice; if it keeps
 * changing the result has stage STAGE_CHANGED and err 0 (counts valid but
 * racy).  With JOB_ARCHIVES, a file whose content is an archive has its
 * members sent first and found FOUND_ARCHIVE (a single compressed file:
 * FOUND_COMPRESSED and the counts of what it decompresses to); a hit limit
 * or damage gives STAGE_LIMIT / STAGE_DAMAGED.  A file larger than
 * max_file_bytes is read up to there and gives STAGE_LIMIT with the counts
 * of what was read.  Holes of sparse files are counted as the NUL bytes
 * they read as, without reading them.
 *
 * A range job counts [offset, offset + length) as one range of the file
 * (see count_init_range()): the range reaching the end of the file settles
 * a trailing incomplete sequence, the others leave it to the next.  Ranges
 * are read once: a file that is not the same after the read, or shorter
 * than the range, gives STAGE_CHANGED, and the pool counts it again as a
 * whole.  With JOB_ARCHIVES, a file whose head says archive is counted
 * whole by the range at offset 0, while every other range gives
 * STAGE_WHOLE and no counts; so is a file larger than max_file_bytes (the
 * limit is the file's, not a range's).
 */
int worker_main(int in_fd, int out_fd, const struct worker_config *cfg);

#endif
