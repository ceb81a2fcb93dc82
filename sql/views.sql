-- wcindex database schema: the views, for people writing SQL.
--
-- Re-created by every migration, so they always match the tables.

-- Plain files and archive members together: path is the file on disk,
-- member the path inside it ('' for the file itself).
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
       (e.flags & 1) != 0 AS binary,
       (e.flags & 2) != 0 AS invalid_utf8,
       (e.flags & 16) != 0 AS archive,
       e.status, e.error, e.scan_id,
       r.path AS root
FROM entries e
JOIN dirs d ON d.id = e.dir_id
JOIN roots r ON r.id = d.root_id;

-- Totals views count text documents only: plain files and archive members
-- alike, but not binary files (flag 1), archives themselves (16: their
-- members are counted), links (64), or rows whose status is not 'ok'
-- (unreadable, damaged, or cut short by a limit); query `files` for those.
-- 81 = 1 | 16 | 64.
CREATE VIEW totals_by_root AS
SELECT r.path AS root, count(e.id) AS files,
       coalesce(sum(e.lines), 0) AS lines, coalesce(sum(e.words), 0) AS words,
       coalesce(sum(e.chars), 0) AS chars, coalesce(sum(e.bytes), 0) AS bytes
FROM roots r
LEFT JOIN dirs d ON d.root_id = r.id
LEFT JOIN entries e ON e.dir_id = d.id AND e.status = 'ok' AND (e.flags & 81) = 0
GROUP BY r.id;

CREATE VIEW totals_by_dir AS
SELECT d.path AS dir, count(e.id) AS files,
       sum(e.lines) AS lines, sum(e.words) AS words,
       sum(e.chars) AS chars, sum(e.bytes) AS bytes
FROM dirs d
JOIN entries e ON e.dir_id = d.id AND e.status = 'ok' AND (e.flags & 81) = 0
GROUP BY d.id;

CREATE VIEW totals_by_ext AS
SELECT e.ext AS ext, count(*) AS files,
       sum(e.lines) AS lines, sum(e.words) AS words,
       sum(e.chars) AS chars, sum(e.bytes) AS bytes
FROM entries e
WHERE e.status = 'ok' AND (e.flags & 81) = 0
GROUP BY e.ext;

CREATE VIEW errors AS
SELECT se.scan_id, se.path, se.stage, se.errno, se.message,
       datetime(s.started_ns / 1000000000, 'unixepoch') AS scan_started
FROM scan_errors se JOIN scans s ON s.id = se.scan_id;

CREATE VIEW last_scan AS
SELECT * FROM scans ORDER BY id DESC LIMIT 1;
