/*
 * count.h - the counting kernel: bytes, lines, words and characters of a byte
 * stream fed in pieces of any size.
 *
 * UTF-8 mode (the default) reproduces python3's
 *     text = open(f, encoding='utf-8', errors='surrogateescape', newline='').read()
 *     len(text), len(text.split()), text.count('\n')
 * exactly: a word is a maximal run of characters that are not whitespace in
 * the sense of str.isspace() (29 code points), every byte that is not part of
 * a valid UTF-8 sequence is one character and a word character, and valid
 * sequences follow the Unicode table 3-7 (no overlongs, no surrogates,
 * nothing above U+10FFFF).
 *
 * ASCII mode reproduces len(data.split()) on bytes (whitespace is 09-0D and
 * 20); chars equals bytes.  Not quite `LC_ALL=C wc -w`: coreutils 9.1 lets
 * no byte that is unprintable in the C locale make a word on its own.
 *
 * Lines are the number of '\n' bytes in both modes, like `wc -l`.
 */
#ifndef WCINDEX_COUNT_H
#define WCINDEX_COUNT_H

#include <stddef.h>
#include <stdint.h>

enum count_mode {
	COUNT_UTF8 = 0,
	COUNT_ASCII = 1,
};

/* Flags describing the content, stored in the database as-is. */
#define COUNT_F_BINARY       0x1u	/* a NUL byte within the first 8 KiB */
#define COUNT_F_INVALID_UTF8 0x2u	/* UTF-8 mode: some byte was not valid UTF-8 */

#define COUNT_BINARY_WINDOW 8192

struct counts {
	uint64_t bytes;
	uint64_t lines;
	uint64_t words;
	uint64_t chars;
	unsigned flags;
};

/*
 * Streaming state.  Callers allocate it (it is small) but treat the fields
 * as private: only count_*() touch them.
 */
struct count_state {
	struct counts c;
	enum count_mode mode;
	int in_word;		/* the last character seen was not whitespace */
	unsigned char pend[4];	/* an incomplete UTF-8 sequence carried over */
	unsigned pend_len;
	uint64_t offset;	/* where in the file the stream started */
};

/*
 * A range of a file that does not start at offset 0 is counted from the
 * state left by the COUNT_LOOKBACK bytes before it (fewer only if they are
 * all the bytes from the start of the file).  UTF-8 resynchronises within
 * that distance: a byte that is not a continuation byte always starts a
 * character, and a continuation byte that is not part of a 2- or 3-byte
 * character is a word character whatever came before it.  Six bytes are the
 * least that is always enough (test_range_lookback fails with five).
 */
#define COUNT_LOOKBACK 8

/* Start counting a new stream in the given mode. */
void count_init(struct count_state *st, enum count_mode mode);

/*
 * Count len more bytes of the stream.  A word or a UTF-8 sequence split
 * between two calls is counted exactly once; the split points never change
 * the result.
 */
void count_feed(struct count_state *st, const void *buf, size_t len);

/*
 * Count n more NUL bytes, in constant time: the state is the same as after
 * count_feed() of n zero bytes, which is what a hole in a sparse file
 * reads as.  For any n, however large (the counters wrap at 2^64 as they
 * would byte by byte).
 */
void count_feed_zeros(struct count_state *st, uint64_t n);

/*
 * End of stream: settle a trailing incomplete sequence (each of its bytes is
 * one invalid character) and store the totals in *out.  The state may be
 * reused only after count_init().
 */
void count_finish(struct count_state *st, struct counts *out);

/*
 * Start counting a range of a file at byte offset `offset`, given the
 * `n` bytes just before it (n == min(offset, COUNT_LOOKBACK)).  The counters
 * start at zero; the ranges of a file, each counted this way and ended with
 * count_finish_range() (the last one with count_finish()), add up exactly to
 * the counts of the whole file, flags ORed.
 */
void count_init_range(struct count_state *st, enum count_mode mode,
		      uint64_t offset, const void *before, size_t n);

/*
 * End of a range that is not the end of the file: a sequence cut short at
 * the end belongs to the next range, which counts it.  Stores the range's
 * totals in *out.
 */
void count_finish_range(struct count_state *st, struct counts *out);

/* One-shot convenience: count a whole buffer. */
void count_buffer(const void *buf, size_t len, enum count_mode mode,
		  struct counts *out);

/*
 * The length (1-4) of the well-formed UTF-8 sequence at s (Unicode table
 * 3-7: no overlong forms, no surrogates, nothing past U+10FFFF), or 0 when
 * the byte at s starts none within the avail bytes.  The counting rule's
 * own decoder, for code that must tell valid text from bytes the same way.
 */
size_t utf8_sequence_len(const unsigned char *s, size_t avail);

/*
 * The kernels this build and this CPU can run, best first, and the one in
 * use: "avx2", "sse2", "scalar".  The best is chosen at start-up, unless
 * the environment names another in WCINDEX_KERNEL.  They all count exactly
 * the same.
 */
const char *const *count_kernels(void);
const char *count_kernel(void);

/*
 * Use the named kernel from now on (tests and benchmarks compare them).
 * Returns 0, or -1 if this build or CPU cannot run it.  Not thread-safe:
 * call it before counting starts.
 */
int count_use_kernel(const char *name);

#endif
