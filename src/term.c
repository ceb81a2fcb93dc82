/*
 * term.c - text meant for a terminal.  File names are bytes, not text: a
 * name may hold ESC sequences that retitle the terminal or clear it, and
 * any byte that is not UTF-8.  term_quote() follows GNU ls's default style
 * to the byte, so that users see the names as ls shows them, and the
 * widths follow wcwidth() so that tables line up under CJK text.  The
 * Unicode tables come from build-aux/gen-termwidth.py.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "count.h"
#include "strbuf.h"
#include "term.h"
#include "termwidth.h"
#include "util.h"

int term_is_tty(int fd)
{
	return isatty(fd);
}

int term_can_redraw(int fd)
{
	const char *t = getenv("TERM");

	return isatty(fd) && t && *t && strcmp(t, "dumb");
}

unsigned term_columns(int fd)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) || !ws.ws_col)
		return 0;
	return ws.ws_col;
}

static int in_table(uint32_t cp, const struct termwidth_range *t, size_t n)
{
	size_t lo = 0, hi = n;

	if (!n || cp < t[0].lo || cp > t[n - 1].hi)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp > t[mid].hi)
			lo = mid + 1;
		else if (cp < t[mid].lo)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

/*
 * The character at s[i..len): its length in bytes (0: the byte at s[i]
 * starts no valid UTF-8 sequence) and its code point.
 */
static size_t decode(const unsigned char *s, size_t i, size_t len,
		     uint32_t *cp)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	size_t n = utf8_sequence_len(s + i, len - i);

	if (!n)
		return 0;
	*cp = s[i] & lead_mask[n];
	for (size_t k = 1; k < n; k++)
		*cp = (*cp << 6) | (s[i + k] & 0x3f);
	return n;
}

static int unprintable(uint32_t cp)
{
	return in_table(cp, termwidth_unprintable,
			ARRAY_SIZE(termwidth_unprintable));
}

size_t term_width(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, w = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = decode(s, i, len, &cp);

		if (!n) {
			w++;
			i++;
			continue;
		}
		i += n;
		if (in_table(cp, termwidth_zero, ARRAY_SIZE(termwidth_zero)))
			continue;
		if (in_table(cp, termwidth_wide, ARRAY_SIZE(termwidth_wide)))
			w += 2;
		else
			w++;
	}
	return w;
}

int term_printable(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = decode(s, i, len, &cp);

		if (!n || unprintable(cp))
			return 0;
		i += n;
	}
	return 1;
}

/* How a character of a name stands in ls's quoting. */
enum qclass {
	Q_PLAIN,	/* never needs quotes */
	Q_SAFE,		/* needs none itself, but no "..." around it either */
	Q_SPACE,	/* needs quotes, "..." or '...' */
	Q_SPECIAL,	/* a shell special: needs '...' */
	Q_APOS,		/* an apostrophe: "..." will do, else '\'' */
	Q_ESCAPE,	/* not printable: $'\ooo' */
};

static enum qclass classify(const unsigned char *s, size_t i, size_t len,
			    size_t *n)
{
	uint32_t cp;
	unsigned char c = s[i];

	*n = 1;
	if (c >= 0x80) {
		if (!(*n = decode(s, i, len, &cp)) || unprintable(cp)) {
			*n = *n ? *n : 1;
			return Q_ESCAPE;
		}
		return Q_PLAIN;
	}
	if (c < 0x20 || c == 0x7f)
		return Q_ESCAPE;
	if (c == '\'')
		return Q_APOS;
	if (c == ' ')
		return Q_SPACE;
	if (strchr("!\"$&()*;<=>[^`|\\?", c))
		return Q_SPECIAL;
	/* special only where the shell reads them so */
	if ((c == '#' || c == '~') && i == 0)
		return Q_SPECIAL;
	if ((c == '{' || c == '}') && len == 1)
		return Q_SPECIAL;
	if (c == '#' || c == '~' || c == '{' || c == '}')
		return Q_SAFE;
	return Q_PLAIN;
}

/* Append the backslash escape of the character s[0..n) (not printable). */
static void add_escape(struct strbuf *sb, const unsigned char *s, size_t n)
{
	static const char letters[] = "abtnvfr";	/* \a = 7 ... \r = 13 */

	if (n == 1 && s[0] >= '\a' && s[0] <= '\r') {
		strbuf_addch(sb, '\\');
		strbuf_addch(sb, letters[s[0] - '\a']);
		return;
	}
	for (size_t k = 0; k < n; k++)
		strbuf_addf(sb, "\\%03o", s[k]);
}

/* The '...' form, with $'...' pieces for what is not printable. */
static void quote_single(struct strbuf *sb, const unsigned char *s,
			 size_t len)
{
	int in_dollar = 0;	/* inside a $'...' piece */
	size_t i = 0, n;

	strbuf_addch(sb, '\'');
	while (i < len) {
		enum qclass q = classify(s, i, len, &n);

		if (q == Q_ESCAPE) {
			if (!in_dollar)
				strbuf_addstr(sb, "'$'");
			in_dollar = 1;
			add_escape(sb, s + i, n);
		} else if (q == Q_APOS) {
			/* closes either kind of quote alike */
			strbuf_addstr(sb, "'\\''");
			in_dollar = 0;
		} else {
			if (in_dollar)
				strbuf_addstr(sb, "''");
			in_dollar = 0;
			strbuf_add(sb, s + i, n);
		}
		i += n;
	}
	strbuf_addch(sb, '\'');
}

void term_quote(struct strbuf *sb, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	int quote = 0, apos = 0, dq_ok = 1;
	size_t i = 0, n;

	if (!len) {
		strbuf_addstr(sb, "''");
		return;
	}
	while (i < len) {
		enum qclass q = classify(s, i, len, &n);

		if (q != Q_PLAIN && q != Q_SAFE)
			quote = 1;
		if (q == Q_APOS)
			apos = 1;
		/* "..." only holds what needs no escaping inside it */
		if (q == Q_SPECIAL || q == Q_ESCAPE || q == Q_SAFE)
			dq_ok = 0;
		i += n;
	}
	if (!quote) {
		strbuf_add(sb, s, len);
	} else if (apos && dq_ok) {
		strbuf_addch(sb, '"');
		strbuf_add(sb, s, len);
		strbuf_addch(sb, '"');
	} else {
		quote_single(sb, s, len);
	}
}

void term_add_name(struct strbuf *sb, const char *s, size_t len, int tty)
{
	if (tty)
		term_quote(sb, s, len);
	else
		strbuf_add(sb, s, len);
}
