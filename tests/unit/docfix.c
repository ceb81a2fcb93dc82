/*
 * docfix.c - a document through the formats, as the worker reads it (see
 * docfix.h).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "docfix.h"
#include "formats/zippkg.h"
#include "strbuf.h"

void docfix_run(const void *data, size_t len, const char *ext,
		unsigned enabled, const struct archive_limits *lim,
		struct docfix_result *r)
{
	FILE *f = tmpfile();
	struct archive_limits deflim;
	struct doc_source src;
	struct doc_probe probe;
	struct count_state st;
	struct strbuf msg = STRBUF_INIT;
	enum doc_format would;

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fflush(f), 0);
	if (!lim) {
		archive_limits_default(&deflim);
		lim = &deflim;
	}
	src.fd = fileno(f);
	src.size = len;
	src.ext = ext;
	doc_probe_init(&probe, &src, data, len, lim);
	memset(r, 0, sizeof(*r));
	r->format = formats_recognise(&probe, enabled, &would);
	count_init(&st, COUNT_UTF8);
	if (r->format != FORMAT_TEXT)
		r->status = formats_extract(&probe, r->format, &st, &msg);
	count_finish(&st, &r->c);
	if (r->format == FORMAT_TEXT)
		memset(&r->c, 0, sizeof(r->c));
	snprintf(r->msg, sizeof(r->msg), "%s", msg.buf);
	zippkg_free(probe.zip);
	strbuf_release(&msg);
	fclose(f);
}
