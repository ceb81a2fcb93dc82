/*
 * count_simd.c - the vector kernels of the counter for x86-64: "sse2", which
 * every x86-64 CPU runs, and "avx2", compiled for AVX2 through function
 * attributes and chosen at run time by count.c, so that one binary runs
 * everywhere and no file needs special compiler flags.
 *
 * Both work on windows of 64 bytes and turn each into 64-bit masks, one bit
 * per byte: which bytes are ASCII whitespace, newlines, continuation bytes,
 * lead bytes of each length, lead bytes of whitespace sequences, and lead
 * bytes that table 3-7 rules out whatever follows (C0, C1, F5-FF) or
 * because of the byte that does (E0, ED, F0, F4).  The counting itself is
 * plain integer arithmetic on those masks, shared by both kernels
 * (window_*()): characters are the bytes that are not continuation bytes
 * of a valid sequence, words are the character starts that are not
 * whitespace and follow whitespace, lines are the newlines.
 *
 * Valid text takes the short way, window_utf8(): the window is valid iff
 * no lead byte is ruled out and the continuation bytes are exactly those
 * the lead bytes call for.  A window that is not is counted by
 * window_any(), which finds the valid sequences one by one the way the
 * scalar decoder does and counts every other byte as a character of its
 * own (python's surrogateescape).  A sequence whose lead byte is among the
 * last three of a window is checked to its end, past the window, and
 * counted with it; the next window is told which of its first bytes are
 * that sequence's.  So windows always move on by 64 bytes whatever the
 * text, and the loads of the next one need not wait for this one's masks.
 * The tail of a feed and the bytes pending from an earlier one are left to
 * count.c's scalar decoder, the reference the tests hold these kernels to.
 *
 * There is no AVX-512 kernel: the machines this was written and measured on
 * have none.
 */
#include "config.h"

#include "count_impl.h"

#ifdef COUNT_X86_KERNELS

#include <stdint.h>
#include <immintrin.h>

#define INLINE static inline __attribute__((always_inline))
#define AVX2_TARGET __attribute__((target("avx2,popcnt,bmi,bmi2")))

/* The masks of one window, bit i for byte i. */
struct win {
	uint64_t hi;	/* 80-FF */
	uint64_t b6;	/* bit 6 of the byte: among 80-FF, the lead bytes */
	uint64_t b5;	/* bit 5: among the lead bytes, E0-FF */
	uint64_t b4;	/* bit 4: among E0-FF, F0-FF */
	uint64_t sp;	/* ASCII whitespace, and the lead bytes of whitespace
			 * sequences (not checked for validity) */
	uint64_t nl;
};

/* Counters of one kernel call, kept in registers. */
struct acc {
	uint64_t lines, words, chars;
	uint64_t sp_last;	/* 1 if the byte before the window belongs to
				 * a whitespace character */
	uint64_t owed;		/* the first bytes of the window (bits 0-2)
				 * that end a sequence counted with the last */
	uint64_t sp_owed;	/* the same, if that sequence is whitespace */
	uint64_t invalid;	/* nonzero once a byte was not valid UTF-8 */
};

/*
 * Population count without the popcnt instruction, which the baseline
 * x86-64 does not have (the compiler would call libgcc for it).
 */
INLINE uint64_t pop_swar(uint64_t x)
{
	x -= (x >> 1) & UINT64_C(0x5555555555555555);
	x = (x & UINT64_C(0x3333333333333333)) +
	    ((x >> 2) & UINT64_C(0x3333333333333333));
	x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
	return (x * UINT64_C(0x0101010101010101)) >> 56;
}

/* hw is a constant: the AVX2 kernel gets the instruction, SSE2 the SWAR. */
#define POP(hw, x) ((hw) ? (uint64_t)__builtin_popcountll(x) : pop_swar(x))

/* Which of the three bytes at p are continuation bytes (bits 0-2). */
INLINE uint64_t cont3(const unsigned char *p)
{
	return (uint64_t)((p[0] & 0xc0) == 0x80) |
		(uint64_t)((p[1] & 0xc0) == 0x80) << 1 |
		(uint64_t)((p[2] & 0xc0) == 0x80) << 2;
}

/*
 * Count one window that is not all ASCII, given its masks, bad != 0 if
 * some check on its bytes failed, and next, which of the three bytes after
 * it are continuation bytes (cont3()).  Returns 1, or 0 if the window is
 * not valid UTF-8 and nothing was counted.
 */
INLINE int window_utf8(const struct win *w, int bad, uint64_t next,
		       struct acc *a, int hw)
{
	uint64_t cont = w->hi & ~w->b6, lead = w->hi & w->b6;
	uint64_t ge_e0 = lead & w->b5, ge_f0 = ge_e0 & w->b4;
	/*
	 * The sequences cannot overlap if the continuation bytes are exactly
	 * the ones they call for: a lead byte inside another sequence would
	 * be where a continuation byte is wanted.
	 */
	uint64_t want = lead << 1 | ge_e0 << 2 | ge_f0 << 3 | a->owed;
	uint64_t owed = lead >> 63 | ge_e0 >> 62 | ge_f0 >> 61;
	uint64_t start, sp, sp_all;

	if (bad | (want != cont) | ((owed & next) != owed))
		return 0;

	start = ~cont;
	sp = w->sp;
	/* every byte of a whitespace character, so that <<1 finds its end */
	sp_all = sp | (sp & lead) << 1 | (sp & ge_e0) << 2 | a->sp_owed;
	a->words += POP(hw, start & ~sp_all & (sp_all << 1 | a->sp_last));
	a->lines += POP(hw, w->nl);
	a->chars += POP(hw, start);
	a->sp_last = sp_all >> 63;
	a->owed = owed;
	a->sp_owed = (sp & lead) >> 63 | (sp & ge_e0) >> 62;
	return 1;
}

/*
 * Count a window that window_utf8() refused, given the lanes that bad
 * flagged, the way the scalar decoder would: a byte that is not part of a
 * valid sequence is one character of its own.  A valid sequence is a lead
 * byte that is not flagged, followed by the continuation bytes it calls
 * for; each is found on its own, since valid sequences cannot overlap (a
 * lead byte is not a continuation byte).  Those past the window are
 * checked in next, as in window_utf8().
 */
INLINE void window_any(const struct win *w, uint64_t bad, uint64_t next,
		       struct acc *a, int hw)
{
	uint64_t cont = w->hi & ~w->b6, lead = w->hi & w->b6 & ~bad;
	uint64_t ge_e0 = lead & w->b5, ge_f0 = ge_e0 & w->b4;
	/* bit i: byte i + k is a continuation byte */
	uint64_t c1 = cont >> 1 | next << 63;
	uint64_t c2 = cont >> 2 | next << 62;
	uint64_t c3 = cont >> 3 | next << 61;
	/* the lead bytes of valid sequences of at least 4, 3 and 2 bytes */
	uint64_t v4 = ge_f0 & c1 & c2 & c3;
	uint64_t v3 = (ge_e0 & ~ge_f0 & c1 & c2) | v4;
	uint64_t v2 = (lead & ~ge_e0 & c1) | v3;
	/* the continuation bytes of valid sequences are no characters */
	uint64_t in_seq = v2 << 1 | v3 << 2 | v4 << 3 | a->owed;
	uint64_t start = ~in_seq, sp = w->sp, sp_all;

	a->invalid |= w->hi & ~v2 & ~in_seq;
	/* the lead bytes in sp are those of valid whitespace sequences */
	sp_all = sp | (sp & v2) << 1 | (sp & v3) << 2 | a->sp_owed;
	a->words += POP(hw, start & ~sp_all & (sp_all << 1 | a->sp_last));
	a->lines += POP(hw, w->nl);
	a->chars += POP(hw, start);
	a->sp_last = sp_all >> 63;
	a->owed = v2 >> 63 | v3 >> 62 | v4 >> 61;
	a->sp_owed = (sp & v2) >> 63 | (sp & v3) >> 62;
}

/* Count a window of single-byte characters, given its space and newlines. */
INLINE void window_ascii(uint64_t sp, uint64_t nl, struct acc *a, int hw)
{
	a->words += POP(hw, ~sp & (sp << 1 | a->sp_last));
	a->lines += POP(hw, nl);
	a->sp_last = sp >> 63;
}

INLINE void acc_load(struct acc *a, const struct count_run *r)
{
	a->lines = r->lines;
	a->words = r->words;
	a->chars = r->chars;
	a->sp_last = r->prev_space;
	a->owed = 0;
	a->sp_owed = 0;
	a->invalid = 0;
}

/*
 * Store the counters, and return where the scalar code is to go on: after
 * the first bytes at p that belong to a sequence already counted.
 */
INLINE const unsigned char *acc_store(const struct acc *a,
				      struct count_run *r,
				      const unsigned char *p)
{
	/* owed is 0, 1, 3 or 7 */
	unsigned skip = (unsigned)((a->owed & 1) + (a->owed >> 1 & 1) +
				   (a->owed >> 2));

	r->lines = a->lines;
	r->words = a->words;
	r->chars = a->chars;
	/* if skip > 0, the last byte before p is one of that sequence's too */
	r->prev_space = a->sp_last;
	r->invalid |= a->invalid != 0;
	return p + skip;
}

/* ------------------------------------------------------------ SSE2 ---- */

#define SET8(c) _mm_set1_epi8((char)(c))
#define LOAD(q) _mm_loadu_si128((const __m128i *)(q))

/* Bytes lo <= x <= hi (hi - lo < 127), any byte value: lanes of all ones. */
INLINE __m128i sse2_between(__m128i x, unsigned lo, unsigned hi)
{
	__m128i t = _mm_add_epi8(x, SET8(0x80 - lo));

	return _mm_cmpgt_epi8(SET8(0x80 + hi - lo + 1), t);
}

INLINE uint64_t sse2_mask(__m128i a, __m128i b, __m128i c, __m128i d)
{
	return (uint64_t)(unsigned)_mm_movemask_epi8(a) |
		(uint64_t)(unsigned)_mm_movemask_epi8(b) << 16 |
		(uint64_t)(unsigned)_mm_movemask_epi8(c) << 32 |
		(uint64_t)(unsigned)_mm_movemask_epi8(d) << 48;
}

/*
 * Bit b of every byte of x[0..3]: movemask takes bit 7, and a left shift
 * within 16-bit lanes brings bit b of both bytes there.
 */
#define SSE2_BIT(x, b) sse2_mask(_mm_slli_epi16((x)[0], 7 - (b)), \
				 _mm_slli_epi16((x)[1], 7 - (b)), \
				 _mm_slli_epi16((x)[2], 7 - (b)), \
				 _mm_slli_epi16((x)[3], 7 - (b)))

/* python's whitespace below 0x80: 09-0D and 1C-20. */
INLINE __m128i sse2_space_utf8(__m128i x)
{
	return _mm_or_si128(sse2_between(x, 0x09, 0x0d),
			    sse2_between(x, 0x1c, 0x20));
}

/* bytes.split()'s whitespace: 09-0D and 20. */
INLINE __m128i sse2_space_ascii(__m128i x)
{
	return _mm_or_si128(sse2_between(x, 0x09, 0x0d),
			    _mm_cmpeq_epi8(x, SET8(0x20)));
}

#define EQ(x, c) _mm_cmpeq_epi8((x), SET8(c))
/* signed byte compares: among 80-FF they order like the unsigned values */
#define LT(x, c) _mm_cmpgt_epi8(SET8(c), (x))
#define GT(x, c) _mm_cmpgt_epi8((x), SET8(c))

/*
 * The lanes of x that start one of the whitespace sequences C2 85, C2 A0,
 * E1 9A 80, E2 80 80-8A, E2 80 A8, E2 80 A9, E2 80 AF, E2 81 9F, E3 80 80,
 * given the next byte (n1) and the one after (n2) of each lane.
 */
INLINE __m128i sse2_space_seq(__m128i x, __m128i n1, __m128i n2)
{
	__m128i n1_80 = EQ(n1, 0x80), n2_80 = EQ(n2, 0x80);
	__m128i s2, e1, e2, e2_80, e3;

	s2 = _mm_and_si128(EQ(x, 0xc2), _mm_or_si128(EQ(n1, 0x85),
						      EQ(n1, 0xa0)));
	e1 = _mm_and_si128(_mm_and_si128(EQ(x, 0xe1), EQ(n1, 0x9a)), n2_80);
	e2_80 = _mm_or_si128(_mm_or_si128(LT(n2, 0x8b), EQ(n2, 0xaf)),
			     EQ(_mm_or_si128(n2, SET8(1)), 0xa9));
	e2 = _mm_or_si128(_mm_and_si128(n1_80, e2_80),
			  _mm_and_si128(EQ(n1, 0x81), EQ(n2, 0x9f)));
	e2 = _mm_and_si128(EQ(x, 0xe2), e2);
	e3 = _mm_and_si128(_mm_and_si128(EQ(x, 0xe3), n1_80), n2_80);
	return _mm_or_si128(_mm_or_si128(s2, e1), _mm_or_si128(e2, e3));
}

/*
 * Lanes that are invalid whatever follows (C0, C1, F5-FF), and the lead
 * bytes E0, ED, F0, F4 whose second byte is out of its narrower range.
 * Any other second byte is checked as a continuation byte in the masks.
 */
INLINE __m128i sse2_bad(__m128i x, __m128i n1)
{
	__m128i bad = _mm_or_si128(sse2_between(x, 0xc0, 0xc1),
				   sse2_between(x, 0xf5, 0xff));
	__m128i e0 = _mm_and_si128(EQ(x, 0xe0), LT(n1, 0xa0));
	__m128i ed = _mm_and_si128(EQ(x, 0xed), GT(n1, 0x9f));
	__m128i f0 = _mm_and_si128(EQ(x, 0xf0), LT(n1, 0x90));
	__m128i f4 = _mm_and_si128(EQ(x, 0xf4), GT(n1, 0x8f));

	return _mm_or_si128(_mm_or_si128(bad, e0),
			    _mm_or_si128(_mm_or_si128(ed, f0), f4));
}

#undef EQ
#undef LT
#undef GT

const unsigned char *count_utf8_sse2(struct count_run *r,
				     const unsigned char *p,
				     const unsigned char *end)
{
	struct acc a;

	acc_load(&a, r);
	while (end - p >= COUNT_WINDOW_UTF8) {
		__m128i x[4], n1[4], n2[4], bad[4];
		__m128i sp[4], nl[4], any_bad;
		struct win w;
		uint64_t next;

		for (int k = 0; k < 4; k++) {
			x[k] = LOAD(p + 16 * k);
			sp[k] = sse2_space_utf8(x[k]);
			nl[k] = _mm_cmpeq_epi8(x[k], SET8('\n'));
		}
		w.hi = sse2_mask(x[0], x[1], x[2], x[3]);
		w.sp = sse2_mask(sp[0], sp[1], sp[2], sp[3]);
		w.nl = sse2_mask(nl[0], nl[1], nl[2], nl[3]);
		if (!w.hi) {
			window_ascii(w.sp, w.nl, &a, 0);
			a.chars += COUNT_WINDOW;
			p += COUNT_WINDOW;
			continue;
		}

		for (int k = 0; k < 4; k++) {
			n1[k] = LOAD(p + 16 * k + 1);
			n2[k] = LOAD(p + 16 * k + 2);
			sp[k] = sse2_space_seq(x[k], n1[k], n2[k]);
			bad[k] = sse2_bad(x[k], n1[k]);
		}
		w.sp |= sse2_mask(sp[0], sp[1], sp[2], sp[3]);
		w.b6 = SSE2_BIT(x, 6);
		w.b5 = SSE2_BIT(x, 5);
		w.b4 = SSE2_BIT(x, 4);
		next = cont3(p + COUNT_WINDOW);
		any_bad = _mm_or_si128(_mm_or_si128(bad[0], bad[1]),
				       _mm_or_si128(bad[2], bad[3]));
		if (!window_utf8(&w, _mm_movemask_epi8(any_bad), next, &a, 0))
			window_any(&w, sse2_mask(bad[0], bad[1], bad[2], bad[3]),
				   next, &a, 0);
		p += COUNT_WINDOW;
	}
	return acc_store(&a, r, p);
}

const unsigned char *count_ascii_sse2(struct count_run *r,
				      const unsigned char *p,
				      const unsigned char *end)
{
	struct acc a;

	acc_load(&a, r);
	while (end - p >= COUNT_WINDOW) {
		__m128i sp[4], nl[4];

		for (int k = 0; k < 4; k++) {
			__m128i x = LOAD(p + 16 * k);

			sp[k] = sse2_space_ascii(x);
			nl[k] = _mm_cmpeq_epi8(x, SET8('\n'));
		}
		window_ascii(sse2_mask(sp[0], sp[1], sp[2], sp[3]),
			     sse2_mask(nl[0], nl[1], nl[2], nl[3]), &a, 0);
		p += COUNT_WINDOW;
	}
	return acc_store(&a, r, p);
}

#undef SET8
#undef LOAD
#undef SSE2_BIT

/* ------------------------------------------------------------ AVX2 ---- */

int count_avx2_usable(void)
{
	return __builtin_cpu_supports("avx2") &&
		__builtin_cpu_supports("popcnt") &&
		__builtin_cpu_supports("bmi") &&
		__builtin_cpu_supports("bmi2");
}

#define SET8(c) _mm256_set1_epi8((char)(c))
#define LOAD(q) _mm256_loadu_si256((const __m256i *)(q))
/* bit b of every byte of x0 and x1, as in SSE2_BIT() */
#define AVX2_BIT(x0, x1, b) avx2_mask(_mm256_slli_epi16((x0), 7 - (b)), \
				      _mm256_slli_epi16((x1), 7 - (b)))

/* The same 16 bytes in both lanes, for vpshufb, which looks up per lane. */
#define TABLE(...) _mm256_setr_epi8(__VA_ARGS__, __VA_ARGS__)

INLINE AVX2_TARGET __m256i avx2_between(__m256i x, unsigned lo, unsigned hi)
{
	__m256i t = _mm256_add_epi8(x, SET8(0x80 - lo));

	return _mm256_cmpgt_epi8(SET8(0x80 + hi - lo + 1), t);
}

INLINE AVX2_TARGET uint64_t avx2_mask(__m256i a, __m256i b)
{
	return (uint64_t)(unsigned)_mm256_movemask_epi8(a) |
		(uint64_t)(unsigned)_mm256_movemask_epi8(b) << 32;
}

INLINE AVX2_TARGET __m256i avx2_space_utf8(__m256i x)
{
	return _mm256_or_si256(avx2_between(x, 0x09, 0x0d),
			       avx2_between(x, 0x1c, 0x20));
}

INLINE AVX2_TARGET __m256i avx2_space_ascii(__m256i x)
{
	return _mm256_or_si256(avx2_between(x, 0x09, 0x0d),
			       _mm256_cmpeq_epi8(x, SET8(0x20)));
}

INLINE AVX2_TARGET __m256i avx2_lo_nibble(__m256i x)
{
	return _mm256_and_si256(x, SET8(0x0f));
}

INLINE AVX2_TARGET __m256i avx2_hi_nibble(__m256i x)
{
	return _mm256_and_si256(_mm256_srli_epi16(x, 4), SET8(0x0f));
}

/*
 * Byte classes by nibble, looked up with vpshufb: a lane of the result is
 * nonzero iff every nibble is in the class of some one bit, which is how a
 * set of byte sequences can be matched with a few lookups and ANDs.
 *
 * Invalid lead bytes and second bytes (the bits): C0, C1 followed by
 * anything (01); E0 then 80-9F (02); ED then A0-BF (04); F0 then 80-8F
 * (08); F4 then 90-BF (10); F5-FF followed by anything (20).
 */
#define BAD_X_HI TABLE(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
		       0x01, 0, 0x06, 0x38)
#define BAD_X_LO TABLE(0x0b, 0x01, 0, 0, 0x10, 0x20, 0x20, 0x20, \
		       0x20, 0x20, 0x20, 0x20, 0x20, 0x24, 0x20, 0x20)
#define BAD_N1_HI TABLE(0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, \
			0x2b, 0x33, 0x35, 0x35, 0x21, 0x21, 0x21, 0x21)

/*
 * Whitespace sequences (the bits): C2 85 (01); C2 A0 (02); E1 9A 80 (04);
 * E2 80 80-8A (08); E2 80 A8, A9, AF (10); E2 81 9F (20); E3 80 80 (40).
 */
#define SP_X_HI TABLE(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
		      0x03, 0, 0x7c, 0)
#define SP_X_LO TABLE(0, 0x04, 0x3b, 0x40, 0, 0, 0, 0, \
		      0, 0, 0, 0, 0, 0, 0, 0)
#define SP_N1_HI TABLE(0, 0, 0, 0, 0, 0, 0, 0, \
		       0x79, 0x04, 0x02, 0, 0, 0, 0, 0)
#define SP_N1_LO TABLE(0x5a, 0x20, 0, 0, 0, 0x01, 0, 0, \
		       0, 0, 0x04, 0, 0, 0, 0, 0)
#define SP_N2_HI TABLE(0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, \
		       0x4f, 0x23, 0x13, 0x03, 0x03, 0x03, 0x03, 0x03)
#define SP_N2_LO TABLE(0x4f, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, \
		       0x1b, 0x1b, 0x0b, 0x03, 0x03, 0x03, 0x03, 0x33)

#define LOOKUP(t, i) _mm256_shuffle_epi8((t), (i))
#define AND(a, b) _mm256_and_si256((a), (b))

AVX2_TARGET const unsigned char *count_utf8_avx2(struct count_run *r,
						 const unsigned char *p,
						 const unsigned char *end)
{
	struct acc a;

	acc_load(&a, r);
	while (end - p >= COUNT_WINDOW_UTF8) {
		__m256i x0 = LOAD(p), x1 = LOAD(p + 32);
		__m256i bad[2], any_bad, sp[2], zero = _mm256_setzero_si256();
		struct win w;
		uint64_t next;

		w.nl = avx2_mask(_mm256_cmpeq_epi8(x0, SET8('\n')),
				 _mm256_cmpeq_epi8(x1, SET8('\n')));
		if (!_mm256_movemask_epi8(_mm256_or_si256(x0, x1))) {
			window_ascii(avx2_mask(avx2_space_utf8(x0),
					       avx2_space_utf8(x1)),
				     w.nl, &a, 1);
			a.chars += COUNT_WINDOW;
			p += COUNT_WINDOW;
			continue;
		}

		for (int k = 0; k < 2; k++) {
			__m256i x = k ? x1 : x0;
			__m256i n1 = LOAD(p + 32 * k + 1);
			__m256i n2 = LOAD(p + 32 * k + 2);
			__m256i xh = avx2_hi_nibble(x), xl = avx2_lo_nibble(x);
			__m256i n1h = avx2_hi_nibble(n1), n1l = avx2_lo_nibble(n1);
			__m256i n2h = avx2_hi_nibble(n2), n2l = avx2_lo_nibble(n2);
			__m256i b, s, s1, s2;

			b = AND(LOOKUP(BAD_X_HI, xh), LOOKUP(BAD_X_LO, xl));
			bad[k] = AND(b, LOOKUP(BAD_N1_HI, n1h));
			s = AND(LOOKUP(SP_X_HI, xh), LOOKUP(SP_X_LO, xl));
			s1 = AND(LOOKUP(SP_N1_HI, n1h), LOOKUP(SP_N1_LO, n1l));
			s2 = AND(LOOKUP(SP_N2_HI, n2h), LOOKUP(SP_N2_LO, n2l));
			s = AND(s, AND(s1, s2));
			/* lanes that are neither kind of whitespace */
			sp[k] = _mm256_andnot_si256(avx2_space_utf8(x),
						    _mm256_cmpeq_epi8(s, zero));
		}
		w.hi = avx2_mask(x0, x1);
		w.sp = ~avx2_mask(sp[0], sp[1]);
		w.b6 = AVX2_BIT(x0, x1, 6);
		w.b5 = AVX2_BIT(x0, x1, 5);
		w.b4 = AVX2_BIT(x0, x1, 4);
		next = cont3(p + COUNT_WINDOW);
		any_bad = _mm256_or_si256(bad[0], bad[1]);
		if (!window_utf8(&w, !_mm256_testz_si256(any_bad, any_bad),
				 next, &a, 1))
			window_any(&w, ~avx2_mask(_mm256_cmpeq_epi8(bad[0], zero),
						  _mm256_cmpeq_epi8(bad[1], zero)),
				   next, &a, 1);
		p += COUNT_WINDOW;
	}
	return acc_store(&a, r, p);
}

AVX2_TARGET const unsigned char *count_ascii_avx2(struct count_run *r,
						  const unsigned char *p,
						  const unsigned char *end)
{
	struct acc a;

	acc_load(&a, r);
	while (end - p >= COUNT_WINDOW) {
		__m256i x0 = LOAD(p), x1 = LOAD(p + 32);

		window_ascii(avx2_mask(avx2_space_ascii(x0), avx2_space_ascii(x1)),
			     avx2_mask(_mm256_cmpeq_epi8(x0, SET8('\n')),
				       _mm256_cmpeq_epi8(x1, SET8('\n'))),
			     &a, 1);
		p += COUNT_WINDOW;
	}
	return acc_store(&a, r, p);
}

#else

/* ISO C wants something in every translation unit. */
typedef int count_simd_unused;

#endif
