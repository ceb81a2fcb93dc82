/*
 * test_entry.c - unit tests of the row flags and the totals rule
 * (src/entry.h) against their SQL spelling (sql/views.sql): every flag bit
 * of C is a column of the view flag_bits with the same value and every
 * column of flag_bits is a C bit; the rule entry_in_totals() holds the rows
 * the view counted_entries holds, for every combination of flags and
 * status; store_totals() sums exactly those rows (binary ones too when
 * asked); and the rule itself is pinned by hand, so that C and SQL cannot
 * agree on a wrong rule.
 */
#include "config.h"

#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

#include "entry.h"
#include "store.h"
#include "scratch.h"
#include "testmain.h"

#define NFLAGS 2048	/* every combination of the eleven flag bits */

static const char *const statuses[] = { "ok", "error", "limit" };

static struct store *st;

static void setup(void)
{
	st = store_open(scratch_path("index.db"), STORE_CREATE);
	ck_assert_ptr_nonnull(st);
}

static void teardown(void)
{
	store_close(st);
}

static int64_t sql_int(const char *sql)
{
	sqlite3_stmt *stmt;
	int64_t v;

	ck_assert_int_eq(sqlite3_prepare_v2(store_handle(st), sql, -1, &stmt,
					    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

static void sql_exec(const char *sql)
{
	ck_assert_int_eq(sqlite3_exec(store_handle(st), sql, NULL, NULL, NULL),
			 SQLITE_OK);
}

/* words of the row for (flags, status): distinct powers, to see which summed */
static uint64_t row_words(unsigned flags, size_t status)
{
	return (uint64_t)(flags * 3 + status) + 1;
}

/* One file row for every combination of flags and status, in /r. */
static void fill_rows(void)
{
	char sql[256];

	sql_exec("INSERT INTO roots(id, path, added_ns) VALUES (1, '/r', 0);"
		 "INSERT INTO dirs(id, path, parent, root_id, scan_id)"
		 " VALUES (1, '/r', NULL, 1, 1); BEGIN");
	for (unsigned f = 0; f < NFLAGS; f++)
		for (size_t s = 0; s < 3; s++) {
			snprintf(sql, sizeof(sql), "INSERT INTO entries(dir_id,"
				 " name, ext, dev, ino, size, mtime_ns, ctime_ns,"
				 " bytes, lines, words, chars, flags, status,"
				 " scan_id) VALUES (1, 'f%u.%s', 'txt', 1, 1, 1, 0,"
				 " 0, 1, 1, %" PRIu64 ", 1, %u, '%s', 1)", f,
				 statuses[s], row_words(f, s), f, statuses[s]);
			sql_exec(sql);
		}
	sql_exec("COMMIT");
}

/* C bit -> flag_bits column, and every flag_bits column -> a C bit. */
START_TEST(test_flag_bits_agree)
{
	sqlite3_stmt *stmt;
	unsigned named = 0;
	char sql[128];

	for (unsigned bit = 1; bit; bit <<= 1) {
		const char *name = entry_flag_name(bit);

		if (!name)
			continue;
		snprintf(sql, sizeof(sql), "SELECT %s FROM flag_bits", name);
		ck_assert_msg(sql_int(sql) == (int64_t)bit,
			      "flag_bits.%s is not %#x", name, bit);
		named |= bit;
	}
	/* every bit a flag of C uses has a name */
	ck_assert_uint_eq(named, ENTRY_F_BINARY | ENTRY_F_INVALID_UTF8 |
			  ENTRY_F_RACY | ENTRY_F_ASCII | ENTRY_F_ARCHIVE |
			  ENTRY_F_COMPRESSED | ENTRY_F_LINK | ENTRY_F_NORETRY |
			  ENTRY_F_NOARCHIVES | ENTRY_F_NAME_CUT | ENTRY_F_RAW);
	ck_assert_uint_eq(NFLAGS - 1, named);
	ck_assert_int_eq(sqlite3_prepare_v2(store_handle(st),
					    "SELECT * FROM flag_bits", -1,
					    &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	for (int c = 0; c < sqlite3_column_count(stmt); c++) {
		unsigned bit = (unsigned)sqlite3_column_int(stmt, c);
		const char *name = entry_flag_name(bit);

		ck_assert_msg(name && !strcmp(name, sqlite3_column_name(stmt, c)),
			      "flag_bits.%s (%#x) is not a flag of entry.h",
			      sqlite3_column_name(stmt, c), bit);
	}
	sqlite3_finalize(stmt);
}
END_TEST

/* The rule, by hand: what must and must not count. */
START_TEST(test_rule_pinned)
{
	ck_assert(entry_in_totals(0, 1, 0));
	ck_assert(entry_in_totals(ENTRY_F_RACY | ENTRY_F_ASCII |
				  ENTRY_F_COMPRESSED | ENTRY_F_INVALID_UTF8 |
				  ENTRY_F_NORETRY | ENTRY_F_NOARCHIVES |
				  ENTRY_F_NAME_CUT, 1, 0));
	ck_assert(!entry_in_totals(0, 0, 0));
	ck_assert(!entry_in_totals(0, 0, 1));
	ck_assert(!entry_in_totals(ENTRY_F_BINARY, 1, 0));
	ck_assert(entry_in_totals(ENTRY_F_BINARY, 1, 1));
	ck_assert(!entry_in_totals(ENTRY_F_ARCHIVE, 1, 0));
	ck_assert(!entry_in_totals(ENTRY_F_ARCHIVE, 1, 1));
	ck_assert(!entry_in_totals(ENTRY_F_LINK, 1, 0));
	ck_assert(!entry_in_totals(ENTRY_F_LINK, 1, 1));
}
END_TEST

/* counted_entries holds exactly the rows entry_in_totals() counts. */
START_TEST(test_view_agrees)
{
	char sql[160];

	fill_rows();
	for (unsigned f = 0; f < NFLAGS; f++)
		for (size_t s = 0; s < 3; s++) {
			int want = entry_in_totals(f, s == 0, 0);

			snprintf(sql, sizeof(sql), "SELECT count(*) FROM "
				 "counted_entries WHERE name = 'f%u.%s'", f,
				 statuses[s]);
			ck_assert_msg(sql_int(sql) == want, "flags %#x status "
				      "%s: view %s, C %s", f, statuses[s],
				      want ? "leaves it out" : "counts it",
				      want ? "counts it" : "leaves it out");
		}
}
END_TEST

/* store_totals() and every totals view sum what the C rule says. */
START_TEST(test_totals_agree)
{
	uint64_t want[2] = { 0, 0 }, files[2] = { 0, 0 }, binary = 0;
	struct totals t;

	fill_rows();
	for (unsigned f = 0; f < NFLAGS; f++)
		for (size_t s = 0; s < 3; s++) {
			for (int b = 0; b < 2; b++)
				if (entry_in_totals(f, s == 0, b)) {
					want[b] += row_words(f, s);
					files[b]++;
				}
			binary += !!(f & ENTRY_F_BINARY);
		}
	for (int b = 0; b < 2; b++) {
		ck_assert_int_eq(store_totals(st, "/r", b, &t), 1);
		ck_assert_uint_eq(t.words, want[b]);
		ck_assert_uint_eq(t.lines, files[b]);
		ck_assert_uint_eq(t.binary, binary);
		ck_assert_uint_eq(t.failed, 2 * NFLAGS);
	}
	ck_assert_int_eq(sql_int("SELECT words FROM totals_by_root"), want[0]);
	ck_assert_int_eq(sql_int("SELECT files FROM totals_by_root"), files[0]);
	ck_assert_int_eq(sql_int("SELECT words FROM totals_by_dir"), want[0]);
	ck_assert_int_eq(sql_int("SELECT words FROM totals_by_ext"), want[0]);
}
END_TEST

static Suite *entry_suite(void)
{
	Suite *s = suite_create("entry");
	TCase *tc = add_tcase(s, "rule", 0);

	scratch_fixtures(tc, "test_entry", setup, teardown);
	tcase_add_test(tc, test_flag_bits_agree);
	tcase_add_test(tc, test_rule_pinned);
	tcase_add_test(tc, test_view_agrees);
	tcase_add_test(tc, test_totals_agree);
	return s;
}

int main(void)
{
	return run_suite(entry_suite());
}
