/*
 * progress.c - the progress line of a scan.  The main thread draws it a
 * few times a second while the crawler and the writer may report errors
 * at any moment: one mutex orders the two, so that a message never lands
 * at the end of a half-drawn line and the line never lands in the middle
 * of a message.  The terminal's width is asked on every draw (one ioctl),
 * which follows a resized window without a SIGWINCH handler.
 */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "strbuf.h"
#include "term.h"
#include "util.h"

/* Rates are taken over the samples of about the last WINDOW_NS. */
#define WINDOW_NS 3000000000ull
/* Ring of samples: at 5 updates a second, room for twice the window. */
#define NR_SAMPLES 32

#define CLEAR_LINE "\r\033[K"

struct sample {
	uint64_t t, counted, bytes;
};

struct progress {
	int fd;
	pthread_mutex_t lock;
	int shown;		/* a line is on the screen (under lock) */
	struct sample ring[NR_SAMPLES];
	size_t nr, next;	/* samples kept, the slot of the next one */
	struct strbuf line;
};

/* One piece of the line; the lower its rank, the longer it stays. */
struct part {
	char text[64];
	int rank;
};

static void write_out(struct progress *p, const char *s, size_t len)
{
	if (write_all(p->fd, s, len)) {
		/* a terminal that went away: nothing left to draw on */
	}
}

/* The message hook: clear the line, then the message, in one write. */
static void print_message(void *data, const char *msg, size_t len)
{
	struct progress *p = data;
	struct strbuf out = STRBUF_INIT;

	pthread_mutex_lock(&p->lock);
	if (p->shown)
		strbuf_addstr(&out, CLEAR_LINE);
	strbuf_add(&out, msg, len);
	fflush(stderr);
	write_out(p, out.buf, out.len);
	p->shown = 0;
	pthread_mutex_unlock(&p->lock);
	strbuf_release(&out);
}

struct progress *progress_new(int fd)
{
	struct progress *p;

	if (!term_can_redraw(fd))
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->fd = fd;
	pthread_mutex_init(&p->lock, NULL);
	strbuf_init(&p->line, 128);
	set_message_hook(print_message, p);
	return p;
}

/* Keep a sample; return the oldest one still in the window. */
static const struct sample *add_sample(struct progress *p,
				       const struct sample *s)
{
	const struct sample *last = p->nr ?
		&p->ring[(p->next + NR_SAMPLES - 1) % NR_SAMPLES] : NULL;
	const struct sample *oldest = NULL;

	/* a new group of roots counts from 0 again */
	if (last && (s->counted < last->counted || s->bytes < last->bytes))
		p->nr = 0;
	p->ring[p->next] = *s;
	p->next = (p->next + 1) % NR_SAMPLES;
	if (p->nr < NR_SAMPLES)
		p->nr++;
	for (size_t k = p->nr; k > 0; k--) {
		const struct sample *o =
			&p->ring[(p->next + NR_SAMPLES - k) % NR_SAMPLES];

		if (s->t - o->t <= WINDOW_NS) {
			oldest = o;
			break;
		}
	}
	return oldest;
}

static void format_eta(char *buf, size_t size, uint64_t secs)
{
	if (secs >= 3600)
		snprintf(buf, size, ", ETA %" PRIu64 ":%02u:%02u", secs / 3600,
			 (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
	else
		snprintf(buf, size, ", ETA %u:%02u", (unsigned)(secs / 60),
			 (unsigned)(secs % 60));
}

/*
 * The parts of the line, in the order they are shown; returns how many.
 * At 40 columns what counted/seen and the percentage say stays.
 */
static size_t make_parts(const struct progress_counts *c, int have_rates,
			 double files_s, double mb_s, struct part *parts)
{
	size_t n = 0;

	if (c->walk_done) {
		uint64_t total = c->to_count > c->counted ? c->to_count
							  : c->counted;
		unsigned pct = total ? (unsigned)(c->counted * 100 / total)
				     : 100;

		snprintf(parts[n].text, sizeof(parts[n].text),
			 "%u%% %" PRIu64 "/%" PRIu64 " counted", pct,
			 c->counted, total);
		parts[n++].rank = 0;
	} else {
		snprintf(parts[n].text, sizeof(parts[n].text),
			 "%" PRIu64 " counted", c->counted);
		parts[n++].rank = 0;
		snprintf(parts[n].text, sizeof(parts[n].text),
			 " of %" PRIu64 " seen", c->seen);
		parts[n++].rank = 1;
	}
	snprintf(parts[n].text, sizeof(parts[n].text), ", %" PRIu64 " queued",
		 c->queued);
	parts[n++].rank = 4;
	if (!have_rates)
		return n;
	snprintf(parts[n].text, sizeof(parts[n].text), ", %.0f files/s",
		 files_s);
	parts[n++].rank = 3;
	snprintf(parts[n].text, sizeof(parts[n].text), ", %.1f MB/s", mb_s);
	parts[n++].rank = 2;
	if (c->walk_done && files_s > 0 && c->to_count > c->counted) {
		format_eta(parts[n].text, sizeof(parts[n].text),
			   (uint64_t)((double)(c->to_count - c->counted) /
				      files_s + 0.5));
		parts[n++].rank = 1;
	}
	return n;
}

/*
 * Put into p->line what redraws the line: CLEAR_LINE, then the parts
 * within cols - 1 columns (the last column would make some terminals
 * wrap), the highest ranks dropped first and what still does not fit cut.
 * Every part is ASCII: one byte, one column.
 */
static void fit_line(struct progress *p, const struct part *parts, size_t n,
		     unsigned cols)
{
	const size_t start = strlen(CLEAR_LINE);
	size_t room = start + (cols > 1 ? cols - 1 : 0);
	int rank = 4;

	for (;;) {
		strbuf_reset(&p->line);
		strbuf_addstr(&p->line, CLEAR_LINE);
		for (size_t i = 0; i < n; i++)
			if (parts[i].rank <= rank)
				strbuf_addstr(&p->line, parts[i].text);
		if (p->line.len <= room || !rank)
			break;
		rank--;
	}
	if (p->line.len > room)
		strbuf_setlen(&p->line, room);
}

void progress_update(struct progress *p, const struct progress_counts *c)
{
	struct sample s = { now_ns(), c->counted, c->bytes };
	const struct sample *o;
	double files_s = 0, mb_s = 0, dt;
	int have_rates;
	struct part parts[8];
	unsigned cols;
	size_t n;

	if (!p)
		return;
	o = add_sample(p, &s);
	dt = o ? (double)(s.t - o->t) / 1e9 : 0;
	/* the first update has nothing to take a rate over */
	have_rates = dt > 0.1;
	if (have_rates) {
		files_s = (double)(s.counted - o->counted) / dt;
		mb_s = (double)(s.bytes - o->bytes) / 1e6 / dt;
	}
	n = make_parts(c, have_rates, files_s, mb_s, parts);
	/* 80 columns when the terminal does not say */
	cols = term_columns(p->fd);
	fit_line(p, parts, n, cols ? cols : 80);
	pthread_mutex_lock(&p->lock);
	write_out(p, p->line.buf, p->line.len);
	p->shown = 1;
	pthread_mutex_unlock(&p->lock);
}

void progress_clear(struct progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->shown)
		write_out(p, CLEAR_LINE, strlen(CLEAR_LINE));
	p->shown = 0;
	pthread_mutex_unlock(&p->lock);
}

void progress_free(struct progress *p)
{
	if (!p)
		return;
	progress_clear(p);
	set_message_hook(NULL, NULL);
	pthread_mutex_destroy(&p->lock);
	strbuf_release(&p->line);
	free(p);
}
