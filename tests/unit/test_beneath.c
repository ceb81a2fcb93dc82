/*
 * test_beneath.c - unit tests of the way below a root (src/beneath.c), each
 * run once with openat2() and once with the component-by-component
 * openat() walk (WCINDEX_BENEATH=openat; Check runs every test in a fresh
 * process, so the method is chosen anew).  A chain opens directories at
 * any depth and reuses what it holds; a symbolic link anywhere on the way,
 * to a directory inside or outside the top, is refused (ELOOP) unless the
 * chain follows links; "." and ".." never lead up; a directory renamed or
 * replaced since its identity was taken is DIRCHAIN_REPLACED, and so is a
 * replaced top; paths longer than PATH_MAX work; and however deep the walk,
 * the chain holds few descriptors.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beneath.h"
#include "scratch.h"
#include "strbuf.h"
#include "testmain.h"

static const char *const methods[] = { "openat2", "openat" };

static void use_method(int i)
{
	if (i == 1)
		ck_assert_int_eq(setenv("WCINDEX_BENEATH", "openat", 1), 0);
	else
		unsetenv("WCINDEX_BENEATH");
	ck_assert_int_eq(beneath_method(),
			 i == 1 ? BENEATH_OPENAT : BENEATH_OPENAT2);
}

static void mkdirs(const char *rel)
{
	struct strbuf p = STRBUF_INIT;

	strbuf_addf(&p, "mkdir -p '%s/%s'", scratch_dir, rel);
	ck_assert_int_eq(system(p.buf), 0);
	strbuf_release(&p);
}

/* rename() below the scratch directory (scratch_path() has one buffer). */
static void move(const char *from, const char *to)
{
	char a[PATH_MAX], b[PATH_MAX];

	snprintf(a, sizeof(a), "%s/%s", scratch_dir, from);
	snprintf(b, sizeof(b), "%s/%s", scratch_dir, to);
	ck_assert_int_eq(rename(a, b), 0);
}

static void identity(const char *rel, uint64_t *dev, uint64_t *ino)
{
	struct stat st;

	ck_assert_int_eq(lstat(scratch_path(rel), &st), 0);
	*dev = (uint64_t)st.st_dev;
	*ino = (uint64_t)st.st_ino;
}

/* The identity of what the descriptor is. */
static uint64_t ino_of(int fd)
{
	struct stat st;

	ck_assert_int_eq(fstat(fd, &st), 0);
	return (uint64_t)st.st_ino;
}

static int open_rel(struct dirchain *dc, const char *rel, const char *id_of)
{
	uint64_t dev = 0, ino = 0;

	if (id_of)
		identity(id_of, &dev, &ino);
	return dirchain_open(dc, rel, strlen(rel), dev, ino);
}

/* Open at any depth, in any order: always the directory asked for. */
START_TEST(test_opens_what_is_asked)
{
	static const char *const dirs[] = {
		"a", "a/b", "a/b/c", "a/b2", "x", "a/b/c", "a", "x/y/z",
		"a/b2", "a/b/c",
	};
	struct dirchain *dc = dirchain_new(0);
	uint64_t dev, ino;
	char top[256];

	use_method(_i);
	mkdirs("top/a/b/c");
	mkdirs("top/a/b2");
	mkdirs("top/x/y/z");
	snprintf(top, sizeof(top), "%s/top", scratch_dir);
	identity("top", &dev, &ino);
	ck_assert_int_ge(dirchain_top(dc, top, dev, ino), 0);
	for (size_t i = 0; i < ARRAY_LEN(dirs); i++) {
		char rel[64];
		int fd;

		snprintf(rel, sizeof(rel), "top/%s", dirs[i]);
		identity(rel, &dev, &ino);
		fd = dirchain_open(dc, dirs[i], strlen(dirs[i]), dev, ino);
		ck_assert_msg(fd >= 0, "%s: %s", dirs[i], strerror(errno));
		ck_assert_uint_eq(ino_of(fd), ino);
	}
	/* "" is the top itself */
	identity("top", &dev, &ino);
	ck_assert_uint_eq(ino_of(dirchain_open(dc, "", 0, dev, ino)), ino);
	dirchain_free(dc);
}
END_TEST

/* A link on the way, to inside or outside the top: refused. */
START_TEST(test_no_link_on_the_way)
{
	struct dirchain *dc = dirchain_new(0);
	char top[256];
	int fd;

	use_method(_i);
	mkdirs("top/real/deeper");
	mkdirs("outside/deeper");
	ck_assert_int_eq(symlink("../outside", scratch_path("top/out")), 0);
	ck_assert_int_eq(symlink("real", scratch_path("top/in")), 0);
	snprintf(top, sizeof(top), "%s/top", scratch_dir);
	ck_assert_int_ge(dirchain_top(dc, top, 0, 0), 0);
	for (int k = 0; k < 2; k++) {
		const char *rel = k ? "in/deeper" : "out/deeper";

		errno = 0;
		fd = dirchain_open(dc, rel, strlen(rel), 0, 0);
		ck_assert_msg(fd == -1 && (errno == ELOOP || errno == ENOTDIR),
			      "%s: fd %d errno %d", rel, fd, errno);
		fd = dirchain_open(dc, rel, 3 - k, 0, 0);	/* the link */
		ck_assert_msg(fd == -1 && (errno == ELOOP || errno == ENOTDIR),
			      "%.3s: fd %d errno %d", rel, fd, errno);
	}
	/* the real directory is fine, before and after */
	fd = open_rel(dc, "real/deeper", "top/real/deeper");
	ck_assert_int_ge(fd, 0);
	dirchain_free(dc);
}
END_TEST

/* --follow: links are followed, and the identity is still checked. */
START_TEST(test_follow)
{
	struct dirchain *dc = dirchain_new(1);
	char top[256];
	int fd;

	use_method(_i);
	mkdirs("top");
	mkdirs("outside/deeper");
	ck_assert_int_eq(symlink("../outside", scratch_path("top/out")), 0);
	snprintf(top, sizeof(top), "%s/top", scratch_dir);
	ck_assert_int_ge(dirchain_top(dc, top, 0, 0), 0);
	fd = open_rel(dc, "out/deeper", "outside/deeper");
	ck_assert_int_ge(fd, 0);
	fd = open_rel(dc, "out/deeper", "outside");	/* not that one */
	ck_assert_int_eq(fd, DIRCHAIN_REPLACED);
	dirchain_free(dc);
}
END_TEST

/* "." and ".." are names the walk never gives: they never lead up. */
START_TEST(test_dots)
{
	struct dirchain *dc = dirchain_new(0);
	char top[256];
	int fd;

	use_method(_i);
	mkdirs("top/a");
	snprintf(top, sizeof(top), "%s/top", scratch_dir);
	ck_assert_int_ge(dirchain_top(dc, top, 0, 0), 0);
	fd = dirchain_open(dc, "a/../..", 7, 0, 0);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(errno, EXDEV);
	fd = dirchain_open(dc, "..", 2, 0, 0);
	ck_assert_int_eq(fd, -1);
	dirchain_free(dc);
}
END_TEST

/*
 * The directory at a name was replaced (renamed away, another renamed in)
 * since its identity was taken: asked for the old identity the chain says
 * so, and asked for the new one it finds it, even while it held the old
 * one open.
 */
START_TEST(test_replaced_directory)
{
	struct dirchain *dc = dirchain_new(0);
	uint64_t dev, ino, dev2, ino2;
	char top[256];

	use_method(_i);
	mkdirs("top/d/e");
	mkdirs("top/other/e");
	snprintf(top, sizeof(top), "%s/top", scratch_dir);
	identity("top/d/e", &dev, &ino);
	ck_assert_int_ge(dirchain_top(dc, top, 0, 0), 0);
	ck_assert_int_ge(dirchain_open(dc, "d/e", 3, dev, ino), 0);
	move("top/d", "top/gone");
	move("top/other", "top/d");
	identity("top/d/e", &dev2, &ino2);
	ck_assert_uint_ne(ino, ino2);
	/* held open, the old one is not taken for what is at the name now */
	ck_assert_uint_eq(ino_of(dirchain_open(dc, "d/e", 3, dev2, ino2)), ino2);
	/* and the old identity is not at that name any more */
	ck_assert_int_eq(dirchain_open(dc, "d/e", 3, dev, ino),
			 DIRCHAIN_REPLACED);
	/* the same from a chain that held nothing */
	dirchain_free(dc);
	dc = dirchain_new(0);
	ck_assert_int_ge(dirchain_top(dc, top, 0, 0), 0);
	ck_assert_int_eq(dirchain_open(dc, "d/e", 3, dev, ino),
			 DIRCHAIN_REPLACED);
	ck_assert_uint_eq(ino_of(dirchain_open(dc, "d/e", 3, dev2, ino2)), ino2);
	dirchain_free(dc);
}
END_TEST

/* A top that is not the one expected. */
START_TEST(test_replaced_top)
{
	struct dirchain *dc = dirchain_new(0);
	uint64_t dev, ino;
	char top[256];

	use_method(_i);
	mkdirs("top");
	mkdirs("top2");
	snprintf(top, sizeof(top), "%s/top", scratch_dir);
	identity("top2", &dev, &ino);
	ck_assert_int_eq(dirchain_top(dc, top, dev, ino), DIRCHAIN_REPLACED);
	identity("top", &dev, &ino);
	ck_assert_int_ge(dirchain_top(dc, top, dev, ino), 0);
	errno = 0;
	ck_assert_int_eq(dirchain_top(dc, scratch_path("none"), 0, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	dirchain_free(dc);
}
END_TEST

/* Open descriptors of this process. */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* A walk deeper than PATH_MAX and 16 levels holds few descriptors. */
START_TEST(test_deep)
{
	struct dirchain *dc = dirchain_new(0);
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT;
	int before = count_fds(), fd = -1;

	use_method(_i);
	strbuf_addstr(&path, scratch_dir);
	close(scratch_deep_dirs(&path, 40, 200, 'D'));
	ck_assert_uint_gt(path.len, PATH_MAX);
	ck_assert_int_ge(dirchain_top(dc, scratch_dir, 0, 0), 0);
	/* down one level at a time, as a walk goes */
	for (const char *p = path.buf + strlen(scratch_dir) + 1;; ) {
		const char *slash = strchr(p, '/');

		strbuf_add(&rel, p, slash ? (size_t)(slash - p) : strlen(p));
		fd = dirchain_open(dc, rel.buf, rel.len, 0, 0);
		ck_assert_int_ge(fd, 0);
		if (!slash)
			break;
		strbuf_addch(&rel, '/');
		p = slash + 1;
	}
	ck_assert_int_le(count_fds() - before, 1 + 16);
	/* and the deepest in one go, from a fresh chain */
	dirchain_free(dc);
	dc = dirchain_new(0);
	ck_assert_int_ge(dirchain_top(dc, scratch_dir, 0, 0), 0);
	ck_assert_int_ge(dirchain_open(dc, rel.buf, rel.len, 0, 0), 0);
	dirchain_free(dc);
	ck_assert_int_eq(count_fds(), before);
	strbuf_release(&rel);
	strbuf_release(&path);
}
END_TEST

static Suite *beneath_suite(void)
{
	Suite *s = suite_create("beneath");
	TCase *tc = add_tcase(s, "chain", 0);
	int n = (int)ARRAY_LEN(methods);

	scratch_fixtures(tc, "test_beneath", NULL, NULL);
	tcase_add_loop_test(tc, test_opens_what_is_asked, 0, n);
	tcase_add_loop_test(tc, test_no_link_on_the_way, 0, n);
	tcase_add_loop_test(tc, test_follow, 0, n);
	tcase_add_loop_test(tc, test_dots, 0, n);
	tcase_add_loop_test(tc, test_replaced_directory, 0, n);
	tcase_add_loop_test(tc, test_replaced_top, 0, n);
	tcase_add_loop_test(tc, test_deep, 0, n);
	return s;
}

int main(void)
{
	return run_suite(beneath_suite());
}
