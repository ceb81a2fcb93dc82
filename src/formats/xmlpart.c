/*
 * xmlpart.c - an XML part of a zip package streamed through libxml2's SAX2
 * push parser (see xmlpart.h).
 *
 * The SAX handler is our own, zeroed but for what we need, so nothing of
 * libxml2's default SAX2 (which builds a tree and records entities) runs:
 * an entity declaration goes to a handler that drops it, a lookup finds
 * nothing, and a reference to it is an error, never an expansion.  Errors
 * go to a structured handler that keeps the first one for the message;
 * the few libxml2 raises outside a parser context (encoding conversion)
 * go to a generic handler that says nothing.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "../strbuf.h"
#include "../util.h"
#include "sink.h"
#include "xmlpart.h"
#include "zippkg.h"

struct xml_state {
	const struct xmlpart_ops *ops;
	void *data;
	const struct text_sink *sink;
	xmlParserCtxtPtr ctxt;
	int depth;
	int too_deep;		/* the depth cap stopped the parser */
	int full;		/* the sink filled: stopped, not an error */
	struct strbuf err;	/* libxml2's first fatal error, else first */
	int err_line, err_fatal;
};

static void stop(struct xml_state *xs)
{
	if (xs->ctxt)
		xmlStopParser(xs->ctxt);
}

static int stopped(const struct xml_state *xs)
{
	return xs->too_deep || xs->full;
}

static void on_start(void *ctx, const xmlChar *name, const xmlChar *prefix,
		     const xmlChar *uri, int nb_ns, const xmlChar **ns,
		     int nb_attrs, int nb_defaulted, const xmlChar **attrs)
{
	struct xml_state *xs = ctx;
	struct xmlpart_attrs a = { (const char **)attrs, nb_attrs };

	(void)prefix, (void)nb_ns, (void)ns, (void)nb_defaulted;
	if (stopped(xs))
		return;
	if (++xs->depth > XMLPART_MAX_DEPTH) {
		xs->too_deep = 1;
		stop(xs);
		return;
	}
	if (xs->ops->start)
		xs->ops->start(xs->data, uri ? (const char *)uri : "",
			       (const char *)name, &a);
}

static void on_end(void *ctx, const xmlChar *name, const xmlChar *prefix,
		   const xmlChar *uri)
{
	struct xml_state *xs = ctx;

	(void)prefix;
	if (stopped(xs))
		return;
	xs->depth--;
	if (xs->ops->end)
		xs->ops->end(xs->data, uri ? (const char *)uri : "",
			     (const char *)name);
}

static void on_text(void *ctx, const xmlChar *text, int len)
{
	struct xml_state *xs = ctx;

	if (stopped(xs) || len <= 0)
		return;
	if (xs->ops->text)
		xs->ops->text(xs->data, (const char *)text, (size_t)len);
	if (xs->sink && sink_full(xs->sink)) {
		xs->full = 1;
		stop(xs);
	}
}

/* Entity declarations are dropped: no entity is ever defined. */
static void on_entity_decl(void *ctx, const xmlChar *name, int type,
			   const xmlChar *public_id, const xmlChar *system_id,
			   xmlChar *content)
{
	(void)ctx, (void)name, (void)type, (void)public_id, (void)system_id;
	(void)content;
}

static xmlEntityPtr no_entity(void *ctx, const xmlChar *name)
{
	(void)ctx, (void)name;
	return NULL;
}

#if LIBXML_VERSION >= 21200
static void on_error(void *ctx, const xmlError *e)
#else
static void on_error(void *ctx, xmlErrorPtr e)
#endif
{
	struct xml_state *xs = ctx;
	const char *nl;
	int fatal;

	if (!e || e->level < XML_ERR_ERROR || !e->message)
		return;
	/* the fatal error says why the part stopped: it wins */
	fatal = e->level == XML_ERR_FATAL;
	if (xs->err_fatal || (xs->err.len && !fatal))
		return;
	xs->err_fatal = fatal;
	strbuf_setlen(&xs->err, 0);
	/* the first line only: libxml2 adds the bad bytes on a second */
	nl = strchr(e->message, '\n');
	strbuf_add(&xs->err, e->message,
		   nl ? (size_t)(nl - e->message) : strlen(e->message));
	while (xs->err.len && xs->err.buf[xs->err.len - 1] == ' ')
		strbuf_setlen(&xs->err, xs->err.len - 1);
	/* our messages are lowercase; libxml2's start with a capital */
	if (xs->err.len && xs->err.buf[0] >= 'A' && xs->err.buf[0] <= 'Z')
		xs->err.buf[0] = (char)(xs->err.buf[0] - 'A' + 'a');
	xs->err_line = e->line;
}

static void drop_generic(void *ctx, const char *fmt, ...)
{
	(void)ctx, (void)fmt;
}

static void drop_structured(void *ctx, xmlErrorPtr err)
{
	(void)ctx, (void)err;
}

void xmlpart_quiet(struct xmlpart_quiet *q)
{
	q->generic = xmlGenericError;
	q->generic_ctx = xmlGenericErrorContext;
	q->structured = xmlStructuredError;
	q->structured_ctx = xmlStructuredErrorContext;
	xmlSetGenericErrorFunc(NULL, drop_generic);
	xmlSetStructuredErrorFunc(NULL, drop_structured);
}

void xmlpart_unquiet(const struct xmlpart_quiet *q)
{
	xmlSetGenericErrorFunc(q->generic_ctx, q->generic);
	xmlSetStructuredErrorFunc(q->structured_ctx, q->structured);
}

static const xmlSAXHandler sax = {
	.getEntity = no_entity,
	.getParameterEntity = no_entity,
	.entityDecl = on_entity_decl,
	.characters = on_text,
	.ignorableWhitespace = on_text,
	.cdataBlock = on_text,
	.initialized = XML_SAX2_MAGIC,
	.startElementNs = on_start,
	.endElementNs = on_end,
	.serror = on_error,
};

/* A piece of the inflated part: parse it; non-zero to stop reading. */
static int feed(void *data, const char *buf, size_t len)
{
	struct xml_state *xs = data;

	while (len && !stopped(xs) && xs->ctxt->wellFormed) {
		int n = len > (1 << 20) ? 1 << 20 : (int)len;

		xmlParseChunk(xs->ctxt, buf, n, 0);
		buf += n;
		len -= (size_t)n;
	}
	return stopped(xs) || !xs->ctxt->wellFormed;
}

/* The status of a parse that read the whole part (or stopped early). */
static enum doc_status verdict(struct xml_state *xs, const char *name,
			       size_t name_len, struct strbuf *msg)
{
	int shown = name_len > 200 ? 200 : (int)name_len;

	if (xs->full)
		return DOC_OK;
	if (xs->too_deep) {
		strbuf_addf(msg, "'%.*s' nests elements deeper than %d",
			    shown, name, XMLPART_MAX_DEPTH);
		return DOC_DAMAGED;
	}
	if (xs->ctxt->wellFormed)
		return DOC_OK;
	strbuf_addf(msg, "'%.*s' is not well-formed xml", shown, name);
	if (xs->err.len)
		strbuf_addf(msg, " (line %d: %s)", xs->err_line, xs->err.buf);
	return DOC_DAMAGED;
}

enum doc_status xmlpart_read(struct zippkg *z, size_t i,
			     const struct xmlpart_ops *ops, void *data,
			     const struct text_sink *sink, struct strbuf *msg)
{
	struct xml_state xs;
	struct xmlpart_quiet q;
	enum doc_status st;
	size_t name_len;
	const char *name = zippkg_name(z, i, &name_len);

	memset(&xs, 0, sizeof(xs));
	xs.ops = ops;
	xs.data = data;
	xs.sink = sink;
	strbuf_init(&xs.err, 0);
	xmlInitParser();
	xmlpart_quiet(&q);
	xs.ctxt = xmlCreatePushParserCtxt((xmlSAXHandlerPtr)&sax, &xs, NULL,
					  0, NULL);
	if (!xs.ctxt)
		die("out of memory");
	/* no XML_PARSE_NOENT, no DTD loading, no XML_PARSE_HUGE */
	xmlCtxtUseOptions(xs.ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR |
				   XML_PARSE_NOWARNING);
	xs.ctxt->replaceEntities = 0;
	st = zippkg_read(z, i, feed, &xs, msg);
	if (st == DOC_OK) {
		if (!stopped(&xs) && xs.ctxt->wellFormed)
			xmlParseChunk(xs.ctxt, NULL, 0, 1);
		st = verdict(&xs, name, name_len, msg);
	}
	/*
	 * An entity declaration makes libxml2 hold it in a document of its
	 * own ("SAX compatibility mode"), which the context does not free.
	 */
	if (xs.ctxt->myDoc)
		xmlFreeDoc(xs.ctxt->myDoc);
	xmlFreeParserCtxt(xs.ctxt);
	xmlpart_unquiet(&q);
	strbuf_release(&xs.err);
	return st;
}

const char *xmlpart_attr(const struct xmlpart_attrs *attrs, const char *uri,
			 const char *name, size_t *len)
{
	for (int k = 0; k < attrs->n; k++) {
		const char **a = attrs->v + 5 * k;
		const char *auri = a[2] ? a[2] : "";

		if (!strcmp(a[0], name) && !strcmp(auri, uri)) {
			*len = (size_t)(a[4] - a[3]);
			return a[3];
		}
	}
	return NULL;
}

int xmlpart_attr_is(const struct xmlpart_attrs *attrs, const char *uri,
		    const char *name, const char *value)
{
	size_t len;
	const char *v = xmlpart_attr(attrs, uri, name, &len);

	return v && len == strlen(value) && !memcmp(v, value, len);
}

long xmlpart_find_opc(const struct zippkg *z, const char *name, size_t len)
{
	size_t n = zippkg_count(z);
	long found = -1;

	if (len && name[0] == '/')
		name++, len--;
	for (size_t i = 0; i < n; i++) {
		size_t plen;
		const char *p = zippkg_name(z, i, &plen);

		if (plen != len)
			continue;
		if (!memcmp(p, name, len))
			return (long)i;
		if (found < 0 && !strncasecmp(p, name, len) &&
		    !memchr(p, '\0', len))
			found = (long)i;
	}
	return found;
}
