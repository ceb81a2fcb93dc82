/*
 * store.h - everything wcindex reads from and writes to its SQLite
 * database.  One struct store is one connection; a connection is used by one
 * thread at a time and never crosses a fork().  Statements are prepared once
 * per connection, on first use.
 *
 * The scan's writer thread owns the only read-write connection; the crawler
 * and the read-only commands open their own read-only connections, which in
 * WAL mode never wait for the writer and never block it.
 */
#ifndef WCINDEX_STORE_H
#define WCINDEX_STORE_H

#include <stdint.h>

#include "change.h"
#include "count.h"
#include "proto.h"
#include "strbuf.h"

#define STORE_SCHEMA_VERSION 6
#define STORE_APPLICATION_ID 0x77636978	/* "wcix" */

#define STORE_READONLY 0x1	/* open read-only; the database must exist */
#define STORE_CREATE   0x2	/* read-write; create the file if needed */
/*
 * With STORE_CREATE: the file is as the last scan left it (the caller
 * knows), so the page check that protects a damaged file from being built
 * on is skipped.
 */
#define STORE_TRUSTED  0x4

struct store;
struct sqlite3;
struct sqlite3_stmt;

/*
 * Open the database at path.  A new database gets the schema; an older
 * schema is migrated; a newer schema, a foreign SQLite file or a file that
 * is not a database is refused, and so, when opened for writing, is a
 * damaged one (PRAGMA quick_check, unless STORE_TRUSTED), before anything
 * is written to it.
 * Returns NULL after reporting why.
 */
struct store *store_open(const char *path, int flags);
void store_close(struct store *s);

/*
 * Open the database for a read command, as one snapshot: every query on
 * the connection sees the index as it was at one commit, whatever a scan
 * writes meanwhile.  The user needs to be able to read the database file
 * only: when the directory is not writable and the shared-memory file
 * (-shm) cannot be opened, the file is read directly, under a lock that
 * keeps a scan of this wcindex from changing it meanwhile; that needs an
 * empty or absent log (-wal), and is refused with a reason when a scan
 * has changes in it that only the -shm could show consistently.  Waits a
 * few seconds for such a scan to end.  NULL after reporting.
 */
struct store *store_open_reader(const char *path);

/*
 * Copy the snapshot of s (opened by store_open_reader()) into the empty
 * file at dest, a page range at a time, as a database in rollback-journal
 * mode (readable without -wal or -shm), and check it (integrity_check).
 * 0, or -1 after reporting; dest is then left for the caller to remove.
 */
int store_backup(struct store *s, const char *dest);

/* The raw handle, for `wcindex sql`. */
struct sqlite3 *store_handle(struct store *s);

/*
 * BEGIN IMMEDIATE / COMMIT / ROLLBACK.  0 or -1 after reporting.  COMMIT
 * (and store_scan_finish()) fail, committing nothing, once the database
 * file has been replaced or removed since it was opened.
 */
int store_begin(struct store *s);
int store_commit(struct store *s);
int store_rollback(struct store *s);

/* True while a transaction is open (SQLite ends some on an error). */
int store_in_transaction(struct store *s);

/*
 * Fold the log back into the database (a passive checkpoint, retried for
 * about a second).  Returns 1, with the log's size in *log_bytes, when a
 * reader's snapshot still keeps part of it: the log then only grows until
 * that reader ends.  0 otherwise.
 */
int store_log_blocked(struct store *s, uint64_t *log_bytes);

/*
 * While on, the database errors of s are kept for store_last_error()
 * instead of being printed, for a caller that reports them in its own
 * words.
 */
void store_defer_errors(struct store *s, int on);

/* The last database error of s, "" if none. */
const char *store_last_error(struct store *s);

/* ---- roots ---- */

/*
 * Find the root that contains path (or is path).  Returns 1 and fills
 * *root_id and root_path, 0 when no root contains it, -1 on error.
 */
int store_find_root(struct store *s, const char *path, int64_t *root_id,
		    struct strbuf *root_path);

/*
 * Register path as a new root and absorb the roots below it (their
 * directories now belong to the new root).  Returns 0 or -1.
 */
int store_add_root(struct store *s, const char *path, int64_t now_ns,
		   int64_t scan_id, int64_t *root_id);

/*
 * Record that scan_id walked the whole of root_id, which was on device
 * dev: the root's state is "ok" again.
 */
int store_root_scanned(struct store *s, int64_t root_id, int64_t scan_id,
		       uint64_t dev);

/* What the index keeps of a root besides its path. */
struct root_info {
	struct strbuf settings;	/* settings_format()'s text; "" before any */
	uint64_t dev;		/* the device it was on when last walked */
	int has_dev;		/* dev is known */
	int scanned;		/* walked whole at least once */
};

/* Read root_id's info into ri (its settings strbuf initialised).  0 or -1. */
int store_root_info(struct store *s, int64_t root_id, struct root_info *ri);

/* Replace root_id's settings (settings_format()'s text).  0 or -1. */
int store_set_root_settings(struct store *s, int64_t root_id,
			    const char *settings);

/* Set root_id's state: "ok", "vanished" or "held" (see wcindex(1)). */
int store_set_root_state(struct store *s, int64_t root_id, const char *state);

/* The root whose path is exactly path: 1 and *root_id, 0 if none, -1. */
int store_root_by_path(struct store *s, const char *path, int64_t *root_id);

/*
 * Remove root_id and every directory and file row under it, saying in
 * *files how many files it held.  Run it inside a transaction: all of it
 * or nothing.  0 or -1.
 */
int store_forget_root(struct store *s, int64_t root_id, uint64_t *files);

/* All root paths, sorted; free each and the array. */
int store_list_roots(struct store *s, char ***paths, size_t *nr);

/* ---- directories ---- */

struct dir_row {
	int64_t id;
	char *path;
};

/* Look up a directory: 1 found (*id set), 0 not indexed, -1 error. */
int store_dir_lookup(struct store *s, const char *path, int64_t *id);

/* The highest directory id in use (0 for none), to number new ones. */
int store_max_dir_id(struct store *s, int64_t *id);

/* A list of rows that the store fills (what it held is released first). */
struct dir_rows {
	struct dir_row *v;
	size_t nr, alloc;
};

/*
 * The indexed subdirectories of path, sorted by path (which is sorting by
 * name), into rows, replacing what it held.
 */
int store_dir_children(struct store *s, const char *path,
		       struct dir_rows *rows);

/* Free the rows and the list's memory; it is then empty. */
void store_dir_rows_release(struct dir_rows *rows);

/*
 * Insert directory path with the given id (0: the next free one), or, when
 * the path is already
 * indexed, update its parent and root (it was the top of an absorbed root or
 * of a subtree scan).
 */
int store_put_dir(struct store *s, int64_t id, const char *path,
		  const char *parent, int64_t root_id, int64_t scan_id);

/*
 * Record every directory from root down to path (which lies below root),
 * each under its parent, numbering the new ones after the highest id.  A
 * subtree scan and a root absorbing the roots below it use this, so that
 * the next walk of the root lists those directories as children and
 * notices when they disappear.
 */
int store_link_dirs(struct store *s, const char *root, int64_t root_id,
		    const char *path, int64_t scan_id);

/*
 * Delete directory path and everything indexed below it.  *files gets the
 * number of file rows removed.
 */
int store_delete_subtree(struct store *s, const char *path, uint64_t *files);

/* ---- files ---- */

struct index_rows {
	struct index_row *v;
	size_t nr, alloc;
};

/* The index rows of the files of dir_id, sorted by name, into rows. */
int store_dir_entries(struct store *s, int64_t dir_id,
		      struct index_rows *rows);
void store_index_rows_release(struct index_rows *rows);

struct entry_update {
	int64_t dir_id;
	const char *name;
	const char *member;	/* NULL for the file itself */
	size_t member_len;	/* member names are opaque bytes */
	const char *ext;
	struct file_meta meta;
	struct counts counts;
	int no_counts;		/* store NULL counts (archives, links) */
	unsigned flags;		/* entries.flags: COUNT_F_* | ENTRY_F_* */
	const char *format;	/* entries.format: "text" (NULL), "pdf", ... */
	const char *status;	/* "ok" (NULL), "error", "limit", "encrypted" */
	const char *error;	/* the reason, when not ok */
	int64_t scan_id;
};

/*
 * Insert or replace the row of (dir_id, name, member).  With error set and
 * status NULL (a file that could not be read), an existing row keeps its
 * counts (the totals views leave failed rows out) and gets the new
 * metadata, status 'error' and the error; otherwise every column is set.
 */
int store_put_entry(struct store *s, const struct entry_update *u);

/* Delete the row of a file (by id) together with its archive members. */
int store_delete_entry(struct store *s, int64_t id);

/*
 * Delete the members of a file that scan_id did not record (again); with
 * scan_id 0 (no scan has that id), all of them.
 */
int store_delete_stale_members(struct store *s, int64_t dir_id,
			       const char *name, int64_t scan_id);

/* ---- scans ---- */

struct scan_stats {
	uint64_t seen, new_files, changed, unchanged, deleted, failed, skipped;
	uint64_t bytes, words;
	uint64_t rechecked;	/* recounted, and the counts came out the same */
	/*
	 * Counted as bytes with the extension of a document format this
	 * build cannot read (a build without libxml2 or poppler-glib).
	 */
	uint64_t unread_docs;
};

/*
 * Record the start of a scan (status "running") and set *scan_id.  Called
 * under the scan lock and outside a transaction, it first marks "killed"
 * every scan still "running" (their processes died before they could
 * record their end), in the same transaction as the new row.
 */
/*
 * Record that scan_id is part of the run whose first scan is run_id (one
 * `wcindex scan` of roots with different settings).  0 or -1.
 */
int store_scan_join_run(struct store *s, int64_t scan_id, int64_t run_id);

int store_scan_begin(struct store *s, const char *roots, const char *options,
		     int64_t started_ns, int64_t *scan_id);

/* Record the end of a scan: its status ("done", "failed", "interrupted"). */
int store_scan_finish(struct store *s, int64_t scan_id,
		      const struct scan_stats *st, const char *status,
		      int64_t finished_ns);
/*
 * Record the end of a scan whose own process could not (it ran out of
 * memory): its status, and no figures.  A scan already ended, or marked
 * killed by a later one, is left as it is.
 */
int store_scan_abandon(struct store *s, int64_t scan_id, const char *status,
		       int64_t finished_ns);
int store_add_error(struct store *s, int64_t scan_id, const char *path,
		    const char *stage, int err, const char *message);

/* ---- queries for the commands ---- */

struct totals {
	uint64_t files, lines, words, chars, bytes;
	uint64_t binary, failed;	/* files left out of the sums */
};

/*
 * Totals of the indexed files at path: the file itself, or everything below
 * the directory (store_is_tree()).  Binary files are included only with include_binary.
 * Returns 1 when path is indexed, 0 when it is not, -1 on error.
 */
int store_totals(struct store *s, const char *path, int include_binary,
		 struct totals *t);

/*
 * Whether path names a tree of the index: an indexed directory, or a
 * directory above some (a parent of roots: "total /srv" sums the roots
 * below it).  1, 0, or -1 on error.
 */
int store_is_tree(struct store *s, const char *path);

/*
 * Whether path is in the index: a tree (store_is_tree()), or a file (a
 * row).  1, 0, or -1 on error.
 */
int store_path_indexed(struct store *s, const char *path);

/*
 * Call fn with the own totals of every indexed directory at or below the
 * directory path (those of the files directly in it, members of its
 * archives included), as store_totals() counts them; in no set order.
 * Stops early when fn returns non-zero.  0, or -1 on error.
 */
typedef int (*store_dir_fn)(void *data, const char *dir,
			    const struct totals *t);
int store_dir_totals(struct store *s, const char *path, int include_binary,
		     store_dir_fn fn, void *data);

/* What rows are ordered by: their names, or one of their counts. */
enum sort_key { SORT_NAME, SORT_LINES, SORT_WORDS, SORT_CHARS, SORT_BYTES,
		SORT_FILES };

/* What ls lists: the files at or below paths (absolute, as stored). */
struct ls_query {
	char **paths;
	size_t n;
	enum sort_key sort;	/* by directory and name, or largest first */
	int reverse;		/* the other way round */
	uint64_t limit;		/* at most this many rows (0: all) */
};

/*
 * A statement listing q's rows, each once however the paths overlap, with
 * the columns path, member, lines, words, chars, bytes (NULL where the row
 * has no counts of its own: it failed, or its members carry them), kind
 * (text, a document format, binary, archive, link, or the status of a
 * failed row), format, status, error and flags.  Paths not in the index
 * select nothing (store_path_indexed() tells).  The caller finalizes it;
 * NULL on error (reported).
 */
struct sqlite3_stmt *store_ls_prepare(struct store *s, const struct ls_query *q);

/* A row of store_ls_prepare()'s statement; every pointer is SQLite's. */
struct ls_row {
	const char *path;
	size_t path_len;
	const char *member;	/* "" for the file itself */
	size_t member_len;
	int64_t lines, words, chars, bytes;	/* -1 when not counted */
	const char *kind, *format, *status, *error;
	unsigned flags;
};

typedef int (*store_ls_fn)(void *data, const struct ls_row *row);

/*
 * Call fn for every row of store_ls_prepare(s, q), in its order.  Stops
 * early when fn returns non-zero.  0, or -1 on error.
 */
int store_ls(struct store *s, const struct ls_query *q, store_ls_fn fn,
	     void *data);

/* ---- history: the changes and root_totals tables ---- */

/* Changes of the last this many scans are kept, unless meta says other. */
#define STORE_KEEP_HISTORY 100

/* What a row adds to the totals: nothing (counted 0) or these counts. */
struct hist_counts {
	int counted;
	int64_t lines, words, chars, bytes;
};

/* c from counts when counted (the row is in the totals), else nothing. */
void store_history_counted(struct hist_counts *c, int counted,
			   const struct counts *counts);

/* True when a and b add the same to the totals. */
int store_history_same(const struct hist_counts *a,
		       const struct hist_counts *b);

/*
 * What the row (dir_id, name, member) adds to the totals now, into *c.
 * 1 when the row exists, 0 when not, -1 on error.
 */
int store_history_old(struct store *s, int64_t dir_id, const char *name,
		      const char *member, size_t member_len,
		      struct hist_counts *c);

/* Record a change of kind "new" or "changed" of a row (old may be NULL). */
int store_history_add(struct store *s, int64_t scan_id, int64_t dir_id,
		      const char *name, const char *member, size_t member_len,
		      const char *kind, const struct hist_counts *old,
		      const struct hist_counts *new);

/*
 * Record as "deleted", with their last counts, the rows that
 * store_delete_entry(), store_delete_subtree() and
 * store_delete_stale_members() with the same arguments are about to
 * delete (in roots that record changes): call them first.
 */
int store_history_deleted_entry(struct store *s, int64_t scan_id,
				int64_t row_id);
int store_history_deleted_subtree(struct store *s, int64_t scan_id,
				  const char *path);
int store_history_deleted_members(struct store *s, int64_t scan_id,
				  int64_t dir_id, const char *name,
				  int64_t keep_scan_id);

/* Rows the last INSERT, UPDATE or DELETE changed. */
int64_t store_changed_rows(struct store *s);

/*
 * At the end of scan scan_id, in one transaction: the totals of each root
 * in root_ids (repeats are skipped) into root_totals, with a 'first'
 * change for a root never walked whole before; files_rechecked; keep (if
 * not 0) as the history kept from now on; and the changes older than the
 * last keep_history scans pruned.  Call it before store_root_scanned().
 */
int store_history_end(struct store *s, int64_t scan_id,
		      const int64_t *root_ids, size_t nr, uint64_t keep,
		      uint64_t rechecked);

#endif
