/*
 * test_store.c - unit tests of the SQLite store (src/store.c), each on a
 * fresh database in a temporary directory.  Opening: a new file gets the
 * schema, user_version and application_id; a missing file cannot be opened
 * read-only; a foreign SQLite database, a newer schema and a file that is
 * not a database are refused (and left as they were).  Roots: lookup of
 * the root itself and of paths below it, "/" as a root, siblings sharing a
 * prefix (/a/bc is not below /a/b), the longest root winning, and the
 * absorption of nested roots.  Directories: upsert, sorted children,
 * subtree deletion that spares siblings sharing a prefix.  Files: ok and
 * error rows (an error keeps the old counts), sorted entries with every
 * field, deletion, and names with newlines and invalid UTF-8 coming back
 * byte for byte.  Scans and their errors, totals (trees, single files,
 * binary and failed files, paths not indexed), ls order and early stop,
 * and transactions (a rollback really discards).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "tally.h"
#include "strbuf.h"
#include "scratch.h"
#include "testmain.h"
#include "util.h"
#include "capture.h"

/* ------------------------------------------------------- fixture ---- */

/*
 * Each test case has the scratch fixtures (scratch.h): each test gets its
 * own directory, scratch_dir, and its own database in it; the errors the
 * store reports on purpose are captured (capture.h) and checked.
 */
static char dbpath[160];
static struct store *st;		/* the test's read-write connection */

static void setup(void)
{
	snprintf(dbpath, sizeof(dbpath), "%s/index.db", scratch_dir);
	st = NULL;
}

static void teardown(void)
{
	store_close(st);
	st = NULL;
}

/* A fixture that also opens the database read-write. */
static void setup_open(void)
{
	setup();
	st = store_open(dbpath, STORE_CREATE);
	ck_assert_ptr_nonnull(st);
}

/* store_open() that must fail, saying something that contains want. */
static void expect_open_fails(const char *path, int flags, const char *want)
{
	struct strbuf err = STRBUF_INIT;
	struct capture cap;
	struct store *s;

	capture_start(&cap);
	s = store_open(path, flags);
	capture_end(&cap, &err);
	store_close(s);
	ck_assert_msg(s == NULL, "store_open(%s, %d) succeeded", path, flags);
	ck_assert_msg(strstr(err.buf, want) != NULL,
		      "error '%s' does not mention '%s'", err.buf, want);
	strbuf_release(&err);
}

/* ------------------------------------------------ SQL side-door ---- */

static void sql_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, msg ? msg : "?");
	sqlite3_free(msg);
}

/* The single integer a query returns (-999 for NULL). */
static int64_t sql_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt;
	int64_t v;

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_type(stmt, 0) == SQLITE_NULL
		? -999 : sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

/* The single text a query returns, into out ("<NULL>" for NULL). */
static void sql_text(sqlite3 *db, const char *sql, struct strbuf *out)
{
	sqlite3_stmt *stmt;

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	strbuf_reset(out);
	if (sqlite3_column_type(stmt, 0) == SQLITE_NULL)
		strbuf_addstr(out, "<NULL>");
	else
		strbuf_add(out, sqlite3_column_text(stmt, 0),
			   (size_t)sqlite3_column_bytes(stmt, 0));
	sqlite3_finalize(stmt);
}

static int64_t q(const char *sql)
{
	return sql_int(store_handle(st), sql);
}

/* ------------------------------------------------ data builders ---- */

static int64_t add_root(const char *path)
{
	int64_t id = -1;

	ck_assert_int_eq(store_add_root(st, path, 1000, 1, &id), 0);
	ck_assert_int_gt(id, 0);
	return id;
}

static int64_t next_dir_id = 1;

/* Record dir path (parent computed from it) under root_id; return its id. */
static int64_t put_dir(const char *path, int64_t root_id)
{
	struct strbuf parent = STRBUF_INIT;
	const char *slash = strrchr(path, '/');
	int64_t id = next_dir_id++;

	if (slash == path)
		strbuf_addstr(&parent, "/");
	else
		strbuf_add(&parent, path, (size_t)(slash - path));
	ck_assert_int_eq(store_put_dir(st, id, path,
				       strcmp(path, "/") ? parent.buf : NULL,
				       root_id, 1), 0);
	strbuf_release(&parent);
	return id;
}

static void put_ok(int64_t dir_id, const char *name, uint64_t lines,
		   uint64_t words, uint64_t chars, uint64_t bytes,
		   unsigned flags)
{
	struct entry_update u;

	memset(&u, 0, sizeof(u));
	u.dir_id = dir_id;
	u.name = name;
	u.ext = "txt";
	u.meta.dev = 1;
	u.meta.ino = bytes + 1000;
	u.meta.size = bytes;
	u.meta.mtime_ns = 111;
	u.meta.ctime_ns = 222;
	u.counts.lines = lines;
	u.counts.words = words;
	u.counts.chars = chars;
	u.counts.bytes = bytes;
	u.flags = flags;
	u.scan_id = 1;
	ck_assert_int_eq(store_put_entry(st, &u), 0);
}

static void put_err(int64_t dir_id, const char *name, const char *why)
{
	struct entry_update u;

	memset(&u, 0, sizeof(u));
	u.dir_id = dir_id;
	u.name = name;
	u.ext = "";
	u.meta.size = 99;
	u.meta.mtime_ns = 333;
	u.meta.ctime_ns = 444;
	u.error = why;
	u.scan_id = 2;
	ck_assert_int_eq(store_put_entry(st, &u), 0);
}

/* -------------------------------------------------------- opening ---- */

START_TEST(test_create_schema)
{
	sqlite3 *db;
	struct store *ro;

	st = store_open(dbpath, STORE_CREATE);
	ck_assert_ptr_nonnull(st);
	db = store_handle(st);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(sql_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	ck_assert_int_eq(sql_int(db, "PRAGMA application_id"),
			 STORE_APPLICATION_ID);
	ck_assert_int_eq(sql_int(db, "SELECT count(*) FROM sqlite_schema WHERE "
				 "type = 'table' AND name IN ('meta', 'roots', "
				 "'dirs', 'entries', 'scans', 'scan_errors')"), 6);
	ck_assert_int_eq(sql_int(db, "SELECT count(*) FROM sqlite_schema WHERE "
				 "type = 'view' AND name IN ('files', "
				 "'totals_by_root', 'totals_by_dir', "
				 "'totals_by_ext', 'errors', 'last_scan')"), 6);
	ck_assert_int_eq(sql_int(db, "SELECT count(*) FROM roots"), 0);
	store_close(st);

	/* reopening, read-write and read-only, accepts it as is */
	st = store_open(dbpath, STORE_CREATE);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(q("PRAGMA user_version"), STORE_SCHEMA_VERSION);
	ro = store_open(dbpath, STORE_READONLY);
	ck_assert_ptr_nonnull(ro);
	ck_assert_int_eq(sql_int(store_handle(ro), "PRAGMA application_id"),
			 STORE_APPLICATION_ID);
	store_close(ro);
}
END_TEST

START_TEST(test_readonly_missing)
{
	expect_open_fails(dbpath, STORE_READONLY, "no index");
	/* and the file was not created */
	errno = 0;
	ck_assert_int_lt(access(dbpath, F_OK), 0);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* An empty file is an empty database: fine to create in, not to read. */
START_TEST(test_readonly_empty_db)
{
	int fd = open(dbpath, O_WRONLY | O_CREAT | O_EXCL, 0644);

	ck_assert_int_ge(fd, 0);
	close(fd);
	expect_open_fails(dbpath, STORE_READONLY, "no index yet");
	st = store_open(dbpath, STORE_CREATE);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(q("PRAGMA user_version"), STORE_SCHEMA_VERSION);
}
END_TEST

static void make_foreign_db(const char *path)
{
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	sql_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (42);");
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

START_TEST(test_foreign_db)
{
	sqlite3 *db;

	make_foreign_db(dbpath);
	expect_open_fails(dbpath, STORE_CREATE, "not a wcindex database");
	expect_open_fails(dbpath, STORE_READONLY, "not a wcindex database");

	/* nothing was added to it */
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sql_int(db, "SELECT count(*) FROM sqlite_schema"), 1);
	ck_assert_int_eq(sql_int(db, "SELECT x FROM t"), 42);
	ck_assert_int_eq(sql_int(db, "PRAGMA application_id"), 0);
	ck_assert_int_eq(sql_int(db, "PRAGMA user_version"), 0);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}
END_TEST

/*
 * A refused database must be left as it was: store_open() switches the
 * file to WAL mode before it looks at what the file is, which rewrites the
 * header of somebody else's database.
 */
START_TEST(test_foreign_db_untouched)
{
	struct strbuf mode = STRBUF_INIT;
	char got[32];
	sqlite3 *db;

	make_foreign_db(dbpath);
	expect_open_fails(dbpath, STORE_CREATE, "not a wcindex database");
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	sql_text(db, "PRAGMA journal_mode", &mode);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
	snprintf(got, sizeof(got), "%s", mode.buf);
	strbuf_release(&mode);
	ck_assert_msg(!strcmp(got, "delete"),
		      "refused foreign database left in journal_mode '%s'", got);
}
END_TEST

START_TEST(test_newer_schema)
{
	sqlite3 *db;

	st = store_open(dbpath, STORE_CREATE);
	ck_assert_ptr_nonnull(st);
	store_close(st);
	st = NULL;
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	{
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
			 STORE_SCHEMA_VERSION + 1);
		sql_exec(db, sql);
	}
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);

	expect_open_fails(dbpath, STORE_CREATE, "newer than this wcindex");
	expect_open_fails(dbpath, STORE_READONLY, "newer than this wcindex");
}
END_TEST

/* Our application id with no version at all is not a usable index. */
START_TEST(test_unknown_version)
{
	sqlite3 *db;
	char sql[64];

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d",
		 STORE_APPLICATION_ID);
	sql_exec(db, sql);
	sql_exec(db, "CREATE TABLE roots(x)");
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
	expect_open_fails(dbpath, STORE_CREATE, "unknown schema version");
}
END_TEST

/*
 * A database of schema version 1 (tests/data/schema-v1.sql, the schema as
 * released) is upgraded by a read-write open, keeping its rows; a reader
 * refuses it with a hint instead of failing on missing columns.
 */
START_TEST(test_migrate_from_v1)
{
	struct strbuf path = STRBUF_INIT, schema = STRBUF_INIT;
	char buf[4096], sql[128];
	sqlite3 *db;
	size_t n;
	FILE *f;

	strbuf_addf(&path, "%s/data/schema-v1.sql", test_srcdir());
	f = fopen(path.buf, "r");
	ck_assert_msg(f != NULL, "cannot open '%s'", path.buf);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&schema, buf, n);
	fclose(f);

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	sql_exec(db, schema.buf);
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d",
		 STORE_APPLICATION_ID);
	sql_exec(db, sql);
	sql_exec(db, "PRAGMA user_version = 1");
	sql_exec(db, "INSERT INTO roots(id, path, added_ns) VALUES (1, '/r', 0);"
		 "INSERT INTO dirs(id, path, parent, root_id, scan_id) "
		 "VALUES (1, '/r', NULL, 1, 1);"
		 "INSERT INTO entries(dir_id, name, ext, dev, ino, size, "
		 "mtime_ns, ctime_ns, bytes, lines, words, chars, flags, status,"
		 " scan_id) VALUES (1, 'a.txt', 'txt', 1, 2, 3, 4, 5, 3, 1, 2, "
		 "3, 0, 'ok', 1), (1, 'b.tgz', 'tgz', 1, 3, 9, 4, 5, 9, 0, 1, 9,"
		 " 1, 'ok', 1)");
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);

	expect_open_fails(dbpath, STORE_READONLY, "to upgrade it");
	st = store_open(dbpath, STORE_CREATE);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(q("PRAGMA user_version"), STORE_SCHEMA_VERSION);
	ck_assert_int_eq(q("SELECT count(*) FROM files WHERE path = '/r/a.txt' "
			   "AND member = '' AND words = 2 AND flags = 0"), 1);
	/* a binary file may be an archive: marked as counted without them */
	ck_assert_int_eq(q("SELECT flags FROM files WHERE name = 'b.tgz'"),
			 1 | ENTRY_F_NOARCHIVES);
	/* the new key: the same file may now have members */
	sql_exec(store_handle(st), "INSERT INTO entries(dir_id, name, member, "
		 "ext, dev, ino, size, mtime_ns, ctime_ns, flags, status, "
		 "scan_id) VALUES (1, 'a.txt', 'in/side.txt', 'txt', 1, 2, 3, "
		 "4, 5, 0, 'ok', 2)");
	ck_assert_int_eq(q("SELECT count(*) FROM entries"), 3);
	ck_assert_int_eq(q("SELECT count(*) FROM totals_by_root"), 1);
	strbuf_release(&path);
	strbuf_release(&schema);
}
END_TEST

START_TEST(test_not_a_database)
{
	unsigned char junk[8192], back[8192];
	uint32_t x = 0x12345678;
	FILE *f;

	for (size_t i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
	}
	ck_assert(memcmp(junk, "SQLite format 3", 15));
	scratch_write(dbpath, junk, sizeof(junk));

	expect_open_fails(dbpath, STORE_CREATE, "not a database");
	expect_open_fails(dbpath, STORE_READONLY, "not a database");

	/* the file is still the same bytes */
	f = fopen(dbpath, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(back, 1, sizeof(back), f), sizeof(back));
	ck_assert_int_eq(fgetc(f), EOF);
	fclose(f);
	ck_assert(!memcmp(junk, back, sizeof(junk)));
}
END_TEST

/* A read-only connection refuses to write. */
START_TEST(test_readonly_refuses_writes)
{
	struct strbuf err = STRBUF_INIT;
	struct capture cap;
	struct store *ro;
	int64_t id;
	int r;

	store_close(st);
	st = NULL;
	ro = store_open(dbpath, STORE_READONLY);
	ck_assert_ptr_nonnull(ro);
	capture_start(&cap);
	r = store_add_root(ro, "/x", 1, 1, &id);
	capture_end(&cap, &err);
	store_close(ro);
	ck_assert_int_eq(r, -1);
	ck_assert_ptr_nonnull(strstr(err.buf, "cannot add root"));
	strbuf_release(&err);
}
END_TEST

/* ---------------------------------------------------------- roots ---- */

static void expect_root(const char *path, int64_t want_id, const char *want)
{
	struct strbuf rp = STRBUF_INIT;
	int64_t id = -1;
	int r = store_find_root(st, path, &id, &rp);

	ck_assert_msg(r == 1, "find_root(%s) = %d, want 1", path, r);
	ck_assert_msg(id == want_id && !strcmp(rp.buf, want),
		      "find_root(%s) = %lld '%s', want %lld '%s'", path,
		      (long long)id, rp.buf, (long long)want_id, want);
	strbuf_release(&rp);
}

static void expect_no_root(const char *path)
{
	struct strbuf rp = STRBUF_INIT;
	int64_t id = -1;
	int r = store_find_root(st, path, &id, &rp);

	strbuf_release(&rp);
	ck_assert_msg(r == 0, "find_root(%s) = %d (id %lld), want 0", path, r,
		      (long long)id);
}

START_TEST(test_find_root)
{
	int64_t ab, abc, other;
	int64_t id;

	expect_no_root("/a/b");
	ab = add_root("/a/b");
	expect_root("/a/b", ab, "/a/b");
	expect_root("/a/b/c", ab, "/a/b");
	expect_root("/a/b/c/d/e.txt", ab, "/a/b");
	expect_root("/a/b/\n\xff", ab, "/a/b");
	/* siblings sharing a prefix are not below it */
	expect_no_root("/a/bc");
	expect_no_root("/a/bc/d");
	expect_no_root("/a/b.c");
	expect_no_root("/a/b-c/d");
	expect_no_root("/a/b0");
	expect_no_root("/a");
	expect_no_root("/");
	expect_no_root("/z");

	abc = add_root("/a/bc");
	ck_assert_int_ne(abc, ab);
	expect_root("/a/bc/d", abc, "/a/bc");
	expect_root("/a/b/c", ab, "/a/b");
	other = add_root("/other");
	expect_root("/other/x", other, "/other");
	/* root_path may be NULL */
	ck_assert_int_eq(store_find_root(st, "/a/bc/q", &id, NULL), 1);
	ck_assert_int_eq(id, abc);
}
END_TEST

/* The longest containing root wins. */
START_TEST(test_find_root_longest)
{
	int64_t a, ab;

	a = add_root("/a");
	ab = add_root("/a/b");			/* below /a: not absorbed */
	ck_assert_int_eq(q("SELECT count(*) FROM roots"), 2);
	expect_root("/a/b/c", ab, "/a/b");
	expect_root("/a/b", ab, "/a/b");
	expect_root("/a/c", a, "/a");
	expect_root("/a/bc", a, "/a");
	expect_root("/a", a, "/a");
}
END_TEST

/* A "/" root contains everything (inserted directly: see test_add_root_slash). */
START_TEST(test_find_root_slash)
{
	int64_t slash, a;

	sql_exec(store_handle(st),
		 "INSERT INTO roots(id, path, added_ns) VALUES (50, '/', 1)");
	slash = 50;
	expect_root("/", slash, "/");
	expect_root("/x", slash, "/");
	expect_root("/x/y/z", slash, "/");
	a = add_root("/a");
	expect_root("/a/q", a, "/a");
	expect_root("/ab", slash, "/");
}
END_TEST

/* store_add_root("/") must leave a "/" root behind. */
START_TEST(test_add_root_slash)
{
	char **paths = NULL;
	size_t nr = 0;
	int64_t id = -1, found = -1;
	int listed, r;

	ck_assert_int_eq(store_add_root(st, "/", 1, 1, &id), 0);
	ck_assert_int_eq(store_list_roots(st, &paths, &nr), 0);
	listed = nr == 1 && !strcmp(paths[0], "/");
	for (size_t i = 0; i < nr; i++)
		free(paths[i]);
	free(paths);
	r = store_find_root(st, "/x", &found, NULL);
	ck_assert_msg(listed, "after store_add_root(\"/\"), %zu roots listed", nr);
	ck_assert_int_eq(r, 1);
	ck_assert_int_eq(found, id);
}
END_TEST

/* Adding "/" over existing roots absorbs them into a "/" root. */
START_TEST(test_add_root_slash_absorbs)
{
	int64_t a, slash = -1, dir;
	int64_t roots, dir_root, slash_rows;

	a = add_root("/a");
	dir = put_dir("/a", a);
	ck_assert_int_eq(store_add_root(st, "/", 1, 1, &slash), 0);
	roots = q("SELECT count(*) FROM roots");
	slash_rows = q("SELECT count(*) FROM roots WHERE path = '/'");
	dir_root = q("SELECT root_id FROM dirs WHERE path = '/a'");
	ck_assert_int_gt(dir, 0);
	ck_assert_msg(roots == 1 && slash_rows == 1,
		      "%lld roots, %lld of them '/', after adding '/' over '/a'",
		      (long long)roots, (long long)slash_rows);
	ck_assert_int_eq(dir_root, slash);
}
END_TEST

START_TEST(test_add_root_twice)
{
	struct strbuf err = STRBUF_INIT;
	struct capture cap;
	int64_t id;
	int r;

	(void)add_root("/dup");
	capture_start(&cap);
	r = store_add_root(st, "/dup", 2, 1, &id);
	capture_end(&cap, &err);
	ck_assert_int_eq(r, -1);
	ck_assert_ptr_nonnull(strstr(err.buf, "cannot add root"));
	ck_assert_int_eq(q("SELECT count(*) FROM roots"), 1);
	strbuf_release(&err);
}
END_TEST

START_TEST(test_nested_root_absorbed)
{
	int64_t xy, xy2, xyother, x;
	char **paths = NULL;
	size_t nr = 0;

	xy = add_root("/x/y");
	(void)put_dir("/x/y", xy);
	(void)put_dir("/x/y/z", xy);
	(void)put_dir("/x/y/z/w", xy);
	xy2 = add_root("/x/q");
	(void)put_dir("/x/q", xy2);
	xyother = add_root("/xy");		/* shares a prefix, not below /x */
	(void)put_dir("/xy", xyother);
	(void)put_dir("/xy/k", xyother);

	x = add_root("/x");
	ck_assert_int_eq(store_list_roots(st, &paths, &nr), 0);
	ck_assert_uint_eq(nr, 2);
	ck_assert_str_eq(paths[0], "/x");
	ck_assert_str_eq(paths[1], "/xy");
	for (size_t i = 0; i < nr; i++)
		free(paths[i]);
	free(paths);

	/* the absorbed roots' directories moved, the sibling's did not */
	ck_assert_int_eq(q("SELECT count(*) FROM dirs WHERE path LIKE '/x/%'"), 4);
	{
		char sql[128];

		/* ... plus /x itself, linked so that its walk finds them */
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM dirs WHERE "
			 "root_id = %lld", (long long)x);
		ck_assert_int_eq(q(sql), 5);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM dirs WHERE "
			 "root_id = %lld AND path LIKE '/xy%%'",
			 (long long)xyother);
		ck_assert_int_eq(q(sql), 2);
	}
	ck_assert_int_eq(q("SELECT count(*) FROM dirs WHERE root_id NOT IN "
			   "(SELECT id FROM roots)"), 0);
	expect_root("/x/y/z", x, "/x");
	expect_root("/xy/k", xyother, "/xy");
	/* the absorbed tops hang under the new root, which has no parent */
	ck_assert_int_eq(q("SELECT count(*) FROM dirs WHERE path IN ('/x/y', "
			   "'/x/q') AND parent = '/x'"), 2);
	ck_assert_int_eq(q("SELECT count(*) FROM dirs WHERE path = '/x' "
			   "AND parent IS NULL"), 1);
}
END_TEST

START_TEST(test_root_scanned_and_list)
{
	char **paths = NULL;
	size_t nr = 0;
	int64_t b;

	ck_assert_int_eq(store_list_roots(st, &paths, &nr), 0);
	ck_assert_uint_eq(nr, 0);
	free(paths);

	(void)add_root("/c");
	b = add_root("/b");
	(void)add_root("/a\nnl");
	ck_assert_int_eq(store_root_scanned(st, b, 77, 2049), 0);
	ck_assert_int_eq(q("SELECT last_scan_id FROM roots WHERE path = '/b'"), 77);
	ck_assert_int_eq(q("SELECT dev FROM roots WHERE path = '/b'"), 2049);
	ck_assert_int_eq(q("SELECT last_scan_id FROM roots WHERE path = '/c'"),
			 -999);
	ck_assert_int_eq(q("SELECT added_ns FROM roots WHERE path = '/c'"), 1000);

	ck_assert_int_eq(store_list_roots(st, &paths, &nr), 0);
	ck_assert_uint_eq(nr, 3);
	ck_assert_str_eq(paths[0], "/a\nnl");
	ck_assert_str_eq(paths[1], "/b");
	ck_assert_str_eq(paths[2], "/c");
	for (size_t i = 0; i < nr; i++)
		free(paths[i]);
	free(paths);
}
END_TEST

/* A root's settings, device and state; forgetting one keeps the others. */
START_TEST(test_root_info_and_forget)
{
	struct root_info ri = { STRBUF_INIT, 0, 0, 0 };
	int64_t a, b, id = -1, da, db;
	uint64_t files = 99;

	a = add_root("/a");
	b = add_root("/b");
	ck_assert_int_eq(store_root_info(st, a, &ri), 0);
	ck_assert_str_eq(ri.settings.buf, "");
	ck_assert_int_eq(ri.has_dev, 0);
	ck_assert_int_eq(ri.scanned, 0);
	ck_assert_int_eq(store_set_root_settings(st, a, "mode=ascii\n"), 0);
	ck_assert_int_eq(store_set_root_state(st, a, "held"), 0);
	ck_assert_int_eq(store_root_scanned(st, a, 5, 7), 0);
	ck_assert_int_eq(store_root_info(st, a, &ri), 0);
	ck_assert_str_eq(ri.settings.buf, "mode=ascii\n");
	ck_assert_int_eq(ri.has_dev, 1);
	ck_assert_uint_eq(ri.dev, 7);
	ck_assert_int_eq(ri.scanned, 1);
	/* a scan that walked it whole says it is there again */
	ck_assert_int_eq(q("SELECT state = 'ok' FROM roots WHERE id = 1"), 1);

	ck_assert_int_eq(store_root_by_path(st, "/a", &id), 1);
	ck_assert_int_eq(id, a);
	ck_assert_int_eq(store_root_by_path(st, "/a/sub", &id), 0);

	da = put_dir("/a", a);
	put_ok(put_dir("/a/s", a), "x.txt", 1, 2, 3, 4, 0);
	put_ok(da, "y.txt", 1, 2, 3, 5, 0);
	db = put_dir("/b", b);
	put_ok(db, "z.txt", 1, 2, 3, 6, 0);
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_forget_root(st, a, &files), 0);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_uint_eq(files, 2);
	ck_assert_int_eq(q("SELECT count(*) FROM roots"), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM dirs"), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM entries"), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM entries e JOIN dirs d "
			   "ON e.dir_id = d.id WHERE d.path = '/b'"), 1);
	strbuf_release(&ri.settings);
}
END_TEST

/* ---------------------------------------------------- directories ---- */

START_TEST(test_put_dir_upsert)
{
	int64_t r1, r2, r3, id = -1, max = -1;

	ck_assert_int_eq(store_max_dir_id(st, &max), 0);
	ck_assert_int_eq(max, 0);
	r1 = add_root("/m/n");
	ck_assert_int_eq(store_put_dir(st, 10, "/m/n", NULL, r1, 3), 0);
	ck_assert_int_eq(store_put_dir(st, 11, "/m/n/o", "/m/n", r1, 3), 0);
	ck_assert_int_eq(store_dir_lookup(st, "/m/n", &id), 1);
	ck_assert_int_eq(id, 10);
	ck_assert_int_eq(store_dir_lookup(st, "/m/n/o", &id), 1);
	ck_assert_int_eq(id, 11);
	ck_assert_int_eq(store_dir_lookup(st, "/m/n/p", &id), 0);
	ck_assert_int_eq(store_dir_lookup(st, "/m", &id), 0);
	ck_assert_int_eq(q("SELECT parent IS NULL FROM dirs WHERE id = 10"), 1);

	/* the top of an absorbed root gets a parent and the new root */
	r2 = add_root("/m");
	ck_assert_int_eq(store_put_dir(st, 12, "/m", NULL, r2, 4), 0);
	ck_assert_int_eq(store_put_dir(st, 99, "/m/n", "/m", r2, 4), 0);
	ck_assert_int_eq(store_dir_lookup(st, "/m/n", &id), 1);
	ck_assert_int_eq(id, 10);			/* the id is kept */
	ck_assert_int_eq(q("SELECT count(*) FROM dirs"), 3);
	ck_assert_int_eq(q("SELECT count(*) FROM dirs WHERE id = 99"), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM dirs WHERE id = 10 AND "
			   "parent = '/m'"), 1);
	{
		char sql[96];

		snprintf(sql, sizeof(sql), "SELECT root_id = %lld FROM dirs "
			 "WHERE id = 10", (long long)r2);
		ck_assert_int_eq(q(sql), 1);
	}
	/* scan_id records the scan that first saw it */
	ck_assert_int_eq(q("SELECT scan_id FROM dirs WHERE id = 10"), 3);

	/* an upsert moves a directory to the root it is given */
	r3 = add_root("/elsewhere");
	ck_assert_int_eq(store_put_dir(st, 98, "/m/n/o", "/m/n", r3, 5), 0);
	{
		char sql[96];

		snprintf(sql, sizeof(sql), "SELECT root_id = %lld FROM dirs "
			 "WHERE id = 11", (long long)r3);
		ck_assert_int_eq(q(sql), 1);
	}
	ck_assert_int_eq(q("SELECT count(*) FROM dirs WHERE id = 98"), 0);
	ck_assert_int_eq(store_max_dir_id(st, &max), 0);
	ck_assert_int_eq(max, 12);
}
END_TEST

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

START_TEST(test_dir_children_sorted)
{
	static const char *names[] = {
		"b", "a", "A", "a b", "a.b", "a0", "\xc3\xa9t\xc3\xa9", "z",
		"new\nline", "\xff\xfe", "_", "aa",
	};
	const char *want[ARRAY_LEN(names)];
	struct dir_rows rows = { 0 };
	struct strbuf p = STRBUF_INIT;
	int64_t root = add_root("/p");

	(void)put_dir("/p", root);
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		strbuf_reset(&p);
		strbuf_addf(&p, "/p/%s", names[i]);
		(void)put_dir(p.buf, root);
		want[i] = names[i];
	}
	(void)put_dir("/p/a/deeper", root);	/* a grandchild */
	(void)put_dir("/pq", root);		/* a sibling of /p */
	qsort(want, ARRAY_LEN(want), sizeof(want[0]), cmp_str);

	ck_assert_int_eq(store_dir_children(st, "/p", &rows), 0);
	ck_assert_uint_eq(rows.nr, ARRAY_LEN(names));
	for (size_t i = 0; i < rows.nr; i++) {
		int64_t id;

		strbuf_reset(&p);
		strbuf_addf(&p, "/p/%s", want[i]);
		ck_assert_msg(!strcmp(rows.v[i].path, p.buf),
			      "child %zu is '%s', want '%s'", i, rows.v[i].path,
			      p.buf);
		ck_assert_int_eq(store_dir_lookup(st, p.buf, &id), 1);
		ck_assert_int_eq(rows.v[i].id, id);
	}

	/* the array is reused: one child, then none */
	ck_assert_int_eq(store_dir_children(st, "/p/a", &rows), 0);
	ck_assert_uint_eq(rows.nr, 1);
	ck_assert_str_eq(rows.v[0].path, "/p/a/deeper");
	ck_assert_int_eq(store_dir_children(st, "/p/z", &rows), 0);
	ck_assert_uint_eq(rows.nr, 0);
	/* the children of "/" are found by their parent "/" */
	ck_assert_int_eq(store_dir_children(st, "/", &rows), 0);
	ck_assert_uint_eq(rows.nr, 2);
	ck_assert_str_eq(rows.v[0].path, "/p");
	ck_assert_str_eq(rows.v[1].path, "/pq");
	store_dir_rows_release(&rows);
	strbuf_release(&p);
}
END_TEST

static int64_t count_dir(const char *path)
{
	int64_t id;

	return store_dir_lookup(st, path, &id);
}

START_TEST(test_delete_subtree)
{
	static const char *dirs[] = {
		"/r", "/r/a", "/r/a/s", "/r/a/s/t", "/r/ab", "/r/a.b", "/r/a0",
		"/r/a-", "/r/b",
	};
	int64_t ids[ARRAY_LEN(dirs)];
	int64_t root = add_root("/r");
	uint64_t files = 12345;

	for (size_t i = 0; i < ARRAY_LEN(dirs); i++) {
		ids[i] = put_dir(dirs[i], root);
		put_ok(ids[i], "f1", 1, 1, 1, 1, 0);
		put_ok(ids[i], "f2", 1, 1, 1, 1, 0);
	}
	put_err(ids[2], "bad", "boom");		/* failed rows go too */

	ck_assert_int_eq(store_delete_subtree(st, "/r/a", &files), 0);
	ck_assert_uint_eq(files, 2 + 2 + 1 + 2);
	ck_assert_int_eq(count_dir("/r/a"), 0);
	ck_assert_int_eq(count_dir("/r/a/s"), 0);
	ck_assert_int_eq(count_dir("/r/a/s/t"), 0);
	/* the siblings sharing the prefix survive, with their files */
	ck_assert_int_eq(count_dir("/r"), 1);
	ck_assert_int_eq(count_dir("/r/ab"), 1);
	ck_assert_int_eq(count_dir("/r/a.b"), 1);
	ck_assert_int_eq(count_dir("/r/a0"), 1);
	ck_assert_int_eq(count_dir("/r/a-"), 1);
	ck_assert_int_eq(count_dir("/r/b"), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM entries"), 2 * 6);
	ck_assert_int_eq(q("SELECT count(*) FROM entries WHERE dir_id NOT IN "
			   "(SELECT id FROM dirs)"), 0);

	/* a path that is not indexed: nothing happens */
	ck_assert_int_eq(store_delete_subtree(st, "/r/zz", &files), 0);
	ck_assert_uint_eq(files, 0);
	ck_assert_int_eq(q("SELECT count(*) FROM dirs"), 6);

	/* the whole root */
	ck_assert_int_eq(store_delete_subtree(st, "/r", &files), 0);
	ck_assert_uint_eq(files, 12);
	ck_assert_int_eq(q("SELECT count(*) FROM dirs"), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM entries"), 0);
}
END_TEST

START_TEST(test_delete_subtree_slash)
{
	int64_t root = add_root("/s");
	uint64_t files = 0;

	put_ok(put_dir("/s", root), "f", 1, 1, 1, 1, 0);
	put_ok(put_dir("/s/t", root), "g", 1, 1, 1, 1, 0);
	ck_assert_int_eq(store_delete_subtree(st, "/", &files), 0);
	ck_assert_uint_eq(files, 2);
	ck_assert_int_eq(q("SELECT count(*) FROM dirs"), 0);
}
END_TEST

/* ---------------------------------------------------------- files ---- */

START_TEST(test_put_entry_ok_and_error)
{
	struct index_rows rows = { 0 };
	struct strbuf txt = STRBUF_INIT;
	struct entry_update u;
	int64_t root = add_root("/e"), dir = put_dir("/e", root);

	memset(&u, 0, sizeof(u));
	u.dir_id = dir;
	u.name = "f.txt";
	u.ext = "txt";
	u.meta.dev = 0x801;
	u.meta.ino = (1ull << 63) + 4242;	/* above INT64_MAX */
	u.meta.size = 1ull << 33;
	u.meta.mtime_ns = 1700000000123456789LL;
	u.meta.ctime_ns = -5;
	u.counts.bytes = 1ull << 33;
	u.counts.lines = 10;
	u.counts.words = 20;
	u.counts.chars = 30;
	u.flags = COUNT_F_INVALID_UTF8 | ENTRY_F_RACY;
	u.scan_id = 5;
	ck_assert_int_eq(store_put_entry(st, &u), 0);

	ck_assert_int_eq(store_dir_entries(st, dir, &rows), 0);
	ck_assert_uint_eq(rows.nr, 1);
	ck_assert_str_eq(rows.v[0].name, "f.txt");
	ck_assert_uint_eq(rows.v[0].meta.dev, 0x801);
	ck_assert_uint_eq(rows.v[0].meta.ino, (1ull << 63) + 4242);
	ck_assert_uint_eq(rows.v[0].meta.size, 1ull << 33);
	ck_assert_int_eq(rows.v[0].meta.mtime_ns, 1700000000123456789LL);
	ck_assert_int_eq(rows.v[0].meta.ctime_ns, -5);
	ck_assert_uint_eq(rows.v[0].flags, COUNT_F_INVALID_UTF8 | ENTRY_F_RACY);
	ck_assert_int_eq(rows.v[0].failed, 0);
	ck_assert_int_eq(q("SELECT lines * 1000000 + words * 1000 + chars "
			   "FROM entries"), 10020030);
	ck_assert_int_eq(q("SELECT bytes FROM entries"), 1ll << 33);
	ck_assert_int_eq(q("SELECT scan_id FROM entries"), 5);
	sql_text(store_handle(st), "SELECT status || '|' || ext || '|' || "
		 "coalesce(error, 'NULL') FROM entries", &txt);
	ck_assert_str_eq(txt.buf, "ok|txt|NULL");

	/* a failed recount: new metadata, status and error; old counts */
	u.meta.size = 7;
	u.meta.mtime_ns = 99;
	u.counts.lines = 555;			/* ignored */
	u.flags = 0;
	u.error = "read: Input/output error";
	u.scan_id = 6;
	ck_assert_int_eq(store_put_entry(st, &u), 0);
	ck_assert_int_eq(store_dir_entries(st, dir, &rows), 0);
	ck_assert_uint_eq(rows.nr, 1);
	ck_assert_int_eq(rows.v[0].failed, 1);
	ck_assert_uint_eq(rows.v[0].meta.size, 7);
	ck_assert_int_eq(rows.v[0].meta.mtime_ns, 99);
	ck_assert_uint_eq(rows.v[0].flags, 0);
	ck_assert_int_eq(q("SELECT lines * 1000000 + words * 1000 + chars "
			   "FROM entries"), 10020030);
	ck_assert_int_eq(q("SELECT scan_id FROM entries"), 6);
	sql_text(store_handle(st), "SELECT status || '|' || error FROM entries",
		 &txt);
	ck_assert_str_eq(txt.buf, "error|read: Input/output error");
	ck_assert_int_eq(q("SELECT count(*) FROM entries"), 1);

	/* counted again: ok, error cleared, new counts */
	u.error = NULL;
	u.counts.lines = 1;
	u.counts.words = 2;
	u.counts.chars = 3;
	ck_assert_int_eq(store_put_entry(st, &u), 0);
	ck_assert_int_eq(store_dir_entries(st, dir, &rows), 0);
	ck_assert_int_eq(rows.v[0].failed, 0);
	ck_assert_int_eq(q("SELECT lines * 1000000 + words * 1000 + chars "
			   "FROM entries"), 1002003);
	ck_assert_int_eq(q("SELECT error IS NULL AND status = 'ok' FROM entries"),
			 1);

	store_index_rows_release(&rows);
	strbuf_release(&txt);
}
END_TEST

/* A file that failed the first time it was seen has no counts at all. */
START_TEST(test_put_entry_new_error)
{
	int64_t root = add_root("/e"), dir = put_dir("/e", root);

	put_err(dir, "x", "open: Permission denied");
	ck_assert_int_eq(q("SELECT lines IS NULL AND words IS NULL AND "
			   "chars IS NULL AND bytes IS NULL FROM entries"), 1);
	ck_assert_int_eq(q("SELECT size FROM entries"), 99);
}
END_TEST

START_TEST(test_dir_entries_sorted_and_delete)
{
	static const char *names[] = {
		"b.txt", "a.txt", "B.txt", "a", "a\n", "\xff", "_x", "a b",
		"\xc3\xa9", "~",
	};
	const char *want[ARRAY_LEN(names)];
	struct index_rows rows = { 0 };
	int64_t root = add_root("/d"), dir = put_dir("/d", root);
	int64_t other = put_dir("/d/sub", root), victim = -1;

	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		put_ok(dir, names[i], i, i, i, i, 0);
		want[i] = names[i];
	}
	put_ok(other, "elsewhere", 1, 1, 1, 1, 0);
	qsort(want, ARRAY_LEN(want), sizeof(want[0]), cmp_str);

	ck_assert_int_eq(store_dir_entries(st, dir, &rows), 0);
	ck_assert_uint_eq(rows.nr, ARRAY_LEN(names));
	for (size_t i = 0; i < rows.nr; i++) {
		ck_assert_msg(!strcmp(rows.v[i].name, want[i]),
			      "entry %zu is '%s', want '%s'", i, rows.v[i].name,
			      want[i]);
		if (!strcmp(rows.v[i].name, "a.txt"))
			victim = rows.v[i].id;
	}
	ck_assert_int_gt(victim, 0);

	ck_assert_int_eq(store_delete_entry(st, victim), 0);
	ck_assert_int_eq(store_dir_entries(st, dir, &rows), 0);
	ck_assert_uint_eq(rows.nr, ARRAY_LEN(names) - 1);
	for (size_t i = 0; i < rows.nr; i++)
		ck_assert_str_ne(rows.v[i].name, "a.txt");
	/* deleting what is not there is not an error */
	ck_assert_int_eq(store_delete_entry(st, victim), 0);

	ck_assert_int_eq(store_dir_entries(st, other, &rows), 0);
	ck_assert_uint_eq(rows.nr, 1);
	ck_assert_str_eq(rows.v[0].name, "elsewhere");
	ck_assert_int_eq(store_dir_entries(st, 9999, &rows), 0);
	ck_assert_uint_eq(rows.nr, 0);
	store_index_rows_release(&rows);
}
END_TEST

struct ls_collect {
	struct strbuf out;	/* "dir|name|lines|status|error\n" per row */
	int calls, stop_after;
};

static int collect_ls(void *data, const struct ls_row *row)
{
	struct ls_collect *c = data;

	c->calls++;
	strbuf_add(&c->out, row->path, row->path_len);
	strbuf_addf(&c->out, "|%lld|%lld|%lld|%lld|%u|%s|%s|%s\n",
		    (long long)row->lines, (long long)row->words,
		    (long long)row->chars, (long long)row->bytes, row->flags,
		    row->kind, row->status, row->error ? row->error : "-");
	return c->stop_after && c->calls >= c->stop_after;
}

/* ls of one path, as the command does it: 1 (listed), 0 (not indexed). */
static int ls_path(const char *path, struct ls_collect *c)
{
	char *paths[] = { (char *)path };
	struct ls_query q = { paths, 1, SORT_NAME, 0, 0 };
	int r = store_path_indexed(st, path);

	if (r > 0 && store_ls(st, &q, collect_ls, c))
		return -1;
	return r;
}

START_TEST(test_names_round_trip)
{
	static const char *names[] = {
		"new\nline", "bad\xff\xfe", "cr\rlf\n", "\x80", "tab\tx",
		"emoji \xf0\x9f\x98\x80", "quote'\"", "back\\slash", "%s%n",
		"\xed\xa0\x80 surrogate", "\xc0\xaf overlong",
	};
	static const char dirpath[] = "/n/dir\nwith\xff";
	struct index_rows rows = { 0 };
	size_t found = 0;
	struct ls_collect c = { STRBUF_INIT, 0, 0 };
	struct dir_rows drows = { 0 };
	int64_t root = add_root("/n"), dir, id;

	(void)put_dir("/n", root);
	dir = put_dir(dirpath, root);
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		put_ok(dir, names[i], 1, 1, 1, 1, 0);

	ck_assert_int_eq(store_dir_entries(st, dir, &rows), 0);
	ck_assert_uint_eq(rows.nr, ARRAY_LEN(names));
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		for (size_t k = 0; k < rows.nr; k++)
			if (strlen(rows.v[k].name) == strlen(names[i]) &&
			    !memcmp(rows.v[k].name, names[i], strlen(names[i])))
				found++;
	ck_assert_uint_eq(found, ARRAY_LEN(names));

	/* the directory path too */
	ck_assert_int_eq(store_dir_lookup(st, dirpath, &id), 1);
	ck_assert_int_eq(id, dir);
	ck_assert_int_eq(store_dir_children(st, "/n", &drows), 0);
	ck_assert_uint_eq(drows.nr, 1);
	ck_assert_uint_eq(strlen(drows.v[0].path), sizeof(dirpath) - 1);
	ck_assert(!memcmp(drows.v[0].path, dirpath, sizeof(dirpath) - 1));

	/* and through ls, of the directory and of one file */
	ck_assert_int_eq(ls_path(dirpath, &c), 1);
	ck_assert_int_eq(c.calls, (int)ARRAY_LEN(names));
	ck_assert_ptr_nonnull(strstr(c.out.buf, "/bad\xff\xfe|"));
	ck_assert_ptr_nonnull(strstr(c.out.buf, "/new\nline|"));
	strbuf_reset(&c.out);
	c.calls = 0;
	{
		struct strbuf p = STRBUF_INIT;

		strbuf_addf(&p, "%s/%s", dirpath, "new\nline");
		ck_assert_int_eq(ls_path(p.buf, &c), 1);
		strbuf_release(&p);
	}
	ck_assert_int_eq(c.calls, 1);
	ck_assert_str_eq(c.out.buf, "/n/dir\nwith\xff/new\nline|1|1|1|1|0|text|ok|-\n");

	store_index_rows_release(&rows);
	store_dir_rows_release(&drows);
	strbuf_release(&c.out);
}
END_TEST

/* ---------------------------------------------------------- scans ---- */

START_TEST(test_scans)
{
	struct scan_stats s = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0 };
	struct strbuf txt = STRBUF_INIT;
	int64_t id1 = -1, id2 = -1;

	ck_assert_int_eq(store_scan_begin(st, "/a\n/b", "utf8", 1000, &id1), 0);
	ck_assert_int_gt(id1, 0);
	sql_text(store_handle(st), "SELECT status || '|' || roots || '|' || "
		 "options FROM scans ORDER BY id LIMIT 1", &txt);
	ck_assert_str_eq(txt.buf, "running|/a\n/b|utf8");
	/* a scan that begins finds the one before still running: it died */
	ck_assert_int_eq(store_scan_begin(st, "/c", "ascii", 2000, &id2), 0);
	ck_assert_int_gt(id2, id1);
	sql_text(store_handle(st), "SELECT group_concat(status, ',') FROM "
		 "(SELECT status FROM scans ORDER BY id)", &txt);
	ck_assert_str_eq(txt.buf, "killed,running");
	ck_assert_int_eq(q("SELECT finished_ns IS NULL FROM scans ORDER BY id "
			   "LIMIT 1"), 1);

	ck_assert_int_eq(store_scan_finish(st, id1, &s, "done", 3000), 0);
	ck_assert_int_eq(q("SELECT finished_ns FROM scans ORDER BY id LIMIT 1"),
			 3000);
	ck_assert_int_eq(q("SELECT started_ns FROM scans ORDER BY id LIMIT 1"),
			 1000);
	/* every counter in its own column */
	ck_assert_int_eq(q("SELECT files_seen || files_new || files_changed || "
			   "files_unchanged || files_deleted || files_failed || "
			   "files_skipped || bytes_read || words_read FROM "
			   "scans ORDER BY id LIMIT 1"), 123456789);
	sql_text(store_handle(st), "SELECT group_concat(status, ',') FROM "
		 "(SELECT status FROM scans ORDER BY id)", &txt);
	ck_assert_str_eq(txt.buf, "done,running");
	strbuf_release(&txt);
}
END_TEST

START_TEST(test_scan_errors)
{
	struct scan_stats s;
	struct strbuf txt = STRBUF_INIT;
	int64_t id = -1;

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(store_scan_begin(st, "/r", "", 1, &id), 0);
	ck_assert_int_eq(store_add_error(st, id, "/r/x\n\xff", "open", 13,
					 "open: Permission denied"), 0);
	ck_assert_int_eq(store_add_error(st, id, "/r/y", "walk", 0,
					 "not a directory any more"), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM scan_errors"), 2);
	ck_assert_int_eq(q("SELECT errno FROM scan_errors WHERE stage = 'open'"),
			 13);
	ck_assert_int_eq(q("SELECT errno FROM scan_errors WHERE stage = 'walk'"),
			 -999);				/* NULL */
	sql_text(store_handle(st), "SELECT path || '|' || message FROM "
		 "scan_errors WHERE stage = 'open'", &txt);
	ck_assert_str_eq(txt.buf, "/r/x\n\xff|open: Permission denied");
	ck_assert_int_eq(store_scan_finish(st, id, &s, "done", 2), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM scan_errors"), 2);
	strbuf_release(&txt);
}
END_TEST

/* Finishing a scan keeps the errors of the last 20 scans only. */
START_TEST(test_scan_errors_pruned)
{
	struct scan_stats s;
	int64_t id = -1;

	memset(&s, 0, sizeof(s));
	for (int i = 1; i <= 22; i++) {
		ck_assert_int_eq(store_scan_begin(st, "/r", "", i, &id), 0);
		ck_assert_int_eq(id, i);
		ck_assert_int_eq(store_add_error(st, id, "/r/x", "read", 5,
						 "read: I/O error"), 0);
	}
	ck_assert_int_eq(q("SELECT count(*) FROM scan_errors"), 22);
	ck_assert_int_eq(store_scan_finish(st, id, &s, "done", 100), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM scan_errors"), 20);
	ck_assert_int_eq(q("SELECT min(scan_id) FROM scan_errors"), 3);
}
END_TEST

/* --------------------------------------------------------- totals ---- */

/*
 * /t             a.txt      1    2    3    4
 * /t/sub         b.txt     10   20   30   40
 *                bin.dat 1000 2000 3000 4000  binary
 *                bad.txt   (error, never counted)
 *                old.txt    5    5    5    5  then an error: left out
 * /t/sub/deep    c.txt    100  200  300  400
 * /tx            z.txt      7    7    7    7  (a sibling sharing a prefix)
 */
static void build_totals_tree(void)
{
	int64_t t = add_root("/t"), tx = add_root("/tx");
	int64_t d_t = put_dir("/t", t), d_sub = put_dir("/t/sub", t);
	int64_t d_deep = put_dir("/t/sub/deep", t), d_tx = put_dir("/tx", tx);

	put_ok(d_t, "a.txt", 1, 2, 3, 4, 0);
	put_ok(d_sub, "b.txt", 10, 20, 30, 40, COUNT_F_INVALID_UTF8);
	put_ok(d_sub, "bin.dat", 1000, 2000, 3000, 4000, COUNT_F_BINARY);
	put_err(d_sub, "bad.txt", "open: Permission denied");
	put_ok(d_sub, "old.txt", 5, 5, 5, 5, 0);
	put_err(d_sub, "old.txt", "read: Input/output error");
	put_ok(d_deep, "c.txt", 100, 200, 300, 400, ENTRY_F_RACY);
	put_ok(d_tx, "z.txt", 7, 7, 7, 7, 0);
}

static void expect_totals(const char *path, int binary, int want_ret,
			  uint64_t files, uint64_t lines, uint64_t words,
			  uint64_t chars, uint64_t bytes, uint64_t nbinary,
			  uint64_t failed)
{
	struct totals t;
	int r;

	memset(&t, 0xff, sizeof(t));
	r = store_totals(st, path, binary, &t);
	ck_assert_msg(r == want_ret, "totals(%s) returned %d, want %d", path, r,
		      want_ret);
	ck_assert_msg(t.files == files && t.lines == lines && t.words == words &&
		      t.chars == chars && t.bytes == bytes &&
		      t.binary == nbinary && t.failed == failed,
		      "totals(%s, %d) = %llu files %llu %llu %llu %llu, "
		      "binary %llu failed %llu", path, binary,
		      (unsigned long long)t.files, (unsigned long long)t.lines,
		      (unsigned long long)t.words, (unsigned long long)t.chars,
		      (unsigned long long)t.bytes, (unsigned long long)t.binary,
		      (unsigned long long)t.failed);
}

START_TEST(test_totals)
{
	build_totals_tree();

	/* a whole tree: text files only; the sibling /tx is not in it */
	expect_totals("/t", 0, 1, 3, 111, 222, 333, 444, 1, 2);
	/* binary files included on request */
	expect_totals("/t", 1, 1, 4, 1111, 2222, 3333, 4444, 1, 2);
	expect_totals("/t/sub", 0, 1, 2, 110, 220, 330, 440, 1, 2);
	expect_totals("/t/sub/deep", 0, 1, 1, 100, 200, 300, 400, 0, 0);
	expect_totals("/tx", 0, 1, 1, 7, 7, 7, 7, 0, 0);

	/* single files */
	expect_totals("/t/sub/b.txt", 0, 1, 1, 10, 20, 30, 40, 0, 0);
	expect_totals("/t/a.txt", 0, 1, 1, 1, 2, 3, 4, 0, 0);
	expect_totals("/t/sub/bin.dat", 0, 1, 0, 0, 0, 0, 0, 1, 0);
	expect_totals("/t/sub/bin.dat", 1, 1, 1, 1000, 2000, 3000, 4000, 1, 0);
	expect_totals("/t/sub/bad.txt", 0, 1, 0, 0, 0, 0, 0, 0, 1);
	expect_totals("/t/sub/old.txt", 1, 1, 0, 0, 0, 0, 0, 0, 1);

	/* not indexed */
	expect_totals("/t/nope", 0, 0, 0, 0, 0, 0, 0, 0, 0);
	expect_totals("/t/sub/nope.txt", 0, 0, 0, 0, 0, 0, 0, 0, 0);
	expect_totals("/nowhere/x", 0, 0, 0, 0, 0, 0, 0, 0, 0);
	expect_totals("/t/su", 0, 0, 0, 0, 0, 0, 0, 0, 0);
	/* the directory part of a file path must match exactly */
	expect_totals("/t/a.txt/x", 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
END_TEST

/* An indexed directory without files: found, all zero. */
START_TEST(test_totals_empty_dir)
{
	int64_t r = add_root("/empty");

	(void)put_dir("/empty", r);
	expect_totals("/empty", 0, 1, 0, 0, 0, 0, 0, 0, 0);
}
END_TEST

/* ------------------------------------------------------------- ls ---- */

START_TEST(test_ls_order)
{
	struct ls_collect c = { STRBUF_INIT, 0, 0 };

	build_totals_tree();
	ck_assert_int_eq(ls_path("/t", &c), 1);
	ck_assert_int_eq(c.calls, 6);
	ck_assert_str_eq(c.out.buf,
		"/t/a.txt|1|2|3|4|0|text|ok|-\n"
		"/t/sub/b.txt|10|20|30|40|2|text|ok|-\n"
		"/t/sub/bad.txt|-1|-1|-1|-1|0|error|error|open: Permission denied\n"
		"/t/sub/bin.dat|1000|2000|3000|4000|1|binary|ok|-\n"
		"/t/sub/old.txt|-1|-1|-1|-1|0|error|error|read: Input/output error\n"
		"/t/sub/deep/c.txt|100|200|300|400|4|text|ok|-\n");

	/* one file */
	strbuf_reset(&c.out);
	c.calls = 0;
	ck_assert_int_eq(ls_path("/t/sub/bin.dat", &c), 1);
	ck_assert_int_eq(c.calls, 1);
	ck_assert_str_eq(c.out.buf, "/t/sub/bin.dat|1000|2000|3000|4000|1|binary|ok|-\n");

	/* not indexed: no call */
	c.calls = 0;
	ck_assert_int_eq(ls_path("/t/none", &c), 0);
	ck_assert_int_eq(ls_path("/t/sub/none.txt", &c), 0);
	ck_assert_int_eq(ls_path("/t/su", &c), 0);
	ck_assert_int_eq(c.calls, 0);
	strbuf_release(&c.out);
}
END_TEST

/* Paths that overlap list each row once; sort, reverse and limit. */
START_TEST(test_ls_sorted)
{
	struct ls_collect c = { STRBUF_INIT, 0, 0 };
	char *paths[] = { "/t/sub", "/t", "/t/sub/b.txt" };
	struct ls_query q = { paths, 3, SORT_WORDS, 0, 3 };

	build_totals_tree();
	ck_assert_int_eq(store_ls(st, &q, collect_ls, &c), 0);
	ck_assert_str_eq(c.out.buf,
		"/t/sub/bin.dat|1000|2000|3000|4000|1|binary|ok|-\n"
		"/t/sub/deep/c.txt|100|200|300|400|4|text|ok|-\n"
		"/t/sub/b.txt|10|20|30|40|2|text|ok|-\n");

	/* smallest first; the rows without counts stay last */
	strbuf_reset(&c.out);
	q.reverse = 1;
	q.limit = 0;
	ck_assert_int_eq(store_ls(st, &q, collect_ls, &c), 0);
	ck_assert_int_eq(c.calls, 3 + 6);
	ck_assert_ptr_nonnull(strstr(c.out.buf, "/t/a.txt|1|2|3|4|0|text|ok|-\n"
				     "/t/sub/b.txt|"));
	ck_assert_ptr_nonnull(strstr(c.out.buf, "|error|error|open: Permission denied\n"
				     "/t/sub/old.txt|"));

	/* by name, backwards */
	strbuf_reset(&c.out);
	q.sort = SORT_NAME;
	q.limit = 2;
	ck_assert_int_eq(store_ls(st, &q, collect_ls, &c), 0);
	ck_assert_str_eq(c.out.buf,
		"/t/sub/deep/c.txt|100|200|300|400|4|text|ok|-\n"
		"/t/sub/old.txt|-1|-1|-1|-1|0|error|error|read: Input/output error\n");
	strbuf_release(&c.out);
}
END_TEST

static int collect_dir(void *data, const char *dir, const struct totals *t)
{
	struct strbuf *sb = data;

	strbuf_addf(sb, "%s:%llu:%llu:%llu:%llu;", dir,
		    (unsigned long long)t->files, (unsigned long long)t->words,
		    (unsigned long long)t->binary, (unsigned long long)t->failed);
	return 0;
}

/* Each directory's own totals, by the totals rule. */
START_TEST(test_dir_totals)
{
	struct strbuf sb = STRBUF_INIT;

	build_totals_tree();
	ck_assert_int_eq(store_dir_totals(st, "/t", 0, collect_dir, &sb), 0);
	ck_assert_ptr_nonnull(strstr(sb.buf, "/t:1:2:0:0;"));
	ck_assert_ptr_nonnull(strstr(sb.buf, "/t/sub:1:20:1:2;"));
	ck_assert_ptr_nonnull(strstr(sb.buf, "/t/sub/deep:1:200:0:0;"));
	strbuf_reset(&sb);
	ck_assert_int_eq(store_dir_totals(st, "/t/sub", 1, collect_dir, &sb), 0);
	ck_assert_ptr_null(strstr(sb.buf, "/t:"));
	ck_assert_ptr_nonnull(strstr(sb.buf, "/t/sub:2:2020:1:2;"));
	strbuf_release(&sb);
}
END_TEST

/* total --depth: subtree totals per directory, children first. */
START_TEST(test_tally_tree)
{
	struct tally *ty = tally_new();
	struct strbuf sb = STRBUF_INIT;

	build_totals_tree();
	ck_assert_int_eq(tally_add_tree(ty, st, "/t", "here/", 1, 0), 0);
	ck_assert_int_eq(tally_add_tree(ty, st, "/t", "t", 0, 1), 0);
	ck_assert_int_eq(tally_add_tree(ty, st, "/t", "t", 5, 0), 0);
	for (size_t i = 0; i < tally_count(ty); i++)
		strbuf_addf(&sb, "%s:%llu:%llu;", tally_row(ty, i)->label,
			    (unsigned long long)tally_row(ty, i)->t.files,
			    (unsigned long long)tally_row(ty, i)->t.words);
	ck_assert_str_eq(sb.buf, "here/sub:2:220;here/:3:222;"
			 "t:4:2222;"
			 "t/sub/deep:1:200;t/sub:2:220;t:3:222;");
	tally_sort(ty, SORT_WORDS, 0);
	ck_assert_str_eq(tally_row(ty, 0)->label, "t");
	ck_assert_uint_eq(tally_row(ty, 0)->t.words, 2222);
	ck_assert_str_eq(tally_row(ty, 5)->label, "t/sub/deep");
	tally_free(ty);
	strbuf_release(&sb);
}
END_TEST

/* A directory above roots is a tree: what is below it, nothing else. */
START_TEST(test_tree_above_roots)
{
	build_totals_tree();
	ck_assert_int_eq(store_is_tree(st, "/"), 1);
	ck_assert_int_eq(store_is_tree(st, "/t"), 1);
	ck_assert_int_eq(store_is_tree(st, "/t/sub"), 1);
	ck_assert_int_eq(store_is_tree(st, "/t/su"), 0);
	ck_assert_int_eq(store_is_tree(st, "/t/a.txt"), 0);
	ck_assert_int_eq(store_is_tree(st, "/nowhere"), 0);
	ck_assert_int_eq(store_path_indexed(st, "/t/a.txt"), 1);
	ck_assert_int_eq(store_path_indexed(st, "/t/nope.txt"), 0);
	expect_totals("/", 0, 1, 4, 118, 229, 340, 451, 1, 2);
}
END_TEST

START_TEST(test_ls_early_stop)
{
	struct ls_collect c = { STRBUF_INIT, 0, 2 };

	build_totals_tree();
	ck_assert_int_eq(ls_path("/t", &c), 1);
	ck_assert_int_eq(c.calls, 2);
	ck_assert_str_eq(c.out.buf,
		"/t/a.txt|1|2|3|4|0|text|ok|-\n"
		"/t/sub/b.txt|10|20|30|40|2|text|ok|-\n");

	/* the statement was reset: the next call starts over */
	strbuf_reset(&c.out);
	c.calls = 0;
	c.stop_after = 1;
	ck_assert_int_eq(ls_path("/t", &c), 1);
	ck_assert_int_eq(c.calls, 1);
	ck_assert_str_eq(c.out.buf, "/t/a.txt|1|2|3|4|0|text|ok|-\n");
	strbuf_release(&c.out);
}
END_TEST

/* --------------------------------------------------- transactions ---- */

START_TEST(test_rollback_discards)
{
	int64_t root;

	ck_assert_int_eq(store_begin(st), 0);
	root = add_root("/tr");
	put_ok(put_dir("/tr", root), "f", 1, 1, 1, 1, 0);
	ck_assert_int_eq(q("SELECT count(*) FROM entries"), 1);
	ck_assert_int_eq(store_rollback(st), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM roots"), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM dirs"), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM entries"), 0);
	expect_no_root("/tr/x");
}
END_TEST

START_TEST(test_commit_persists)
{
	struct store *ro;
	struct strbuf rp = STRBUF_INIT;
	int64_t root, id;

	ck_assert_int_eq(store_begin(st), 0);
	root = add_root("/tc");
	put_ok(put_dir("/tc", root), "f", 1, 1, 1, 1, 0);

	/* a second connection does not see it before the commit */
	ro = store_open(dbpath, STORE_READONLY);
	ck_assert_ptr_nonnull(ro);
	ck_assert_int_eq(store_find_root(ro, "/tc", &id, &rp), 0);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(store_find_root(ro, "/tc", &id, &rp), 1);
	ck_assert_int_eq(id, root);
	store_close(ro);

	/* and it survives closing and reopening */
	store_close(st);
	st = store_open(dbpath, STORE_CREATE);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(q("SELECT count(*) FROM entries"), 1);
	strbuf_release(&rp);
}
END_TEST

/*
 * store_open_reader(): one snapshot for the life of the connection, and
 * store_backup() copies that snapshot, checked, in rollback-journal mode.
 */
START_TEST(test_reader_snapshot_and_backup)
{
	struct store *rd;
	struct strbuf rp = STRBUF_INIT;
	char copy[200];
	unsigned char hdr[20];
	sqlite3 *db;
	sqlite3_stmt *stmt;
	int64_t root, id;
	FILE *f;

	ck_assert_int_eq(store_begin(st), 0);
	root = add_root("/a");
	put_ok(put_dir("/a", root), "f", 1, 1, 1, 1, 0);
	ck_assert_int_eq(store_commit(st), 0);

	rd = store_open_reader(dbpath);
	ck_assert_ptr_nonnull(rd);
	ck_assert_int_eq(store_find_root(rd, "/b", &id, &rp), 0);
	/* committed after the reader's snapshot: not seen by it */
	ck_assert_int_eq(store_begin(st), 0);
	add_root("/b");
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(store_find_root(rd, "/b", &id, &rp), 0);

	snprintf(copy, sizeof(copy), "%s/copy.db", scratch_dir);
	close(open(copy, O_RDWR | O_CREAT | O_EXCL, 0600));
	ck_assert_int_eq(store_backup(rd, copy), 0);
	store_close(rd);

	f = fopen(copy, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(hdr, 1, sizeof(hdr), f), sizeof(hdr));
	fclose(f);
	ck_assert_int_eq(hdr[18], 1);	/* rollback-journal mode */
	ck_assert_int_eq(hdr[19], 1);
	ck_assert_int_eq(sqlite3_open_v2(copy, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM "
					    "roots), (SELECT count(*) FROM entries), "
					    "(SELECT user_version FROM pragma_user_version)",
					    -1, &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(stmt, 0), 1);	/* not /b */
	ck_assert_int_eq(sqlite3_column_int(stmt, 1), 1);
	ck_assert_int_eq(sqlite3_column_int(stmt, 2), STORE_SCHEMA_VERSION);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	strbuf_release(&rp);
}
END_TEST

START_TEST(test_transaction_misuse)
{
	struct strbuf err = STRBUF_INIT;
	struct capture cap;
	int r1, r2, r3;

	capture_start(&cap);
	r1 = store_commit(st);			/* no transaction */
	r2 = store_rollback(st);
	capture_end(&cap, &err);
	ck_assert_int_eq(r1, -1);
	ck_assert_int_eq(r2, -1);
	ck_assert_ptr_nonnull(strstr(err.buf, "cannot commit"));
	ck_assert_ptr_nonnull(strstr(err.buf, "cannot roll back"));

	ck_assert_int_eq(store_begin(st), 0);
	capture_start(&cap);
	r3 = store_begin(st);			/* nested */
	capture_end(&cap, &err);
	ck_assert_int_eq(r3, -1);
	ck_assert_ptr_nonnull(strstr(err.buf, "cannot begin"));
	/* the outer transaction is still usable */
	(void)add_root("/tm");
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM roots"), 1);
	strbuf_release(&err);
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc;

	tc = add_tcase(s, "open", 30);
	scratch_fixtures(tc, "test_store", setup, teardown);
	tcase_add_test(tc, test_create_schema);
	tcase_add_test(tc, test_readonly_missing);
	tcase_add_test(tc, test_readonly_empty_db);
	tcase_add_test(tc, test_foreign_db);
	tcase_add_test(tc, test_foreign_db_untouched);
	tcase_add_test(tc, test_newer_schema);
	tcase_add_test(tc, test_unknown_version);
	tcase_add_test(tc, test_migrate_from_v1);
	tcase_add_test(tc, test_not_a_database);

	tc = add_tcase(s, "roots", 30);
	scratch_fixtures(tc, "test_store", setup_open, teardown);
	tcase_add_test(tc, test_readonly_refuses_writes);
	tcase_add_test(tc, test_find_root);
	tcase_add_test(tc, test_find_root_longest);
	tcase_add_test(tc, test_find_root_slash);
	tcase_add_test(tc, test_add_root_slash);
	tcase_add_test(tc, test_add_root_slash_absorbs);
	tcase_add_test(tc, test_add_root_twice);
	tcase_add_test(tc, test_nested_root_absorbed);
	tcase_add_test(tc, test_root_scanned_and_list);
	tcase_add_test(tc, test_root_info_and_forget);

	tc = add_tcase(s, "dirs", 30);
	scratch_fixtures(tc, "test_store", setup_open, teardown);
	tcase_add_test(tc, test_put_dir_upsert);
	tcase_add_test(tc, test_dir_children_sorted);
	tcase_add_test(tc, test_delete_subtree);
	tcase_add_test(tc, test_delete_subtree_slash);

	tc = add_tcase(s, "files", 30);
	scratch_fixtures(tc, "test_store", setup_open, teardown);
	tcase_add_test(tc, test_put_entry_ok_and_error);
	tcase_add_test(tc, test_put_entry_new_error);
	tcase_add_test(tc, test_dir_entries_sorted_and_delete);
	tcase_add_test(tc, test_names_round_trip);

	tc = add_tcase(s, "scans", 30);
	scratch_fixtures(tc, "test_store", setup_open, teardown);
	tcase_add_test(tc, test_scans);
	tcase_add_test(tc, test_scan_errors);
	tcase_add_test(tc, test_scan_errors_pruned);

	tc = add_tcase(s, "queries", 30);
	scratch_fixtures(tc, "test_store", setup_open, teardown);
	tcase_add_test(tc, test_totals);
	tcase_add_test(tc, test_totals_empty_dir);
	tcase_add_test(tc, test_ls_order);
	tcase_add_test(tc, test_ls_early_stop);
	tcase_add_test(tc, test_ls_sorted);
	tcase_add_test(tc, test_dir_totals);
	tcase_add_test(tc, test_tally_tree);
	tcase_add_test(tc, test_tree_above_roots);

	tc = add_tcase(s, "transactions", 30);
	scratch_fixtures(tc, "test_store", setup_open, teardown);
	tcase_add_test(tc, test_rollback_discards);
	tcase_add_test(tc, test_commit_persists);
	tcase_add_test(tc, test_reader_snapshot_and_backup);
	tcase_add_test(tc, test_transaction_misuse);

	return s;
}

int main(void)
{
	return run_suite(store_suite());
}
