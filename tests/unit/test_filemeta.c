/*
 * test_filemeta.c - unit tests of the file identity (src/filemeta.c):
 * file_meta_diff() names exactly the fields that differ, one at a time and
 * all together, in the high bits as in the low ones, and says nothing of
 * two equal snapshots; file_meta_fill() takes every field from a struct
 * stat (times before 1970, sizes past 4 GiB) and from a real fstat(),
 * nanoseconds included.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filemeta.h"
#include "scratch.h"
#include "testmain.h"

static const struct file_meta base = {
	.dev = 2049,
	.ino = 1234567,
	.size = 4096,
	.mtime_ns = 1700000000123456789LL,
	.ctime_ns = 1700000001987654321LL,
};

/* Field i of m moved by delta; returns the bit that must report it. */
static unsigned bump(struct file_meta *m, int i, int64_t delta)
{
	switch (i) {
	case 0: m->dev += (uint64_t)delta; return FILE_META_DEV;
	case 1: m->ino += (uint64_t)delta; return FILE_META_INO;
	case 2: m->size += (uint64_t)delta; return FILE_META_SIZE;
	case 3: m->mtime_ns += delta; return FILE_META_MTIME;
	default: m->ctime_ns += delta; return FILE_META_CTIME;
	}
}

START_TEST(test_same_is_zero)
{
	struct file_meta copy = base;

	ck_assert_uint_eq(file_meta_diff(&base, &copy), 0);
	ck_assert_uint_eq(file_meta_diff(&copy, &base), 0);
}
END_TEST

/* Each field alone, up and down, low and high bits: only its own bit. */
START_TEST(test_each_field)
{
	static const int64_t deltas[] = { 1, -1, INT64_C(1) << 40,
					  -(INT64_C(1) << 40) };

	for (size_t d = 0; d < ARRAY_LEN(deltas); d++) {
		struct file_meta m = base;
		unsigned bit = bump(&m, _i, deltas[d]);

		ck_assert_uint_eq(file_meta_diff(&base, &m), bit);
		ck_assert_uint_eq(file_meta_diff(&m, &base), bit);
	}
}
END_TEST

/* Every combination of fields: the union of their bits. */
START_TEST(test_every_combination)
{
	for (unsigned set = 0; set < 32; set++) {
		struct file_meta m = base;
		unsigned want = 0;

		for (int i = 0; i < 5; i++)
			if (set & (1u << i))
				want |= bump(&m, i, 3);
		ck_assert_uint_eq(file_meta_diff(&base, &m), want);
	}
}
END_TEST

/* Every field from a struct stat, nanoseconds, big sizes, times before 1970. */
START_TEST(test_fill_synthetic)
{
	struct file_meta meta;
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_dev = 0x801;
	st.st_ino = 123456789;
	st.st_size = 5000000000LL;
	st.st_mtim.tv_sec = 1700000000;
	st.st_mtim.tv_nsec = 999999999;
	st.st_ctim.tv_sec = -2;			/* before 1970 */
	st.st_ctim.tv_nsec = 500000000;
	file_meta_fill(&meta, &st);
	ck_assert_uint_eq(meta.dev, 0x801);
	ck_assert_uint_eq(meta.ino, 123456789);
	ck_assert_uint_eq(meta.size, 5000000000ULL);
	ck_assert_int_eq(meta.mtime_ns, 1700000000999999999LL);
	ck_assert_int_eq(meta.ctime_ns, -1500000000LL);
}
END_TEST

START_TEST(test_fill_from_fstat)
{
	const char *path = scratch_path("f");
	struct timespec times[2] = { { 1000000000, 123456789 },
				     { 1200000000, 987654321 } };
	struct file_meta m, again;
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "hello\n", 6), 6);
	ck_assert_int_eq(futimens(fd, times), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	file_meta_fill(&m, &st);
	ck_assert_uint_eq(m.dev, (uint64_t)st.st_dev);
	ck_assert_uint_eq(m.ino, (uint64_t)st.st_ino);
	ck_assert_uint_eq(m.size, 6);
	ck_assert_int_eq(m.mtime_ns, INT64_C(1200000000987654321));
	ck_assert_int_eq(m.ctime_ns, (int64_t)st.st_ctim.tv_sec * 1000000000 +
			 st.st_ctim.tv_nsec);
	/* the same file unchanged, then appended to */
	ck_assert_int_eq(fstat(fd, &st), 0);
	file_meta_fill(&again, &st);
	ck_assert_uint_eq(file_meta_diff(&m, &again), 0);
	ck_assert_int_eq(write(fd, "x", 1), 1);
	ck_assert_int_eq(fstat(fd, &st), 0);
	file_meta_fill(&again, &st);
	ck_assert_uint_ne(file_meta_diff(&m, &again) & FILE_META_SIZE, 0);
	close(fd);
}
END_TEST

static Suite *filemeta_suite(void)
{
	Suite *s = suite_create("filemeta");
	TCase *tc = add_tcase(s, "diff", 0);

	tcase_add_test(tc, test_same_is_zero);
	tcase_add_loop_test(tc, test_each_field, 0, 5);
	tcase_add_test(tc, test_every_combination);
	tc = add_tcase(s, "fill", 0);
	scratch_fixtures(tc, "test_filemeta", NULL, NULL);
	tcase_add_test(tc, test_fill_synthetic);
	tcase_add_test(tc, test_fill_from_fstat);
	return s;
}

int main(void)
{
	return run_suite(filemeta_suite());
}
