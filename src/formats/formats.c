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
/* ooxml.c, odf.c, epub.c, html.c */
extern const struct format_ops format_docx, format_pptx;
extern const struct format_ops format_odt, format_odp;
extern const struct format_ops format_epub, format_html;
#endif
#ifdef HAVE_POPPLER
extern const struct format_ops format_pdf;
#endif

static const struct format_ops *const table[] = {
#ifdef HAVE_POPPLER
	&format_pdf,
#endif
#ifdef HAVE_LIBXML2
	&format_docx,
	&format_pptx,
	&format_odt,
	&format_odp,
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

void doc_probe_init(struct doc_probe *p, const struct doc_source *src,
		    const unsigned char *head, size_t len,
		    const struct archive_limits *lim)
{
	*p = (struct doc_probe) {
		.src = src, .lim = lim,
		/* an empty document: a head to read all the same */
		.head = len ? head : (const unsigned char *)"",
		.head_len = len < FORMAT_HEAD_BYTES ? len : FORMAT_HEAD_BYTES,
	};
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

const char *doc_probe_mimetype(struct doc_probe *p, size_t *len)
{
	struct zippkg *z = doc_probe_zip(p);
	struct strbuf buf = STRBUF_INIT, msg = STRBUF_INIT;
	long i;

	if (!p->mimetype_state) {
		p->mimetype_state = -1;
		i = z ? zippkg_find(z, "mimetype") : -1;
		if (i >= 0 && zippkg_read_small(z, (size_t)i, &buf,
						DOC_MIMETYPE_MAX, &msg) == DOC_OK) {
			memcpy(p->mimetype, buf.buf, buf.len);
			p->mimetype_len = buf.len;
			p->mimetype_state = 1;
		}
		strbuf_release(&buf);
		strbuf_release(&msg);
	}
	*len = p->mimetype_len;
	return p->mimetype_state > 0 ? p->mimetype : NULL;
}

unsigned formats_available(void)
{
	unsigned set = 0;

	for (size_t i = 0; table[i]; i++)
		set |= FORMAT_BIT(table[i]->format);
	return set;
}

/* The library a format's module needs: what a build without it lacks. */
static const char *library_of(enum doc_format f)
{
	return f == FORMAT_PDF ? "poppler-glib" : "libxml2";
}

void formats_describe(struct strbuf *sb, int have)
{
	unsigned avail = formats_available(), libs = 0;
	const char *sep = "";

	for (int f = 0; f < FORMAT_NR; f++) {
		if (!(FORMAT_BIT(f) & FORMAT_EXTRACTABLE) ||
		    !(avail & FORMAT_BIT(f)) != !have)
			continue;
		strbuf_addf(sb, "%s%s", sep, names[f]);
		sep = " ";
		libs |= f == FORMAT_PDF ? 2u : 1u;
	}
	if (have || !libs)
		return;
	strbuf_addstr(sb, " (without ");
	if (libs & 1)
		strbuf_addf(sb, "%s%s", library_of(FORMAT_HTML),
			    libs & 2 ? ", " : "");
	if (libs & 2)
		strbuf_addstr(sb, library_of(FORMAT_PDF));
	strbuf_addch(sb, ')');
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

/* The extensions documents of each format are known by. */
static const struct {
	const char *ext;
	enum doc_format format;
} ext_formats[] = {
	{ "html", FORMAT_HTML }, { "htm", FORMAT_HTML },
	{ "xhtml", FORMAT_HTML }, { "xht", FORMAT_HTML },
	{ "shtml", FORMAT_HTML },
	{ "docx", FORMAT_DOCX }, { "docm", FORMAT_DOCX },
	{ "dotx", FORMAT_DOCX }, { "dotm", FORMAT_DOCX },
	{ "pptx", FORMAT_PPTX }, { "pptm", FORMAT_PPTX },
	{ "potx", FORMAT_PPTX }, { "potm", FORMAT_PPTX },
	{ "ppsx", FORMAT_PPTX }, { "ppsm", FORMAT_PPTX },
	{ "odt", FORMAT_ODT }, { "ott", FORMAT_ODT },
	{ "odp", FORMAT_ODP }, { "otp", FORMAT_ODP },
	{ "epub", FORMAT_EPUB }, { "pdf", FORMAT_PDF },
};

enum doc_format format_of_ext(const char *ext)
{
	for (size_t i = 0; i < sizeof(ext_formats) / sizeof(*ext_formats); i++)
		if (!strcmp(ext, ext_formats[i].ext))
			return ext_formats[i].format;
	return FORMAT_TEXT;
}

/* A zip package's, or (encrypted) an OLE2 file's. */
static int is_package_ext(const char *ext)
{
	enum doc_format f = format_of_ext(ext);

	return f != FORMAT_TEXT && f != FORMAT_HTML && f != FORMAT_PDF;
}

int formats_readable_ext(const char *ext)
{
	unsigned avail = formats_available();
	enum doc_format f;

	/* a full build reads them all: no name to look up per file */
	if ((avail & FORMAT_EXTRACTABLE) == FORMAT_EXTRACTABLE)
		return 1;
	f = format_of_ext(ext);
	return f == FORMAT_TEXT || (avail & FORMAT_BIT(f));
}

int formats_candidate(const unsigned char *head, size_t len, const char *ext,
		      unsigned enabled)
{
	struct archive_limits lim;
	struct doc_source src = { .fd = -1, .size = 0, .ext = ext };
	struct doc_probe p;
	enum doc_format would;

	if (!(enabled & formats_available()))
		return 0;
	if ((len >= 4 && !memcmp(head, "PK\3\4", 4)) ||
	    (len >= 8 && !memcmp(head, FORMAT_OLE2_MAGIC, 8)))
		return is_package_ext(ext);
	archive_limits_default(&lim);
	doc_probe_init(&p, &src, head, len, &lim);
	p.zip_tried = 1;	/* nothing but the head to read */
	return formats_recognise(&p, enabled, &would) != FORMAT_TEXT;
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

enum doc_status formats_count(struct doc_probe *p, enum doc_format f,
			      enum count_mode mode, struct counts *out,
			      struct strbuf *msg)
{
	struct count_state st;
	enum doc_status status;

	count_init(&st, mode);
	status = formats_extract(p, f, &st, msg);
	count_finish(&st, out);
	/* what was read of it before the password stopped it is no text */
	if (status == DOC_ENCRYPTED)
		memset(out, 0, sizeof(*out));
	return status;
}
