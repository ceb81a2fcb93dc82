/*
 * test_html.c - unit tests of the HTML format (src/formats/html.c): the
 * precise rules of wcindex(1) on small pages, through the calls the rest
 * of the program makes, formats_recognise() and formats_extract(): an
 * inline element joins, a block splits, br breaks a line, pre keeps its
 * whitespace but the newline after its start tag, head, title, script and
 * style give no text, character references are decoded; and recognition
 * by content and by extension; the text budget.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "count.h"
#include "formats/format.h"
#include "formats/zippkg.h"
#include "strbuf.h"
#include "docfix.h"
#include "testmain.h"
#include "util.h"

/*
 * The format and counts of the page doc, named with extension ext, with
 * a text budget of max bytes (0: the default).
 */
static struct docfix_result run_max(const char *doc, size_t len,
				    const char *ext, uint64_t max)
{
	struct archive_limits lim;
	struct docfix_result r;

	archive_limits_default(&lim);
	if (max)
		lim.total_bytes = max;
	docfix_run(doc, len, ext, formats_available(), &lim, &r);
	return r;
}

static struct docfix_result run(const char *doc, size_t len, const char *ext)
{
	return run_max(doc, len, ext, 0);
}

/* A page written as a string: its length is the string's. */
static struct docfix_result run_str(const char *doc, const char *ext)
{
	return run(doc, strlen(doc), ext);
}

/* Check that page gives lines, words and chars of text. */
static void expect(const char *page, unsigned long lines, unsigned long words,
		   unsigned long chars)
{
	struct docfix_result r = run(page, strlen(page), "html");

	ck_assert_msg(r.format == FORMAT_HTML, "%s: not html", page);
	ck_assert_msg(r.status == DOC_OK, "%s: status %d", page, r.status);
	ck_assert_msg(r.c.lines == lines && r.c.words == words &&
		      r.c.chars == chars,
		      "%s: %llu lines %llu words %llu chars, want %lu %lu %lu",
		      page, (unsigned long long)r.c.lines,
		      (unsigned long long)r.c.words,
		      (unsigned long long)r.c.chars, lines, words, chars);
}

START_TEST(test_inline_joins)
{
	expect("<p>wo<b>r</b>d</p>", 1, 1, 5);
	expect("<p><i>one</i><em>two</em> <span>three</span></p>", 1, 2, 13);
	expect("<p>a <a href=\"x\" title=\"not counted\">b</a></p>", 1, 2, 4);
}
END_TEST

START_TEST(test_blocks_split)
{
	expect("<div>one</div><div>two</div>", 2, 2, 8);
	expect("<ul><li>a</li><li>b</li></ul><table><tr><td>c</td><td>d</td></tr></table>",
	       4, 4, 8);
	/* a block without text gives no line */
	expect("<div><div></div><p> </p>x</div>", 1, 1, 2);
}
END_TEST

START_TEST(test_br)
{
	expect("<p>a<br>b<br/>c</p>", 3, 3, 6);
	expect("<p>a<br><br>b</p>", 2, 2, 4);
}
END_TEST

START_TEST(test_pre)
{
	/* " a  b\n\nc\n": the newline after <pre> dropped, the rest kept */
	expect("<pre>\n a  b\n\nc</pre>", 3, 3, 9);
	expect("<p>x</p><pre>\n\ny</pre>", 3, 2, 5);
}
END_TEST

START_TEST(test_hidden)
{
	expect("<html><head><title>T t</title><style>p{}</style></head><body>"
	       "<script>var x = \"</p>\";</script><p>a<!-- c d -->b</p>"
	       "<noscript>n</noscript><template>t</template></body></html>",
	       1, 1, 3);
	expect("<p>x<svg><text>s</text></svg>y<img alt=\"alt\"></p>", 1, 1, 3);
}
END_TEST

START_TEST(test_entities)
{
	/* "wo&rd \xc3\xa9\xc3\xa9A <>\n" */
	expect("<p>wo&amp;rd &eacute;&#233;&#x41; &lt;&gt;</p>", 1, 3, 13);
	/* a no-break space is a character that splits words */
	expect("<p>a&nbsp;b</p>", 1, 2, 4);
}
END_TEST

START_TEST(test_recognise)
{
	static const char zip[] = "PK\3\4 <html>";
	static const char nul[] = "<p>a\0b</p>";
	struct docfix_result r;

	r = run_str("\xef\xbb\xbf  <!DocType HTML><p>x", "txt");
	ck_assert_int_eq(r.format, FORMAT_HTML);
	r = run_str("<!-- c -->\n<html lang=en>", "");
	ck_assert_int_eq(r.format, FORMAT_HTML);
	r = run_str("just text", "htm");
	ck_assert_int_eq(r.format, FORMAT_HTML);
	r = run_str("just text", "txt");
	ck_assert_int_eq(r.format, FORMAT_TEXT);
	r = run(nul, sizeof(nul) - 1, "html");
	ck_assert_int_eq(r.format, FORMAT_TEXT);
	r = run(zip, sizeof(zip) - 1, "html");
	ck_assert_int_eq(r.format, FORMAT_TEXT);
	r = run_str("<?xml version=\"1.0\"?>\n<html xmlns=\"x\"><p>y</p></html>",
		    "xml");
	ck_assert_int_eq(r.format, FORMAT_HTML);
	r = run_str("<htmlx>", "txt");
	ck_assert_int_eq(r.format, FORMAT_TEXT);
}
END_TEST

START_TEST(test_budget)
{
	static const char page[] = "<p>one two three four five six</p>";
	struct docfix_result r = run_max(page, sizeof(page) - 1, "html", 8);

	ck_assert_int_eq(r.status, DOC_LIMIT);
	ck_assert_uint_eq(r.c.bytes, 8);
	ck_assert_uint_eq(r.c.words, 2);
}
END_TEST

static Suite *html_suite(void)
{
	Suite *s = suite_create("html");
	TCase *tc = add_tcase(s, "rules", 0);

	tcase_add_test(tc, test_inline_joins);
	tcase_add_test(tc, test_blocks_split);
	tcase_add_test(tc, test_br);
	tcase_add_test(tc, test_pre);
	tcase_add_test(tc, test_hidden);
	tcase_add_test(tc, test_entities);
	tcase_add_test(tc, test_budget);
	tc = add_tcase(s, "recognise", 0);
	tcase_add_test(tc, test_recognise);
	return s;
}

int main(void)
{
	if (!(formats_available() & FORMAT_BIT(FORMAT_HTML))) {
		test_skip("test_html", "this build extracts no html");
		return 77;
	}
	return run_suite(html_suite());
}
