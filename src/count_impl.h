/*
 * count_impl.h - what count.c shares with the vector kernels in
 * count_simd.c, and nothing else may use: the working counters of one
 * count_feed() and the entry points of the kernels.
 *
 * A vector kernel only ever sees the easy part of the stream: whole windows
 * of COUNT_WINDOW bytes, with a few bytes after them to look at, that start
 * at a character boundary with nothing pending from an earlier feed.
 * count.c's scalar decoder, the reference, counts the rest: the bytes
 * around a split between feeds and the tail of each feed.
 */
#ifndef WCINDEX_COUNT_IMPL_H
#define WCINDEX_COUNT_IMPL_H

#include <stdint.h>

/*
 * Working copy of the counters for one count_feed(), which the loops keep
 * in registers rather than going through the state for every byte.
 */
struct count_run {
	uint64_t lines, words, chars;
	uint64_t prev_space;	/* 1 if the last character was whitespace */
	unsigned invalid;	/* some byte was not valid UTF-8 */
};

/* The bytes a vector kernel looks at in one step. */
#define COUNT_WINDOW 64

/*
 * The bytes the UTF-8 kernels need in front of them to count one window:
 * they look up to three bytes past its end, at the rest of a sequence,
 * never further, so that no load reads past the buffer.
 */
#define COUNT_WINDOW_UTF8 (COUNT_WINDOW + 3)

/* -DCOUNT_NO_SIMD builds what other CPUs get, to test it on x86-64 */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && \
	!defined(COUNT_NO_SIMD)
#define COUNT_X86_KERNELS 1

/*
 * Whether the CPU (and the OS, which must save the wide registers) can run
 * the AVX2 kernel, which also uses popcnt, bmi and bmi2.  Only meaningful
 * after __builtin_cpu_init().
 */
int count_avx2_usable(void);

/*
 * UTF-8 mode: count the windows from p, which must be a character boundary
 * with nothing pending, while at least COUNT_WINDOW_UTF8 bytes are left
 * before end.  Returns where it stopped: the first character boundary of
 * the window that did not fit (it may start with up to three bytes of a
 * sequence counted with the window before), fewer than COUNT_WINDOW_UTF8
 * bytes before end.
 */
const unsigned char *count_utf8_sse2(struct count_run *r,
				     const unsigned char *p,
				     const unsigned char *end);
const unsigned char *count_utf8_avx2(struct count_run *r,
				     const unsigned char *p,
				     const unsigned char *end);

/*
 * ASCII mode: count every whole window from p (bytes >= 0x80 are word
 * bytes; chars are not counted, they are the bytes).  Returns where it
 * stopped, with fewer than COUNT_WINDOW bytes left.
 */
const unsigned char *count_ascii_sse2(struct count_run *r,
				      const unsigned char *p,
				      const unsigned char *end);
const unsigned char *count_ascii_avx2(struct count_run *r,
				      const unsigned char *p,
				      const unsigned char *end);
#endif

#endif
