/*
 * test_archive.c - unit tests of the archive reader (src/archive.c) on
 * real archives: tests/gen-archives.py writes them into a temporary
 * directory (found through $TEST_SRCDIR, else "tests/"), with
 * manifest.tsv saying, for each case, what archive_sniff() must answer
 * and exactly which members archive_count() must report, with which
 * counts, kinds, statuses, mtimes and link targets, under which limits,
 * and what the summary must say.  The expectations are computed by python
 * over the member bytes, so these tests compare the C reader with the
 * plain python definition of the counts.
 *
 * Beside the manifest: the sniffing rules one by one, hostile names that
 * must come back byte for byte without anything appearing on disk, a
 * callback that stops the reading, an archive that starts part way into
 * its file, archives read from a pipe (no seeking), and the expansion
 * bombs, which must stop at their limits without the memory growing.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scratch.h"
#include "archive.h"
#include "count.h"
#include "strbuf.h"
#include "testmain.h"

/* ------------------------------------------------------- manifest ---- */

#define UNKNOWN (-1)

struct want_member {
	char *name;
	size_t name_len;
	enum member_kind kind;
	enum member_status status;
	long long c[5];			/* lines words chars bytes flags */
	long long mtime;		/* UNKNOWN: not checked */
	int has_mtime;
	char *target;			/* NULL: none */
	size_t target_len;
};

struct want_case {
	char *name;
	char *file;
	enum archive_kind sniff;
	enum count_mode mode;
	struct archive_limits lim;
	int ret;
	enum member_status status;
	int prefix;			/* check "prefix" rather than "exact" */
	struct want_member *m;
	size_t nr, alloc;
	int has_doc;
	long long doc[5];
};

static char fixdir[256];
static struct want_case *cases;
static size_t nr_cases, alloc_cases;

static void *grow(void *p, size_t nr, size_t *alloc, size_t size)
{
	if (nr < *alloc)
		return p;
	*alloc = *alloc ? *alloc * 2 : 16;
	p = realloc(p, *alloc * size);
	if (!p) {
		perror("test_archive: realloc");
		exit(2);
	}
	return p;
}

static char *dupstr(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		perror("test_archive: strdup");
		exit(2);
	}
	return d;
}

static void bad_manifest(const char *what, const char *line)
{
	fprintf(stderr, "test_archive: bad manifest line (%s): %s\n", what,
		line);
	exit(2);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode hex into a NUL-terminated buffer; "-" is NULL. */
static char *unhex(const char *s, size_t *len, const char *line)
{
	size_t n = strlen(s), i;
	char *out;

	if (!strcmp(s, "-")) {
		*len = 0;
		return NULL;
	}
	if (n % 2)
		bad_manifest("odd hex", line);
	out = malloc(n / 2 + 1);
	if (!out)
		exit(2);
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			bad_manifest("hex", line);
		out[i] = (char)(hi << 4 | lo);
	}
	out[n / 2] = 0;
	*len = n / 2;
	return out;
}

static long long num(const char *s, const char *line)
{
	char *end;
	long long v;

	if (!strcmp(s, "-"))
		return UNKNOWN;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || end == s)
		bad_manifest("number", line);
	return v;
}

static enum member_status status_of(const char *s, const char *line)
{
	if (!strcmp(s, "ok"))
		return MEMBER_OK;
	if (!strcmp(s, "limit"))
		return MEMBER_LIMIT;
	if (!strcmp(s, "error"))
		return MEMBER_ERROR;
	bad_manifest("status", line);
	return MEMBER_OK;
}

static const char *status_name(enum member_status st)
{
	return st == MEMBER_OK ? "ok" : st == MEMBER_LIMIT ? "limit" :
	       st == MEMBER_ERROR ? "error" : "?";
}

static const char *kind_name(enum member_kind k)
{
	return k == MEMBER_FILE ? "file" : k == MEMBER_LINK ? "link" :
	       k == MEMBER_ARCHIVE ? "archive" : "?";
}

/* Split line at tabs into at most max fields; returns how many. */
static int split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line, *tab;

	while (n < max) {
		f[n++] = p;
		if (!(tab = strchr(p, '\t')))
			break;
		*tab = 0;
		p = tab + 1;
	}
	return n;
}

static void load_manifest(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL, *copy;
	size_t cap = 0;
	struct want_case *c = NULL;

	if (!fp) {
		fprintf(stderr, "test_archive: cannot open '%s': %s\n", path,
			strerror(errno));
		exit(2);
	}
	while (getline(&line, &cap, fp) > 0) {
		char *f[16];
		int n;

		line[strcspn(line, "\n")] = 0;
		copy = dupstr(line);
		n = split(line, f, 16);
		if (!strcmp(f[0], "case") && n == 13) {
			cases = grow(cases, nr_cases, &alloc_cases,
				     sizeof(*cases));
			c = &cases[nr_cases++];
			memset(c, 0, sizeof(*c));
			c->name = dupstr(f[1]);
			c->file = dupstr(f[2]);
			c->sniff = !strcmp(f[3], "container") ?
				   ARCHIVE_CONTAINER :
				   !strcmp(f[3], "compressed") ?
				   ARCHIVE_COMPRESSED : ARCHIVE_NONE;
			c->mode = !strcmp(f[4], "ascii") ? COUNT_ASCII :
				  COUNT_UTF8;
			c->lim.member_bytes = (uint64_t)num(f[5], copy);
			c->lim.total_bytes = (uint64_t)num(f[6], copy);
			c->lim.ratio = (uint64_t)num(f[7], copy);
			c->lim.members = (uint64_t)num(f[8], copy);
			c->lim.depth = (unsigned)num(f[9], copy);
			c->ret = (int)num(f[10], copy);
			c->status = status_of(f[11], copy);
			c->prefix = !strcmp(f[12], "prefix");
		} else if (!strcmp(f[0], "member") && n == 11 && c) {
			struct want_member *m;

			c->m = grow(c->m, c->nr, &c->alloc, sizeof(*c->m));
			m = &c->m[c->nr++];
			memset(m, 0, sizeof(*m));
			m->name = unhex(f[1], &m->name_len, copy);
			m->kind = !strcmp(f[2], "link") ? MEMBER_LINK :
				  !strcmp(f[2], "archive") ? MEMBER_ARCHIVE :
				  MEMBER_FILE;
			m->status = status_of(f[3], copy);
			for (int i = 0; i < 5; i++)
				m->c[i] = num(f[4 + i], copy);
			m->has_mtime = strcmp(f[9], "-") != 0;
			m->mtime = m->has_mtime ? num(f[9], copy) : 0;
			m->target = unhex(f[10], &m->target_len, copy);
		} else if (!strcmp(f[0], "doc") && n == 6 && c) {
			c->has_doc = 1;
			for (int i = 0; i < 5; i++)
				c->doc[i] = num(f[1 + i], copy);
		} else if (!strcmp(f[0], "end") && c) {
			c = NULL;
		} else {
			bad_manifest("record", copy);
		}
		free(copy);
	}
	free(line);
	fclose(fp);
	if (!nr_cases)
		bad_manifest("no cases", path);
}

static void free_manifest(void)
{
	for (size_t i = 0; i < nr_cases; i++) {
		for (size_t j = 0; j < cases[i].nr; j++) {
			free(cases[i].m[j].name);
			free(cases[i].m[j].target);
		}
		free(cases[i].m);
		free(cases[i].name);
		free(cases[i].file);
	}
	free(cases);
}

static const struct want_case *find_case(const char *name)
{
	for (size_t i = 0; i < nr_cases; i++)
		if (!strcmp(cases[i].name, name))
			return &cases[i];
	ck_abort_msg("no case '%s' in the manifest", name);
	return NULL;
}

static void fixture_path(char *buf, size_t size, const char *file)
{
	snprintf(buf, size, "%s/%s", fixdir, file);
}

static int has_fixture(const char *file)
{
	char path[512];

	fixture_path(path, sizeof(path), file);
	return access(path, F_OK) == 0;
}

/* -------------------------------------------------------- collecting ---- */

struct got_member {
	char *name;
	size_t name_len;
	enum member_kind kind;
	enum member_status status;
	char *message;
	struct counts counts;
	int64_t mtime_ns;
	char *target;
	int compressed;
};

struct got {
	struct got_member *m;
	size_t nr, alloc;
	size_t stop_after;		/* non-zero: stop the reading there */
};

static char *memdup0(const char *p, size_t len)
{
	char *d = malloc(len + 1);

	if (!d)
		exit(2);
	memcpy(d, p, len);
	d[len] = 0;
	return d;
}

static int collect(void *data, const struct member_result *r)
{
	struct got *g = data;
	struct got_member *m;

	ck_assert_ptr_nonnull(r->name);
	if (r->status != MEMBER_OK)
		ck_assert_msg(r->message && *r->message,
			      "member '%s' is %s without a message", r->name,
			      status_name(r->status));
	g->m = grow(g->m, g->nr, &g->alloc, sizeof(*g->m));
	m = &g->m[g->nr++];
	m->name = memdup0(r->name, r->name_len);
	m->name_len = r->name_len;
	m->kind = r->kind;
	m->status = r->status;
	m->message = r->message ? memdup0(r->message, strlen(r->message)) :
		     NULL;
	m->counts = r->counts;
	m->mtime_ns = r->mtime_ns;
	m->compressed = r->compressed;
	m->target = r->link_target ? memdup0(r->link_target,
					     strlen(r->link_target)) : NULL;
	return g->stop_after && g->nr >= g->stop_after;
}

static void got_release(struct got *g)
{
	for (size_t i = 0; i < g->nr; i++) {
		free(g->m[i].name);
		free(g->m[i].message);
		free(g->m[i].target);
	}
	free(g->m);
	memset(g, 0, sizeof(*g));
}

/* Print what was reported, for the failure messages. */
static void dump(const char *what, const struct got *g,
		 const struct archive_summary *sum)
{
	fprintf(stderr, "--- %s: status %s '%s', %llu members, %llu in, "
		"%llu out\n", what, status_name(sum->status), sum->message,
		(unsigned long long)sum->members,
		(unsigned long long)sum->bytes_in,
		(unsigned long long)sum->bytes_out);
	for (size_t i = 0; i < g->nr; i++) {
		const struct got_member *m = &g->m[i];

		fprintf(stderr, "  %-7s %-5s %llu %llu %llu %llu %u '%s'%s%s\n",
			kind_name(m->kind), status_name(m->status),
			(unsigned long long)m->counts.lines,
			(unsigned long long)m->counts.words,
			(unsigned long long)m->counts.chars,
			(unsigned long long)m->counts.bytes, m->counts.flags,
			m->name, m->message ? " - " : "",
			m->message ? m->message : "");
	}
}

static int open_fixture(const char *file)
{
	char path[512];
	int fd;

	fixture_path(path, sizeof(path), file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "cannot open '%s': %s", path, strerror(errno));
	return fd;
}

static enum archive_kind sniff_file(const char *file)
{
	static unsigned char buf[ARCHIVE_SNIFF_BYTES];
	int fd = open_fixture(file);
	ssize_t n = pread(fd, buf, sizeof(buf), 0);

	ck_assert_int_ge(n, 0);
	close(fd);
	return archive_sniff(buf, (size_t)n);
}

static int run(const char *file, enum archive_kind kind,
	       enum count_mode mode, const struct archive_limits *lim,
	       struct got *g, struct archive_summary *sum)
{
	int fd = open_fixture(file);
	int r;

	r = archive_count(fd, kind, mode, lim, collect, g, sum);
	close(fd);
	return r;
}

static int same_counts(const long long *want, const struct counts *c)
{
	const long long got[5] = {
		(long long)c->lines, (long long)c->words, (long long)c->chars,
		(long long)c->bytes, (long long)c->flags,
	};

	for (int i = 0; i < 5; i++)
		if (want[i] != UNKNOWN && want[i] != got[i])
			return 0;
	return 1;
}

static void check_member(const struct want_case *c, size_t i,
			 const struct want_member *w,
			 const struct got_member *m, int last_of_prefix)
{
	ck_assert_msg(m->name_len == w->name_len &&
		      !memcmp(m->name, w->name, w->name_len),
		      "%s: member %zu is '%s', want '%s'", c->name, i,
		      m->name, w->name);
	ck_assert_msg(m->kind == w->kind, "%s: '%s' is a %s, want a %s",
		      c->name, w->name, kind_name(m->kind),
		      kind_name(w->kind));
	if (last_of_prefix) {
		/* cut short by the limit, or complete */
		ck_assert_msg(m->status == w->status ||
			      m->status == MEMBER_LIMIT,
			      "%s: '%s' is %s", c->name, w->name,
			      status_name(m->status));
		if (m->status == MEMBER_LIMIT)
			return;
	} else {
		ck_assert_msg(m->status == w->status,
			      "%s: '%s' is %s (%s), want %s", c->name,
			      w->name, status_name(m->status),
			      m->message ? m->message : "",
			      status_name(w->status));
	}
	ck_assert_msg(same_counts(w->c, &m->counts),
		      "%s: '%s' counts %llu %llu %llu %llu %u, want "
		      "%lld %lld %lld %lld %lld", c->name, w->name,
		      (unsigned long long)m->counts.lines,
		      (unsigned long long)m->counts.words,
		      (unsigned long long)m->counts.chars,
		      (unsigned long long)m->counts.bytes, m->counts.flags,
		      w->c[0], w->c[1], w->c[2], w->c[3], w->c[4]);
	if (w->has_mtime)
		ck_assert_msg(m->mtime_ns == w->mtime,
			      "%s: '%s' mtime %lld, want %lld", c->name,
			      w->name, (long long)m->mtime_ns, w->mtime);
	if (w->target)
		ck_assert_msg(m->target && !strcmp(m->target, w->target),
			      "%s: '%s' links to '%s', want '%s'", c->name,
			      w->name, m->target ? m->target : "(null)",
			      w->target);
	else if (w->kind == MEMBER_LINK)
		ck_assert_ptr_null(m->target);
}

/* Run one manifest case and compare everything. */
static void check_case(const struct want_case *c)
{
	struct archive_summary sum;
	struct got g;
	int r;

	memset(&g, 0, sizeof(g));
	ck_assert_msg(sniff_file(c->file) == c->sniff,
		      "%s: sniffed %d, want %d", c->name, sniff_file(c->file),
		      c->sniff);
	if (c->sniff == ARCHIVE_NONE)
		return;
	r = run(c->file, c->sniff, c->mode, &c->lim, &g, &sum);
	if (r != c->ret || sum.status != c->status ||
	    (!c->prefix && g.nr != c->nr) || g.nr > c->nr)
		dump(c->name, &g, &sum);
	ck_assert_msg(r == c->ret, "%s: returned %d, want %d (%s)", c->name,
		      r, c->ret, sum.message);
	ck_assert_msg(sum.status == c->status, "%s: status %s (%s), want %s",
		      c->name, status_name(sum.status), sum.message,
		      status_name(c->status));
	if (sum.status != MEMBER_OK)
		ck_assert_msg(*sum.message, "%s: no message", c->name);
	ck_assert_uint_eq(sum.members, g.nr);
	ck_assert_msg(sum.bytes_out <= c->lim.total_bytes,
		      "%s: %llu bytes out over the limit", c->name,
		      (unsigned long long)sum.bytes_out);
	if (c->prefix) {
		ck_assert_msg(g.nr <= c->nr, "%s: %zu members, want at most "
			      "%zu", c->name, g.nr, c->nr);
		ck_assert_msg(g.nr > 0, "%s: no member", c->name);
	} else {
		ck_assert_msg(g.nr == c->nr, "%s: %zu members, want %zu",
			      c->name, g.nr, c->nr);
	}
	for (size_t i = 0; i < g.nr; i++)
		check_member(c, i, &c->m[i], &g.m[i],
			     c->prefix && i + 1 == g.nr);
	ck_assert_msg(sum.container == !c->has_doc, "%s: container %d",
		      c->name, sum.container);
	if (c->has_doc) {
		ck_assert_msg(same_counts(c->doc, &sum.counts),
			      "%s: document counts %llu %llu %llu %llu %u, "
			      "want %lld %lld %lld %lld %lld", c->name,
			      (unsigned long long)sum.counts.lines,
			      (unsigned long long)sum.counts.words,
			      (unsigned long long)sum.counts.chars,
			      (unsigned long long)sum.counts.bytes,
			      sum.counts.flags, c->doc[0], c->doc[1],
			      c->doc[2], c->doc[3], c->doc[4]);
	} else {
		struct counts zero;

		memset(&zero, 0, sizeof(zero));
		ck_assert_msg(!memcmp(&sum.counts, &zero, sizeof(zero)),
			      "%s: a container with document counts", c->name);
	}
	got_release(&g);
}

START_TEST(test_manifest_case)
{
	check_case(&cases[_i]);
}
END_TEST

/* ----------------------------------------------------------- sniffing ---- */

static enum archive_kind sniff_bytes(const void *p, size_t len)
{
	return archive_sniff(p, len);
}

/* A one-block ustar header with a correct checksum. */
static void make_tar_header(unsigned char *h, const char *magic)
{
	unsigned sum = 0;

	memset(h, 0, 512);
	strcpy((char *)h, "file.txt");
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 124, "00000000000", 11);
	h[156] = '0';
	memcpy(h + 257, magic, 8);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
}

START_TEST(test_sniff_magic)
{
	static unsigned char big[ARCHIVE_SNIFF_BYTES];
	unsigned char h[512];

	ck_assert_int_eq(sniff_bytes("", 0), ARCHIVE_NONE);
	ck_assert_int_eq(sniff_bytes("\x1f\x8b\x08\x00", 4),
			 ARCHIVE_COMPRESSED);
	ck_assert_int_eq(sniff_bytes("\x1f\x8b", 2), ARCHIVE_NONE);
	/* method 8 only, reserved flags clear */
	ck_assert_int_eq(sniff_bytes("\x1f\x8b\x07\x00", 4), ARCHIVE_NONE);
	ck_assert_int_eq(sniff_bytes("\x1f\x8b\x08\xe0", 4), ARCHIVE_NONE);
	ck_assert_int_eq(sniff_bytes("BZh91AY&SY", 10), ARCHIVE_COMPRESSED);
	ck_assert_int_eq(sniff_bytes("BZh9\x17\x72\x45\x38\x50\x90", 10),
			 ARCHIVE_COMPRESSED);
	ck_assert_int_eq(sniff_bytes("BZhello world", 13), ARCHIVE_NONE);
	ck_assert_int_eq(sniff_bytes("\xfd" "7zXZ\0", 6), ARCHIVE_COMPRESSED);
	ck_assert_int_eq(sniff_bytes("\xfd" "7zXZ", 5), ARCHIVE_NONE);
	ck_assert_int_eq(sniff_bytes("\x28\xb5\x2f\xfd", 4),
			 ARCHIVE_COMPRESSED);
	ck_assert_int_eq(sniff_bytes("\x1f\x9d\x90", 3), ARCHIVE_COMPRESSED);
	ck_assert_int_eq(sniff_bytes("\x1f\x9d\x08", 3), ARCHIVE_NONE);
	ck_assert_int_eq(sniff_bytes("PK\3\4", 4), ARCHIVE_CONTAINER);
	ck_assert_int_eq(sniff_bytes("PK\5\6", 4), ARCHIVE_CONTAINER);
	ck_assert_int_eq(sniff_bytes("PK is text", 10), ARCHIVE_NONE);
	ck_assert_int_eq(sniff_bytes("7z\xbc\xaf\x27\x1c", 6),
			 ARCHIVE_CONTAINER);
	ck_assert_int_eq(sniff_bytes("070707", 6), ARCHIVE_CONTAINER);
	ck_assert_int_eq(sniff_bytes("070701", 6), ARCHIVE_CONTAINER);
	ck_assert_int_eq(sniff_bytes("070702", 6), ARCHIVE_CONTAINER);
	ck_assert_int_eq(sniff_bytes("070703", 6), ARCHIVE_NONE);

	/* binary cpio, both byte orders, with a name ending where it says */
	memset(h, 0, sizeof(h));
	h[0] = 0xc7, h[1] = 0x71, h[20] = 4, memcpy(h + 26, "abc", 4);
	ck_assert_int_eq(sniff_bytes(h, 64), ARCHIVE_CONTAINER);
	h[29] = 'x';
	ck_assert_int_eq(sniff_bytes(h, 64), ARCHIVE_NONE);
	memset(h, 0, sizeof(h));
	h[0] = 0x71, h[1] = 0xc7, h[21] = 4, memcpy(h + 26, "abc", 4);
	ck_assert_int_eq(sniff_bytes(h, 64), ARCHIVE_CONTAINER);
	ck_assert_int_eq(sniff_bytes("q\xc7 text", 7), ARCHIVE_NONE);

	/* tar: POSIX and GNU magic, and the checksum must add up */
	make_tar_header(h, "ustar\00000");
	ck_assert_int_eq(sniff_bytes(h, 512), ARCHIVE_CONTAINER);
	ck_assert_int_eq(sniff_bytes(h, 511), ARCHIVE_NONE);
	make_tar_header(h, "ustar  \0");
	ck_assert_int_eq(sniff_bytes(h, 512), ARCHIVE_CONTAINER);
	h[0] = 'F';
	ck_assert_int_eq(sniff_bytes(h, 512), ARCHIVE_NONE);
	/* old v7 tar: no magic, not recognized */
	make_tar_header(h, "\0\0\0\0\0\0\0\0");
	ck_assert_int_eq(sniff_bytes(h, 512), ARCHIVE_NONE);

	/* ISO 9660: "CD001" at 32769, which needs the whole sniff window */
	memset(big, 'x', sizeof(big));
	memcpy(big + 32769, "CD001", 5);
	ck_assert_int_eq(sniff_bytes(big, sizeof(big)), ARCHIVE_CONTAINER);
	ck_assert_int_eq(sniff_bytes(big, sizeof(big) - 1), ARCHIVE_NONE);
}
END_TEST

/* Files whose names say archive but whose bytes do not. */
START_TEST(test_sniff_by_content_only)
{
	ck_assert_int_eq(sniff_file("x.zip"), ARCHIVE_NONE);
	ck_assert_int_eq(sniff_file("notgz.gz"), ARCHIVE_NONE);
	ck_assert_int_eq(sniff_file("ustar-text.txt"), ARCHIVE_NONE);
	ck_assert_int_eq(sniff_file("plain.tar"), ARCHIVE_CONTAINER);
	ck_assert_int_eq(sniff_file("t.iso"), ARCHIVE_CONTAINER);
	ck_assert_int_eq(sniff_file("t.tar.gz"), ARCHIVE_COMPRESSED);
}
END_TEST

START_TEST(test_limits_default)
{
	struct archive_limits lim;

	archive_limits_default(&lim);
	ck_assert_uint_eq(lim.member_bytes, 1ull << 30);
	ck_assert_uint_eq(lim.total_bytes, 4ull << 30);
	ck_assert_uint_eq(lim.ratio, 1000);
	ck_assert_uint_eq(lim.members, 100000);
	ck_assert_uint_eq(lim.depth, 4);
}
END_TEST

/* -------------------------------------------------------- hostility ---- */

static char *make_tmpdir(void)
{
	char *d = dupstr("/tmp/test_archive.cwd.XXXXXX");

	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

static int dir_is_empty(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *de;
	int empty = 1;

	ck_assert_ptr_nonnull(dir);
	while ((de = readdir(dir)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(dir);
	return empty;
}

/*
 * Path traversal, absolute names, links to /etc: reported verbatim, and
 * nothing at all appears on disk, where the process stands or elsewhere.
 */
START_TEST(test_evil_names_touch_nothing)
{
	static const char *const evil[] = {
		"evil.tar", "evil-gnu.tar", "evil.zip",
	};
	char cwd[4096], *tmp = make_tmpdir();
	int abs_before = access("/abs", F_OK) == 0;

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir(tmp), 0);
	for (size_t i = 0; i < ARRAY_LEN(evil); i++)
		check_case(find_case(evil[i]));
	ck_assert_msg(dir_is_empty("."), "something appeared in the cwd");
	ck_assert_int_ne(access("passwd", F_OK), 0);
	ck_assert_int_ne(access("etc", F_OK), 0);
	if (!abs_before)
		ck_assert_int_ne(access("/abs", F_OK), 0);
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_int_eq(rmdir(tmp), 0);
	free(tmp);
}
END_TEST

/* The names that must come back byte for byte. */
START_TEST(test_evil_names_verbatim)
{
	static const char *const names[] = {
		"../../etc/passwd", "/abs/path.txt", "new\nline.txt",
		"bad\xff\xfename.txt", "Gr\xc3\xb6\xc3\x9f" "e-\xe6\x97\xa5"
		"\xe6\x9c\xac.txt",
	};
	static const char *const files[] = { "evil.tar", "evil-gnu.tar" };

	for (size_t f = 0; f < 2; f++) {
		struct archive_summary sum;
		struct got g;
		int link = 0;

		memset(&g, 0, sizeof(g));
		ck_assert_int_eq(run(files[f], ARCHIVE_CONTAINER, COUNT_UTF8,
				     NULL, &g, &sum), 0);
		for (size_t n = 0; n < ARRAY_LEN(names); n++) {
			int found = 0;

			for (size_t i = 0; i < g.nr; i++)
				found |= g.m[i].name_len == strlen(names[n]) &&
					 !memcmp(g.m[i].name, names[n],
						 g.m[i].name_len);
			ck_assert_msg(found, "%s: no member '%s'", files[f],
				      names[n]);
		}
		for (size_t i = 0; i < g.nr; i++)
			if (g.m[i].kind == MEMBER_LINK &&
			    !strcmp(g.m[i].name, "link-to-passwd")) {
				ck_assert_str_eq(g.m[i].target, "/etc/passwd");
				ck_assert_uint_eq(g.m[i].counts.bytes, 0);
				link = 1;
			}
		ck_assert(link);
		got_release(&g);
	}
}
END_TEST

/* ------------------------------------------------------- the caller ---- */

START_TEST(test_callback_stops)
{
	struct archive_summary sum;
	struct got g;

	memset(&g, 0, sizeof(g));
	g.stop_after = 2;
	ck_assert_int_eq(run("plain.tar", ARCHIVE_CONTAINER, COUNT_UTF8, NULL,
			     &g, &sum), -1);
	ck_assert_uint_eq(g.nr, 2);
	ck_assert_uint_eq(sum.members, 2);
	ck_assert_int_eq(sum.status, MEMBER_ERROR);
	ck_assert(*sum.message);
	got_release(&g);

	/* inside a nested archive too */
	g.stop_after = 3;
	ck_assert_int_eq(run("nested3.tar.gz", ARCHIVE_COMPRESSED, COUNT_UTF8,
			     NULL, &g, &sum), -1);
	ck_assert_uint_eq(g.nr, 3);
	ck_assert_int_eq(sum.status, MEMBER_ERROR);
	got_release(&g);
}
END_TEST

START_TEST(test_no_callback)
{
	struct archive_summary sum;
	int fd = open_fixture("doc.txt.gz");
	const struct want_case *c = find_case("doc.txt.gz");

	ck_assert_int_eq(archive_count(fd, ARCHIVE_COMPRESSED, COUNT_UTF8,
				       NULL, NULL, NULL, &sum), 0);
	close(fd);
	ck_assert_int_eq(sum.status, MEMBER_OK);
	ck_assert_uint_eq(sum.members, 0);
	ck_assert(same_counts(c->doc, &sum.counts));
	ck_assert_uint_eq(sum.bytes_out, sum.counts.bytes);
	ck_assert_uint_gt(sum.bytes_in, 0);

	/* members are counted even when nobody listens */
	fd = open_fixture("plain.tar");
	ck_assert_int_eq(archive_count(fd, ARCHIVE_CONTAINER, COUNT_UTF8,
				       NULL, NULL, NULL, &sum), 0);
	close(fd);
	ck_assert_uint_eq(sum.members, find_case("plain.tar")->nr);
}
END_TEST

START_TEST(test_not_an_archive)
{
	struct archive_summary sum;
	struct got g;
	int fd;

	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(run("notgz.gz", ARCHIVE_NONE, COUNT_UTF8, NULL, &g,
			     &sum), -1);
	ck_assert_int_eq(sum.status, MEMBER_ERROR);
	/* a caller that insists: a text file is no tar, nor gzip */
	ck_assert_int_eq(run("notgz.gz", ARCHIVE_CONTAINER, COUNT_UTF8, NULL,
			     &g, &sum), -1);
	ck_assert_int_eq(sum.status, MEMBER_ERROR);
	ck_assert(*sum.message);
	ck_assert_int_eq(run("notgz.gz", ARCHIVE_COMPRESSED, COUNT_UTF8, NULL,
			     &g, &sum), -1);
	ck_assert_int_eq(sum.status, MEMBER_ERROR);
	ck_assert_uint_eq(g.nr, 0);

	/* an empty file */
	fd = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(archive_count(fd, ARCHIVE_CONTAINER, COUNT_UTF8,
				       NULL, collect, &g, &sum), -1);
	close(fd);
	ck_assert_uint_eq(g.nr, 0);
	got_release(&g);
}
END_TEST

/*
 * The archive starts part way into the file: libarchive's offsets (zip's
 * seeks to its central directory) are relative to where fd stands.
 */
START_TEST(test_start_offset)
{
	static const char *const files[] = { "t.zip", "plain.tar", "t.7z" };

	for (size_t f = 0; f < 3; f++) {
		const struct want_case *c = find_case(files[f]);
		char src[512], dst[] = "/tmp/test_archive.off.XXXXXX";
		struct archive_summary sum;
		struct got g;
		char buf[65536];
		ssize_t n;
		int in, out;

		if (!has_fixture(files[f]))
			continue;
		fixture_path(src, sizeof(src), files[f]);
		in = open(src, O_RDONLY);
		out = mkstemp(dst);
		ck_assert_int_ge(in, 0);
		ck_assert_int_ge(out, 0);
		unlink(dst);		/* gone even if an assertion fails */
		ck_assert_int_eq(write(out, "some junk before the archive\n",
				       29), 29);
		while ((n = read(in, buf, sizeof(buf))) > 0)
			ck_assert_int_eq(write(out, buf, (size_t)n), n);
		close(in);
		ck_assert_int_eq(lseek(out, 29, SEEK_SET), 29);
		memset(&g, 0, sizeof(g));
		ck_assert_int_eq(archive_count(out, c->sniff, COUNT_UTF8, NULL,
					       collect, &g, &sum), 0);
		ck_assert_int_eq(sum.status, MEMBER_OK);
		ck_assert_uint_eq(g.nr, c->nr);
		for (size_t i = 0; i < g.nr; i++)
			check_member(c, i, &c->m[i], &g.m[i], 0);
		got_release(&g);
		close(out);
	}
}
END_TEST

/* Feed a fixture through a pipe, from a child process. */
static int pipe_fixture(const char *file, pid_t *pid)
{
	char path[512];
	int p[2];

	fixture_path(path, sizeof(path), file);
	ck_assert_int_eq(pipe(p), 0);
	*pid = fork();
	ck_assert_int_ge(*pid, 0);
	if (!*pid) {
		char buf[4096];
		ssize_t n;
		int in = open(path, O_RDONLY);

		close(p[0]);
		signal(SIGPIPE, SIG_DFL);
		if (in < 0)
			_exit(1);
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(p[1], buf, (size_t)n) != n)
				_exit(1);
		_exit(0);
	}
	close(p[1]);
	return p[0];
}

/* No seeking: zips are streamed, a 7z cannot be read. */
START_TEST(test_pipe)
{
	static const char *const files[] = {
		"t.zip", "t.tar.gz", "plain.tar", "nested3.tar.gz", "t.iso",
		"doc.txt.xz",
	};

	for (size_t f = 0; f < ARRAY_LEN(files); f++) {
		const struct want_case *c = find_case(files[f]);
		struct archive_summary sum;
		struct got g;
		pid_t pid;
		int fd = pipe_fixture(files[f], &pid), status;

		memset(&g, 0, sizeof(g));
		ck_assert_msg(archive_count(fd, c->sniff, COUNT_UTF8, NULL,
					    collect, &g, &sum) == 0,
			      "%s: %s", files[f], sum.message);
		close(fd);
		waitpid(pid, &status, 0);
		ck_assert_int_eq(sum.status, MEMBER_OK);
		ck_assert_uint_eq(g.nr, c->nr);
		for (size_t i = 0; i < g.nr; i++)
			check_member(c, i, &c->m[i], &g.m[i], 0);
		if (c->has_doc)
			ck_assert(same_counts(c->doc, &sum.counts));
		got_release(&g);
	}
	if (has_fixture("t.7z")) {
		struct archive_summary sum;
		struct got g;
		pid_t pid;
		int fd = pipe_fixture("t.7z", &pid), status;

		memset(&g, 0, sizeof(g));
		ck_assert_int_eq(archive_count(fd, ARCHIVE_CONTAINER,
					       COUNT_UTF8, NULL, collect, &g,
					       &sum), -1);
		close(fd);
		waitpid(pid, &status, 0);
		ck_assert_int_eq(sum.status, MEMBER_ERROR);
		got_release(&g);
	}
}
END_TEST

/* ------------------------------------------------------------ bombs ---- */

static long maxrss_kib(void)
{
	struct rusage ru;

	ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

/*
 * Expansion bombs stop at their limits, with memory that does not grow
 * with what they expand to.
 */
START_TEST(test_bombs_bounded)
{
	static const char *const bombs[] = {
		"bomb-ratio.gz-ratio10", "42.zip", "42.zip-total",
		"42.zip-members",
	};
	long before = maxrss_kib();

	for (size_t i = 0; i < ARRAY_LEN(bombs); i++) {
		const struct want_case *c = find_case(bombs[i]);
		/* a bomb stops soon after its limit: 16 MiB for the ratio,
		 * a member of 1 MiB past the members limit */
		uint64_t most = c->lim.members < 100 ?
				(c->lim.members + 1) << 20 : 17ull << 20;
		struct archive_summary sum;
		struct got g;

		check_case(c);
		/* the bomb stops soon after its limit */
		memset(&g, 0, sizeof(g));
		run(c->file, c->sniff, c->mode, &c->lim, &g, &sum);
		ck_assert_int_eq(sum.status, MEMBER_LIMIT);
		ck_assert_uint_le(sum.bytes_out, most);
		ck_assert_uint_le(sum.members, c->lim.members);
		got_release(&g);
	}
	ck_assert_msg(maxrss_kib() - before < 64 * 1024,
		      "memory grew from %ld to %ld KiB", before, maxrss_kib());
}
END_TEST

/* A high ratio under the 16 MiB floor is fine; lowered limits all at once. */
START_TEST(test_lowered_limits)
{
	struct archive_limits lim;
	struct archive_summary sum;
	struct got g;

	check_case(find_case("small-ratio.gz-ratio10"));
	check_case(find_case("plain.tar-all"));

	/* depth 1: the 42.zip is ten plain members */
	archive_limits_default(&lim);
	lim.depth = 1;
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(run("42.zip", ARCHIVE_CONTAINER, COUNT_UTF8, &lim,
			     &g, &sum), 0);
	ck_assert_uint_eq(g.nr, 10);
	for (size_t i = 0; i < g.nr; i++) {
		ck_assert_int_eq(g.m[i].kind, MEMBER_FILE);
		ck_assert(g.m[i].counts.flags & COUNT_F_BINARY);
	}
	got_release(&g);

	/* members: the limit counts nested members too */
	lim.depth = 4;
	lim.members = 5;
	lim.ratio = 1ull << 40;
	ck_assert_int_eq(run("nested3.tar.gz", ARCHIVE_COMPRESSED, COUNT_UTF8,
			     &lim, &g, &sum), 0);
	ck_assert_int_eq(sum.status, MEMBER_LIMIT);
	ck_assert_uint_eq(g.nr, 5);
	got_release(&g);

	/* member_bytes applies to a compressed member's decompressed bytes */
	archive_limits_default(&lim);
	lim.member_bytes = 10;
	ck_assert_int_eq(run("nested2.tar.gz", ARCHIVE_COMPRESSED, COUNT_UTF8,
			     &lim, &g, &sum), 0);
	ck_assert_int_eq(sum.status, MEMBER_LIMIT);
	for (size_t i = 0; i < g.nr; i++)
		if (g.m[i].kind == MEMBER_FILE) {
			ck_assert_int_eq(g.m[i].status, MEMBER_LIMIT);
			ck_assert_uint_eq(g.m[i].counts.bytes, 10);
		}
	got_release(&g);
}
END_TEST

/*
 * A compressed document inside an archive says so (the row gets the flag
 * a lone compressed file gets); every other member, nested ones included,
 * does not.
 */
START_TEST(test_compressed_members)
{
	struct archive_limits lim;
	struct archive_summary sum;
	struct got g = { 0 };
	int seen = 0;

	archive_limits_default(&lim);
	ck_assert_int_eq(run("nested2.tar.gz", ARCHIVE_COMPRESSED, COUNT_UTF8,
			     &lim, &g, &sum), 0);
	ck_assert_int_eq(sum.status, MEMBER_OK);
	for (size_t i = 0; i < g.nr; i++) {
		int want = !strcmp(g.m[i].name, "notes.txt.gz");

		seen += want;
		ck_assert_msg(g.m[i].compressed == want, "member '%s': "
			      "compressed %d", g.m[i].name, g.m[i].compressed);
	}
	ck_assert_int_eq(seen, 1);
	got_release(&g);
}
END_TEST

/* ------------------------------------------------------------- main ---- */

/* ------------------------------------------------------ a growing file */

struct grower {
	int fd;			/* O_APPEND on the file being read */
	unsigned appended;
};

/* One ustar member of 512 bytes of text, header and data. */
static void tar_member(unsigned char *blk, unsigned i)
{
	unsigned sum = 0;

	memset(blk, 0, 1024);
	snprintf((char *)blk, 100, "m%u.txt", i);
	memcpy(blk + 100, "0000644", 7);
	memcpy(blk + 124, "00000001000", 11);
	blk[156] = '0';
	memcpy(blk + 257, "ustar\00000", 8);
	memset(blk + 148, ' ', 8);
	for (int k = 0; k < 512; k++)
		sum += blk[k];
	snprintf((char *)blk + 148, 8, "%06o", sum);
	memset(blk + 512, 'w', 511);
	blk[1023] = '\n';
}

/* Every member read makes the file one member longer, without an end. */
static int grow_file(void *data, const struct member_result *r)
{
	struct grower *g = data;
	unsigned char blk[1024];

	(void)r;
	tar_member(blk, g->appended + 1);
	ck_assert_int_eq(write(g->fd, blk, sizeof(blk)), (ssize_t)sizeof(blk));
	return ++g->appended >= 20000;	/* 20 MB: the bound is not there */
}

START_TEST(test_growing_file_bounded)
{
	char path[] = "/tmp/wcindex-grow-XXXXXX";
	struct archive_limits lim;
	struct archive_summary sum;
	struct grower g = { -1, 0 };
	unsigned char blk[1024];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	tar_member(blk, 0);
	ck_assert_int_eq(write(fd, blk, sizeof(blk)), (ssize_t)sizeof(blk));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	g.fd = open(path, O_WRONLY | O_APPEND);
	ck_assert_int_ge(g.fd, 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	archive_limits_default(&lim);
	lim.members = 1000000;
	archive_count(fd, ARCHIVE_CONTAINER, COUNT_UTF8, &lim, grow_file, &g,
		      &sum);
	/* 1 KiB then 1 MiB of margin, and what libarchive had read ahead */
	ck_assert_msg(g.appended < 1200, "%u members appended and read",
		      g.appended);
	ck_assert_msg(strstr(sum.message, "grew"), "message '%s'", sum.message);
	close(g.fd);
	close(fd);
}
END_TEST

/* ------------------------------------------------- nested member names */

#define MAX_LEVELS 3

struct levels {
	size_t nr;
	char name[MAX_LEVELS + 1][8];	/* room for one more: a bad decode */
};

/* Encode the levels as the reader does. */
static void encode_levels(const struct levels *l, struct strbuf *sb)
{
	strbuf_reset(sb);
	for (size_t i = 0; i < l->nr; i++) {
		if (i)
			strbuf_addstr(sb, ARCHIVE_NEST_SEP);
		archive_name_add(sb, l->name[i], strlen(l->name[i]), !i);
	}
}

/*
 * The decoding wcindex(1) describes: in a run of m '!' before a '/', an
 * odd m ends the name with (m - 1) / 2 '!' and is a separator, an even m
 * is m / 2 '!' and a '/'; a run at the end is halved; any other run is
 * itself.  A path that starts with a separator has an empty first name,
 * which took one separator more.  Returns -1 on what no encoding gives.
 */
static int decode_levels(const char *s, struct levels *l)
{
	size_t len = strlen(s), i = 0, cur = 0, nr = 1;
	char names[2 * MAX_LEVELS + 2][16];

	memset(names, 0, sizeof(names));
	while (i < len) {
		size_t m = 0, j, k;

		if (s[i] != '!') {
			if (cur >= 15)
				return -1;
			names[nr - 1][cur++] = s[i++];
			continue;
		}
		while (i + m < len && s[i + m] == '!')
			m++;
		j = i + m;
		k = j == len || s[j] == '/' ? m / 2 : m;
		if (j == len && m % 2)
			return -1;
		if (cur + k + 1 >= 15)
			return -1;
		memset(names[nr - 1] + cur, '!', k);
		cur += k;
		i = j;
		if (j < len && s[j] == '/') {
			i++;
			if (m % 2) {
				if (nr == ARRAY_LEN(names))
					return -1;
				nr++;
				cur = 0;
			} else {
				names[nr - 1][cur++] = '/';
			}
		}
	}
	memset(l, 0, sizeof(*l));
	for (size_t n = (nr > 1 && !names[0][0]) ? 1 : 0; n < nr; n++) {
		if (l->nr == MAX_LEVELS + 1 || strlen(names[n]) >= 8)
			return -1;
		strcpy(l->name[l->nr++], names[n]);
	}
	return 0;
}

/* Every path of up to 3 levels of names of up to 3 of '!', '/', 'a'. */
START_TEST(test_nested_names_reversible)
{
	static const char alpha[] = "!/a";
	char names[40][8];
	size_t nn = 0, checked = 0;
	struct strbuf sb = STRBUF_INIT;

	for (size_t len = 0; len <= 3; len++)
		for (size_t code = 0; code < (size_t)(len == 0 ? 1 : len == 1 ? 3 :
						     len == 2 ? 9 : 27); code++) {
			size_t c = code;

			for (size_t i = 0; i < len; i++, c /= 3)
				names[nn][i] = alpha[c % 3];
			names[nn++][len] = '\0';
		}
	for (size_t levels = 1; levels <= MAX_LEVELS; levels++) {
		size_t total = 1;

		for (size_t i = 0; i < levels; i++)
			total *= nn;
		for (size_t code = 0; code < total; code++) {
			struct levels in = { levels, { { 0 } } }, out;
			size_t c = code;

			for (size_t i = 0; i < levels; i++, c /= nn)
				strcpy(in.name[i], names[c % nn]);
			encode_levels(&in, &sb);
			ck_assert_msg(decode_levels(sb.buf, &out) == 0 &&
				      out.nr == in.nr, "'%s': no decoding", sb.buf);
			for (size_t i = 0; i < levels; i++)
				ck_assert_msg(!strcmp(in.name[i], out.name[i]),
					      "'%s': level %zu is '%s', not '%s'",
					      sb.buf, i, out.name[i], in.name[i]);
			checked++;
		}
	}
	ck_assert_uint_eq(checked, 40 + 40 * 40 + 40 * 40 * 40);
	/* the everyday names are stored as they are */
	strbuf_reset(&sb);
	archive_name_add(&sb, "doc/a!b.txt", 11, 1);
	ck_assert_str_eq(sb.buf, "doc/a!b.txt");
	strbuf_release(&sb);
}
END_TEST

static Suite *archive_suite(void)
{
	Suite *s = suite_create("archive");
	TCase *tc;

	tc = add_tcase(s, "sniff", 0);
	tcase_add_test(tc, test_sniff_magic);
	tcase_add_test(tc, test_sniff_by_content_only);
	tcase_add_test(tc, test_limits_default);

	tc = add_tcase(s, "manifest", 600);
	tcase_add_loop_test(tc, test_manifest_case, 0, (int)nr_cases);

	tc = add_tcase(s, "hostile", 600);
	tcase_add_test(tc, test_evil_names_touch_nothing);
	tcase_add_test(tc, test_evil_names_verbatim);
	tcase_add_test(tc, test_nested_names_reversible);
	tcase_add_test(tc, test_growing_file_bounded);
	tcase_add_test(tc, test_bombs_bounded);
	tcase_add_test(tc, test_lowered_limits);

	tc = add_tcase(s, "caller", 600);
	tcase_add_test(tc, test_callback_stops);
	tcase_add_test(tc, test_no_callback);
	tcase_add_test(tc, test_not_an_archive);
	tcase_add_test(tc, test_compressed_members);
	tcase_add_test(tc, test_start_offset);
	tcase_add_test(tc, test_pipe);
	return s;
}

/* Write the fixtures with tests/gen-archives.py. */
static void make_fixtures(void)
{
	const char *python = test_python3();
	char cmd[1024], path[512];

	if (!python)
		python = "python3";
	scratch_create(fixdir, sizeof(fixdir), "test_archive");
	snprintf(cmd, sizeof(cmd), "'%s' '%s/gen-archives.py' '%s'", python,
		 test_srcdir(), fixdir);
	if (system(cmd) != 0) {
		fprintf(stderr, "test_archive: '%s' failed\n", cmd);
		exit(2);
	}
	snprintf(path, sizeof(path), "%s/manifest.tsv", fixdir);
	load_manifest(path);
}

int main(void)
{
	int status;

	make_fixtures();
	status = run_suite(archive_suite());
	free_manifest();
	scratch_remove(fixdir);
	return status;
}
