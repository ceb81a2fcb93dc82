/*
 * test_writer.c - unit tests of the scan's writer (src/writer.c) on a real
 * database: a result of every stage, for a new file and for one the index
 * already holds, goes through writer_start() and the typed messages, and
 * the rows, flags, statuses, error rows, scan counters and stderr lines
 * are checked against what the stage table promises.  Archive members, the
 * placeholder row of an archive being read, stale members, and the other
 * messages (directories, deletions, walk errors) are covered too.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "archive.h"
#include "capture.h"
#include "entry.h"
#include "job.h"
#include "scratch.h"
#include "strbuf.h"
#include "testmain.h"
#include "writer.h"

#define DIR_ID 1
#define RACY_LIMIT 1000000	/* ctime at or past it: racy */

static struct store *st;
static struct queue *q;
static struct writer *w;
static struct scan_stats stats;
static struct strbuf err = STRBUF_INIT;
static struct capture cap;
static int64_t scan_id;

static void sql_exec(const char *sql)
{
	ck_assert_int_eq(sqlite3_exec(store_handle(st), sql, NULL, NULL, NULL),
			 SQLITE_OK);
}

/* The single integer a query returns (-999 for no row or NULL). */
static int64_t sql_int(const char *sql)
{
	sqlite3_stmt *stmt;
	int64_t v = -999;

	ck_assert_int_eq(sqlite3_prepare_v2(store_handle(st), sql, -1, &stmt,
					    NULL), SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

/* Column expression col of the file row of name. */
static int64_t row_int(const char *col, const char *name)
{
	struct strbuf sql = STRBUF_INIT;
	int64_t v;

	strbuf_addf(&sql, "SELECT %s FROM entries WHERE name = '%s' AND "
		    "member = ''", col, name);
	v = sql_int(sql.buf);
	strbuf_release(&sql);
	return v;
}

/* 1 when text column col of the file row of name is want. */
static int64_t row_text_is(const char *col, const char *name, const char *want)
{
	struct strbuf expr = STRBUF_INIT;
	int64_t v;

	strbuf_addf(&expr, "%s = '%s'", col, want);
	v = row_int(expr.buf, name);
	strbuf_release(&expr);
	return v;
}

/* An old row for name, as the scan before this one (scan 1) left it. */
static int64_t old_row(const char *name, unsigned flags)
{
	struct strbuf sql = STRBUF_INIT;

	strbuf_addf(&sql, "INSERT INTO entries(dir_id, name, ext, dev, ino, "
		    "size, mtime_ns, ctime_ns, bytes, lines, words, chars, flags,"
		    " status, scan_id) VALUES (%d, '%s', 'txt', 1, 1, 5, 1, 1, 5,"
		    " 1, 1, 5, %u, 'ok', 1)", DIR_ID, name, flags);
	sql_exec(sql.buf);
	strbuf_release(&sql);
	return sqlite3_last_insert_rowid(store_handle(st));
}

static void setup(void)
{
	st = store_open(scratch_path("index.db"), STORE_CREATE);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(store_scan_begin(st, "/r", "", 1, &scan_id), 0);
	sql_exec("INSERT INTO roots(id, path, added_ns) VALUES (1, '/r', 0);"
		 "INSERT INTO dirs(id, path, parent, root_id, scan_id)"
		 " VALUES (1, '/r', NULL, 1, 1)");
	ck_assert_int_eq(store_scan_begin(st, "/r", "", 2, &scan_id), 0);
	memset(&stats, 0, sizeof(stats));
	q = NULL;
	w = NULL;
}

static void start(void)
{
	const struct writer_options opt = {
		.scan_id = scan_id,
		.racy_limit_ns = RACY_LIMIT,
		.mode_flags = ENTRY_F_ASCII,
	};

	q = queue_new(64);
	capture_start(&cap);
	w = writer_start(st, q, &opt);
	ck_assert_ptr_nonnull(w);
}

/* Close the queue, wait for the writer; stderr goes to err. */
static void finish(void)
{
	queue_close(q);
	ck_assert_int_eq(writer_finish(w, &stats), 0);
	w = NULL;
	queue_free(q);
	q = NULL;
	strbuf_reset(&err);
	capture_end(&cap, &err);
}

static void teardown(void)
{
	if (w) {
		queue_close(q);
		writer_finish(w, &stats);
		capture_end(&cap, NULL);
	}
	if (q)
		queue_free(q);
	store_close(st);
}

/* A job for /r/name; row_id 0: a new file. */
static struct job *make_job(const char *name, int64_t row_id)
{
	struct strbuf path = STRBUF_INIT;
	const struct file_place place = {
		.top_len = 2, .name_off = 3, .seen = { 1, 2, 50, 100, 200 },
	};
	struct job *job;

	strbuf_addf(&path, "/r/%s", name);
	job = job_new(path.buf, JOB_ARCHIVES, &place);
	job->dir_id = DIR_ID;
	job->row_id = row_id;
	strbuf_release(&path);
	return job;
}

static void send(struct job *job, uint32_t stage, int errnum, uint32_t found,
		 int64_t ctime_ns, const char *msg)
{
	struct proto_result res = {
		.stage = stage, .err = errnum, .found = found,
		.counts = { .bytes = 60, .lines = 3, .words = 7, .chars = 58,
			    .flags = COUNT_F_INVALID_UTF8 },
		.meta = { 1, 2, 60, 300, ctime_ns },
		.msg = msg, .msg_len = (uint32_t)strlen(msg),
	};

	writer_send_result(q, job, &res);
}

START_TEST(test_counted_new_and_changed)
{
	int64_t old = old_row("b.txt", 0);

	start();
	send(make_job("a.txt", 0), STAGE_NONE, 0, FOUND_TEXT, 500, "");
	send(make_job("b.txt", old), STAGE_NONE, 0, FOUND_TEXT, 500, "");
	finish();
	ck_assert_uint_eq(stats.new_files, 1);
	ck_assert_uint_eq(stats.changed, 1);
	ck_assert_uint_eq(stats.failed, 0);
	ck_assert_uint_eq(stats.bytes, 120);
	ck_assert_uint_eq(stats.words, 14);
	ck_assert_int_eq(row_int("words", "a.txt"), 7);
	ck_assert_int_eq(row_int("size", "a.txt"), 60);	/* the worker's meta */
	ck_assert_int_eq(row_int("flags", "a.txt"),
			 ENTRY_F_ASCII | ENTRY_F_INVALID_UTF8);
	ck_assert_int_eq(row_int("id", "b.txt"), old);
	ck_assert_int_eq(row_int("words", "b.txt"), 7);
	ck_assert_int_eq(row_text_is("status", "a.txt", "ok"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scan_errors"), 0);
	ck_assert_uint_eq(err.len, 0);
}
END_TEST

/* Changed while read, or changed close to the scan: kept, and racy. */
START_TEST(test_racy)
{
	start();
	send(make_job("changed", 0), STAGE_CHANGED, 0, FOUND_TEXT, 500,
	     "file changed while it was read");
	send(make_job("recent", 0), STAGE_NONE, 0, FOUND_TEXT, RACY_LIMIT, "");
	send(make_job("older", 0), STAGE_NONE, 0, FOUND_TEXT, RACY_LIMIT - 1, "");
	finish();
	ck_assert_uint_eq(stats.new_files, 3);
	ck_assert_int_eq(row_int("flags & 4", "changed"), ENTRY_F_RACY);
	ck_assert_int_eq(row_int("flags & 4", "recent"), ENTRY_F_RACY);
	ck_assert_int_eq(row_int("flags & 4", "older"), 0);
	ck_assert_int_eq(row_int("words", "changed"), 7);
	ck_assert_uint_eq(stats.failed, 0);
}
END_TEST

START_TEST(test_limit_and_damaged)
{
	start();
	send(make_job("big.tar", 0), STAGE_LIMIT, 0, FOUND_ARCHIVE, 500,
	     "too many members");
	send(make_job("bad.gz", 0), STAGE_DAMAGED, 0, FOUND_COMPRESSED, 500, "");
	finish();
	ck_assert_uint_eq(stats.new_files, 2);
	ck_assert_uint_eq(stats.failed, 1);	/* damaged, not the limit */
	ck_assert_uint_eq(stats.bytes, 0);
	ck_assert_int_eq(row_text_is("status", "big.tar", "limit"), 1);
	ck_assert_int_eq(row_text_is("error", "big.tar", "too many members"), 1);
	ck_assert_int_eq(row_int("flags", "big.tar"), ENTRY_F_ASCII |
			 ENTRY_F_INVALID_UTF8 | ENTRY_F_ARCHIVE | ENTRY_F_NORETRY);
	ck_assert_int_eq(row_int("words IS NULL", "big.tar"), 1);
	ck_assert_int_eq(row_text_is("status", "bad.gz", "error"), 1);
	ck_assert_int_eq(row_text_is("error", "bad.gz", "damaged archive"), 1);
	ck_assert_int_eq(row_int("flags & 160", "bad.gz"),
			 ENTRY_F_COMPRESSED | ENTRY_F_NORETRY);
	ck_assert_int_eq(row_int("words", "bad.gz"), 7);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scan_errors WHERE stage "
				 "= 'limit'"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scan_errors WHERE stage "
				 "= 'archive'"), 1);
	ck_assert_ptr_nonnull(strstr(err.buf, "warning: '/r/big.tar': too many members"));
	ck_assert_ptr_nonnull(strstr(err.buf, "cannot read archive '/r/bad.gz': damaged archive"));
}
END_TEST

/* Gone since the walk, or no longer a regular file: the row goes. */
START_TEST(test_gone)
{
	int64_t a = old_row("gone", 0), b = old_row("fifo", 0);
	int64_t c = old_row("dirgone", 0), d = old_row("link", 0);

	start();
	send(make_job("gone", a), STAGE_OPEN, ENOENT, FOUND_TEXT, 0, "open: x");
	send(make_job("fifo", b), STAGE_TYPE, 0, FOUND_TEXT, 0, "not regular");
	send(make_job("dirgone", c), STAGE_OPEN, ENOTDIR, FOUND_TEXT, 0, "x");
	send(make_job("link", d), STAGE_OPEN, ELOOP, FOUND_TEXT, 0, "x");
	send(make_job("new-gone", 0), STAGE_OPEN, ENOENT, FOUND_TEXT, 0, "x");
	finish();
	ck_assert_uint_eq(stats.deleted, 4);
	ck_assert_uint_eq(stats.failed, 0);
	ck_assert_uint_eq(stats.new_files, 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM entries"), 0);
	ck_assert_uint_eq(err.len, 0);
}
END_TEST

/* A link followed on purpose that now loops is a failure, not a deletion. */
START_TEST(test_loop_followed)
{
	int64_t a = old_row("link", 0);
	struct job *job = make_job("link", a);

	job->pj.flags |= JOB_FOLLOW;
	start();
	send(job, STAGE_OPEN, ELOOP, FOUND_TEXT, 0, "open: too many links");
	finish();
	ck_assert_uint_eq(stats.deleted, 0);
	ck_assert_uint_eq(stats.failed, 1);
	ck_assert_int_eq(row_text_is("status", "link", "error"), 1);
}
END_TEST

/* Nothing counted: the old counts stay, the walk's metadata is recorded. */
START_TEST(test_failed)
{
	int64_t a = old_row("locked", ENTRY_F_ARCHIVE);

	sql_exec("INSERT INTO entries(dir_id, name, member, ext, dev, ino, size,"
		 " mtime_ns, ctime_ns, flags, status, scan_id) VALUES (1,"
		 " 'locked', 'm.txt', 'txt', 1, 1, 1, 1, 1, 0, 'ok', 1)");
	start();
	send(make_job("locked", a), STAGE_OPEN, EACCES, FOUND_TEXT, 0,
	     "open: Permission denied");
	send(make_job("unread", 0), STAGE_READ, EIO, FOUND_TEXT, 0, "");
	finish();
	ck_assert_uint_eq(stats.failed, 2);
	ck_assert_uint_eq(stats.new_files + stats.changed, 0);
	ck_assert_int_eq(row_text_is("status", "locked", "error"), 1);
	ck_assert_int_eq(row_int("words", "locked"), 1);	/* kept */
	ck_assert_int_eq(row_int("size", "locked"), 50);	/* the walk's */
	ck_assert_int_eq(sql_int("SELECT count(*) FROM entries WHERE member "
				 "!= ''"), 0);	/* members go */
	ck_assert_int_eq(row_text_is("error", "unread", "unknown error"), 1);
	ck_assert_int_eq(sql_int("SELECT errno FROM scan_errors WHERE stage ="
				 " 'open'"), EACCES);
	ck_assert_int_eq(sql_int("SELECT errno FROM scan_errors WHERE stage ="
				 " 'read'"), EIO);
	ck_assert_ptr_nonnull(strstr(err.buf, "cannot count '/r/locked': open: Permission denied"));
}
END_TEST

/* A crash on a file that had failed before: not retried until it changes. */
START_TEST(test_crash_again)
{
	struct job *again = make_job("again", 0), *first = make_job("first", 0);

	again->retry = 1;
	start();
	send(first, STAGE_CRASH, 0, FOUND_TEXT, 0, "worker killed by signal 6");
	send(again, STAGE_CRASH, 0, FOUND_TEXT, 0, "worker killed by signal 6");
	finish();
	ck_assert_uint_eq(stats.failed, 2);
	ck_assert_int_eq(row_int("flags & 128", "first"), 0);
	ck_assert_int_eq(row_int("flags & 128", "again"), ENTRY_F_NORETRY);
	ck_assert_ptr_nonnull(strstr(err.buf, "(again: not retried until the "
				     "file changes, or with --retry-failed)"));
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scan_errors WHERE stage"
				 " = 'worker'"), 2);
}
END_TEST

/* Not the file the walk saw: nothing stored, only the error row. */
START_TEST(test_replaced)
{
	int64_t a = old_row("swapped", 0);

	start();
	send(make_job("swapped", a), STAGE_REPLACED, 0, FOUND_TEXT, 500,
	     "replaced since the walk saw it");
	send(make_job("new-swapped", 0), STAGE_REPLACED, 0, FOUND_TEXT, 500, "");
	finish();
	ck_assert_uint_eq(stats.new_files + stats.changed + stats.failed +
			  stats.deleted, 0);
	ck_assert_uint_eq(stats.bytes, 0);
	ck_assert_int_eq(row_int("words", "swapped"), 1);	/* as it was */
	ck_assert_int_eq(row_int("scan_id", "swapped"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM entries"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scan_errors WHERE stage"
				 " = 'changed'"), 2);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scan_errors WHERE "
				 "message = 'replaced during the scan'"), 1);
	ck_assert_uint_eq(err.len, 0);
}
END_TEST

/* Stopped by a signal: the row stays exactly as it was. */
START_TEST(test_cancelled)
{
	int64_t a = old_row("kept", 0);

	start();
	send(make_job("kept", a), STAGE_CANCELLED, 0, FOUND_TEXT, 0,
	     "scan interrupted");
	send(make_job("new", 0), STAGE_CANCELLED, 0, FOUND_TEXT, 0, "x");
	finish();
	ck_assert_uint_eq(stats.new_files + stats.changed + stats.failed +
			  stats.deleted, 0);
	ck_assert_int_eq(row_int("scan_id", "kept"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM entries"), 1);
}
END_TEST

static void send_member(const struct job *job, const char *name,
			uint32_t kind, uint32_t status, const char *msg)
{
	/* only files have counts of their own */
	struct counts c = { .bytes = 10, .lines = 1, .words = 2, .chars = 10 };
	struct proto_member m = {
		.kind = kind, .status = status,
		.counts = kind == MEMBER_FILE ? c : (struct counts) { 0 },
		.mtime_ns = 42, .name = name, .name_len = (uint32_t)strlen(name),
		.msg = msg, .msg_len = (uint32_t)strlen(msg),
	};

	writer_send_member(q, job, &m);
}

/* Members, their flags, and the members an archive no longer has. */
START_TEST(test_archive_members)
{
	int64_t a = old_row("t.tar", ENTRY_F_ARCHIVE);
	struct job *job = make_job("t.tar", a);

	sql_exec("INSERT INTO entries(dir_id, name, member, ext, dev, ino, size,"
		 " mtime_ns, ctime_ns, flags, status, scan_id) VALUES (1,"
		 " 't.tar', 'stale.txt', 'txt', 1, 1, 1, 1, 1, 0, 'ok', 1)");
	start();
	send_member(job, "d/x.MD", MEMBER_FILE, MEMBER_OK, "");
	send_member(job, "d/ln", MEMBER_LINK, MEMBER_OK, "x.MD");
	send_member(job, "in.zip", MEMBER_ARCHIVE, MEMBER_OK, "");
	send_member(job, "in.zip/cut.txt", MEMBER_FILE, MEMBER_LIMIT, "");
	send(job, STAGE_NONE, 0, FOUND_ARCHIVE, 500, "");
	finish();
	ck_assert_uint_eq(stats.changed, 1);
	ck_assert_uint_eq(stats.bytes, 10);	/* the counted member only */
	ck_assert_int_eq(row_int("words IS NULL", "t.tar"), 1);
	ck_assert_int_eq(row_int("flags & 16", "t.tar"), ENTRY_F_ARCHIVE);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM entries WHERE member = "
				 "'stale.txt'"), 0);
	ck_assert_int_eq(sql_int("SELECT ext = 'md' AND words = 2 AND mtime_ns"
				 " = 42 FROM entries WHERE member = 'd/x.MD'"), 1);
	ck_assert_int_eq(sql_int("SELECT flags & 64 FROM entries WHERE member "
				 "= 'd/ln'"), ENTRY_F_LINK);
	ck_assert_int_eq(sql_int("SELECT flags & 16 FROM entries WHERE member "
				 "= 'in.zip'"), ENTRY_F_ARCHIVE);
	ck_assert_int_eq(sql_int("SELECT status = 'limit' AND error = 'limit "
				 "reached' FROM entries WHERE member = "
				 "'in.zip/cut.txt'"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM counted_entries"),
			 1);
}
END_TEST

/* Members whose result never comes: the archive's row says so. */
START_TEST(test_placeholder)
{
	struct job *job = make_job("n.tar", 0);

	start();
	send_member(job, "a.txt", MEMBER_FILE, MEMBER_OK, "");
	send_member(job, "b.txt", MEMBER_FILE, MEMBER_OK, "");
	finish();
	job_free(job);
	ck_assert_int_eq(row_text_is("status", "n.tar", "error"), 1);
	ck_assert_int_eq(row_text_is("error", "n.tar", "the scan stopped while "
				     "its members were read"), 1);
	ck_assert_int_eq(row_int("flags & 16", "n.tar"), ENTRY_F_ARCHIVE);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM entries WHERE member "
				 "!= ''"), 2);
}
END_TEST

/* Directories, deletions and walk errors. */
START_TEST(test_other_messages)
{
	old_row("del.txt", 0);
	start();
	writer_send_dir(q, 2, "/r/sub", "/r", 1);
	writer_send_dir(q, 3, "/r/sub/deeper", "/r/sub", 1);
	writer_send_del_file(q, sql_int("SELECT id FROM entries WHERE name = "
					"'del.txt'"));
	writer_send_error(q, "/r/locked", "walk", EACCES, "cannot open directory");
	finish();
	ck_assert_int_eq(sql_int("SELECT count(*) FROM dirs WHERE parent = "
				 "'/r/sub'"), 1);
	ck_assert_uint_eq(stats.deleted, 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM entries"), 0);
	ck_assert_int_eq(sql_int("SELECT errno FROM scan_errors WHERE stage = "
				 "'walk'"), EACCES);

	/* a subtree that is gone, with its files */
	sql_exec("INSERT INTO entries(dir_id, name, ext, dev, ino, size, "
		 "mtime_ns, ctime_ns, flags, status, scan_id) VALUES (3, 'f', "
		 "'', 1, 1, 1, 1, 1, 0, 'ok', 1)");
	memset(&stats, 0, sizeof(stats));
	start();
	writer_send_del_dir(q, "/r/sub");
	finish();
	ck_assert_uint_eq(stats.deleted, 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM dirs"), 1);
}
END_TEST

static Suite *writer_suite(void)
{
	Suite *s = suite_create("writer");
	TCase *tc = add_tcase(s, "stages", 0);

	scratch_fixtures(tc, "test_writer", setup, teardown);
	tcase_add_test(tc, test_counted_new_and_changed);
	tcase_add_test(tc, test_racy);
	tcase_add_test(tc, test_limit_and_damaged);
	tcase_add_test(tc, test_gone);
	tcase_add_test(tc, test_loop_followed);
	tcase_add_test(tc, test_failed);
	tcase_add_test(tc, test_crash_again);
	tcase_add_test(tc, test_replaced);
	tcase_add_test(tc, test_cancelled);
	tc = add_tcase(s, "messages", 0);
	scratch_fixtures(tc, "test_writer", setup, teardown);
	tcase_add_test(tc, test_archive_members);
	tcase_add_test(tc, test_placeholder);
	tcase_add_test(tc, test_other_messages);
	return s;
}

int main(void)
{
	return run_suite(writer_suite());
}
