/*
 * epub.c - the EPUB format: the text of a book is the text of its content
 * documents in reading order, each by the HTML rule (html.h).  The small
 * parts that say what the book holds (META-INF/container.xml, the package
 * document, META-INF/encryption.xml) are parsed whole with libxml2 under
 * safe options; the content documents are inflated and parsed as they
 * stream.  The rule is in wcindex(1) and tests/ref_html.py.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "../strbuf.h"
#include "../util.h"
#include "html.h"
#include "sink.h"
#include "xmlpart.h"
#include "zippkg.h"

/* The largest container.xml, package document or encryption.xml read. */
#define EPUB_XML_MAX (4u << 20)

static const char epub_mimetype[] = "application/epub+zip";

struct epub_item {
	char *id, *href, *type;
	size_t order;		/* in the manifest: the first of an id wins */
	int done;		/* already extracted (the spine names it again) */
};

struct epub_book {
	struct zippkg *zip;
	struct text_sink *sink;
	struct strbuf opf_dir;	/* "OEBPS/", or "" */
	struct epub_item *items;
	size_t nr_items, alloc_items;
	char **spine;		/* idrefs, in order */
	size_t nr_spine, alloc_spine;
	char **locked;		/* encrypted parts (not font obfuscation) */
	size_t nr_locked, alloc_locked;
	size_t missing;
	struct strbuf first_missing;
};

/*
 * Parse part name of the zip whole, or NULL (and *st set when that is
 * worse than the part being absent or unparsable: a limit, encryption).
 * No network, no DTD, no entity substitution: a book's XML cannot reach
 * out or expand.
 */
static xmlDocPtr epub_parse(struct epub_book *b, const char *name,
			    enum doc_status *st, struct strbuf *msg)
{
	struct strbuf buf = STRBUF_INIT;
	long i = zippkg_find(b->zip, name);
	struct xmlpart_quiet q;
	xmlDocPtr doc = NULL;

	if (i < 0)
		return NULL;
	*st = zippkg_read_small(b->zip, (size_t)i, &buf, EPUB_XML_MAX, msg);
	if (*st != DOC_OK || buf.len > 0x7fffffff)
		goto out;
	xmlpart_quiet(&q);
	doc = xmlReadMemory(buf.buf, (int)buf.len, name, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING);
	xmlpart_unquiet(&q);
out:
	strbuf_release(&buf);
	return doc;
}

static int epub_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static char *epub_attr(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	char *s;

	if (!v)
		return NULL;
	s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

/* The first element of that name, in document order. */
static const xmlNode *epub_first(const xmlNode *n, const char *name)
{
	for (; n; n = n->next) {
		const xmlNode *f;

		if (epub_is(n, name))
			return n;
		if (n->type == XML_ELEMENT_NODE &&
		    (f = epub_first(n->children, name)))
			return f;
	}
	return NULL;
}

static int epub_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * The part an href names, relative to the directory dir ("" or ending in
 * '/'): the fragment dropped, %XX decoded, "." and ".." applied.  Returns
 * -1 for a URL with a scheme, a NUL, or a path that leaves the package.
 */
static int epub_resolve(const char *dir, const char *href, struct strbuf *out)
{
	struct strbuf path = STRBUF_INIT;
	size_t start, i;
	int ret = -1;

	strbuf_reset(out);
	if (strcspn(href, ":/#?") < strlen(href) &&
	    href[strcspn(href, ":/#?")] == ':')
		goto out;
	if (*href != '/')
		strbuf_addstr(&path, dir);
	for (i = 0; href[i] && href[i] != '#' && href[i] != '?'; i++) {
		int hi, lo;

		if (href[i] == '%' && (hi = epub_hex(href[i + 1])) >= 0 &&
		    (lo = epub_hex(href[i + 2])) >= 0) {
			if (!hi && !lo)
				goto out;
			strbuf_addch(&path, hi * 16 + lo);
			i += 2;
		} else {
			strbuf_addch(&path, href[i]);
		}
	}
	strbuf_addch(&path, '/');
	for (start = 0, i = 0; i < path.len; i++) {
		const char *seg = path.buf + start;
		size_t len = i - start;

		if (path.buf[i] != '/')
			continue;
		start = i + 1;
		if (!len || (len == 1 && *seg == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			char *slash;

			if (!out->len)
				goto out;
			slash = strrchr(out->buf, '/');
			strbuf_setlen(out, slash ? (size_t)(slash - out->buf) : 0);
			continue;
		}
		if (out->len)
			strbuf_addch(out, '/');
		strbuf_add(out, seg, len);
	}
	ret = out->len ? 0 : -1;
out:
	strbuf_release(&path);
	return ret;
}

static int epub_item_cmp(const void *a, const void *b)
{
	const struct epub_item *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* The manifest item of that id (the first one listed), or NULL. */
static struct epub_item *epub_item(struct epub_book *b, const char *id)
{
	size_t lo = 0, hi = b->nr_items;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(b->items[mid].id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < b->nr_items && !strcmp(b->items[lo].id, id) ?
	       &b->items[lo] : NULL;
}

/* The manifest items and the spine's idrefs of a package document. */
static void epub_collect(struct epub_book *b, const xmlNode *n)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (epub_is(n, "item") && n->parent &&
		    epub_is(n->parent, "manifest")) {
			char *id = epub_attr(n, "id"), *href = epub_attr(n, "href");

			if (id && href) {
				struct epub_item *it;

				ALLOC_GROW(b->items, b->nr_items + 1, b->alloc_items);
				it = &b->items[b->nr_items];
				it->id = id;
				it->href = href;
				it->type = epub_attr(n, "media-type");
				it->order = b->nr_items++;
				it->done = 0;
			} else {
				free(id);
				free(href);
			}
		} else if (epub_is(n, "itemref") && n->parent &&
			   epub_is(n->parent, "spine")) {
			char *idref = epub_attr(n, "idref");

			if (idref) {
				ALLOC_GROW(b->spine, b->nr_spine + 1, b->alloc_spine);
				b->spine[b->nr_spine++] = idref;
			}
		}
		epub_collect(b, n->children);
	}
}

/* The parts encryption.xml says are encrypted other than as fonts are. */
static void epub_collect_locked(struct epub_book *b, const xmlNode *n)
{
	static const char *const fonts[] = {
		"http://www.idpf.org/2008/embedding",
		"http://ns.adobe.com/pdf/enc#RC",
	};

	for (; n; n = n->next) {
		const xmlNode *m, *ref;
		char *alg, *uri;
		struct strbuf path = STRBUF_INIT;

		if (!epub_is(n, "EncryptedData")) {
			if (n->type == XML_ELEMENT_NODE)
				epub_collect_locked(b, n->children);
			continue;
		}
		m = epub_first(n->children, "EncryptionMethod");
		ref = epub_first(n->children, "CipherReference");
		alg = m ? epub_attr(m, "Algorithm") : NULL;
		uri = ref ? epub_attr(ref, "URI") : NULL;
		if (uri && !(alg && (!strcmp(alg, fonts[0]) ||
				     !strcmp(alg, fonts[1]))) &&
		    !epub_resolve("", uri, &path)) {
			ALLOC_GROW(b->locked, b->nr_locked + 1, b->alloc_locked);
			b->locked[b->nr_locked++] = strbuf_detach(&path, NULL);
		}
		strbuf_release(&path);
		free(alg);
		free(uri);
	}
}

/*
 * Read container.xml, the package document it names first and
 * encryption.xml into b.  Returns DOC_OK, or why there is no book to read.
 */
static enum doc_status epub_load(struct epub_book *b, struct strbuf *msg)
{
	enum doc_status st = DOC_OK;
	xmlDocPtr doc = epub_parse(b, "META-INF/container.xml", &st, msg);
	const xmlNode *root;
	char *opf = NULL, *slash;

	if (!doc) {
		if (st == DOC_OK) {
			strbuf_addstr(msg, "epub has no readable META-INF/container.xml");
			st = DOC_DAMAGED;
		}
		return st;
	}
	root = epub_first(xmlDocGetRootElement(doc), "rootfile");
	opf = root ? epub_attr(root, "full-path") : NULL;
	xmlFreeDoc(doc);
	if (!opf || !(doc = epub_parse(b, opf, &st, msg))) {
		if (st == DOC_OK) {
			strbuf_addf(msg, "epub package document '%.200s' is missing "
				    "or unreadable", opf ? opf : "");
			st = DOC_DAMAGED;
		}
		free(opf);
		return st;
	}
	slash = strrchr(opf, '/');
	strbuf_add(&b->opf_dir, opf, slash ? (size_t)(slash - opf) + 1 : 0);
	free(opf);
	epub_collect(b, xmlDocGetRootElement(doc));
	xmlFreeDoc(doc);
	qsort(b->items, b->nr_items, sizeof(*b->items), epub_item_cmp);
	doc = epub_parse(b, "META-INF/encryption.xml", &st, msg);
	if (doc) {
		epub_collect_locked(b, xmlDocGetRootElement(doc));
		xmlFreeDoc(doc);
	}
	return st;
}

static int epub_is_html(const char *type)
{
	size_t n;

	if (!type)
		return 0;
	n = strcspn(type, "; \t");
	return (n == 21 && !strncasecmp(type, "application/xhtml+xml", n)) ||
	       (n == 9 && !strncasecmp(type, "text/html", n));
}

static void epub_missing(struct epub_book *b, const char *what)
{
	if (!b->missing++)
		strbuf_addstr(&b->first_missing, what);
}

static int epub_feed(void *data, const char *buf, size_t len)
{
	return html_stream_feed(data, buf, len);
}

/*
 * The part of each content document of the spine, in order, once each;
 * -1 for those missing.  Returns DOC_ENCRYPTED when one is encrypted.
 */
static enum doc_status epub_parts(struct epub_book *b, long *parts,
				  struct strbuf *msg)
{
	struct strbuf path = STRBUF_INIT;
	enum doc_status st = DOC_OK;

	for (size_t s = 0; s < b->nr_spine; s++) {
		struct epub_item *it = epub_item(b, b->spine[s]);

		parts[s] = -2;	/* nothing to read */
		if (!it) {
			epub_missing(b, b->spine[s]);
			continue;
		}
		if (it->done || !epub_is_html(it->type))
			continue;
		it->done = 1;
		if (epub_resolve(b->opf_dir.buf, it->href, &path) < 0 ||
		    (parts[s] = zippkg_find(b->zip, path.buf)) < 0) {
			parts[s] = -2;
			epub_missing(b, it->href);
			continue;
		}
		for (size_t k = 0; k < b->nr_locked; k++)
			if (!strcmp(b->locked[k], path.buf))
				st = DOC_ENCRYPTED;
		if (zippkg_encrypted(b->zip, (size_t)parts[s]))
			st = DOC_ENCRYPTED;
		if (st == DOC_ENCRYPTED) {
			strbuf_addf(msg, "epub content '%.200s' is encrypted",
				    path.buf);
			break;
		}
	}
	strbuf_release(&path);
	return st;
}

/* Extract the content documents of the spine, in order. */
static enum doc_status epub_read_spine(struct epub_book *b, struct strbuf *msg)
{
	long *parts = xcalloc(b->nr_spine + 1, sizeof(*parts));
	enum doc_status st = epub_parts(b, parts, msg);
	struct strbuf damaged = STRBUF_INIT;

	for (size_t s = 0; st == DOC_OK && s < b->nr_spine; s++) {
		struct strbuf why = STRBUF_INIT;
		struct html_stream *h;
		enum doc_status hs;

		if (parts[s] < 0)
			continue;
		if (sink_full(b->sink))
			break;
		sink_break(b->sink);
		h = html_stream_start(b->sink);
		st = zippkg_read(b->zip, (size_t)parts[s], epub_feed, h, msg);
		hs = html_stream_end(h, &why);
		sink_break(b->sink);
		if (st == DOC_OK && hs == DOC_LIMIT) {
			st = hs;
			strbuf_add(msg, why.buf, why.len);
		} else if (st == DOC_OK && hs == DOC_DAMAGED && !damaged.len) {
			strbuf_add(&damaged, why.buf, why.len);
		}
		strbuf_release(&why);
	}
	free(parts);
	if (st == DOC_OK && (b->missing || damaged.len)) {
		if (b->missing)
			strbuf_addf(msg, "%zu spine document%s missing, the "
				    "first '%.200s'", b->missing,
				    b->missing > 1 ? "s are" : " is",
				    b->first_missing.buf);
		else
			strbuf_add(msg, damaged.buf, damaged.len);
		st = DOC_DAMAGED;
	}
	strbuf_release(&damaged);
	return st;
}

static int epub_recognise(struct doc_probe *p)
{
	struct zippkg *z = doc_probe_zip(p);
	size_t a = 0, e;
	const char *type = doc_probe_mimetype(p, &e);

	if (!z)
		return 0;
	if (type) {
		while (a < e && strchr(" \t\r\n", type[a]))
			a++;
		while (e > a && strchr(" \t\r\n", type[e - 1]))
			e--;
		if (e - a == strlen(epub_mimetype) &&
		    !memcmp(type + a, epub_mimetype, e - a))
			return 1;
	}
	return !strcmp(p->src->ext, "epub") &&
	       zippkg_find(z, "META-INF/container.xml") >= 0;
}

static enum doc_status epub_extract(struct doc_probe *p,
				    struct text_sink *sink, struct strbuf *msg)
{
	struct epub_book b;
	enum doc_status st;

	memset(&b, 0, sizeof(b));
	b.zip = doc_probe_zip(p);
	b.sink = sink;
	strbuf_init(&b.opf_dir, 0);
	strbuf_init(&b.first_missing, 0);
	if (!b.zip) {
		strbuf_addstr(msg, "cannot read the zip directory");
		st = DOC_DAMAGED;
		goto out;
	}
	st = epub_load(&b, msg);
	if (st == DOC_OK)
		st = epub_read_spine(&b, msg);
out:
	for (size_t i = 0; i < b.nr_items; i++) {
		free(b.items[i].id);
		free(b.items[i].href);
		free(b.items[i].type);
	}
	for (size_t i = 0; i < b.nr_spine; i++)
		free(b.spine[i]);
	for (size_t i = 0; i < b.nr_locked; i++)
		free(b.locked[i]);
	free(b.items);
	free(b.spine);
	free(b.locked);
	strbuf_release(&b.opf_dir);
	strbuf_release(&b.first_missing);
	return st;
}

const struct format_ops format_epub = {
	.format = FORMAT_EPUB,
	.recognise = epub_recognise,
	.extract = epub_extract,
};
