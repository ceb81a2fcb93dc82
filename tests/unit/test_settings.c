/*
 * test_settings.c - unit tests of a root's settings (src/settings.c): the
 * written form reads back to the same settings, every key included and
 * exclude patterns with newlines and backslashes; a command line's
 * settings lie over stored ones field by field, and only those given;
 * the diff names exactly the lines that differ; a changed limit asks
 * archives to be counted again, a changed mode or exclude does not; and
 * what the database may hold that is not a setting is refused.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fstype.h"
#include "formats/format.h"
#include "settings.h"
#include "strbuf.h"
#include "testmain.h"

/* Settings with every field away from its default. */
static void odd_settings(struct root_settings *set)
{
	settings_default(set);
	set->ascii = set->follow = set->one_fs = set->no_archives = 1;
	set->limits.depth = 7;
	set->limits.member_bytes = 11;
	set->limits.total_bytes = 12;
	set->limits.ratio = 13;
	set->limits.members = 14;
	set->max_file_bytes = 15;
	ck_assert_int_eq(fstype_include(&set->include_fs, "mqueue"), 0);
	excludes_add(&set->ex, "*.md");
	excludes_add(&set->ex, "a\nb\\c=d");
	set->extract_off = FORMAT_BIT(FORMAT_PDF) | FORMAT_BIT(FORMAT_EPUB);
}

static void format(const struct root_settings *set, struct strbuf *sb)
{
	strbuf_reset(sb);
	settings_format(set, sb);
}

START_TEST(test_round_trip)
{
	struct root_settings a, b;
	struct strbuf ta = STRBUF_INIT, tb = STRBUF_INIT;

	for (int odd = 0; odd < 2; odd++) {
		if (odd)
			odd_settings(&a);
		else
			settings_default(&a);
		format(&a, &ta);
		settings_default(&b);
		ck_assert_int_eq(settings_parse(ta.buf, &b), 0);
		format(&b, &tb);
		ck_assert_str_eq(ta.buf, tb.buf);
		ck_assert_int_eq(b.ascii, a.ascii);
		ck_assert_uint_eq(b.limits.members, a.limits.members);
		ck_assert_uint_eq(b.include_fs, a.include_fs);
		ck_assert_uint_eq(b.extract_off, a.extract_off);
		ck_assert_uint_eq(b.ex.nr, a.ex.nr);
		for (size_t i = 0; i < a.ex.nr; i++)
			ck_assert_str_eq(b.ex.pat[i], a.ex.pat[i]);
		settings_release(&a);
		settings_release(&b);
	}
	/* one line per setting: a newline in a pattern is escaped */
	odd_settings(&a);
	format(&a, &ta);
	ck_assert_ptr_nonnull(strstr(ta.buf, "exclude=a\\nb\\\\c=d\n"));
	ck_assert_ptr_nonnull(strstr(ta.buf, "mode=ascii\n"));
	ck_assert_ptr_nonnull(strstr(ta.buf, "include-fs=mqueue\n"));
	ck_assert_ptr_nonnull(strstr(ta.buf, "no-extract=pdf\n"));
	ck_assert_ptr_nonnull(strstr(ta.buf, "no-extract=epub\n"));
	settings_release(&a);
	strbuf_release(&ta);
	strbuf_release(&tb);
}
END_TEST

START_TEST(test_overlay_only_given)
{
	struct root_settings stored, given, want;
	struct strbuf ts = STRBUF_INIT, tw = STRBUF_INIT;

	odd_settings(&stored);
	settings_unset(&given);
	ck_assert_int_eq(settings_any_given(&given), 0);
	settings_overlay(&stored, &given);
	odd_settings(&want);
	format(&stored, &ts);
	format(&want, &tw);
	ck_assert_str_eq(ts.buf, tw.buf);

	/* formats turned off add up; --extract turns some back on */
	given.extract_off = FORMAT_BIT(FORMAT_PDF);
	ck_assert_int_eq(settings_any_given(&given), 1);
	settings_overlay(&stored, &given);
	given.extract_off = FORMAT_BIT(FORMAT_DOCX);
	settings_overlay(&stored, &given);
	ck_assert_uint_eq(stored.extract_off, FORMAT_BIT(FORMAT_PDF) |
			  FORMAT_BIT(FORMAT_EPUB) | FORMAT_BIT(FORMAT_DOCX));
	given.extract_off = 0;
	given.extract_on = FORMAT_BIT(FORMAT_PDF);
	settings_overlay(&stored, &given);
	ck_assert_uint_eq(stored.extract_off, FORMAT_BIT(FORMAT_EPUB) |
			  FORMAT_BIT(FORMAT_DOCX));
	ck_assert_uint_eq(settings_formats(&stored) & FORMAT_BIT(FORMAT_DOCX), 0);
	given.extract_on = 0;

	/* each one given replaces the stored one, excludes as a list */
	stored.extract_off = want.extract_off;
	given.ascii = 0;
	given.limits.ratio = 99;
	excludes_add(&given.ex, "*.log");
	ck_assert_int_eq(settings_any_given(&given), 1);
	settings_overlay(&stored, &given);
	ck_assert_int_eq(stored.ascii, 0);
	ck_assert_int_eq(stored.follow, 1);
	ck_assert_uint_eq(stored.limits.ratio, 99);
	ck_assert_uint_eq(stored.limits.members, 14);
	ck_assert_uint_eq(stored.ex.nr, 1);
	ck_assert_str_eq(stored.ex.pat[0], "*.log");
	settings_release(&stored);
	settings_release(&given);
	settings_release(&want);
	strbuf_release(&ts);
	strbuf_release(&tw);
}
END_TEST

START_TEST(test_diff_and_recount)
{
	struct root_settings a, b;
	struct strbuf ta = STRBUF_INIT, tb = STRBUF_INIT, d = STRBUF_INIT;

	settings_default(&a);
	settings_default(&b);
	format(&a, &ta);
	ck_assert_int_eq(settings_diff(ta.buf, ta.buf, &d), 0);
	ck_assert_str_eq(d.buf, "");

	b.ascii = 1;
	excludes_add(&b.ex, "*.md");
	format(&b, &tb);
	ck_assert_int_eq(settings_diff(ta.buf, tb.buf, &d), 3);
	ck_assert_str_eq(d.buf, "-mode=utf8 +mode=ascii +exclude=*.md");
	/* the mode and excludes are the rows' and the walk's business */
	ck_assert_int_eq(settings_recount_archives(&a, &b), 0);
	b.limits.depth = 1;
	ck_assert_int_eq(settings_recount_archives(&a, &b), 1);
	b.limits.depth = a.limits.depth;
	b.max_file_bytes = 1;
	ck_assert_int_eq(settings_recount_archives(&a, &b), 1);
	settings_release(&a);
	settings_release(&b);
	strbuf_release(&ta);
	strbuf_release(&tb);
	strbuf_release(&d);
}
END_TEST

START_TEST(test_bad_text)
{
	static const char *const bad[] = {
		"color=red\n", "mode=latin1\n", "follow=yes\n", "nokey\n",
		"archive-depth=0\n", "archive-depth=5000000000\n",
		"max-ratio=-1\n", "max-ratio=12x\n", "include-fs=proc\n",
		"include-fs=nosuchfs\n", "=1\n", "no-extract=text\n",
		"no-extract=doc\n", "no-extract=\n",
	};
	struct root_settings set;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		settings_default(&set);
		ck_assert_msg(settings_parse(bad[i], &set) < 0, "'%s' accepted",
			      bad[i]);
		settings_release(&set);
	}
	/* keys left out keep the defaults; empty lines are nothing */
	settings_default(&set);
	ck_assert_int_eq(settings_parse("\nmode=ascii\n\n", &set), 0);
	ck_assert_int_eq(set.ascii, 1);
	ck_assert_uint_eq(set.limits.depth, 4);
	settings_release(&set);
}
END_TEST

static Suite *settings_suite(void)
{
	Suite *s = suite_create("settings");
	TCase *tc = add_tcase(s, "settings", 0);

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_overlay_only_given);
	tcase_add_test(tc, test_diff_and_recount);
	tcase_add_test(tc, test_bad_text);
	return s;
}

int main(void)
{
	return run_suite(settings_suite());
}
