/*
 * test_tally.c - unit tests of the rows of "wcindex total" (src/tally.c):
 * the order that puts every directory after what lies below it, and the
 * sorts by count and by name, both ways.  The per-directory breakdown,
 * which needs an index, is tested in test_store.c.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "tally.h"
#include "testmain.h"

static int cmp_str(const void *a, const void *b)
{
	return tally_path_cmp(*(char *const *)a, *(char *const *)b);
}

START_TEST(test_children_first)
{
	const char *paths[] = { "", "a", "a/b", "a-b", "a/b/c", "b", "ab",
				"a/a", "\xff", "a\x01" };
	const char *want[] = { "a/a", "a/b/c", "a/b", "a", "a\x01", "a-b",
			       "ab", "b", "\xff", "" };
	char *v[ARRAY_LEN(paths)];

	for (size_t i = 0; i < ARRAY_LEN(paths); i++)
		v[i] = (char *)paths[i];
	qsort(v, ARRAY_LEN(v), sizeof(*v), cmp_str);
	for (size_t i = 0; i < ARRAY_LEN(v); i++)
		ck_assert_str_eq(v[i], want[i]);
	ck_assert_int_eq(tally_path_cmp("x", "x"), 0);
}
END_TEST

static void add(struct tally *ty, const char *label, uint64_t words,
		uint64_t bytes)
{
	struct totals t = { 0 };

	t.words = words;
	t.bytes = bytes;
	t.files = 1;
	tally_add(ty, label, &t);
}

static void expect_order(struct tally *ty, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < tally_count(ty); i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", tally_row(ty, i)->label);
	ck_assert_str_eq(sb.buf, want);
	strbuf_release(&sb);
}

START_TEST(test_sorts)
{
	struct tally *ty = tally_new();

	add(ty, "b", 10, 5);
	add(ty, "a", 10, 50);
	add(ty, "c", 30, 1);
	add(ty, "d", 0, 0);
	expect_order(ty, "b a c d");		/* as added */
	tally_sort(ty, SORT_WORDS, 0);
	expect_order(ty, "c a b d");		/* ties by name */
	tally_sort(ty, SORT_WORDS, 1);
	expect_order(ty, "d b a c");
	tally_sort(ty, SORT_BYTES, 0);
	expect_order(ty, "a b c d");
	tally_sort(ty, SORT_NAME, 1);
	expect_order(ty, "d c b a");
	tally_sort(ty, SORT_FILES, 0);
	expect_order(ty, "a b c d");
	tally_free(ty);
}
END_TEST

static Suite *tally_suite(void)
{
	Suite *s = suite_create("tally");
	TCase *tc = add_tcase(s, "core", 0);

	tcase_add_test(tc, test_children_first);
	tcase_add_test(tc, test_sorts);
	return s;
}

int main(void)
{
	return run_suite(tally_suite());
}
