-- wcindex schema migration 1 -> 2: archive members.
--
-- entries gains `member` and its UNIQUE key becomes (dir_id, name, member).
-- SQLite cannot change a UNIQUE constraint in place, so the table is
-- rebuilt; the views go first (they name it) and sql/views.sql puts them
-- back.  Runs inside the caller's transaction.

DROP VIEW IF EXISTS files;
DROP VIEW IF EXISTS totals_by_root;
DROP VIEW IF EXISTS totals_by_dir;
DROP VIEW IF EXISTS totals_by_ext;
DROP VIEW IF EXISTS errors;
DROP VIEW IF EXISTS last_scan;

CREATE TABLE entries_v2 (
	id       INTEGER PRIMARY KEY,
	dir_id   INTEGER NOT NULL REFERENCES dirs(id),
	name     TEXT NOT NULL,
	member   TEXT NOT NULL DEFAULT '',
	ext      TEXT NOT NULL,
	dev      INTEGER NOT NULL,
	ino      INTEGER NOT NULL,
	size     INTEGER NOT NULL,
	mtime_ns INTEGER NOT NULL,
	ctime_ns INTEGER NOT NULL,
	bytes    INTEGER,
	lines    INTEGER,
	words    INTEGER,
	chars    INTEGER,
	flags    INTEGER NOT NULL DEFAULT 0,
	status   TEXT NOT NULL,
	error    TEXT,
	scan_id  INTEGER NOT NULL,
	UNIQUE (dir_id, name, member)
);
INSERT INTO entries_v2 (id, dir_id, name, member, ext, dev, ino, size,
		       mtime_ns, ctime_ns, bytes, lines, words, chars, flags,
		       status, error, scan_id)
SELECT id, dir_id, name, '', ext, dev, ino, size, mtime_ns, ctime_ns, bytes,
       lines, words, chars, flags, status, error, scan_id
FROM entries;
DROP TABLE entries;
ALTER TABLE entries_v2 RENAME TO entries;

-- Version 1 counted every file as plain bytes, as --no-archives does now:
-- say so for the rows that may be archives (binary or not UTF-8), so that
-- the next scan looks inside them once.
UPDATE entries SET flags = flags | 256 WHERE flags & 3;
