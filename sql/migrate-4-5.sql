-- wcindex schema migration 4 -> 5: the index over time.
--
-- Roots keep their settings, the device they were on and their state.
-- Runs inside the caller's transaction, after migrate() in src/store.c
-- has dropped every view (sql/views.sql makes them again).

ALTER TABLE roots ADD COLUMN settings TEXT NOT NULL DEFAULT '';
ALTER TABLE roots ADD COLUMN dev INTEGER;
ALTER TABLE roots ADD COLUMN state TEXT NOT NULL DEFAULT 'ok';

-- A compressed file or member (flag 32) is counted as what it holds, and
-- takes the extension of its name without the compression suffix
-- ("ls.1.gz": "1"); wcindex_inner_ext() is the writer's own rule.
UPDATE entries SET ext = wcindex_inner_ext(name, member) WHERE flags & 32;

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
