-- wcindex schema migration 2 -> 3: named flag bits and one totals rule.
--
-- No table changes: the views flag_bits and counted_entries are new, and
-- files and the totals views are now written in their terms.  The old
-- views go here; sql/views.sql puts the new ones in.  Runs inside the
-- caller's transaction.

DROP VIEW IF EXISTS files;
DROP VIEW IF EXISTS totals_by_root;
DROP VIEW IF EXISTS totals_by_dir;
DROP VIEW IF EXISTS totals_by_ext;
DROP VIEW IF EXISTS errors;
DROP VIEW IF EXISTS last_scan;
