/*
 * test_count.c - unit tests of the counting kernel (src/count.c): the 29
 * whitespace code points and their lookalikes, invalid and truncated UTF-8,
 * independence from the split points of count_feed(), the binary window and
 * ASCII mode.  tests/count-vs-python.sh compares whole files against python;
 * these pin down the individual rules so that a failure names the rule.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "count.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* a string literal and its length, which may include NUL bytes */
#define LIT(s) s, sizeof(s) - 1

/* Feed buf to a fresh state in pieces of at most piece bytes. */
static void count_pieces(const void *buf, size_t len, enum count_mode mode,
			 size_t piece, struct counts *out)
{
	const unsigned char *p = buf;
	struct count_state st;

	count_init(&st, mode);
	while (len) {
		size_t n = len < piece ? len : piece;

		count_feed(&st, p, n);
		p += n;
		len -= n;
	}
	count_finish(&st, out);
}

/* Feed buf as the three pieces [0, i), [i, j) and [j, len). */
static void count_split3(const void *buf, size_t len, enum count_mode mode,
			 size_t i, size_t j, struct counts *out)
{
	const unsigned char *p = buf;
	struct count_state st;

	count_init(&st, mode);
	count_feed(&st, p, i);
	count_feed(&st, p + i, j - i);
	count_feed(&st, p + j, len - j);
	count_finish(&st, out);
}

static void assert_same(const struct counts *want, const struct counts *got,
			const char *what, size_t i, size_t j)
{
	ck_assert_msg(want->bytes == got->bytes && want->lines == got->lines &&
		      want->words == got->words && want->chars == got->chars &&
		      want->flags == got->flags,
		      "%s (split %zu/%zu): want %llu %llu %llu %llu %u, "
		      "got %llu %llu %llu %llu %u", what, i, j,
		      (unsigned long long)want->lines,
		      (unsigned long long)want->words,
		      (unsigned long long)want->chars,
		      (unsigned long long)want->bytes, want->flags,
		      (unsigned long long)got->lines,
		      (unsigned long long)got->words,
		      (unsigned long long)got->chars,
		      (unsigned long long)got->bytes, got->flags);
}

/* ------------------------------------------------------ whitespace ---- */

/* str.isspace() is true for exactly these, and they are all 1-3 bytes. */
static const struct {
	unsigned cp;
	const char *utf8;
} spaces[] = {
	{ 0x0009, "\x09" }, { 0x000a, "\x0a" }, { 0x000b, "\x0b" },
	{ 0x000c, "\x0c" }, { 0x000d, "\x0d" }, { 0x001c, "\x1c" },
	{ 0x001d, "\x1d" }, { 0x001e, "\x1e" }, { 0x001f, "\x1f" },
	{ 0x0020, "\x20" }, { 0x0085, "\xc2\x85" }, { 0x00a0, "\xc2\xa0" },
	{ 0x1680, "\xe1\x9a\x80" },
	{ 0x2000, "\xe2\x80\x80" }, { 0x2001, "\xe2\x80\x81" },
	{ 0x2002, "\xe2\x80\x82" }, { 0x2003, "\xe2\x80\x83" },
	{ 0x2004, "\xe2\x80\x84" }, { 0x2005, "\xe2\x80\x85" },
	{ 0x2006, "\xe2\x80\x86" }, { 0x2007, "\xe2\x80\x87" },
	{ 0x2008, "\xe2\x80\x88" }, { 0x2009, "\xe2\x80\x89" },
	{ 0x200a, "\xe2\x80\x8a" }, { 0x2028, "\xe2\x80\xa8" },
	{ 0x2029, "\xe2\x80\xa9" }, { 0x202f, "\xe2\x80\xaf" },
	{ 0x205f, "\xe2\x81\x9f" }, { 0x3000, "\xe3\x80\x80" },
};

START_TEST(test_space_between_words)
{
	char buf[16];
	struct counts c;
	size_t len;

	len = (size_t)snprintf(buf, sizeof(buf), "ab%scd", spaces[_i].utf8);
	count_buffer(buf, len, COUNT_UTF8, &c);
	ck_assert_msg(c.words == 2, "U+%04X: %llu words", spaces[_i].cp,
		      (unsigned long long)c.words);
	ck_assert_uint_eq(c.chars, 5);
	ck_assert_uint_eq(c.bytes, len);
	ck_assert_uint_eq(c.lines, spaces[_i].cp == '\n');
	ck_assert_uint_eq(c.flags, 0);

	/* on its own, or repeated, it makes no word at all */
	len = (size_t)snprintf(buf, sizeof(buf), "%s%s", spaces[_i].utf8,
			       spaces[_i].utf8);
	count_buffer(buf, len, COUNT_UTF8, &c);
	ck_assert_uint_eq(c.words, 0);
	ck_assert_uint_eq(c.chars, 2);
}
END_TEST

/* Not whitespace, though they look like it or sit next to one that is. */
static const struct {
	unsigned cp;
	const char *utf8;
} lookalikes[] = {
	{ 0x200b, "\xe2\x80\x8b" },	/* zero width space */
	{ 0x2060, "\xe2\x81\xa0" },	/* word joiner */
	{ 0xfeff, "\xef\xbb\xbf" },	/* BOM, zero width no-break space */
	{ 0x180e, "\xe1\xa0\x8e" },	/* mongolian vowel separator */
	{ 0x0000, "" },			/* NUL; filled in by the test */
	{ 0x001b, "\x1b" },
	{ 0x0084, "\xc2\x84" },
	{ 0x00a1, "\xc2\xa1" },
	{ 0x1681, "\xe1\x9a\x81" },
	{ 0x1fff, "\xe1\xbf\xbf" },
	{ 0x2027, "\xe2\x80\xa7" },
	{ 0x202a, "\xe2\x80\xaa" },
	{ 0x202e, "\xe2\x80\xae" },
	{ 0x2030, "\xe2\x80\xb0" },
	{ 0x205e, "\xe2\x81\x9e" },
	{ 0x3001, "\xe3\x80\x81" },
	{ 0x2f00, "\xe2\xbc\x80" },
};

START_TEST(test_lookalike_is_word)
{
	char buf[16] = "ab";
	size_t n = strlen(lookalikes[_i].utf8);
	struct counts c;

	if (lookalikes[_i].cp == 0)
		n = 1;		/* buf[2] is already the NUL */
	else
		memcpy(buf + 2, lookalikes[_i].utf8, n);
	memcpy(buf + 2 + n, "cd", 2);
	count_buffer(buf, n + 4, COUNT_UTF8, &c);
	ck_assert_msg(c.words == 1, "U+%04X: %llu words", lookalikes[_i].cp,
		      (unsigned long long)c.words);
	ck_assert_uint_eq(c.chars, 5);
	ck_assert_uint_eq(c.flags, lookalikes[_i].cp == 0 ? COUNT_F_BINARY : 0);
}
END_TEST

/* -------------------------------------------------- invalid UTF-8 ---- */

/*
 * The expected values were computed with python3 while writing this test:
 *     t = data.decode('utf-8', 'surrogateescape')
 *     len(t), len(t.split()), plus 2 if data.decode('utf-8') fails
 *     and 1 if b'\0' in data
 */
static const struct {
	const char *in;
	size_t len;
	unsigned chars, words, flags;
} seqs[] = {
	{ "\xc0\x80", 2, 2, 1, 2 },			/* overlong NUL */
	{ "\xc1\xbf", 2, 2, 1, 2 },			/* overlong */
	{ "\xe0\x80\x80", 3, 3, 1, 2 },			/* overlong */
	{ "\xe0\x9f\xbf", 3, 3, 1, 2 },			/* overlong */
	{ "\xf0\x80\x80\x80", 4, 4, 1, 2 },		/* overlong */
	{ "\xf0\x8f\xbf\xbf", 4, 4, 1, 2 },		/* overlong */
	{ "\xed\xa0\x80", 3, 3, 1, 2 },			/* surrogate */
	{ "\xed\xbf\xbf", 3, 3, 1, 2 },			/* surrogate */
	{ "\xed\x9f\xbf", 3, 1, 1, 0 },			/* U+D7FF is fine */
	{ "\xf4\x90\x80\x80", 4, 4, 1, 2 },		/* above U+10FFFF */
	{ "\xf4\x8f\xbf\xbf", 4, 1, 1, 0 },		/* U+10FFFF is fine */
	{ "\xf5\x80\x80\x80", 4, 4, 1, 2 },
	{ "\xff", 1, 1, 1, 2 },
	{ "\xfe", 1, 1, 1, 2 },
	{ "\xf8\x88\x80\x80\x80\x80", 6, 6, 1, 2 },	/* old 6-byte form */
	{ "\x80", 1, 1, 1, 2 },				/* lone continuation */
	{ "\xbf\xbf", 2, 2, 1, 2 },
	{ "\xc2", 1, 1, 1, 2 },				/* truncated at end */
	{ "\xe2\x80", 2, 2, 1, 2 },
	{ "\xf0\x9f\x98", 3, 3, 1, 2 },
	{ "\xe0\xa0", 2, 2, 1, 2 },
	{ "\xed\xbf", 2, 2, 1, 2 },
	{ "\xf4\x8f", 2, 2, 1, 2 },
	{ "\xe1\x9a", 2, 2, 1, 2 },			/* half of U+1680 */
	{ "\x61\xe2\x80\x20\x62", 5, 5, 2, 2 },		/* truncated by a space */
	{ "\xc2\x20", 2, 2, 1, 2 },
	{ "\xe2\x80\xe2\x80\xa8", 5, 3, 1, 2 },		/* then U+2028 */
	{ "\xc2\xc2\xa0\x78", 4, 3, 2, 2 },		/* then U+00A0 */
	{ "\xe3\xe3\x80\x80", 4, 2, 1, 2 },		/* then U+3000 */
	{ "\xf0\xf0\x9f\x98\x80", 5, 2, 1, 2 },
	{ "\xc0\xaf\x20\xc0\xaf", 5, 5, 2, 2 },
	{ "\x78\xf4\x90\x80\x80", 5, 5, 1, 2 },
	{ "\x78\xc2\x85\x79", 4, 3, 2, 0 },		/* U+0085 */
	{ "\xf0\x9f\x98\x80", 4, 1, 1, 0 },		/* U+1F600 */
	{ "\xe1\x9a\x80", 3, 1, 0, 0 },			/* U+1680 */
	{ "\xe2\x81\x9f", 3, 1, 0, 0 },			/* U+205F */
	{ "\xe2\x81\xa0", 3, 1, 1, 0 },			/* U+2060 */
	{ "\xe0\xa0\x80", 3, 1, 1, 0 },			/* U+0800 */
	{ "\xe2\x80\x8b", 3, 1, 1, 0 },			/* U+200B */
	{ "\xef\xbb\xbf", 3, 1, 1, 0 },			/* U+FEFF */
	{ "\xe1\xa0\x8e", 3, 1, 1, 0 },			/* U+180E */
	{ "\x61\x00\x62", 3, 3, 1, 1 },			/* NUL: binary */
};

START_TEST(test_sequence)
{
	struct counts c;

	count_buffer(seqs[_i].in, seqs[_i].len, COUNT_UTF8, &c);
	ck_assert_msg(c.chars == seqs[_i].chars && c.words == seqs[_i].words &&
		      c.flags == seqs[_i].flags,
		      "case %d: want chars %u words %u flags %u, "
		      "got %llu %llu %u", _i,
		      seqs[_i].chars, seqs[_i].words, seqs[_i].flags,
		      (unsigned long long)c.chars,
		      (unsigned long long)c.words, c.flags);
	ck_assert_uint_eq(c.bytes, seqs[_i].len);
	ck_assert_uint_eq(c.lines, 0);

	/* one byte at a time, the pending bytes are carried over each time */
	count_pieces(seqs[_i].in, seqs[_i].len, COUNT_UTF8, 1, &c);
	ck_assert_uint_eq(c.chars, seqs[_i].chars);
	ck_assert_uint_eq(c.words, seqs[_i].words);
	ck_assert_uint_eq(c.flags, seqs[_i].flags);
}
END_TEST

/* ----------------------------------------------------- split points ---- */

/*
 * Buffers where a split can go wrong: sequences, valid and not, that a cut
 * would land inside; words across the 8-byte blocks of the fast path; runs
 * long enough to use it at all.
 */
static const struct {
	const char *buf;
	size_t len;
} tricky[] = {
	{ LIT("hello w\xc3\xb6rld\xe2\x80\xa8\xf0\x9f\x98\x80 x\xe2\x80 "
	      "\xed\xa0\x80" "abcdefghijklmnop qrstuvwx\x1c\x1dyz\n\n\xc2") },
	{ LIT("\xe2\x80\xe2\x80\xa8\xc2\xc2\xa0\xf0\xf0\x9f\x98\x80\xe3\xe3"
	      "\x80\x80\xf4\x90\x80\x80\xf4\x8f\xbf\xbf\xe1\x9a\x80\xe1\x9a") },
	{ LIT("aaaaaaa bbbbbbbb\tcccccccc\n\xc2\xa0" "ddddddd\xe3\x80\x80"
	      "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\xff" "ffffffff      gg") },
	{ LIT("        \xe2\x81\x9f        \xc2\x85\x80\x80\x80\x80\x80\x80"
	      "\x80\x80 \x0b\x0c\x0d\x1e\x1f x\xf0\x9f\x98") },
	{ LIT("x\x00y z\xe2\x80\xaf\xe2\x80\x8bzz\xc0\x80\xed\x9f\xbf"
	      "0123456789abcdef\xe2\x80\x8a" "0123456789abcdef\xe2\x80") },
};

static void check_all_splits(const char *buf, size_t len, enum count_mode mode)
{
	struct counts want, got;

	count_buffer(buf, len, mode, &want);
	for (size_t piece = 1; piece <= 9; piece++) {
		count_pieces(buf, len, mode, piece, &got);
		assert_same(&want, &got, "pieces", piece, 0);
	}
	for (size_t i = 0; i <= len; i++) {
		for (size_t j = i; j <= len; j++) {
			count_split3(buf, len, mode, i, j, &got);
			assert_same(&want, &got, "split", i, j);
		}
	}
}

START_TEST(test_split_anywhere)
{
	check_all_splits(tricky[_i].buf, tricky[_i].len, COUNT_UTF8);
	check_all_splits(tricky[_i].buf, tricky[_i].len, COUNT_ASCII);
}
END_TEST

/* a few known totals, so that the split test is not only self-consistent */
START_TEST(test_split_totals)
{
	struct counts c;

	/* computed with python3: 2 lines, 8 words, 53 chars, 59 bytes, invalid */
	count_pieces(tricky[0].buf, tricky[0].len, COUNT_UTF8, 1, &c);
	ck_assert_uint_eq(c.lines, 2);
	ck_assert_uint_eq(c.words, 8);
	ck_assert_uint_eq(c.chars, 53);
	ck_assert_uint_eq(c.bytes, 59);
	ck_assert_uint_eq(c.flags, COUNT_F_INVALID_UTF8);
}
END_TEST

/* Random buffers from the same ingredients, split at random points. */
START_TEST(test_split_random)
{
	static const char *const parts[] = {
		"a", "bc", " ", "\n", "\x1c", "\xc2\xa0", "\xe2\x80\xa8",
		"\xe3\x80\x80", "\xe1\x9a\x80", "\xe2\x81\x9f", "\xe2\x80\x8b",
		"\xf0\x9f\x98\x80", "\xc3\xa9", "\xe2\x80", "\xf0\x9f", "\xc2",
		"\xed\xa0\x80", "\x80", "\xff", "\xc0\xaf", "\xf4\x90\x80\x80",
		"abcdefghijklmnopq", "                ",
	};
	unsigned seed = 12345u + (unsigned)_i;
	char buf[512];

	for (int round = 0; round < 200; round++) {
		size_t len = 0, cut[4];
		struct counts want, got;
		struct count_state st;

		while (len < sizeof(buf) - 20) {
			const char *s;

			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 64 == 0)
				break;
			s = parts[(seed >> 16) % ARRAY_LEN(parts)];
			memcpy(buf + len, s, strlen(s));
			len += strlen(s);
		}
		for (int k = 0; k < 4; k++) {
			seed = seed * 1103515245u + 12345u;
			cut[k] = (seed >> 8) % (len + 1);
		}
		for (int a = 0; a < 4; a++)	/* sort the cuts */
			for (int b = a + 1; b < 4; b++)
				if (cut[b] < cut[a]) {
					size_t t = cut[a];

					cut[a] = cut[b];
					cut[b] = t;
				}

		count_buffer(buf, len, COUNT_UTF8, &want);
		count_init(&st, COUNT_UTF8);
		count_feed(&st, buf, cut[0]);
		for (int k = 1; k < 4; k++)
			count_feed(&st, buf + cut[k - 1], cut[k] - cut[k - 1]);
		count_feed(&st, buf + cut[3], len - cut[3]);
		count_finish(&st, &got);
		assert_same(&want, &got, "random", cut[0], cut[3]);
	}
}
END_TEST

/* ----------------------------------------------------------- ranges ---- */

/* Count [from, to) of buf as one range of a file, the way a worker does. */
static void count_range(const char *buf, size_t len, size_t from, size_t to,
			enum count_mode mode, struct counts *out)
{
	size_t n = from < COUNT_LOOKBACK ? from : COUNT_LOOKBACK;
	struct count_state st;

	if (from == to && from) {	/* no range: only the empty file has one */
		memset(out, 0, sizeof(*out));
		return;
	}
	count_init_range(&st, mode, from, buf + from - n, n);
	count_feed(&st, buf + from, to - from);
	if (to == len)
		count_finish(&st, out);
	else
		count_finish_range(&st, out);
}

static void add_counts(struct counts *sum, const struct counts *c)
{
	sum->bytes += c->bytes;
	sum->lines += c->lines;
	sum->words += c->words;
	sum->chars += c->chars;
	sum->flags |= c->flags;
}

/* Every pair of range boundaries in the tricky buffers. */
START_TEST(test_range_anywhere)
{
	const char *buf = tricky[_i].buf;
	size_t len = tricky[_i].len;

	for (int mode = COUNT_UTF8; mode <= COUNT_ASCII; mode++) {
		struct counts want, got, c;

		count_buffer(buf, len, (enum count_mode)mode, &want);
		for (size_t i = 0; i <= len; i++) {
			for (size_t j = i; j <= len; j++) {
				memset(&got, 0, sizeof(got));
				count_range(buf, len, 0, i, (enum count_mode)mode, &c);
				add_counts(&got, &c);
				count_range(buf, len, i, j, (enum count_mode)mode, &c);
				add_counts(&got, &c);
				count_range(buf, len, j, len, (enum count_mode)mode, &c);
				add_counts(&got, &c);
				assert_same(&want, &got, "range", i, j);
			}
		}
	}
}
END_TEST

/*
 * Continuation bytes right before a boundary are where a short lookback
 * would go wrong: they may end a whitespace character whose lead byte is out
 * of sight, or be invalid bytes of their own.
 */
START_TEST(test_range_lookback)
{
	static const char *const heads[] = {
		"x", " ", "\xe3\x80\x80", "\xc2\xa0", "\xe2\x80\xa8", "\xf0\x9f\x98\x80",
		"\x80", "\x80\x80\x80\x80\x80", "\xe3\x80", "\xf0\x9f\x98",
	};
	char buf[64];

	for (size_t a = 0; a < ARRAY_LEN(heads); a++) {
		for (size_t b = 0; b < ARRAY_LEN(heads); b++) {
			for (size_t c = 0; c < ARRAY_LEN(heads); c++) {
				size_t len = 0;
				struct counts want, got, part;

				len += (size_t)sprintf(buf + len, "%s", heads[a]);
				len += (size_t)sprintf(buf + len, "%s", heads[b]);
				len += (size_t)sprintf(buf + len, "%s", heads[c]);
				count_buffer(buf, len, COUNT_UTF8, &want);
				for (size_t i = 1; i < len; i++) {
					memset(&got, 0, sizeof(got));
					count_range(buf, len, 0, i, COUNT_UTF8, &part);
					add_counts(&got, &part);
					count_range(buf, len, i, len, COUNT_UTF8, &part);
					add_counts(&got, &part);
					assert_same(&want, &got, "lookback", a * 100 + b * 10 + c, i);
				}
			}
		}
	}
}
END_TEST

/* The binary window is measured from the start of the file, not the range. */
START_TEST(test_range_binary)
{
	static char buf[COUNT_BINARY_WINDOW + 100];
	struct counts c;

	memset(buf, 'a', sizeof(buf));
	buf[COUNT_BINARY_WINDOW + 50] = '\0';
	count_range(buf, sizeof(buf), COUNT_BINARY_WINDOW, sizeof(buf),
		    COUNT_UTF8, &c);
	ck_assert_uint_eq(c.flags & COUNT_F_BINARY, 0);
	buf[COUNT_BINARY_WINDOW - 1] = '\0';
	count_range(buf, sizeof(buf), COUNT_BINARY_WINDOW - 1, sizeof(buf),
		    COUNT_UTF8, &c);
	ck_assert_uint_eq(c.flags & COUNT_F_BINARY, COUNT_F_BINARY);
	/* the NUL just before the range is the previous range's to report */
	count_range(buf, sizeof(buf), COUNT_BINARY_WINDOW, sizeof(buf),
		    COUNT_UTF8, &c);
	ck_assert_uint_eq(c.flags & COUNT_F_BINARY, 0);
}
END_TEST

/* ------------------------------------------------------ long input ---- */

/* Enough blocks for the fast path's lane counters to wrap if unflushed. */
START_TEST(test_long_runs)
{
	size_t len = 100000;
	char *buf = malloc(len);
	struct counts c;

	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < len; i += 2) {
		buf[i] = 'x';
		buf[i + 1] = i % 10 == 8 ? '\n' : ' ';
	}
	count_buffer(buf, len, COUNT_UTF8, &c);
	ck_assert_uint_eq(c.words, len / 2);
	ck_assert_uint_eq(c.lines, len / 10);
	ck_assert_uint_eq(c.chars, len);
	count_buffer(buf, len, COUNT_ASCII, &c);
	ck_assert_uint_eq(c.words, len / 2);
	ck_assert_uint_eq(c.lines, len / 10);

	memset(buf, '\n', len);
	count_pieces(buf, len, COUNT_UTF8, 4093, &c);
	ck_assert_uint_eq(c.words, 0);
	ck_assert_uint_eq(c.lines, len);

	memset(buf, 'y', len);
	count_pieces(buf, len, COUNT_UTF8, 4093, &c);
	ck_assert_uint_eq(c.words, 1);
	ck_assert_uint_eq(c.lines, 0);
	free(buf);
}
END_TEST

START_TEST(test_empty)
{
	struct counts c;
	struct count_state st;

	count_buffer("", 0, COUNT_UTF8, &c);
	ck_assert(!c.bytes && !c.lines && !c.words && !c.chars && !c.flags);
	count_init(&st, COUNT_ASCII);
	count_feed(&st, "", 0);
	count_finish(&st, &c);
	ck_assert(!c.bytes && !c.lines && !c.words && !c.chars && !c.flags);
}
END_TEST

/* ---------------------------------------------------------- binary ---- */

static void check_nul_at(size_t at, unsigned want)
{
	static const size_t pieces[] = { 1, 7, 100, 4096, 8191, 8192, 8193,
					 20000 };
	static char buf[16384];
	struct counts c;

	memset(buf, 'a', sizeof(buf));
	buf[at] = '\0';
	for (int mode = COUNT_UTF8; mode <= COUNT_ASCII; mode++) {
		count_buffer(buf, sizeof(buf), mode, &c);
		ck_assert_msg((c.flags & COUNT_F_BINARY) == want,
			      "NUL at %zu: flags %u", at, c.flags);
		for (size_t k = 0; k < ARRAY_LEN(pieces); k++) {
			count_pieces(buf, sizeof(buf), mode, pieces[k], &c);
			ck_assert_msg((c.flags & COUNT_F_BINARY) == want,
				      "NUL at %zu, pieces of %zu: flags %u",
				      at, pieces[k], c.flags);
		}
	}
}

START_TEST(test_binary_window)
{
	check_nul_at(0, COUNT_F_BINARY);
	check_nul_at(COUNT_BINARY_WINDOW - 1, COUNT_F_BINARY);
	check_nul_at(COUNT_BINARY_WINDOW, 0);
	check_nul_at(COUNT_BINARY_WINDOW + 1, 0);
}
END_TEST

/* a NUL in a later feed still counts while it is inside the window */
START_TEST(test_binary_split)
{
	char a[8000], b[300];
	struct count_state st;
	struct counts c;

	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	b[191] = '\0';			/* offset 8191 */
	count_init(&st, COUNT_UTF8);
	count_feed(&st, a, sizeof(a));
	count_feed(&st, b, sizeof(b));
	count_finish(&st, &c);
	ck_assert_uint_eq(c.flags, COUNT_F_BINARY);

	b[191] = 'b';
	b[192] = '\0';			/* offset 8192 */
	count_init(&st, COUNT_UTF8);
	count_feed(&st, a, sizeof(a));
	count_feed(&st, b, sizeof(b));
	count_finish(&st, &c);
	ck_assert_uint_eq(c.flags, 0);
}
END_TEST

/* ----------------------------------------------------------- ascii ---- */

START_TEST(test_ascii_mode)
{
	struct counts c;

	/* only 09-0D and 20 separate words */
	count_buffer(LIT("a\x1c" "b\x1d" "c\x1e" "d\x1f" "e"), COUNT_ASCII, &c);
	ck_assert_uint_eq(c.words, 1);
	count_buffer(LIT("a\tb\nc\vd\fe\rf g"), COUNT_ASCII, &c);
	ck_assert_uint_eq(c.words, 7);
	ck_assert_uint_eq(c.lines, 1);

	/* non-ASCII bytes are word bytes, chars are bytes, nothing is invalid */
	count_buffer(LIT("a\xc2\xa0" "b\xe3\x80\x80" "c \xff\x80 \xe2\x80"),
		     COUNT_ASCII, &c);
	ck_assert_uint_eq(c.words, 3);
	ck_assert_uint_eq(c.chars, 14);
	ck_assert_uint_eq(c.bytes, 14);
	ck_assert_uint_eq(c.flags, 0);

	/* the fast path masks off high bits: 0x89 and 0xa0 are not spaces */
	count_buffer(LIT("\x89\x8a\xa0\x8d\x89\x8a\xa0\x8d"
			 "abcdefgh\x89\x8a\xa0\x8d\x89\x8a\xa0\x8d"), COUNT_ASCII, &c);
	ck_assert_uint_eq(c.words, 1);
	ck_assert_uint_eq(c.lines, 0);

	count_buffer(LIT("  \n\n  "), COUNT_ASCII, &c);
	ck_assert_uint_eq(c.words, 0);
	ck_assert_uint_eq(c.lines, 2);

	count_buffer(LIT("x\0y"), COUNT_ASCII, &c);
	ck_assert_uint_eq(c.words, 1);
	ck_assert_uint_eq(c.flags, COUNT_F_BINARY);
}
END_TEST

static Suite *count_suite(void)
{
	Suite *s = suite_create("count");
	TCase *tc;

	tc = tcase_create("whitespace");
	tcase_add_loop_test(tc, test_space_between_words, 0, ARRAY_LEN(spaces));
	tcase_add_loop_test(tc, test_lookalike_is_word, 0, ARRAY_LEN(lookalikes));
	suite_add_tcase(s, tc);

	tc = tcase_create("utf8");
	tcase_add_loop_test(tc, test_sequence, 0, ARRAY_LEN(seqs));
	suite_add_tcase(s, tc);

	tc = tcase_create("split");
	tcase_add_loop_test(tc, test_split_anywhere, 0, ARRAY_LEN(tricky));
	tcase_add_test(tc, test_split_totals);
	tcase_add_loop_test(tc, test_split_random, 0, 8);
	tcase_add_loop_test(tc, test_range_anywhere, 0, ARRAY_LEN(tricky));
	tcase_add_test(tc, test_range_lookback);
	tcase_add_test(tc, test_range_binary);
	tcase_add_test(tc, test_long_runs);
	tcase_add_test(tc, test_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("binary");
	tcase_add_test(tc, test_binary_window);
	tcase_add_test(tc, test_binary_split);
	suite_add_tcase(s, tc);

	tc = tcase_create("ascii");
	tcase_add_test(tc, test_ascii_mode);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(count_suite());
	int failures;

	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures != 0;
}
