/*
 * html.c - the HTML and XHTML format: the text a browser renders from a
 * page's body, by the rule of wcindex(1) (mirrored in tests/ref_html.py).
 * libxml2's HTML push parser is driven with a SAX handler of our own, so
 * that no tree is ever built: elements only move a few counters (inside
 * text that is not shown, inside verbatim text) and blocks end lines in
 * the sink.  The same streaming extraction serves EPUB (html.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include "../strbuf.h"
#include "../util.h"
#include "html.h"
#include "sink.h"
#include "xmlpart.h"

/*
 * Bytes the parser may hold unparsed: a token (a tag with its attributes,
 * a comment, a run of text without '<' or '&') longer than this ends the
 * extraction rather than memory.
 */
#define HTML_MAX_PENDING (32u << 20)

/* The most bytes handed to htmlParseChunk() at once. */
#define HTML_PIECE (64 * 1024)

/* How much of a page is looked at for its encoding, as browsers do. */
#define HTML_PRESCAN 1024

enum {
	EL_BLOCK = 1,		/* its start and end end a line */
	EL_HIDDEN = 2,		/* its text is not shown */
	EL_VERBATIM = 4,	/* its text keeps its whitespace */
	EL_LF = 8,		/* a newline right after its start tag is dropped */
	EL_BREAK = 16,		/* a line break (br) */
};

struct element {
	const char *name;
	unsigned flags;
};

/* Sorted by name, for bsearch(); libxml2 gives names in lowercase. */
static const struct element elements[] = {
	{ "address", EL_BLOCK }, { "article", EL_BLOCK },
	{ "aside", EL_BLOCK }, { "blockquote", EL_BLOCK },
	{ "body", EL_BLOCK }, { "br", EL_BREAK },
	{ "caption", EL_BLOCK }, { "center", EL_BLOCK },
	{ "dd", EL_BLOCK }, { "details", EL_BLOCK },
	{ "dialog", EL_BLOCK }, { "dir", EL_BLOCK }, { "div", EL_BLOCK },
	{ "dl", EL_BLOCK }, { "dt", EL_BLOCK }, { "fieldset", EL_BLOCK },
	{ "figcaption", EL_BLOCK }, { "figure", EL_BLOCK },
	{ "footer", EL_BLOCK }, { "form", EL_BLOCK },
	{ "frameset", EL_BLOCK }, { "h1", EL_BLOCK }, { "h2", EL_BLOCK },
	{ "h3", EL_BLOCK }, { "h4", EL_BLOCK }, { "h5", EL_BLOCK },
	{ "h6", EL_BLOCK }, { "head", EL_HIDDEN }, { "header", EL_BLOCK },
	{ "hgroup", EL_BLOCK }, { "hr", EL_BLOCK }, { "html", EL_BLOCK },
	{ "iframe", EL_HIDDEN }, { "legend", EL_BLOCK }, { "li", EL_BLOCK },
	{ "listing", EL_BLOCK | EL_VERBATIM | EL_LF },
	{ "main", EL_BLOCK }, { "math", EL_HIDDEN }, { "menu", EL_BLOCK },
	{ "nav", EL_BLOCK }, { "noembed", EL_HIDDEN },
	{ "noframes", EL_HIDDEN }, { "noscript", EL_HIDDEN },
	{ "ol", EL_BLOCK }, { "p", EL_BLOCK },
	{ "plaintext", EL_BLOCK | EL_VERBATIM },
	{ "pre", EL_BLOCK | EL_VERBATIM | EL_LF },
	{ "script", EL_HIDDEN }, { "section", EL_BLOCK },
	{ "style", EL_HIDDEN }, { "summary", EL_BLOCK }, { "svg", EL_HIDDEN },
	{ "table", EL_BLOCK }, { "tbody", EL_BLOCK }, { "td", EL_BLOCK },
	{ "template", EL_HIDDEN },
	{ "textarea", EL_BLOCK | EL_VERBATIM | EL_LF },
	{ "tfoot", EL_BLOCK }, { "th", EL_BLOCK }, { "thead", EL_BLOCK },
	{ "title", EL_HIDDEN }, { "tr", EL_BLOCK }, { "ul", EL_BLOCK },
	{ "xmp", EL_BLOCK | EL_VERBATIM },
};

struct html_stream {
	htmlParserCtxtPtr ctxt;
	struct text_sink *sink;
	unsigned long hidden;	/* open elements whose text is not shown */
	unsigned long verbatim;	/* open elements whose text is verbatim */
	int drop_lf;		/* the next text starts right after <pre> */
	int stopped;		/* no more input is wanted */
	int begun;		/* the encoding is chosen, pre handed over */
	int ascii;		/* the encoding keeps ASCII bytes as they are */
	struct strbuf pre;	/* the first bytes, until the encoding is chosen */
	char *piece;		/* the input handed to the parser, see html_tail() */
	size_t held;		/* bytes at its start kept from the last piece */
	uint64_t off;		/* bytes parsed (after a byte order mark) */
	size_t width, lo;	/* bytes of a code unit, where its ASCII byte is */
	enum doc_status status;
	struct strbuf why;
	struct xmlpart_quiet quiet;	/* while libxml2 runs */
};

static int html_element_cmp(const void *key, const void *el)
{
	return strcmp(key, ((const struct element *)el)->name);
}

static unsigned html_element_flags(const xmlChar *name)
{
	const struct element *el;

	if (!name)
		return 0;
	el = bsearch(name, elements, sizeof(elements) / sizeof(elements[0]),
		     sizeof(elements[0]), html_element_cmp);
	return el ? el->flags : 0;
}

/*
 * libxml2's messages about a page's markup are not ours to print: the
 * parser's own callbacks drop them, and its global ones are silenced
 * (xmlpart_quiet()) whenever it runs.
 */
static void html_drop_error(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

static void html_start_element(void *data, const xmlChar *name,
			       const xmlChar **atts)
{
	struct html_stream *h = data;
	unsigned fl = html_element_flags(name);

	(void)atts;
	h->drop_lf = 0;
	if (fl & EL_HIDDEN) {
		h->hidden++;
		return;
	}
	if (h->hidden)
		return;
	if (fl & (EL_BLOCK | EL_BREAK))
		sink_break(h->sink);
	if (fl & EL_VERBATIM) {
		h->verbatim++;
		h->drop_lf = !!(fl & EL_LF);
	}
}

static void html_end_element(void *data, const xmlChar *name)
{
	struct html_stream *h = data;
	unsigned fl = html_element_flags(name);

	h->drop_lf = 0;
	if (fl & EL_HIDDEN) {
		if (h->hidden)
			h->hidden--;
		return;
	}
	if (h->hidden)
		return;
	if (fl & EL_BLOCK)
		sink_break(h->sink);
	if ((fl & EL_VERBATIM) && h->verbatim)
		h->verbatim--;
}

static void html_characters(void *data, const xmlChar *ch, int len)
{
	struct html_stream *h = data;
	const char *s = (const char *)ch;
	size_t n = len > 0 ? (size_t)len : 0;

	if (h->hidden || !n)
		return;
	if (h->drop_lf) {
		h->drop_lf = 0;
		if (*s == '\n') {
			s++;
			n--;
		}
	}
	if (h->verbatim)
		sink_verbatim(h->sink, s, n);
	else
		sink_text(h->sink, s, n);
}

struct html_stream *html_stream_start(struct text_sink *sink)
{
	struct html_stream *h = xcalloc(1, sizeof(*h));
	htmlSAXHandler sax;

	xmlInitParser();
	h->sink = sink;
	strbuf_init(&h->why, 0);
	strbuf_init(&h->pre, HTML_PRESCAN);
	h->piece = xmalloc(HTML_PIECE);
	memset(&sax, 0, sizeof(sax));
	sax.startElement = html_start_element;
	sax.endElement = html_end_element;
	sax.characters = html_characters;
	sax.ignorableWhitespace = html_characters;
	sax.cdataBlock = html_characters;
	sax.error = html_drop_error;
	sax.warning = html_drop_error;
	sax.fatalError = html_drop_error;
	xmlpart_quiet(&h->quiet);
	h->ctxt = htmlCreatePushParserCtxt(&sax, h, NULL, 0, NULL,
					   XML_CHAR_ENCODING_NONE);
	if (!h->ctxt)
		die("out of memory");
	/* RECOVER: a script ends at its own end tag, not at any "</x". */
	htmlCtxtUseOptions(h->ctxt, HTML_PARSE_NONET | HTML_PARSE_NOERROR |
			   HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER |
			   HTML_PARSE_COMPACT);
	xmlpart_unquiet(&h->quiet);
	return h;
}

/*
 * The value of the first `word` "=" VALUE (case-insensitive word,
 * optional quotes) in p[0..n), as an encoding name into out; 0 if none.
 */
static int html_find_attr(const char *p, size_t n, const char *word,
			  char *out, size_t outsize)
{
	size_t wl = strlen(word);

	for (size_t i = 0; i + wl <= n; i++) {
		size_t j = i + wl, k = 0;

		if (strncasecmp(p + i, word, wl))
			continue;
		while (j < n && strchr(" \t\n\r\f", p[j]) && p[j])
			j++;
		if (j >= n || p[j++] != '=')
			continue;
		while (j < n && strchr(" \t\n\r\f", p[j]) && p[j])
			j++;
		if (j < n && (p[j] == '"' || p[j] == '\''))
			j++;
		while (j < n && k + 1 < outsize &&
		       (isalnum((unsigned char)p[j]) || strchr("._:-", p[j])) &&
		       p[j])
			out[k++] = p[j++];
		out[k] = '\0';
		if (k)
			return 1;
	}
	return 0;
}

/*
 * The encoding the first bytes declare: an XML declaration's, else that
 * of the first <meta> with a charset (its own or in http-equiv's
 * content).  0 if none.
 */
static int html_declared(const char *p, size_t n, char *out, size_t outsize)
{
	const char *end;

	if (n >= 5 && !memcmp(p, "<?xml", 5) &&
	    (end = memmem(p, n, "?>", 2)) &&
	    html_find_attr(p, (size_t)(end - p), "encoding", out, outsize))
		return 1;
	for (size_t i = 0; i + 6 <= n; i++) {
		if (p[i] != '<' || strncasecmp(p + i + 1, "meta", 4) ||
		    !strchr(" \t\n\r\f/", p[i + 5]) || !p[i + 5])
			continue;
		end = memchr(p + i, '>', n - i);
		if (!end)
			return 0;
		if (html_find_attr(p + i, (size_t)(end - p - i), "charset",
				   out, outsize))
			return 1;
	}
	return 0;
}

/*
 * Choose the encoding from the first bytes of the page (a byte order
 * mark, else a declaration, else UTF-8 - where libxml2 would guess
 * ISO-8859-1), then hand those bytes to the parser.
 */
static void html_begin(struct html_stream *h)
{
	const unsigned char *p = (const unsigned char *)h->pre.buf;
	size_t n = h->pre.len, skip = 0;
	char name[64];
	xmlCharEncodingHandlerPtr enc;
	int stop;

	h->begun = 1;
	h->ascii = 1;
	h->width = 1;
	xmlpart_quiet(&h->quiet);
	if (n >= 2 && p[0] == 0xff && p[1] == 0xfe) {
		h->ascii = 0;
		h->width = 2;
		xmlSwitchEncoding(h->ctxt, XML_CHAR_ENCODING_UTF16LE);
		skip = 2;
	} else if (n >= 2 && p[0] == 0xfe && p[1] == 0xff) {
		h->ascii = 0;
		h->width = 2;
		h->lo = 1;
		xmlSwitchEncoding(h->ctxt, XML_CHAR_ENCODING_UTF16BE);
		skip = 2;
	} else {
		if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
			skip = 3;
		/* Pages in UTF-16 say so with a byte order mark only. */
		if (html_declared(h->pre.buf + skip, n - skip, name, sizeof(name)) &&
		    !skip && strncasecmp(name, "utf-", 4) &&
		    (enc = xmlFindCharEncodingHandler(name)))
			xmlSwitchToEncoding(h->ctxt, enc);
		else
			xmlSwitchEncoding(h->ctxt, XML_CHAR_ENCODING_UTF8);
	}
	xmlpart_unquiet(&h->quiet);
	stop = n > skip && html_stream_feed(h, h->pre.buf + skip, n - skip);
	h->stopped = stop;
}

/*
 * Whether the bytes of the page stopped converting to UTF-8 (an encoder
 * leaves at most `slack` bytes of a character cut at the end of a piece):
 * libxml2 keeps the rest unconverted, and says nothing.
 */
static int html_undecodable(struct html_stream *h, size_t slack)
{
	xmlParserInputBufferPtr buf = h->ctxt->input ? h->ctxt->input->buf : NULL;

	if (!buf || !buf->encoder ||
	    (!buf->error && (!buf->raw || xmlBufUse(buf->raw) <= slack)))
		return 0;
	h->status = DOC_DAMAGED;
	strbuf_addf(&h->why, "the page is not valid %s",
		    buf->encoder->name ? buf->encoder->name : "in its encoding");
	return 1;
}

/* Whether the parser has given up on the document: no more input is read. */
static int html_check(struct html_stream *h)
{
	xmlParserInputPtr in = h->ctxt->input;

	if (sink_full(h->sink))
		return 1;
	/*
	 * libxml2 before 2.11 looks for the '>' of a start tag where it last
	 * stopped, but forgets which quote opened the attribute value it
	 * stopped in: cut there, a tag never ends and the rest of the page
	 * waits in memory for the end.  It scans the tag again from its start.
	 */
#if LIBXML_VERSION < 21100
	if (h->ctxt->instate == XML_PARSER_START_TAG &&
	    (h->ctxt->hasPErefs & 1)) {
		h->ctxt->checkIndex = 0;
		h->ctxt->hasPErefs = 0;
	}
#endif
	if (html_undecodable(h, 16))
		return 1;
	if (h->ctxt->instate == XML_PARSER_EOF || h->ctxt->disableSAX) {
		/* the only way for libxml2 to end before its input does */
		h->status = DOC_DAMAGED;
		strbuf_addstr(&h->why, "text after the end of the html "
			      "document is not read");
		return 1;
	}
	/*
	 * Some paths of the push parser (NUL bytes, for one) never drop the
	 * input they have consumed: the buffer would grow with the page.
	 */
	if (in && in->buf && in->cur && in->base &&
	    in->cur - in->base > (1 << 20))
		xmlParserInputShrink(in);
	if (in && in->cur && in->end && in->end - in->cur > HTML_MAX_PENDING) {
		h->status = DOC_LIMIT;
		strbuf_addf(&h->why, "a piece of html markup or text longer "
			    "than %u bytes", HTML_MAX_PENDING);
		return 1;
	}
	return 0;
}

/*
 * libxml2 drops a form feed as a character XML does not allow, gluing the
 * words on either side: in an encoding that keeps ASCII, it is given a
 * space instead (the same whitespace to the layout rule).
 */
static void html_form_feeds(const struct html_stream *h, char *p, size_t len)
{
	char *end = p + len;

	if (!h->ascii)
		return;
	while ((p = memchr(p, '\f', (size_t)(end - p))))
		*p++ = ' ';
}

/*
 * How many bytes at the end of p to hold back for the next piece: the
 * start of an end tag of a script or a style.  libxml2 2.9's push parser
 * in recovery mode takes a "</sty" it cannot see the end of for more of
 * the style's text, and never ends the style.
 */
static size_t html_tail(const struct html_stream *h, const char *p,
			size_t n)
{
	static const char *const ends[] = { "</script>", "</style>" };
	size_t w = h->width, partial = (size_t)((h->off + n) % w);
	size_t start, k = 0;
	char a[16];

	/* A piece ends on a code unit (of UTF-16) that is whole. */
	n -= partial;
	start = n > 10 * w ? n - 10 * w : 0;
	while ((h->off + start) % w)
		start++;
	for (size_t i = start; i + w <= n; i += w)
		a[k++] = w == 2 && p[i + 1 - h->lo] ? '?' : p[i + h->lo];
	for (size_t j = k; j-- > 0;) {
		if (a[j] != '<')
			continue;
		for (size_t e = 0; e < sizeof(ends) / sizeof(ends[0]); e++)
			if (k - j < strlen(ends[e]) &&
			    !strncasecmp(a + j, ends[e], k - j))
				return n - start - j * w + partial;
		break;
	}
	return partial;
}

int html_stream_feed(struct html_stream *h, const char *buf, size_t len)
{
	if (h->stopped)
		return 1;
	if (!h->begun) {
		size_t n = HTML_PRESCAN - h->pre.len;

		n = n < len ? n : len;
		strbuf_add(&h->pre, buf, n);
		buf += n;
		len -= n;
		if (h->pre.len < HTML_PRESCAN)
			return 0;
		html_begin(h);
		if (h->stopped)
			return 1;
	}
	xmlpart_quiet(&h->quiet);
	while (len && !h->stopped) {
		size_t n = HTML_PIECE - h->held, total, keep;

		n = n < len ? n : len;
		memcpy(h->piece + h->held, buf, n);
		buf += n;
		len -= n;
		total = h->held + n;
		html_form_feeds(h, h->piece + h->held, n);
		keep = html_tail(h, h->piece, total);
		if (total > keep)
			htmlParseChunk(h->ctxt, h->piece, (int)(total - keep), 0);
		h->off += total - keep;
		memmove(h->piece, h->piece + total - keep, keep);
		h->held = keep;
		h->stopped = html_check(h);
	}
	xmlpart_unquiet(&h->quiet);
	return h->stopped;
}

enum doc_status html_stream_end(struct html_stream *h, struct strbuf *msg)
{
	enum doc_status st;

	if (!h->begun)
		html_begin(h);
	xmlpart_quiet(&h->quiet);
	if (!h->stopped && h->ctxt->instate != XML_PARSER_EOF) {
		htmlParseChunk(h->ctxt, h->piece, (int)h->held, 1);
		if (h->status == DOC_OK && !html_undecodable(h, 0) &&
		    h->ctxt->errNo == XML_ERR_DOCUMENT_END) {
			h->status = DOC_DAMAGED;
			strbuf_addstr(&h->why, "text after the end of the html "
				      "document is not read");
		}
	}
	xmlpart_unquiet(&h->quiet);
	st = h->status;
	if (st != DOC_OK)
		strbuf_add(msg, h->why.buf, h->why.len);
	/* a document libxml2 made on its own (see xmlpart.c) */
	if (h->ctxt->myDoc)
		xmlFreeDoc(h->ctxt->myDoc);
	htmlFreeParserCtxt(h->ctxt);
	strbuf_release(&h->why);
	strbuf_release(&h->pre);
	free(h->piece);
	free(h);
	return st;
}

/* ------------------------------------------------------ the format ---- */

/*
 * The head as ASCII, its length in *len: a UTF-16 head (by its BOM) with
 * every other byte, put in out; a UTF-8 one without its BOM, where it
 * is (most files are not UTF-16: their heads are not copied).
 */
static const unsigned char *html_head_ascii(const unsigned char *p, size_t n,
					    unsigned char *out, size_t *len)
{
	size_t k = 0;

	if (n >= 2 && ((p[0] == 0xff && p[1] == 0xfe) ||
		       (p[0] == 0xfe && p[1] == 0xff))) {
		size_t lo = p[0] == 0xff ? 0 : 1;

		for (size_t i = 2; i + 1 < n; i += 2)
			out[k++] = p[i + 1 - lo] ? '?' : p[i + lo];
		*len = k;
		return out;
	}
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
		p += 3;
		n -= 3;
	}
	*len = n;
	return p;
}

static int html_prefix(const unsigned char *p, size_t n, const char *word)
{
	size_t wl = strlen(word);

	if (n <= wl || strncasecmp((const char *)p, word, wl))
		return 0;
	return p[wl] == '>' || p[wl] == ' ' || p[wl] == '\t' ||
	       p[wl] == '\n' || p[wl] == '\r' || p[wl] == '\f';
}

/* Whether an HTML start (doctype or html tag) is anywhere in p. */
static int html_find_start(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == '<' && (html_prefix(p + i, n - i, "<!doctype html") ||
				    html_prefix(p + i, n - i, "<html")))
			return 1;
	return 0;
}

static int html_recognise(struct doc_probe *p)
{
	unsigned char buf[FORMAT_HEAD_BYTES];
	const unsigned char *a;
	size_t n, i = 0;

	if (p->head_len >= 4 && !memcmp(p->head, "PK\3\4", 4))
		return 0;
	if (p->head_len >= 5 && !memcmp(p->head, "%PDF-", 5))
		return 0;
	a = html_head_ascii(p->head, p->head_len, buf, &n);
	while (i < n && (a[i] == ' ' || a[i] == '\t' || a[i] == '\n' ||
			 a[i] == '\r' || a[i] == '\f'))
		i++;
	/* Comments may come before the doctype. */
	while (i + 4 <= n && !memcmp(a + i, "<!--", 4)) {
		const unsigned char *e = memmem(a + i + 4, n - i - 4, "-->", 3);

		if (!e)
			break;
		i = (size_t)(e - a) + 3;
		while (i < n && strchr(" \t\n\r\f", a[i]) && a[i])
			i++;
	}
	if (html_prefix(a + i, n - i, "<!doctype html") ||
	    html_prefix(a + i, n - i, "<html"))
		return 1;
	if (n - i >= 5 && !memcmp(a + i, "<?xml", 5) &&
	    html_find_start(a + i, n - i))
		return 1;
	if (format_of_ext(p->src->ext) == FORMAT_HTML)
		return !memchr(a, 0, n);
	return 0;
}

static enum doc_status html_extract(struct doc_probe *p,
				    struct text_sink *sink, struct strbuf *msg)
{
	size_t size = formats_read_size();
	char *buf = xmalloc(size);
	struct html_stream *h = html_stream_start(sink);
	enum doc_status st = DOC_OK;
	uint64_t off = 0;

	while (off < p->src->size) {
		uint64_t left = p->src->size - off;
		ssize_t n = pread_full(p->src->fd, buf,
				       left < size ? (size_t)left : size, off);

		if (n <= 0) {
			strbuf_addstr(msg, n < 0 ? "cannot read the page" :
				      "the page is shorter than its size");
			st = DOC_DAMAGED;
			break;
		}
		off += (uint64_t)n;
		if (html_stream_feed(h, buf, (size_t)n))
			break;
	}
	if (st == DOC_OK) {
		st = html_stream_end(h, msg);
	} else {
		struct strbuf ignored = STRBUF_INIT;

		html_stream_end(h, &ignored);
		strbuf_release(&ignored);
	}
	free(buf);
	return st;
}

const struct format_ops format_html = {
	.format = FORMAT_HTML,
	.recognise = html_recognise,
	.extract = html_extract,
};
