/*
 * store.c - the SQLite side of wcindex: opening and migrating the
 * database, and one function per query, each with its statement prepared
 * once per connection.  Paths are bound as TEXT with their exact length, so
 * names with newlines or invalid UTF-8 go in and come out byte for byte.
 *
 * "Below a directory P" is a range on the BINARY-collated path column:
 * P/ <= path < P0, since '0' is the byte after '/'.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "entry.h"
#include "formats/format.h"
#include "fsutil.h"
#include "store.h"
#include "util.h"

extern const char wcindex_schema_sql[];
extern const char wcindex_views_sql[];
extern const char wcindex_migrate_1_2_sql[];
extern const char wcindex_migrate_2_3_sql[];
extern const char wcindex_migrate_3_4_sql[];
extern const char wcindex_migrate_4_5_sql[];
extern const char wcindex_migrate_5_6_sql[];

/* migrations[v] brings a database from schema version v to v + 1. */
static const char *const migrations[STORE_SCHEMA_VERSION] = {
	[1] = wcindex_migrate_1_2_sql,
	[2] = wcindex_migrate_2_3_sql,
	[3] = wcindex_migrate_3_4_sql,
	[4] = wcindex_migrate_4_5_sql,
	[5] = wcindex_migrate_5_6_sql,
};

enum stmt_id {
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK,
	ST_FIND_ROOT, ST_ADD_ROOT, ST_NESTED_ROOTS, ST_MOVE_ROOT_DIRS,
	ST_DELETE_ROOT, ST_ROOT_SCANNED, ST_LIST_ROOTS,
	ST_ROOT_INFO, ST_SET_ROOT_SETTINGS, ST_SET_ROOT_STATE, ST_ROOT_BY_PATH,
	ST_FORGET_COUNT, ST_FORGET_ENTRIES, ST_FORGET_DIRS,
	ST_DIR_LOOKUP, ST_TREE_ANY, ST_MAX_DIR, ST_DIR_CHILDREN, ST_PUT_DIR,
	ST_DELETE_SUBTREE_FILES, ST_DELETE_SUBTREE_DIRS,
	ST_DIR_ENTRIES, ST_PUT_ENTRY_OK, ST_PUT_ENTRY_ERROR, ST_DELETE_ENTRY,
	ST_DELETE_STALE_MEMBERS,
	ST_SCAN_BEGIN, ST_SCAN_JOIN_RUN, ST_SCANS_KILLED, ST_SCAN_FINISH, ST_SCAN_ABANDON, ST_ADD_ERROR, ST_PRUNE_ERRORS,
	ST_TOTALS_TREE, ST_TOTALS_FILE, ST_DIR_TOTALS,
	ST_HIST_OLD, ST_HIST_ADD, ST_HIST_DEL_ENTRY,
	ST_HIST_DEL_SUBTREE, ST_HIST_DEL_MEMBERS, ST_HIST_ROOT_FIRST,
	ST_HIST_TOTALS, ST_HIST_TOTALS_STEP, ST_HIST_FIRST, ST_HIST_KEEP_SET, ST_HIST_PRUNE,
	ST_SCAN_RECHECKED,
	ST__COUNT
};

#define SUBTREE "(d.path = ?1 OR (d.path >= ?2 AND d.path < ?3))"
/*
 * The totals rule of entry_in_totals(): ?4 is the mask of flags that leave
 * a row out (ENTRY_F_UNCOUNTED, or ENTRY_F_NO_TEXT with binary files), ?5
 * ENTRY_F_BINARY, to count the binary files left out.
 */
#define COUNTS_IF "(e.status = 'ok' AND (e.flags & ?4) = 0)"
#define TOTALS_COLS "count(*), coalesce(sum(ok), 0), " \
	"coalesce(sum(ok * lines), 0), coalesce(sum(ok * words), 0), " \
	"coalesce(sum(ok * chars), 0), coalesce(sum(ok * bytes), 0), " \
	"coalesce(sum((flags & ?5) != 0), 0), coalesce(sum(status != 'ok'), 0)"
/*
 * The columns of ls (store_ls_prepare()), named for --json and --csv: the
 * counts are NULL where the row has none of its own (it failed; an archive
 * or a link, whose members carry the counts).
 */
#define LS_HAS_COUNTS "(e.status = 'ok' AND (e.flags & %u) = 0)"
#define LS_COUNT(col) "CASE WHEN " LS_HAS_COUNTS " THEN e." col " END AS " col
#define LS_COLS \
	"CASE WHEN d.path = '/' THEN '/' || e.name" \
	" ELSE d.path || '/' || e.name END AS path, e.member AS member, " \
	LS_COUNT("lines") ", " LS_COUNT("words") ", " LS_COUNT("chars") ", " \
	LS_COUNT("bytes") ", " \
	"CASE WHEN e.status != 'ok' THEN e.status WHEN e.flags & %u THEN 'link'" \
	" WHEN e.flags & %u THEN 'archive' WHEN e.flags & %u THEN 'binary'" \
	" ELSE e.format END AS kind, e.format AS format, e.status AS status," \
	" e.error AS error, e.flags AS flags"

/* History: the path of file name (a parameter or column) in dirs d. */
#define HIST_PATH(name) \
	"CASE WHEN d.path = '/' THEN '/' || " name \
	" ELSE d.path || '/' || " name " END"
/* What row e adds to the totals: the column, or NULL (?2: the mask). */
#define HIST_COUNTED(col) \
	"CASE WHEN e.status = 'ok' AND (e.flags & ?2) = 0 THEN e." col " END"
/*
 * The rows of entries e about to be deleted, as 'deleted' changes of scan
 * ?1, in roots walked whole before (a root's first scan records none).
 */
#define HIST_DELETED \
	"INSERT INTO changes(scan_id, root_id, path, member, kind," \
	" old_lines, old_words, old_chars, old_bytes) " \
	"SELECT ?1, d.root_id, " HIST_PATH("e.name") ", e.member, 'deleted', " \
	HIST_COUNTED("lines") ", " HIST_COUNTED("words") ", " \
	HIST_COUNTED("chars") ", " HIST_COUNTED("bytes") " " \
	"FROM entries e JOIN dirs d ON d.id = e.dir_id " \
	"JOIN roots r ON r.id = d.root_id " \
	"WHERE r.last_scan_id IS NOT NULL AND "
/* The files (member = '') of root ?2 with changes of this kind in scan ?1. */
#define HIST_KIND_COUNT(kind) \
	"(SELECT count(*) FROM changes c WHERE c.scan_id = ?1 AND " \
	"c.root_id = ?2 AND c.member = '' AND c.kind = '" kind "')"
/* What this scan's changes of root ?2 added to column col of the totals. */
#define HIST_DELTA(col) \
	"(SELECT coalesce(sum(coalesce(c.new_" col ", 0) - " \
	"coalesce(c.old_" col ", 0)), 0) FROM changes c " \
	"WHERE c.scan_id = ?1 AND c.root_id = ?2)"
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

static const char *const stmt_sql[ST__COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_FIND_ROOT] =
		"SELECT id, path FROM roots WHERE path = ?1 OR "
		"(?1 >= path || '/' AND ?1 < path || '0') OR path = '/' "
		"ORDER BY length(CAST(path AS BLOB)) DESC LIMIT 1",
	[ST_ADD_ROOT] = "INSERT INTO roots(path, added_ns) VALUES (?1, ?2)",
	[ST_NESTED_ROOTS] =
		"SELECT id, path FROM roots WHERE path >= ?1 AND path < ?2 AND id != ?3",
	[ST_MOVE_ROOT_DIRS] = "UPDATE dirs SET root_id = ?1 WHERE root_id = ?2",
	[ST_DELETE_ROOT] = "DELETE FROM roots WHERE id = ?1",
	[ST_ROOT_SCANNED] = "UPDATE roots SET last_scan_id = ?2, dev = ?3, "
		"state = 'ok' WHERE id = ?1",
	[ST_ROOT_INFO] = "SELECT settings, dev, last_scan_id IS NOT NULL "
		"FROM roots WHERE id = ?1",
	[ST_SET_ROOT_SETTINGS] = "UPDATE roots SET settings = ?2 WHERE id = ?1",
	[ST_SET_ROOT_STATE] = "UPDATE roots SET state = ?2 WHERE id = ?1",
	[ST_ROOT_BY_PATH] = "SELECT id FROM roots WHERE path = ?1",
	[ST_FORGET_COUNT] = "SELECT count(*) FROM entries WHERE member = '' "
		"AND dir_id IN (SELECT id FROM dirs WHERE root_id = ?1)",
	[ST_FORGET_ENTRIES] = "DELETE FROM entries WHERE dir_id IN "
		"(SELECT id FROM dirs WHERE root_id = ?1)",
	[ST_FORGET_DIRS] = "DELETE FROM dirs WHERE root_id = ?1",
	[ST_LIST_ROOTS] = "SELECT path FROM roots ORDER BY path",
	[ST_DIR_LOOKUP] = "SELECT id FROM dirs WHERE path = ?1",
	[ST_TREE_ANY] = "SELECT 1 FROM dirs WHERE path = ?1 OR"
		" (path >= ?2 AND path < ?3) LIMIT 1",
	[ST_MAX_DIR] = "SELECT coalesce(max(id), 0) FROM dirs",
	[ST_DIR_CHILDREN] =
		"SELECT id, path FROM dirs WHERE parent = ?1 ORDER BY path",
	[ST_PUT_DIR] =
		"INSERT INTO dirs(id, path, parent, root_id, scan_id) "
		"VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(path) DO UPDATE SET "
		"parent = excluded.parent, root_id = excluded.root_id",
	[ST_DELETE_SUBTREE_FILES] =
		"DELETE FROM entries WHERE dir_id IN "
		"(SELECT d.id FROM dirs d WHERE " SUBTREE ")",
	[ST_DELETE_SUBTREE_DIRS] = "DELETE FROM dirs AS d WHERE " SUBTREE,
	[ST_DIR_ENTRIES] =
		"SELECT id, name, dev, ino, size, mtime_ns, ctime_ns, flags, "
		"status != 'ok', format FROM entries WHERE dir_id = ?1 AND "
		"member = '' ORDER BY name",
	[ST_PUT_ENTRY_OK] =
		"INSERT INTO entries(dir_id, name, member, ext, dev, ino, size,"
		" mtime_ns, ctime_ns, bytes, lines, words, chars, flags, status,"
		" error, scan_id, format) VALUES (?1, ?2, ?15, ?3, ?4, ?5, ?6,"
		" ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?16, ?17, ?14, ?18) "
		"ON CONFLICT(dir_id, name, member) DO UPDATE SET"
		" ext = excluded.ext, format = excluded.format,"
		" dev = excluded.dev, ino = excluded.ino, size = excluded.size,"
		" mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns,"
		" bytes = excluded.bytes, lines = excluded.lines,"
		" words = excluded.words, chars = excluded.chars,"
		" flags = excluded.flags, status = excluded.status,"
		" error = excluded.error, scan_id = excluded.scan_id",
	[ST_PUT_ENTRY_ERROR] =
		"INSERT INTO entries(dir_id, name, ext, dev, ino, size, mtime_ns,"
		" ctime_ns, flags, status, error, scan_id, member) VALUES (?1,"
		" ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'error', ?10, ?11, '') "
		"ON CONFLICT(dir_id, name, member) DO UPDATE SET"
		" ext = excluded.ext,"
		" dev = excluded.dev, ino = excluded.ino, size = excluded.size,"
		" mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns,"
		" flags = excluded.flags, status = 'error',"
		" error = excluded.error, scan_id = excluded.scan_id",
	/* A file goes with its members. */
	[ST_DELETE_ENTRY] =
		"DELETE FROM entries WHERE (dir_id, name) = "
		"(SELECT dir_id, name FROM entries WHERE id = ?1)",
	[ST_DELETE_STALE_MEMBERS] =
		"DELETE FROM entries WHERE dir_id = ?1 AND name = ?2 AND "
		"member != '' AND scan_id != ?3",
	[ST_SCAN_BEGIN] =
		"INSERT INTO scans(started_ns, status, roots, options) "
		"VALUES (?1, 'running', ?2, ?3)",
	[ST_SCAN_JOIN_RUN] = "UPDATE scans SET run_id = ?2 WHERE id = ?1",
	[ST_SCANS_KILLED] =
		"UPDATE scans SET status = 'killed' WHERE status = 'running'",
	[ST_SCAN_FINISH] =
		"UPDATE scans SET finished_ns = ?2, status = ?3, files_seen = ?4,"
		" files_new = ?5, files_changed = ?6, files_unchanged = ?7,"
		" files_deleted = ?8, files_failed = ?9, files_skipped = ?10,"
		" bytes_read = ?11, words_read = ?12 WHERE id = ?1",
	[ST_SCAN_ABANDON] =
		"UPDATE scans SET finished_ns = ?2, status = ?3 "
		"WHERE id = ?1 AND status = 'running'",
	[ST_ADD_ERROR] =
		"INSERT INTO scan_errors(scan_id, path, stage, errno, message) "
		"VALUES (?1, ?2, ?3, ?4, ?5)",
	/* Keep the errors of the last 20 scans: enough to see a pattern. */
	[ST_PRUNE_ERRORS] =
		"DELETE FROM scan_errors WHERE scan_id <= ?1 - 20",
	[ST_TOTALS_TREE] =
		"SELECT " TOTALS_COLS " FROM (SELECT e.*, " COUNTS_IF " AS ok "
		"FROM dirs d JOIN entries e ON e.dir_id = d.id WHERE " SUBTREE ")",
	[ST_TOTALS_FILE] =
		"SELECT " TOTALS_COLS " FROM (SELECT e.*, " COUNTS_IF " AS ok "
		"FROM dirs d JOIN entries e ON e.dir_id = d.id "
		"WHERE d.path = ?1 AND e.name = ?2)",
	[ST_DIR_TOTALS] =
		"SELECT dpath, " TOTALS_COLS " FROM (SELECT d.path AS dpath, e.*,"
		" " COUNTS_IF " AS ok FROM dirs d LEFT JOIN entries e"
		" ON e.dir_id = d.id WHERE " SUBTREE ") GROUP BY dpath",
	/* ---- history: the changes and root_totals tables ---- */
	[ST_HIST_OLD] =
		"SELECT lines, words, chars, bytes, flags, status = 'ok' "
		"FROM entries WHERE dir_id = ?1 AND name = ?2 AND member = ?3",
	[ST_HIST_ADD] =
		"INSERT INTO changes(scan_id, root_id, path, member, kind,"
		" old_lines, old_words, old_chars, old_bytes,"
		" new_lines, new_words, new_chars, new_bytes) "
		"SELECT ?1, d.root_id, " HIST_PATH("?3") ", ?4, ?5, ?6, ?7, ?8,"
		" ?9, ?10, ?11, ?12, ?13 FROM dirs d WHERE d.id = ?2",
	[ST_HIST_DEL_ENTRY] = HIST_DELETED
		"(e.dir_id, e.name) = (SELECT dir_id, name FROM entries "
		"WHERE id = ?3)",
	[ST_HIST_DEL_SUBTREE] = HIST_DELETED
		"(d.path = ?3 OR (d.path >= ?4 AND d.path < ?5))",
	[ST_HIST_DEL_MEMBERS] = HIST_DELETED
		"e.dir_id = ?3 AND e.name = ?4 AND e.member != '' AND "
		"e.scan_id != ?5",
	[ST_HIST_ROOT_FIRST] =
		"SELECT last_scan_id IS NULL FROM roots WHERE id = ?1",
	[ST_HIST_TOTALS] =
		"INSERT OR REPLACE INTO root_totals(scan_id, root_id, files,"
		" lines, words, chars, bytes, files_new, files_changed,"
		" files_deleted, first) "
		"SELECT ?1, ?2, count(e.id), coalesce(sum(e.lines), 0),"
		" coalesce(sum(e.words), 0), coalesce(sum(e.chars), 0),"
		" coalesce(sum(e.bytes), 0),"
		" CASE WHEN ?3 THEN (SELECT count(*) FROM dirs d2 JOIN entries e2"
		"  ON e2.dir_id = d2.id WHERE d2.root_id = ?2 AND e2.member = '')"
		"  ELSE " HIST_KIND_COUNT("new") " END,"
		" " HIST_KIND_COUNT("changed") ", " HIST_KIND_COUNT("deleted") ","
		" ?3 FROM dirs d JOIN counted_entries e ON e.dir_id = d.id "
		"WHERE d.root_id = ?2",
	/*
	 * The totals after a scan are those after the root's scan before,
	 * plus what this scan's changes added: every change of a counted row
	 * is one (tests/history.sh checks the sums against python's), and
	 * an unchanged rescan then costs nothing per file.
	 */
	[ST_HIST_TOTALS_STEP] =
		"INSERT OR REPLACE INTO root_totals(scan_id, root_id, files,"
		" lines, words, chars, bytes, files_new, files_changed,"
		" files_deleted, first) "
		"SELECT ?1, ?2, p.files + (SELECT coalesce(sum((c.new_lines IS NOT"
		" NULL) - (c.old_lines IS NOT NULL)), 0) FROM changes c"
		" WHERE c.scan_id = ?1 AND c.root_id = ?2),"
		" p.lines + " HIST_DELTA("lines") ", p.words + " HIST_DELTA("words")
		", p.chars + " HIST_DELTA("chars") ", p.bytes + " HIST_DELTA("bytes")
		", " HIST_KIND_COUNT("new") ", " HIST_KIND_COUNT("changed") ", "
		HIST_KIND_COUNT("deleted") ", 0 FROM root_totals p "
		"WHERE p.root_id = ?2 AND p.scan_id = (SELECT max(scan_id) FROM"
		" root_totals WHERE root_id = ?2 AND scan_id < ?1)",
	[ST_HIST_FIRST] =
		"INSERT INTO changes(scan_id, root_id, path, member, kind,"
		" new_lines, new_words, new_chars, new_bytes) "
		"SELECT t.scan_id, t.root_id, r.path, '', 'first', t.lines,"
		" t.words, t.chars, t.bytes FROM root_totals t "
		"JOIN roots r ON r.id = t.root_id "
		"WHERE t.scan_id = ?1 AND t.root_id = ?2",
	[ST_HIST_KEEP_SET] =
		"INSERT OR REPLACE INTO meta(key, value) "
		"VALUES ('keep_history', ?1)",
	[ST_HIST_PRUNE] =
		"DELETE FROM changes WHERE scan_id <= ?1 - coalesce((SELECT "
		"CAST(value AS INTEGER) FROM meta WHERE key = 'keep_history'), "
		STRINGIFY(STORE_KEEP_HISTORY) ")",
	[ST_SCAN_RECHECKED] =
		"UPDATE scans SET files_rechecked = ?2 WHERE id = ?1",
};

struct store {
	sqlite3 *db;
	char *path;
	int readonly;
	int trusted;		/* STORE_TRUSTED: no page check */
	int defer_errors;
	int moved;		/* the file at path is no longer ours */
	struct strbuf last_error;
	sqlite3_stmt *stmt[ST__COUNT];
	int gate_fd;		/* writer: its checkpoint gate (see below), or -1 */
	int reader_fd;		/* a direct reader: its locks, or -1 */
};

static int db_error(struct store *s, const char *what)
{
	strbuf_reset(&s->last_error);
	strbuf_addf(&s->last_error, "%s in '%s': %s", what, s->path,
		    sqlite3_errmsg(s->db));
	if (s->defer_errors)
		return -1;
	return error("%s", s->last_error.buf);
}

static sqlite3_stmt *get_stmt(struct store *s, enum stmt_id id)
{
	if (!s->stmt[id] &&
	    sqlite3_prepare_v3(s->db, stmt_sql[id], -1,
			       SQLITE_PREPARE_PERSISTENT, &s->stmt[id],
			       NULL) != SQLITE_OK) {
		db_error(s, "cannot prepare statement");
		s->stmt[id] = NULL;
	}
	return s->stmt[id];
}

static void done_stmt(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Called by each_row() with the statement on a row; nonzero stops. */
typedef int (*row_fn)(void *data, sqlite3_stmt *st);

/*
 * Step st through its rows, handing each to fn, then reset it.  Returns 0,
 * or -1 after reporting "what" when SQLite failed.
 */
static int each_row(struct store *s, sqlite3_stmt *st, row_fn fn, void *data,
		    const char *what)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(data, st)) {
			rc = SQLITE_DONE;
			break;
		}
	done_stmt(st);
	return rc == SQLITE_DONE ? 0 : db_error(s, what);
}

static void bind_str(sqlite3_stmt *st, int i, const char *str)
{
	if (str)
		sqlite3_bind_text(st, i, str, (int)strlen(str), SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_buf(sqlite3_stmt *st, int i, const struct strbuf *sb)
{
	sqlite3_bind_text(st, i, sb->buf, (int)sb->len, SQLITE_STATIC);
}

/* Copy a TEXT column with its exact bytes. */
static char *column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? xstrndup((const char *)t, (size_t)sqlite3_column_bytes(st, i))
		 : xstrdup("");
}

/* A growing array of strings that each_row() fills. */
struct strings {
	char **v;
	size_t nr, alloc;
};

/* Column 0 of a row, as the next string. */
static int add_string_row(void *data, sqlite3_stmt *st)
{
	struct strings *list = data;

	ALLOC_GROW(list->v, list->nr + 1, list->alloc);
	list->v[list->nr++] = column_dup(st, 0);
	return 0;
}

/* Columns (id, path) of a row, as the next struct dir_row. */
static int add_dir_row(void *data, sqlite3_stmt *st)
{
	struct dir_rows *list = data;

	ALLOC_GROW(list->v, list->nr + 1, list->alloc);
	list->v[list->nr].id = sqlite3_column_int64(st, 0);
	list->v[list->nr].path = column_dup(st, 1);
	list->nr++;
	return 0;
}

/* Run a statement that returns no rows; 0 or -1 after reporting. */
static int run(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	done_stmt(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_error(s, what);
	return 0;
}

/* Bounds of "below path": lo = path + "/", hi = path + "0" ("/" is special). */
static void subtree_bounds(const char *path, struct strbuf *lo,
			   struct strbuf *hi)
{
	size_t len = strlen(path);

	if (len == 1 && path[0] == '/')
		len = 0;
	strbuf_reset(lo);
	strbuf_add(lo, path, len);
	strbuf_addch(lo, '/');
	strbuf_reset(hi);
	strbuf_add(hi, path, len);
	strbuf_addch(hi, '0');
}

static int bind_subtree(sqlite3_stmt *st, const char *path, struct strbuf *lo,
			struct strbuf *hi)
{
	subtree_bounds(path, lo, hi);
	bind_str(st, 1, path);
	bind_buf(st, 2, lo);
	bind_buf(st, 3, hi);
	return 0;
}

static int exec_sql(struct store *s, const char *sql, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		error("%s in '%s': %s", what, s->path,
		      msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int pragma_int(struct store *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "cannot read the database");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return db_error(s, "cannot read the database");
	return 0;
}

static int create_schema(struct store *s)
{
	struct strbuf sql = STRBUF_INIT;
	int ret;

	strbuf_addf(&sql, "BEGIN IMMEDIATE;\n%s\n%s\nPRAGMA application_id = %d;\n"
		    "PRAGMA user_version = %d;\nCOMMIT;\n", wcindex_schema_sql,
		    wcindex_views_sql, STORE_APPLICATION_ID,
		    STORE_SCHEMA_VERSION);
	ret = exec_sql(s, sql.buf, "cannot create the schema");
	if (ret)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	strbuf_release(&sql);
	return ret;
}

/*
 * wcindex_inner_ext(name, member): file_ext_inner() of the member's base
 * name, or of name for a file itself, for migrations to recompute the
 * extension of compressed rows the way the writer now does.
 */
static void sql_inner_ext(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *name = (const char *)sqlite3_value_text(argv[0]);
	const char *member = (const char *)sqlite3_value_text(argv[1]);
	const char *slash;
	struct strbuf ext = STRBUF_INIT;

	(void)argc;
	if (member && *member)
		name = (slash = strrchr(member, '/')) ? slash + 1 : member;
	file_ext_inner(name ? name : "", &ext);
	sqlite3_result_text(ctx, ext.buf, (int)ext.len, SQLITE_TRANSIENT);
	strbuf_release(&ext);
}

/* Append "DROP VIEW name;" for a row of sqlite_master's views. */
static int add_drop_view(void *data, int ncol, char **val, char **col)
{
	char *stmt = sqlite3_mprintf("DROP VIEW \"%w\";\n", val[0]);

	(void)ncol;
	(void)col;
	if (!stmt)
		return 1;
	strbuf_addstr(data, stmt);
	sqlite3_free(stmt);
	return 0;
}

/*
 * Bring an older schema up to date, all steps in one transaction.  The
 * views are all dropped first and made again from sql/views.sql last, so
 * that no migration has to name the views of its day.
 */
static int migrate(struct store *s, int64_t from)
{
	struct strbuf sql = STRBUF_INIT;
	int ret = -1;

	if (sqlite3_create_function(s->db, "wcindex_inner_ext", 2,
				    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				    sql_inner_ext, NULL, NULL) != SQLITE_OK)
		return db_error(s, "cannot upgrade the schema");
	if (exec_sql(s, "BEGIN IMMEDIATE", "cannot upgrade the schema"))
		goto out;
	if (sqlite3_exec(s->db, "SELECT name FROM sqlite_master "
			 "WHERE type = 'view'", add_drop_view, &sql,
			 NULL) != SQLITE_OK) {
		db_error(s, "cannot upgrade the schema");
		goto out;
	}
	for (int64_t v = from; v < STORE_SCHEMA_VERSION; v++)
		strbuf_addf(&sql, "%s\n", migrations[v]);
	strbuf_addf(&sql, "%s\nPRAGMA user_version = %d;\nCOMMIT;\n",
		    wcindex_views_sql, STORE_SCHEMA_VERSION);
	ret = exec_sql(s, sql.buf, "cannot upgrade the schema");
out:
	if (ret)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	strbuf_release(&sql);
	return ret;
}

/*
 * Before a scan writes anything: every page of a damaged file is refused
 * here, or each commit would build on the damage (and a checkpoint spread
 * it).  quick_check reads each page once: about 75 ms per 100000 files.
 */
static int check_pages(struct store *s)
{
	sqlite3_stmt *st;
	const unsigned char *res;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st,
			       NULL) != SQLITE_OK)
		return db_error(s, "cannot check the database");
	rc = sqlite3_step(st);
	res = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
	if (rc != SQLITE_ROW) {
		ret = db_error(s, "cannot check the database");
	} else if (!res || strcmp((const char *)res, "ok")) {
		char *what = xstrdup(res ? (const char *)res : "no answer");

		for (char *p = what; *p; p++)	/* one line */
			if (*p == '\n')
				*p = ' ';
		ret = error("'%s' is damaged (quick_check: %s): restore a copy "
			    "or move it away to index anew", s->path, what);
		free(what);
	}
	sqlite3_finalize(st);
	return ret;
}

static int check_schema(struct store *s)
{
	int64_t app_id, version, objects;

	if (pragma_int(s, "PRAGMA application_id", &app_id) ||
	    pragma_int(s, "PRAGMA user_version", &version) ||
	    pragma_int(s, "SELECT count(*) FROM sqlite_schema", &objects))
		return -1;
	if (!app_id && !version && !objects) {
		if (s->readonly)
			return error("'%s' holds no index yet: run 'wcindex scan' first",
				     s->path);
		return create_schema(s);
	}
	if (app_id != STORE_APPLICATION_ID)
		return error("'%s' is not a wcindex database", s->path);
	if (version > STORE_SCHEMA_VERSION)
		return error("'%s' has schema version %lld, newer than this "
			     "wcindex understands (%d): upgrade wcindex",
			     s->path, (long long)version, STORE_SCHEMA_VERSION);
	if (version < 1)
		return error("'%s' has an unknown schema version %lld",
			     s->path, (long long)version);
	if (!s->readonly && !s->trusted && check_pages(s))
		return -1;
	if (version < STORE_SCHEMA_VERSION) {
		if (s->readonly)
			return error("'%s' has schema version %lld: run "
				     "'wcindex scan' once to upgrade it",
				     s->path, (long long)version);
		return migrate(s, version);
	}
	return 0;
}

/*
 * A new database is its owner's only (the index names files of private
 * directories): made 0600 here, and SQLite gives its -wal and -shm the
 * mode of the database.  An existing file keeps its mode.
 */
static void create_private(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		      0600);

	if (fd >= 0)
		close(fd);
}

/*
 * Readers that cannot open the -shm.  SQLite (3.22 and later) reads a WAL
 * database without writing anything when its -wal and -shm exist and can
 * be opened for reading, even with the directory not writable; it cannot
 * when they are missing (it would have to create them) or unreadable (the
 * database was made readable after they were created 0600).  Such a reader
 * reads the database file directly (the "immutable" URI parameter), which
 * is right only while the file holds every commit and nothing writes to it:
 *
 * - it takes, on its own descriptor of the file, a read lock (an open file
 *   description lock, which SQLite's POSIX locks see) over SQLite's SHARED
 *   range and over the gate byte below; then it requires an absent or
 *   empty -wal (and no -journal), that is, every commit in the file;
 * - SQLite writes the file at a checkpoint only.  The last connection's
 *   checkpoint on close needs SQLite's EXCLUSIVE lock, which the read lock
 *   keeps out; the writer of a scan runs its other checkpoints (instead of
 *   SQLite's automatic one) only under a write lock on the gate byte, and
 *   skips them while a direct reader holds it, as SQLite does for a reader
 *   of the -wal.  So the file stays as it was until the reader ends.
 *
 * The gate lies beyond the bytes SQLite locks (0x40000000 and the 511
 * after it).  A writer other than wcindex (the sqlite3 shell) does not
 * know the gate; its automatic checkpoints could change the file under a
 * direct reader.
 */
#define LOCK_SHARED_FIRST (0x40000000 + 2)
#define LOCK_GATE (0x40000000 + 1024)
#define CHECKPOINT_FRAMES 1000	/* SQLite's default wal_autocheckpoint */

/*
 * The writer's descriptor for the gate, one per database file and
 * process, and never closed: closing any descriptor of a file drops every
 * POSIX lock this process holds on it, those of SQLite's connections too.
 */
static pthread_mutex_t gates_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct gate {
	dev_t dev;
	ino_t ino;
	int fd;
} gates[16];
static size_t gates_nr;

static int gate_fd(const char *path)
{
	struct stat st;
	int fd = -1;

	if (stat(path, &st))
		return -1;
	pthread_mutex_lock(&gates_mutex);
	for (size_t i = 0; i < gates_nr; i++)
		if (gates[i].dev == st.st_dev && gates[i].ino == st.st_ino) {
			fd = gates[i].fd;
			goto out;
		}
	/* past the table's end a descriptor stays open unlisted */
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && !fstat(fd, &st) && gates_nr < ARRAY_SIZE(gates))
		gates[gates_nr++] = (struct gate){ st.st_dev, st.st_ino, fd };
out:
	pthread_mutex_unlock(&gates_mutex);
	return fd;
}

/* F_WRLCK / F_UNLCK on the gate; 0, or -1 when a direct reader holds it. */
static int gate_lock(struct store *s, short type)
{
	struct flock fl = {
		.l_type = type, .l_whence = SEEK_SET,
		.l_start = LOCK_GATE, .l_len = 1,
	};

	if (s->gate_fd < 0)
		return 0;	/* not even opened for writing: nobody to mind */
	return fcntl(s->gate_fd, F_OFD_SETLK, &fl) < 0 ? -1 : 0;
}

/*
 * A passive checkpoint of s when no direct reader holds the gate: SQLite's
 * result code, or -1 when one does.
 */
static int gated_checkpoint(struct store *s, int *log, int *done)
{
	int rc;

	if (gate_lock(s, F_WRLCK))
		return -1;
	rc = sqlite3_wal_checkpoint_v2(s->db, "main", SQLITE_CHECKPOINT_PASSIVE,
				       log, done);
	gate_lock(s, F_UNLCK);
	return rc;
}

/* SQLite's automatic checkpoint, under the gate (sqlite3_wal_hook). */
static int checkpoint_hook(void *data, sqlite3 *db, const char *name,
			   int frames)
{
	(void)db;
	(void)name;
	if (frames >= CHECKPOINT_FRAMES)
		gated_checkpoint(data, NULL, NULL);
	return SQLITE_OK;
}

static void gate_checkpoints(struct store *s)
{
	s->gate_fd = gate_fd(s->path);
	sqlite3_wal_hook(s->db, checkpoint_hook, s);
}

struct store *store_open(const char *path, int flags)
{
	struct store *s = xcalloc(1, sizeof(*s));
	int oflags = SQLITE_OPEN_NOMUTEX;
	int rc;

	s->gate_fd = s->reader_fd = -1;
	s->path = xstrdup(path);
	strbuf_init(&s->last_error, 0);
	s->readonly = !!(flags & STORE_READONLY);
	s->trusted = !!(flags & STORE_TRUSTED);
	oflags |= s->readonly ? SQLITE_OPEN_READONLY
			      : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (!s->readonly)
		create_private(path);
	rc = sqlite3_open_v2(path, &s->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		if (s->readonly && access(path, F_OK) < 0 && errno == ENOENT)
			error("no index at '%s': run 'wcindex scan' first", path);
		else
			error("cannot open database '%s': %s", path,
			      s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	if (sqlite3_busy_timeout(s->db, 10000) != SQLITE_OK)
		goto fail_db;
	/* Refuse foreign and newer databases before changing anything. */
	if (check_schema(s))
		goto fail;
	if (!s->readonly &&
	    (exec_sql(s, "PRAGMA journal_mode = WAL", "cannot enable WAL") ||
	     exec_sql(s, "PRAGMA synchronous = NORMAL", "cannot set synchronous")))
		goto fail;
	if (!s->readonly)
		gate_checkpoints(s);
	return s;
fail_db:
	db_error(s, "cannot configure the database");
fail:
	store_close(s);
	return NULL;
}

/*
 * SQLite leaves the log of a moved database in place on close (it cannot
 * checkpoint into the file at the path), and the next connection to the
 * file now at that path would replay our pages into it.  Fold the log into
 * our unlinked file instead and truncate it: an empty log replays nothing.
 */
static void empty_moved_log(struct store *s)
{
	if (store_in_transaction(s))
		store_rollback(s);
	if (sqlite3_wal_checkpoint_v2(s->db, "main", SQLITE_CHECKPOINT_TRUNCATE,
				      NULL, NULL) != SQLITE_OK)
		error("cannot empty the log '%s-wal' of the replaced database: "
		      "%s; remove it before the next scan", s->path,
		      sqlite3_errmsg(s->db));
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->moved)
		empty_moved_log(s);
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	if (s->db && sqlite3_close(s->db) != SQLITE_OK)
		error("cannot close database '%s': %s", s->path,
		      sqlite3_errmsg(s->db));
	/* only after SQLite's last descriptor of the file (see reader_lock()) */
	if (s->reader_fd >= 0)
		close(s->reader_fd);
	free(s->path);
	strbuf_release(&s->last_error);
	free(s);
}

struct sqlite3 *store_handle(struct store *s)
{
	return s->db;
}

static int simple(struct store *s, enum stmt_id id, const char *what)
{
	sqlite3_stmt *st = get_stmt(s, id);

	return st ? run(s, st, what) : -1;
}

int store_begin(struct store *s)
{
	return simple(s, ST_BEGIN, "cannot begin a transaction");
}

/*
 * Another program may rename a file over the database, or remove it, while
 * we write: every commit after that goes to an unlinked inode and is lost
 * without a word.  SQLite's unix VFS compares the open file with the path.
 */
static int check_not_moved(struct store *s)
{
	int moved = 0;

	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_HAS_MOVED,
				 &moved) != SQLITE_OK || !moved)
		return 0;
	s->moved = 1;
	strbuf_reset(&s->last_error);
	strbuf_addf(&s->last_error, "the database '%s' was replaced or "
		    "removed while this scan wrote to it: what the scan "
		    "wrote is not in the file now at that path", s->path);
	if (s->defer_errors)
		return -1;
	return error("%s", s->last_error.buf);
}

int store_commit(struct store *s)
{
	if (check_not_moved(s))
		return -1;
	return simple(s, ST_COMMIT, "cannot commit");
}

int store_rollback(struct store *s)
{
	return simple(s, ST_ROLLBACK, "cannot roll back");
}

int store_log_blocked(struct store *s, uint64_t *log_bytes)
{
	int log = 0, done = 0;
	int64_t page;

	*log_bytes = 0;
	for (int tries = 0; tries < 10; tries++) {
		int rc;

		if (tries)
			nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
		rc = gated_checkpoint(s, &log, &done);
		if (rc < 0) {
			log = -1;	/* a direct reader holds the gate */
			continue;
		}
		if (rc != SQLITE_OK)
			return 0;	/* not WAL, or busy: nothing to tell */
		if (done >= log)
			return 0;
	}
	if (log < 0) {
		struct strbuf wal = STRBUF_INIT;
		struct stat st;

		strbuf_addf(&wal, "%s-wal", s->path);
		*log_bytes = stat(wal.buf, &st) ? 0 : (uint64_t)st.st_size;
		strbuf_release(&wal);
		return 1;
	}
	if (pragma_int(s, "PRAGMA page_size", &page) || page <= 0)
		page = 4096;
	*log_bytes = (uint64_t)log * (uint64_t)page;
	return 1;
}

int store_in_transaction(struct store *s)
{
	return !sqlite3_get_autocommit(s->db);
}

void store_defer_errors(struct store *s, int on)
{
	s->defer_errors = on;
}

const char *store_last_error(struct store *s)
{
	return s->last_error.buf;
}

/* ---- roots ---- */

/* What a look-up by key found: (id, text) of its first row. */
struct found {
	int64_t *id;
	struct strbuf *text;	/* NULL: the id is enough */
	int found;
};

/* Columns (id, text) of the first row; stops there. */
static int take_first(void *data, sqlite3_stmt *st)
{
	struct found *f = data;

	*f->id = sqlite3_column_int64(st, 0);
	if (f->text) {
		strbuf_reset(f->text);
		strbuf_add(f->text, sqlite3_column_text(st, 1),
			   (size_t)sqlite3_column_bytes(st, 1));
	}
	f->found = 1;
	return 1;
}

/*
 * Run the look-up statement sid with the text key: 1 with (*id, text) of
 * its first row, 0 when it has none, -1 after reporting "what".
 */
static int find_by_text(struct store *s, enum stmt_id sid, const char *key,
			int64_t *id, struct strbuf *text, const char *what)
{
	sqlite3_stmt *st = get_stmt(s, sid);
	struct found f = { id, text, 0 };

	if (!st)
		return -1;
	bind_str(st, 1, key);
	if (each_row(s, st, take_first, &f, what))
		return -1;
	return f.found;
}

int store_find_root(struct store *s, const char *path, int64_t *root_id,
		    struct strbuf *root_path)
{
	return find_by_text(s, ST_FIND_ROOT, path, root_id, root_path,
			    "cannot look up roots");
}

int store_add_root(struct store *s, const char *path, int64_t now,
		   int64_t scan_id, int64_t *root_id)
{
	struct strbuf lo = STRBUF_INIT, hi = STRBUF_INIT;
	sqlite3_stmt *st = get_stmt(s, ST_ADD_ROOT);
	struct dir_rows nested = { NULL, 0, 0 };
	int ret = -1;

	if (!st)
		return -1;
	bind_str(st, 1, path);
	sqlite3_bind_int64(st, 2, now);
	if (run(s, st, "cannot add root"))
		return -1;
	*root_id = sqlite3_last_insert_rowid(s->db);

	if (!(st = get_stmt(s, ST_NESTED_ROOTS)))
		goto out;
	subtree_bounds(path, &lo, &hi);
	bind_buf(st, 1, &lo);
	bind_buf(st, 2, &hi);
	sqlite3_bind_int64(st, 3, *root_id);	/* "/" is within its own bounds */
	if (each_row(s, st, add_dir_row, &nested, "cannot look up nested roots"))
		goto out;
	for (size_t i = 0; i < nested.nr; i++) {
		if (!(st = get_stmt(s, ST_MOVE_ROOT_DIRS)))
			goto out;
		sqlite3_bind_int64(st, 1, *root_id);
		sqlite3_bind_int64(st, 2, nested.v[i].id);
		if (run(s, st, "cannot merge a nested root"))
			goto out;
		if (!(st = get_stmt(s, ST_DELETE_ROOT)))
			goto out;
		sqlite3_bind_int64(st, 1, nested.v[i].id);
		if (run(s, st, "cannot merge a nested root"))
			goto out;
		/* Its top now hangs under the new root's tree. */
		if (store_link_dirs(s, path, *root_id, nested.v[i].path,
				    scan_id))
			goto out;
	}
	ret = 0;
out:
	store_dir_rows_release(&nested);
	strbuf_release(&lo);
	strbuf_release(&hi);
	return ret;
}

int store_root_scanned(struct store *s, int64_t root_id, int64_t scan_id,
		       uint64_t dev)
{
	sqlite3_stmt *st = get_stmt(s, ST_ROOT_SCANNED);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, root_id);
	sqlite3_bind_int64(st, 2, scan_id);
	sqlite3_bind_int64(st, 3, (int64_t)dev);
	return run(s, st, "cannot update root");
}

/* Columns (settings, dev, scanned) of a root's row. */
static int take_root_info(void *data, sqlite3_stmt *st)
{
	struct root_info *ri = data;

	strbuf_reset(&ri->settings);
	strbuf_add(&ri->settings, sqlite3_column_text(st, 0),
		   (size_t)sqlite3_column_bytes(st, 0));
	ri->has_dev = sqlite3_column_type(st, 1) != SQLITE_NULL;
	ri->dev = (uint64_t)sqlite3_column_int64(st, 1);
	ri->scanned = sqlite3_column_int(st, 2);
	return 1;
}

int store_root_info(struct store *s, int64_t root_id, struct root_info *ri)
{
	sqlite3_stmt *st = get_stmt(s, ST_ROOT_INFO);

	strbuf_reset(&ri->settings);
	ri->has_dev = ri->scanned = 0;
	ri->dev = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, root_id);
	return each_row(s, st, take_root_info, ri, "cannot read a root");
}

/* Run the update sid of a root's text column. */
static int set_root_text(struct store *s, enum stmt_id sid, int64_t root_id,
			 const char *text)
{
	sqlite3_stmt *st = get_stmt(s, sid);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, root_id);
	bind_str(st, 2, text);
	return run(s, st, "cannot update root");
}

int store_set_root_settings(struct store *s, int64_t root_id,
			    const char *settings)
{
	return set_root_text(s, ST_SET_ROOT_SETTINGS, root_id, settings);
}

int store_set_root_state(struct store *s, int64_t root_id, const char *state)
{
	return set_root_text(s, ST_SET_ROOT_STATE, root_id, state);
}

int store_root_by_path(struct store *s, const char *path, int64_t *root_id)
{
	return find_by_text(s, ST_ROOT_BY_PATH, path, root_id, NULL,
			    "cannot look up roots");
}

/* Run sid, bound to root_id: a statement of the root's forgetting. */
static int forget_step(struct store *s, enum stmt_id sid, int64_t root_id)
{
	sqlite3_stmt *st = get_stmt(s, sid);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, root_id);
	return run(s, st, "cannot forget a root");
}

int store_forget_root(struct store *s, int64_t root_id, uint64_t *files)
{
	sqlite3_stmt *st = get_stmt(s, ST_FORGET_COUNT);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, root_id);
	rc = sqlite3_step(st);
	*files = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	done_stmt(st);
	if (rc != SQLITE_ROW)
		return db_error(s, "cannot forget a root");
	if (forget_step(s, ST_FORGET_ENTRIES, root_id) ||
	    forget_step(s, ST_FORGET_DIRS, root_id))
		return -1;
	return forget_step(s, ST_DELETE_ROOT, root_id);
}

int store_list_roots(struct store *s, char ***paths, size_t *nr)
{
	sqlite3_stmt *st = get_stmt(s, ST_LIST_ROOTS);
	struct strings list = { NULL, 0, 0 };
	int ret;

	*paths = NULL;
	*nr = 0;
	if (!st)
		return -1;
	ret = each_row(s, st, add_string_row, &list, "cannot list roots");
	*paths = list.v;
	*nr = list.nr;
	return ret;
}

/* ---- directories ---- */

int store_dir_lookup(struct store *s, const char *path, int64_t *id)
{
	return find_by_text(s, ST_DIR_LOOKUP, path, id, NULL,
			    "cannot look up a directory");
}

int store_max_dir_id(struct store *s, int64_t *id)
{
	sqlite3_stmt *st = get_stmt(s, ST_MAX_DIR);
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	done_stmt(st);
	return rc == SQLITE_ROW ? 0 : db_error(s, "cannot number directories");
}

void store_dir_rows_release(struct dir_rows *rows)
{
	for (size_t i = 0; i < rows->nr; i++)
		free(rows->v[i].path);
	free(rows->v);
	memset(rows, 0, sizeof(*rows));
}

int store_dir_children(struct store *s, const char *path,
		       struct dir_rows *rows)
{
	sqlite3_stmt *st = get_stmt(s, ST_DIR_CHILDREN);

	store_dir_rows_release(rows);
	if (!st)
		return -1;
	bind_str(st, 1, path);
	return each_row(s, st, add_dir_row, rows,
			"cannot list indexed directories");
}

int store_put_dir(struct store *s, int64_t id, const char *path,
		  const char *parent, int64_t root_id, int64_t scan_id)
{
	sqlite3_stmt *st = get_stmt(s, ST_PUT_DIR);

	if (!st)
		return -1;
	if (id)
		sqlite3_bind_int64(st, 1, id);
	else
		sqlite3_bind_null(st, 1);	/* a fresh rowid */
	bind_str(st, 2, path);
	bind_str(st, 3, parent);
	sqlite3_bind_int64(st, 4, root_id);
	sqlite3_bind_int64(st, 5, scan_id);
	return run(s, st, "cannot record a directory");
}

int store_link_dirs(struct store *s, const char *root, int64_t root_id,
		    const char *path, int64_t scan_id)
{
	struct strbuf dir = STRBUF_INIT, parent = STRBUF_INIT;
	size_t root_len = strlen(root);
	int ret = 0;

	strbuf_addstr(&dir, path);
	while (!ret && dir.len > root_len) {
		char *slash = memrchr(dir.buf, '/', dir.len);

		strbuf_reset(&parent);
		if (slash == dir.buf)
			strbuf_addch(&parent, '/');
		else
			strbuf_add(&parent, dir.buf, (size_t)(slash - dir.buf));
		ret = store_put_dir(s, 0, dir.buf, parent.buf, root_id, scan_id);
		strbuf_reset(&dir);
		strbuf_add(&dir, parent.buf, parent.len);
	}
	if (!ret)
		ret = store_put_dir(s, 0, root, NULL, root_id, scan_id);
	strbuf_release(&dir);
	strbuf_release(&parent);
	return ret;
}

int store_delete_subtree(struct store *s, const char *path, uint64_t *files)
{
	struct strbuf lo = STRBUF_INIT, hi = STRBUF_INIT;
	sqlite3_stmt *st = get_stmt(s, ST_DELETE_SUBTREE_FILES);
	int ret = -1;

	*files = 0;
	if (!st)
		goto out;
	bind_subtree(st, path, &lo, &hi);
	if (run(s, st, "cannot delete files of a removed directory"))
		goto out;
	*files = (uint64_t)sqlite3_changes(s->db);
	if (!(st = get_stmt(s, ST_DELETE_SUBTREE_DIRS)))
		goto out;
	bind_subtree(st, path, &lo, &hi);
	ret = run(s, st, "cannot delete a removed directory");
out:
	strbuf_release(&lo);
	strbuf_release(&hi);
	return ret;
}

/* ---- files ---- */

void store_index_rows_release(struct index_rows *rows)
{
	for (size_t i = 0; i < rows->nr; i++)
		free(rows->v[i].name);
	free(rows->v);
	memset(rows, 0, sizeof(*rows));
}

/* A column of format names, as enum doc_format (unknown: text). */
static int column_format(sqlite3_stmt *st, int col)
{
	const char *name = (const char *)sqlite3_column_text(st, col);
	int f = name ? format_by_name(name, strlen(name)) : -1;

	return f < 0 ? FORMAT_TEXT : f;
}

/* One row of ST_DIR_ENTRIES into the next struct index_row. */
static int add_index_row(void *data, sqlite3_stmt *st)
{
	struct index_rows *list = data;
	struct index_row *r;

	ALLOC_GROW(list->v, list->nr + 1, list->alloc);
	r = &list->v[list->nr++];
	r->id = sqlite3_column_int64(st, 0);
	r->name = column_dup(st, 1);
	r->meta.dev = (uint64_t)sqlite3_column_int64(st, 2);
	r->meta.ino = (uint64_t)sqlite3_column_int64(st, 3);
	r->meta.size = (uint64_t)sqlite3_column_int64(st, 4);
	r->meta.mtime_ns = sqlite3_column_int64(st, 5);
	r->meta.ctime_ns = sqlite3_column_int64(st, 6);
	r->flags = (unsigned)sqlite3_column_int(st, 7);
	r->failed = sqlite3_column_int(st, 8);
	r->format = column_format(st, 9);
	return 0;
}

int store_dir_entries(struct store *s, int64_t dir_id,
		      struct index_rows *rows)
{
	sqlite3_stmt *st = get_stmt(s, ST_DIR_ENTRIES);

	store_index_rows_release(rows);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, dir_id);
	return each_row(s, st, add_index_row, rows, "cannot list indexed files");
}

static void bind_common(sqlite3_stmt *st, const struct entry_update *u)
{
	sqlite3_bind_int64(st, 1, u->dir_id);
	bind_str(st, 2, u->name);
	bind_str(st, 3, u->ext);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)u->meta.dev);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)u->meta.ino);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)u->meta.size);
	sqlite3_bind_int64(st, 7, u->meta.mtime_ns);
	sqlite3_bind_int64(st, 8, u->meta.ctime_ns);
}

int store_put_entry(struct store *s, const struct entry_update *u)
{
	sqlite3_stmt *st;

	if (u->error && !u->status) {
		if (!(st = get_stmt(s, ST_PUT_ENTRY_ERROR)))
			return -1;
		bind_common(st, u);
		sqlite3_bind_int(st, 9, (int)u->flags);
		bind_str(st, 10, u->error);
		sqlite3_bind_int64(st, 11, u->scan_id);
	} else {
		if (!(st = get_stmt(s, ST_PUT_ENTRY_OK)))
			return -1;
		bind_common(st, u);
		if (!u->no_counts) {
			sqlite3_bind_int64(st, 9, (sqlite3_int64)u->counts.bytes);
			sqlite3_bind_int64(st, 10, (sqlite3_int64)u->counts.lines);
			sqlite3_bind_int64(st, 11, (sqlite3_int64)u->counts.words);
			sqlite3_bind_int64(st, 12, (sqlite3_int64)u->counts.chars);
		}
		sqlite3_bind_int(st, 13, (int)u->flags);
		sqlite3_bind_int64(st, 14, u->scan_id);
		sqlite3_bind_text(st, 15, u->member ? u->member : "",
				  u->member ? (int)u->member_len : 0,
				  SQLITE_STATIC);
		bind_str(st, 16, u->status ? u->status : "ok");
		bind_str(st, 17, u->error);
		bind_str(st, 18, u->format ? u->format : "text");
	}
	return run(s, st, "cannot record a file");
}

int store_delete_stale_members(struct store *s, int64_t dir_id,
			       const char *name, int64_t scan_id)
{
	sqlite3_stmt *st = get_stmt(s, ST_DELETE_STALE_MEMBERS);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, dir_id);
	bind_str(st, 2, name);
	sqlite3_bind_int64(st, 3, scan_id);
	return run(s, st, "cannot delete old archive members");
}

int store_delete_entry(struct store *s, int64_t id)
{
	sqlite3_stmt *st = get_stmt(s, ST_DELETE_ENTRY);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return run(s, st, "cannot delete a file");
}

/* ---- scans ---- */

int store_scan_join_run(struct store *s, int64_t scan_id, int64_t run_id)
{
	sqlite3_stmt *st = get_stmt(s, ST_SCAN_JOIN_RUN);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, scan_id);
	sqlite3_bind_int64(st, 2, run_id);
	return run(s, st, "cannot record the scan");
}

int store_scan_begin(struct store *s, const char *roots, const char *options,
		     int64_t started_ns, int64_t *scan_id)
{
	sqlite3_stmt *st;

	/*
	 * One transaction: a scan killed in between must not leave its
	 * predecessor marked "killed" with no row of its own after it.
	 */
	if (store_begin(s))
		return -1;
	/*
	 * The caller holds the scan lock: a scan still "running" is one whose
	 * process died without recording its end.
	 */
	if (!(st = get_stmt(s, ST_SCANS_KILLED)) ||
	    run(s, st, "cannot record the scan") ||
	    !(st = get_stmt(s, ST_SCAN_BEGIN)))
		goto fail;
	sqlite3_bind_int64(st, 1, started_ns);
	bind_str(st, 2, roots);
	bind_str(st, 3, options);
	if (run(s, st, "cannot record the scan"))
		goto fail;
	*scan_id = sqlite3_last_insert_rowid(s->db);
	return store_commit(s);
fail:
	store_rollback(s);
	return -1;
}

int store_scan_finish(struct store *s, int64_t scan_id,
		      const struct scan_stats *sst, const char *status,
		      int64_t finished_ns)
{
	sqlite3_stmt *st = get_stmt(s, ST_SCAN_FINISH);

	if (!st || check_not_moved(s))
		return -1;
	sqlite3_bind_int64(st, 1, scan_id);
	sqlite3_bind_int64(st, 2, finished_ns);
	bind_str(st, 3, status);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)sst->seen);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)sst->new_files);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)sst->changed);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)sst->unchanged);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)sst->deleted);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)sst->failed);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)sst->skipped);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)sst->bytes);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)sst->words);
	if (run(s, st, "cannot record the end of the scan"))
		return -1;
	if (!(st = get_stmt(s, ST_PRUNE_ERRORS)))
		return -1;
	sqlite3_bind_int64(st, 1, scan_id);
	return run(s, st, "cannot prune old errors");
}

int store_scan_abandon(struct store *s, int64_t scan_id, const char *status,
		       int64_t finished_ns)
{
	sqlite3_stmt *st = get_stmt(s, ST_SCAN_ABANDON);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, scan_id);
	sqlite3_bind_int64(st, 2, finished_ns);
	bind_str(st, 3, status);
	return run(s, st, "cannot record the end of the scan");
}

int store_add_error(struct store *s, int64_t scan_id, const char *path,
		    const char *stage, int err, const char *message)
{
	sqlite3_stmt *st = get_stmt(s, ST_ADD_ERROR);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, scan_id);
	bind_str(st, 2, path);
	bind_str(st, 3, stage);
	if (err)
		sqlite3_bind_int(st, 4, err);
	else
		sqlite3_bind_null(st, 4);
	bind_str(st, 5, message);
	return run(s, st, "cannot record an error");
}

/* ---- queries for the commands ---- */

/* Split path into its directory and base name (for file lookups). */
static void split_path(const char *path, struct strbuf *dir, const char **name)
{
	const char *slash = strrchr(path, '/');

	strbuf_reset(dir);
	if (!slash || slash == path)
		strbuf_addch(dir, '/');
	else
		strbuf_add(dir, path, (size_t)(slash - path));
	*name = slash ? slash + 1 : path;
}

static int read_totals(struct store *s, sqlite3_stmt *st, struct totals *t,
		       int64_t *rows)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		*rows = sqlite3_column_int64(st, 0);
		t->files = (uint64_t)sqlite3_column_int64(st, 1);
		t->lines = (uint64_t)sqlite3_column_int64(st, 2);
		t->words = (uint64_t)sqlite3_column_int64(st, 3);
		t->chars = (uint64_t)sqlite3_column_int64(st, 4);
		t->bytes = (uint64_t)sqlite3_column_int64(st, 5);
		t->binary = (uint64_t)sqlite3_column_int64(st, 6);
		t->failed = (uint64_t)sqlite3_column_int64(st, 7);
	}
	done_stmt(st);
	return rc == SQLITE_ROW ? 0 : db_error(s, "cannot compute totals");
}

/*
 * The statement for "everything at path": tree_id with the subtree bounds
 * bound when path is an indexed directory, else file_id with its directory
 * and name.  a and b hold the bound text.  Returns 1 (a directory), 0 (maybe
 * a file) or -1.
 */
static int bind_path(struct store *s, const char *path, enum stmt_id tree_id,
		     enum stmt_id file_id, sqlite3_stmt **st, struct strbuf *a,
		     struct strbuf *b)
{
	const char *name;
	int is_dir = store_is_tree(s, path);

	if (is_dir < 0 || !(*st = get_stmt(s, is_dir ? tree_id : file_id)))
		return -1;
	if (is_dir) {
		bind_subtree(*st, path, a, b);
	} else {
		split_path(path, a, &name);
		bind_buf(*st, 1, a);
		bind_str(*st, 2, name);
	}
	return is_dir;
}

int store_totals(struct store *s, const char *path, int include_binary,
		 struct totals *t)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	sqlite3_stmt *st;
	int64_t rows = 0;
	int ret = -1, is_dir;

	memset(t, 0, sizeof(*t));
	is_dir = bind_path(s, path, ST_TOTALS_TREE, ST_TOTALS_FILE, &st, &a, &b);
	if (is_dir < 0)
		goto out;
	sqlite3_bind_int(st, 4, (int)(include_binary ? ENTRY_F_NO_TEXT
							 : ENTRY_F_UNCOUNTED));
	sqlite3_bind_int(st, 5, (int)ENTRY_F_BINARY);
	if (read_totals(s, st, t, &rows))
		goto out;
	ret = is_dir || rows > 0;
out:
	strbuf_release(&a);
	strbuf_release(&b);
	return ret;
}

int store_is_tree(struct store *s, const char *path)
{
	struct strbuf lo = STRBUF_INIT, hi = STRBUF_INIT;
	sqlite3_stmt *st = get_stmt(s, ST_TREE_ANY);
	int rc;

	if (!st)
		return -1;
	bind_subtree(st, path, &lo, &hi);
	rc = sqlite3_step(st);
	done_stmt(st);
	strbuf_release(&lo);
	strbuf_release(&hi);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(s, "cannot look up a directory");
	return rc == SQLITE_ROW;
}

int store_path_indexed(struct store *s, const char *path)
{
	struct totals t;
	int r = store_is_tree(s, path);

	return r ? r : store_totals(s, path, 1, &t);
}

/* The ORDER BY of each sort key; the names come last, to break ties. */
static void add_ls_order(struct strbuf *sql, enum sort_key sort, int reverse)
{
	static const char *const key[] = {
		[SORT_LINES] = "lines", [SORT_WORDS] = "words",
		[SORT_CHARS] = "chars", [SORT_BYTES] = "bytes",
	};
	const char *dir = reverse ? " DESC" : "";

	strbuf_addstr(sql, " ORDER BY ");
	if (sort != SORT_NAME && sort < ARRAY_SIZE(key)) {
		/* largest first; uncounted rows last either way */
		strbuf_addf(sql, "%s%s NULLS LAST, ", key[sort],
			    reverse ? "" : " DESC");
		dir = "";
	}
	strbuf_addf(sql, "d.path%s, e.name%s, e.member%s", dir, dir, dir);
}

/*
 * Bind, from ?n on, the test that selects path: its subtree when it is
 * an indexed directory, else the file.  Returns the next free parameter.
 */
static int bind_ls_path(sqlite3_stmt *st, int n, const char *path,
			int is_dir)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	const char *name;

	if (is_dir) {
		subtree_bounds(path, &a, &b);
		sqlite3_bind_text(st, n, path, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, n + 1, a.buf, (int)a.len, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, n + 2, b.buf, (int)b.len, SQLITE_TRANSIENT);
	} else {
		split_path(path, &a, &name);
		sqlite3_bind_text(st, n, a.buf, (int)a.len, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, n + 1, name, -1, SQLITE_TRANSIENT);
	}
	strbuf_release(&a);
	strbuf_release(&b);
	return n + (is_dir ? 3 : 2);
}

struct sqlite3_stmt *store_ls_prepare(struct store *s, const struct ls_query *q)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st = NULL;
	int *is_dir = xcalloc(q->n ? q->n : 1, sizeof(*is_dir));
	int n = 1;

	strbuf_addf(&sql, "SELECT " LS_COLS " FROM dirs d JOIN entries e"
		    " ON e.dir_id = d.id WHERE 0", ENTRY_F_NO_TEXT,
		    ENTRY_F_NO_TEXT, ENTRY_F_NO_TEXT, ENTRY_F_NO_TEXT, ENTRY_F_LINK,
		    ENTRY_F_ARCHIVE, ENTRY_F_BINARY);
	for (size_t i = 0; i < q->n; i++) {
		if ((is_dir[i] = store_is_tree(s, q->paths[i])) < 0)
			goto out;
		strbuf_addstr(&sql, is_dir[i] ?
			      " OR (d.path = ? OR (d.path >= ? AND d.path < ?))" :
			      " OR (d.path = ? AND e.name = ?)");
	}
	add_ls_order(&sql, q->sort, q->reverse);
	if (q->limit)
		strbuf_addf(&sql, " LIMIT %" PRIu64, q->limit);
	if (sqlite3_prepare_v2(s->db, sql.buf, (int)sql.len + 1, &st,
			       NULL) != SQLITE_OK) {
		db_error(s, "cannot list files");
		goto out;
	}
	for (size_t i = 0; i < q->n; i++)
		n = bind_ls_path(st, n, q->paths[i], is_dir[i]);
out:
	strbuf_release(&sql);
	free(is_dir);
	return st;
}

static int64_t column_count(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL
		       ? -1 : sqlite3_column_int64(st, i);
}

struct ls_walk {
	store_ls_fn fn;
	void *data;
};

/* One row of store_ls_prepare()'s handed to the caller as a struct ls_row. */
static int ls_one(void *data, sqlite3_stmt *st)
{
	struct ls_walk *walk = data;
	struct ls_row row = {
		.path = (const char *)sqlite3_column_text(st, 0),
		.path_len = (size_t)sqlite3_column_bytes(st, 0),
		.member = (const char *)sqlite3_column_text(st, 1),
		.member_len = (size_t)sqlite3_column_bytes(st, 1),
		.lines = column_count(st, 2),
		.words = column_count(st, 3),
		.chars = column_count(st, 4),
		.bytes = column_count(st, 5),
		.kind = (const char *)sqlite3_column_text(st, 6),
		.format = (const char *)sqlite3_column_text(st, 7),
		.status = (const char *)sqlite3_column_text(st, 8),
		.error = (const char *)sqlite3_column_text(st, 9),
		.flags = (unsigned)sqlite3_column_int(st, 10),
	};

	return walk->fn(walk->data, &row);
}

int store_ls(struct store *s, const struct ls_query *q, store_ls_fn fn,
	     void *data)
{
	struct ls_walk walk = { fn, data };
	sqlite3_stmt *st = store_ls_prepare(s, q);
	int ret;

	if (!st)
		return -1;
	ret = each_row(s, st, ls_one, &walk, "cannot list files");
	sqlite3_finalize(st);
	return ret;
}

/*
 * One group of ST_DIR_TOTALS: a directory and its own totals (read_totals'
 * columns, one to the right).
 */
int store_dir_totals(struct store *s, const char *path, int include_binary,
		     store_dir_fn fn, void *data)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	sqlite3_stmt *st = get_stmt(s, ST_DIR_TOTALS);
	int rc = SQLITE_DONE;

	if (!st)
		return -1;
	bind_subtree(st, path, &a, &b);
	sqlite3_bind_int(st, 4, (int)(include_binary ? ENTRY_F_NO_TEXT
						     : ENTRY_F_UNCOUNTED));
	sqlite3_bind_int(st, 5, (int)ENTRY_F_BINARY);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct totals t = {
			.files = (uint64_t)sqlite3_column_int64(st, 2),
			.lines = (uint64_t)sqlite3_column_int64(st, 3),
			.words = (uint64_t)sqlite3_column_int64(st, 4),
			.chars = (uint64_t)sqlite3_column_int64(st, 5),
			.bytes = (uint64_t)sqlite3_column_int64(st, 6),
			.binary = (uint64_t)sqlite3_column_int64(st, 7),
			.failed = (uint64_t)sqlite3_column_int64(st, 8),
		};

		if (fn(data, (const char *)sqlite3_column_text(st, 0), &t)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	done_stmt(st);
	strbuf_release(&a);
	strbuf_release(&b);
	return rc == SQLITE_DONE ? 0 : db_error(s, "cannot compute totals");
}

/* ---- history ---- */

void store_history_counted(struct hist_counts *c, int counted,
			   const struct counts *counts)
{
	memset(c, 0, sizeof(*c));
	if (!counted)
		return;
	c->counted = 1;
	c->lines = (int64_t)counts->lines;
	c->words = (int64_t)counts->words;
	c->chars = (int64_t)counts->chars;
	c->bytes = (int64_t)counts->bytes;
}

int store_history_same(const struct hist_counts *a, const struct hist_counts *b)
{
	if (a->counted != b->counted)
		return 0;
	return !a->counted ||
	       (a->lines == b->lines && a->words == b->words &&
		a->chars == b->chars && a->bytes == b->bytes);
}

int store_history_old(struct store *s, int64_t dir_id, const char *name,
		      const char *member, size_t member_len,
		      struct hist_counts *c)
{
	sqlite3_stmt *st = get_stmt(s, ST_HIST_OLD);
	int rc;

	memset(c, 0, sizeof(*c));
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, dir_id);
	bind_str(st, 2, name);
	sqlite3_bind_text(st, 3, member ? member : "",
			  member ? (int)member_len : 0, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL &&
	    entry_in_totals((unsigned)sqlite3_column_int(st, 4),
			    sqlite3_column_int(st, 5), 0)) {
		c->counted = 1;
		c->lines = sqlite3_column_int64(st, 0);
		c->words = sqlite3_column_int64(st, 1);
		c->chars = sqlite3_column_int64(st, 2);
		c->bytes = sqlite3_column_int64(st, 3);
	}
	done_stmt(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(s, "cannot read a file's counts");
	return rc == SQLITE_ROW;
}

static void bind_hist_counts(sqlite3_stmt *st, int i,
			     const struct hist_counts *c)
{
	if (c && c->counted) {
		sqlite3_bind_int64(st, i, c->lines);
		sqlite3_bind_int64(st, i + 1, c->words);
		sqlite3_bind_int64(st, i + 2, c->chars);
		sqlite3_bind_int64(st, i + 3, c->bytes);
	}
}

int store_history_add(struct store *s, int64_t scan_id, int64_t dir_id,
		      const char *name, const char *member, size_t member_len,
		      const char *kind, const struct hist_counts *old,
		      const struct hist_counts *new)
{
	sqlite3_stmt *st = get_stmt(s, ST_HIST_ADD);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, scan_id);
	sqlite3_bind_int64(st, 2, dir_id);
	bind_str(st, 3, name);
	sqlite3_bind_text(st, 4, member ? member : "",
			  member ? (int)member_len : 0, SQLITE_STATIC);
	bind_str(st, 5, kind);
	bind_hist_counts(st, 6, old);
	bind_hist_counts(st, 10, new);
	return run(s, st, "cannot record a change");
}

/* The statement of a 'deleted' record, with ?1 and ?2 bound. */
static sqlite3_stmt *hist_deleted(struct store *s, enum stmt_id id,
				  int64_t scan_id)
{
	sqlite3_stmt *st = get_stmt(s, id);

	if (st) {
		sqlite3_bind_int64(st, 1, scan_id);
		sqlite3_bind_int(st, 2, (int)ENTRY_F_UNCOUNTED);
	}
	return st;
}

int store_history_deleted_entry(struct store *s, int64_t scan_id,
				int64_t row_id)
{
	sqlite3_stmt *st = hist_deleted(s, ST_HIST_DEL_ENTRY, scan_id);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 3, row_id);
	return run(s, st, "cannot record a deleted file");
}

int store_history_deleted_subtree(struct store *s, int64_t scan_id,
				  const char *path)
{
	struct strbuf lo = STRBUF_INIT, hi = STRBUF_INIT;
	sqlite3_stmt *st = hist_deleted(s, ST_HIST_DEL_SUBTREE, scan_id);
	int ret;

	if (!st)
		return -1;
	subtree_bounds(path, &lo, &hi);
	bind_str(st, 3, path);
	bind_buf(st, 4, &lo);
	bind_buf(st, 5, &hi);
	ret = run(s, st, "cannot record the files of a removed directory");
	strbuf_release(&lo);
	strbuf_release(&hi);
	return ret;
}

int store_history_deleted_members(struct store *s, int64_t scan_id,
				  int64_t dir_id, const char *name,
				  int64_t keep_scan_id)
{
	sqlite3_stmt *st = hist_deleted(s, ST_HIST_DEL_MEMBERS, scan_id);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 3, dir_id);
	bind_str(st, 4, name);
	sqlite3_bind_int64(st, 5, keep_scan_id);
	return run(s, st, "cannot record deleted archive members");
}

int64_t store_changed_rows(struct store *s)
{
	return (int64_t)sqlite3_changes(s->db);
}

/* Root totals (and the 'first' row) of one root after scan_id. */
static int history_root(struct store *s, int64_t scan_id, int64_t root_id)
{
	sqlite3_stmt *st = get_stmt(s, ST_HIST_ROOT_FIRST);
	int rc, first = 0;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, root_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		first = sqlite3_column_int(st, 0);
	done_stmt(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : db_error(s, "cannot read a root");
	if (!first) {
		if (!(st = get_stmt(s, ST_HIST_TOTALS_STEP)))
			return -1;
		sqlite3_bind_int64(st, 1, scan_id);
		sqlite3_bind_int64(st, 2, root_id);
		if (run(s, st, "cannot record the totals of a root"))
			return -1;
		if (sqlite3_changes(s->db))
			return 0;
		/* no totals before (a database of schema 4): from the rows */
	}
	if (!(st = get_stmt(s, ST_HIST_TOTALS)))
		return -1;
	sqlite3_bind_int64(st, 1, scan_id);
	sqlite3_bind_int64(st, 2, root_id);
	sqlite3_bind_int(st, 3, first);
	if (run(s, st, "cannot record the totals of a root"))
		return -1;
	if (!first)
		return 0;
	if (!(st = get_stmt(s, ST_HIST_FIRST)))
		return -1;
	sqlite3_bind_int64(st, 1, scan_id);
	sqlite3_bind_int64(st, 2, root_id);
	return run(s, st, "cannot record a root's first scan");
}

int store_history_end(struct store *s, int64_t scan_id,
		      const int64_t *root_ids, size_t nr, uint64_t keep,
		      uint64_t rechecked)
{
	sqlite3_stmt *st;

	if (store_begin(s))
		return -1;
	for (size_t i = 0; i < nr; i++) {
		int seen = 0;

		for (size_t k = 0; k < i; k++)
			seen |= root_ids[k] == root_ids[i];
		if (!seen && history_root(s, scan_id, root_ids[i]))
			goto fail;
	}
	if (keep) {
		char num[24];

		snprintf(num, sizeof(num), "%llu", (unsigned long long)keep);
		if (!(st = get_stmt(s, ST_HIST_KEEP_SET)))
			goto fail;
		sqlite3_bind_text(st, 1, num, -1, SQLITE_TRANSIENT);
		if (run(s, st, "cannot set keep_history"))
			goto fail;
	}
	if (!(st = get_stmt(s, ST_SCAN_RECHECKED)))
		goto fail;
	sqlite3_bind_int64(st, 1, scan_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)rechecked);
	if (run(s, st, "cannot record the scan") ||
	    !(st = get_stmt(s, ST_HIST_PRUNE)))
		goto fail;
	sqlite3_bind_int64(st, 1, scan_id);
	if (run(s, st, "cannot prune old changes"))
		goto fail;
	return store_commit(s);
fail:
	store_rollback(s);
	return -1;
}

/* ---- readers and copies ---- */

/* How long a reader waits for a scan that keeps it out (see below). */
#define READER_WAIT_MS 3000

static struct store *reader_new(const char *path)
{
	struct store *s = xcalloc(1, sizeof(*s));

	s->gate_fd = s->reader_fd = -1;
	s->path = xstrdup(path);
	strbuf_init(&s->last_error, 0);
	s->readonly = 1;
	return s;
}

/* Open name read-only (flags: more SQLITE_OPEN_*) and configure it. */
static int reader_connect(struct store *s, const char *name, int flags)
{
	int rc = sqlite3_open_v2(name, &s->db, SQLITE_OPEN_READONLY |
				 SQLITE_OPEN_NOMUTEX | flags, NULL);

	if (rc != SQLITE_OK)
		return error("cannot open database '%s': %s", s->path,
			     s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
	sqlite3_extended_result_codes(s->db, 1);
	if (sqlite3_busy_timeout(s->db, 10000) != SQLITE_OK)
		return db_error(s, "cannot configure the database");
	return 0;
}

/*
 * Check the schema inside a transaction that stays open: its first read
 * fixes the snapshot that every later statement of the connection sees.
 */
static int begin_snapshot(struct store *s)
{
	return exec_sql(s, "BEGIN", "cannot begin a transaction") ||
	       check_schema(s) ? -1 : 0;
}

enum reader_result { READER_OK, READER_FAILED, READER_NO_SHM, READER_BUSY };

/*
 * The usual way, through SQLite's -wal and -shm.  READER_NO_SHM when SQLite
 * cannot use them read-only (missing and not to be created, unreadable).
 */
static enum reader_result open_shared(struct store *s)
{
	int code;

	if (reader_connect(s, s->path, 0))
		return READER_FAILED;
	s->defer_errors = 1;
	if (!begin_snapshot(s)) {
		s->defer_errors = 0;
		return READER_OK;
	}
	s->defer_errors = 0;
	if (!s->last_error.len)
		return READER_FAILED;	/* reported: not a readable index */
	code = sqlite3_extended_errcode(s->db) & 0xff;
	if ((code == SQLITE_READONLY || code == SQLITE_CANTOPEN) &&
	    !access(s->path, R_OK))
		return READER_NO_SHM;
	error("%s", s->last_error.buf);
	return READER_FAILED;
}

/*
 * The lock of a direct reader (see "Readers that cannot open the -shm"):
 * on a descriptor of its own, which store_close() closes only after
 * SQLite has closed all of its own (closing a descriptor drops the POSIX
 * locks of the process on the file; the direct reader's connection takes
 * none).
 */
static int reader_lock(int fd)
{
	struct flock fl = {
		.l_type = F_RDLCK, .l_whence = SEEK_SET,
		.l_start = LOCK_SHARED_FIRST,
		.l_len = LOCK_GATE - LOCK_SHARED_FIRST + 1,
	};

	return fcntl(fd, F_OFD_SETLK, &fl);
}

/* 1 when the file path + suffix exists and is not empty, else 0. */
static int has_content(const char *path, const char *suffix)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int ret;

	strbuf_addf(&sb, "%s%s", path, suffix);
	ret = !lstat(sb.buf, &st) && (st.st_size > 0 || !S_ISREG(st.st_mode));
	strbuf_release(&sb);
	return ret;
}

/* "file:" URI of path, with "?immutable=1". */
static void immutable_uri(const char *path, struct strbuf *uri)
{
	strbuf_addstr(uri, path[0] == '/' ? "file://" : "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._-~", *p))
			strbuf_addch(uri, (char)*p);
		else
			strbuf_addf(uri, "%%%02X", *p);
	}
	strbuf_addstr(uri, "?immutable=1");
}

/*
 * Read the database file directly, locked.  READER_BUSY, with the reason
 * in s->last_error, while a writer keeps that from being consistent.
 */
static enum reader_result open_direct(struct store *s)
{
	struct strbuf uri = STRBUF_INIT;
	struct stat fst, pst;
	enum reader_result ret = READER_FAILED;

	strbuf_reset(&s->last_error);
	s->reader_fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (s->reader_fd < 0) {
		error_errno("cannot open database '%s'", s->path);
		goto out;
	}
	if (reader_lock(s->reader_fd)) {
		if (errno != EAGAIN && errno != EACCES) {
			error_errno("cannot lock database '%s'", s->path);
			goto out;
		}
		strbuf_addf(&s->last_error, "a scan is moving its log '%s-wal' "
			    "into the database", s->path);
		ret = READER_BUSY;
		goto out;
	}
	if (has_content(s->path, "-wal") || has_content(s->path, "-journal")) {
		strbuf_addf(&s->last_error, "its log '%s-wal' holds commits "
			    "that are not in the database file yet (a scan "
			    "is running, or ended while it was being read)",
			    s->path);
		ret = READER_BUSY;
		goto out;
	}
	/* the file at the path is the one locked */
	if (fstat(s->reader_fd, &fst) || stat(s->path, &pst) ||
	    fst.st_dev != pst.st_dev || fst.st_ino != pst.st_ino) {
		strbuf_addf(&s->last_error, "'%s' was replaced meanwhile",
			    s->path);
		ret = READER_BUSY;
		goto out;
	}
	immutable_uri(s->path, &uri);
	if (!reader_connect(s, uri.buf, SQLITE_OPEN_URI) && !begin_snapshot(s))
		ret = READER_OK;
out:
	strbuf_release(&uri);
	return ret;
}

static void reader_reset(struct store *s)
{
	for (int i = 0; i < ST__COUNT; i++) {
		sqlite3_finalize(s->stmt[i]);
		s->stmt[i] = NULL;
	}
	sqlite3_close(s->db);
	s->db = NULL;
	if (s->reader_fd >= 0)
		close(s->reader_fd);
	s->reader_fd = -1;
}

struct store *store_open_reader(const char *path)
{
	struct store *s = reader_new(path);
	uint64_t deadline = now_ns() + (uint64_t)READER_WAIT_MS * 1000000;

	if (access(path, F_OK) < 0 && errno == ENOENT) {
		error("no index at '%s': run 'wcindex scan' first", path);
		goto fail;
	}
	for (;;) {
		enum reader_result r = open_shared(s);

		if (r == READER_NO_SHM) {
			reader_reset(s);
			r = open_direct(s);
		}
		if (r == READER_OK)
			return s;
		if (r == READER_FAILED)
			goto fail;
		reader_reset(s);
		if (now_ns() >= deadline)
			break;
		nanosleep(&(struct timespec){ 0, 50000000 }, NULL);
	}
	error("cannot read '%s' consistently: %s, and this user cannot open "
	      "'%s-shm', through which readers follow a scan; try again when "
	      "no scan runs, or have the owner make '%s-wal' and '%s-shm' as "
	      "readable as the database", path, s->last_error.buf, path, path,
	      path);
fail:
	store_close(s);
	return NULL;
}

/* Run sql on db and check it answers "ok"; 0 or -1 after reporting. */
static int check_ok(sqlite3 *db, const char *sql, const char *dest)
{
	sqlite3_stmt *st;
	const unsigned char *res;
	int ret = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return error("cannot check the copy '%s': %s", dest,
			     sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (res = sqlite3_column_text(st, 0)) && !strcmp((const char *)res, "ok"))
		ret = 0;
	else
		error("the copy '%s' fails %s: %s", dest, sql,
		      (res = sqlite3_column_text(st, 0)) ? (const char *)res
							 : sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return ret;
}

int store_backup(struct store *s, const char *dest)
{
	sqlite3 *db = NULL;
	sqlite3_backup *b;
	char *msg = NULL;
	int rc, ret = -1;

	if (sqlite3_open_v2(dest, &db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		error("cannot open the copy '%s': %s", dest,
		      db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	/* a fresh file, renamed into place only when complete: no journal */
	if (sqlite3_exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF",
			 NULL, NULL, &msg) != SQLITE_OK) {
		error("cannot set up the copy '%s': %s", dest, msg);
		goto out;
	}
	if (!(b = sqlite3_backup_init(db, "main", s->db, "main"))) {
		error("cannot copy '%s': %s", s->path, sqlite3_errmsg(db));
		goto out;
	}
	/*
	 * The source's snapshot is held by its open transaction, so the
	 * pages are of one commit however many steps it takes, and a scan
	 * goes on writing to its log meanwhile.
	 */
	do
		rc = sqlite3_backup_step(b, 1024);
	while (rc == SQLITE_OK);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		error("cannot copy '%s' to '%s': %s", s->path, dest,
		      sqlite3_errstr(rc));
		goto out;
	}
	/*
	 * The pages came with the source's header, which says WAL; a copy in
	 * rollback-journal mode can be read where nothing may be created.
	 */
	if (sqlite3_exec(db, "PRAGMA journal_mode = DELETE", NULL, NULL,
			 &msg) != SQLITE_OK) {
		error("cannot set the journal mode of the copy '%s': %s", dest,
		      msg);
		goto out;
	}
	if (check_ok(db, "PRAGMA integrity_check(1)", dest))
		goto out;
	ret = 0;
out:
	sqlite3_free(msg);
	if (db && sqlite3_close(db) != SQLITE_OK) {
		error("cannot close the copy '%s'", dest);
		ret = -1;
	}
	return ret;
}
