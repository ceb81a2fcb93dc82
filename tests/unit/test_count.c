/*
 * test_count.c - unit tests of the counting kernel (src/count.c): the 29
 * whitespace code points and their lookalikes, invalid and truncated UTF-8,
 * independence from the split points of count_feed(), the binary window and
 * ASCII mode.  tests/count-vs-python.sh compares whole files against python;
 * these pin down the individual rules so that a failure names the rule.
 *
 * The rule tests run once per kernel this CPU has (the tests' names end in
 * the kernel's).  The "kernels" tests then hold every vector kernel to the
 * scalar one, the reference, on megabytes of random text fed in random
 * pieces and ranges, and on every alignment and length around the 64-byte
 * windows; the buffers are allocated to their exact size, so that a read
 * past the end shows under AddressSanitizer.  utf8_sequence_len(), the
 * decoder's answer for other modules, is held to Unicode's table 3-7.
 */
#include "config.h"

#include <check.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "count.h"
#include "testmain.h"

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

/* ------------------------------------------------------------ holes ---- */

/*
 * count_feed_zeros() against count_feed() of as many real zero bytes: what
 * comes before (in a word, after whitespace, inside a sequence cut short),
 * what comes after, and lengths around the binary window, the vector
 * windows and the worker's buffer.
 */
static const struct { const char *buf; size_t len; } zero_heads[] = {
	{ LIT("") }, { LIT("x") }, { LIT(" ") }, { LIT("\n") },
	{ LIT("ab\t") }, { LIT("\xc2") }, { LIT("\xe3\x80") },
	{ LIT("\xf0\x9f") }, { LIT("\xf0\x9f\x98") }, { LIT("\x80") },
	{ LIT("\xe3\x80\x80") }, { LIT("\xc2\xa0") }, { LIT("x\0") },
};

static const struct { const char *buf; size_t len; } zero_tails[] = {
	{ LIT("") }, { LIT("x") }, { LIT(" y") }, { LIT("\n\n") },
	{ LIT("\x80\x80") }, { LIT("\x98\x80") }, { LIT("\0") },
	{ LIT("\xe3\x80\x80z") }, { LIT("\xe3") },
};

static const size_t zero_lens[] = {
	0, 1, 2, 3, 4, 7, 8, 9, 63, 64, 65, 66, 67, 127, 128, 129,
	COUNT_BINARY_WINDOW - 2, COUNT_BINARY_WINDOW - 1, COUNT_BINARY_WINDOW,
	COUNT_BINARY_WINDOW + 1, 65535, 65536, 262143, 262144, 262145,
	1u << 20,
};

static unsigned char *zero_buf(void)
{
	static unsigned char *buf;

	if (!buf)
		buf = calloc(1, (1u << 20) + 1);
	ck_assert_ptr_nonnull(buf);
	return buf;
}

/* The state two streams carry on with must be the same. */
static void assert_same_state(const struct count_state *want,
			      const struct count_state *got, const char *what,
			      size_t i, size_t j)
{
	assert_same(&want->c, &got->c, what, i, j);
	ck_assert_msg(want->in_word == got->in_word &&
		      want->pend_len == got->pend_len &&
		      !memcmp(want->pend, got->pend, want->pend_len) &&
		      want->offset == got->offset,
		      "%s (%zu/%zu): carried state differs", what, i, j);
}

START_TEST(test_zeros_contexts)
{
	const unsigned char *zeros = zero_buf();

	for (int mode = COUNT_UTF8; mode <= COUNT_ASCII; mode++)
	for (size_t h = 0; h < ARRAY_LEN(zero_heads); h++)
	for (size_t n = 0; n < ARRAY_LEN(zero_lens); n++) {
		size_t len = zero_lens[n];
		struct count_state real, fake;

		count_init(&real, (enum count_mode)mode);
		count_feed(&real, zero_heads[h].buf, zero_heads[h].len);
		fake = real;
		count_feed(&real, zeros, len);
		count_feed_zeros(&fake, len);
		assert_same_state(&real, &fake, "zeros", h, len);
		for (size_t t = 0; t < ARRAY_LEN(zero_tails); t++) {
			struct count_state r = real, f = fake;
			struct counts want, got;

			count_feed(&r, zero_tails[t].buf, zero_tails[t].len);
			count_feed(&f, zero_tails[t].buf, zero_tails[t].len);
			count_finish(&r, &want);
			count_finish(&f, &got);
			assert_same(&want, &got, "zeros+tail", h * 100 + t, len);
		}
	}
}
END_TEST

/* A hole fed in pieces, or next to real zeros, is one hole. */
START_TEST(test_zeros_pieces)
{
	const unsigned char *zeros = zero_buf();

	for (int mode = COUNT_UTF8; mode <= COUNT_ASCII; mode++)
	for (size_t h = 0; h < ARRAY_LEN(zero_heads); h++)
	for (size_t n = 0; n < ARRAY_LEN(zero_lens); n++) {
		size_t len = zero_lens[n], cut = len / 3;
		struct count_state one, three;

		count_init(&one, (enum count_mode)mode);
		count_feed(&one, zero_heads[h].buf, zero_heads[h].len);
		three = one;
		count_feed_zeros(&one, len);
		count_feed_zeros(&three, cut);
		count_feed(&three, zeros, cut);
		count_feed_zeros(&three, len - 2 * cut);
		assert_same_state(&one, &three, "pieces", h, len);
	}
}
END_TEST

/*
 * Ranges over a file with a hole: each range counted from the real bytes
 * before it (the worker reads its lookback), the hole's part of it fed as
 * zeros, add up to the whole file read byte by byte, wherever the range
 * boundary falls: in the head, in the hole, at its edges, in the tail.
 */
static void feed_with_hole(struct count_state *st, const unsigned char *buf,
			   size_t from, size_t to, size_t hs, size_t he)
{
	size_t a = from > hs ? from : hs, b = to < he ? to : he;

	if (a >= b) {
		count_feed(st, buf + from, to - from);
		return;
	}
	count_feed(st, buf + from, a - from);
	count_feed_zeros(st, b - a);
	count_feed(st, buf + b, to - b);
}

static void range_with_hole(const unsigned char *buf, size_t len, size_t from,
			    size_t to, size_t hs, size_t he,
			    enum count_mode mode, struct counts *out)
{
	size_t n = from < COUNT_LOOKBACK ? from : COUNT_LOOKBACK;
	struct count_state st;

	count_init_range(&st, mode, from, buf + from - n, n);
	feed_with_hole(&st, buf, from, to, hs, he);
	if (to == len)
		count_finish(&st, out);
	else
		count_finish_range(&st, out);
}

START_TEST(test_zeros_ranges)
{
	static const size_t lens[] = { 1, 5, 9, COUNT_BINARY_WINDOW + 3, 70000 };
	unsigned char *buf = malloc(70000 + 64);

	ck_assert_ptr_nonnull(buf);
	for (int mode = COUNT_UTF8; mode <= COUNT_ASCII; mode++)
	for (size_t h = 0; h < ARRAY_LEN(zero_heads); h++)
	for (size_t t = 0; t < ARRAY_LEN(zero_tails); t++)
	for (size_t k = 0; k < ARRAY_LEN(lens); k++) {
		size_t hs = zero_heads[h].len, he = hs + lens[k];
		size_t len = he + zero_tails[t].len;
		size_t cuts[] = { 0, 1, 2, hs ? hs - 1 : 0, hs, hs + 1,
				  hs + lens[k] / 2, he - 1, he, he + 1, len - 1,
				  len };
		struct counts want;

		memcpy(buf, zero_heads[h].buf, hs);
		memset(buf + hs, 0, lens[k]);
		memcpy(buf + he, zero_tails[t].buf, zero_tails[t].len);
		count_buffer(buf, len, (enum count_mode)mode, &want);
		for (size_t c = 0; c < ARRAY_LEN(cuts); c++) {
			size_t i = cuts[c] > len ? len : cuts[c];
			struct counts got = { 0 }, part;

			range_with_hole(buf, len, 0, i, hs, he,
					(enum count_mode)mode, &part);
			add_counts(&got, &part);
			if (i < len) {
				range_with_hole(buf, len, i, len, hs, he,
						(enum count_mode)mode, &part);
				add_counts(&got, &part);
			}
			assert_same(&want, &got, "hole in ranges",
				    h * 1000 + t * 10 + k, i);
		}
	}
	free(buf);
}
END_TEST

/* Holes of a terabyte and more: the arithmetic, and no overflow. */
START_TEST(test_zeros_huge)
{
	const uint64_t tb = UINT64_C(1) << 40;
	struct count_state st, half;
	struct counts c;

	count_init(&st, COUNT_UTF8);
	count_feed(&st, LIT("a \xe3\x80"));
	half = st;
	count_feed_zeros(&st, tb);
	count_feed_zeros(&half, tb / 2);
	count_feed_zeros(&half, tb / 2);
	assert_same_state(&st, &half, "huge halves", 0, 0);
	count_feed(&st, LIT(" b\n"));
	count_finish(&st, &c);
	ck_assert_uint_eq(c.bytes, 4 + tb + 3);
	ck_assert_uint_eq(c.chars, 2 + 2 + tb + 3);	/* e3 80: two invalid */
	ck_assert_uint_eq(c.words, 3);
	ck_assert_uint_eq(c.lines, 1);
	ck_assert_uint_eq(c.flags, COUNT_F_BINARY | COUNT_F_INVALID_UTF8);

	count_init(&st, COUNT_ASCII);
	count_feed_zeros(&st, UINT64_C(1) << 63);
	count_feed(&st, LIT("\nz"));
	count_feed_zeros(&st, (UINT64_C(1) << 63) - 3);
	count_finish(&st, &c);
	ck_assert_uint_eq(c.bytes, UINT64_MAX);
	ck_assert_uint_eq(c.chars, UINT64_MAX);
	ck_assert_uint_eq(c.words, 2);
	ck_assert_uint_eq(c.lines, 1);
	ck_assert_uint_eq(c.flags, COUNT_F_BINARY);

	/* the binary window's last byte may be a hole's first */
	count_init_range(&st, COUNT_UTF8, COUNT_BINARY_WINDOW - 1,
			 LIT("12345678"));
	count_feed_zeros(&st, 1);
	count_finish_range(&st, &c);
	ck_assert_uint_eq(c.flags, COUNT_F_BINARY);
	count_init_range(&st, COUNT_UTF8, COUNT_BINARY_WINDOW,
			 LIT("12345678"));
	count_feed_zeros(&st, 1);
	count_finish_range(&st, &c);
	ck_assert_uint_eq(c.flags, 0);

	/* past the binary window a hole flags nothing */
	count_init_range(&st, COUNT_UTF8, tb, LIT("12345678"));
	count_feed_zeros(&st, tb);
	count_finish_range(&st, &c);
	ck_assert_uint_eq(c.flags, 0);
	ck_assert_uint_eq(c.words, 0);
	ck_assert_uint_eq(c.chars, tb);
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

/* ---------------------------------------------------------- kernels ---- */

/* splitmix64: the seed in a failure message reproduces the case anywhere */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static size_t rnd_below(uint64_t *s, size_t n)
{
	return (size_t)(rnd(s) % n);
}

/* Broken UTF-8 of every kind: overlong, surrogate, too big, cut short. */
static const char *const bad_seqs[] = {
	"\xc0\x80", "\xc1\xbf", "\xc0", "\xc1", "\xe0\x80\x80", "\xe0\x9f\xbf",
	"\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf", "\xed\xa0\x80", "\xed\xbf\xbf",
	"\xed\xaf", "\xf4\x90\x80\x80", "\xf4\x90", "\xf4\xbf\xbf\xbf", "\xf5",
	"\xf8\x88\x80\x80", "\xfc", "\xfe", "\xff", "\xf5\x80\x80\x80",
	"\xf7\xbf\xbf\xbf", "\xfb\xbf\xbf\xbf", "\xff\x80\x80\x80",
	"\xc1\x80", "\xe0\x9f\x80", "\xf0\x8f\x80\x80", "\xf4\xa0\x80\x80", "\x80", "\xbf", "\x80\x80",
	"\xbf\xbf\xbf\xbf", "\xa0", "\x85", "\x9a\x80", "\xc2", "\xdf", "\xe2",
	"\xe2\x80", "\xe1", "\xe1\x9a", "\xe2\x81", "\xe3\x80", "\xf0",
	"\xf0\x9f", "\xf0\x9f\x98", "\xf4", "\xf4\x8f", "\xf4\x8f\xbf",
	"\xc2\xc2\xa0", "\xe2\xe2\x80\x80", "\xe2\x80\xe2\x80\xa8", "\xc2\x20",
	"\xe2\x80\x0a", "\xc2\x85\xc2", "\xe3\xe3\x80", "\xed\xbf\x80",
	"\xe0\xa0", "\xf0\x90\x80",
};

/* Valid characters next to the spaces and at the edges of table 3-7. */
static const char *const near_seqs[] = {
	"\xc2\x84", "\xc2\x86", "\xc2\x9f", "\xc2\xa1", "\xc3\x85", "\xc3\xa0",
	"\xe1\x99\xbf", "\xe1\x9a\x81", "\xe1\x9b\x80", "\xe2\x80\x8b",
	"\xe2\x80\x8c", "\xe2\x80\xa7", "\xe2\x80\xaa", "\xe2\x80\xae",
	"\xe2\x80\xb0", "\xe2\x81\x9e", "\xe2\x81\xa0", "\xe2\x81\x80",
	"\xe3\x80\x81", "\xe3\x81\x80", "\xe4\x80\x80", "\xe2\x90\x80",
	"\xef\xbb\xbf", "\xe1\xa0\x8e", "\xdf\xbf", "\xe0\xa0\x80",
	"\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80",
	"\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xf3\xbf\xbf\xbf",
	"\x08", "\x0e", "\x1b", "\x21", "\x7f",
};

/* Append the UTF-8 of code point cp (not a surrogate) at p. */
static size_t put_cp(unsigned char *p, unsigned cp)
{
	if (cp < 0x80) {
		p[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (unsigned char)(0xc0 | cp >> 6);
		p[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (unsigned char)(0xe0 | cp >> 12);
		p[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		p[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	p[0] = (unsigned char)(0xf0 | cp >> 18);
	p[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	p[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	p[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

enum ingredient {
	I_WORD, I_ASCII_RUN, I_SPACE, I_NEAR, I_VALID, I_BAD, I_STRAY,
	I_NUL, I_BYTE, I_COUNT
};

/* Relative weights of the ingredients, one set per kind of buffer. */
static const unsigned mixes[][I_COUNT] = {
	/* word run space near valid bad stray nul byte */
	{ 30, 3, 30, 10, 20, 3, 2, 1, 1 },	/* a bit of everything */
	{ 40, 20, 10, 2, 5, 0, 0, 0, 0 },	/* mostly ASCII, valid */
	{ 10, 2, 20, 10, 50, 0, 0, 0, 0 },	/* mostly multi-byte, valid */
	{ 10, 1, 50, 30, 10, 0, 0, 0, 0 },	/* whitespace and lookalikes */
	{ 10, 2, 10, 5, 10, 30, 20, 3, 10 },	/* broken */
	{ 20, 10, 5, 2, 5, 1, 1, 0, 0 },	/* long valid runs, rare errors */
};

/* One ingredient at p (room for 300 bytes); returns its length. */
static size_t put_ingredient(unsigned char *p, uint64_t *seed,
			     const unsigned *mix)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789.,-";
	unsigned total = 0, r;
	size_t n = 0;
	int kind = 0;

	for (int i = 0; i < I_COUNT; i++)
		total += mix[i];
	r = (unsigned)rnd_below(seed, total);
	while (r >= mix[kind])
		r -= mix[kind++];

	switch (kind) {
	case I_WORD:
		for (size_t len = 1 + rnd_below(seed, 12); n < len; n++)
			p[n] = (unsigned char)letters[rnd_below(seed, sizeof(letters) - 1)];
		return n;
	case I_ASCII_RUN:	/* whole windows of ASCII, with spaces */
		for (size_t len = 64 + rnd_below(seed, 230); n < len; n++) {
			size_t c = rnd_below(seed, 20);

			p[n] = c == 0 ? ' ' : c == 1 ? '\n' :
				(unsigned char)letters[rnd_below(seed, 26)];
		}
		return n;
	case I_SPACE: {
		const char *sp = spaces[rnd_below(seed, ARRAY_LEN(spaces))].utf8;

		memcpy(p, sp, strlen(sp));
		return strlen(sp);
	}
	case I_NEAR: {
		const char *s = near_seqs[rnd_below(seed, ARRAY_LEN(near_seqs))];

		memcpy(p, s, strlen(s));
		return strlen(s);
	}
	case I_VALID:
		for (size_t k = 1 + rnd_below(seed, 8); k; k--) {
			unsigned cp;

			switch (rnd_below(seed, 3)) {
			case 0:
				cp = 0x80 + (unsigned)rnd_below(seed, 0x800 - 0x80);
				break;
			case 1:
				do
					cp = 0x800 + (unsigned)rnd_below(seed, 0x10000 - 0x800);
				while (cp >= 0xd800 && cp <= 0xdfff);
				break;
			default:
				cp = 0x10000 + (unsigned)rnd_below(seed, 0x110000 - 0x10000);
				break;
			}
			n += put_cp(p + n, cp);
		}
		return n;
	case I_BAD: {
		const char *s = bad_seqs[rnd_below(seed, ARRAY_LEN(bad_seqs))];

		memcpy(p, s, strlen(s));
		return strlen(s);
	}
	case I_STRAY:
		for (size_t len = 1 + rnd_below(seed, 4); n < len; n++)
			p[n] = (unsigned char)(0x80 + rnd_below(seed, 0x40));
		return n;
	case I_NUL:
		p[0] = 0;
		return 1;
	default:
		p[0] = (unsigned char)rnd(seed);
		return 1;
	}
}

/* A random buffer of exactly len bytes (the last ingredient cut short). */
static unsigned char *random_buffer(size_t len, uint64_t *seed)
{
	const unsigned *mix = mixes[rnd_below(seed, ARRAY_LEN(mixes))];
	unsigned char *buf = malloc(len + 300);
	size_t n = 0;

	ck_assert_ptr_nonnull(buf);
	while (n < len)
		n += put_ingredient(buf + n, seed, mix);
	return buf;
}

static const char *mode_name(int mode)
{
	return mode == COUNT_ASCII ? "ascii" : "utf8";
}

/*
 * Fail unless want == got, naming everything needed to reproduce: the
 * kernel, the seed, the mode and how the buffer was cut.
 */
static void assert_kernel(const struct counts *want, const struct counts *got,
			  uint64_t seed, int mode, const char *how)
{
	ck_assert_msg(want->bytes == got->bytes && want->lines == got->lines &&
		      want->words == got->words && want->chars == got->chars &&
		      want->flags == got->flags,
		      "kernel %s, seed %" PRIu64 ", %s mode, %s: scalar says "
		      "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %u, "
		      "got %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %u",
		      count_kernel(), seed, mode_name(mode), how,
		      want->lines, want->words, want->chars, want->bytes,
		      want->flags, got->lines, got->words, got->chars,
		      got->bytes, got->flags);
}

/* Feed [p, p + n) from a copy of its own size, so that ASan sees over-reads. */
static void feed_exact(struct count_state *st, const unsigned char *p, size_t n)
{
	unsigned char *copy = malloc(n ? n : 1);

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, p, n);
	count_feed(st, copy, n);
	free(copy);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/* Up to max sorted random cut points in [0, len], 0 and len included. */
static size_t random_cuts(size_t *cut, size_t max, size_t len, uint64_t *seed)
{
	size_t n = 2 + rnd_below(seed, max - 1);

	cut[0] = 0;
	cut[1] = len;
	for (size_t i = 2; i < n; i++) {
		size_t near = rnd_below(seed, 80);

		/* half of them close to the one before: short pieces too */
		if (rnd_below(seed, 2))
			cut[i] = rnd_below(seed, len + 1);
		else
			cut[i] = cut[i - 1] > near ? cut[i - 1] - near : 0;
	}
	qsort(cut, n, sizeof(*cut), cmp_size);
	return n;
}

static void describe_cuts(char *out, size_t size, const char *what,
			  const size_t *cut, size_t n)
{
	int w = snprintf(out, size, "%s at", what);

	for (size_t i = 0; i < n && w > 0 && (size_t)w < size; i++)
		w += snprintf(out + w, size - (size_t)w, " %zu", cut[i]);
}

#define MAX_CUTS 8

/*
 * Count buf in pieces and as ranges with the kernel in use, and compare
 * with what the scalar kernel says (want, and the ranges' own counts).
 */
static void check_kernel_cuts(const unsigned char *buf, size_t len, int mode,
			      uint64_t seed, uint64_t *rs,
			      const struct counts *want, const char *kernel)
{
	size_t cut[MAX_CUTS];
	size_t n = random_cuts(cut, MAX_CUTS, len, rs);
	struct counts got, sum = { 0 }, part[MAX_CUTS];
	struct count_state st;
	char how[160];

	count_init(&st, (enum count_mode)mode);
	for (size_t i = 1; i < n; i++)
		feed_exact(&st, buf + cut[i - 1], cut[i] - cut[i - 1]);
	count_finish(&st, &got);
	describe_cuts(how, sizeof(how), "split", cut, n);
	assert_kernel(want, &got, seed, mode, how);

	/* the same cuts as range boundaries, each range counted on its own */
	describe_cuts(how, sizeof(how), "ranges", cut, n);
	for (int pass = 0; pass < 2; pass++) {
		count_use_kernel(pass ? kernel : "scalar");
		memset(&sum, 0, sizeof(sum));
		for (size_t i = 1; i < n; i++) {
			size_t from = cut[i - 1], to = cut[i];
			size_t back = from < COUNT_LOOKBACK ? from : COUNT_LOOKBACK;

			if (from == to && from)	/* only the empty file has one */
				continue;
			count_init_range(&st, (enum count_mode)mode, from,
					 buf + from - back, back);
			feed_exact(&st, buf + from, to - from);
			if (to == len)
				count_finish(&st, &got);
			else
				count_finish_range(&st, &got);
			if (!pass)
				part[i] = got;
			else
				assert_kernel(&part[i], &got, seed, mode, how);
			add_counts(&sum, &got);
		}
		assert_kernel(want, &sum, seed, mode, how);
	}
}

/*
 * Random buffers of random ingredients, long enough for many windows,
 * each counted whole, in random pieces and in random ranges by every
 * kernel in both modes.
 */
START_TEST(test_kernels_random)
{
	const char *const *names = count_kernels();
	uint64_t seed = UINT64_C(0x5eed0000) + (uint64_t)_i, rs = seed;
	size_t len = rnd_below(&rs, 4) ? 256 + rnd_below(&rs, 96 * 1024) :
		rnd_below(&rs, 700);
	unsigned char *buf = random_buffer(len, &rs);
	unsigned char *exact = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(exact);
	memcpy(exact, buf, len);
	for (int mode = COUNT_UTF8; mode <= COUNT_ASCII; mode++) {
		struct counts want, got;

		count_use_kernel("scalar");
		count_buffer(exact, len, (enum count_mode)mode, &want);
		for (size_t k = 0; names[k]; k++) {
			count_use_kernel(names[k]);
			count_buffer(exact, len, (enum count_mode)mode, &got);
			assert_kernel(&want, &got, seed, mode, "whole");
			for (int round = 0; round < 3; round++)
				check_kernel_cuts(exact, len, mode, seed, &rs,
						  &want, names[k]);
		}
	}
	count_use_kernel(names[0]);
	free(exact);
	free(buf);
}
END_TEST

/*
 * A buffer where every kind of sequence lands on every position of a
 * window as the start moves: whitespace sequences, lookalikes and broken
 * sequences, each between a few ASCII letters.
 */
static size_t tricky_windows(unsigned char *buf, size_t len)
{
	size_t n = 0, i = 0;

	while (n < len) {
		const char *s;
		size_t k = i % 3, m;

		s = k == 0 ? spaces[i / 3 % ARRAY_LEN(spaces)].utf8 :
			k == 1 ? near_seqs[i / 3 % ARRAY_LEN(near_seqs)] :
			bad_seqs[i / 3 % ARRAY_LEN(bad_seqs)];
		m = strlen(s);
		if (n + m + 2 > len)
			break;
		memcpy(buf + n, s, m);
		n += m;
		memcpy(buf + n, "xy", (i % 5) % 3);
		n += (i % 5) % 3;
		i++;
	}
	memset(buf + n, 'z', len - n);
	return len;
}

/*
 * Every start offset (and so every alignment) 0..63 and every length up
 * to three windows, from buffers of exactly that size.  _i picks the text:
 * the tricky one above, and the same with runs of ASCII in between, so
 * that windows that are all ASCII meet the others.
 */
START_TEST(test_kernels_offsets)
{
	enum { BASE = 64 + 3 * 64 + 8 };
	const char *const *names = count_kernels();
	unsigned char base[BASE];

	tricky_windows(base, BASE);
	if (_i == 1) {
		memset(base + 10, 'a', 60);
		memset(base + 100, ' ', 70);
		base[140] = '\n';
	} else if (_i == 2) {
		/* a valid text, so that the windows are counted by the kernel */
		for (size_t n = 0; n < BASE; ) {
			static const char *const valid[] = {
				"ab", " ", "\xc2\xa0", "\xe2\x80\xa8", "\xf0\x9f\x98\x80",
				"\xe3\x80\x80", "\xd0\xb6", "\xe2\x80\x8b", "\n",
			};
			const char *s = valid[(n * 7 + n / 5) % ARRAY_LEN(valid)];
			size_t m = strlen(s) < BASE - n ? strlen(s) : BASE - n;

			memcpy(base + n, s, m);
			n += m;
		}
	}
	for (size_t off = 0; off < 64; off++) {
		for (size_t len = 0; off + len <= BASE; len++) {
			/* the copy ends where the allocation does */
			unsigned char *mem = malloc(off + len + 1);

			ck_assert_ptr_nonnull(mem);
			memcpy(mem + off, base + off, len);
			for (int mode = COUNT_UTF8; mode <= COUNT_ASCII; mode++) {
				struct counts want, got;
				char how[64];

				count_use_kernel("scalar");
				count_buffer(base + off, len, (enum count_mode)mode, &want);
				snprintf(how, sizeof(how), "text %d, offset %zu, length %zu",
					 _i, off, len);
				for (size_t k = 0; names[k]; k++) {
					count_use_kernel(names[k]);
					count_buffer(mem + off, len,
						     (enum count_mode)mode, &got);
					assert_kernel(&want, &got, 0, mode, how);
				}
			}
			free(mem);
		}
	}
	count_use_kernel(names[0]);
}
END_TEST

/* The kernel API: names, switching, refusing what this CPU cannot run. */
START_TEST(test_kernel_select)
{
	const char *const *names = count_kernels();
	const char *was = count_kernel();
	size_t n = 0;

	ck_assert_ptr_nonnull(names[0]);
	while (names[n])
		n++;
	ck_assert_str_eq(names[n - 1], "scalar");
	for (size_t k = 0; k < n; k++) {
		ck_assert_int_eq(count_use_kernel(names[k]), 0);
		ck_assert_str_eq(count_kernel(), names[k]);
	}
	ck_assert_int_eq(count_use_kernel("no-such-kernel"), -1);
	ck_assert_str_eq(count_kernel(), names[n - 1]);
	ck_assert_int_eq(count_use_kernel(was), 0);
}
END_TEST

/*
 * The rule tests run once per kernel, each time in a test case whose
 * fixture switches to that kernel before its tests (in the parent process,
 * so that forked tests inherit it).  Fixtures take no argument: one per
 * slot.
 */
#define MAX_KERNELS 4
static const char *slot_kernel[MAX_KERNELS];
static char slot_name[MAX_KERNELS][6][32];

static void use_slot_0(void) { count_use_kernel(slot_kernel[0]); }
static void use_slot_1(void) { count_use_kernel(slot_kernel[1]); }
static void use_slot_2(void) { count_use_kernel(slot_kernel[2]); }
static void use_slot_3(void) { count_use_kernel(slot_kernel[3]); }

static void (*const use_slot[MAX_KERNELS])(void) = {
	use_slot_0, use_slot_1, use_slot_2, use_slot_3,
};

/* A test case named after its kernel ("split/avx2"), in kernel slot k. */
static TCase *kernel_tcase(Suite *s, const char *name, size_t k, int i)
{
	TCase *tc;

	/* Check keeps the pointer to the name */
	snprintf(slot_name[k][i], sizeof(slot_name[k][i]), "%s/%s", name,
		 slot_kernel[k]);
	tc = add_tcase(s, slot_name[k][i], 0);
	tcase_add_unchecked_fixture(tc, use_slot[k], NULL);
	return tc;
}

/* The rules, with the kernel in slot k. */
static void add_rule_tests(Suite *s, size_t k)
{
	TCase *tc;

	tc = kernel_tcase(s, "whitespace", k, 0);
	tcase_add_loop_test(tc, test_space_between_words, 0, ARRAY_LEN(spaces));
	tcase_add_loop_test(tc, test_lookalike_is_word, 0, ARRAY_LEN(lookalikes));

	tc = kernel_tcase(s, "utf8", k, 1);
	tcase_add_loop_test(tc, test_sequence, 0, ARRAY_LEN(seqs));

	tc = kernel_tcase(s, "split", k, 2);
	tcase_add_loop_test(tc, test_split_anywhere, 0, ARRAY_LEN(tricky));
	tcase_add_test(tc, test_split_totals);
	tcase_add_loop_test(tc, test_split_random, 0, 8);
	tcase_add_loop_test(tc, test_range_anywhere, 0, ARRAY_LEN(tricky));
	tcase_add_test(tc, test_range_lookback);
	tcase_add_test(tc, test_range_binary);
	tcase_add_test(tc, test_long_runs);
	tcase_add_test(tc, test_empty);

	tc = kernel_tcase(s, "binary", k, 3);
	tcase_add_test(tc, test_binary_window);
	tcase_add_test(tc, test_binary_split);

	tc = kernel_tcase(s, "ascii", k, 4);
	tcase_add_test(tc, test_ascii_mode);

	tc = kernel_tcase(s, "zeros", k, 5);
	tcase_add_test(tc, test_zeros_contexts);
	tcase_add_test(tc, test_zeros_pieces);
	tcase_add_test(tc, test_zeros_ranges);
	tcase_add_test(tc, test_zeros_huge);
}

/* ------------------------------------------------ utf8_sequence_len ---- */

/*
 * Unicode table 3-7 written out as its rows, independently of count.c's
 * lead table: the reference for utf8_sequence_len().
 */
static size_t table_3_7(const unsigned char *s, size_t avail)
{
	static const struct { unsigned char lead_lo, lead_hi, lo, hi; size_t n; }
	rows[] = {
		{ 0xc2, 0xdf, 0x80, 0xbf, 2 },
		{ 0xe0, 0xe0, 0xa0, 0xbf, 3 },
		{ 0xe1, 0xec, 0x80, 0xbf, 3 },
		{ 0xed, 0xed, 0x80, 0x9f, 3 },
		{ 0xee, 0xef, 0x80, 0xbf, 3 },
		{ 0xf0, 0xf0, 0x90, 0xbf, 4 },
		{ 0xf1, 0xf3, 0x80, 0xbf, 4 },
		{ 0xf4, 0xf4, 0x80, 0x8f, 4 },
	};

	if (!avail)
		return 0;
	if (s[0] < 0x80)
		return 1;
	for (size_t r = 0; r < ARRAY_LEN(rows); r++) {
		if (s[0] < rows[r].lead_lo || s[0] > rows[r].lead_hi)
			continue;
		if (avail < rows[r].n || s[1] < rows[r].lo || s[1] > rows[r].hi)
			return 0;
		for (size_t i = 2; i < rows[r].n; i++)
			if (s[i] < 0x80 || s[i] > 0xbf)
				return 0;
		return rows[r].n;
	}
	return 0;
}

/*
 * Every lead byte with every second byte, and the bytes after them from
 * the edges of each range, at every available length.
 */
START_TEST(test_utf8_sequence_len)
{
	static const unsigned char tails[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f,
					       0x90, 0x9f, 0xa0, 0xbf, 0xc0,
					       0xf4, 0xff };
	unsigned char b[4];

	for (unsigned b0 = 0; b0 < 256; b0++)
		for (unsigned b1 = 0; b1 < 256; b1++)
			for (size_t t2 = 0; t2 < ARRAY_LEN(tails); t2++)
				for (size_t t3 = 0; t3 < ARRAY_LEN(tails); t3++) {
					b[0] = (unsigned char)b0;
					b[1] = (unsigned char)b1;
					b[2] = tails[t2];
					b[3] = tails[t3];
					for (size_t n = 0; n <= 4; n++)
						if (utf8_sequence_len(b, n) != table_3_7(b, n))
							ck_abort_msg("%02x %02x %02x %02x avail %zu",
								     b[0], b[1], b[2], b[3], n);
				}
}
END_TEST

static Suite *count_suite(void)
{
	const char *const *names = count_kernels();
	Suite *s = suite_create("count");
	TCase *tc;

	for (size_t k = 0; names[k]; k++) {
		if (k == MAX_KERNELS) {
			fprintf(stderr, "test_count: more kernels than slots\n");
			exit(1);
		}
		slot_kernel[k] = names[k];
		add_rule_tests(s, k);
	}

	/* every kernel against the scalar one: these switch kernels themselves */
	tc = add_tcase(s, "kernels", 0);
	tcase_add_unchecked_fixture(tc, use_slot[0], NULL);
	tcase_add_test(tc, test_kernel_select);
	tcase_add_loop_test(tc, test_kernels_random, 0, 64);
	tcase_add_loop_test(tc, test_kernels_offsets, 0, 3);

	tc = add_tcase(s, "utf8", 0);
	tcase_add_test(tc, test_utf8_sequence_len);
	return s;
}

int main(void)
{
	return run_suite(count_suite());
}
