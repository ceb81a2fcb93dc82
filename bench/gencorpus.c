/* gencorpus: write the deterministic corpora of the benchmark (bench/run.sh).
 *
 *   gencorpus big   FILE BYTES [SEED]
 *       one text file of exactly BYTES bytes: ASCII English-like words,
 *       punctuation, lines wrapped near 72 columns, blank lines between
 *       paragraphs.
 *   gencorpus small DIR FILES DIRS LIST [SEED]
 *       FILES files of 1024-8192 bytes (uniform) spread round-robin over
 *       DIRS directories two levels deep (DIR/dNNN/sNNNN/fNNNNNNN.txt);
 *       words from a small vocabulary, mostly ASCII with some multi-byte
 *       UTF-8 words (valid UTF-8, ASCII separators only).
 *   gencorpus tree  DIR FILES LIST [SEED]
 *       FILES files in a tree shaped like an unpacked source tree: a root
 *       of a few files, directories 2 to 8 deep, most of them of 3-40
 *       files, one in twenty of 100-300; sizes from 300 bytes to 300 KiB,
 *       most of them small (300 * 1000^(u^3) bytes, u uniform: a mean of
 *       about 17 KB, like the Linux kernel's); text as in "small".
 *   gencorpus utf8  DIR FILES BYTES LIST [SEED]
 *       FILES files totalling about BYTES bytes (each 10%-190% of the mean)
 *       in DIR/uNN/: mixed scripts (accented Latin, Cyrillic, Greek, CJK,
 *       Arabic, Hebrew, Devanagari, Thai, emoji with ZWJ sequences and
 *       modifiers, combining marks), separators including the Unicode spaces
 *       U+00A0, U+2003, U+202F, U+3000, U+2028, U+0085 and the non-spaces
 *       U+200B and U+FEFF; one file in ten also holds invalid byte sequences.
 *
 * LIST receives one line per file, "SIZE PATH", in generation order (the
 * harness picks the files it modifies from it and restores them from it).
 * Every file gets the fixed modification time 2023-11-14 22:13:20 UTC, so
 * two generations with the same arguments give the same bytes and the same
 * metadata apart from inode numbers and ctimes.  The random generator is
 * splitmix64: the output does not depend on the C library.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIXED_MTIME 1700000000

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uniform in [0, n) (the bias of the modulo is irrelevant here) */
static size_t below(size_t n)
{
	return (size_t)(rnd() % n);
}

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("gencorpus: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void write_all(int fd, const char *buf, size_t n, const char *path)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("%s: %s", path, strerror(errno));
		}
		buf += w;
		n -= (size_t)w;
	}
}

static void set_mtime(int fd, const char *path)
{
	struct timespec ts[2] = { { FIXED_MTIME, 0 }, { FIXED_MTIME, 0 } };
	if (futimens(fd, ts) != 0)
		die("%s: %s", path, strerror(errno));
}

static void mkdir_p(const char *path)
{
	char tmp[4096];
	size_t n = strlen(path);
	if (n >= sizeof tmp)
		die("path too long: %s", path);
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
			die("mkdir %s: %s", tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
		die("mkdir %s: %s", tmp, strerror(errno));
}

static void write_file(const char *path, const char *buf, size_t n, FILE *list)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	write_all(fd, buf, n, path);
	set_mtime(fd, path);
	if (close(fd) != 0)
		die("%s: %s", path, strerror(errno));
	if (list && fprintf(list, "%zu %s\n", n, path) < 0)
		die("writing the list: %s", strerror(errno));
}

static unsigned long long number(const char *s, const char *what)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end)
		die("bad %s: %s", what, s);
	return v;
}

/* ------------------------------------------------------------- big ---- */

static const char *const english[] = {
	"the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as",
	"was", "with", "be", "by", "on", "not", "he", "I", "this", "are", "or",
	"his", "from", "at", "which", "but", "have", "an", "they", "you", "were",
	"her", "she", "there", "one", "all", "we", "their", "been", "has",
	"when", "who", "will", "more", "no", "if", "out", "so", "said", "what",
	"up", "its", "about", "into", "than", "them", "can", "only", "other",
	"new", "some", "could", "time", "these", "two", "may", "then", "do",
	"first", "any", "my", "now", "such", "like", "our", "over", "man", "me",
	"even", "most", "made", "after", "also", "did", "many", "before", "must",
	"through", "back", "years", "where", "much", "your", "way", "well",
	"down", "should", "because", "each", "just", "those", "people", "how",
	"too", "little", "state", "good", "very", "make", "world", "still",
	"own", "see", "men", "work", "long", "get", "here", "between", "both",
	"life", "being", "under", "never", "day", "same", "another", "know",
	"while", "last", "might", "us", "great", "old", "year", "off", "come",
	"since", "against", "go", "came", "right", "used", "take", "three",
	"database", "index", "counting", "directory", "archive", "benchmark",
	"throughput", "characters", "whitespace", "incremental", "1984", "42",
	"e-mail", "well-known", "don't", "O'Brien", "(see", "below)", "\"quoted\"",
	"Section", "Chapter", "GNU/Linux", "http://example.org/a/b", "x86_64",
};

static int gen_big(const char *path, unsigned long long bytes)
{
	enum { BUF = 1 << 20 };
	static char buf[BUF + 256];
	const size_t nwords = sizeof english / sizeof english[0];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	unsigned long long left = bytes;
	size_t col = 0, sentence = 0;
	while (left > 0) {
		size_t n = 0;
		while (n < BUF) {
			const char *w = english[below(nwords)];
			size_t len = strlen(w);
			if (sentence == 0 && w[0] >= 'a' && w[0] <= 'z') {
				buf[n] = (char)(w[0] - 'a' + 'A');
				memcpy(buf + n + 1, w + 1, len - 1);
			} else {
				memcpy(buf + n, w, len);
			}
			n += len;
			col += len + 1;
			sentence++;
			uint64_t r = rnd() % 1000;
			if (sentence > 6 && r < 120) {
				buf[n++] = r < 100 ? '.' : r < 110 ? '?' : '!';
				sentence = 0;
				col++;
			} else if (r < 190) {
				buf[n++] = ',';
				col++;
			}
			if (col > 72) {
				buf[n++] = '\n';
				col = 0;
				if (sentence == 0 && rnd() % 8 == 0)
					buf[n++] = '\n';	/* paragraph */
			} else {
				buf[n++] = r == 999 ? '\t' : ' ';
			}
		}
		size_t take = left < n ? (size_t)left : n;
		if (take == left && take > 0)
			buf[take - 1] = '\n';
		write_all(fd, buf, take, path);
		left -= take;
	}
	set_mtime(fd, path);
	if (close(fd) != 0)
		die("%s: %s", path, strerror(errno));
	return 0;
}

/* ----------------------------------------------------------- small ---- */

/* the vocabulary of the old bench/gen-small-files.py */
static const char *const small_vocab[] = {
	"the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was",
	"with", "be", "by", "on", "not", "he", "this", "are", "or", "his",
	"from", "at", "which", "but", "have", "an", "they", "you", "were", "her",
	"she", "there", "naïve", "café", "über", "straße", "приказ", "словарь",
	"日本語", "文字", "données", "résumé", "λόγος", "déjà-vu", "2026",
	"lorem", "ipsum", "dolor", "sit", "amet", "consectetur",
};

/* Fill buf with words up to exactly size bytes: words never cut (the tail
 * is padded with spaces and a final newline), so every file is valid UTF-8. */
static size_t fill_small(char *buf, size_t size)
{
	const size_t nwords = sizeof small_vocab / sizeof small_vocab[0];
	size_t n = 0;
	for (;;) {
		const char *w = small_vocab[below(nwords)];
		size_t len = strlen(w);
		if (n + len + 1 > size)
			break;
		memcpy(buf + n, w, len);
		n += len;
		buf[n++] = rnd() % 100 < 8 ? '\n' : ' ';
	}
	while (n < size)
		buf[n++] = ' ';
	buf[size - 1] = '\n';
	return size;
}

static int gen_small(const char *dir, size_t files, size_t dirs, const char *list_path)
{
	FILE *list = fopen(list_path, "w");
	if (!list)
		die("%s: %s", list_path, strerror(errno));
	if (dirs == 0)
		dirs = 1;
	size_t fanout = 1;
	while ((fanout + 1) * (fanout + 1) <= dirs)
		fanout++;
	char (*names)[4096] = malloc(dirs * sizeof *names);
	if (!names)
		die("out of memory");
	for (size_t i = 0; i < dirs; i++) {
		snprintf(names[i], sizeof names[i], "%s/d%03zu/s%04zu", dir, i / fanout, i);
		mkdir_p(names[i]);
	}
	static char buf[8192];
	char path[4200];
	for (size_t n = 0; n < files; n++) {
		size_t size = 1024 + below(8192 - 1024 + 1);
		fill_small(buf, size);
		snprintf(path, sizeof path, "%s/f%07zu.txt", names[n % dirs], n);
		write_file(path, buf, size, list);
	}
	free(names);
	if (fclose(list) != 0)
		die("%s: %s", list_path, strerror(errno));
	return 0;
}

/* ------------------------------------------------------------ tree ---- */

struct tree_dir {
	char *path;
	int depth;
};

/* A size of a source file: mostly small, a few of hundreds of KiB. */
static size_t tree_file_size(void)
{
	double u = (double)(rnd() >> 11) / 9007199254740992.0;

	return (size_t)(300.0 * exp(u * u * u * log(1000.0)));
}

/* Make the subdirectories of d and push them (the last pushed is next). */
static size_t tree_subdirs(const struct tree_dir *d, struct tree_dir *stack,
			   size_t n, size_t cap, size_t *serial)
{
	size_t sub = d->depth < 2 ? 4 + below(5) : d->depth < 8 ? below(3) : 0;

	for (size_t i = 0; i < sub && n < cap; i++) {
		char path[4096];

		snprintf(path, sizeof path, "%s/d%05zu", d->path, (*serial)++);
		mkdir_p(path);
		stack[n].path = strdup(path);
		if (!stack[n].path)
			die("out of memory");
		stack[n++].depth = d->depth + 1;
	}
	return n;
}

static int gen_tree(const char *dir, size_t files, const char *list_path)
{
	static char buf[300 * 1024 + 16];
	size_t cap = files + 64, n = 0, made = 0, serial = 0;
	struct tree_dir *stack = calloc(cap, sizeof *stack);
	FILE *list = fopen(list_path, "w");

	if (!list || !stack)
		die("%s: %s", list_path, strerror(errno));
	/* depth first, so that deep directories come early */
	while (made < files) {
		struct tree_dir d;
		size_t nf;

		if (!n) {	/* a new subtree of the root */
			d.path = strdup(dir);
			d.depth = 0;
		} else {
			d = stack[--n];
		}
		nf = d.depth == 0 ? below(8) : below(20) ? 3 + below(38)
							  : 100 + below(201);
		for (size_t i = 0; i < nf && made < files; i++, made++) {
			char path[4200];
			size_t size = tree_file_size();

			fill_small(buf, size);
			snprintf(path, sizeof path, "%s/f%06zu.%s", d.path, made,
				 (const char *const[]){ "c", "h", "txt", "md" }[made % 4]);
			write_file(path, buf, size, list);
		}
		n = tree_subdirs(&d, stack, n, cap, &serial);
		free(d.path);
	}
	while (n)
		free(stack[--n].path);
	free(stack);
	if (fclose(list) != 0)
		die("%s: %s", list_path, strerror(errno));
	return 0;
}

/* ------------------------------------------------------------ utf8 ---- */

static const char *const latin[] = {
	"café", "naïve", "über", "straße", "résumé", "déjà", "façade", "niño",
	"señor", "mañana", "coração", "ação", "français", "Ångström",
	"smörgåsbord", "Œuvre", "crème", "brûlée", "Zürich", "Kraków", "Łódź",
	"český", "příliš", "žluťoučký", "kůň", "ďábelské", "ódy", "Ærøskøbing",
	"the", "and", "de", "la", "el", "und", "der", "est", "pour", "que",
	"ist", "nicht", "avec", "être", "où", "çà",
	"cafe\xcc\x81", /* e + U+0301 combining acute */
};
static const char *const cyrillic[] = {
	"приказ", "словарь", "съешь", "же", "ещё", "этих", "мягких",
	"французских", "булок", "да", "выпей", "чаю", "Київ", "ґанок", "їжак",
	"Србија", "љубав", "њива", "и", "в", "на", "не", "что", "Москва",
};
static const char *const greek[] = {
	"λόγος", "ξεσκεπάζω", "τὴν", "ψυχοφθόρα", "βδελυγμία", "Ἀθῆναι", "καὶ",
	"ὁ", "φιλοσοφία", "αλφάβητο", "Ελλάδα", "και", "το", "της",
};
static const char *const cjk[] = {
	"日本語", "文字", "東京", "中文", "汉字", "漢字", "한국어", "ひらがな",
	"カタカナ", "の", "は", "です", "我们", "你好", "世界", "数据", "索引",
	"。", "、", "这是一个测试", "日本語の文章です", "서울특별시", "𠀋𡈽",
};
static const char *const other[] = {
	"مرحبا", "العربية", "שלום", "עברית", "नमस्ते", "हिन्दी", "ภาษาไทย",
	"∑", "∞", "→", "½", "€100", "№5", "ﬁ", "Ⅻ",
};
static const char *const emoji[] = {
	"😀", "🎉", "👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️", "🚀", "🐍", "✨", "🙂",
	"ok👌", "🏳️‍🌈", "🤷‍♀️",
};

#define LEN(a) (sizeof (a) / sizeof (a)[0])
static const struct { const char *const *w; size_t n; } scripts[] = {
	{ latin, LEN(latin) }, { cyrillic, LEN(cyrillic) },
	{ greek, LEN(greek) }, { cjk, LEN(cjk) },
	{ other, LEN(other) }, { emoji, LEN(emoji) },
};
#define NSCRIPTS LEN(scripts)

/* separators, by cumulative weight out of 1000 */
static const struct { int upto; const char *s; } seps[] = {
	{ 780, " " }, { 860, "\n" }, { 890, "\xc2\xa0" /* U+00A0 */ },
	{ 910, "\xe3\x80\x80" /* U+3000 */ }, { 930, "\t" },
	{ 940, "\xe2\x80\x83" /* U+2003 */ }, { 950, "\xe2\x80\xaf" /* U+202F */ },
	{ 953, "\xe2\x80\xa8" /* U+2028 */ }, { 956, "\xc2\x85" /* U+0085 */ },
	{ 958, "\xe1\x9a\x80" /* U+1680 */ }, { 961, "\r\n" },
	{ 975, "\xe2\x80\x8b" /* U+200B: not a space */ },
	{ 980, "\xe2\x81\xa0" /* U+2060: not a space */ },
	{ 990, ", " }, { 1000, "  " },
};

/* invalid sequences: lone continuation, bytes never valid, truncated
 * sequences, overlong, a surrogate, beyond U+10FFFF */
static const char *const invalid[] = {
	"\x80", "\xff", "\xfe", "\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xc0\xaf",
	"\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe0\x80\xaf",
};

static size_t fill_utf8(char *buf, size_t size, size_t fileno)
{
	size_t main_script = fileno % NSCRIPTS;
	int bad = fileno % 10 == 7;
	size_t n = 0;
	if (fileno % 50 == 3) {		/* a byte order mark */
		memcpy(buf, "\xef\xbb\xbf", 3);
		n = 3;
	}
	for (;;) {
		size_t s = rnd() % 100 < 75 ? main_script : below(NSCRIPTS);
		const char *w = scripts[s].w[below(scripts[s].n)];
		if (bad && rnd() % 400 == 0)
			w = invalid[below(LEN(invalid))];
		int r = (int)(rnd() % 1000);
		const char *sep = " ";
		for (size_t i = 0; i < LEN(seps); i++)
			if (r < seps[i].upto) {
				sep = seps[i].s;
				break;
			}
		size_t wl = strlen(w), sl = strlen(sep);
		if (n + wl + sl + 1 > size)
			break;
		memcpy(buf + n, w, wl);
		n += wl;
		memcpy(buf + n, sep, sl);
		n += sl;
	}
	while (n < size)
		buf[n++] = '\n';
	return size;
}

static int gen_utf8(const char *dir, size_t files, unsigned long long bytes,
		    const char *list_path)
{
	FILE *list = fopen(list_path, "w");
	if (!list)
		die("%s: %s", list_path, strerror(errno));
	size_t mean = files ? (size_t)(bytes / files) : 0;
	if (mean < 64)
		mean = 64;
	size_t max = mean * 19 / 10 + 1;
	char *buf = malloc(max);
	if (!buf)
		die("out of memory");
	char sub[4096], path[4200];
	for (size_t n = 0; n < files; n++) {
		size_t size = mean / 10 + below(max - mean / 10);
		snprintf(sub, sizeof sub, "%s/u%02zu", dir, n % 20);
		if (n < 20)
			mkdir_p(sub);
		fill_utf8(buf, size, n);
		snprintf(path, sizeof path, "%s/doc%05zu.txt", sub, n);
		write_file(path, buf, size, list);
	}
	free(buf);
	if (fclose(list) != 0)
		die("%s: %s", list_path, strerror(errno));
	return 0;
}

static void usage(void)
{
	fputs("usage: gencorpus big FILE BYTES [SEED]\n"
	      "       gencorpus small DIR FILES DIRS LIST [SEED]\n"
	      "       gencorpus tree DIR FILES LIST [SEED]\n"
	      "       gencorpus utf8 DIR FILES BYTES LIST [SEED]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	const char *mode = argv[1];
	if (strcmp(mode, "big") == 0 && (argc == 4 || argc == 5)) {
		rng_state = argc == 5 ? number(argv[4], "seed") : 1;
		return gen_big(argv[2], number(argv[3], "size"));
	}
	if (strcmp(mode, "small") == 0 && (argc == 6 || argc == 7)) {
		rng_state = argc == 7 ? number(argv[6], "seed") : 1;
		mkdir_p(argv[2]);
		return gen_small(argv[2], (size_t)number(argv[3], "file count"),
				 (size_t)number(argv[4], "directory count"), argv[5]);
	}
	if (strcmp(mode, "tree") == 0 && (argc == 5 || argc == 6)) {
		rng_state = argc == 6 ? number(argv[5], "seed") : 1;
		mkdir_p(argv[2]);
		return gen_tree(argv[2], (size_t)number(argv[3], "file count"),
				argv[4]);
	}
	if (strcmp(mode, "utf8") == 0 && (argc == 6 || argc == 7)) {
		rng_state = argc == 7 ? number(argv[6], "seed") : 1;
		mkdir_p(argv[2]);
		return gen_utf8(argv[2], (size_t)number(argv[3], "file count"),
				number(argv[4], "size"), argv[5]);
	}
	usage();
	return 2;
}
