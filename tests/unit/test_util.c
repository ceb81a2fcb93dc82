/*
 * test_util.c - unit tests of the message helpers (src/util.c): what
 * error(), error_errno() and warning() write, byte for byte, when their
 * subject holds bytes that would drive a terminal (ESC sequences, BEL, CR,
 * LF, C1 controls, bytes that are not UTF-8), and that valid UTF-8 and
 * long messages pass unchanged; strbuf_vaddf() on long output.
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "strbuf.h"
#include "util.h"
#include "capture.h"
#include "testmain.h"

#define EXPECT_STDERR(call, want) do {					\
	struct capture cap_;						\
	struct strbuf err_ = STRBUF_INIT;				\
									\
	capture_start(&cap_);						\
	call;								\
	capture_end(&cap_, &err_);					\
	ck_assert_str_eq(err_.buf, (want));				\
	strbuf_release(&err_);						\
} while (0)

START_TEST(test_controls_escaped)
{
	static const char evil[] =
		"evil\033]0;pwned\a\033[2J\nline2\r\tx\x7f" "\xc2\x9b" "\xff";

	EXPECT_STDERR(error("cannot open '%s'", evil),
		      "wcindex: cannot open 'evil\\e]0;pwned\\007\\e[2J\\n"
		      "line2\\r\\tx\\177\\302\\233\\377'\n");
	errno = ENOENT;
	EXPECT_STDERR(error_errno("cannot open '%s'", "a\nb"),
		      "wcindex: cannot open 'a\\nb': No such file or directory\n");
	EXPECT_STDERR(warning("'%s'", "\x1b[31m"),
		      "wcindex: warning: '\\e[31m'\n");
}
END_TEST

START_TEST(test_text_kept)
{
	/* é, CJK, an emoji, U+00A0 (the first code point past the C1 range) */
	static const char text[] = "h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac "
				   "\xf0\x9f\x98\x80 \xc2\xa0 a\\b ~";
	struct strbuf want = STRBUF_INIT;

	strbuf_addf(&want, "wcindex: '%s'\n", text);
	EXPECT_STDERR(error("'%s'", text), want.buf);
	/* overlong and surrogate forms are not UTF-8 */
	EXPECT_STDERR(error("%s", "\xc0\xaf \xed\xa0\x80"),
		      "wcindex: \\300\\257 \\355\\240\\200\n");
	strbuf_release(&want);
}
END_TEST

START_TEST(test_long_message)
{
	struct strbuf long_name = STRBUF_INIT, want = STRBUF_INIT;

	for (int i = 0; i < 5000; i++)
		strbuf_addch(&long_name, i % 100 ? 'a' : '\n');
	/* cut at 4095 bytes, then escaped: it may grow, but stays whole */
	strbuf_addstr(&want, "wcindex: ");
	for (size_t i = 0; i < 4095 - strlen("wcindex: "); i++)
		strbuf_addstr(&want, i % 100 ? "a" : "\\n");
	strbuf_addch(&want, '\n');
	EXPECT_STDERR(error("%s", long_name.buf), want.buf);
	strbuf_release(&long_name);
	strbuf_release(&want);
}
END_TEST

static void vaddf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void vaddf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

START_TEST(test_strbuf_vaddf)
{
	struct strbuf sb = STRBUF_INIT;

	vaddf(&sb, "%s-%d", "x", 7);
	for (int i = 0; i < 1000; i++)
		vaddf(&sb, "%05d", i);
	ck_assert_uint_eq(sb.len, 3 + 5000);
	ck_assert_int_eq(memcmp(sb.buf, "x-700000", 8), 0);
	ck_assert_str_eq(sb.buf + sb.len - 5, "00999");
	strbuf_release(&sb);
}
END_TEST

/* Sizes: the suffixes of du(1), every overflow refused. */
START_TEST(test_parse_size)
{
	static const struct {
		const char *s;
		unsigned long want;	/* 0: refused */
	} cases[] = {
		{ "4096", 4096 }, { "1K", 1024 }, { "1k", 1024 },
		{ "1KiB", 1024 }, { "1KB", 1000 }, { "64M", 64ul << 20 },
		{ "1G", 1ul << 30 }, { "1GB", 1000000000 }, { "3T", 3ul << 40 },
		{ "15E", 15ul << 60 }, { "16E", 0 }, { "1EB", 1000000000000000000ul },
		{ "18446744073709551615", ULONG_MAX }, { "18446744073709551616", 0 },
		{ "", 0 }, { "G", 0 }, { "1.5G", 0 }, { "1g", 0 }, { "1Gi", 0 },
		{ "1GiBs", 0 }, { "-1", 0 }, { "+1", 0 }, { " 1", 0 }, { "1 G", 0 },
		{ "0", 0 }, { "1X", 0 }, { "17179869184G", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		unsigned long got = 7;
		int r = parse_size(cases[i].s, 1, ULONG_MAX, &got);

		if (cases[i].want) {
			ck_assert_msg(!r, "'%s' refused", cases[i].s);
			ck_assert_msg(got == cases[i].want, "'%s' gave %lu",
				      cases[i].s, got);
		} else {
			ck_assert_msg(r == -1 && got == 7, "'%s' accepted",
				      cases[i].s);
		}
	}
	ck_assert_int_eq(parse_size("2K", 1, 2047, &(unsigned long){ 0 }), -1);
}
END_TEST

static Suite *util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = add_tcase(s, "core", 0);

	tcase_add_test(tc, test_controls_escaped);
	tcase_add_test(tc, test_text_kept);
	tcase_add_test(tc, test_long_message);
	tcase_add_test(tc, test_strbuf_vaddf);
	tcase_add_test(tc, test_parse_size);
	return s;
}

int main(void)
{
	return run_suite(util_suite());
}
