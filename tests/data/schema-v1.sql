-- wcindex database schema, version 1 (PRAGMA user_version = 1).
--
-- Compiled into the binary; `wcindex` runs it on an empty database and sets
-- PRAGMA user_version and PRAGMA application_id itself.  Paths and names are
-- stored as TEXT holding the exact bytes of the file name (they may be
-- invalid UTF-8 and may contain newlines); compare them with the BINARY
-- collation (the default).  Times are integer nanoseconds since the epoch.
--
-- Tables (written only by `wcindex scan`):
--   roots    one row per scanned root directory
--   dirs     every directory seen under a root
--   entries  one row per regular file: metadata and counts
--   scans    one row per run of `wcindex scan`
--   scan_errors  every problem met during a scan (kept for the last scans)
--   meta     key/value settings of the database
-- Views (for people writing SQL): files, totals_by_root, totals_by_dir,
-- totals_by_ext, errors, last_scan.

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT
) WITHOUT ROWID;

CREATE TABLE roots (
	id           INTEGER PRIMARY KEY,
	path         TEXT NOT NULL UNIQUE,	-- absolute, canonical
	added_ns     INTEGER NOT NULL,
	last_scan_id INTEGER			-- last scan that walked the whole root
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

-- flags: 1 binary (NUL in the first 8 KiB), 2 not valid UTF-8,
--        4 racy (modified too close to the scan: recounted next time),
--        8 counted in --ascii mode.
-- status: 'ok' (counted), 'error' (could not be read: see error).
CREATE TABLE entries (
	id       INTEGER PRIMARY KEY,
	dir_id   INTEGER NOT NULL REFERENCES dirs(id),
	name     TEXT NOT NULL,
	ext      TEXT NOT NULL,		-- lowercased suffix after the last '.', or ''
	dev      INTEGER NOT NULL,
	ino      INTEGER NOT NULL,
	size     INTEGER NOT NULL,	-- st_size when the count started
	mtime_ns INTEGER NOT NULL,
	ctime_ns INTEGER NOT NULL,
	bytes    INTEGER,		-- bytes actually read and counted
	lines    INTEGER,
	words    INTEGER,
	chars    INTEGER,
	flags    INTEGER NOT NULL DEFAULT 0,
	status   TEXT NOT NULL,
	error    TEXT,
	scan_id  INTEGER NOT NULL,	-- scan that last counted it
	UNIQUE (dir_id, name)
);

CREATE TABLE scans (
	id              INTEGER PRIMARY KEY,
	started_ns      INTEGER NOT NULL,
	finished_ns     INTEGER,
	status          TEXT NOT NULL,	-- running, done, failed, interrupted
	roots           TEXT NOT NULL,	-- the roots walked, one per line
	options         TEXT NOT NULL,	-- counting and walking options in force
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
	stage   TEXT NOT NULL,		-- walk, stat, open, read, type, worker
	errno   INTEGER,		-- the system error number, when there is one
	message TEXT NOT NULL
);
CREATE INDEX scan_errors_by_scan ON scan_errors(scan_id);

CREATE VIEW files AS
SELECT e.id,
       CASE WHEN d.path = '/' THEN '/' || e.name
            ELSE d.path || '/' || e.name END AS path,
       d.path AS dir, e.name, e.ext,
       e.bytes, e.lines, e.words, e.chars,
       e.size, e.mtime_ns, e.ctime_ns, e.dev, e.ino,
       datetime(e.mtime_ns / 1000000000, 'unixepoch') AS mtime,
       e.flags,
       (e.flags & 1) != 0 AS binary,
       (e.flags & 2) != 0 AS invalid_utf8,
       e.status, e.error, e.scan_id,
       r.path AS root
FROM entries e
JOIN dirs d ON d.id = e.dir_id
JOIN roots r ON r.id = d.root_id;

-- Totals views count text files only: binary files (flag 1) and files that
-- could not be read are left out; query `files` to include them.
CREATE VIEW totals_by_root AS
SELECT r.path AS root, count(e.id) AS files,
       coalesce(sum(e.lines), 0) AS lines, coalesce(sum(e.words), 0) AS words,
       coalesce(sum(e.chars), 0) AS chars, coalesce(sum(e.bytes), 0) AS bytes
FROM roots r
LEFT JOIN dirs d ON d.root_id = r.id
LEFT JOIN entries e ON e.dir_id = d.id AND e.status = 'ok' AND (e.flags & 1) = 0
GROUP BY r.id;

CREATE VIEW totals_by_dir AS
SELECT d.path AS dir, count(e.id) AS files,
       sum(e.lines) AS lines, sum(e.words) AS words,
       sum(e.chars) AS chars, sum(e.bytes) AS bytes
FROM dirs d
JOIN entries e ON e.dir_id = d.id AND e.status = 'ok' AND (e.flags & 1) = 0
GROUP BY d.id;

CREATE VIEW totals_by_ext AS
SELECT e.ext AS ext, count(*) AS files,
       sum(e.lines) AS lines, sum(e.words) AS words,
       sum(e.chars) AS chars, sum(e.bytes) AS bytes
FROM entries e
WHERE e.status = 'ok' AND (e.flags & 1) = 0
GROUP BY e.ext;

CREATE VIEW errors AS
SELECT se.scan_id, se.path, se.stage, se.errno, se.message,
       datetime(s.started_ns / 1000000000, 'unixepoch') AS scan_started
FROM scan_errors se JOIN scans s ON s.id = se.scan_id;

CREATE VIEW last_scan AS
SELECT * FROM scans ORDER BY id DESC LIMIT 1;
