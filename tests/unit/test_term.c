/*
 * test_term.c - unit tests of src/term.c: names quoted as GNU ls quotes
 * them (shell-escape style), checked against known answers and against
 * the ls installed here on a directory of hostile names; display widths
 * of ASCII, CJK, combining marks, emoji, controls and bytes that are not
 * UTF-8; which text counts as printable.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"
#include "term.h"
#include "util.h"
#include "scratch.h"
#include "testmain.h"

static void expect_quote(const char *name, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	term_quote(&sb, name, strlen(name));
	ck_assert_msg(!strcmp(sb.buf, want), "quoted '%s' as [%s], want [%s]",
		      name, sb.buf, want);
	strbuf_release(&sb);
}

START_TEST(test_quote_known)
{
	/* the answers of ls 9.1, LC_ALL=C.UTF-8 */
	expect_quote("plain", "plain");
	expect_quote("", "''");
	expect_quote("a b", "'a b'");
	expect_quote("it's", "\"it's\"");
	expect_quote("'", "\"'\"");
	expect_quote("evil\033]0;pwned\a\033[2J.txt",
		     "'evil'$'\\033'']0;pwned'$'\\a\\033''[2J.txt'");
	expect_quote("\033", "''$'\\033'");
	expect_quote("a\033b", "'a'$'\\033''b'");
	expect_quote("a b\033", "'a b'$'\\033'");
	expect_quote("tab\there", "'tab'$'\\t''here'");
	expect_quote("nl\nx", "'nl'$'\\n''x'");
	expect_quote("cr\rx", "'cr'$'\\r''x'");
	expect_quote("bs\b ff\f vt\v", "'bs'$'\\b'' ff'$'\\f'' vt'$'\\v'");
	expect_quote("x\377y", "'x'$'\\377''y'");
	expect_quote("\177", "''$'\\177'");
	expect_quote("\300\200", "''$'\\300\\200'");
	expect_quote("\302\205c1", "''$'\\302\\205''c1'");	/* U+0085 */
	expect_quote("\342\200\250", "''$'\\342\\200\\250'");	/* U+2028 */
	expect_quote("\355\240\200", "''$'\\355\\240\\200'");	/* surrogate */
	expect_quote("\357\277\276", "''$'\\357\\277\\276'");	/* U+FFFE */
	expect_quote("\344\270\255\346\226\207", "\344\270\255\346\226\207");
	expect_quote("caf\303\251 x", "'caf\303\251 x'");
	expect_quote("\360\237\230\200", "\360\237\230\200");
	expect_quote("#hash", "'#hash'");
	expect_quote("a#b", "a#b");
	expect_quote("~t", "'~t'");
	expect_quote("a~", "a~");
	expect_quote("{", "'{'");
	expect_quote("{a}", "{a}");
	expect_quote("a=b", "'a=b'");
	expect_quote("x!", "'x!'");
	expect_quote("back\\slash", "'back\\slash'");
	expect_quote("q\"d", "'q\"d'");
	expect_quote("$x", "'$x'");
	expect_quote("%+,-./:@]_", "%+,-./:@]_");
	expect_quote("a?", "'a?'");
	/* an apostrophe with anything "..." would have to escape */
	expect_quote("it's$", "'it'\\''s$'");
	expect_quote("it's#", "'it'\\''s#'");
	/* ls 9.1 adds a harmless '' in front of this one */
	expect_quote("a'\033", "'a'\\'''$'\\033'");
}
END_TEST

START_TEST(test_add_name)
{
	struct strbuf sb = STRBUF_INIT;

	term_add_name(&sb, "a\033b", 3, 0);
	ck_assert_mem_eq(sb.buf, "a\033b", 4);
	strbuf_reset(&sb);
	term_add_name(&sb, "a\033b", 3, 1);
	ck_assert_str_eq(sb.buf, "'a'$'\\033''b'");
	strbuf_release(&sb);
}
END_TEST

/* Names to compare with ls: no apostrophe next to a byte to escape. */
static const char *const hostile[] = {
	"evil\033]0;pwned\a\033[2J.txt", "plain", "a b", "it's", "\033",
	"tab\there", "nl\nx", "cr\rx", "bell\a", "\377", "x\377y",
	"\344\270\255\346\226\207", "\302\205c1", "\302\240nb", "\314\201",
	"\342\200\213", "\342\200\250", "\355\240\200", "\300\200",
	"\364\220\200\200", "\357\277\276", "\360\237\230\200", "#hash",
	"a#b", "~t", "{", "{a}", "a=b", "x!", "back\\slash", "q\"d", "$x",
	"''", "-", "@", "a?b", "it's a", "it's$", "\177", "\356\200\200",
	"\363\240\200\201", "\361\200\200\200", "\315\270",
};

/*
 * Run ls on dir, in directory order, into out (one quoted name a line).
 * Returns 0, or -1 when there is no GNU ls with a UTF-8 locale here.
 */
static int run_ls(const char *dir, struct strbuf *out)
{
	struct strbuf cmd = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *p;
	int ret;

	strbuf_addf(&cmd, "LC_ALL=C.UTF-8 ls -1 -U -A "
		    "--quoting-style=shell-escape '%s' 2>/dev/null", dir);
	p = popen(cmd.buf, "r");
	strbuf_release(&cmd);
	if (!p)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), p)))
		strbuf_add(out, buf, n);
	ret = pclose(p) ? -1 : 0;
	/* without the UTF-8 locale, ls escapes every byte past ASCII */
	if (!strstr(out->buf, "\344\270\255\346\226\207\n"))
		ret = -1;
	return ret;
}

START_TEST(test_quote_as_ls)
{
	struct strbuf ls = STRBUF_INIT, mine = STRBUF_INIT;
	struct dirent *d;
	DIR *dir;
	size_t i;

	for (i = 0; i < ARRAY_LEN(hostile); i++) {
		int fd = open(scratch_path(hostile[i]),
			      O_CREAT | O_WRONLY | O_EXCL, 0600);

		ck_assert_msg(fd >= 0, "cannot create '%s'", hostile[i]);
		close(fd);
	}
	if (run_ls(scratch_dir, &ls)) {
		test_skip("test_quote_as_ls", "no GNU ls with C.UTF-8");
		goto out;
	}
	/* ls -U lists in the order readdir() gives */
	dir = opendir(scratch_dir);
	ck_assert_ptr_nonnull(dir);
	while ((d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		term_quote(&mine, d->d_name, strlen(d->d_name));
		strbuf_addch(&mine, '\n');
	}
	closedir(dir);
	ck_assert_str_eq(mine.buf, ls.buf);
out:
	strbuf_release(&ls);
	strbuf_release(&mine);
}
END_TEST

#define WIDTH(s, w) ck_assert_uint_eq(term_width(s, sizeof(s) - 1), (w))

START_TEST(test_width)
{
	WIDTH("", 0);
	WIDTH("hello", 5);
	WIDTH("\344\270\255\346\226\207", 4);		/* CJK: 2 each */
	WIDTH("\357\274\241", 2);			/* fullwidth A */
	WIDTH("\352\260\200", 2);			/* Hangul syllable */
	WIDTH("e\314\201", 1);				/* e + combining acute */
	WIDTH("\342\203\235", 0);			/* enclosing circle, Me */
	WIDTH("\342\200\213", 0);			/* zero width space, Cf */
	WIDTH("\360\237\230\200", 2);			/* emoji */
	WIDTH("\342\202\254", 1);			/* euro sign */
	WIDTH("\377", 1);				/* not UTF-8 */
	WIDTH("a\300\200b", 4);				/* overlong: 2 bytes */
	WIDTH("\355\240\200", 3);			/* surrogate */
	WIDTH("a\033b\n\t", 5);				/* controls */
	WIDTH("\302\205", 1);				/* C1 control */
	WIDTH("\344\270", 2);				/* cut short */
}
END_TEST

START_TEST(test_printable)
{
	ck_assert(term_printable("", 0));
	ck_assert(term_printable("a b$'\\", 6));
	ck_assert(term_printable("\344\270\255 e\314\201", 7));
	ck_assert(!term_printable("a\033", 2));
	ck_assert(!term_printable("\377", 1));
	ck_assert(!term_printable("\302\205", 2));
	ck_assert(!term_printable("\342\200\250", 3));
	ck_assert(!term_printable("a\0b", 3));
}
END_TEST

START_TEST(test_not_a_tty)
{
	int fd = open("/dev/null", O_WRONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert(!term_is_tty(fd));
	ck_assert(!term_can_redraw(fd));
	ck_assert_uint_eq(term_columns(fd), 0);
	close(fd);
}
END_TEST

static Suite *term_suite(void)
{
	Suite *s = suite_create("term");
	TCase *tc = add_tcase(s, "quote", 0);
	TCase *files = add_tcase(s, "ls", 0);

	tcase_add_test(tc, test_quote_known);
	tcase_add_test(tc, test_add_name);
	tcase_add_test(tc, test_width);
	tcase_add_test(tc, test_printable);
	tcase_add_test(tc, test_not_a_tty);
	scratch_fixtures(files, "test_term", NULL, NULL);
	tcase_add_test(files, test_quote_as_ls);
	return s;
}

int main(void)
{
	return run_suite(term_suite());
}
