-- wcindex database schema: the views, for people writing SQL.
--
-- Re-created by every migration, so they always match the tables.

-- The bits of entries.flags, by name: `SELECT path FROM files, flag_bits f
-- WHERE flags & f.compressed`.  src/entry.h defines the same bits for C
-- (test_store checks that both agree, bit by bit).
CREATE VIEW flag_bits AS
SELECT 1 AS binary,		-- a NUL byte within the first 8 KiB
       2 AS invalid_utf8,	-- some byte was not valid UTF-8
       4 AS racy,		-- changed too close to the scan: recounted next time
       8 AS ascii,		-- counted with --ascii
       16 AS archive,		-- a container: its members are the rows that count
       32 AS compressed,	-- counted as what it decompresses to
       64 AS link,		-- a link inside an archive: never followed
       128 AS noretry,		-- failed for good: retried only once it changes
       256 AS noarchives,	-- counted with --no-archives
       512 AS name_cut,	-- a member name too long to store: cut, marked
       1024 AS raw;		-- a document counted as its bytes: its format's extraction is off

-- The totals rule: a row counts in a total when it was read (status 'ok')
-- and is text of its own: not binary, not an archive (its members count),
-- not a link.  Query `files` for the rows left out.  entry_in_totals() in
-- src/entry.h is the same rule for C (test_store checks that both agree).
CREATE VIEW counted_entries AS
SELECT * FROM entries
WHERE status = 'ok'
  AND (flags & (SELECT binary | archive | link FROM flag_bits)) = 0;

-- Plain files and archive members together: path is the file on disk,
-- member the path inside it ('' for the file itself).
CREATE VIEW files AS
SELECT e.id,
       CASE WHEN d.path = '/' THEN '/' || e.name
            ELSE d.path || '/' || e.name END AS path,
       e.member,
       d.path AS dir, e.name, e.ext, e.format,
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

-- Totals: the rows of counted_entries, by root, directory and extension.
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

-- What the counted rows were counted as: 'text' for files counted as
-- their bytes, a document format for those counted as their text.
CREATE VIEW totals_by_format AS
SELECT e.format AS format, count(*) AS files,
       sum(e.lines) AS lines, sum(e.words) AS words,
       sum(e.chars) AS chars, sum(e.bytes) AS bytes
FROM counted_entries e
GROUP BY e.format;

CREATE VIEW errors AS
SELECT se.scan_id, se.path, se.stage, se.errno, se.message,
       datetime(s.started_ns / 1000000000, 'unixepoch') AS scan_started
FROM scan_errors se JOIN scans s ON s.id = se.scan_id;

CREATE VIEW last_scan AS
SELECT * FROM scans ORDER BY id DESC LIMIT 1;

-- One row per root: its state (ok; vanished: the directory is gone, its
-- rows kept until `wcindex forget`; held: the last scan found it on
-- another device or empty, and deleted nothing), what it holds, when it
-- was last walked whole, and the settings a bare scan walks it with.
-- `wcindex roots` prints it.
CREATE VIEW root_list AS
SELECT r.path AS root, r.state, t.files, t.words, t.bytes,
       r.last_scan_id AS last_scan,
       datetime(s.finished_ns / 1000000000, 'unixepoch') AS last_scan_at,
       replace(rtrim(r.settings, char(10)), char(10), ' ') AS settings
FROM roots r
JOIN totals_by_root t ON t.root = r.path
LEFT JOIN scans s ON s.id = r.last_scan_id
ORDER BY r.path;

-- History: the totals of each root after each scan that walked it, and the
-- change since the scan of that root before (the first: from nothing).
-- Growth over time: `SELECT date, words FROM history WHERE root = '/x'`.
CREATE VIEW history AS
SELECT t.scan_id,
       datetime(s.started_ns / 1000000000, 'unixepoch') AS date,
       r.path AS root,
       t.files, t.lines, t.words, t.chars, t.bytes,
       t.files - coalesce(lag(t.files) OVER w, 0) AS files_delta,
       t.lines - coalesce(lag(t.lines) OVER w, 0) AS lines_delta,
       t.words - coalesce(lag(t.words) OVER w, 0) AS words_delta,
       t.chars - coalesce(lag(t.chars) OVER w, 0) AS chars_delta,
       t.bytes - coalesce(lag(t.bytes) OVER w, 0) AS bytes_delta,
       t.files_new AS new, t.files_changed AS changed,
       t.files_deleted AS deleted, t.first
FROM root_totals t
JOIN scans s ON s.id = t.scan_id
JOIN roots r ON r.id = t.root_id
WINDOW w AS (PARTITION BY t.root_id ORDER BY t.scan_id);

-- One row per recorded change (see the changes table), with the date of
-- its scan, its root and the deltas (new - old, a NULL side counting 0).
CREATE VIEW file_changes AS
SELECT c.id, c.scan_id,
       datetime(s.started_ns / 1000000000, 'unixepoch') AS date,
       c.kind, c.path, c.member, r.path AS root,
       c.old_lines, c.old_words, c.old_chars, c.old_bytes,
       c.new_lines, c.new_words, c.new_chars, c.new_bytes,
       coalesce(c.new_lines, 0) - coalesce(c.old_lines, 0) AS lines_delta,
       coalesce(c.new_words, 0) - coalesce(c.old_words, 0) AS words_delta,
       coalesce(c.new_chars, 0) - coalesce(c.old_chars, 0) AS chars_delta,
       coalesce(c.new_bytes, 0) - coalesce(c.old_bytes, 0) AS bytes_delta
FROM changes c
JOIN scans s ON s.id = c.scan_id
LEFT JOIN roots r ON r.id = c.root_id;
