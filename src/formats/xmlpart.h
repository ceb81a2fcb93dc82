/*
 * xmlpart.h - one XML part of a zip package (docx, pptx, odt, odp) read as
 * it inflates, through libxml2's SAX2 push parser: the format module sees
 * each element's start and end by namespace URI and local name, and the
 * character data between them, and never a tree.
 *
 * The parser loads nothing from outside the part and expands no entity:
 * an entity declared in a DTD stays undeclared, so a "billion laughs"
 * part costs no more than its bytes.  Elements nested deeper than
 * XMLPART_MAX_DEPTH make the part damaged; libxml2's messages never reach
 * stderr.
 */
#ifndef WCINDEX_XMLPART_H
#define WCINDEX_XMLPART_H

#include <stddef.h>

#include <libxml/xmlerror.h>

#include "format.h"

struct strbuf;
struct text_sink;
struct zippkg;

#define XMLPART_MAX_DEPTH 256

/* The attributes of an element as libxml2 hands them out (opaque). */
struct xmlpart_attrs {
	const char **v;		/* localname, prefix, URI, value, end: 5 each */
	int n;
};

/*
 * What a module does with the events of a part.  uri is "" for an element
 * in no namespace; text is UTF-8 (not NUL-terminated), cut anywhere, even
 * inside a character.  Each callback may be NULL.
 */
struct xmlpart_ops {
	void (*start)(void *data, const char *uri, const char *name,
		      const struct xmlpart_attrs *attrs);
	void (*end)(void *data, const char *uri, const char *name);
	void (*text)(void *data, const char *text, size_t len);
};

/*
 * Parse part i of z, calling ops with data.  Stops early, and returns
 * DOC_OK, as soon as sink (when not NULL) is full.  Returns DOC_OK, or
 * what zippkg_read() returns, or DOC_DAMAGED when the part is not
 * well-formed XML or nests deeper than XMLPART_MAX_DEPTH, with the reason
 * in msg (naming the part).  The events before a failure were handed out.
 */
enum doc_status xmlpart_read(struct zippkg *z, size_t i,
			     const struct xmlpart_ops *ops, void *data,
			     const struct text_sink *sink, struct strbuf *msg);

/* libxml2's global error handlers, as xmlpart_quiet() found them. */
struct xmlpart_quiet {
	xmlGenericErrorFunc generic;
	void *generic_ctx;
	xmlStructuredErrorFunc structured;
	void *structured_ctx;
};

/*
 * Keep libxml2's messages about a document's markup off stderr (they are
 * not ours to print): its global handlers are saved in q and replaced by
 * ones that drop everything, until xmlpart_unquiet(q) puts them back.
 * Every parse of a document, XML or HTML, runs between the two.
 */
void xmlpart_quiet(struct xmlpart_quiet *q);
void xmlpart_unquiet(const struct xmlpart_quiet *q);

/*
 * The value of the attribute (uri, name) of an element ("" for no
 * namespace), its length in *len; NULL when the element has none.
 */
const char *xmlpart_attr(const struct xmlpart_attrs *attrs, const char *uri,
			 const char *name, size_t *len);

/*
 * Whether the attribute (uri, name) is present and equal to value.
 */
int xmlpart_attr_is(const struct xmlpart_attrs *attrs, const char *uri,
		    const char *name, const char *value);

/*
 * The part named by an OPC part name ("/word/document.xml"): its index, or
 * -1.  The leading '/' is dropped; the names are compared without regard
 * to ASCII case, as OPC names are, when no part has the exact name.
 */
long xmlpart_find_opc(const struct zippkg *z, const char *name, size_t len);

#endif
