/*
 * pdf.c - the PDF format: text extracted through poppler-glib, laid out
 * as pdftotext(1) lays it out in its default (reading order) mode, less
 * its blank lines and form feeds.  The rule is in wcindex(1).
 *
 * poppler-glib has no call for pdftotext's text: poppler_page_get_text()
 * gives the text of a selection of the whole page (as do
 * poppler_page_get_text_for_area() and every selection style of
 * poppler_page_get_selected_text(), to the byte), which is pdftotext's
 * lines in pdftotext's order, with two differences that this module
 * undoes from the box of each character (poppler_page_get_text_layout()):
 *
 *  - where poppler takes blocks side by side (table cells, a bullet and
 *    its item) as one line, it glues the last word of a block to the first
 *    of the next without a space ("MeanStandard"); pdftotext puts each
 *    block on lines of its own.  Two characters with nothing between them
 *    whose boxes lie apart (further than FAR of their size) start a new
 *    line here.
 *  - pdftotext joins a line that ends in '-' to the next one and drops
 *    the hyphen ("com-" "pile" is "compile"); the selection keeps both.
 *    Here too, unless the next line is above it (the top of another
 *    column).  pdftotext also keeps the hyphen at the end of a flow of
 *    text, which poppler-glib does not show: such a word is one here.
 *
 * A document is opened from a duplicate of its descriptor, which poppler
 * owns and reads with pread() (or read() if it is not a regular file,
 * which moves no offset the caller relies on: it uses pread() only).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <poppler.h>

#include "../strbuf.h"
#include "format.h"
#include "sink.h"

/*
 * Characters further apart than this many times their size are not one
 * word.  poppler breaks words at a gap of a fraction of a space (about 0.1
 * of the font size), so two characters it glues across a wider gap come
 * from two blocks; but in a line of one-letter words ("a a a") it may take
 * gaps of 0.28 for no break, as pdftotext does.  Blocks side by side stand
 * further apart: 0.8 for a bullet and its item, more for table columns.
 * Every document tried agrees with pdftotext from 0.4 to 0.7.
 */
#define FAR 0.5

/* The longest reason taken from a poppler message. */
#define MSG_MAX 160

static int recognise(struct doc_probe *p)
{
	/*
	 * Where poppler looks for the header without a warning that the file
	 * may not be a PDF: it starts within the first 1019 bytes, so that it
	 * ends within 1024.
	 */
	size_t n = p->head_len < 1023 ? p->head_len : 1023;

	/* memmem(): every file's head is looked at, most of them text */
	return n >= 5 && memmem(p->head, n, "%PDF-", 5) != NULL;
}

static void log_nothing(const gchar *domain, GLogLevelFlags level,
			const gchar *message, gpointer data)
{
}

/*
 * poppler-glib logs its criticals and, in builds that debug, every syntax
 * error poppler recovers from through g_log (and glib its own troubles):
 * a worker reading thousands of hostile PDFs must not write them to the
 * terminal.  Once per process.
 */
static void silence_logs(void)
{
	static const char *const domains[] = {
		"Poppler", "GLib", "GLib-GObject", "GLib-GIO",
	};
	static gsize once;

	if (!g_once_init_enter(&once))
		return;
	for (size_t i = 0; i < G_N_ELEMENTS(domains); i++)
		g_log_set_handler(domains[i], G_LOG_LEVEL_MASK |
				  G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION,
				  log_nothing, NULL);
	g_once_init_leave(&once, 1);
}

/*
 * A poppler message as a reason: first letter lowercase unless it starts
 * an acronym ("PDF document is damaged"), no final period, bounded.
 */
static void add_reason(struct strbuf *msg, const char *text)
{
	size_t len = strnlen(text, MSG_MAX);
	size_t start = msg->len;

	while (len && (text[len - 1] == '.' || text[len - 1] == '\n' ||
		       text[len - 1] == ' '))
		len--;
	strbuf_add(msg, text, len);
	if (len >= 2 && g_ascii_isupper(text[0]) && !g_ascii_isupper(text[1]))
		msg->buf[start] = g_ascii_tolower(text[0]);
	if (!len)
		strbuf_addstr(msg, "cannot read the document");
}

static int is_space(gunichar c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Whether the boxes of two characters lie apart: two words. */
static int apart(const PopplerRectangle *a, const PopplerRectangle *b)
{
	double gap = MAX(MAX(b->x1 - a->x2, a->x1 - b->x2),
			 MAX(b->y1 - a->y2, a->y1 - b->y2));
	double size = MAX(MAX(a->x2 - a->x1, a->y2 - a->y1),
			  MAX(b->x2 - b->x1, b->y2 - b->y1));

	return size > 0 && gap > FAR * size;
}

/*
 * The page's text as pdftotext lays it out (see the top of this file),
 * from poppler's text and the boxes of its characters, one per character
 * (n of them), into out.
 */
static void lay_out(const char *text, const PopplerRectangle *box, size_t n,
		    struct strbuf *out)
{
	const char *s = text;
	const PopplerRectangle *prev = NULL;
	gunichar prev_c = '\n';

	for (size_t i = 0; *s; i++) {
		const char *next = g_utf8_next_char(s);
		gunichar c = g_utf8_get_char(s);

		if (i >= n) {	/* no boxes left: the rest as poppler has it */
			strbuf_addstr(out, s);
			return;
		}
		if (c == '-' && next[0] == '\n' && next[1] && i + 2 < n &&
		    !is_space(g_utf8_get_char(next + 1)) &&
		    box[i + 2].y1 >= box[i].y1) {
			/* a hyphenated line: the word goes on */
			s = next + 1;
			i++;
			prev = NULL;
			prev_c = '\n';
			continue;
		}
		if (prev && !is_space(c) && !is_space(prev_c) &&
		    apart(prev, &box[i]))
			strbuf_addch(out, '\n');
		strbuf_add(out, s, (size_t)(next - s));
		prev = &box[i];
		prev_c = c;
		s = next;
	}
}

/* One page's text into the sink; 0, or -1 when the page cannot be read. */
static int page_text(PopplerDocument *doc, int i, struct text_sink *sink,
		     struct strbuf *buf)
{
	PopplerPage *page = poppler_document_get_page(doc, i);
	PopplerRectangle *box = NULL;
	guint n = 0;
	char *text;

	if (!page)
		return -1;
	text = poppler_page_get_text(page);
	strbuf_reset(buf);
	if (text && *text) {
		/*
		 * Boxes that do not match the text one to one are no guide;
		 * nor is text that is not UTF-8, which lay_out() could not
		 * walk safely.
		 */
		if (g_utf8_validate(text, -1, NULL) &&
		    poppler_page_get_text_layout(page, &box, &n) &&
		    (glong)n == g_utf8_strlen(text, -1))
			lay_out(text, box, n, buf);
		else
			strbuf_addstr(buf, text);
	}
	sink_verbatim(sink, buf->buf, buf->len);
	sink_break(sink);
	g_free(box);
	g_free(text);
	g_object_unref(page);
	return 0;
}

static enum doc_status extract(struct doc_probe *p, struct text_sink *sink,
			       struct strbuf *msg)
{
	enum doc_status status = DOC_OK;
	struct strbuf buf = STRBUF_INIT;
	PopplerDocument *doc;
	GError *err = NULL;
	int fd, pages;

	silence_logs();
	fd = dup(p->src->fd);
	if (fd < 0) {
		strbuf_addf(msg, "cannot duplicate the descriptor: %s",
			    g_strerror(errno));
		return DOC_DAMAGED;
	}
	/* poppler owns fd from here, and closes it even when it fails */
	doc = poppler_document_new_from_fd(fd, NULL, &err);
	if (!doc) {
		if (err && g_error_matches(err, POPPLER_ERROR,
					   POPPLER_ERROR_ENCRYPTED)) {
			strbuf_addstr(msg, "the document needs a password");
			status = DOC_ENCRYPTED;
		} else {
			add_reason(msg, err ? err->message : "");
			status = DOC_DAMAGED;
		}
		goto out;
	}
	pages = poppler_document_get_n_pages(doc);
	/* a broken page tree (pdftotext fails on it too) */
	if (pages <= 0) {
		strbuf_addstr(msg, "document has no pages");
		status = DOC_DAMAGED;
		goto out;
	}
	/* the pages are the members of a PDF: as many as an archive may hold */
	if ((uint64_t)pages > p->lim->members) {
		strbuf_addf(msg, "document has %d pages, more than "
			    "--max-members (%llu): the first counted", pages,
			    (unsigned long long)p->lim->members);
		status = DOC_LIMIT;
		pages = (int)p->lim->members;
	}
	for (int i = 0; i < pages && !sink_full(sink); i++) {
		/* as pdftotext does, the other pages are read all the same */
		if (page_text(doc, i, sink, &buf) < 0 && status == DOC_OK) {
			strbuf_addf(msg, "cannot read page %d", i + 1);
			status = DOC_DAMAGED;
		}
	}
out:
	if (err)
		g_error_free(err);
	if (doc)
		g_object_unref(doc);
	strbuf_release(&buf);
	return status;
}

/* The PDF module, for the table of formats.c (when poppler-glib is there). */
const struct format_ops format_pdf = {
	.format = FORMAT_PDF,
	.recognise = recognise,
	.extract = extract,
};
