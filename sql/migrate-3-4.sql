-- wcindex schema migration 3 -> 4: the flag name_cut (512).
--
-- No table changes: a member name too long to store is cut and marked,
-- and the view flag_bits names the new bit.  Every view goes here, since
-- they are written in terms of flag_bits; sql/views.sql puts them back.
-- Runs inside the caller's transaction.

DROP VIEW IF EXISTS last_scan;
DROP VIEW IF EXISTS errors;
DROP VIEW IF EXISTS totals_by_ext;
DROP VIEW IF EXISTS totals_by_dir;
DROP VIEW IF EXISTS totals_by_root;
DROP VIEW IF EXISTS files;
DROP VIEW IF EXISTS counted_entries;
DROP VIEW IF EXISTS flag_bits;
