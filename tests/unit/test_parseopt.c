/*
 * test_parseopt.c - unit tests of the option tables (src/parseopt.c).  One
 * table holds every kind of option; each test parses a command line with
 * it and checks the targets, the operands left, what went to stdout and
 * stderr, and the return value.  Numbers are tried at both ends of their
 * range, one past each end, and with what is not a number; an optional
 * argument with and without its value; a callback that accepts and one
 * that refuses; unknown options and missing arguments (getopt's own
 * messages, then the help); hidden options, accepted but not in the help;
 * and the help itself: every visible option exactly once, in one column.
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "parseopt.h"
#include "strbuf.h"
#include "testmain.h"
#include "util.h"

static struct targets {
	int flag, mode, waiting;
	unsigned num, secs, wait;
	uint64_t big;
	const char *str, *secret;
	struct strbuf added;
} t;

/* --add WORD: collects "WORD;", refuses "fail". */
static int add_word(const struct parseopt *o, const char *arg)
{
	struct strbuf *sb = o->value;

	if (!strcmp(arg, "fail"))
		return error("cannot add '%s'", arg);
	strbuf_addstr(sb, arg);
	strbuf_addch(sb, ';');
	return 0;
}

static const char usage[] = "usage: cmd [options] [ARG...]\n  a second line\n";

static const struct parseopt options[] = {
	OPT_BOOL('f', "flag", &t.flag, "a flag"),
	OPT_SET_INT(0, "mode-a", &t.mode, 1, "the first mode"),
	OPT_SET_INT(0, "mode-b", &t.mode, 2, "the second mode"),
	OPT_UINT('n', "num", &t.num, 3, 10, "N", "a number from 3 to 10"),
	OPT_SECONDS(0, "secs", &t.secs, 1, 86400, "N", "some seconds"),
	OPT_U64(0, "big", &t.big, 1, ULONG_MAX, "N", "any positive number"),
	OPT_STRING('s', "str", &t.str, "TEXT", "a string"),
	OPT_CALLBACK('a', "add", &t.added, "WORD", "add a word", add_word),
	OPT_SECONDS_OPTARG("wait", &t.wait, &t.waiting, 1, 31536000,
			   "SECONDS", "wait, at most SECONDS"),
	OPT_HIDDEN_STRING("secret", &t.secret, "PATH"),
	OPT_GLOBAL("db", "FILE", "the database"),
	OPT_END(),
};

/* What the last parse() did. */
static int rc, nargs;
static char **args;
static struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
static char *argv_buf[32];

/* The arguments of the last parse, freed before the next and at the end. */
static void free_argv(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(argv_buf) && argv_buf[i]; i++) {
		free(argv_buf[i]);
		argv_buf[i] = NULL;
	}
}

static void setup(void)
{
	memset(&t, 0, sizeof(t));
	strbuf_init(&t.added, 0);
	strbuf_reset(&out);
	strbuf_reset(&err);
}

static void teardown(void)
{
	free_argv();
	strbuf_release(&t.added);
}

/* Parse "cmd" and the arguments up to NULL with the table opts. */
static int parse_with(const struct parseopt *opts, const char *arg, ...)
{
	struct capture cap;
	FILE *tmp = tmpfile();
	int saved = dup(1), n = 0;
	char buf[1024];
	size_t len;
	va_list ap;

	free_argv();
	argv_buf[n++] = xstrdup("cmd");
	va_start(ap, arg);
	for (; arg; arg = va_arg(ap, const char *)) {
		ck_assert_int_lt(n, (int)ARRAY_SIZE(argv_buf) - 1);
		argv_buf[n++] = xstrdup(arg);
	}
	va_end(ap);
	argv_buf[n] = NULL;
	nargs = n;
	args = argv_buf;

	ck_assert_ptr_nonnull(tmp);
	fflush(stdout);
	ck_assert_int_ge(dup2(fileno(tmp), 1), 0);
	capture_start(&cap);
	rc = parseopt_parse(&nargs, &args, usage, opts);
	capture_end(&cap, &err);
	fflush(stdout);
	ck_assert_int_ge(dup2(saved, 1), 0);
	close(saved);
	rewind(tmp);
	strbuf_reset(&out);
	while ((len = fread(buf, 1, sizeof(buf), tmp)) > 0)
		strbuf_add(&out, buf, len);
	fclose(tmp);
	return rc;
}

#define parse(...) parse_with(options, __VA_ARGS__)

static char *help_text(const struct parseopt *opts)
{
	struct strbuf sb = STRBUF_INIT;

	parseopt_usage(&sb, usage, opts);
	return strbuf_detach(&sb, NULL);
}

/*
 * rc is -1, stdout empty, and stderr is "wcindex: msg" (any message when
 * msg is NULL) and the line that says where the help is.
 */
static void assert_usage_error(const char *msg)
{
	static const char hint[] = "Try 'cmd --help'.\n";
	struct strbuf want = STRBUF_INIT;

	ck_assert_int_eq(rc, -1);
	ck_assert_str_eq(out.buf, "");
	if (msg) {
		strbuf_addf(&want, "wcindex: %s\n%s", msg, hint);
		ck_assert_str_eq(err.buf, want.buf);
	} else {
		ck_assert_int_eq(strncmp(err.buf, "wcindex: ", 9), 0);
		ck_assert_uint_gt(err.len, strlen(hint));
		ck_assert_str_eq(err.buf + err.len - strlen(hint), hint);
		/* one line of message: no usage dumped */
		ck_assert_ptr_eq(strchr(err.buf, '\n') + 1,
				 err.buf + err.len - strlen(hint));
	}
	strbuf_release(&want);
}

/* rc is 0 with no output, and the operands are want (NULL-terminated). */
static void assert_operands(const char *const *want)
{
	int n = 0;

	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(err.buf, "");
	ck_assert_str_eq(out.buf, "");
	for (; want[n]; n++) {
		ck_assert_int_gt(nargs, n);
		ck_assert_str_eq(args[n], want[n]);
	}
	ck_assert_int_eq(nargs, n);
}

static const char *const none[] = { NULL };

/* ------------------------------------------------------- flags ---- */

START_TEST(test_flags)
{
	parse("--flag", NULL);
	assert_operands(none);
	ck_assert_int_eq(t.flag, 1);
	ck_assert_int_eq(t.mode, 0);

	setup();
	parse("-f", NULL);
	assert_operands(none);
	ck_assert_int_eq(t.flag, 1);

	setup();
	parse(NULL);
	assert_operands(none);
	ck_assert_int_eq(t.flag, 0);
}
END_TEST

/* Options setting one int to different values: the last one wins. */
START_TEST(test_set_int_last_wins)
{
	parse("--mode-b", NULL);
	assert_operands(none);
	ck_assert_int_eq(t.mode, 2);
	parse("--mode-b", "--mode-a", NULL);
	assert_operands(none);
	ck_assert_int_eq(t.mode, 1);
	parse("--mode-a", "--mode-b", NULL);
	ck_assert_int_eq(t.mode, 2);
}
END_TEST

START_TEST(test_flag_takes_no_argument)
{
	parse("--flag=1", NULL);
	assert_usage_error("option '--flag' takes no argument");
	ck_assert_int_eq(t.flag, 0);
}
END_TEST

/* "--mode" could be either of two options; "--fl" only one. */
START_TEST(test_abbreviations)
{
	parse("--mode", NULL);
	assert_usage_error("unknown or ambiguous option '--mode'");
	ck_assert_int_eq(t.mode, 0);
	parse("--fl", NULL);
	assert_operands(none);
	ck_assert_int_eq(t.flag, 1);
}
END_TEST

/* ----------------------------------------------------- numbers ---- */

static const struct {
	const char *arg;
	int ok;
	unsigned want;
} num_cases[] = {
	{ "3", 1, 3 }, { "10", 1, 10 }, { "7", 1, 7 }, { "007", 1, 7 },
	{ "2", 0, 0 }, { "11", 0, 0 }, { "0", 0, 0 },
	{ "", 0, 0 }, { "abc", 0, 0 }, { "5x", 0, 0 }, { "-3", 0, 0 },
	{ "+5", 0, 0 }, { "0x5", 0, 0 }, { "5 ", 0, 0 },
	{ "99999999999999999999999", 0, 0 },
};

/* Each case as --num=ARG, --num ARG and -nARG. */
START_TEST(test_uint_range)
{
	const char *arg = num_cases[_i].arg;
	struct strbuf sb = STRBUF_INIT, msg = STRBUF_INIT;

	strbuf_addf(&msg, "bad --num '%s': want 3-10", arg);
	/* -n with an empty rest would take the next word as its argument */
	for (int form = 0; form < (*arg ? 3 : 2); form++) {
		setup();
		t.num = 42;
		strbuf_reset(&sb);
		strbuf_addstr(&sb, form == 0 ? "--num=" : "-n");
		strbuf_addstr(&sb, arg);
		if (form == 1)
			parse("--num", arg, "rest", NULL);
		else
			parse(sb.buf, "rest", NULL);
		if (num_cases[_i].ok) {
			assert_operands((const char *const[]){ "rest", NULL });
			ck_assert_uint_eq(t.num, num_cases[_i].want);
		} else {
			/* the message names the long form, whatever was used */
			assert_usage_error(msg.buf);
			ck_assert_uint_eq(t.num, 42);
		}
	}
	strbuf_release(&sb);
	strbuf_release(&msg);
}
END_TEST

START_TEST(test_seconds_range)
{
	parse("--secs", "1", NULL);
	assert_operands(none);
	ck_assert_uint_eq(t.secs, 1);
	parse("--secs", "86400", NULL);
	assert_operands(none);
	ck_assert_uint_eq(t.secs, 86400);
	parse("--secs", "0", NULL);
	assert_usage_error("bad --secs '0': want 1-86400 seconds");
	parse("--secs", "86401", NULL);
	assert_usage_error("bad --secs '86401': want 1-86400 seconds");
	parse("--secs", "soon", NULL);
	assert_usage_error("bad --secs 'soon': want 1-86400 seconds");
	ck_assert_uint_eq(t.secs, 86400);
}
END_TEST

/* A range up to ULONG_MAX: all of a uint64_t, and "bad number" errors. */
START_TEST(test_u64_range)
{
	char max[32], past[32];
	size_t len;

	snprintf(max, sizeof(max), "%lu", ULONG_MAX);
	/* ULONG_MAX is odd: bumping its last digit carries nowhere */
	memcpy(past, max, sizeof(max));
	len = strlen(past);
	past[len - 1]++;

	parse("--big", "1", NULL);
	assert_operands(none);
	ck_assert_uint_eq(t.big, 1);
	parse("--big", max, NULL);
	assert_operands(none);
	ck_assert(t.big == (uint64_t)ULONG_MAX);
	parse("--big", "0", NULL);
	assert_usage_error("bad number '0'");
	parse("--big", past, NULL);
	{
		struct strbuf msg = STRBUF_INIT;

		strbuf_addf(&msg, "bad number '%s'", past);
		assert_usage_error(msg.buf);
		strbuf_release(&msg);
	}
	parse("--big=-1", NULL);
	assert_usage_error("bad number '-1'");
	ck_assert(t.big == (uint64_t)ULONG_MAX);
}
END_TEST

/* ------------------------------------------------ optional argument ---- */

START_TEST(test_optarg_without_value)
{
	t.wait = 77;
	parse("--wait", NULL);
	assert_operands(none);
	ck_assert_int_eq(t.waiting, 1);
	ck_assert_uint_eq(t.wait, 0);	/* no limit, even after a limit */
}
END_TEST

START_TEST(test_optarg_with_value)
{
	parse("--wait=1", NULL);
	assert_operands(none);
	ck_assert_int_eq(t.waiting, 1);
	ck_assert_uint_eq(t.wait, 1);
	parse("--wait=31536000", NULL);
	assert_operands(none);
	ck_assert_uint_eq(t.wait, 31536000);
	parse("--wait=0", NULL);
	assert_usage_error("bad --wait '0': want 1-31536000 seconds");
	parse("--wait=31536001", NULL);
	assert_usage_error("bad --wait '31536001': want 1-31536000 seconds");
	parse("--wait=", NULL);
	assert_usage_error("bad --wait '': want 1-31536000 seconds");
}
END_TEST

/* An optional argument is never the next word: that is an operand. */
START_TEST(test_optarg_next_word_is_operand)
{
	parse("--wait", "5", NULL);
	assert_operands((const char *const[]){ "5", NULL });
	ck_assert_int_eq(t.waiting, 1);
	ck_assert_uint_eq(t.wait, 0);
}
END_TEST

START_TEST(test_given_only_when_given)
{
	parse("--flag", NULL);
	assert_operands(none);
	ck_assert_int_eq(t.waiting, 0);
}
END_TEST

/* ------------------------------------------- strings and callbacks ---- */

START_TEST(test_string)
{
	parse("-s", "one", "--str=two", "x", NULL);
	assert_operands((const char *const[]){ "x", NULL });
	ck_assert_str_eq(t.str, "two");
	parse("--str", "", NULL);
	assert_operands(none);
	ck_assert_str_eq(t.str, "");
}
END_TEST

START_TEST(test_callback)
{
	parse("--add", "one", "-a", "two", "--add=three", NULL);
	assert_operands(none);
	ck_assert_str_eq(t.added.buf, "one;two;three;");
}
END_TEST

START_TEST(test_callback_error)
{
	parse("--add", "one", "--add", "fail", "--add", "never", NULL);
	assert_usage_error("cannot add 'fail'");
	/* parsing stops at the refusal */
	ck_assert_str_eq(t.added.buf, "one;");
}
END_TEST

/* ------------------------------------------------------ problems ---- */

START_TEST(test_unknown_options)
{
	parse("--bogus", NULL);
	assert_usage_error("unknown or ambiguous option '--bogus'");
	parse("--bogus=1", NULL);
	assert_usage_error("unknown or ambiguous option '--bogus'");
	parse("-z", NULL);
	assert_usage_error("unknown option '-z'");
	/* the global option is the caller's: not parsed here */
	parse("--db", "x", NULL);
	assert_usage_error(NULL);
	ck_assert_ptr_nonnull(strstr(err.buf, "--db"));
}
END_TEST

START_TEST(test_missing_argument)
{
	parse("--num", NULL);
	assert_usage_error("option '--num' needs an argument");
	parse("-s", NULL);
	assert_usage_error("option '-s' needs an argument");
	ck_assert_ptr_null(t.str);
}
END_TEST

/* An error comes first even when --help follows. */
START_TEST(test_error_before_help)
{
	parse("--num=1", "--help", NULL);
	assert_usage_error("bad --num '1': want 3-10");
}
END_TEST

/* --------------------------------------------------- operands ---- */

START_TEST(test_operands_anywhere)
{
	parse("a", "--flag", "b", "-n", "4", "c", "--", "--num", "-f", NULL);
	assert_operands((const char *const[]){ "a", "b", "c", "--num", "-f",
					       NULL });
	ck_assert_int_eq(t.flag, 1);
	ck_assert_uint_eq(t.num, 4);
}
END_TEST

/* Parsing twice in one process starts afresh each time. */
START_TEST(test_parse_again)
{
	parse("-f", "x", NULL);
	assert_operands((const char *const[]){ "x", NULL });
	parse("y", "-n", "5", NULL);
	assert_operands((const char *const[]){ "y", NULL });
	ck_assert_uint_eq(t.num, 5);
}
END_TEST

/* --------------------------------------------------------- hidden ---- */

START_TEST(test_hidden_accepted)
{
	parse("--secret", "/bin/true", NULL);
	assert_operands(none);
	ck_assert_str_eq(t.secret, "/bin/true");
}
END_TEST

/* ----------------------------------------------------------- help ---- */

/* How many times "--name" stands in text as a whole option name. */
static int count_option(const char *text, const char *name)
{
	size_t len = strlen(name);
	int n = 0;

	for (const char *p = text; (p = strstr(p, "--")); p += 2) {
		const char *end = p + 2 + len;

		if (!strncmp(p + 2, name, len) && *end != '-' &&
		    (*end < 'a' || *end > 'z'))
			n++;
	}
	return n;
}

START_TEST(test_help_lists_each_option_once)
{
	char *help = help_text(options);
	size_t n = 0;

	ck_assert_int_eq(strncmp(help, usage, strlen(usage)), 0);
	for (const struct parseopt *o = options; o->type != PARSEOPT_END; o++) {
		int want = !(o->flags & PARSEOPT_HIDDEN);

		ck_assert_msg(count_option(help, o->long_name) == want,
			      "--%s is in the help %d times, want %d",
			      o->long_name, count_option(help, o->long_name),
			      want);
		if (want)
			ck_assert_ptr_nonnull(strstr(help, o->help));
		if (o->short_name) {
			char s[8];

			snprintf(s, sizeof(s), "-%c, --", o->short_name);
			ck_assert_ptr_nonnull(strstr(help, s));
		}
		n += want;
	}
	/* -h, --help and --version: once each, in the last two lines */
	ck_assert_int_eq(count_option(help, "help"), 1);
	ck_assert_int_eq(count_option(help, "version"), 1);
	ck_assert_ptr_nonnull(strstr(help, "\n  -h, --help "));
	ck_assert_ptr_nonnull(strstr(help, "\n      --version "));
	ck_assert(strstr(help, "-h, --help") < strstr(help, "--version"));
	/* usage lines, then one line per visible option, then those two */
	n += 2;
	for (const char *p = help + strlen(usage); *p; p++)
		n -= *p == '\n';
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_nonnull(strstr(help, "--num N "));
	ck_assert_ptr_nonnull(strstr(help, "--wait[=SECONDS] "));
	ck_assert_ptr_null(strstr(help, "secret"));
	free(help);
}
END_TEST

/*
 * Check that the help line at *line starts with left and ends with a
 * phrase: help, or when help is NULL the words after left.  Returns the
 * column the phrase starts at; *line moves to the next line.
 */
static long phrase_column(const char **line, const char *left,
			  const char *help)
{
	const char *p = *line, *eol = strchr(p, '\n'), *phrase;

	ck_assert_ptr_nonnull(eol);
	ck_assert_msg(!strncmp(p, left, strlen(left)), "'%.*s' does not start "
		      "'%s'", (int)(eol - p), p, left);
	if (help) {
		phrase = eol - strlen(help);
		ck_assert_msg(phrase > p + strlen(left) && phrase[-1] == ' ' &&
			      !strncmp(phrase, help, strlen(help)),
			      "'%s' does not end '%.*s'", help,
			      (int)(eol - p), p);
	} else {
		phrase = p + strlen(left) + strspn(p + strlen(left), " ");
		ck_assert_msg(phrase < eol, "no phrase after '%s'", left);
	}
	*line = eol + 1;
	return phrase - p;
}

/*
 * Each option's line ends with its phrase, then come the lines of -h,
 * --help and --version, all phrases starting in one column.
 */
static void assert_aligned(const struct parseopt *opts, size_t min)
{
	char *help = help_text(opts);
	const char *line = help + strlen(usage);
	long column = -1, at;

	for (const struct parseopt *o = opts; o->type != PARSEOPT_END; o++) {
		at = phrase_column(&line, "  ", o->help);
		if (column < 0)
			column = at;
		ck_assert_int_eq(at, column);
	}
	ck_assert_int_eq(phrase_column(&line, "  -h, --help ", NULL), column);
	ck_assert_int_eq(phrase_column(&line, "      --version ", NULL), column);
	ck_assert_str_eq(line, "");
	ck_assert_int_ge(column, (long)min);
	free(help);
}

START_TEST(test_help_aligned)
{
	static int x;
	static const struct parseopt wide[] = {
		OPT_BOOL('x', "x", &x, "short"),
		OPT_BOOL(0, "a-very-long-option-name-indeed", &x, "long"),
		OPT_BOOL(0, "y", &x, "after"),
		OPT_END(),
	};
	static const struct parseopt narrow[] = {
		OPT_BOOL('x', "x", &x, "short"),
		OPT_END(),
	};

	/* options without the hidden one, whose help is not shown */
	struct parseopt visible[ARRAY_SIZE(options)];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		if (!(options[i].flags & PARSEOPT_HIDDEN))
			visible[n++] = options[i];
	assert_aligned(visible, strlen("      --wait[=SECONDS] "));
	assert_aligned(narrow, strlen("  -x, --x "));
	/* two spaces after the widest */
	assert_aligned(wide, strlen("      --a-very-long-option-name-indeed  "));
}
END_TEST

START_TEST(test_help_on_stdout)
{
	const char *const forms[] = { "-h", "--help", "--he" };
	char *help = help_text(options);

	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		parse("x", forms[i], "--bogus", NULL);
		ck_assert_int_eq(rc, PARSEOPT_HELP);
		ck_assert_str_eq(err.buf, "");
		ck_assert_str_eq(out.buf, help);
	}
	free(help);
}
END_TEST

/* A command without options: --help still works, the rest is unknown. */
START_TEST(test_empty_table)
{
	static const struct parseopt empty[] = { OPT_END() };
	char *help = help_text(empty);
	const char *rest = help + strlen(usage);
	long column;

	/* the usage, then only what every command has */
	ck_assert_int_eq(strncmp(help, usage, strlen(usage)), 0);
	column = phrase_column(&rest, "  -h, --help ", NULL);
	ck_assert_int_eq(phrase_column(&rest, "      --version ", NULL), column);
	ck_assert_str_eq(rest, "");
	parse_with(empty, "-f", NULL);
	assert_usage_error("unknown option '-f'");
	parse_with(empty, "--help", NULL);
	ck_assert_int_eq(rc, PARSEOPT_HELP);
	ck_assert_str_eq(out.buf, help);
	parse_with(empty, "a", "b", NULL);
	assert_operands((const char *const[]){ "a", "b", NULL });
	free(help);
}
END_TEST

/* Without a table (the program's own usage): the usage alone. */
START_TEST(test_no_table)
{
	char *help = help_text(NULL);

	ck_assert_str_eq(help, usage);
	free(help);
}
END_TEST

/* A test case of s whose every test starts from zeroed targets. */
/* A test case of the suite, each of its tests starting from setup(). */
static TCase *parse_tcase(Suite *s, const char *name)
{
	TCase *tc = add_tcase(s, name, 0);

	tcase_add_checked_fixture(tc, setup, teardown);
	return tc;
}

static Suite *parseopt_suite(void)
{
	Suite *s = suite_create("parseopt");
	TCase *tc = parse_tcase(s, "flags");

	tcase_add_test(tc, test_flags);
	tcase_add_test(tc, test_set_int_last_wins);
	tcase_add_test(tc, test_flag_takes_no_argument);
	tcase_add_test(tc, test_abbreviations);

	tc = parse_tcase(s, "numbers");
	tcase_add_loop_test(tc, test_uint_range, 0, ARRAY_SIZE(num_cases));
	tcase_add_test(tc, test_seconds_range);
	tcase_add_test(tc, test_u64_range);
	tcase_add_test(tc, test_optarg_without_value);
	tcase_add_test(tc, test_optarg_with_value);
	tcase_add_test(tc, test_optarg_next_word_is_operand);
	tcase_add_test(tc, test_given_only_when_given);

	tc = parse_tcase(s, "strings");
	tcase_add_test(tc, test_string);
	tcase_add_test(tc, test_callback);
	tcase_add_test(tc, test_callback_error);
	tcase_add_test(tc, test_hidden_accepted);

	tc = parse_tcase(s, "problems");
	tcase_add_test(tc, test_unknown_options);
	tcase_add_test(tc, test_missing_argument);
	tcase_add_test(tc, test_error_before_help);
	tcase_add_test(tc, test_operands_anywhere);
	tcase_add_test(tc, test_parse_again);

	tc = parse_tcase(s, "help");
	tcase_add_test(tc, test_help_lists_each_option_once);
	tcase_add_test(tc, test_help_aligned);
	tcase_add_test(tc, test_help_on_stdout);
	tcase_add_test(tc, test_empty_table);
	tcase_add_test(tc, test_no_table);
	return s;
}

int main(void)
{
	return run_suite(parseopt_suite());
}
