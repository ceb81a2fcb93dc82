-- A database written by wcindex 0.1.0 at schema 3 (commit baaf0e1): a scan of
-- a small tree (a text file, an invalid UTF-8 file, a binary file, a .tar.gz
-- with a member excluded by --exclude '*.md'), dumped by sqlite3 .dump.
-- tests/migrate.sh loads it and checks that schema 5 keeps every row.
PRAGMA application_id = 2003003768;
PRAGMA user_version = 3;
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
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
INSERT INTO roots VALUES(1,'/tmp/fx3/t',1796632381017860569,1);
CREATE TABLE dirs (
	id        INTEGER PRIMARY KEY,
	path      TEXT NOT NULL UNIQUE,	-- absolute, canonical, no trailing '/'
	parent    TEXT,			-- path of the parent; NULL for a root
	root_id   INTEGER NOT NULL REFERENCES roots(id),
	scan_id   INTEGER NOT NULL		-- scan that first saw it
);
INSERT INTO dirs VALUES(1,'/tmp/fx3/t',NULL,1,1);
INSERT INTO dirs VALUES(2,'/tmp/fx3/t/sub','/tmp/fx3/t',1,1);
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
	UNIQUE (dir_id, name, member)
);
INSERT INTO entries VALUES(1,1,'pack.tar.gz','','gz',65024,11411538,157,1796632381005002842,1796632381005002842,NULL,NULL,NULL,NULL,20,'ok',NULL,1);
INSERT INTO entries VALUES(2,1,'pack.tar.gz','in/one.txt','txt',65024,11411538,14,1700000000000000000,1796632381005002842,14,1,3,14,0,'ok',NULL,1);
INSERT INTO entries VALUES(3,1,'pack.tar.gz','in/two.md','md',65024,11411538,7,1700000000000000000,1796632381005002842,7,1,2,7,0,'ok',NULL,1);
INSERT INTO entries VALUES(4,1,'a.txt','','txt',65024,11411506,27,1796632380896969942,1796632380896969942,27,2,5,26,4,'ok',NULL,1);
INSERT INTO entries VALUES(5,2,'b.txt','','txt',65024,11411522,12,1796632380896969942,1796632380896969942,12,1,3,11,6,'ok',NULL,1);
INSERT INTO entries VALUES(6,2,'blob.bin','','bin',65024,11411555,3000,1796632381010780830,1796632381010780830,3000,14,112,2870,7,'ok',NULL,1);
INSERT INTO entries VALUES(7,2,'locked.txt','','txt',65024,11411571,1,1796632381010780830,1796632381011813830,1,0,1,1,4,'ok',NULL,1);
CREATE TABLE scans (
	id              INTEGER PRIMARY KEY,
	started_ns      INTEGER NOT NULL,
	finished_ns     INTEGER,
	status          TEXT NOT NULL,	-- running, done, failed, interrupted, killed
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
INSERT INTO scans VALUES(1,1796632381017370108,1796632381025649546,'done','/tmp/fx3/t','mode=utf8 follow=0 one-file-system=0 full=0 jobs=2 archive-depth=4 max-member-bytes=1073741824 max-archive-bytes=4294967296 max-ratio=1000 max-members=100000 exclude=*.md',5,5,0,0,0,0,0,3061,126);
CREATE TABLE scan_errors (
	id      INTEGER PRIMARY KEY,
	scan_id INTEGER NOT NULL REFERENCES scans(id),
	path    TEXT NOT NULL,
	stage   TEXT NOT NULL,		-- walk, stat, open, read, type, worker, archive
	errno   INTEGER,		-- the system error number, when there is one
	message TEXT NOT NULL
);
CREATE INDEX dirs_by_parent ON dirs(parent);
CREATE INDEX dirs_by_root ON dirs(root_id);
CREATE INDEX scan_errors_by_scan ON scan_errors(scan_id);
CREATE VIEW flag_bits AS
SELECT 1 AS binary,		-- a NUL byte within the first 8 KiB
       2 AS invalid_utf8,	-- some byte was not valid UTF-8
       4 AS racy,		-- changed too close to the scan: recounted next time
       8 AS ascii,		-- counted with --ascii
       16 AS archive,		-- a container: its members are the rows that count
       32 AS compressed,	-- counted as what it decompresses to
       64 AS link,		-- a link inside an archive: never followed
       128 AS noretry,		-- failed for good: retried only once it changes
       256 AS noarchives
;
CREATE VIEW counted_entries AS
SELECT * FROM entries
WHERE status = 'ok'
  AND (flags & (SELECT binary | archive | link FROM flag_bits)) = 0;
CREATE VIEW files AS
SELECT e.id,
       CASE WHEN d.path = '/' THEN '/' || e.name
            ELSE d.path || '/' || e.name END AS path,
       e.member,
       d.path AS dir, e.name, e.ext,
       e.bytes, e.lines, e.words, e.chars,
       e.size, e.mtime_ns, e.ctime_ns, e.dev, e.ino,
       datetime(e.mtime_ns / 1000000000, 'unixepoch') AS mtime,
       e.flags,
       (e.flags & f.binary) != 0 AS binary,
       (e.flags & f.invalid_utf8) != 0 AS invalid_utf8,
       (e.flags & f.archive) != 0 AS archive,
       (e.flags & f.compressed) != 0 AS compressed,
       (e.flags & f.link) != 0 AS link,
       e.status, e.error, e.scan_id,
       r.path AS root
FROM entries e
JOIN dirs d ON d.id = e.dir_id
JOIN roots r ON r.id = d.root_id
CROSS JOIN flag_bits f;
CREATE VIEW totals_by_root AS
SELECT r.path AS root, count(e.id) AS files,
       coalesce(sum(e.lines), 0) AS lines, coalesce(sum(e.words), 0) AS words,
       coalesce(sum(e.chars), 0) AS chars, coalesce(sum(e.bytes), 0) AS bytes
FROM roots r
LEFT JOIN dirs d ON d.root_id = r.id
LEFT JOIN counted_entries e ON e.dir_id = d.id
GROUP BY r.id;
CREATE VIEW totals_by_dir AS
SELECT d.path AS dir, count(e.id) AS files,
       sum(e.lines) AS lines, sum(e.words) AS words,
       sum(e.chars) AS chars, sum(e.bytes) AS bytes
FROM dirs d
JOIN counted_entries e ON e.dir_id = d.id
GROUP BY d.id;
CREATE VIEW totals_by_ext AS
SELECT e.ext AS ext, count(*) AS files,
       sum(e.lines) AS lines, sum(e.words) AS words,
       sum(e.chars) AS chars, sum(e.bytes) AS bytes
FROM counted_entries e
GROUP BY e.ext;
CREATE VIEW errors AS
SELECT se.scan_id, se.path, se.stage, se.errno, se.message,
       datetime(s.started_ns / 1000000000, 'unixepoch') AS scan_started
FROM scan_errors se JOIN scans s ON s.id = se.scan_id;
CREATE VIEW last_scan AS
SELECT * FROM scans ORDER BY id DESC LIMIT 1;
COMMIT;
