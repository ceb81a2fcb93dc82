-- queries.sql - useful questions to ask a wcindex database.
--
-- Run them all with the sqlite3 shell:
--     sqlite3 -header -column demo.db < examples/queries.sql
-- or with `wcindex --db demo.db sql -f examples/queries.sql`, or paste a
-- single query into `wcindex --db demo.db sql "..."`.
--
-- Plain SQL only (no dot-commands), so any SQLite client can run the file.
-- The views used here (files, totals_by_root, totals_by_dir, totals_by_ext,
-- errors, history, file_changes) are defined in sql/views.sql, the tables
-- (roots, scans) in sql/schema.sql.  The totals views leave out binary
-- files, archives (their members count), links and files that could not be
-- read.  Times are shown in UTC.


-- Which 10 directories hold the most words?  (Only the files directly in
-- each directory are counted, not those of its subdirectories.)
SELECT dir, files, words, lines, chars, bytes
FROM totals_by_dir
ORDER BY words DESC, dir
LIMIT 10;


-- Which file extensions hold the most words, and how long is an average
-- file of each kind?  Files without an extension are shown as "(none)".
SELECT CASE WHEN ext = '' THEN '(none)' ELSE ext END AS ext,
       files, words, lines, chars, bytes,
       CAST(round(1.0 * words / files) AS INTEGER) AS words_per_file
FROM totals_by_ext
ORDER BY words DESC, ext
LIMIT 20;


-- How much text is under each scanned root, and when was it last walked?
SELECT t.root, t.files, t.words, t.lines, t.chars, t.bytes,
       datetime(s.started_ns / 1000000000, 'unixepoch') AS last_scan
FROM totals_by_root t
JOIN roots r ON r.path = t.root
LEFT JOIN scans s ON s.id = r.last_scan_id
ORDER BY t.words DESC, t.root;


-- What are the 10 longest documents (text files, by number of words)?
SELECT path, words, lines, chars, bytes, mtime
FROM files
WHERE status = 'ok' AND NOT binary
ORDER BY words DESC, path
LIMIT 10;


-- Which files did the last scan count, because they were new or had
-- changed since the scan before?
SELECT path, words, lines, bytes, mtime, status
FROM files
WHERE scan_id = (SELECT max(id) FROM scans)
ORDER BY path;


-- Which text files are not valid UTF-8 (legacy encodings such as Latin-1
-- or Windows-1252)?  Their invalid bytes are counted as one character each.
SELECT path, bytes, lines, words, chars, mtime
FROM files
WHERE status = 'ok' AND invalid_utf8 AND NOT binary
ORDER BY path;


-- Which files are binary (a NUL byte in their first 8 KiB)?  They are left
-- out of the totals views.
SELECT path, ext, size, mtime
FROM files
WHERE binary
ORDER BY size DESC, path;


-- What went wrong during the last scan?
SELECT path, stage, errno, message
FROM errors
WHERE scan_id = (SELECT max(id) FROM scans)
ORDER BY path, stage;


-- History of the scans: when each ran, how long it took and what it found.
-- elapsed_s is NULL for a scan that is still running or was killed.
SELECT id, status,
       datetime(started_ns / 1000000000, 'unixepoch') AS started,
       datetime(finished_ns / 1000000000, 'unixepoch') AS finished,
       round((finished_ns - started_ns) / 1e9, 2) AS elapsed_s,
       files_seen, files_new, files_changed, files_deleted, files_failed,
       bytes_read, words_read
FROM scans
ORDER BY id DESC;


-- Words added this week, per root: the change in its totals between its
-- last scan before the week and its last scan (from the history view).
SELECT root,
       sum(words_delta) AS words_added,
       sum(files_delta) AS files_added
FROM history
WHERE date >= datetime('now', '-7 days')
  AND first = 0
GROUP BY root
ORDER BY words_added DESC;


-- Files deleted last night (between 18:00 yesterday and 08:00 today, UTC),
-- with the counts they had.
SELECT date, path, member, old_lines, old_words, old_bytes
FROM file_changes
WHERE kind = 'deleted'
  AND date >= datetime('now', 'start of day', '-6 hours')
  AND date < datetime('now', 'start of day', '+8 hours')
ORDER BY date, path, member;
