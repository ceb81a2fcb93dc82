/*
 * sink.c - the text sink: one layout rule for the text of every markup
 * format, fed to the counting kernel through a small buffer (see sink.h).
 */
#include "config.h"

#include <string.h>

#include "../count.h"
#include "sink.h"

void sink_init(struct text_sink *s, struct count_state *st,
	       uint64_t max_bytes)
{
	memset(s, 0, sizeof(*s) - sizeof(s->buf));
	s->st = st;
	s->max_bytes = max_bytes;
}

static void flush(struct text_sink *s)
{
	count_feed(s->st, s->buf, s->len);
	s->len = 0;
}

static void put(struct text_sink *s, unsigned char c)
{
	if (s->full)
		return;
	if (s->bytes >= s->max_bytes) {
		s->full = 1;
		return;
	}
	s->bytes++;
	s->buf[s->len++] = c;
	if (s->len == sizeof(s->buf))
		flush(s);
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Text is about to follow on this line: the pending space goes first. */
static void before_text(struct text_sink *s)
{
	if (s->space && s->line_has_text)
		put(s, ' ');
	s->space = 0;
	s->line_has_text = 1;
}

void sink_text(struct text_sink *s, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;

	for (size_t i = 0; i < len && !s->full; i++) {
		if (is_space(p[i])) {
			s->space = 1;
			continue;
		}
		before_text(s);
		put(s, p[i]);
	}
}

void sink_verbatim(struct text_sink *s, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;

	for (size_t i = 0; i < len && !s->full; i++) {
		before_text(s);
		put(s, p[i]);
		if (p[i] == '\n')
			s->line_has_text = 0;
	}
}

void sink_space(struct text_sink *s)
{
	s->space = 1;
}

void sink_break(struct text_sink *s)
{
	if (s->line_has_text)
		put(s, '\n');
	s->line_has_text = 0;
	s->space = 0;
}

void sink_finish(struct text_sink *s)
{
	sink_break(s);
	flush(s);
}
