/*
 * html.h - the streaming HTML extraction that the HTML format module runs
 * on a file and the EPUB module on each content document of a book: bytes
 * go in as they are read or inflated, text comes out into a sink by the
 * HTML rule of wcindex(1), and nothing of the document is held but what
 * libxml2's push parser needs to finish the token it is in.
 */
#ifndef WCINDEX_HTML_H
#define WCINDEX_HTML_H

#include <stddef.h>

#include "format.h"

struct strbuf;
struct text_sink;
struct html_stream;

/* Start extracting one HTML document into sink (which may hold text). */
struct html_stream *html_stream_start(struct text_sink *sink);

/*
 * Hand the parser the next len bytes of the document.  Returns 0 to be
 * fed more, non-zero when the extraction is over (the sink is full, or
 * the document cannot be read further): the caller then stops reading
 * and calls html_stream_end().
 */
int html_stream_feed(struct html_stream *h, const char *buf, size_t len);

/*
 * Finish the document (the text of its unclosed elements is flushed into
 * the sink, which is not finished) and free h.  Returns DOC_OK, or
 * DOC_DAMAGED or DOC_LIMIT with the reason appended to msg; a full sink
 * is the caller's to report.
 */
enum doc_status html_stream_end(struct html_stream *h, struct strbuf *msg);

#endif
