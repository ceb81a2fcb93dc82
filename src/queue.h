/*
 * queue.h - a bounded, thread-safe FIFO of pointers between pipeline stages.
 *
 * Producers block while the queue is full, which is what keeps memory flat
 * whatever the size of the tree: a stage that runs ahead simply waits.  A
 * consumer that multiplexes other descriptors with poll() can ask for an
 * eventfd that is readable whenever items (or the close) are pending.
 */
#ifndef WCINDEX_QUEUE_H
#define WCINDEX_QUEUE_H

#include <stddef.h>

struct queue;

/* A queue holding at most capacity items (capacity >= 1). */
struct queue *queue_new(size_t capacity);

/* Free the queue; it must be empty and nobody may use it any more. */
void queue_free(struct queue *q);

/*
 * Append item, waiting while the queue is full.  Returns 0, or -1 when the
 * queue was closed (the item was not queued and still belongs to the caller).
 */
int queue_push(struct queue *q, void *item);

/*
 * Take up to max items into items[].  With wait_ms < 0 wait until at least
 * one item is there or the queue is closed; with wait_ms >= 0 wait at most
 * that long.  Returns the number taken; 0 means closed-and-drained if
 * queue_done() says so, else a timeout.
 */
size_t queue_pop_many(struct queue *q, void **items, size_t max, int wait_ms);

/* One item, waiting as long as needed; NULL once closed and drained. */
void *queue_pop(struct queue *q);

/* No more pushes will come; consumers drain what is left, then see the end. */
void queue_close(struct queue *q);

/* True when the queue is closed and empty. */
int queue_done(struct queue *q);

/* Items currently queued (a snapshot, for progress reports). */
size_t queue_length(struct queue *q);

/*
 * An eventfd that is readable while items are pending or the queue is
 * closed.  The consumer must call queue_ack_fd() after poll() reports it, to
 * drain the counter before looking at the queue again.  While items are
 * pending the fd stays readable: poll it only when ready to take them.
 * queue_event_fd() returns -1 (after reporting) if no eventfd can be made.
 */
int queue_event_fd(struct queue *q);
void queue_ack_fd(struct queue *q);

#endif
