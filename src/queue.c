/*
 * queue.c - bounded ring buffer of pointers guarded by one mutex and two
 * condition variables.  The optional eventfd lets the pool's poll() loop wait
 * on worker pipes and on new jobs at the same time.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "queue.h"
#include "util.h"

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t not_full;
	pthread_cond_t not_empty;
	void **ring;
	size_t cap, head, len;
	int closed;
	int efd;
};

struct queue *queue_new(size_t capacity)
{
	struct queue *q = xcalloc(1, sizeof(*q));
	pthread_condattr_t attr;

	if (!capacity)
		capacity = 1;
	q->ring = xcalloc(capacity, sizeof(*q->ring));
	q->cap = capacity;
	q->efd = -1;
	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&q->not_full, &attr);
	pthread_cond_init(&q->not_empty, &attr);
	pthread_condattr_destroy(&attr);
	return q;
}

void queue_free(struct queue *q)
{
	if (!q)
		return;
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->not_full);
	pthread_cond_destroy(&q->not_empty);
	if (q->efd >= 0)
		close(q->efd);
	free(q->ring);
	free(q);
}

static void signal_fd(struct queue *q)
{
	uint64_t one = 1;

	if (q->efd >= 0 && write(q->efd, &one, sizeof(one)) < 0) {
		/* counter saturated or EAGAIN: the fd is readable anyway */
	}
}

int queue_push(struct queue *q, void *item)
{
	pthread_mutex_lock(&q->lock);
	while (q->len == q->cap && !q->closed)
		pthread_cond_wait(&q->not_full, &q->lock);
	if (q->closed) {
		pthread_mutex_unlock(&q->lock);
		return -1;
	}
	q->ring[(q->head + q->len) % q->cap] = item;
	if (q->len++ == 0)
		signal_fd(q);
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

static void deadline_after(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

size_t queue_pop_many(struct queue *q, void **items, size_t max, int wait_ms)
{
	struct timespec deadline;
	size_t n = 0;

	if (wait_ms > 0)
		deadline_after(&deadline, wait_ms);
	pthread_mutex_lock(&q->lock);
	while (!q->len && !q->closed && wait_ms != 0) {
		if (wait_ms < 0) {
			pthread_cond_wait(&q->not_empty, &q->lock);
		} else if (pthread_cond_timedwait(&q->not_empty, &q->lock,
						  &deadline) == ETIMEDOUT) {
			break;
		}
	}
	while (n < max && q->len) {
		items[n++] = q->ring[q->head];
		q->head = (q->head + 1) % q->cap;
		q->len--;
	}
	if (n)
		pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->lock);
	return n;
}

void *queue_pop(struct queue *q)
{
	void *item;

	return queue_pop_many(q, &item, 1, -1) ? item : NULL;
}

void queue_close(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = 1;
	signal_fd(q);
	pthread_cond_broadcast(&q->not_empty);
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->lock);
}

int queue_done(struct queue *q)
{
	int done;

	pthread_mutex_lock(&q->lock);
	done = q->closed && !q->len;
	pthread_mutex_unlock(&q->lock);
	return done;
}

size_t queue_length(struct queue *q)
{
	size_t len;

	pthread_mutex_lock(&q->lock);
	len = q->len;
	pthread_mutex_unlock(&q->lock);
	return len;
}

int queue_event_fd(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	if (q->efd < 0) {
		q->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (q->efd < 0)
			error_errno("cannot create eventfd");
		else if (q->len || q->closed)
			signal_fd(q);
	}
	pthread_mutex_unlock(&q->lock);
	return q->efd;
}

void queue_ack_fd(struct queue *q)
{
	uint64_t v;

	pthread_mutex_lock(&q->lock);
	if (q->efd >= 0 && read(q->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing was pending */
	}
	/* Re-arm so that a poll() never sleeps on items already queued. */
	if (q->efd >= 0 && (q->len || q->closed))
		signal_fd(q);
	pthread_mutex_unlock(&q->lock);
}
