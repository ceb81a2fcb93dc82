/*
 * count.c - the counting kernel.  Every byte of every indexed file goes
 * through count_feed(), so this is the hot loop of the program.
 *
 * There are several kernels, all counting exactly the same; the best one
 * the CPU runs is chosen once at start-up (WCINDEX_KERNEL can override it,
 * for tests and benchmarks) and called through one pointer:
 *
 *   scalar  the portable C11 code in this file, the reference, and the only
 *           kernel on machines other than x86-64;
 *   sse2    vector loops over 64-byte windows (count_simd.c), for every
 *           x86-64 CPU;
 *   avx2    the same with 32-byte registers and table lookups, for CPUs
 *           with AVX2, popcnt, BMI1 and BMI2.
 *
 * The vector kernels count whole 64-byte windows that start with nothing
 * pending from an earlier feed; the scalar code below counts the bytes
 * around a split between feeds and the tail of each feed.
 *
 * In the scalar kernel, runs of ASCII are counted eight bytes at a time
 * with word-at-a-time ("SWAR") arithmetic on a uint64_t: one mask marks
 * the whitespace bytes, another the newlines, and word starts are the
 * non-space bytes whose predecessor is a space.  Everything else goes
 * through a scalar UTF-8 decoder that follows the Unicode table 3-7 byte
 * for byte, so that the results match python3's surrogateescape decoding
 * exactly (see count.h): a table-driven loop for valid text, and a careful
 * one-step decoder for invalid bytes, the ends of buffers and sequences
 * split between feeds.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "count.h"
#include "count_impl.h"
#include "util.h"

/*
 * What the decoder needs to know about each byte as the first of a
 * character: the length of the sequence it starts (0 if it starts none),
 * the range its second byte must be in by table 3-7, and what kind of space
 * it is.  One table lookup gives all of it, which keeps the character loop
 * free of branches on the byte's value: those are what make text that mixes
 * scripts slow.
 */
struct lead {
	unsigned char len;
	unsigned char lo, span;	/* lo <= second byte <= lo + span */
	unsigned char type;
};

#define T_SPACE		0x1	/* python's str.isspace(), for ASCII */
#define T_SPACE_ASCII	0x2	/* python's bytes.isspace(): 09-0D, 20 */
#define T_NEWLINE	0x4
#define T_MAYBE_SPACE	0x8	/* C2, E1-E3: the sequence may be a space */

#define A	{ 1, 0x00, 0xff, 0 }	/* any second byte: it is not ours */
#define S	{ 1, 0x00, 0xff, T_SPACE | T_SPACE_ASCII }
#define N	{ 1, 0x00, 0xff, T_SPACE | T_SPACE_ASCII | T_NEWLINE }
#define U	{ 1, 0x00, 0xff, T_SPACE }	/* 1C-1F, the separators */
#define X	{ 0, 0x00, 0x00, 0 }
#define C2	{ 2, 0x80, 0x3f, T_MAYBE_SPACE }
#define L2	{ 2, 0x80, 0x3f, 0 }
#define E0	{ 3, 0xa0, 0x1f, 0 }		/* no overlongs */
#define E1	{ 3, 0x80, 0x3f, T_MAYBE_SPACE }
#define L3	{ 3, 0x80, 0x3f, 0 }
#define ED	{ 3, 0x80, 0x1f, 0 }		/* no surrogates */
#define F0	{ 4, 0x90, 0x2f, 0 }		/* no overlongs */
#define L4	{ 4, 0x80, 0x3f, 0 }
#define F4	{ 4, 0x80, 0x0f, 0 }		/* nothing above U+10FFFF */

static const struct lead lead[256] = {
	/* 0_ */ A, A, A, A, A, A, A, A, A, S, N, S, S, S, A, A,
	/* 1_ */ A, A, A, A, A, A, A, A, A, A, A, A, U, U, U, U,
	/* 2_ */ S, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A,
	/* 3_ */ A, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A,
	/* 4_ */ A, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A,
	/* 5_ */ A, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A,
	/* 6_ */ A, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A,
	/* 7_ */ A, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A,
	/* 8_ */ X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	/* 9_ */ X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	/* A_ */ X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	/* B_ */ X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	/* C_ */ X, X, C2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2,
	/* D_ */ L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2,
	/* E_ */ E0, E1, E1, E1, L3, L3, L3, L3, L3, L3, L3, L3, L3, ED, L3, L3,
	/* F_ */ F0, L4, L4, L4, F4, X, X, X, X, X, X, X, X, X, X, X,
};

#undef A
#undef S
#undef N
#undef U
#undef X
#undef C2
#undef L2
#undef E0
#undef E1
#undef L3
#undef ED
#undef F0
#undef L4
#undef F4

/*
 * The length of the sequence a lead byte starts, by its high nibble (a
 * continuation byte says 0).  The character loop uses this rather than
 * lead[].len because the length is on its loop-carried path, and a shift
 * is a few cycles quicker than a second load.
 */
#define NIBBLE_LEN UINT64_C(0x4322000011111111)

/* The third and fourth bytes of a sequence of each length, as loaded below. */
static const uint16_t cont_mask[5] = { 0, 0, 0, 0x00c0, 0xc0c0 };
static const uint16_t cont_want[5] = { 0, 0, 0, 0x0080, 0x8080 };

#define ONES	UINT64_C(0x0101010101010101)
#define HIGHS	UINT64_C(0x8080808080808080)
#define LOW7	UINT64_C(0x7f7f7f7f7f7f7f7f)

/*
 * Byte i of the result is p[i] whatever the host's byte order, so that the
 * "previous byte" of lane i is always lane i - 1.  Compilers turn this into
 * a single load on little-endian machines.
 */
static inline uint64_t load64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 |
		(uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
		(uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
		(uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

/*
 * The high bit of each lane of x (whose lanes must all be below 0x80) is set
 * iff lo <= lane <= hi.  Neither addition can carry into the next lane.
 */
static inline uint64_t lanes_between(uint64_t x, unsigned lo, unsigned hi)
{
	uint64_t ge_lo = x + ONES * (0x80 - lo);
	uint64_t gt_hi = x + ONES * (0x7f - hi);

	return ge_lo & ~gt_hi & HIGHS;
}

/* The same for lane == c (c < 0x80), one operation cheaper. */
static inline uint64_t lanes_eq(uint64_t x, unsigned c)
{
	return ~((x ^ ONES * c) + LOW7) & HIGHS;
}

/* Sum the lanes of an accumulator whose lanes are at most 255 each. */
static inline uint64_t lanes_sum(uint64_t acc)
{
	uint64_t pairs = (acc & UINT64_C(0x00ff00ff00ff00ff)) +
			 (acc >> 8 & UINT64_C(0x00ff00ff00ff00ff));

	return (pairs * UINT64_C(0x0001000100010001)) >> 48;
}

/*
 * The 8-byte loops add one per lane per block into lane accumulators, so
 * they must be summed before 256 blocks wrap a lane.
 */
#define MAX_BLOCKS 255

/* One character that is whitespace (space != 0) or not. */
static inline void run_char(struct count_run *r, unsigned space)
{
	r->words += r->prev_space & !space;
	r->prev_space = space != 0;
	r->chars++;
}

/* n >= 1 bytes that are not part of a valid sequence: word characters. */
static inline void run_invalid(struct count_run *r, unsigned n)
{
	r->words += r->prev_space;
	r->prev_space = 0;
	r->chars += n;
	r->invalid = 1;
}

/*
 * Is the valid sequence of len bytes at p, whose lead byte has
 * T_MAYBE_SPACE, one of the whitespace code points U+0085, U+00A0, U+1680,
 * U+2000-200A, U+2028, U+2029, U+202F, U+205F or U+3000?
 */
static inline unsigned seq_space(const unsigned char *p, unsigned len)
{
	unsigned cp;

	if (len == 2)
		return p[1] == 0x85 || p[1] == 0xa0;
	cp = (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);
	return cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
		cp == 0x2028 || cp == 0x2029 || cp == 0x202f ||
		cp == 0x205f || cp == 0x3000;
}

/*
 * Classify the bytes at p (n >= 1 available, p[0] >= 0x80) by table 3-7.
 * Returns the length (2-4) of the valid sequence starting there and sets
 * *space; 0 if p[0] starts no valid sequence (it is one invalid byte, and
 * the caller retries at p + 1); or -n if all n bytes are a valid prefix of a
 * sequence that the end of the buffer cut short.
 *
 * Retrying at p + 1 is python's "maximal subpart" rule in disguise: the
 * bytes after a broken prefix are continuation bytes, which never start a
 * sequence, and surrogateescape turns each invalid byte into one character
 * however the bytes are grouped.
 */
static int utf8_seq(const unsigned char *p, size_t n, unsigned *space)
{
	const struct lead *l = &lead[p[0]];
	int need = l->len;

	if (!need)
		return 0;	/* continuation byte, C0, C1 or F5-FF */
	if (n < 2)
		return -1;
	if ((unsigned)(p[1] - l->lo) > l->span)
		return 0;
	for (int i = 2; i < need; i++) {
		if (n <= (size_t)i)
			return -i;
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	}
	*space = (l->type & T_MAYBE_SPACE) && seq_space(p, (unsigned)need);
	return need;
}

size_t utf8_sequence_len(const unsigned char *s, size_t avail)
{
	unsigned space;
	int n;

	if (!avail)
		return 0;
	if (s[0] < 0x80)
		return 1;
	n = utf8_seq(s, avail, &space);
	return n > 0 ? (size_t)n : 0;
}

/*
 * Count the 8-byte blocks at p, in UTF-8 mode (utf8, a constant) or ASCII
 * mode.  Whitespace below 0x80 is 09-0D and 1C-20 for python's str, 09-0D
 * and 20 for bytes.split().  In ASCII mode bytes >= 0x80 are word bytes; in
 * UTF-8 mode the blocks stop at one that has such a byte, and the bytes
 * counted are counted as chars too (ASCII mode counts no chars: they are
 * the bytes, which count_finish() copies).  Returns where it stopped: at
 * that block, or with fewer than 8 bytes left.
 */
static inline const unsigned char *ascii_blocks(struct count_run *r,
						const unsigned char *p,
						const unsigned char *end,
						int utf8)
{
	const unsigned char *start = p;
	uint64_t prev = r->prev_space;

	while (end - p >= 8) {
		size_t nblk = (size_t)(end - p) / 8;
		const unsigned char *stop;
		uint64_t acc_words = 0, acc_lines = 0;

		if (nblk > MAX_BLOCKS)
			nblk = MAX_BLOCKS;
		stop = p + nblk * 8;
		for (; p < stop; p += 8) {
			uint64_t w = load64(p);
			/* the tests need lanes below 0x80: mask, then drop */
			uint64_t x = w & LOW7, ascii = ~w & HIGHS;
			uint64_t space;

			if (utf8) {
				if (w & HIGHS)
					break;
				x = w;
				ascii = HIGHS;
			}
			space = (lanes_between(x, 0x09, 0x0d) |
				 (utf8 ? lanes_between(x, 0x1c, 0x20) :
					 lanes_eq(x, 0x20))) & ascii;
			acc_words += (~space & (space << 8 | prev << 7) &
				      HIGHS) >> 7;
			acc_lines += (lanes_eq(x, 0x0a) & ascii) >> 7;
			prev = space >> 63;
		}
		r->words += lanes_sum(acc_words);
		r->lines += lanes_sum(acc_lines);
		if (p < stop)
			break;
	}
	r->prev_space = prev;
	if (utf8)
		r->chars += (uint64_t)(p - start);
	return p;
}

/* Count [p, end) in ASCII mode. */
static void feed_ascii(struct count_run *r, const unsigned char *p,
		       const unsigned char *end)
{
	for (p = ascii_blocks(r, p, end, 0); p < end; p++) {
		unsigned t = lead[*p].type;
		unsigned space = (t & T_SPACE_ASCII) != 0;

		r->words += r->prev_space & !space;
		r->prev_space = space;
		r->lines += (t & T_NEWLINE) != 0;
	}
}

/*
 * Count characters one at a time from p, which must have at least four
 * bytes after it before end (so no sequence can run off the buffer).
 * Valid text goes through without a branch on the bytes' values.  Returns
 * where it stopped: before the first byte that needs utf8_seq(), with fewer
 * than four bytes left, or where eight bytes of ASCII follow and the blocks
 * can take over again.
 */
static const unsigned char *utf8_chars(struct count_run *r,
				       const unsigned char *p,
				       const unsigned char *end)
{
	uint64_t words = r->words, lines = r->lines, chars = r->chars;
	uint64_t prev_space = r->prev_space;

	while (end - p >= 4) {
		unsigned b0 = p[0];
		unsigned len = (unsigned)(NIBBLE_LEN >> (b0 >> 4 << 2)) & 0xf;
		const struct lead *l = &lead[b0];
		unsigned type = l->type, space;
		unsigned c34 = p[2] | (unsigned)p[3] << 8;

		/* one branch, which valid text never takes */
		if ((l->len == 0) |
		    ((unsigned)(p[1] - l->lo) > l->span) |
		    ((c34 & cont_mask[len]) != cont_want[len]))
			break;
		space = type & T_SPACE;
		if (type & T_MAYBE_SPACE)
			space = seq_space(p, len);
		lines += (type & T_NEWLINE) != 0;
		words += prev_space & !space;
		prev_space = space != 0;
		chars++;
		p += len;
		if (end - p >= 8 && !(load64(p) & HIGHS))
			break;
	}
	r->words = words;
	r->lines = lines;
	r->chars = chars;
	r->prev_space = prev_space;
	return p;
}

/*
 * One character, or one invalid byte, at p, decoded the careful way.
 * Returns the number of bytes used, or 0 if [p, end) is the start of a
 * sequence that the end of the buffer cut short.
 */
static size_t utf8_step(struct count_run *r, const unsigned char *p,
			const unsigned char *end)
{
	unsigned space;
	int len;

	if (*p < 0x80) {
		unsigned t = lead[*p].type;

		run_char(r, t & T_SPACE);
		r->lines += (t & T_NEWLINE) != 0;
		return 1;
	}
	len = utf8_seq(p, (size_t)(end - p), &space);
	if (len > 0) {
		run_char(r, space);
		return (size_t)len;
	}
	if (len < 0)
		return 0;
	run_invalid(r, 1);
	return 1;
}

/*
 * Count [p, end) in UTF-8 mode.  Returns the number of bytes at the end
 * that are a valid but incomplete sequence; the caller carries them over.
 */
static size_t feed_utf8(struct count_run *r, const unsigned char *p,
			const unsigned char *end)
{
	while (p < end) {
		const unsigned char *q;
		size_t n;

		p = ascii_blocks(r, p, end, 1);
		if (p == end)
			break;
		q = utf8_chars(r, p, end);
		if (q != p) {
			p = q;
			continue;
		}
		n = utf8_step(r, p, end);
		if (!n)
			return (size_t)(end - p);
		p += n;
	}
	return 0;
}

/* ---------------------------------------------------------- kernels ---- */

/*
 * A kernel is a pair of vector loops that count the easy windows of a feed
 * (count_impl.h); the scalar one has none and does everything above.
 */
struct kernel {
	const char *name;
	const unsigned char *(*utf8)(struct count_run *r,
				     const unsigned char *p,
				     const unsigned char *end);
	const unsigned char *(*ascii)(struct count_run *r,
				      const unsigned char *p,
				      const unsigned char *end);
};

static const struct kernel kernels[] = {	/* best first */
#ifdef COUNT_X86_KERNELS
	{ "avx2", count_utf8_avx2, count_ascii_avx2 },
	{ "sse2", count_utf8_sse2, count_ascii_sse2 },
#endif
	{ "scalar", NULL, NULL },
};

#define NKERNELS ARRAY_SIZE(kernels)

/* The names of the kernels this CPU can run, NULL-terminated. */
static const char *usable[NKERNELS + 1] = { "scalar" };

/*
 * The kernel in use.  Set once before main() and read by every feed: one
 * pointer, so that choosing costs nothing per byte.  Until then (other
 * constructors) the scalar kernel is as right as any.
 */
static const struct kernel *kernel = &kernels[NKERNELS - 1];

static int kernel_usable(const struct kernel *k)
{
#ifdef COUNT_X86_KERNELS
	if (!strcmp(k->name, "avx2"))
		return count_avx2_usable();
#endif
	(void)k;
	return 1;	/* sse2 is x86-64's baseline, scalar runs anywhere */
}

/*
 * Pick the best kernel the CPU runs, or the one WCINDEX_KERNEL names (a
 * knob for tests and benchmarks).  A constructor, because the choice must
 * be made once, before any thread could be counting.
 */
__attribute__((constructor)) static void kernel_choose(void)
{
	const char *want = getenv("WCINDEX_KERNEL");
	size_t n = 0;

#ifdef COUNT_X86_KERNELS
	/* __builtin_cpu_supports() may run before libgcc has set itself up */
	__builtin_cpu_init();
#endif
	for (size_t i = 0; i < NKERNELS; i++)
		if (kernel_usable(&kernels[i]))
			usable[n++] = kernels[i].name;
	usable[n] = NULL;
	count_use_kernel(usable[0]);
	if (want && *want && count_use_kernel(want) < 0)
		warning("WCINDEX_KERNEL: no kernel '%s' on this machine, "
			"using '%s'", want, kernel->name);
}

const char *const *count_kernels(void)
{
	return usable;
}

const char *count_kernel(void)
{
	return kernel->name;
}

int count_use_kernel(const char *name)
{
	for (size_t i = 0; usable[i]; i++) {
		if (!strcmp(usable[i], name)) {
			for (size_t k = 0; k < NKERNELS; k++)
				if (!strcmp(kernels[k].name, name))
					kernel = &kernels[k];
			return 0;
		}
	}
	return -1;
}

/* ----------------------------------------------------------- streams ---- */

void count_init(struct count_state *st, enum count_mode mode)
{
	memset(st, 0, sizeof(*st));
	st->mode = mode;
}

/* The working counters of a feed, from the state and back. */
static void run_load(struct count_run *r, const struct count_state *st)
{
	r->lines = st->c.lines;
	r->words = st->c.words;
	r->chars = st->c.chars;
	r->prev_space = !st->in_word;
	r->invalid = 0;
}

static void run_store(struct count_state *st, const struct count_run *r)
{
	st->c.lines = r->lines;
	st->c.words = r->words;
	st->c.chars = r->chars;
	st->in_word = !r->prev_space;
	if (r->invalid)
		st->c.flags |= COUNT_F_INVALID_UTF8;
}

/* The pending bytes turned out to be invalid: one character each. */
static void settle_pending(struct count_state *st, struct count_run *r)
{
	if (!st->pend_len)
		return;
	run_invalid(r, st->pend_len);
	st->pend_len = 0;
}

/*
 * Extend the carried-over prefix with bytes from [*pp, end) until it is
 * either a complete character or known to be invalid.  Bytes that end up
 * belonging to no sequence are left at *pp for the main loop.
 */
static void resume_pending(struct count_state *st, struct count_run *r,
			   const unsigned char **pp, const unsigned char *end)
{
	const unsigned char *p = *pp;

	while (st->pend_len && p < end) {
		unsigned space;
		int len;

		st->pend[st->pend_len] = *p;
		len = utf8_seq(st->pend, st->pend_len + 1, &space);
		if (len > 0) {
			run_char(r, space);
			st->pend_len = 0;
			p++;
		} else if (len == 0) {
			/*
			 * The new byte broke the sequence and is not ours to
			 * consume.  The lead byte is invalid, and the bytes
			 * after it are continuation bytes, which never start
			 * a sequence: each is one invalid character too.
			 */
			settle_pending(st, r);
		} else {
			st->pend_len++;
			p++;
		}
	}
	*pp = p;
}

void count_feed(struct count_state *st, const void *buf, size_t len)
{
	const unsigned char *p = buf, *end = p + len;
	struct count_run r;

	if (!len)
		return;

	if (st->offset + st->c.bytes < COUNT_BINARY_WINDOW &&
	    !(st->c.flags & COUNT_F_BINARY)) {
		size_t win = COUNT_BINARY_WINDOW - (st->offset + st->c.bytes);

		if (memchr(p, 0, len < win ? len : win))
			st->c.flags |= COUNT_F_BINARY;
	}
	st->c.bytes += len;

	run_load(&r, st);
	if (st->mode == COUNT_ASCII) {
		if (kernel->ascii)
			p = kernel->ascii(&r, p, end);
		feed_ascii(&r, p, end);
	} else {
		size_t left;

		resume_pending(st, &r, &p, end);
		/* nothing is pending unless p == end */
		if (kernel->utf8)
			p = kernel->utf8(&r, p, end);
		left = feed_utf8(&r, p, end);
		/*
		 * left is at most 3, and nonzero only if the carried-over
		 * prefix was settled above (otherwise p == end).
		 */
		if (left) {
			memcpy(st->pend, end - left, left);
			st->pend_len = (unsigned)left;
		}
	}

	run_store(st, &r);
}

/*
 * A NUL is one character (a valid UTF-8 sequence of its own, so one that
 * cuts a pending sequence short settles it), not whitespace in either mode
 * and no newline: a run of them is part of one word, started unless one is
 * already open.  That is all count_feed() would find, byte by byte.
 */
void count_feed_zeros(struct count_state *st, uint64_t n)
{
	struct count_run r;

	if (!n)
		return;
	if (st->offset + st->c.bytes < COUNT_BINARY_WINDOW)
		st->c.flags |= COUNT_F_BINARY;
	st->c.bytes += n;

	run_load(&r, st);
	if (st->mode == COUNT_UTF8) {
		settle_pending(st, &r);
		r.chars += n;
	}
	r.words += r.prev_space;
	r.prev_space = 0;
	run_store(st, &r);
}

void count_finish(struct count_state *st, struct counts *out)
{
	struct count_run r;

	run_load(&r, st);
	settle_pending(st, &r);
	run_store(st, &r);
	count_finish_range(st, out);
}

void count_init_range(struct count_state *st, enum count_mode mode,
		      uint64_t offset, const void *before, size_t n)
{
	count_init(st, mode);
	st->offset = offset - n;
	count_feed(st, before, n);
	/*
	 * Only the carried state (in_word, pend) is wanted: the bytes before
	 * the range and whatever they flagged belong to the range before.
	 */
	memset(&st->c, 0, sizeof(st->c));
	st->offset = offset;
}

void count_finish_range(struct count_state *st, struct counts *out)
{
	if (st->mode == COUNT_ASCII)
		st->c.chars = st->c.bytes;
	*out = st->c;
}

void count_buffer(const void *buf, size_t len, enum count_mode mode,
		  struct counts *out)
{
	struct count_state st;

	count_init(&st, mode);
	count_feed(&st, buf, len);
	count_finish(&st, out);
}
