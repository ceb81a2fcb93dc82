/*
 * test_change.c - unit tests of the recount rule (src/change.c).  Every
 * metadata field that differs between disk and index must give CHANGE_META;
 * a failed row CHANGE_FAILED, a racy one CHANGE_RACY, a row counted in the
 * other mode (either way) CHANGE_MODE, --full CHANGE_FULL, and an
 * identical row CHANGE_NONE.  When several reasons hold at once, the order
 * implemented in change_check() is pinned down: full, then metadata, then
 * failed, then racy, then mode.  The racy limit is checked at its
 * boundaries: a file whose mtime equals the limit is racy, one a
 * nanosecond older is not, and the margin is two seconds.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <string.h>

#include "change.h"
#include "count.h"
#include "formats/format.h"
#include "testmain.h"

static const struct file_meta base_meta = {
	.dev = 2049,
	.ino = 1234567,
	.size = 4096,
	.mtime_ns = 1700000000123456789LL,
	.ctime_ns = 1700000001987654321LL,
};

static void make_row(struct index_row *row, unsigned flags, int failed)
{
	memset(row, 0, sizeof(*row));
	row->id = 7;
	row->name = (char *)"file.txt";
	row->meta = base_meta;
	row->flags = flags;
	row->failed = failed;
}

/* ---------------------------------------------------------- meta ---- */

/* Change field number i of meta by a small amount. */
static void bump_field(struct file_meta *m, int i, int delta)
{
	switch (i) {
	case 0: m->dev += (uint64_t)delta; break;
	case 1: m->ino += (uint64_t)delta; break;
	case 2: m->size += (uint64_t)delta; break;
	case 3: m->mtime_ns += delta; break;
	case 4: m->ctime_ns += delta; break;
	}
}

static const char *const field_names[] = {
	"dev", "ino", "size", "mtime_ns", "ctime_ns"
};

/* Each field, up and down by one, on a row that is otherwise clean. */
START_TEST(test_each_field_is_meta)
{
	struct index_row row;

	make_row(&row, 0, 0);
	for (int delta = -1; delta <= 1; delta += 2) {
		struct file_meta disk = base_meta;

		bump_field(&disk, _i, delta);
		ck_assert_msg(change_check(&disk, &row, 0, 0, 0) == CHANGE_META,
			      "%s %+d not seen as a change", field_names[_i],
			      delta);
	}
}
END_TEST

/* A change in the high bits only (not just the low word). */
START_TEST(test_high_bits_are_meta)
{
	struct index_row row;
	struct file_meta disk;

	make_row(&row, 0, 0);
	disk = base_meta;
	disk.size ^= 1ull << 40;
	ck_assert_int_eq(change_check(&disk, &row, 0, 0, 0), CHANGE_META);
	disk = base_meta;
	disk.ino ^= 1ull << 63;
	ck_assert_int_eq(change_check(&disk, &row, 0, 0, 0), CHANGE_META);
	disk = base_meta;
	disk.mtime_ns += 1000000000LL;		/* same nanoseconds, other second */
	ck_assert_int_eq(change_check(&disk, &row, 0, 0, 0), CHANGE_META);
	disk = base_meta;
	disk.ctime_ns = -disk.ctime_ns;
	ck_assert_int_eq(change_check(&disk, &row, 0, 0, 0), CHANGE_META);
}
END_TEST

/* Metadata beats every flag on the row (but not --full). */
START_TEST(test_meta_beats_flags)
{
	static const unsigned flags[] = {
		0, ENTRY_F_RACY, ENTRY_F_ASCII, ENTRY_F_RACY | ENTRY_F_ASCII,
		COUNT_F_BINARY | COUNT_F_INVALID_UTF8 | ENTRY_F_RACY,
	};
	struct index_row row;

	for (size_t f = 0; f < ARRAY_LEN(flags); f++) {
		for (int failed = 0; failed <= 1; failed++) {
			struct file_meta disk = base_meta;

			make_row(&row, flags[f], failed);
			bump_field(&disk, _i, 1);
			/* mode 0 mismatches ASCII rows; ASCII mode the others */
			ck_assert_int_eq(change_check(&disk, &row, 0, 0, 0),
					 CHANGE_META);
			ck_assert_int_eq(change_check(&disk, &row, ENTRY_F_ASCII, 0, 0),
					 CHANGE_META);
			ck_assert_int_eq(change_check(&disk, &row, 0, 0, 1),
					 CHANGE_FULL);
		}
	}
}
END_TEST

/* -------------------------------------------------- other causes ---- */

START_TEST(test_unchanged)
{
	struct index_row row;

	make_row(&row, 0, 0);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0, 0), CHANGE_NONE);
	/* content flags do not matter */
	make_row(&row, COUNT_F_BINARY | COUNT_F_INVALID_UTF8, 0);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0, 0), CHANGE_NONE);
	/* an ASCII row in an ASCII scan */
	make_row(&row, ENTRY_F_ASCII | COUNT_F_BINARY, 0);
	ck_assert_int_eq(change_check(&base_meta, &row, ENTRY_F_ASCII, 0, 0),
			 CHANGE_NONE);
	/* only the ASCII bit of mode_flags is compared */
	make_row(&row, 0, 0);
	ck_assert_int_eq(change_check(&base_meta, &row,
				      COUNT_F_BINARY | ENTRY_F_RACY, 0, 0),
			 CHANGE_NONE);
}
END_TEST

START_TEST(test_failed)
{
	struct index_row row;

	make_row(&row, 0, 1);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0, 0), CHANGE_FAILED);
	/* any non-zero value means failed */
	make_row(&row, 0, 2);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0, 0), CHANGE_FAILED);
}
END_TEST

START_TEST(test_racy)
{
	struct index_row row;

	make_row(&row, ENTRY_F_RACY, 0);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0, 0), CHANGE_RACY);
	make_row(&row, ENTRY_F_RACY | ENTRY_F_ASCII, 0);
	ck_assert_int_eq(change_check(&base_meta, &row, ENTRY_F_ASCII, 0, 0),
			 CHANGE_RACY);
}
END_TEST

START_TEST(test_mode)
{
	struct index_row row;

	/* counted in UTF-8 mode, now ASCII */
	make_row(&row, 0, 0);
	ck_assert_int_eq(change_check(&base_meta, &row, ENTRY_F_ASCII, 0, 0),
			 CHANGE_MODE);
	/* counted in ASCII mode, now UTF-8 */
	make_row(&row, ENTRY_F_ASCII, 0);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0, 0), CHANGE_MODE);
	/* with content flags around it */
	make_row(&row, ENTRY_F_ASCII | COUNT_F_BINARY | COUNT_F_INVALID_UTF8, 0);
	ck_assert_int_eq(change_check(&base_meta, &row, COUNT_F_BINARY, 0, 0),
			 CHANGE_MODE);
}
END_TEST

START_TEST(test_full)
{
	struct index_row row;

	make_row(&row, 0, 0);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0, CHANGE_FORCE_ALL),
			 CHANGE_FULL);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0,
				      CHANGE_FORCE_ALL | CHANGE_FORCE_FAILED),
			 CHANGE_FULL);
	make_row(&row, ENTRY_F_RACY | ENTRY_F_ASCII, 1);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0, CHANGE_FORCE_ALL),
			 CHANGE_FULL);
	/* --retry-failed alone does not recount a file that is fine */
	make_row(&row, 0, 0);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0, CHANGE_FORCE_FAILED),
			 CHANGE_NONE);
}
END_TEST

/*
 * A file that failed for good (a damaged archive, a limit hit) is retried
 * only when it changes or with CHANGE_FORCE_FAILED; other failures always.
 */
START_TEST(test_failed_for_good)
{
	struct index_row row;
	struct file_meta other = base_meta;

	make_row(&row, ENTRY_F_NORETRY, 1);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0, 0), CHANGE_NONE);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0, CHANGE_FORCE_FAILED),
			 CHANGE_FAILED);
	other.mtime_ns++;
	ck_assert_int_eq(change_check(&other, &row, 0, 0, 0), CHANGE_META);
	make_row(&row, 0, 1);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0, 0), CHANGE_FAILED);
}
END_TEST

/* --no-archives is a counting option like --ascii: switching recounts. */
START_TEST(test_no_archives_mode)
{
	struct index_row row;

	make_row(&row, ENTRY_F_NOARCHIVES, 0);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0, 0), CHANGE_MODE);
	ck_assert_int_eq(change_check(&base_meta, &row, ENTRY_F_NOARCHIVES, 0, 0),
			 CHANGE_NONE);
	make_row(&row, ENTRY_F_ARCHIVE, 0);
	ck_assert_int_eq(change_check(&base_meta, &row, ENTRY_F_NOARCHIVES, 0, 0),
			 CHANGE_MODE);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0, 0), CHANGE_NONE);
}
END_TEST

/*
 * A document is recounted when its format's extraction is turned on (it
 * was counted as its bytes: raw) or off; plain text, archives and other
 * formats are not.
 */
START_TEST(test_format_switch)
{
	unsigned all = FORMAT_EXTRACTABLE;
	unsigned no_pdf = all & ~FORMAT_BIT(FORMAT_PDF);
	struct index_row row;

	make_row(&row, 0, 0);
	row.format = FORMAT_PDF;
	ck_assert_int_eq(change_format_differs(&row, all), 0);
	ck_assert_int_eq(change_format_differs(&row, no_pdf), 1);
	ck_assert_int_eq(change_format_differs(&row, 0), 1);
	row.flags = ENTRY_F_RAW;
	ck_assert_int_eq(change_format_differs(&row, all), 1);
	ck_assert_int_eq(change_format_differs(&row, no_pdf), 0);
	row.format = FORMAT_DOCX;
	ck_assert_int_eq(change_format_differs(&row, no_pdf), 1);
	for (int f = FORMAT_TEXT; f < FORMAT_NR; f += FORMAT_ARCHIVE) {
		row.format = f;
		for (unsigned raw = 0; raw <= ENTRY_F_RAW; raw += ENTRY_F_RAW) {
			row.flags = raw;
			ck_assert_int_eq(change_format_differs(&row, all), 0);
			ck_assert_int_eq(change_format_differs(&row, 0), 0);
		}
	}
}
END_TEST

/* With the metadata equal: failed > racy > mode. */
START_TEST(test_precedence)
{
	struct index_row row;

	make_row(&row, ENTRY_F_RACY, 1);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0, 0), CHANGE_FAILED);
	make_row(&row, ENTRY_F_ASCII, 1);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0, 0), CHANGE_FAILED);
	make_row(&row, ENTRY_F_RACY | ENTRY_F_ASCII, 1);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0, 0), CHANGE_FAILED);
	make_row(&row, ENTRY_F_RACY | ENTRY_F_ASCII, 0);
	ck_assert_int_eq(change_check(&base_meta, &row, 0, 0, 0), CHANGE_RACY);
	make_row(&row, ENTRY_F_RACY, 0);
	ck_assert_int_eq(change_check(&base_meta, &row, ENTRY_F_ASCII, 0, 0),
			 CHANGE_RACY);
}
END_TEST

/* The function reads its inputs only. */
START_TEST(test_inputs_untouched)
{
	struct index_row row, copy;
	struct file_meta disk = base_meta;

	make_row(&row, ENTRY_F_RACY, 1);
	copy = row;
	disk.size++;
	(void)change_check(&disk, &row, ENTRY_F_ASCII, 0, 0);
	ck_assert(!memcmp(&row, &copy, sizeof(row)));
	ck_assert_uint_eq(disk.size, base_meta.size + 1);
}
END_TEST

/* ---------------------------------------------------------- racy ---- */

START_TEST(test_racy_limit)
{
	int64_t start = 1700000000000000000LL;
	int64_t limit = change_racy_limit(start);

	ck_assert_int_eq(RACY_MARGIN_NS, 2000000000LL);
	ck_assert_int_eq(limit, start - 2000000000LL);
	ck_assert_int_eq(change_racy_limit(0), -2000000000LL);
	ck_assert_int_eq(change_racy_limit(2000000000LL), 0);
}
END_TEST

START_TEST(test_racy_boundaries)
{
	int64_t start = 1700000000500000000LL;
	int64_t limit = change_racy_limit(start);

	ck_assert(change_is_racy(limit, limit));	/* == limit: racy */
	ck_assert(!change_is_racy(limit - 1, limit));	/* 1 ns older: not */
	ck_assert(change_is_racy(limit + 1, limit));
	ck_assert(change_is_racy(start, limit));	/* written at the start */
	ck_assert(change_is_racy(start + 1000000000LL, limit));	/* future */
	ck_assert(change_is_racy(start - 1999999999LL, limit));
	ck_assert(!change_is_racy(start - 2000000001LL, limit));
	ck_assert(!change_is_racy(0, limit));
	ck_assert(!change_is_racy(-5, limit));		/* before 1970 */
}
END_TEST

static Suite *change_suite(void)
{
	Suite *s = suite_create("change");
	TCase *tc;

	tc = add_tcase(s, "meta", 0);
	tcase_add_loop_test(tc, test_each_field_is_meta, 0, 5);
	tcase_add_test(tc, test_high_bits_are_meta);
	tcase_add_loop_test(tc, test_meta_beats_flags, 0, 5);

	tc = add_tcase(s, "causes", 0);
	tcase_add_test(tc, test_unchanged);
	tcase_add_test(tc, test_format_switch);
	tcase_add_test(tc, test_failed);
	tcase_add_test(tc, test_racy);
	tcase_add_test(tc, test_mode);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_failed_for_good);
	tcase_add_test(tc, test_no_archives_mode);
	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_inputs_untouched);

	tc = add_tcase(s, "racy", 0);
	tcase_add_test(tc, test_racy_limit);
	tcase_add_test(tc, test_racy_boundaries);

	return s;
}

int main(void)
{
	return run_suite(change_suite());
}
