/*
 * kernel.c - throughput of the counting kernels (src/count.c and
 * src/count_simd.c) on buffers in memory, with no I/O: how many GB/s each
 * kernel this CPU runs counts on a few kinds of text.  Built by
 * `make bench/kernel`, never by `make check`; bench/ harnesses call it.
 *
 * usage: bench/kernel [--size MIB] [--reps N] [--chunk BYTES] [--ascii]
 *                     [--kernel NAME]... [--corpus NAME]...
 *
 * The corpora are generated from a fixed seed, so runs compare:
 *   ascii    English-like words, punctuation and newlines, all ASCII
 *   mixed    half ASCII words, the rest Cyrillic, CJK, emoji and some
 *            Unicode spaces (U+00A0, U+2009, U+3000)
 *   cjk      CJK text with its own punctuation and U+3000, a few ASCII
 *   invalid  uniformly random bytes (mostly invalid UTF-8)
 *
 * Each (kernel, corpus) is counted REPS times, by count_feed() in CHUNK
 * bytes at a time (default: the whole buffer in one call), and gets one
 * output line: "kernel corpus mode MiB best_GB/s median_GB/s", where GB is
 * 10^9 bytes.  A header line starts with '#'.  Every kernel must give the
 * same counts on a corpus; if one does not, that is reported and the exit
 * status is 1.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "count.h"
#include "util.h"

static const char usage_msg[] =
	"usage: kernel [--size MIB] [--reps N] [--chunk BYTES] [--ascii]\n"
	"              [--kernel NAME]... [--corpus NAME]...";

/* -------------------------------------------------------- corpora ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

/* splitmix64: fast, and the same everywhere. */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static unsigned rnd_below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

struct text {
	unsigned char *buf;
	size_t len, cap;
	size_t line;		/* bytes since the last newline */
};

static void put(struct text *t, const void *s, size_t n)
{
	if (t->len + n > t->cap)
		n = t->cap - t->len;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->line += n;
}

static void put_str(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

static void put_cp(struct text *t, unsigned cp)
{
	unsigned char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | cp >> 18);
		u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	put(t, u, n);
}

/* A space between words, or a newline once the line is long enough. */
static void put_gap(struct text *t, unsigned limit)
{
	if (t->line >= limit) {
		put_str(t, "\n");
		t->line = 0;
	} else {
		put_str(t, " ");
	}
}

static const char *const english[] = {
	"the", "of", "and", "to", "in", "is", "that", "for", "it", "as",
	"was", "with", "be", "by", "on", "not", "he", "this", "are", "or",
	"his", "from", "at", "which", "but", "have", "an", "they", "you",
	"were", "her", "she", "there", "would", "their", "we", "him", "been",
	"has", "when", "who", "will", "more", "no", "if", "out", "so",
	"said", "what", "up", "its", "about", "into", "than", "them", "can",
	"only", "other", "new", "some", "could", "time", "these", "two",
	"may", "then", "do", "first", "any", "my", "now", "such", "like",
	"our", "over", "man", "me", "even", "most", "made", "after", "also",
	"did", "many", "before", "must", "through", "years", "where", "much",
	"your", "way", "well", "down", "should", "because", "each", "just",
	"government", "development", "information", "international",
};

static void put_english_word(struct text *t)
{
	put_str(t, english[rnd_below(ARRAY_SIZE(english))]);
	switch (rnd_below(16)) {
	case 0:
		put_str(t, ",");
		break;
	case 1:
		put_str(t, ".");
		break;
	}
}

static void gen_ascii(struct text *t)
{
	while (t->len < t->cap) {
		put_english_word(t);
		put_gap(t, 72);
	}
}

/* A word of n code points drawn from [lo, lo + span). */
static void put_word(struct text *t, unsigned n, unsigned lo, unsigned span)
{
	while (n--)
		put_cp(t, lo + rnd_below(span));
}

static void gen_mixed(struct text *t)
{
	static const unsigned spaces[] = { 0xa0, 0x2009, 0x3000 };

	while (t->len < t->cap) {
		unsigned r = rnd_below(100);

		if (r < 50)
			put_english_word(t);
		else if (r < 75)
			put_word(t, 2 + rnd_below(8), 0x430, 32);	/* Cyrillic */
		else if (r < 92)
			put_word(t, 1 + rnd_below(4), 0x4e00, 0x5000);	/* CJK */
		else
			put_word(t, 1 + rnd_below(2), 0x1f600, 0x50);	/* emoji */
		if (rnd_below(10) == 0)
			put_cp(t, spaces[rnd_below(ARRAY_SIZE(spaces))]);
		else
			put_gap(t, 80);
	}
}

static void gen_cjk(struct text *t)
{
	while (t->len < t->cap) {
		unsigned r = rnd_below(100);

		put_word(t, 4 + rnd_below(20), 0x4e00, 0x5000);
		if (r < 60)
			put_cp(t, 0x3001);		/* ideographic comma */
		else if (r < 85)
			put_cp(t, 0x3002);		/* full stop */
		else if (r < 92)
			put_cp(t, 0x3000);		/* ideographic space */
		else if (r < 97)
			put_str(t, " ASCII 123 ");
		if (t->line > 240) {
			put_str(t, "\n");
			t->line = 0;
		}
	}
}

static void gen_invalid(struct text *t)
{
	while (t->len < t->cap) {
		uint64_t r = rnd();

		put(t, &r, sizeof(r));
	}
}

static const struct corpus {
	const char *name;
	void (*gen)(struct text *t);
} corpora[] = {
	{ "ascii", gen_ascii },
	{ "mixed", gen_mixed },
	{ "cjk", gen_cjk },
	{ "invalid", gen_invalid },
};

/* ---------------------------------------------------------- timing ---- */

static void count_chunks(const unsigned char *buf, size_t len, size_t chunk,
			 enum count_mode mode, struct counts *out)
{
	struct count_state st;

	count_init(&st, mode);
	for (size_t off = 0; off < len; off += chunk)
		count_feed(&st, buf + off, len - off < chunk ? len - off : chunk);
	count_finish(&st, out);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int same(const struct counts *a, const struct counts *b)
{
	return a->bytes == b->bytes && a->lines == b->lines &&
		a->words == b->words && a->chars == b->chars &&
		a->flags == b->flags;
}

/* Is name in the list (or the list empty)? */
static int wanted(const char *name, const char **list, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return 1;
	return n == 0;
}

int main(int argc, char **argv)
{
	unsigned long size_mib = 64, reps = 7, chunk = 0;
	enum count_mode mode = COUNT_UTF8;
	const char *kernel_list[8], *corpus_list[8];
	int nkernels = 0, ncorpora = 0, status = 0;
	const char *const *kernels = count_kernels();
	unsigned char *buf;
	double *gbps;
	size_t len;

	set_progname("bench/kernel");
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int more = i + 1 < argc;

		if (!strcmp(arg, "--size") && more) {
			if (parse_ulong(argv[++i], 1, 4096, &size_mib) < 0)
				die("--size needs MiB from 1 to 4096");
		} else if (!strcmp(arg, "--reps") && more) {
			if (parse_ulong(argv[++i], 1, 1000, &reps) < 0)
				die("--reps needs a count from 1 to 1000");
		} else if (!strcmp(arg, "--chunk") && more) {
			if (parse_ulong(argv[++i], 1, 1ul << 40, &chunk) < 0)
				die("--chunk needs a size in bytes");
		} else if (!strcmp(arg, "--ascii")) {
			mode = COUNT_ASCII;
		} else if (!strcmp(arg, "--kernel") && more &&
			   nkernels < (int)ARRAY_SIZE(kernel_list)) {
			kernel_list[nkernels++] = argv[++i];
		} else if (!strcmp(arg, "--corpus") && more &&
			   ncorpora < (int)ARRAY_SIZE(corpus_list)) {
			corpus_list[ncorpora++] = argv[++i];
		} else if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			puts(usage_msg);
			return 0;
		} else {
			fprintf(stderr, "%s\n", usage_msg);
			return 2;
		}
	}
	for (int i = 0; i < nkernels; i++) {
		if (count_use_kernel(kernel_list[i]) < 0)
			die("no kernel '%s' on this machine", kernel_list[i]);
	}

	len = (size_t)size_mib << 20;
	if (!chunk || chunk > len)
		chunk = len;
	buf = xmalloc(len);
	gbps = xcalloc(reps, sizeof(*gbps));
	printf("# kernel corpus mode MiB best_GB/s median_GB/s\n");
	for (size_t c = 0; c < ARRAY_SIZE(corpora); c++) {
		struct text t = { buf, 0, len, 0 };
		struct counts want, got;
		int have_want = 0;

		if (!wanted(corpora[c].name, corpus_list, ncorpora))
			continue;
		rng_state = 0x9e3779b97f4a7c15u + c;
		corpora[c].gen(&t);
		for (size_t k = 0; kernels[k]; k++) {
			if (!wanted(kernels[k], kernel_list, nkernels))
				continue;
			count_use_kernel(kernels[k]);
			count_chunks(buf, len, chunk, mode, &got);	/* warm up */
			for (unsigned long r = 0; r < reps; r++) {
				uint64_t t0 = now_ns(), t1;

				count_chunks(buf, len, chunk, mode, &got);
				t1 = now_ns();
				gbps[r] = (double)len / (double)(t1 - t0 ? t1 - t0 : 1);
			}
			qsort(gbps, reps, sizeof(*gbps), cmp_double);
			printf("%-6s %-7s %-5s %4lu %6.2f %6.2f\n", kernels[k],
			       corpora[c].name, mode == COUNT_ASCII ? "ascii" : "utf8",
			       size_mib, gbps[reps - 1], gbps[reps / 2]);
			fflush(stdout);
			if (!have_want) {
				want = got;
				have_want = 1;
			} else if (!same(&want, &got)) {
				error("%s on %s: %" PRIu64 " %" PRIu64 " %" PRIu64
				      " %u, not %" PRIu64 " %" PRIu64 " %" PRIu64 " %u",
				      kernels[k], corpora[c].name, got.lines,
				      got.words, got.chars, got.flags, want.lines,
				      want.words, want.chars, want.flags);
				status = 1;
			}
		}
	}
	free(gbps);
	free(buf);
	return status;
}
