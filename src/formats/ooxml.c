/*
 * ooxml.c - Office Open XML documents: docx (WordprocessingML) and pptx
 * (PresentationML), by the rules of wcindex(1), section DOCUMENTS.
 *
 * A package is known by its [Content_Types].xml, whose Override elements
 * give each part's content type: the type of the main part says docx or
 * pptx, and the parts whose text counts are found by their types too, so
 * no relationship part is ever read.  The text parts stream through
 * xmlpart.c.  Both vocabularies share the markup-compatibility rule
 * (mc:AlternateContent: the first mc:Choice only) and a way of skipping a
 * subtree; the rest is one handler per vocabulary.
 *
 * An encrypted docx or pptx is no zip but an OLE2 compound file holding an
 * EncryptedPackage stream: a bounded walk of its directory is enough to
 * say "encrypted" (that name is what tells it from a legacy .doc given a
 * new extension).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../strbuf.h"
#include "../util.h"
#include "format.h"
#include "sink.h"
#include "xmlpart.h"
#include "zippkg.h"

#define NS_CT "http://schemas.openxmlformats.org/package/2006/content-types"
#define NS_MC "http://schemas.openxmlformats.org/markup-compatibility/2006"
#define NS_W "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define NS_W_STRICT "http://purl.oclc.org/ooxml/wordprocessingml/main"
#define NS_A "http://schemas.openxmlformats.org/drawingml/2006/main"
#define NS_A_STRICT "http://purl.oclc.org/ooxml/drawingml/main"
#define NS_M "http://schemas.openxmlformats.org/officeDocument/2006/math"
#define NS_M_STRICT "http://purl.oclc.org/ooxml/officeDocument/math"
#define NS_XML "http://www.w3.org/XML/1998/namespace"

#define CT_OOXML "application/vnd.openxmlformats-officedocument."

/* What a part is, by its content type. */
enum part_kind {
	PART_OTHER = 0,
	PART_DOCX_MAIN,
	PART_PPTX_MAIN,
	PART_NOTES,		/* docx footnotes or endnotes */
	PART_SLIDE,
	PART_DIAGRAM,		/* SmartArt data */
};

static const struct {
	const char *type;
	enum part_kind kind;
} part_types[] = {
	{ CT_OOXML "wordprocessingml.document.main+xml", PART_DOCX_MAIN },
	{ CT_OOXML "wordprocessingml.template.main+xml", PART_DOCX_MAIN },
	{ "application/vnd.ms-word.document.macroEnabled.main+xml",
	  PART_DOCX_MAIN },
	{ "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
	  PART_DOCX_MAIN },
	{ CT_OOXML "presentationml.presentation.main+xml", PART_PPTX_MAIN },
	{ CT_OOXML "presentationml.slideshow.main+xml", PART_PPTX_MAIN },
	{ CT_OOXML "presentationml.template.main+xml", PART_PPTX_MAIN },
	{ "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
	  PART_PPTX_MAIN },
	{ "application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml",
	  PART_PPTX_MAIN },
	{ "application/vnd.ms-powerpoint.template.macroEnabled.main+xml",
	  PART_PPTX_MAIN },
	{ CT_OOXML "wordprocessingml.footnotes+xml", PART_NOTES },
	{ CT_OOXML "wordprocessingml.endnotes+xml", PART_NOTES },
	{ CT_OOXML "presentationml.slide+xml", PART_SLIDE },
	{ CT_OOXML "drawingml.diagramData+xml", PART_DIAGRAM },
};

/* ------------------------------------------------ [Content_Types].xml ---- */

struct ct_part {
	long index;		/* in the zip; -1 when the part is missing */
	enum part_kind kind;
};

struct ctypes {
	const struct zippkg *z;
	struct ct_part *v;
	size_t nr, alloc;
};

static enum part_kind kind_of(const char *type, size_t len)
{
	for (size_t k = 0; k < sizeof(part_types) / sizeof(*part_types); k++)
		if (strlen(part_types[k].type) == len &&
		    !strncasecmp(part_types[k].type, type, len))
			return part_types[k].kind;
	return PART_OTHER;
}

static void ct_start(void *data, const char *uri, const char *name,
		     const struct xmlpart_attrs *attrs)
{
	struct ctypes *ct = data;
	const char *type, *part;
	size_t type_len, part_len;
	enum part_kind kind;

	if (strcmp(uri, NS_CT) || strcmp(name, "Override"))
		return;
	type = xmlpart_attr(attrs, "", "ContentType", &type_len);
	part = xmlpart_attr(attrs, "", "PartName", &part_len);
	if (!type || !part)
		return;
	kind = kind_of(type, type_len);
	/* a part listed more often than the zip has parts is a lie */
	if (kind == PART_OTHER || ct->nr >= zippkg_count(ct->z))
		return;
	ct->v = xgrow(ct->v, ct->nr + 1, &ct->alloc, sizeof(*ct->v));
	ct->v[ct->nr].index = xmlpart_find_opc(ct->z, part, part_len);
	ct->v[ct->nr++].kind = kind;
}

static const struct xmlpart_ops ct_ops = { .start = ct_start };

/* Read the content types of z into ct: DOC_OK, or why not. */
static enum doc_status ct_load(struct zippkg *z, struct ctypes *ct,
			       struct strbuf *msg)
{
	long i = xmlpart_find_opc(z, "[Content_Types].xml", 19);

	memset(ct, 0, sizeof(*ct));
	ct->z = z;
	if (i < 0) {
		strbuf_addstr(msg, "no [Content_Types].xml in the package");
		return DOC_DAMAGED;
	}
	return xmlpart_read(z, (size_t)i, &ct_ops, ct, NULL, msg);
}

static void ct_free(struct ctypes *ct)
{
	free(ct->v);
}

/* The format the main part of ct says, or FORMAT_TEXT. */
static enum doc_format ct_format(const struct ctypes *ct)
{
	for (size_t k = 0; k < ct->nr; k++) {
		if (ct->v[k].kind == PART_DOCX_MAIN)
			return FORMAT_DOCX;
		if (ct->v[k].kind == PART_PPTX_MAIN)
			return FORMAT_PPTX;
	}
	return FORMAT_TEXT;
}

/* ------------------------------------------------- encrypted (OLE2) ---- */

#define OLE2_MAX_DIR_SECTORS 64
#define OLE2_END 0xfffffffau	/* this and above: no next sector */

static int ext_in(const char *ext, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(ext, *list))
			return 1;
	return 0;
}

static int is_ole2(const struct doc_probe *p)
{
	return p->head_len >= 512 && !memcmp(p->head, FORMAT_OLE2_MAGIC, 8);
}

/* Whether a directory sector holds an entry named EncryptedPackage. */
static int sector_names_package(const unsigned char *sec, size_t ssize)
{
	static const char name[] = "EncryptedPackage";

	for (size_t e = 0; e + 128 <= ssize; e += 128) {
		const unsigned char *d = sec + e;
		size_t k;

		if (le16(d + 64) != 2 * sizeof(name))
			continue;
		for (k = 0; k < sizeof(name); k++)
			if (d[2 * k] != (unsigned char)name[k] || d[2 * k + 1])
				break;
		if (k == sizeof(name))
			return 1;
	}
	return 0;
}

/*
 * The sector after sect in its chain, from the FAT sector the header
 * lists for it; past the 109 the header holds, or on a bad read, the end.
 */
static uint32_t ole2_next(const struct doc_probe *p, unsigned shift,
			  uint32_t sect)
{
	uint32_t per = (1u << shift) / 4, idx = sect / per, fat;
	unsigned char ent[4];
	uint64_t at;

	if (idx >= 109)
		return OLE2_END;
	fat = le32(p->head + 76 + 4 * idx);
	if (fat >= OLE2_END)
		return OLE2_END;
	at = (((uint64_t)fat + 1) << shift) + 4 * (uint64_t)(sect % per);
	if (pread_full(p->src->fd, ent, 4, at) != 4)
		return OLE2_END;
	return le32(ent);
}

/*
 * Whether the compound file's directory names an EncryptedPackage: the
 * directory's chain is followed for OLE2_MAX_DIR_SECTORS sectors at most.
 */
static int ole2_encrypted(const struct doc_probe *p)
{
	unsigned shift = le16(p->head + 30);
	uint32_t sect = le32(p->head + 48);
	unsigned char sec[4096];
	size_t ssize;

	if (shift != 9 && shift != 12)
		return 0;
	ssize = (size_t)1 << shift;
	for (int n = 0; n < OLE2_MAX_DIR_SECTORS && sect < OLE2_END; n++) {
		uint64_t at = ((uint64_t)sect + 1) << shift;

		if (pread_full(p->src->fd, sec, ssize, at) != (ssize_t)ssize)
			return 0;
		if (sector_names_package(sec, ssize))
			return 1;
		sect = ole2_next(p, shift, sect);
	}
	return 0;
}

static enum doc_status ole2_extract(const struct doc_probe *p,
				    struct strbuf *msg)
{
	if (ole2_encrypted(p)) {
		strbuf_addstr(msg, "document is encrypted");
		return DOC_ENCRYPTED;
	}
	strbuf_addstr(msg, "an ole2 compound file, not an office open xml "
			   "package");
	return DOC_DAMAGED;
}

/* ------------------------------------------------ shared walking ---- */

/*
 * What both vocabularies track: a subtree being skipped (skip is the depth
 * inside it), and for each open mc:AlternateContent whether a branch was
 * taken.  The parser caps the depth, and so the stack.
 */
struct walk {
	struct text_sink *sink;
	unsigned skip;
	unsigned ac_nr;
	unsigned char ac_taken[XMLPART_MAX_DEPTH + 1];
};

/*
 * Markup compatibility: the first mc:Choice of an mc:AlternateContent is
 * read, later ones and mc:Fallback are skipped (mc:Fallback is read only
 * when no mc:Choice came before it).  Returns 1 when the element was one
 * of these (handled).
 */
static int walk_mc_start(struct walk *w, const char *uri, const char *name)
{
	if (strcmp(uri, NS_MC))
		return 0;
	if (!strcmp(name, "AlternateContent")) {
		if (w->ac_nr <= XMLPART_MAX_DEPTH)
			w->ac_taken[w->ac_nr] = 0;
		w->ac_nr++;
	} else if (!strcmp(name, "Choice") || !strcmp(name, "Fallback")) {
		unsigned k = w->ac_nr - 1;

		/* outside an mc:AlternateContent, or after its branch */
		if (!w->ac_nr || k > XMLPART_MAX_DEPTH || w->ac_taken[k])
			w->skip = 1;
		else
			w->ac_taken[k] = 1;
	}
	return 1;
}

static void walk_mc_end(struct walk *w, const char *uri, const char *name)
{
	if (!strcmp(uri, NS_MC) && !strcmp(name, "AlternateContent") &&
	    w->ac_nr)
		w->ac_nr--;
}

/* In a skipped subtree: count its depth.  Returns 1 when skipping. */
static int walk_skip_start(struct walk *w)
{
	if (!w->skip)
		return 0;
	w->skip++;
	return 1;
}

static int walk_skip_end(struct walk *w)
{
	if (!w->skip)
		return 0;
	w->skip--;
	return 1;
}

/* Append the UTF-8 of code point c, when it is a character. */
static void sink_codepoint(struct text_sink *sink, uint32_t c)
{
	char u[4];
	size_t n;

	if (c < 0x20 || (c >= 0xd800 && c < 0xe000) || c > 0x10ffff)
		return;
	if (c < 0x80) {
		u[0] = (char)c, n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | c >> 6), n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | c >> 12), n = 3;
	} else {
		u[0] = (char)(0xf0 | c >> 18), n = 4;
	}
	for (size_t k = 1; k < n; k++)
		u[k] = (char)(0x80 | ((c >> (6 * (n - 1 - k))) & 0x3f));
	sink_text(sink, u, n);
}

/* ---------------------------------------------------------------- docx ---- */

#define FIELD_MAX 64

struct docx {
	struct walk w;
	int notes;		/* a footnotes or endnotes part */
	unsigned in_t;		/* inside w:t or m:t */
	int preserve;		/* that w:t has xml:space="preserve" */
	int t_text, t_ws;	/* it gave text; whitespace is pending in it */
	unsigned fld_nr;	/* open fields (w:fldChar begin .. end) */
	unsigned char fld_code[FIELD_MAX]; /* 1 before its separate */
};

static int is_w(const char *uri)
{
	return !strcmp(uri, NS_W) || !strcmp(uri, NS_W_STRICT);
}

/* Whether the text here counts: no open field is in its code. */
static int docx_counts(const struct docx *d)
{
	unsigned n = d->fld_nr < FIELD_MAX ? d->fld_nr : FIELD_MAX;

	for (unsigned k = 0; k < n; k++)
		if (d->fld_code[k])
			return 0;
	return 1;
}

/* The attribute w:name, in either namespace of w; NULL when absent. */
static const char *w_attr(const struct xmlpart_attrs *attrs, const char *name,
			  size_t *len)
{
	const char *v = xmlpart_attr(attrs, NS_W, name, len);

	return v ? v : xmlpart_attr(attrs, NS_W_STRICT, name, len);
}

static int w_attr_is(const struct xmlpart_attrs *attrs, const char *name,
		     const char *value)
{
	return xmlpart_attr_is(attrs, NS_W, name, value) ||
	       xmlpart_attr_is(attrs, NS_W_STRICT, name, value);
}

static void docx_fldchar(struct docx *d, const struct xmlpart_attrs *attrs)
{
	if (w_attr_is(attrs, "fldCharType", "begin")) {
		if (d->fld_nr < FIELD_MAX)
			d->fld_code[d->fld_nr] = 1;
		d->fld_nr++;
	} else if (w_attr_is(attrs, "fldCharType", "separate")) {
		if (d->fld_nr && d->fld_nr <= FIELD_MAX)
			d->fld_code[d->fld_nr - 1] = 0;
	} else if (w_attr_is(attrs, "fldCharType", "end")) {
		if (d->fld_nr)
			d->fld_nr--;
	}
}

/* Elements whose whole subtree is no text of the document. */
static int docx_skipped(const struct docx *d, const char *name,
			const struct xmlpart_attrs *attrs)
{
	static const char *const skipped[] = {
		"del", "moveFrom", "delText", "instrText", "delInstrText",
		"pPr", "rPr", NULL
	};

	if (ext_in(name, skipped))
		return 1;
	/* the lines drawn between the text and its notes */
	return d->notes && (!strcmp(name, "footnote") ||
			    !strcmp(name, "endnote")) &&
	       (w_attr_is(attrs, "type", "separator") ||
		w_attr_is(attrs, "type", "continuationSeparator") ||
		w_attr_is(attrs, "type", "continuationNotice"));
}

/* w:sym: the character its w:char names (hexadecimal). */
static void docx_sym(struct docx *d, const struct xmlpart_attrs *attrs)
{
	size_t len;
	const char *v = w_attr(attrs, "char", &len);
	uint32_t c = 0;

	if (!v || !len || len > 6)
		return;
	for (size_t k = 0; k < len; k++) {
		char ch = v[k];
		int x = ch >= '0' && ch <= '9' ? ch - '0'
			: ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
			: ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;

		if (x < 0)
			return;
		c = c << 4 | (uint32_t)x;
	}
	sink_codepoint(d->w.sink, c);
}

/* A w:t or m:t opens: its text counts, edges trimmed unless preserved. */
static void docx_t_start(struct docx *d, const struct xmlpart_attrs *attrs)
{
	d->in_t++;
	d->preserve = xmlpart_attr_is(attrs, NS_XML, "space", "preserve");
	d->t_text = d->t_ws = 0;
}

static void docx_w_start(struct docx *d, const char *name,
			 const struct xmlpart_attrs *attrs)
{
	struct text_sink *sink = d->w.sink;

	if (docx_skipped(d, name, attrs)) {
		d->w.skip = 1;
	} else if (!strcmp(name, "t")) {
		docx_t_start(d, attrs);
	} else if (!strcmp(name, "p")) {
		sink_break(sink);
	} else if (!strcmp(name, "fldChar")) {
		docx_fldchar(d, attrs);
	} else if (!docx_counts(d)) {
		return;
	} else if (!strcmp(name, "tab") || !strcmp(name, "ptab")) {
		sink_space(sink);
	} else if (!strcmp(name, "br") || !strcmp(name, "cr")) {
		sink_break(sink);
	} else if (!strcmp(name, "noBreakHyphen")) {
		sink_text(sink, "-", 1);
	} else if (!strcmp(name, "sym")) {
		docx_sym(d, attrs);
	}
}

static void docx_start(void *data, const char *uri, const char *name,
		       const struct xmlpart_attrs *attrs)
{
	struct docx *d = data;

	if (walk_skip_start(&d->w) || walk_mc_start(&d->w, uri, name))
		return;
	if (is_w(uri)) {
		docx_w_start(d, name, attrs);
	} else if ((!strcmp(uri, NS_M) || !strcmp(uri, NS_M_STRICT)) &&
		   !strcmp(name, "t")) {
		docx_t_start(d, attrs);
	}
}

static void docx_end(void *data, const char *uri, const char *name)
{
	struct docx *d = data;

	if (walk_skip_end(&d->w))
		return;
	walk_mc_end(&d->w, uri, name);
	if (!strcmp(name, "t") && d->in_t &&
	    (is_w(uri) || !strcmp(uri, NS_M) || !strcmp(uri, NS_M_STRICT)))
		d->in_t--;
	else if (is_w(uri) && !strcmp(name, "p"))
		sink_break(d->w.sink);
}

static int xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * The text of a w:t: without xml:space="preserve", whitespace at its
 * edges is dropped (as Word does), so pending whitespace only goes out
 * when more text follows in the same element.
 */
static void docx_text(void *data, const char *text, size_t len)
{
	struct docx *d = data;
	size_t k = 0;

	if (!d->in_t || d->w.skip || !docx_counts(d))
		return;
	if (d->preserve) {
		sink_text(d->w.sink, text, len);
		return;
	}
	while (k < len) {
		size_t run = k;

		if (xml_space(text[k])) {
			while (k < len && xml_space(text[k]))
				k++;
			d->t_ws = d->t_text;
			continue;
		}
		while (k < len && !xml_space(text[k]))
			k++;
		if (d->t_ws)
			sink_space(d->w.sink);
		d->t_ws = 0;
		d->t_text = 1;
		sink_text(d->w.sink, text + run, k - run);
	}
}

static const struct xmlpart_ops docx_ops = {
	.start = docx_start, .end = docx_end, .text = docx_text,
};

/* ---------------------------------------------------------------- pptx ---- */

struct pptx {
	struct walk w;
	unsigned in_t;		/* inside a:t */
};

static int is_a(const char *uri)
{
	return !strcmp(uri, NS_A) || !strcmp(uri, NS_A_STRICT);
}

static void pptx_start(void *data, const char *uri, const char *name,
		       const struct xmlpart_attrs *attrs)
{
	struct pptx *p = data;

	(void)attrs;
	if (walk_skip_start(&p->w) || walk_mc_start(&p->w, uri, name) ||
	    !is_a(uri))
		return;
	if (!strcmp(name, "t"))
		p->in_t++;
	else if (!strcmp(name, "p") || !strcmp(name, "br"))
		sink_break(p->w.sink);
}

static void pptx_end(void *data, const char *uri, const char *name)
{
	struct pptx *p = data;

	if (walk_skip_end(&p->w))
		return;
	walk_mc_end(&p->w, uri, name);
	if (!is_a(uri))
		return;
	if (!strcmp(name, "t") && p->in_t)
		p->in_t--;
	else if (!strcmp(name, "p"))
		sink_break(p->w.sink);
}

static void pptx_text(void *data, const char *text, size_t len)
{
	struct pptx *p = data;

	if (p->in_t && !p->w.skip)
		sink_text(p->w.sink, text, len);
}

static const struct xmlpart_ops pptx_ops = {
	.start = pptx_start, .end = pptx_end, .text = pptx_text,
};

/* -------------------------------------------------------- the modules ---- */

/*
 * Whether the document is a package of format want, by its content
 * types, read once for both modules (p->ct_format); an OLE2 file is one
 * (encrypted) by its extension.
 */
static int recognise(struct doc_probe *p, enum doc_format want)
{
	struct zippkg *z = doc_probe_zip(p);

	if (!z)
		return is_ole2(p) && format_of_ext(p->src->ext) == want;
	if (!p->ct_format) {
		struct strbuf msg = STRBUF_INIT;
		struct ctypes ct;
		enum doc_format f = FORMAT_TEXT;

		if (ct_load(z, &ct, &msg) == DOC_OK)
			f = ct_format(&ct);
		ct_free(&ct);
		strbuf_release(&msg);
		p->ct_format = (int)f + 1;
	}
	return p->ct_format - 1 == (int)want;
}

static int docx_recognise(struct doc_probe *p)
{
	return recognise(p, FORMAT_DOCX);
}

static int pptx_recognise(struct doc_probe *p)
{
	return recognise(p, FORMAT_PPTX);
}

/* Read the parts of ct of kind k (all of them, or the first one). */
static enum doc_status read_kind(struct zippkg *z, const struct ctypes *ct,
				 enum part_kind k, int first_only,
				 struct text_sink *sink, struct strbuf *msg)
{
	enum doc_status st = DOC_OK;

	for (size_t n = 0; n < ct->nr && st == DOC_OK; n++) {
		struct docx d;
		struct pptx pp;

		if (sink_full(sink))
			break;
		if (ct->v[n].kind != k || ct->v[n].index < 0)
			continue;
		if (k == PART_SLIDE || k == PART_DIAGRAM) {
			memset(&pp, 0, sizeof(pp));
			pp.w.sink = sink;
			st = xmlpart_read(z, (size_t)ct->v[n].index, &pptx_ops,
					  &pp, sink, msg);
		} else {
			memset(&d, 0, sizeof(d));
			d.w.sink = sink;
			d.notes = k == PART_NOTES;
			st = xmlpart_read(z, (size_t)ct->v[n].index, &docx_ops,
					  &d, sink, msg);
		}
		sink_break(sink);
		if (first_only)
			break;
	}
	return st;
}

/* The main part must be there (docx: it holds the text). */
static int has_main(const struct ctypes *ct, enum part_kind k)
{
	for (size_t n = 0; n < ct->nr; n++)
		if (ct->v[n].kind == k)
			return ct->v[n].index >= 0;
	return 0;
}

static enum doc_status extract(struct doc_probe *p, int docx,
			       struct text_sink *sink, struct strbuf *msg)
{
	struct zippkg *z = doc_probe_zip(p);
	enum part_kind main_kind = docx ? PART_DOCX_MAIN : PART_PPTX_MAIN;
	struct ctypes ct;
	enum doc_status st;

	if (!z)
		return ole2_extract(p, msg);
	st = ct_load(z, &ct, msg);
	if (st != DOC_OK)
		goto out;
	if (!has_main(&ct, main_kind)) {
		strbuf_addstr(msg, "the main part of the package is missing");
		st = DOC_DAMAGED;
		goto out;
	}
	if (docx) {
		st = read_kind(z, &ct, PART_DOCX_MAIN, 1, sink, msg);
		if (st == DOC_OK)
			st = read_kind(z, &ct, PART_NOTES, 0, sink, msg);
	} else {
		st = read_kind(z, &ct, PART_SLIDE, 0, sink, msg);
		if (st == DOC_OK)
			st = read_kind(z, &ct, PART_DIAGRAM, 0, sink, msg);
	}
out:
	ct_free(&ct);
	return st;
}

static enum doc_status docx_extract(struct doc_probe *p,
				    struct text_sink *sink, struct strbuf *msg)
{
	return extract(p, 1, sink, msg);
}

static enum doc_status pptx_extract(struct doc_probe *p,
				    struct text_sink *sink, struct strbuf *msg)
{
	return extract(p, 0, sink, msg);
}

const struct format_ops format_docx = {
	FORMAT_DOCX, docx_recognise, docx_extract,
};

const struct format_ops format_pptx = {
	FORMAT_PPTX, pptx_recognise, pptx_extract,
};
