/*
 * job.h - a file the crawler hands on to be counted.  It is the pool's job
 * (path, flags, expected size) and what the writer needs to apply the
 * result to the index: the row it replaces, its directory, and what the
 * walk saw.  The crawler makes it, the pool carries it to a worker and
 * back, and the writer frees it once the result is applied.
 */
#ifndef WCINDEX_JOB_H
#define WCINDEX_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "filemeta.h"
#include "pool.h"
#include "queue.h"

struct job {
	struct pool_job pj;	/* first: the pool hands this pointer back */
	int64_t row_id;		/* the file's index row; 0 when it is new */
	int64_t dir_id;		/* the row of its directory */
	int was_archive;	/* its row was an archive's: it has members */
	int retry;		/* counted again only because it had failed */
	int tracked;		/* its root was walked whole before: changes
				   are recorded (its first scan: a summary) */
};

/*
 * A job for the file at path, at place below the top of the walk (its
 * name, and what the walk saw, in place->seen); the JOB_* flags go to the
 * worker.  Everything else is zero: a new file.
 */
struct job *job_new(const char *path, uint32_t flags,
		    const struct file_place *place);
void job_free(struct job *job);

/* The job as the pool handed it back. */
static inline struct job *job_of(struct pool_job *pj)
{
	return (struct job *)pj;
}

/* The file's base name, the key of its row in its directory. */
static inline const char *job_name(const struct job *job)
{
	return job->pj.path + job->pj.place.name_off;
}

/* What the walk saw of the file. */
static inline const struct file_meta *job_seen(const struct job *job)
{
	return &job->pj.place.seen;
}

/* Queue job, waiting while the queue is full; free it if it is closed. */
void job_push(struct queue *q, struct job *job);

#endif
