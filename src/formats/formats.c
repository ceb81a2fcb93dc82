/*
 * formats.c - the table of document formats and the two calls the rest of
 * the program makes: which format a document is, and its text counted.
 * Adding a format is adding its module and one line in the table.
 */
#include "config.h"

#include <string.h>

#include "../count.h"
#include "../strbuf.h"
#include "format.h"
#include "sink.h"
#include "zippkg.h"

static const char *const names[FORMAT_NR] = {
	[FORMAT_TEXT] = "text",
	[FORMAT_HTML] = "html",
	[FORMAT_DOCX] = "docx",
	[FORMAT_PPTX] = "pptx",
	[FORMAT_ODT] = "odt",
	[FORMAT_ODP] = "odp",
	[FORMAT_EPUB] = "epub",
	[FORMAT_PDF] = "pdf",
	[FORMAT_ARCHIVE] = "archive",
};

/*
 * The modules, in the order they are asked: the zip formats before HTML,
 * whose recognition leans on the extension.  A build without a format's
 * library leaves its line out.
 */
#ifdef HAVE_LIBXML2
extern const struct format_ops format_epub;
extern const struct format_ops format_html;
#endif

static const struct format_ops *const table[] = {
#ifdef HAVE_LIBXML2
	&format_epub,
	&format_html,
#endif
	NULL
};

static size_t read_size = FORMAT_READ_SIZE;

size_t formats_read_size(void)
{
	return read_size;
}

void formats_set_read_size(size_t n)
{
	read_size = n && n < FORMAT_READ_SIZE ? n : FORMAT_READ_SIZE;
}

const char *format_name(enum doc_format f)
{
	return (unsigned)f < FORMAT_NR ? names[f] : NULL;
}

int format_by_name(const char *name, size_t len)
{
	for (int f = 0; f < FORMAT_NR; f++)
		if (strlen(names[f]) == len && !memcmp(names[f], name, len))
			return f;
	return -1;
}

struct zippkg *doc_probe_zip(struct doc_probe *p)
{
	if (!p->zip_tried) {
		p->zip_tried = 1;
		if (p->head_len >= 4 && !memcmp(p->head, "PK\3\4", 4))
			p->zip = zippkg_open(p->src->fd, p->src->size, p->lim);
	}
	return p->zip;
}

unsigned formats_available(void)
{
	unsigned set = 0;

	for (size_t i = 0; table[i]; i++)
		set |= FORMAT_BIT(table[i]->format);
	return set;
}

static const struct format_ops *ops_of(enum doc_format f)
{
	for (size_t i = 0; table[i]; i++)
		if (table[i]->format == f)
			return table[i];
	return NULL;
}

enum doc_format formats_recognise(struct doc_probe *p, unsigned enabled,
				  enum doc_format *would)
{
	*would = FORMAT_TEXT;
	for (size_t i = 0; table[i]; i++) {
		if (!table[i]->recognise(p))
			continue;
		*would = table[i]->format;
		return (enabled & FORMAT_BIT(*would)) ? *would : FORMAT_TEXT;
	}
	return FORMAT_TEXT;
}

enum doc_status formats_extract(struct doc_probe *p, enum doc_format f,
				struct count_state *st, struct strbuf *msg)
{
	const struct format_ops *ops = ops_of(f);
	struct text_sink sink;
	enum doc_status status;

	if (!ops) {
		strbuf_addf(msg, "this build cannot read %s", format_name(f));
		return DOC_UNSUPPORTED;
	}
	sink_init(&sink, st, p->lim->total_bytes);
	status = ops->extract(p, &sink, msg);
	sink_finish(&sink);
	if (status == DOC_OK && sink_full(&sink)) {
		strbuf_addf(msg, "document text is longer than %llu bytes",
			    (unsigned long long)p->lim->total_bytes);
		status = DOC_LIMIT;
	}
	return status;
}
