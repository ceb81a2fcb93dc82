/*
 * test_walk.c - unit tests of the walker thread (src/walk.c) on real
 * trees: listings come depth first in name order, one per directory, each
 * sorted and classified (files, directories, links and FIFOs not indexed,
 * entries gone since readdir()), then the end of the top; two tops in
 * order; --exclude patterns and the database's own files are not listed;
 * an unreadable directory is handed on as failed and the top is not
 * clean; --follow (a loop is walked once); the walker lists no more than
 * its bound of entries ahead of a slow consumer; and a stop ends the walk
 * at once.  The listings come in order although two threads list them.
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
#include "queue.h"
#include "scratch.h"
#include "strbuf.h"
#include "testmain.h"
#include "walk.h"
#include "writer.h"

static struct excludes no_ex;

static void mkfile(const char *rel)
{
	scratch_write(scratch_path(rel), "x\n", 2);
}

static void mkdirs(const char *rel)
{
	struct strbuf cmd = STRBUF_INIT;

	strbuf_addf(&cmd, "mkdir -p '%s/%s'", scratch_dir, rel);
	ck_assert_int_eq(system(cmd.buf), 0);
	strbuf_release(&cmd);
}

/* Walk with opt, every listing summed up in out, one line each. */
static struct walk_stats walk_all(struct walk_options *opt, struct strbuf *out)
{
	struct queue *wq = queue_new(1024);
	struct walk_stats st = { 0 };
	struct walker *w;
	struct listing *l;

	if (!opt->ex)
		opt->ex = &no_ex;
	if (!opt->roots)
		opt->roots = opt->tops;
	if (!opt->db_name)
		opt->db_name = "index.db";
	w = walker_start(opt, wq);
	ck_assert_ptr_nonnull(w);
	while ((l = walker_next(w))) {
		if (!l->path) {
			strbuf_addf(out, "END %s\n", l->top_clean ? "clean" : "errors");
		} else {
			strbuf_addf(out, "%s%s:", l->path + strlen(scratch_dir),
				    l->failed ? " FAILED" : "");
			for (size_t i = 0; i < l->nents; i++)
				strbuf_addf(out, " %s=%c", l->ents[i].name,
					    "FDSK"[l->ents[i].kind]);
			strbuf_addch(out, '\n');
		}
		walker_release(w, l);
	}
	walker_finish(w, &st);
	writer_drain(wq);
	queue_free(wq);
	return st;
}

static const char *top_path(const char *rel)
{
	static char buf[2][PATH_MAX];
	static int k;

	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", scratch_dir, rel);
	return buf[k];
}

START_TEST(test_order_and_kinds)
{
	struct strbuf out = STRBUF_INIT;
	const char *tops[1] = { top_path("t") };
	struct walk_options opt = { .tops = tops, .ntops = 1 };
	struct walk_stats st;

	mkdirs("t/b/inner");
	mkdirs("t/a");
	mkdirs("t/c");
	mkfile("t/z.txt");
	mkfile("t/b/y.txt");
	mkfile("t/b/inner/x.txt");
	mkfile("t/a/w.txt");
	ck_assert_int_eq(symlink("z.txt", scratch_path("t/link")), 0);
	ck_assert_int_eq(mkfifo(scratch_path("t/fifo"), 0600), 0);
	st = walk_all(&opt, &out);
	ck_assert_str_eq(out.buf,
			 "/t: a=D b=D c=D fifo=S link=S z.txt=F\n"
			 "/t/a: w.txt=F\n"
			 "/t/b: inner=D y.txt=F\n"
			 "/t/b/inner: x.txt=F\n"
			 "/t/c:\n"
			 "END clean\n");
	ck_assert_uint_eq(st.skipped, 2);
	ck_assert_uint_eq(st.errors, 0);
	strbuf_release(&out);
}
END_TEST

START_TEST(test_two_tops_excludes_db)
{
	struct strbuf out = STRBUF_INIT;
	char one[PATH_MAX], two[PATH_MAX];
	const char *tops[2] = { one, two };
	struct excludes ex = { 0 };
	struct walk_options opt = { .tops = tops, .ntops = 2, .ex = &ex };
	struct stat st;

	snprintf(one, sizeof(one), "%s/one", scratch_dir);
	snprintf(two, sizeof(two), "%s/two", scratch_dir);
	mkdirs("one/skip.me");
	mkfile("one/keep.txt");
	mkfile("one/drop.log");
	mkdirs("two");
	mkfile("two/index.db");
	mkfile("two/index.db-wal");
	mkfile("two/index.db.lock");
	mkfile("two/index.dbx");
	ck_assert_int_eq(stat(two, &st), 0);
	opt.has_db_dir = 1;
	opt.db_dev = st.st_dev;
	opt.db_dir_ino = st.st_ino;
	excludes_add(&ex, "*.log");
	excludes_add(&ex, "skip.*");
	walk_all(&opt, &out);
	ck_assert_str_eq(out.buf,
			 "/one: keep.txt=F\n"
			 "END clean\n"
			 "/two: index.dbx=F\n"
			 "END clean\n");
	excludes_clear(&ex);
	strbuf_release(&out);
}
END_TEST

/* An unreadable directory: handed on as failed, the top not clean. */
START_TEST(test_unreadable)
{
	struct strbuf out = STRBUF_INIT;
	const char *tops[1] = { top_path("t") };
	struct walk_options opt = { .tops = tops, .ntops = 1 };
	struct walk_stats st;

	if (!geteuid()) {
		test_skip("test_walk", "root reads every directory");
		return;
	}
	mkdirs("t/locked");
	mkfile("t/locked/f");
	ck_assert_int_eq(chmod(scratch_path("t/locked"), 0), 0);
	st = walk_all(&opt, &out);
	chmod(scratch_path("t/locked"), 0755);
	ck_assert_str_eq(out.buf, "/t: locked=D\n/t/locked FAILED:\nEND errors\n");
	ck_assert_uint_eq(st.errors, 1);
	strbuf_release(&out);
}
END_TEST

/* --follow: a link to an ancestor is walked once, not for ever. */
START_TEST(test_follow_loop)
{
	struct strbuf out = STRBUF_INIT;
	const char *tops[1] = { top_path("t") };
	struct walk_options opt = { .tops = tops, .ntops = 1, .follow = 1 };

	mkdirs("t/d");
	mkfile("t/d/f");
	ck_assert_int_eq(symlink("..", scratch_path("t/d/up")), 0);
	ck_assert_int_eq(symlink("d", scratch_path("t/alias")), 0);
	walk_all(&opt, &out);
	ck_assert_str_eq(out.buf, "/t: alias=S d=D\n/t/d: f=F up=S\nEND clean\n");
	strbuf_release(&out);
}
END_TEST

/*
 * A consumer that takes its time: the walker is never more entries ahead
 * of it than it may be (here 100, with directories of 60 files), but
 * always one directory.
 */
START_TEST(test_bounded_ahead)
{
	const char *tops[1] = { top_path("t") };
	struct walk_options opt = { .tops = tops, .ntops = 1, .ex = &no_ex,
				    .roots = tops, .db_name = "x",
				    .max_ahead = 100 };
	struct queue *wq = queue_new(16);
	struct walker *w;
	struct listing *l;
	size_t most = 0, n = 0;

	for (int d = 0; d < 8; d++) {
		char rel[32];

		snprintf(rel, sizeof(rel), "t/d%d", d);
		mkdirs(rel);
		for (int i = 0; i < 60; i++) {
			char name[PATH_MAX];
			int fd;

			snprintf(name, sizeof(name), "%s/%s/f%05d", scratch_dir,
				 rel, i);
			fd = creat(name, 0644);
			ck_assert_int_ge(fd, 0);
			close(fd);
		}
	}
	w = walker_start(&opt, wq);
	ck_assert_ptr_nonnull(w);
	while ((l = walker_next(w))) {
		usleep(50000);		/* the walker runs ahead meanwhile */
		if (walker_ahead(w) > most)
			most = walker_ahead(w);
		n++;
		walker_release(w, l);
	}
	walker_finish(w, &(struct walk_stats) { 0 });
	ck_assert_uint_eq(n, 1 + 8 + 1);	/* t, its 8 directories, the end */
	/* over the bound by at most the directory each thread listed last */
	ck_assert_uint_le(most, 100 + 2 * 60);
	writer_drain(wq);
	queue_free(wq);
}
END_TEST

/* Stopped: no further directory, and out still closes. */
START_TEST(test_stop)
{
	const char *tops[1] = { top_path("t") };
	struct walk_options opt = { .tops = tops, .ntops = 1, .ex = &no_ex,
				    .roots = tops, .db_name = "x" };
	struct queue *wq = queue_new(16);
	struct walker *w;
	struct listing *l;
	size_t n = 0;

	for (int i = 0; i < 200; i++) {
		char rel[32];

		snprintf(rel, sizeof(rel), "t/d%03d", i);
		mkdirs(rel);
	}
	w = walker_start(&opt, wq);
	ck_assert_ptr_nonnull(w);
	while ((l = walker_next(w))) {
		if (++n == 3)
			walker_stop(w);
		walker_release(w, l);
	}
	walker_finish(w, &(struct walk_stats) { 0 });
	ck_assert_uint_eq(n, 3);
	writer_drain(wq);
	queue_free(wq);
}
END_TEST

static Suite *walk_suite(void)
{
	Suite *s = suite_create("walk");
	TCase *tc = add_tcase(s, "walk", 60);

	scratch_fixtures(tc, "test_walk", NULL, NULL);
	tcase_add_test(tc, test_order_and_kinds);
	tcase_add_test(tc, test_two_tops_excludes_db);
	tcase_add_test(tc, test_unreadable);
	tcase_add_test(tc, test_follow_loop);
	tcase_add_test(tc, test_bounded_ahead);
	tcase_add_test(tc, test_stop);
	return s;
}

int main(void)
{
	return run_suite(walk_suite());
}
