/*
 * test_office.c - unit tests of the office formats (src/formats/ooxml.c,
 * odf.c, xmlpart.c) through formats_recognise() and formats_extract(), on
 * small packages built here: a few rules of wcindex(1) stated exactly
 * (runs joined into words, tracked deletions and field codes left out,
 * a text box behind mc:AlternateContent counted once, ODF spaces and note
 * bodies, DrawingML breaks), the same counts at a read size of one byte,
 * recognition by content and not by name, and the damaged, deep and
 * encrypted cases.  tests/docs-office.sh compares many more documents with
 * the python reference.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "archive.h"
#include "count.h"
#include "formats/format.h"
#include "formats/zippkg.h"
#include "strbuf.h"
#include "docfix.h"
#include "zipfix.h"
#include "testmain.h"

#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define DOCX_CT "application/vnd.openxmlformats-officedocument." \
	"wordprocessingml.document.main+xml"
#define PPTX_CT "application/vnd.openxmlformats-officedocument." \
	"presentationml.presentation.main+xml"
#define SLIDE_CT "application/vnd.openxmlformats-officedocument." \
	"presentationml.slide+xml"

/* Recognise and extract the bytes of sb, as the worker would. */
static void run(const struct strbuf *sb, const char *ext,
		struct docfix_result *r)
{
	docfix_run(sb->buf, sb->len, ext, formats_available(), NULL, r);
}

static void docx_of(struct strbuf *sb, const char *body)
{
	struct strbuf doc = STRBUF_INIT;
	struct zipfix_part parts[2] = {
		{ "[Content_Types].xml",
		  "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
		  "content-types\"><Override PartName=\"/word/document.xml\" "
		  "ContentType=\"" DOCX_CT "\"/></Types>" },
		{ "word/document.xml", NULL },
	};

	strbuf_addf(&doc, "<w:document xmlns:w=\"" W_NS "\" xmlns:mc=\"http://"
		    "schemas.openxmlformats.org/markup-compatibility/2006\">"
		    "<w:body>%s</w:body></w:document>", body);
	parts[1].data = doc.buf;
	zipfix_stored(sb, parts, 2);
	strbuf_release(&doc);
}

/* Words, lines and chars of a docx body, at the default read size and at 1. */
static void expect_docx(const char *body, uint64_t lines, uint64_t words,
			uint64_t chars)
{
	struct strbuf sb = STRBUF_INIT;
	struct docfix_result r;

	docx_of(&sb, body);
	for (int pass = 0; pass < 2; pass++) {
		formats_set_read_size(pass ? 1 : 0);
		run(&sb, "bin", &r);
		ck_assert_int_eq(r.format, FORMAT_DOCX);
		ck_assert_msg(r.status == DOC_OK, "status %d: %s", r.status, r.msg);
		ck_assert_uint_eq(r.c.lines, lines);
		ck_assert_uint_eq(r.c.words, words);
		ck_assert_uint_eq(r.c.chars, chars);
	}
	formats_set_read_size(0);
	strbuf_release(&sb);
}

START_TEST(test_docx_runs_join)
{
	/* "wo" "rd" is one word; a tab and a break separate */
	expect_docx("<w:p><w:r><w:t>wo</w:t></w:r><w:r><w:t>rd</w:t></w:r>"
		    "<w:r><w:tab/><w:t>x</w:t><w:br/><w:t>y</w:t></w:r></w:p>",
		    2, 3, 9);
}
END_TEST

START_TEST(test_docx_deletions_and_fields)
{
	expect_docx("<w:p><w:r><w:t>a</w:t></w:r><w:del><w:r><w:delText>gone"
		    "</w:delText></w:r></w:del><w:r><w:fldChar w:fldCharType="
		    "\"begin\"/></w:r><w:r><w:instrText> PAGE </w:instrText>"
		    "</w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>"
		    "<w:r><w:t xml:space=\"preserve\"> 7</w:t></w:r><w:r>"
		    "<w:fldChar w:fldCharType=\"end\"/></w:r></w:p>",
		    1, 2, 4);
}
END_TEST

START_TEST(test_docx_alternate_content)
{
	/* the text box is in the Choice and again in the Fallback */
	expect_docx("<w:p><w:r><w:t>a</w:t></w:r><mc:AlternateContent>"
		    "<mc:Choice Requires=\"wps\"><w:txbxContent><w:p><w:r><w:t>"
		    "box</w:t></w:r></w:p></w:txbxContent></mc:Choice>"
		    "<mc:Fallback><w:txbxContent><w:p><w:r><w:t>box</w:t></w:r>"
		    "</w:p></w:txbxContent></mc:Fallback></mc:AlternateContent>"
		    "</w:p>",
		    2, 2, 6);
}
END_TEST

START_TEST(test_docx_edges_without_preserve)
{
	/* edges dropped: "a" "b" join; with preserve the space stays */
	expect_docx("<w:p><w:r><w:t>a </w:t><w:t> b</w:t>"
		    "<w:t xml:space=\"preserve\"> c</w:t></w:r></w:p>",
		    1, 2, 5);
}
END_TEST

START_TEST(test_pptx_breaks)
{
	struct strbuf sb = STRBUF_INIT;
	struct docfix_result r;
	struct zipfix_part parts[] = {
		{ "[Content_Types].xml",
		  "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
		  "content-types\"><Override PartName=\"/ppt/presentation.xml\" "
		  "ContentType=\"" PPTX_CT "\"/><Override PartName=\"/ppt/slides/"
		  "slide1.xml\" ContentType=\"" SLIDE_CT "\"/></Types>" },
		{ "ppt/presentation.xml", "<p/>" },
		{ "ppt/slides/slide1.xml",
		  "<p:sld xmlns:p=\"http://schemas.openxmlformats.org/"
		  "presentationml/2006/main\" xmlns:a=\"http://schemas."
		  "openxmlformats.org/drawingml/2006/main\"><a:p><a:r><a:t>one"
		  "</a:t></a:r><a:br/><a:r><a:t>two</a:t></a:r></a:p><a:p>"
		  "<a:fld><a:t>3</a:t></a:fld></a:p></p:sld>" },
	};

	zipfix_stored(&sb, parts, 3);
	run(&sb, "zip", &r);
	ck_assert_int_eq(r.format, FORMAT_PPTX);
	ck_assert_int_eq(r.status, DOC_OK);
	ck_assert_uint_eq(r.c.lines, 3);
	ck_assert_uint_eq(r.c.words, 3);
	strbuf_release(&sb);
}
END_TEST

static void odt_of(struct strbuf *sb, const char *body)
{
	struct strbuf doc = STRBUF_INIT;
	struct zipfix_part parts[2] = {
		{ "mimetype", "application/vnd.oasis.opendocument.text" },
		{ "content.xml", NULL },
	};

	strbuf_addf(&doc, "<office:document-content xmlns:office=\"urn:oasis:"
		    "names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:"
		    "oasis:names:tc:opendocument:xmlns:text:1.0\"><office:body>"
		    "<office:text>%s</office:text></office:body>"
		    "</office:document-content>", body);
	parts[1].data = doc.buf;
	zipfix_stored(sb, parts, 2);
	strbuf_release(&doc);
}

START_TEST(test_odt_spaces_and_notes)
{
	struct strbuf sb = STRBUF_INIT;
	struct docfix_result r;

	/* "a b" (five spaces are one), then "c." whole: the note comes after */
	odt_of(&sb, "<text:p>a<text:s text:c=\"5\"/>b</text:p><text:p>c<text:note>"
		    "<text:note-citation>1</text:note-citation><text:note-body>"
		    "<text:p>note</text:p></text:note-body></text:note>.</text:p>");
	run(&sb, "docx", &r);
	ck_assert_int_eq(r.format, FORMAT_ODT);
	ck_assert_int_eq(r.status, DOC_OK);
	ck_assert_uint_eq(r.c.lines, 3);
	ck_assert_uint_eq(r.c.words, 4);
	ck_assert_uint_eq(r.c.chars, 4 + 3 + 5);
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_damaged_and_deep)
{
	struct strbuf sb = STRBUF_INIT, body = STRBUF_INIT;
	struct docfix_result r;

	docx_of(&sb, "<w:p><w:r><w:t>a</w:t></w:r></w:p><w:p>");
	run(&sb, "docx", &r);
	ck_assert_int_eq(r.status, DOC_DAMAGED);
	ck_assert_uint_eq(r.c.words, 1);
	ck_assert_ptr_nonnull(strstr(r.msg, "not well-formed"));
	for (int i = 0; i < 300; i++)
		strbuf_addstr(&body, "<w:r>");
	strbuf_reset(&sb);
	docx_of(&sb, body.buf);
	run(&sb, "docx", &r);
	ck_assert_int_eq(r.status, DOC_DAMAGED);
	ck_assert_ptr_nonnull(strstr(r.msg, "deeper than 256"));
	strbuf_release(&sb);
	strbuf_release(&body);
}
END_TEST

START_TEST(test_entities_never_expand)
{
	struct strbuf sb = STRBUF_INIT;
	struct docfix_result r;
	struct zipfix_part parts[2] = {
		{ "[Content_Types].xml",
		  "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
		  "content-types\"><Override PartName=\"/word/document.xml\" "
		  "ContentType=\"" DOCX_CT "\"/></Types>" },
		{ "word/document.xml",
		  "<!DOCTYPE d [<!ENTITY a \"many words here\">]>"
		  "<w:document xmlns:w=\"" W_NS "\"><w:body><w:p><w:r><w:t>x &a;"
		  "</w:t></w:r></w:p></w:body></w:document>" },
	};

	zipfix_stored(&sb, parts, 2);
	run(&sb, "docx", &r);
	ck_assert_int_eq(r.format, FORMAT_DOCX);
	ck_assert_uint_le(r.c.words, 1);
	ck_assert_int_eq(r.status, DOC_DAMAGED);
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_not_claimed)
{
	struct strbuf sb = STRBUF_INIT;
	struct docfix_result r;
	struct zipfix_part parts[] = { { "mimetype", "application/zip" } };
	static const unsigned char ole2[8] = {
		0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1
	};

	zipfix_stored(&sb, parts, 1);
	run(&sb, "odt", &r);
	ck_assert_int_eq(r.format, FORMAT_TEXT);
	/* a compound file is a docx only by its name, and never a .doc */
	strbuf_reset(&sb);
	strbuf_add(&sb, ole2, 8);
	for (int i = 8; i < 1024; i++)
		strbuf_addch(&sb, 0);
	run(&sb, "doc", &r);
	ck_assert_int_eq(r.format, FORMAT_TEXT);
	run(&sb, "docx", &r);
	ck_assert_int_eq(r.format, FORMAT_DOCX);
	ck_assert_int_eq(r.status, DOC_DAMAGED);
	strbuf_release(&sb);
}
END_TEST

static Suite *office_suite(void)
{
	Suite *s = suite_create("office");
	TCase *tc;

	if (!(formats_available() & FORMAT_BIT(FORMAT_DOCX))) {
		tc = add_tcase(s, "none", 0);
		return s;
	}
	tc = add_tcase(s, "docx", 0);
	tcase_add_test(tc, test_docx_runs_join);
	tcase_add_test(tc, test_docx_deletions_and_fields);
	tcase_add_test(tc, test_docx_alternate_content);
	tcase_add_test(tc, test_docx_edges_without_preserve);
	tc = add_tcase(s, "pptx", 0);
	tcase_add_test(tc, test_pptx_breaks);
	tc = add_tcase(s, "odt", 0);
	tcase_add_test(tc, test_odt_spaces_and_notes);
	tc = add_tcase(s, "hostile", 0);
	tcase_add_test(tc, test_damaged_and_deep);
	tcase_add_test(tc, test_entities_never_expand);
	tcase_add_test(tc, test_not_claimed);
	return s;
}

int main(void)
{
	return run_suite(office_suite());
}
