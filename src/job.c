/*
 * job.c - making, queueing and freeing the jobs of a scan (job.h).
 */
#include "config.h"

#include <stdlib.h>

#include "job.h"
#include "util.h"

struct job *job_new(const char *path, uint32_t flags,
		    const struct file_place *place)
{
	struct job *job = xcalloc(1, sizeof(*job));

	job->pj.path = xstrdup(path);
	job->pj.flags = flags;
	job->pj.size = place->seen.size;
	job->pj.place = *place;
	return job;
}

void job_free(struct job *job)
{
	if (!job)
		return;
	free(job->pj.path);
	free(job);
}

void job_push(struct queue *q, struct job *job)
{
	if (queue_push(q, job) < 0)
		job_free(job);
}
