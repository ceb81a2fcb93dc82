-- wcindex schema migration 5 -> 6: documents counted as their text.
--
-- Runs inside the caller's transaction, after migrate() in src/store.c
-- has dropped every view (sql/views.sql makes them again).

-- What each row was counted as: 'text' (its bytes), 'archive' (a
-- container), or the document format whose text was counted ('html',
-- 'docx', 'pptx', 'odt', 'odp', 'epub', 'pdf').
ALTER TABLE entries ADD COLUMN format TEXT NOT NULL DEFAULT 'text';
UPDATE entries SET format = 'archive' WHERE flags & 16;

-- Files that may be documents were counted as their bytes: the next scan
-- counts them again (flag 4, racy, makes it), as it would after a change
-- of settings.  That is every file of a document's extension, every
-- archive and compressed file (their members may be documents), and no
-- other: a scan after the upgrade opens only those.
UPDATE entries SET flags = flags | 4
WHERE member = '' AND (flags & 48 OR ext IN ('html', 'htm', 'xhtml', 'xht',
	'shtml', 'docx', 'docm', 'dotx', 'dotm', 'pptx', 'pptm', 'potx',
	'potm', 'ppsx', 'ppsm', 'odt', 'ott', 'odp', 'otp', 'epub', 'pdf'));
