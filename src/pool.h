/*
 * pool.h - a pool of worker processes that count files.
 *
 * Workers are started with fork()+exec() of the program's hidden worker mode
 * ("wcindex __worker"), so that one can be (re)started at any time, even
 * while the scanner runs threads.  The pool runs in the calling thread: it
 * takes jobs from a queue, sends them to the workers in batches, and hands
 * every finished job to a callback.  A worker that dies or overruns its time
 * is killed and replaced.  The jobs of the batch it was working on are sent
 * again one per batch, those of batches it had not started go back in line,
 * and a job that a worker dies on alone is reported with stage STAGE_CRASH
 * and the reason.
 */
#ifndef WCINDEX_POOL_H
#define WCINDEX_POOL_H

#include <stdint.h>

#include "proto.h"
#include "queue.h"

/*
 * What the pool needs of a job.  Callers embed it as the first member of
 * their own job structure and get it back in the callback.
 */
struct pool_job {
	char *path;		/* absolute path, NUL-terminated */
	uint32_t flags;		/* JOB_* */
	uint64_t size;		/* expected size, to balance batches */
	struct file_place place;	/* its top, its directory, what was seen */
	int no_split;		/* read in one piece: it was an archive */

	/* The pool's own: zero in the jobs handed to it. */
	uint64_t offset, length;	/* a range of the file (length 0: all) */
	struct split *split;		/* the file that range is part of */
	int whole_only;			/* changed while counted in ranges */
};

/*
 * Called once per job (once per file: the ranges of a big file are added up
 * first), in the pool's thread, with the job and its result
 * (res->msg points into a buffer valid only during the call).  The job
 * belongs to the callback from then on.
 */
typedef void (*pool_done_fn)(void *data, struct pool_job *job,
			     const struct proto_result *res);

/*
 * Called for each archive member a worker reports, before the job's own
 * result, with pointers valid only during the call.
 */
typedef void (*pool_member_fn)(void *data, struct pool_job *job,
			       const struct proto_member *m);

/*
 * Called about every 200 ms while the pool runs (progress display).  A
 * nonzero return stops pool_run() as the stop descriptor does.
 */
typedef int (*pool_tick_fn)(void *data);

struct pool;

/*
 * Create a pool of n workers that exec exe with the argument "__worker"
 * followed by args (NULL-terminated; may be NULL), each with its address
 * space capped at memory_limit bytes (0: no cap) or at the hard limit the
 * scan runs under, if that is lower, so that a decompression bomb makes
 * malloc() fail instead of eating the machine.  Returns NULL
 * after reporting if none can start.
 */
struct pool *pool_new(const char *exe, unsigned n, const char *const *args,
		      uint64_t memory_limit);

/*
 * Time allowed to a worker for one batch of jobs: base_ms plus one
 * millisecond for every bytes_per_ms bytes of the files' expected sizes
 * (defaults: 30 s and 4 MB/s), that part capped at 120 times base_ms (one
 * hour by default).  A worker past it is killed as hung.
 */
void pool_set_timeout(struct pool *p, unsigned base_ms, unsigned bytes_per_ms);

/*
 * The bytes a worker reads of a file at most (the workers' max_file_bytes,
 * worker.h): a larger file is not split in ranges, and is timed as that
 * many bytes.  Default: no limit.
 */
void pool_set_max_file_bytes(struct pool *p, uint64_t max_file_bytes);

/*
 * Run until the jobs queue is closed and every job has been handed to done.
 * Returns 0, or -1 on a fatal error (workers cannot be started at all); the
 * jobs not yet done are then still handed to done with a failure.
 *
 * Returns 1 as soon as the stop descriptor (see pool_set_stop_fd()) is
 * readable, or the tick callback asks to stop: the workers are killed at once, and the jobs they had, and the
 * ones the pool held back, are handed to done with stage STAGE_CANCELLED.
 * The jobs still in the queue are the caller's to end: stop the producer,
 * then call pool_cancel_queued().
 */
int pool_run(struct pool *p, struct queue *jobs, pool_done_fn done,
	     pool_member_fn member, pool_tick_fn tick, void *data);

/*
 * A descriptor that becomes readable when pool_run() must stop (a signalfd
 * of the signals that end a scan); -1 for none.  pool_run() only polls it
 * and never reads from it.
 */
void pool_set_stop_fd(struct pool *p, int fd);

/*
 * After pool_run() returned 1: hand every job left in the queue to done as
 * STAGE_CANCELLED until the queue is closed.  Blocks until the producer
 * closes it.
 */
void pool_cancel_queued(struct pool *p, struct queue *jobs);

/* What the pool has done so far (progress, tests). */
struct pool_stats {
	unsigned in_flight;	/* jobs sent to workers and not finished */
	unsigned restarts;	/* workers replaced after a crash or a timeout */
	/*
	 * Range jobs the big files were cut into (files of 32 MiB and more,
	 * when there are two workers or more: 16 MiB each).
	 */
	unsigned ranges;
	/*
	 * Big files counted again in one piece because they changed (or were
	 * not the size the walk saw) while their ranges were counted.
	 */
	unsigned recounts;
};

void pool_get_stats(struct pool *p, struct pool_stats *st);

/* Stop the workers (end of input, then SIGKILL if they linger) and free. */
void pool_free(struct pool *p);

#endif
