/*
 * test_pdf.c - unit tests of the PDF format (src/formats/pdf.c), on PDFs
 * written here: the header is recognised where poppler takes it (starting
 * within the first 1019 bytes) and nowhere else; a small document's text is counted by the rule of
 * wcindex(1) (one line per line of text, hyphenated lines joined, every
 * page ending in a newline); a document that needs a password is
 * encrypted, one that cannot be read damaged, with a reason by the rules
 * of format.h; the page limit and the text budget stop it; and no
 * descriptor is left open whatever happens.  tests/docs-pdf.sh compares
 * many more documents with pdftotext.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "count.h"
#include "formats/format.h"
#include "strbuf.h"
#include "docfix.h"
#include "testmain.h"

/* The security handler of a document whose user password is "secret". */
static const char encrypt_secret[] =
	"<< /Filter /Standard /V 2 /R 3 /Length 128 /P -4 "
	"/O <0db5855fc5326569e765906caf64e4429a4c20d6e996fdef963e9b5080f9e083> "
	"/U <23dc7c298f713c006631996b9f2ffbb900000000000000000000000000000000> >>";
static const char doc_id[] = "7763696e6465782d746573742d696421";

/*
 * A PDF of n pages whose content streams are pages[], Helvetica as F1,
 * encrypted by the handler dict encrypt when it is not NULL, into sb.
 * Objects: 1 catalog, 2 pages, 3 font, then each page and its content,
 * then the handler.
 */
static void build(struct strbuf *sb, const char *const *pages, int n,
		  const char *encrypt)
{
	size_t off[64];
	int obj = 0, i;

	ck_assert_int_lt(2 * n + 4, 64);
	strbuf_addstr(sb, "%PDF-1.4\n");
	off[++obj] = sb->len;
	strbuf_addstr(sb, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
	off[++obj] = sb->len;
	strbuf_addstr(sb, "2 0 obj\n<< /Type /Pages /Kids [");
	for (i = 0; i < n; i++)
		strbuf_addf(sb, " %d 0 R", 4 + 2 * i);
	strbuf_addf(sb, " ] /Count %d >>\nendobj\n", n);
	off[++obj] = sb->len;
	strbuf_addstr(sb, "3 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont "
		      "/Helvetica /Encoding /WinAnsiEncoding >>\nendobj\n");
	for (i = 0; i < n; i++) {
		off[++obj] = sb->len;
		strbuf_addf(sb, "%d 0 obj\n<< /Type /Page /Parent 2 0 R "
			    "/MediaBox [0 0 612 792] /Resources << /Font << "
			    "/F1 3 0 R >> >> /Contents %d 0 R >>\nendobj\n",
			    obj, obj + 1);
		off[++obj] = sb->len;
		strbuf_addf(sb, "%d 0 obj\n<< /Length %zu >>\nstream\n%s\n"
			    "endstream\nendobj\n", obj, strlen(pages[i]),
			    pages[i]);
	}
	if (encrypt) {
		off[++obj] = sb->len;
		strbuf_addf(sb, "%d 0 obj\n%s\nendobj\n", obj, encrypt);
	}
	size_t xref = sb->len;
	strbuf_addf(sb, "xref\n0 %d\n0000000000 65535 f \n", obj + 1);
	for (i = 1; i <= obj; i++)
		strbuf_addf(sb, "%010zu 00000 n \n", off[i]);
	strbuf_addf(sb, "trailer\n<< /Size %d /Root 1 0 R /ID [<%s> <%s>]",
		    obj + 1, doc_id, doc_id);
	if (encrypt)
		strbuf_addf(sb, " /Encrypt %d 0 R", obj);
	strbuf_addf(sb, " >>\nstartxref\n%zu\n%%%%EOF\n", xref);
}


/*
 * The lowest free descriptor: what a leak would move.  No ck_assert()
 * between two calls: Check may open and close its own files there.
 */
static int lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

/*
 * Recognise and extract the len bytes at data as doc-count does, with
 * the default limits changed by members and total_bytes when not 0, and
 * check that no descriptor is left open.
 */
static void run(const void *data, size_t len, uint64_t members,
		uint64_t total_bytes, struct docfix_result *r)
{
	struct archive_limits lim;
	int free_fd, free_after;

	archive_limits_default(&lim);
	if (members)
		lim.members = members;
	if (total_bytes)
		lim.total_bytes = total_bytes;
	free_fd = lowest_free_fd();
	docfix_run(data, len, "pdf", FORMAT_BIT(FORMAT_PDF), &lim, r);
	free_after = lowest_free_fd();
	ck_assert_int_ge(free_fd, 0);
	ck_assert_int_eq(free_after, free_fd);
}

/* A reason by the rules of format.h: lowercase (or an acronym), no period. */
static void check_reason(const char *msg)
{
	size_t n = strlen(msg);

	ck_assert_uint_gt(n, 0);
	ck_assert_uint_lt(n, 200);
	ck_assert(msg[n - 1] != '.' && msg[n - 1] != '\n');
	ck_assert(!(msg[0] >= 'A' && msg[0] <= 'Z') ||
		  (msg[1] >= 'A' && msg[1] <= 'Z'));
}

START_TEST(test_recognise)
{
	static const char *const page[] = {
		"BT /F1 12 Tf 72 700 Td (found) Tj ET",
	};
	struct strbuf pdf = STRBUF_INIT, late = STRBUF_INIT;
	struct docfix_result r;

	build(&pdf, page, 1, NULL);
	run(pdf.buf, pdf.len, 0, 0, &r);
	ck_assert_int_eq(r.format, FORMAT_PDF);
	ck_assert_uint_eq(r.c.words, 1);
	/* poppler takes a header behind 1018 bytes of junk, not 1019 */
	for (int junk = 1017; junk <= 1020; junk++) {
		strbuf_reset(&late);
		for (int i = 0; i < junk; i++)
			strbuf_addch(&late, '\n');
		strbuf_add(&late, pdf.buf, pdf.len);
		run(late.buf, late.len, 0, 0, &r);
		ck_assert_int_eq(r.format, junk <= 1018 ? FORMAT_PDF : FORMAT_TEXT);
		if (junk <= 1018)
			ck_assert_uint_eq(r.c.words, 1);
	}
	run("%PDF", 4, 0, 0, &r);
	ck_assert_int_eq(r.format, FORMAT_TEXT);
	run("", 0, 0, 0, &r);
	ck_assert_int_eq(r.format, FORMAT_TEXT);
	run("hello %pdf-1.4", 14, 0, 0, &r);
	ck_assert_int_eq(r.format, FORMAT_TEXT);
	strbuf_release(&pdf);
	strbuf_release(&late);
}
END_TEST

static const char *const two_pages[] = {
	"BT /F1 12 Tf 14 TL 72 700 Td (Hello world) Tj (of PDF) ' ET",
	"BT /F1 12 Tf 14 TL 72 700 Td (a com-) Tj (pile step) ' ET\n"
	"BT /F1 12 Tf 72 400 Td (caf\\351) Tj ET",
};

START_TEST(test_counts)
{
	struct strbuf pdf = STRBUF_INIT;
	struct docfix_result r;

	/* "Hello world\nof PDF\na compile step\ncafé\n" */
	build(&pdf, two_pages, 2, NULL);
	run(pdf.buf, pdf.len, 0, 0, &r);
	ck_assert_int_eq(r.status, DOC_OK);
	ck_assert_str_eq(r.msg, "");
	ck_assert_uint_eq(r.c.lines, 4);
	ck_assert_uint_eq(r.c.words, 8);
	ck_assert_uint_eq(r.c.chars, 12 + 7 + 15 + 5);
	ck_assert_uint_eq(r.c.bytes, 12 + 7 + 15 + 6);
	strbuf_release(&pdf);
}
END_TEST

START_TEST(test_limits)
{
	struct strbuf pdf = STRBUF_INIT;
	struct docfix_result r;

	build(&pdf, two_pages, 2, NULL);
	/* one page may be read: the first one is counted */
	run(pdf.buf, pdf.len, 1, 0, &r);
	ck_assert_int_eq(r.status, DOC_LIMIT);
	ck_assert_str_eq(r.msg, "document has 2 pages, more than --max-members (1): the first counted");
	ck_assert_uint_eq(r.c.lines, 2);
	ck_assert_uint_eq(r.c.words, 4);
	/* the text budget */
	run(pdf.buf, pdf.len, 0, 10, &r);
	ck_assert_int_eq(r.status, DOC_LIMIT);
	ck_assert_uint_eq(r.c.bytes, 10);
	check_reason(r.msg);
	strbuf_release(&pdf);
}
END_TEST

START_TEST(test_encrypted)
{
	static const char *const page[] = {
		"BT /F1 12 Tf 72 700 Td (unreadable) Tj ET",
	};
	struct strbuf pdf = STRBUF_INIT;
	struct docfix_result r;

	build(&pdf, page, 1, encrypt_secret);
	run(pdf.buf, pdf.len, 0, 0, &r);
	ck_assert_int_eq(r.format, FORMAT_PDF);
	ck_assert_int_eq(r.status, DOC_ENCRYPTED);
	ck_assert_uint_eq(r.c.words, 0);
	check_reason(r.msg);
	strbuf_release(&pdf);
}
END_TEST

START_TEST(test_damaged)
{
	static const char *const page[] = {
		"BT /F1 12 Tf 72 700 Td (cut short) Tj ET",
	};
	static const char garbage[] = "%PDF-1.4\nnothing of a document\n";
	struct strbuf pdf = STRBUF_INIT;
	struct docfix_result r;

	run(garbage, sizeof(garbage) - 1, 0, 0, &r);
	ck_assert_int_eq(r.format, FORMAT_PDF);
	ck_assert_int_eq(r.status, DOC_DAMAGED);
	check_reason(r.msg);
	/* no page at all */
	build(&pdf, NULL, 0, NULL);
	run(pdf.buf, pdf.len, 0, 0, &r);
	ck_assert_int_eq(r.status, DOC_DAMAGED);
	ck_assert_str_eq(r.msg, "document has no pages");
	strbuf_reset(&pdf);
	/* every cut of a document: a status, never a crash or a leak */
	build(&pdf, page, 1, NULL);
	for (size_t len = 5; len < pdf.len; len += 7) {
		run(pdf.buf, len, 0, 0, &r);
		ck_assert_int_eq(r.format, FORMAT_PDF);
		if (r.status != DOC_OK)
			check_reason(r.msg);
	}
	strbuf_release(&pdf);
}
END_TEST

static Suite *pdf_suite(void)
{
	Suite *s = suite_create("pdf");
	TCase *tc = add_tcase(s, "pdf", 0);

	tcase_add_test(tc, test_recognise);
	tcase_add_test(tc, test_counts);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_encrypted);
	tcase_add_test(tc, test_damaged);
	return s;
}

int main(void)
{
	if (!(formats_available() & FORMAT_BIT(FORMAT_PDF))) {
		test_skip("test_pdf", "this build does not read PDF");
		return 77;
	}
	return run_suite(pdf_suite());
}
