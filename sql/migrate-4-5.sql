-- wcindex schema migration 4 -> 5: the index over time.
--
-- Roots keep their settings, the device they were on and their state.
-- Every view goes (sql/views.sql puts them back).  Runs inside the
-- caller's transaction.

ALTER TABLE roots ADD COLUMN settings TEXT NOT NULL DEFAULT '';
ALTER TABLE roots ADD COLUMN dev INTEGER;
ALTER TABLE roots ADD COLUMN state TEXT NOT NULL DEFAULT 'ok';

DROP VIEW IF EXISTS last_scan;
DROP VIEW IF EXISTS errors;
DROP VIEW IF EXISTS totals_by_ext;
DROP VIEW IF EXISTS totals_by_dir;
DROP VIEW IF EXISTS totals_by_root;
DROP VIEW IF EXISTS files;
DROP VIEW IF EXISTS counted_entries;
DROP VIEW IF EXISTS flag_bits;
DROP VIEW IF EXISTS root_list;
