/*
 * test_fsutil.c - unit tests of the path helpers (src/fsutil.c), run in a
 * fresh temporary directory: open_long_path() on a path longer than
 * PATH_MAX (a deep chain built with mkdirat()), with a missing component
 * and with O_NOFOLLOW on a final symlink; canonical_path() through
 * symlinks, ".." and trailing slashes; absolute_path() on existing and
 * missing paths, relative ones, ".", "..", doubled slashes and a missing
 * tail below a symlinked directory; file_ext();
 * path_join() with the root; and excludes_match() against the base name,
 * the relative path and the absolute path.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "strbuf.h"
#include "scratch.h"
#include "testmain.h"

/* ------------------------------------------------------- fixture ---- */

/*
 * Each test case has the scratch fixtures (scratch.h): each test works in
 * a fresh scratch_dir, and the setup here notes its canonical form.
 */
static struct strbuf real = STRBUF_INIT; /* scratch_dir's canonical form */

static void setup(void)
{
	char *r;

	r = realpath(scratch_dir, NULL);
	ck_assert_ptr_nonnull(r);
	strbuf_reset(&real);
	strbuf_addstr(&real, r);
	free(r);
}

static void teardown(void)
{
	strbuf_release(&real);
}

/* The expected canonical form of scratch_path(rel). */
static const char *rpath(const char *rel)
{
	static struct strbuf sb = STRBUF_INIT;

	strbuf_reset(&sb);
	if (*rel)
		strbuf_addf(&sb, "%s/%s", real.buf, rel);
	else
		strbuf_addstr(&sb, real.buf);
	return sb.buf;
}

static void make_dir(const char *rel)
{
	ck_assert_int_eq(mkdir(scratch_path(rel), 0755), 0);
}

static void make_file(const char *rel, const char *content)
{
	scratch_write(scratch_path(rel), content, strlen(content));
}

static void make_link(const char *target, const char *rel)
{
	ck_assert_int_eq(symlink(target, scratch_path(rel)), 0);
}

/* Read what fd holds (at most 255 bytes) as a string, and close it. */
static void read_fd(int fd, char *buf, size_t size)
{
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, size - 1);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	close(fd);
}

/* ---------------------------------------------------- long paths ---- */

#define COMPONENT_LEN 200
#define DEPTH 45		/* 45 * 201 bytes: more than two PATH_MAX pieces */

/*
 * Build scratch_dir/addd.../bddd.../... DEPTH levels deep with
 * scratch_deep_dirs() (no path of it is ever passed to the kernel whole),
 * create "file" holding "deep content\n", a symlink "link" -> "file" and a
 * directory "sub" at the bottom, and return the absolute path of the
 * bottom directory in out.
 */
static void build_deep_chain(struct strbuf *out)
{
	int dirfd, fd;

	strbuf_reset(out);
	strbuf_addstr(out, scratch_dir);
	dirfd = scratch_deep_dirs(out, DEPTH, COMPONENT_LEN, 'd');
	fd = openat(dirfd, "file", O_WRONLY | O_CREAT | O_EXCL, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "deep content\n", 13), 13);
	close(fd);
	ck_assert_int_eq(symlinkat("file", dirfd, "link"), 0);
	ck_assert_int_eq(mkdirat(dirfd, "sub", 0755), 0);
	close(dirfd);
	ck_assert_uint_gt(out->len, PATH_MAX);
}

START_TEST(test_open_long_path)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	char buf[256];
	int fd;

	build_deep_chain(&dir);
	strbuf_addf(&path, "%s/file", dir.buf);

	/* plain open() cannot do it: that is the point of the helper */
	errno = 0;
	ck_assert_int_lt(open(path.buf, O_RDONLY), 0);
	ck_assert_int_eq(errno, ENAMETOOLONG);

	fd = open_long_path(path.buf, O_RDONLY | O_CLOEXEC);
	read_fd(fd, buf, sizeof(buf));
	ck_assert_str_eq(buf, "deep content\n");

	/* a doubled slash is an empty component, skipped */
	strbuf_reset(&path);
	strbuf_addf(&path, "%s//file", dir.buf);
	fd = open_long_path(path.buf, O_RDONLY);
	read_fd(fd, buf, sizeof(buf));
	ck_assert_str_eq(buf, "deep content\n");

	/* the last component may be a directory, with O_DIRECTORY */
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/sub", dir.buf);
	fd = open_long_path(path.buf, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	close(fd);

	/* the flags apply to the last component: O_CREAT creates it */
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/new", dir.buf);
	fd = open_long_path(path.buf, O_WRONLY | O_CREAT | O_EXCL);
	ck_assert_int_ge(fd, 0);
	close(fd);
	errno = 0;
	ck_assert_int_eq(open_long_path(path.buf, O_WRONLY | O_CREAT | O_EXCL), -1);
	ck_assert_int_eq(errno, EEXIST);

	strbuf_release(&dir);
	strbuf_release(&path);
}
END_TEST

START_TEST(test_open_long_path_missing)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	char *mid;

	build_deep_chain(&dir);

	/* a missing last component */
	strbuf_addf(&path, "%s/nofile", dir.buf);
	errno = 0;
	ck_assert_int_eq(open_long_path(path.buf, O_RDONLY), -1);
	ck_assert_int_eq(errno, ENOENT);

	/* a missing directory in the middle: rename one level's first byte */
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/file", dir.buf);
	mid = path.buf + strlen(scratch_dir) + 1 + 10 * (COMPONENT_LEN + 1);
	ck_assert_int_eq(*mid, 'a' + 10);
	*mid = 'Z';
	errno = 0;
	ck_assert_int_eq(open_long_path(path.buf, O_RDONLY), -1);
	ck_assert_int_eq(errno, ENOENT);

	/* a file used as a directory */
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/file/x", dir.buf);
	errno = 0;
	ck_assert_int_eq(open_long_path(path.buf, O_RDONLY), -1);
	ck_assert_int_eq(errno, ENOTDIR);

	strbuf_release(&dir);
	strbuf_release(&path);
}
END_TEST

START_TEST(test_open_long_path_nofollow)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	char buf[256];
	int fd;

	build_deep_chain(&dir);
	strbuf_addf(&path, "%s/link", dir.buf);

	errno = 0;
	ck_assert_int_eq(open_long_path(path.buf, O_RDONLY | O_NOFOLLOW), -1);
	ck_assert_int_eq(errno, ELOOP);

	/* without O_NOFOLLOW the link is followed */
	fd = open_long_path(path.buf, O_RDONLY);
	read_fd(fd, buf, sizeof(buf));
	ck_assert_str_eq(buf, "deep content\n");

	strbuf_release(&dir);
	strbuf_release(&path);
}
END_TEST

/*
 * fsutil.h: "flags apply to the last component only".  A long path whose
 * directories include a symlink must then open with O_NOFOLLOW as a short
 * one does with open(2), which follows symlinks in the directory part.
 */
START_TEST(test_open_long_path_nofollow_last_only)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	char buf[256];
	int fd, err;

	/* short path: open(2) semantics, for reference */
	make_dir("real");
	make_file("real/f", "short\n");
	make_link("real", "ln");
	fd = open_long_path(scratch_path("ln/f"), O_RDONLY | O_NOFOLLOW);
	read_fd(fd, buf, sizeof(buf));
	ck_assert_str_eq(buf, "short\n");

	/*
	 * Long path through a symlinked directory: scratch_dir/deeplink
	 * points at the first level of the chain, and the path goes on below
	 * it.
	 */
	build_deep_chain(&dir);
	{
		const char *first = dir.buf + strlen(scratch_dir) + 1;
		char *name = strndup(first, COMPONENT_LEN);

		ck_assert_ptr_nonnull(name);
		ck_assert_int_eq(symlink(name, scratch_path("deeplink")), 0);
		free(name);
		strbuf_addf(&path, "%s/deeplink%s/file", scratch_dir,
			    first + COMPONENT_LEN);
	}
	ck_assert_uint_gt(path.len, PATH_MAX);
	/* without O_NOFOLLOW it works */
	fd = open_long_path(path.buf, O_RDONLY);
	read_fd(fd, buf, sizeof(buf));
	ck_assert_str_eq(buf, "deep content\n");
	/* with it, the final component is a plain file: it must work too */
	errno = 0;
	fd = open_long_path(path.buf, O_RDONLY | O_NOFOLLOW);
	err = errno;
	strbuf_release(&dir);
	strbuf_release(&path);
	ck_assert_msg(fd >= 0, "long path through a symlinked directory with "
		      "O_NOFOLLOW: %s (short paths follow such links)",
		      strerror(err));
	read_fd(fd, buf, sizeof(buf));
	ck_assert_str_eq(buf, "deep content\n");
}
END_TEST

START_TEST(test_open_short_path)
{
	char buf[256];
	int fd;

	make_file("f", "short file\n");
	fd = open_long_path(scratch_path("f"), O_RDONLY);
	read_fd(fd, buf, sizeof(buf));
	ck_assert_str_eq(buf, "short file\n");
	errno = 0;
	ck_assert_int_eq(open_long_path(scratch_path("missing"), O_RDONLY), -1);
	ck_assert_int_eq(errno, ENOENT);
	make_link("f", "l");
	errno = 0;
	ck_assert_int_eq(open_long_path(scratch_path("l"),
					O_RDONLY | O_NOFOLLOW), -1);
	ck_assert_int_eq(errno, ELOOP);
}
END_TEST

/* ------------------------------------------------ canonical_path ---- */

START_TEST(test_canonical_path)
{
	struct strbuf out = STRBUF_INIT;

	make_dir("a");
	make_dir("a/b");
	make_file("a/b/f", "x");
	make_link("a/b", "lb");			/* relative target */
	make_link(rpath("a"), "la");		/* absolute target */
	make_link("lb", "chain");		/* a link to a link */

	ck_assert_int_eq(canonical_path(scratch_path("a/b"), &out), 0);
	ck_assert_str_eq(out.buf, rpath("a/b"));
	ck_assert_int_eq(canonical_path(scratch_path("lb"), &out), 0);
	ck_assert_str_eq(out.buf, rpath("a/b"));
	ck_assert_int_eq(canonical_path(scratch_path("la/b/f"), &out), 0);
	ck_assert_str_eq(out.buf, rpath("a/b/f"));
	ck_assert_int_eq(canonical_path(scratch_path("chain/f"), &out), 0);
	ck_assert_str_eq(out.buf, rpath("a/b/f"));

	/* ".." after a symlink is taken physically (as realpath does) */
	ck_assert_int_eq(canonical_path(scratch_path("lb/.."), &out), 0);
	ck_assert_str_eq(out.buf, rpath("a"));
	ck_assert_int_eq(canonical_path(scratch_path("a/b/../b/./f"), &out), 0);
	ck_assert_str_eq(out.buf, rpath("a/b/f"));

	/* trailing slashes, doubled slashes */
	ck_assert_int_eq(canonical_path(scratch_path("a/b/"), &out), 0);
	ck_assert_str_eq(out.buf, rpath("a/b"));
	ck_assert_int_eq(canonical_path(scratch_path("a//b//"), &out), 0);
	ck_assert_str_eq(out.buf, rpath("a/b"));
	ck_assert_int_eq(canonical_path("/", &out), 0);
	ck_assert_str_eq(out.buf, "/");
	ck_assert_int_eq(canonical_path("//..//", &out), 0);
	ck_assert_str_eq(out.buf, "/");

	/* the previous content of out is replaced, not appended to */
	ck_assert_int_eq(canonical_path(scratch_path("a"), &out), 0);
	ck_assert_str_eq(out.buf, rpath("a"));

	/* missing paths fail with errno */
	strbuf_reset(&out);
	strbuf_addstr(&out, "untouched");
	errno = 0;
	ck_assert_int_eq(canonical_path(scratch_path("a/nope"), &out), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(out.buf, "untouched");
	errno = 0;
	ck_assert_int_eq(canonical_path(scratch_path("a/b/f/x"), &out), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	strbuf_release(&out);
}
END_TEST

START_TEST(test_canonical_path_relative)
{
	struct strbuf out = STRBUF_INIT;
	int cwd = open(".", O_RDONLY | O_DIRECTORY);

	ck_assert_int_ge(cwd, 0);
	make_dir("a");
	make_dir("a/b");
	ck_assert_int_eq(chdir(scratch_path("a")), 0);
	ck_assert_int_eq(canonical_path("b", &out), 0);
	ck_assert_str_eq(out.buf, rpath("a/b"));
	ck_assert_int_eq(canonical_path(".", &out), 0);
	ck_assert_str_eq(out.buf, rpath("a"));
	ck_assert_int_eq(canonical_path("b/..", &out), 0);
	ck_assert_str_eq(out.buf, rpath("a"));
	ck_assert_int_eq(fchdir(cwd), 0);
	close(cwd);
	strbuf_release(&out);
}
END_TEST

/* ------------------------------------------------- absolute_path ---- */

START_TEST(test_absolute_path_existing)
{
	struct strbuf out = STRBUF_INIT;

	make_dir("a");
	make_dir("a/b");
	make_file("a/b/f", "x");
	make_link("a", "la");

	absolute_path(scratch_path("a/b"), &out);
	ck_assert_str_eq(out.buf, rpath("a/b"));
	absolute_path(scratch_path("a/b/f"), &out);
	ck_assert_str_eq(out.buf, rpath("a/b/f"));
	absolute_path(scratch_path("a/./b//f"), &out);
	ck_assert_str_eq(out.buf, rpath("a/b/f"));
	absolute_path(scratch_path("a/b/"), &out);
	ck_assert_str_eq(out.buf, rpath("a/b"));
	absolute_path(scratch_path("a/b/../b/f"), &out);
	ck_assert_str_eq(out.buf, rpath("a/b/f"));
	absolute_path(scratch_path("la/b"), &out);	/* existing: resolved */
	ck_assert_str_eq(out.buf, rpath("a/b"));
	absolute_path("/", &out);
	ck_assert_str_eq(out.buf, "/");
	absolute_path("//", &out);
	ck_assert_str_eq(out.buf, "/");
	absolute_path("/..", &out);
	ck_assert_str_eq(out.buf, "/");
	absolute_path("/./.././", &out);
	ck_assert_str_eq(out.buf, "/");
	strbuf_release(&out);
}
END_TEST

START_TEST(test_absolute_path_missing)
{
	struct strbuf out = STRBUF_INIT;

	make_dir("a");
	make_file("a/f", "x");
	make_link("a", "la");

	absolute_path(scratch_path("a/gone"), &out);
	ck_assert_str_eq(out.buf, rpath("a/gone"));
	absolute_path(scratch_path("a/gone/deeper/still"), &out);
	ck_assert_str_eq(out.buf, rpath("a/gone/deeper/still"));
	absolute_path(scratch_path("a/gone//x/"), &out);
	ck_assert_str_eq(out.buf, rpath("a/gone/x"));
	absolute_path(scratch_path("a/gone/./x/../y"), &out);
	ck_assert_str_eq(out.buf, rpath("a/gone/y"));
	absolute_path(scratch_path("a/gone/.."), &out);
	ck_assert_str_eq(out.buf, rpath("a"));

	/* a missing tail under an existing symlinked directory */
	absolute_path(scratch_path("la/gone/x"), &out);
	ck_assert_str_eq(out.buf, rpath("a/gone/x"));

	/* a "directory" that is really a file: the file is the prefix */
	absolute_path(scratch_path("a/f/x"), &out);
	ck_assert_str_eq(out.buf, rpath("a/f/x"));

	/* nothing exists below the root: no doubled slash */
	absolute_path("/nonexistent-wcindex-test/q", &out);
	ck_assert_str_eq(out.buf, "/nonexistent-wcindex-test/q");
	absolute_path("//nonexistent-wcindex-test//q/", &out);
	ck_assert_str_eq(out.buf, "/nonexistent-wcindex-test/q");
	strbuf_release(&out);
}
END_TEST

/*
 * For a path that exists, absolute_path() is "like canonical_path()": the
 * same answer.  `scan` canonicalises its roots and `total`/`ls` use
 * absolute_path(), so any difference makes an indexed path unfindable.
 */
START_TEST(test_absolute_path_matches_canonical)
{
	static const char *const rels[] = {
		"a", "a/b", "a/b/f", "la", "la/b/f", "lb", "lb/f", "a/b/..",
		"lb/..", "la/b/../..",
	};
	struct strbuf abs = STRBUF_INIT, canon = STRBUF_INIT;
	char bad[512] = "";

	make_dir("a");
	make_dir("a/b");
	make_file("a/b/f", "x");
	make_link("a", "la");
	make_link("a/b", "lb");
	for (size_t i = 0; i < ARRAY_LEN(rels); i++) {
		ck_assert_int_eq(canonical_path(scratch_path(rels[i]), &canon),
				 0);
		absolute_path(scratch_path(rels[i]), &abs);
		if (strcmp(abs.buf, canon.buf) && !*bad)
			snprintf(bad, sizeof(bad), "'%s': absolute_path gives "
				 "'%s', canonical_path '%s'", rels[i], abs.buf,
				 canon.buf);
	}
	strbuf_release(&abs);
	strbuf_release(&canon);
	ck_assert_msg(!*bad, "%s", bad);
}
END_TEST

START_TEST(test_absolute_path_relative)
{
	struct strbuf out = STRBUF_INIT;
	int cwd = open(".", O_RDONLY | O_DIRECTORY);

	ck_assert_int_ge(cwd, 0);
	make_dir("a");
	make_dir("a/b");
	make_link("a", "la");
	ck_assert_int_eq(chdir(scratch_path("la")), 0);	/* cwd through a link */

	absolute_path("b", &out);
	ck_assert_str_eq(out.buf, rpath("a/b"));
	absolute_path(".", &out);
	ck_assert_str_eq(out.buf, rpath("a"));
	absolute_path("./b/", &out);
	ck_assert_str_eq(out.buf, rpath("a/b"));
	absolute_path("..", &out);
	ck_assert_str_eq(out.buf, real.buf);
	absolute_path("gone/x", &out);
	ck_assert_str_eq(out.buf, rpath("a/gone/x"));
	absolute_path("gone/../b", &out);
	ck_assert_str_eq(out.buf, rpath("a/b"));
	absolute_path("b//gone", &out);
	ck_assert_str_eq(out.buf, rpath("a/b/gone"));

	ck_assert_int_eq(fchdir(cwd), 0);
	close(cwd);
	strbuf_release(&out);
}
END_TEST

/* ------------------------------------------------------ file_ext ---- */

static const struct {
	const char *name, *ext;
} exts[] = {
	{ ".bashrc", "" },
	{ "a.TXT", "txt" },
	{ "a.tar.gz", "gz" },
	{ "a.", "" },
	{ "noext", "" },
	{ "", "" },
	{ ".", "" },
	{ "..", "" },
	{ ".hidden.Conf", "conf" },
	{ "Makefile.AM", "am" },
	{ "x.\xc3\x89T\xc3\x89", "\xc3\x89t\xc3\x89" },	/* non-ASCII untouched */
	{ "name with space.Md", "md" },
};

/* What compressed files hold: the name without its compression suffix. */
static const struct {
	const char *name, *ext;
} inner_exts[] = {
	{ "ls.1.gz", "1" },
	{ "page.HTML.GZ", "html" },
	{ "changelog.Debian.gz", "debian" },
	{ "README.gz", "" },
	{ ".hidden.gz", "" },
	{ "a.txt.bz2", "txt" },
	{ "a.md.xz", "md" },
	{ "a.csv.zst", "csv" },
	{ "old.tex.Z", "tex" },
	{ "a.tar.gz", "tar" },
	{ "a.txt", "txt" },		/* not compressed: file_ext() */
	{ "a.gz.txt", "txt" },
	{ "gz", "" },
	{ ".gz", "" },
	{ "a..gz", "" },
};

/* fn(name) from a stale buffer gives want, its length included. */
static void check_ext(void (*fn)(const char *, struct strbuf *),
		      const char *fn_name, const char *name, const char *want)
{
	struct strbuf out = STRBUF_INIT;

	strbuf_addstr(&out, "stale");
	fn(name, &out);
	ck_assert_msg(!strcmp(out.buf, want), "%s(\"%s\") = \"%s\", want \"%s\"",
		      fn_name, name, out.buf, want);
	ck_assert_uint_eq(out.len, strlen(want));
	strbuf_release(&out);
}

START_TEST(test_file_ext_inner)
{
	check_ext(file_ext_inner, "file_ext_inner", inner_exts[_i].name,
		  inner_exts[_i].ext);
}
END_TEST

START_TEST(test_file_ext)
{
	check_ext(file_ext, "file_ext", exts[_i].name, exts[_i].ext);
}
END_TEST

/* ----------------------------------------------------- path_join ---- */

START_TEST(test_path_join)
{
	struct strbuf out = STRBUF_INIT;

	path_join(&out, "/", "x");
	ck_assert_str_eq(out.buf, "/x");
	path_join(&out, "/a", "b");
	ck_assert_str_eq(out.buf, "/a/b");
	path_join(&out, "/a/", "b");
	ck_assert_str_eq(out.buf, "/a/b");
	path_join(&out, "/a/b", "c d\ne");
	ck_assert_str_eq(out.buf, "/a/b/c d\ne");
	path_join(&out, "", "x");
	ck_assert_str_eq(out.buf, "/x");
	/* out is reset each time, even when it was the input's home */
	path_join(&out, "/q", ".hidden");
	ck_assert_str_eq(out.buf, "/q/.hidden");
	ck_assert_uint_eq(out.len, 10);
	strbuf_release(&out);
}
END_TEST

/* ------------------------------------------------------ excludes ---- */

START_TEST(test_excludes_match)
{
	struct excludes ex = { NULL, 0, 0 };

	/* no patterns: nothing is excluded */
	ck_assert(!excludes_match(&ex, "/r/a.log", "a.log", "a.log"));

	excludes_add(&ex, "*.log");
	excludes_add(&ex, "docs/old*");
	excludes_add(&ex, "/srv/cache/*");
	excludes_add(&ex, "node_modules");
	ck_assert_uint_eq(ex.nr, 4);

	/* by name, at any depth */
	ck_assert(excludes_match(&ex, "/r/x/y/a.log", "x/y/a.log", "a.log"));
	ck_assert(excludes_match(&ex, NULL, NULL, "a.log"));
	ck_assert(excludes_match(&ex, "/r/x/node_modules", "x/node_modules",
				 "node_modules"));
	/* by relative path only: '*' also matches '/' */
	ck_assert(excludes_match(&ex, "/r/docs/old/v1/f.txt", "docs/old/v1/f.txt",
				 "f.txt"));
	ck_assert(excludes_match(&ex, "/r/docs/older", "docs/older", "older"));
	/* the relative pattern is anchored: not below another directory */
	ck_assert(!excludes_match(&ex, "/r/x/docs/old", "x/docs/old", "old"));
	/* by absolute path only */
	ck_assert(excludes_match(&ex, "/srv/cache/a/b", "a/b", "b"));
	ck_assert(!excludes_match(&ex, "/srv/cachex/a", "a", "a"));
	/* absent relpath/abspath are skipped, not matched */
	ck_assert(!excludes_match(&ex, NULL, NULL, "b"));
	/* no pattern matches */
	ck_assert(!excludes_match(&ex, "/r/a.txt", "a.txt", "a.txt"));
	ck_assert(!excludes_match(&ex, "/r/a.log.txt", "a.log.txt", "a.log.txt"));
	ck_assert(!excludes_match(&ex, "/r/node_modules2", "node_modules2",
				  "node_modules2"));

	/* the patterns are copies: the caller's string may go away */
	{
		char pat[] = "*.tmp";

		excludes_add(&ex, pat);
		pat[2] = 'X';
		ck_assert(excludes_match(&ex, NULL, NULL, "a.tmp"));
	}

	excludes_clear(&ex);
	ck_assert_uint_eq(ex.nr, 0);
	ck_assert_ptr_null(ex.pat);
	ck_assert(!excludes_match(&ex, "/r/a.log", "a.log", "a.log"));
	/* usable again after a clear */
	excludes_add(&ex, "*.c");
	ck_assert(excludes_match(&ex, NULL, NULL, "x.c"));
	excludes_clear(&ex);
}
END_TEST

/* Many patterns: the array grows and all of them are consulted. */
START_TEST(test_excludes_many)
{
	struct excludes ex = { NULL, 0, 0 };
	char pat[32], name[32];

	for (int i = 0; i < 100; i++) {
		snprintf(pat, sizeof(pat), "*.e%d", i);
		excludes_add(&ex, pat);
	}
	ck_assert_uint_eq(ex.nr, 100);
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "f.e%d", i);
		ck_assert(excludes_match(&ex, NULL, NULL, name));
	}
	ck_assert(!excludes_match(&ex, NULL, NULL, "f.e100"));
	excludes_clear(&ex);
}
END_TEST

static Suite *fsutil_suite(void)
{
	Suite *s = suite_create("fsutil");
	TCase *tc;

	tc = add_tcase(s, "open_long_path", 30);
	scratch_fixtures(tc, "test_fsutil", setup, teardown);
	tcase_add_test(tc, test_open_long_path);
	tcase_add_test(tc, test_open_long_path_missing);
	tcase_add_test(tc, test_open_long_path_nofollow);
	tcase_add_test(tc, test_open_long_path_nofollow_last_only);
	tcase_add_test(tc, test_open_short_path);

	tc = add_tcase(s, "canonical", 0);
	scratch_fixtures(tc, "test_fsutil", setup, teardown);
	tcase_add_test(tc, test_canonical_path);
	tcase_add_test(tc, test_canonical_path_relative);
	tcase_add_test(tc, test_absolute_path_existing);
	tcase_add_test(tc, test_absolute_path_missing);
	tcase_add_test(tc, test_absolute_path_relative);
	tcase_add_test(tc, test_absolute_path_matches_canonical);

	tc = add_tcase(s, "names", 0);
	scratch_fixtures(tc, "test_fsutil", setup, teardown);
	tcase_add_loop_test(tc, test_file_ext, 0, ARRAY_LEN(exts));
	tcase_add_loop_test(tc, test_file_ext_inner, 0, ARRAY_LEN(inner_exts));
	tcase_add_test(tc, test_path_join);
	tcase_add_test(tc, test_excludes_match);
	tcase_add_test(tc, test_excludes_many);

	return s;
}

int main(void)
{
	return run_suite(fsutil_suite());
}
