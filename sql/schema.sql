-- wcindex database schema, version 6 (PRAGMA user_version = 6): the tables.
--
-- Compiled into the binary; `wcindex` runs it, then sql/views.sql, on an
-- empty database and sets PRAGMA user_version and PRAGMA application_id
-- itself.  Older databases are brought up to date by sql/migrate-*.sql.  Paths and names are
-- stored as TEXT holding the exact bytes of the file name (they may be
-- invalid UTF-8 and may contain newlines); compare them with the BINARY
-- collation (the default).  Times are integer nanoseconds since the epoch.
--
-- Tables (written only by `wcindex scan`):
--   roots    one row per scanned root directory
--   dirs     every directory seen under a root
--   entries  one row per regular file and per archive member: metadata and counts
--   scans    one row per run of `wcindex scan`
--   scan_errors  every problem met during a scan (kept for the last scans)
--   meta     key/value settings of the database
--   changes      what each scan did to each file (the last 100 scans)
--   root_totals  the totals of each root after each scan
-- Views (sql/views.sql, for people writing SQL): flag_bits, counted_entries,
-- files, totals_by_root, totals_by_dir, totals_by_ext, totals_by_format,
-- errors, last_scan, root_list, history, file_changes.

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT
) WITHOUT ROWID;

CREATE TABLE roots (
	id           INTEGER PRIMARY KEY,
	path         TEXT NOT NULL UNIQUE,	-- absolute, canonical
	added_ns     INTEGER NOT NULL,
	last_scan_id INTEGER,			-- last scan that walked the whole root
	-- the root's counting and walking settings, one "key=value" per line
	-- in a fixed order (see wcindex(1), ROOTS): what a bare scan uses
	settings     TEXT NOT NULL DEFAULT '',
	dev          INTEGER,			-- st_dev of the root when last walked
	state        TEXT NOT NULL DEFAULT 'ok'	-- ok, vanished, held (see ROOTS)
);

CREATE TABLE dirs (
	id        INTEGER PRIMARY KEY,
	path      TEXT NOT NULL UNIQUE,	-- absolute, canonical, no trailing '/'
	parent    TEXT,			-- path of the parent; NULL for a root
	root_id   INTEGER NOT NULL REFERENCES roots(id),
	scan_id   INTEGER NOT NULL		-- scan that first saw it
);
CREATE INDEX dirs_by_parent ON dirs(parent);
CREATE INDEX dirs_by_root ON dirs(root_id);

-- One row per regular file (member = ''), and one per member of an archive
-- (member = its path inside the archive; nested levels joined by "!/",
-- with "!" runs before "/" or at a name's end doubled and an empty first
-- name written "!/": see wcindex(1), entries.member).
-- flags: 1 binary (NUL in the first 8 KiB), 2 not valid UTF-8,
--        4 racy (changed too close to the scan: recounted next time),
--        8 counted in --ascii mode, 16 an archive (its counts are NULL:
--        its members carry them), 32 a compressed file counted as what it
--        decompresses to, 64 a link member (never followed, no counts),
--        128 failed for good (a damaged archive or document, a limit
--        hit, an encrypted document, a worker crash on a retry of it):
--        retried only once it changes or with --retry-failed,
--        256 counted with --no-archives, 512 a
--        member name longer than 4 KiB, cut and marked, 1024 a document
--        counted as its bytes because its format's extraction is off
--        (see flag_bits).
-- format: what the row was counted as: 'text' (its bytes), 'archive' (a
--        container), or a document format whose text was counted:
--        'html', 'docx', 'pptx', 'odt', 'odp', 'epub', 'pdf' (with flag
--        1024, the format of a document counted as its bytes).
-- status: 'ok' (counted), 'error' (could not be read, or the archive or
--        document is damaged: see error), 'limit' (a limit was hit: the
--        counts, if any, are partial and left out of the totals),
--        'encrypted' (an encrypted document: no counts).
CREATE TABLE entries (
	id       INTEGER PRIMARY KEY,
	dir_id   INTEGER NOT NULL REFERENCES dirs(id),
	name     TEXT NOT NULL,
	member   TEXT NOT NULL DEFAULT '',	-- '' for the file itself
	ext      TEXT NOT NULL,		-- lowercased suffix after the last '.', or ''
	dev      INTEGER NOT NULL,	-- members: those of their archive
	ino      INTEGER NOT NULL,
	size     INTEGER NOT NULL,	-- st_size when the count started
	mtime_ns INTEGER NOT NULL,	-- members: as the archive declares it
	ctime_ns INTEGER NOT NULL,
	bytes    INTEGER,		-- bytes actually read and counted
	lines    INTEGER,
	words    INTEGER,
	chars    INTEGER,
	flags    INTEGER NOT NULL DEFAULT 0,
	status   TEXT NOT NULL,
	error    TEXT,
	scan_id  INTEGER NOT NULL,	-- scan that last counted it
	format   TEXT NOT NULL DEFAULT 'text',
	UNIQUE (dir_id, name, member)
);

CREATE TABLE scans (
	id              INTEGER PRIMARY KEY,
	started_ns      INTEGER NOT NULL,
	finished_ns     INTEGER,
	status          TEXT NOT NULL,	-- running, done, failed, interrupted, killed
	roots           TEXT NOT NULL,	-- the roots walked, one per line
	options         TEXT NOT NULL,	-- the roots' settings on one line, then full= jobs=
	files_seen      INTEGER NOT NULL DEFAULT 0,
	files_new       INTEGER NOT NULL DEFAULT 0,
	files_changed   INTEGER NOT NULL DEFAULT 0,
	files_unchanged INTEGER NOT NULL DEFAULT 0,
	files_deleted   INTEGER NOT NULL DEFAULT 0,
	files_failed    INTEGER NOT NULL DEFAULT 0,
	files_skipped   INTEGER NOT NULL DEFAULT 0,	-- fifos, sockets, devices, links
	bytes_read      INTEGER NOT NULL DEFAULT 0,
	words_read      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE scan_errors (
	id      INTEGER PRIMARY KEY,
	scan_id INTEGER NOT NULL REFERENCES scans(id),
	path    TEXT NOT NULL,
	-- walk, stat, open, read, worker, count, changed, archive, document,
	-- limit, guard, vanished, skipped, memory, checkpoint (see wcindex(1))
	stage   TEXT NOT NULL,
	errno   INTEGER,		-- the system error number, when there is one
	message TEXT NOT NULL
);
CREATE INDEX scan_errors_by_scan ON scan_errors(scan_id);

-- History (schema 5).  Each scan after a root's first records, per row of
-- entries, what it did: 'new', 'changed' (a recount that gave other
-- counts; one that gave the same is "rechecked" and recorded nowhere but
-- in scans.files_rechecked) or 'deleted'.  A root's first scan records one
-- 'first' row for the root instead (path = the root, new_* = its totals).
-- old_* and new_* are what the row added to the totals before and after:
-- NULL when it was not counted (absent, binary, an archive, a link, not
-- read).  Only the changes of the last 100 scans are kept (meta key
-- keep_history; `wcindex scan --keep-history N` sets it).
CREATE TABLE changes (
	id        INTEGER PRIMARY KEY,
	scan_id   INTEGER NOT NULL,
	root_id   INTEGER NOT NULL,
	path      TEXT NOT NULL,		-- the file on disk, absolute
	member    TEXT NOT NULL DEFAULT '',	-- as entries.member
	kind      TEXT NOT NULL,		-- new, changed, deleted, first
	old_lines INTEGER, old_words INTEGER, old_chars INTEGER, old_bytes INTEGER,
	new_lines INTEGER, new_words INTEGER, new_chars INTEGER, new_bytes INTEGER
);
CREATE INDEX changes_by_scan ON changes(scan_id);

-- The totals of each root a scan walked, taken after the scan (kept for
-- every scan: one row per root and scan), and how many of its files
-- (member = '') were new, changed and deleted.
CREATE TABLE root_totals (
	scan_id       INTEGER NOT NULL,
	root_id       INTEGER NOT NULL,
	files         INTEGER NOT NULL,
	lines         INTEGER NOT NULL,
	words         INTEGER NOT NULL,
	chars         INTEGER NOT NULL,
	bytes         INTEGER NOT NULL,
	files_new     INTEGER NOT NULL DEFAULT 0,
	files_changed INTEGER NOT NULL DEFAULT 0,
	files_deleted INTEGER NOT NULL DEFAULT 0,
	first         INTEGER NOT NULL DEFAULT 0,	-- the root's first scan
	PRIMARY KEY (root_id, scan_id)
) WITHOUT ROWID;

-- Files recounted whose counts came out the same (a racy file, a touched
-- one): not changes.  Added here, as by the migration, so that both
-- schemas have the same columns in the same order.
ALTER TABLE scans ADD COLUMN files_rechecked INTEGER NOT NULL DEFAULT 0;
-- One `wcindex scan` walks roots of different settings as several scans:
-- the later ones name the first in run_id (NULL: a run's first scan), so
-- that "what the last run did" is coalesce(run_id, id) of the last scan.
ALTER TABLE scans ADD COLUMN run_id INTEGER;
