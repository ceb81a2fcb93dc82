/*
 * test_queue.c - unit tests of the bounded queue (src/queue.c): FIFO order
 * across the wrap of the ring, the capacity bound (a producer blocks while
 * the queue is full and resumes after a pop), the limits of
 * queue_pop_many(), timed pops on an empty queue, queue_close() waking
 * blocked consumers and producers, queue_done(), the event descriptor that
 * the pool polls (readable while items or the close are pending, drained by
 * queue_ack_fd()) and a multi-producer/multi-consumer stress run in which
 * every item must arrive exactly once and in each producer's order.
 *
 * Blocking is observed with flags set by the threads themselves: a short
 * nanosleep() gives a thread the chance to run, but no assertion depends on
 * how long anything took.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "queue.h"
#include "testmain.h"

/* Items are small integers disguised as non-NULL pointers. */
#define ITEM(n) ((void *)(uintptr_t)((n) + 1))
#define VALUE(p) ((uintptr_t)(p) - 1)

static void pause_briefly(void)
{
	struct timespec ts = { 0, 20 * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Is fd readable right now, or within ms milliseconds? */
static int fd_readable(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r;

	do {
		r = poll(&pfd, 1, ms);
	} while (r < 0 && errno == EINTR);
	ck_assert_int_ge(r, 0);
	return r > 0 && (pfd.revents & POLLIN);
}

/* ------------------------------------------------------ a thread ---- */

/*
 * One producer or consumer thread whose progress the test can observe:
 * started is set just before the blocking call, finished just after it.
 */
struct actor {
	struct queue *q;
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int started, finished;
	void *item;		/* pushed, or popped */
	int ret;		/* queue_push()'s return value */
	size_t popped;		/* queue_pop_many()'s return value */
	int wait_ms;
	enum { PUSH, POP, POP_MANY } what;
};

static void *actor_main(void *arg)
{
	struct actor *a = arg;
	void *item = NULL;

	pthread_mutex_lock(&a->lock);
	a->started = 1;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);

	switch (a->what) {
	case PUSH:
		a->ret = queue_push(a->q, a->item);
		break;
	case POP:
		item = queue_pop(a->q);
		break;
	case POP_MANY:
		a->popped = queue_pop_many(a->q, &item, 1, a->wait_ms);
		break;
	}

	pthread_mutex_lock(&a->lock);
	if (a->what != PUSH)
		a->item = item;
	a->finished = 1;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

static void actor_start(struct actor *a, struct queue *q, int what,
			void *item, int wait_ms)
{
	memset(a, 0, sizeof(*a));
	a->q = q;
	a->what = what;
	a->item = item;
	a->wait_ms = wait_ms;
	a->ret = 12345;
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	ck_assert_int_eq(pthread_create(&a->tid, NULL, actor_main, a), 0);

	/* Wait until it is about to make its call, then let it get there. */
	pthread_mutex_lock(&a->lock);
	while (!a->started)
		pthread_cond_wait(&a->cond, &a->lock);
	pthread_mutex_unlock(&a->lock);
	pause_briefly();
}

static int actor_finished(struct actor *a)
{
	int f;

	pthread_mutex_lock(&a->lock);
	f = a->finished;
	pthread_mutex_unlock(&a->lock);
	return f;
}

/* Wait (without a deadline: the test case timeout catches a hang). */
static void actor_join(struct actor *a)
{
	ck_assert_int_eq(pthread_join(a->tid, NULL), 0);
	ck_assert(a->finished);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->cond);
}

/* --------------------------------------------------------- order ---- */

START_TEST(test_fifo_order)
{
	struct queue *q = queue_new(8);

	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(queue_push(q, ITEM(i)), 0);
	ck_assert_uint_eq(queue_length(q), 8);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(VALUE(queue_pop(q)), (uintptr_t)i);
	ck_assert_uint_eq(queue_length(q), 0);
	queue_free(q);
}
END_TEST

/* The ring wraps around many times; order must survive it. */
START_TEST(test_fifo_wraps)
{
	struct queue *q = queue_new(3);
	uintptr_t next_in = 0, next_out = 0;

	for (int round = 0; round < 100; round++) {
		int pushes = 1 + round % 3;

		for (int i = 0; i < pushes && queue_length(q) < 3; i++)
			ck_assert_int_eq(queue_push(q, ITEM(next_in++)), 0);
		ck_assert_uint_eq(VALUE(queue_pop(q)), next_out++);
	}
	while (queue_length(q))
		ck_assert_uint_eq(VALUE(queue_pop(q)), next_out++);
	ck_assert_uint_eq(next_in, next_out);
	queue_free(q);
}
END_TEST

START_TEST(test_pop_many_limits)
{
	struct queue *q = queue_new(10);
	void *items[16];

	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(queue_push(q, ITEM(i)), 0);

	memset(items, 0, sizeof(items));
	ck_assert_uint_eq(queue_pop_many(q, items, 3, -1), 3);
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(VALUE(items[i]), (uintptr_t)i);
	ck_assert_ptr_null(items[3]);		/* nothing beyond max written */
	ck_assert_uint_eq(queue_length(q), 2);

	/* max larger than what is there: take what is there, do not wait */
	ck_assert_uint_eq(queue_pop_many(q, items, 16, -1), 2);
	ck_assert_uint_eq(VALUE(items[0]), 3);
	ck_assert_uint_eq(VALUE(items[1]), 4);

	/* max == 0 takes nothing even when items are there */
	ck_assert_int_eq(queue_push(q, ITEM(9)), 0);
	ck_assert_uint_eq(queue_pop_many(q, items, 0, 0), 0);
	ck_assert_uint_eq(queue_length(q), 1);
	ck_assert_uint_eq(queue_pop_many(q, items, 1, 0), 1);
	ck_assert_uint_eq(VALUE(items[0]), 9);
	queue_free(q);
}
END_TEST

START_TEST(test_timeout_pop_empty)
{
	struct queue *q = queue_new(4);
	void *item = ITEM(77);

	/* no wait at all, then a short wait: both come back empty */
	ck_assert_uint_eq(queue_pop_many(q, &item, 1, 0), 0);
	ck_assert_uint_eq(queue_pop_many(q, &item, 1, 30), 0);
	ck_assert_uint_eq(queue_pop_many(q, &item, 1, 1001), 0);
	ck_assert_uint_eq(VALUE(item), 77);	/* untouched */
	ck_assert(!queue_done(q));		/* a timeout, not the end */

	/* a timed pop returns an item that is there */
	ck_assert_int_eq(queue_push(q, ITEM(5)), 0);
	ck_assert_uint_eq(queue_pop_many(q, &item, 1, 30), 1);
	ck_assert_uint_eq(VALUE(item), 5);
	queue_free(q);
}
END_TEST

/* A timed pop that is waiting gets an item pushed meanwhile. */
START_TEST(test_timed_pop_gets_late_item)
{
	struct queue *q = queue_new(4);
	struct actor c;

	actor_start(&c, q, POP_MANY, NULL, 60000);
	ck_assert_int_eq(queue_push(q, ITEM(3)), 0);
	actor_join(&c);
	ck_assert_uint_eq(c.popped, 1);
	ck_assert_uint_eq(VALUE(c.item), 3);
	queue_free(q);
}
END_TEST

/* ------------------------------------------------------ capacity ---- */

START_TEST(test_push_blocks_when_full)
{
	struct queue *q = queue_new(2);
	struct actor prod;

	ck_assert_int_eq(queue_push(q, ITEM(0)), 0);
	ck_assert_int_eq(queue_push(q, ITEM(1)), 0);
	actor_start(&prod, q, PUSH, ITEM(2), 0);

	/* The third push must still be waiting, and must not have queued. */
	ck_assert_msg(!actor_finished(&prod), "push returned on a full queue");
	ck_assert_uint_eq(queue_length(q), 2);

	ck_assert_uint_eq(VALUE(queue_pop(q)), 0);
	actor_join(&prod);
	ck_assert_int_eq(prod.ret, 0);
	ck_assert_uint_eq(queue_length(q), 2);
	ck_assert_uint_eq(VALUE(queue_pop(q)), 1);
	ck_assert_uint_eq(VALUE(queue_pop(q)), 2);
	queue_free(q);
}
END_TEST

/* queue_new(1): the smallest queue holds exactly one item. */
START_TEST(test_capacity_one)
{
	struct queue *q = queue_new(1);
	struct actor prod;
	void *items[4];

	ck_assert_int_eq(queue_push(q, ITEM(0)), 0);
	actor_start(&prod, q, PUSH, ITEM(1), 0);
	ck_assert(!actor_finished(&prod));
	ck_assert_uint_eq(queue_pop_many(q, items, 4, -1), 1);
	ck_assert_uint_eq(VALUE(items[0]), 0);
	actor_join(&prod);
	ck_assert_int_eq(prod.ret, 0);
	ck_assert_uint_eq(queue_pop_many(q, items, 4, -1), 1);
	ck_assert_uint_eq(VALUE(items[0]), 1);
	queue_free(q);
}
END_TEST

/* --------------------------------------------------------- close ---- */

START_TEST(test_close_wakes_consumers)
{
	struct queue *q = queue_new(4);
	struct actor c1, c2, c3;

	actor_start(&c1, q, POP, ITEM(99), 0);
	actor_start(&c2, q, POP_MANY, ITEM(99), -1);
	actor_start(&c3, q, POP_MANY, ITEM(99), 600000);
	ck_assert(!actor_finished(&c1));
	ck_assert(!actor_finished(&c2));
	ck_assert(!actor_finished(&c3));

	queue_close(q);
	actor_join(&c1);
	actor_join(&c2);
	actor_join(&c3);
	ck_assert_ptr_null(c1.item);
	ck_assert_uint_eq(c2.popped, 0);
	ck_assert_uint_eq(c3.popped, 0);
	ck_assert(queue_done(q));
	queue_free(q);
}
END_TEST

START_TEST(test_close_wakes_producers)
{
	struct queue *q = queue_new(1);
	struct actor p1, p2;

	ck_assert_int_eq(queue_push(q, ITEM(0)), 0);
	actor_start(&p1, q, PUSH, ITEM(1), 0);
	actor_start(&p2, q, PUSH, ITEM(2), 0);
	ck_assert(!actor_finished(&p1));
	ck_assert(!actor_finished(&p2));

	queue_close(q);
	actor_join(&p1);
	actor_join(&p2);
	ck_assert_int_eq(p1.ret, -1);
	ck_assert_int_eq(p2.ret, -1);

	/* Only the item queued before the close is there. */
	ck_assert_uint_eq(queue_length(q), 1);
	ck_assert(!queue_done(q));
	ck_assert_uint_eq(VALUE(queue_pop(q)), 0);
	ck_assert_ptr_null(queue_pop(q));
	ck_assert(queue_done(q));
	queue_free(q);
}
END_TEST

START_TEST(test_push_after_close)
{
	struct queue *q = queue_new(4);

	queue_close(q);
	ck_assert_int_eq(queue_push(q, ITEM(1)), -1);
	ck_assert_uint_eq(queue_length(q), 0);
	ck_assert(queue_done(q));
	/* closing twice is harmless */
	queue_close(q);
	ck_assert(queue_done(q));
	queue_free(q);
}
END_TEST

START_TEST(test_close_then_drain)
{
	struct queue *q = queue_new(4);
	void *items[4];

	ck_assert(!queue_done(q));		/* open and empty */
	ck_assert_int_eq(queue_push(q, ITEM(0)), 0);
	ck_assert_int_eq(queue_push(q, ITEM(1)), 0);
	ck_assert_int_eq(queue_push(q, ITEM(2)), 0);
	ck_assert(!queue_done(q));		/* open with items */
	queue_close(q);
	ck_assert(!queue_done(q));		/* closed with items */

	/* Consumers drain what is left after the close, in order. */
	ck_assert_uint_eq(queue_pop_many(q, items, 2, -1), 2);
	ck_assert_uint_eq(VALUE(items[0]), 0);
	ck_assert_uint_eq(VALUE(items[1]), 1);
	ck_assert(!queue_done(q));
	ck_assert_uint_eq(VALUE(queue_pop(q)), 2);
	ck_assert(queue_done(q));		/* closed and drained */
	ck_assert_ptr_null(queue_pop(q));
	ck_assert_uint_eq(queue_pop_many(q, items, 4, -1), 0);
	ck_assert_uint_eq(queue_pop_many(q, items, 4, 50), 0);
	queue_free(q);
}
END_TEST

/* ------------------------------------------------------ event fd ---- */

START_TEST(test_event_fd_items)
{
	struct queue *q = queue_new(4);
	int fd = queue_event_fd(q);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(queue_event_fd(q), fd);	/* made once */
	ck_assert(!fd_readable(fd, 0));

	ck_assert_int_eq(queue_push(q, ITEM(0)), 0);
	ck_assert(fd_readable(fd, 1000));
	ck_assert_int_eq(queue_push(q, ITEM(1)), 0);
	ck_assert(fd_readable(fd, 1000));

	/* Acknowledged while items are pending: it stays readable. */
	queue_ack_fd(q);
	ck_assert(fd_readable(fd, 1000));
	(void)queue_pop(q);
	queue_ack_fd(q);
	ck_assert(fd_readable(fd, 1000));

	/* Drained and acknowledged: nothing to report any more. */
	(void)queue_pop(q);
	queue_ack_fd(q);
	ck_assert(!fd_readable(fd, 0));
	/* A second acknowledgement with nothing pending must not block. */
	queue_ack_fd(q);
	ck_assert(!fd_readable(fd, 0));

	/* The next push makes it readable again. */
	ck_assert_int_eq(queue_push(q, ITEM(2)), 0);
	ck_assert(fd_readable(fd, 1000));
	(void)queue_pop(q);
	queue_ack_fd(q);
	ck_assert(!fd_readable(fd, 0));
	queue_free(q);
}
END_TEST

START_TEST(test_event_fd_close)
{
	struct queue *q = queue_new(4);
	int fd = queue_event_fd(q);

	ck_assert_int_ge(fd, 0);
	ck_assert(!fd_readable(fd, 0));
	queue_close(q);
	ck_assert(fd_readable(fd, 1000));
	/* The close stays pending: acknowledging does not hide it. */
	queue_ack_fd(q);
	ck_assert(fd_readable(fd, 1000));
	queue_free(q);
}
END_TEST

/* An fd asked for after the items were queued is readable at once. */
START_TEST(test_event_fd_late)
{
	struct queue *q = queue_new(4);
	struct queue *q2 = queue_new(4);
	int fd;

	ck_assert_int_eq(queue_push(q, ITEM(0)), 0);
	fd = queue_event_fd(q);
	ck_assert_int_ge(fd, 0);
	ck_assert(fd_readable(fd, 1000));
	(void)queue_pop(q);
	queue_ack_fd(q);
	ck_assert(!fd_readable(fd, 0));

	queue_close(q2);
	fd = queue_event_fd(q2);
	ck_assert_int_ge(fd, 0);
	ck_assert(fd_readable(fd, 1000));
	queue_free(q);
	queue_free(q2);
}
END_TEST

/* queue_ack_fd() before any fd was asked for does nothing harmful. */
START_TEST(test_ack_without_fd)
{
	struct queue *q = queue_new(2);

	queue_ack_fd(q);
	ck_assert_int_eq(queue_push(q, ITEM(4)), 0);
	queue_ack_fd(q);
	ck_assert_uint_eq(VALUE(queue_pop(q)), 4);
	queue_free(q);
}
END_TEST

/* An event fd wakes a poll() that is already waiting. */
START_TEST(test_event_fd_wakes_poll)
{
	struct queue *q = queue_new(4);
	int fd = queue_event_fd(q);
	struct actor prod;

	actor_start(&prod, q, PUSH, ITEM(8), 0);
	ck_assert(fd_readable(fd, 30000));
	actor_join(&prod);
	ck_assert_int_eq(prod.ret, 0);
	ck_assert_uint_eq(VALUE(queue_pop(q)), 8);
	queue_free(q);
}
END_TEST

/* -------------------------------------------------------- stress ---- */

#define PRODUCERS 4
#define PER_PRODUCER 10000
#define CONSUMERS 2

struct stress_producer {
	struct queue *q;
	unsigned id;
	int failed_pushes;
};

struct stress_consumer {
	struct queue *q;
	unsigned id;
	unsigned char *seen;		/* per item: times received */
	long last[PRODUCERS];		/* last sequence seen per producer */
	int out_of_order;
	size_t received;
};

static void *stress_produce(void *arg)
{
	struct stress_producer *p = arg;

	for (uintptr_t i = 0; i < PER_PRODUCER; i++)
		if (queue_push(p->q, ITEM(p->id * PER_PRODUCER + i)))
			p->failed_pushes++;
	return NULL;
}

static void *stress_consume(void *arg)
{
	struct stress_consumer *c = arg;
	void *items[7];

	for (;;) {
		size_t n;

		/* one consumer takes one at a time, the other in bunches */
		if (c->id == 0) {
			void *item = queue_pop(c->q);

			if (!item)
				break;
			items[0] = item;
			n = 1;
		} else {
			n = queue_pop_many(c->q, items, 7, -1);
			if (!n)
				break;
		}
		for (size_t k = 0; k < n; k++) {
			uintptr_t v = VALUE(items[k]);
			unsigned prod = (unsigned)(v / PER_PRODUCER);
			long seq = (long)(v % PER_PRODUCER);

			if (v >= PRODUCERS * PER_PRODUCER)
				continue;	/* counted as missing below */
			c->seen[v]++;
			if (seq <= c->last[prod])
				c->out_of_order++;
			c->last[prod] = seq;
			c->received++;
		}
	}
	return NULL;
}

START_TEST(test_stress_mpmc)
{
	struct queue *q = queue_new(16);
	struct stress_producer prod[PRODUCERS];
	struct stress_consumer cons[CONSUMERS];
	pthread_t ptid[PRODUCERS], ctid[CONSUMERS];
	size_t total = 0;

	for (unsigned i = 0; i < CONSUMERS; i++) {
		memset(&cons[i], 0, sizeof(cons[i]));
		cons[i].q = q;
		cons[i].id = i;
		cons[i].seen = calloc(PRODUCERS * PER_PRODUCER, 1);
		ck_assert_ptr_nonnull(cons[i].seen);
		for (unsigned k = 0; k < PRODUCERS; k++)
			cons[i].last[k] = -1;
		ck_assert_int_eq(pthread_create(&ctid[i], NULL, stress_consume,
						&cons[i]), 0);
	}
	for (unsigned i = 0; i < PRODUCERS; i++) {
		prod[i].q = q;
		prod[i].id = i;
		prod[i].failed_pushes = 0;
		ck_assert_int_eq(pthread_create(&ptid[i], NULL, stress_produce,
						&prod[i]), 0);
	}
	for (unsigned i = 0; i < PRODUCERS; i++) {
		ck_assert_int_eq(pthread_join(ptid[i], NULL), 0);
		ck_assert_int_eq(prod[i].failed_pushes, 0);
	}
	queue_close(q);
	for (unsigned i = 0; i < CONSUMERS; i++)
		ck_assert_int_eq(pthread_join(ctid[i], NULL), 0);

	ck_assert(queue_done(q));
	for (unsigned i = 0; i < CONSUMERS; i++) {
		/* FIFO: a consumer sees each producer's items in order */
		ck_assert_int_eq(cons[i].out_of_order, 0);
		total += cons[i].received;
	}
	ck_assert_uint_eq(total, PRODUCERS * PER_PRODUCER);
	for (size_t v = 0; v < PRODUCERS * PER_PRODUCER; v++) {
		unsigned times = 0;

		for (unsigned i = 0; i < CONSUMERS; i++)
			times += cons[i].seen[v];
		ck_assert_msg(times == 1, "item %zu received %u times", v, times);
	}
	for (unsigned i = 0; i < CONSUMERS; i++)
		free(cons[i].seen);
	queue_free(q);
}
END_TEST

static Suite *queue_suite(void)
{
	Suite *s = suite_create("queue");
	TCase *tc;

	tc = add_tcase(s, "order", 0);
	tcase_add_test(tc, test_fifo_order);
	tcase_add_test(tc, test_fifo_wraps);
	tcase_add_test(tc, test_pop_many_limits);
	tcase_add_test(tc, test_timeout_pop_empty);
	tcase_add_test(tc, test_timed_pop_gets_late_item);

	tc = add_tcase(s, "capacity", 0);
	tcase_add_test(tc, test_push_blocks_when_full);
	tcase_add_test(tc, test_capacity_one);

	tc = add_tcase(s, "close", 30);
	tcase_add_test(tc, test_close_wakes_consumers);
	tcase_add_test(tc, test_close_wakes_producers);
	tcase_add_test(tc, test_push_after_close);
	tcase_add_test(tc, test_close_then_drain);

	tc = add_tcase(s, "event_fd", 0);
	tcase_add_test(tc, test_event_fd_items);
	tcase_add_test(tc, test_event_fd_close);
	tcase_add_test(tc, test_event_fd_late);
	tcase_add_test(tc, test_ack_without_fd);
	tcase_add_test(tc, test_event_fd_wakes_poll);

	tc = add_tcase(s, "stress", 120);
	tcase_add_test(tc, test_stress_mpmc);

	return s;
}

int main(void)
{
	return run_suite(queue_suite());
}
