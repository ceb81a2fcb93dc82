/*
 * odf.c - OpenDocument packages: odt (text, and its template ott) and odp
 * (presentation, and its template otp), by the rules of wcindex(1),
 * section DOCUMENTS.
 *
 * A package is known by its "mimetype" part, wherever it lies in the zip.
 * The text is in content.xml, streamed through xmlpart.c: character data
 * counts inside paragraphs and headings (text:p, text:h), which is where
 * ODF puts every piece of text a reader sees, whatever holds them (table
 * cells, list items, frames, notes); a few subtrees that hold text no
 * reader sees in the body are skipped.  A package whose manifest says
 * content.xml is encrypted is reported so, unread.  Flat XML (fodt, fodp)
 * is not a package and not handled here.
 */
#include "config.h"

#include <string.h>

#include "../strbuf.h"
#include "format.h"
#include "sink.h"
#include "xmlpart.h"
#include "zippkg.h"

#define NS_OFFICE "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#define NS_TEXT "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#define NS_PRESENTATION \
	"urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"
#define NS_SVG "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
#define NS_MANIFEST "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"

#define MT "application/vnd.oasis.opendocument."

/* ------------------------------------------------------- recognition ---- */

/* The format the mimetype part names, or FORMAT_TEXT. */
static enum doc_format mimetype_format(struct doc_probe *p)
{
	static const struct {
		const char *type;
		enum doc_format f;
	} types[] = {
		{ MT "text", FORMAT_ODT },
		{ MT "text-template", FORMAT_ODT },
		{ MT "presentation", FORMAT_ODP },
		{ MT "presentation-template", FORMAT_ODP },
	};
	enum doc_format f = FORMAT_TEXT;
	size_t len;
	const char *type = doc_probe_mimetype(p, &len);

	if (!type)
		return FORMAT_TEXT;
	/* a stray newline after the type is forgiven */
	while (len && (type[len - 1] == '\n' || type[len - 1] == '\r' ||
		       type[len - 1] == ' '))
		len--;
	for (size_t k = 0; k < sizeof(types) / sizeof(*types); k++)
		if (strlen(types[k].type) == len &&
		    !memcmp(types[k].type, type, len))
			f = types[k].f;
	return f;
}

static int odt_recognise(struct doc_probe *p)
{
	return mimetype_format(p) == FORMAT_ODT;
}

static int odp_recognise(struct doc_probe *p)
{
	return mimetype_format(p) == FORMAT_ODP;
}

/* ---------------------------------------------------------- manifest ---- */

struct manifest {
	int in_content;		/* inside content.xml's file-entry */
	int encrypted;
};

static void manifest_start(void *data, const char *uri, const char *name,
			   const struct xmlpart_attrs *attrs)
{
	struct manifest *m = data;

	if (strcmp(uri, NS_MANIFEST))
		return;
	if (!strcmp(name, "file-entry"))
		m->in_content = xmlpart_attr_is(attrs, NS_MANIFEST,
						"full-path", "content.xml");
	else if (!strcmp(name, "encryption-data") && m->in_content)
		m->encrypted = 1;
}

static void manifest_end(void *data, const char *uri, const char *name)
{
	struct manifest *m = data;

	if (!strcmp(uri, NS_MANIFEST) && !strcmp(name, "file-entry"))
		m->in_content = 0;
}

static const struct xmlpart_ops manifest_ops = {
	.start = manifest_start, .end = manifest_end,
};

/*
 * Whether the manifest says content.xml is encrypted.  A package without
 * a readable manifest is read as if it were not: its content.xml then
 * speaks for itself.
 */
static int content_encrypted(struct zippkg *z)
{
	struct manifest m = { 0, 0 };
	struct strbuf msg = STRBUF_INIT;
	long i = zippkg_find(z, "META-INF/manifest.xml");

	if (i >= 0)
		xmlpart_read(z, (size_t)i, &manifest_ops, &m, NULL, &msg);
	strbuf_release(&msg);
	return m.encrypted;
}

/* ------------------------------------------------------- content.xml ---- */

/*
 * Notes are read in a second pass: a note sits inside its paragraph, and
 * read in place its body would cut that paragraph's line (and the word
 * its citation follows) in two.  The first pass skips note bodies, the
 * second reads nothing else.
 */
struct odf {
	struct text_sink *sink;
	int notes_pass;
	int saw_note;		/* the first pass met a text:note-body */
	unsigned skip;		/* depth inside a skipped subtree */
	unsigned in_p;		/* text:p or text:h elements open */
	unsigned in_note;	/* text:note-body elements open */
};

/* Whether what is here belongs to this pass. */
static int in_pass(const struct odf *o)
{
	return !o->notes_pass || o->in_note;
}

/* The subtrees whose text is not the document's text. */
static int skipped(const char *uri, const char *name)
{
	static const struct {
		const char *uri, *name;
	} list[] = {
		{ NS_TEXT, "tracked-changes" },	/* deleted text */
		{ NS_TEXT, "note-citation" },	/* the generated mark */
		{ NS_TEXT, "sequence-decls" },
		{ NS_TEXT, "variable-decls" },
		{ NS_TEXT, "user-field-decls" },
		{ NS_TEXT, "dde-connection-decls" },
		{ NS_OFFICE, "annotation" },	/* comments */
		{ NS_OFFICE, "forms" },
		{ NS_OFFICE, "scripts" },
		{ NS_PRESENTATION, "notes" },	/* speaker notes */
		{ NS_SVG, "title" },
		{ NS_SVG, "desc" },
	};

	for (size_t k = 0; k < sizeof(list) / sizeof(*list); k++)
		if (!strcmp(name, list[k].name) && !strcmp(uri, list[k].uri))
			return 1;
	return 0;
}

static void odf_start(void *data, const char *uri, const char *name,
		      const struct xmlpart_attrs *attrs)
{
	struct odf *o = data;

	(void)attrs;
	if (o->skip) {
		o->skip++;
		return;
	}
	if (skipped(uri, name)) {
		o->skip = 1;
		return;
	}
	if (strcmp(uri, NS_TEXT))
		return;
	if (!strcmp(name, "note-body")) {
		o->saw_note = 1;
		if (o->notes_pass)
			o->in_note++;
		else
			o->skip = 1;
	} else if (!in_pass(o)) {
		return;
	} else if (!strcmp(name, "p") || !strcmp(name, "h")) {
		sink_break(o->sink);
		o->in_p++;
	} else if (!strcmp(name, "s") || !strcmp(name, "tab")) {
		/* the sink makes a run of spaces one: text:c changes nothing */
		sink_space(o->sink);
	} else if (!strcmp(name, "line-break")) {
		sink_break(o->sink);
	}
}

static void odf_end(void *data, const char *uri, const char *name)
{
	struct odf *o = data;

	if (o->skip) {
		o->skip--;
		return;
	}
	if (strcmp(uri, NS_TEXT))
		return;
	if (!strcmp(name, "note-body") && o->in_note) {
		o->in_note--;
	} else if ((!strcmp(name, "p") || !strcmp(name, "h")) && o->in_p) {
		o->in_p--;
		sink_break(o->sink);
	}
}

static void odf_text(void *data, const char *text, size_t len)
{
	struct odf *o = data;

	if (o->in_p && !o->skip && in_pass(o))
		sink_text(o->sink, text, len);
}

static const struct xmlpart_ops odf_ops = {
	.start = odf_start, .end = odf_end, .text = odf_text,
};

static enum doc_status odf_extract(struct doc_probe *p,
				   struct text_sink *sink, struct strbuf *msg)
{
	struct zippkg *z = doc_probe_zip(p);
	enum doc_status st;
	struct odf o;
	long i;

	if (!z) {
		strbuf_addstr(msg, "not a zip package");
		return DOC_DAMAGED;
	}
	if (content_encrypted(z)) {
		strbuf_addstr(msg, "document is encrypted");
		return DOC_ENCRYPTED;
	}
	i = zippkg_find(z, "content.xml");
	if (i < 0) {
		strbuf_addstr(msg, "no content.xml in the package");
		return DOC_DAMAGED;
	}
	memset(&o, 0, sizeof(o));
	o.sink = sink;
	st = xmlpart_read(z, (size_t)i, &odf_ops, &o, sink, msg);
	if (st != DOC_OK || !o.saw_note || sink_full(sink))
		return st;
	sink_break(sink);
	memset(&o, 0, sizeof(o));
	o.sink = sink;
	o.notes_pass = 1;
	return xmlpart_read(z, (size_t)i, &odf_ops, &o, sink, msg);
}

const struct format_ops format_odt = {
	FORMAT_ODT, odt_recognise, odf_extract,
};

const struct format_ops format_odp = {
	FORMAT_ODP, odp_recognise, odf_extract,
};
