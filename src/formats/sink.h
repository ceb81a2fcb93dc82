/*
 * sink.h - the text sink: where a format module puts the text it
 * extracts.  The sink lays the text out by one rule for every markup
 * format, and feeds it to the counting kernel as it comes, through a small
 * buffer: no document's text is ever held whole.
 *
 * The rule (written for users in wcindex(1), and in tests/docref_sink.py
 * for the tests): the text is a sequence of lines, one per block
 * (paragraph, heading, list item, table cell, ...) that holds text.
 * Within a line, each run of whitespace (tab, newline, form feed, carriage
 * return, space) is one space, and there is none at the start or the end
 * of a line.  Each line ends in '\n'; a block without text gives no line.
 * Verbatim text (HTML's pre, PDF's text) is kept as it is.
 */
#ifndef WCINDEX_SINK_H
#define WCINDEX_SINK_H

#include <stddef.h>
#include <stdint.h>

struct count_state;

#define SINK_BUFSIZE 4096

struct text_sink {
	struct count_state *st;
	uint64_t bytes;		/* of text given to the kernel so far */
	uint64_t max_bytes;	/* the text budget */
	int full;		/* the budget is spent: the rest is dropped */
	int line_has_text;	/* the current line holds some text */
	int space;		/* whitespace seen since its last text */
	size_t len;
	unsigned char buf[SINK_BUFSIZE];
};

/* Start a sink that counts into st (already count_init()ed). */
void sink_init(struct text_sink *s, struct count_state *st,
	       uint64_t max_bytes);

/* Character data (UTF-8), whitespace laid out by the rule. */
void sink_text(struct text_sink *s, const char *text, size_t len);

/*
 * Verbatim character data: every byte kept.  Text after a '\n' starts a
 * new line; whitespace pending before it becomes one space.
 */
void sink_verbatim(struct text_sink *s, const char *text, size_t len);

/* A word separator that is not character data (a tab element, <br> in a line). */
void sink_space(struct text_sink *s);

/* The end of a block: the line ends here if it holds text. */
void sink_break(struct text_sink *s);

/* Whether the text budget is spent: the extraction should stop. */
static inline int sink_full(const struct text_sink *s)
{
	return s->full;
}

/* End the last line and hand everything to the kernel. */
void sink_finish(struct text_sink *s);

#endif
