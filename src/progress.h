/*
 * progress.h - the one-line progress display of a scan on a terminal.
 *
 * The line is redrawn in place ("\r\033[K") and cut to the terminal's
 * width, so that it never wraps and leaves no stale rows; parts that
 * matter less go first when the terminal is narrow.  While a progress is
 * alive, every message of error(), warning() and notice(), from any
 * thread, first clears the line, so that a message starts on a clean row;
 * the next update draws the line again.
 */
#ifndef WCINDEX_PROGRESS_H
#define WCINDEX_PROGRESS_H

#include <stdint.h>

/* Where a scan stands, as progress_update() is told. */
struct progress_counts {
	uint64_t seen;		/* regular files the walk found */
	uint64_t to_count;	/* of those, the files handed on to count */
	uint64_t counted;	/* files counted (or failed) so far */
	uint64_t bytes;		/* bytes counted so far */
	uint64_t queued;	/* files waiting or being counted */
	int walk_done;		/* to_count is final: show a percentage, ETA */
};

struct progress;

/*
 * A progress line on descriptor fd, or NULL when none is to be drawn: fd
 * is not a terminal, or $TERM is unset or "dumb".  Call it before any
 * other thread may report (it installs the message hook of util.h), and
 * progress_free() after they are done.
 */
struct progress *progress_new(int fd);

/*
 * Draw the line for c, at the terminal's width of the moment.  Rates are
 * those of the last few seconds of updates, not since the start; counts
 * that go down (a new group of roots) start the rates afresh.  Meant to
 * be called a few times a second, from one thread.
 */
void progress_update(struct progress *p, const struct progress_counts *c);

/* Erase the line, if drawn (before printing a summary, say). */
void progress_clear(struct progress *p);

/* Erase the line, remove the message hook, and free p (NULL is fine). */
void progress_free(struct progress *p);

#endif
