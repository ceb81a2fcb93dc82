/*
 * format.h - the interface of the document formats: each format (HTML,
 * docx, pdf, ...) is one module in src/formats/ that recognises its
 * documents and extracts their text into a text sink (sink.h), which feeds
 * the counting kernel as the text streams out.  The table in formats.c
 * lists the modules; the worker and the archive reader only call
 * formats_recognise() and formats_count() and learn nothing about any
 * one format.
 *
 * A document is read from a descriptor with pread() only, of a size known
 * before: a file on disk, or a member of an archive copied into memory
 * (see formats_extract()).  Every read, every part inflated and every byte
 * of text is held to the archive limits (archive.h), and extraction runs
 * in the worker process under its CPU and memory limits.
 */
#ifndef WCINDEX_FORMAT_H
#define WCINDEX_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "../archive.h"

struct strbuf;
struct text_sink;
struct zippkg;

/*
 * The formats, as stored in entries.format (format_name()).  FORMAT_TEXT
 * is a file counted as its bytes; FORMAT_ARCHIVE a container whose members
 * are rows of their own.  The numbers travel between processes: append.
 */
enum doc_format {
	FORMAT_TEXT = 0,
	FORMAT_HTML,
	FORMAT_DOCX,
	FORMAT_PPTX,
	FORMAT_ODT,
	FORMAT_ODP,
	FORMAT_EPUB,
	FORMAT_PDF,
	FORMAT_ARCHIVE,
	FORMAT_NR
};

/* A set of formats, one bit each: the extraction setting of a root. */
#define FORMAT_BIT(f) (1u << (f))
#define FORMAT_EXTRACTABLE \
	(FORMAT_BIT(FORMAT_HTML) | FORMAT_BIT(FORMAT_DOCX) | \
	 FORMAT_BIT(FORMAT_PPTX) | FORMAT_BIT(FORMAT_ODT) | \
	 FORMAT_BIT(FORMAT_ODP) | FORMAT_BIT(FORMAT_EPUB) | \
	 FORMAT_BIT(FORMAT_PDF))

/* "text", "html", "docx", ...; NULL past FORMAT_NR. */
const char *format_name(enum doc_format f);

/* The format of that name; -1 when there is none. */
int format_by_name(const char *name, size_t len);

/* What is known of a document before its text is read. */
struct doc_source {
	int fd;			/* read with pread() only */
	uint64_t size;		/* bytes from offset 0 */
	const char *ext;	/* lowercased name suffix ("html"), or "" */
};

/*
 * The first 8 bytes of an OLE2 compound file: what an encrypted office
 * document is (and a legacy .doc or .ppt).
 */
#define FORMAT_OLE2_MAGIC "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

/* How many leading bytes recognise() is given (fewer for short files). */
#define FORMAT_HEAD_BYTES 4096

/* The largest "mimetype" part of a zip package that is read. */
#define DOC_MIMETYPE_MAX 256

/*
 * What a module's recognise() looks at: the head of the document, its
 * extension, and for a zip file its package (opened once, on the first
 * doc_probe_zip(), and shared with extract()).  The small parts several
 * recognisers ask about are read once per probe and kept here with the
 * package: each recogniser asking again would inflate them again, and
 * charge them again to the package's limits.
 */
struct doc_probe {
	const struct doc_source *src;
	const unsigned char *head;
	size_t head_len;
	const struct archive_limits *lim;
	struct zippkg *zip;	/* doc_probe_zip()'s, or NULL */
	int zip_tried;
	/* doc_probe_mimetype(): 1 read, -1 missing or unreadable, 0 not yet */
	int mimetype_state;
	size_t mimetype_len;
	char mimetype[DOC_MIMETYPE_MAX];
	/* ooxml.c: the format [Content_Types].xml says, plus 1; 0 not yet */
	int ct_format;
};

/*
 * Start a probe of the document src, whose first len bytes are at head
 * (NULL when len is 0), under lim: only the first FORMAT_HEAD_BYTES of
 * head are looked at, and no zip package is open yet.
 */
void doc_probe_init(struct doc_probe *p, const struct doc_source *src,
		    const unsigned char *head, size_t len,
		    const struct archive_limits *lim);

/*
 * The format whose documents carry this extension ("htm": FORMAT_HTML),
 * or FORMAT_TEXT: the one list of document extensions.
 */
enum doc_format format_of_ext(const char *ext);

/*
 * The zip package of the document, or NULL when it is not a zip whose
 * directory can be read.  Opened on the first call; freed by the caller
 * of recognise() and extract().
 */
struct zippkg *doc_probe_zip(struct doc_probe *p);

/*
 * The bytes of the zip package's "mimetype" part (the ODF and EPUB
 * signature), their count in *len; NULL when the document is no zip
 * package or the part is missing, unreadable or longer than
 * DOC_MIMETYPE_MAX.  Read on the first call only.
 */
const char *doc_probe_mimetype(struct doc_probe *p, size_t *len);

/* What an extraction came to. */
enum doc_status {
	DOC_OK = 0,
	DOC_ENCRYPTED,		/* encrypted or password-protected: no counts */
	DOC_LIMIT,		/* a limit was hit: counts are partial */
	DOC_DAMAGED,		/* the document is corrupt: counts are partial */
	DOC_UNSUPPORTED,	/* this build cannot read the format */
};

struct format_ops {
	enum doc_format format;
	/*
	 * Whether the document is one of this format, from its content
	 * (and, for formats without a signature, its extension): 1 or 0.
	 * Reads nothing but p's head and the zip package.
	 */
	int (*recognise)(struct doc_probe *p);
	/*
	 * Extract the text into sink (the text rules of the format are in
	 * wcindex(1)).  Returns the status; anything else than DOC_OK has
	 * its reason in msg (lowercase, no final period).  Stops early when
	 * sink_full() says the text budget is spent (DOC_LIMIT).
	 */
	enum doc_status (*extract)(struct doc_probe *p, struct text_sink *sink,
				   struct strbuf *msg);
};

/*
 * The format of the document p describes, trying the modules in the
 * table's order, among those in the set `enabled` (FORMAT_BIT()s);
 * FORMAT_TEXT when none claims it.  *would gets the format it is whatever
 * the set says (FORMAT_TEXT for none), so that a row records what a file
 * is even when its extraction is off.
 */
enum doc_format formats_recognise(struct doc_probe *p, unsigned enabled,
				  enum doc_format *would);

/*
 * Whether a document of the given head and extension may be one of the
 * formats in `enabled`, judged without reading it whole: what the archive
 * reader asks before it copies a member into memory to read it as a
 * document.  A zip or OLE2 head says so only with the extension of a zip
 * or office format (inside an archive, another zip is a container).
 */
int formats_candidate(const unsigned char *head, size_t len, const char *ext,
		      unsigned enabled);

/*
 * Extract the text of a document recognised as f, counting it with st's
 * mode into st.  Returns the status, with msg set when not DOC_OK.
 */
struct count_state;
enum doc_status formats_extract(struct doc_probe *p, enum doc_format f,
				struct count_state *st, struct strbuf *msg);

/*
 * Count the text of a document recognised as f, from start to end, with
 * mode into *out: formats_extract() between count_init() and
 * count_finish(), and no counts at all (zeros) for an encrypted
 * document.  Returns the status, with msg set when not DOC_OK.  The
 * caller still frees p->zip.
 */
enum doc_status formats_count(struct doc_probe *p, enum doc_format f,
			      enum count_mode mode, struct counts *out,
			      struct strbuf *msg);

/*
 * How many bytes a module asks for in one read of a document (and hands
 * its parser at once): FORMAT_READ_SIZE, unless a test set a smaller one
 * to cut documents at every boundary.  Zip parts come out of zlib in
 * pieces of this size at most too.
 */
#define FORMAT_READ_SIZE (64 * 1024)
size_t formats_read_size(void);
void formats_set_read_size(size_t n);

/*
 * The formats this build can extract (FORMAT_BIT()s): those whose library
 * configure found.
 */
unsigned formats_available(void);

/*
 * Whether a file of this extension, which no module claimed, is read as
 * it should be: 0 when the extension is that of a document format this
 * build cannot read (its library was missing), else 1.
 */
int formats_readable_ext(const char *ext);

/*
 * The names of the extractable formats, separated by spaces, appended to
 * sb: those this build reads (have 1) or those it counts as their bytes
 * for want of a library (have 0), then " (without LIB, ...)".
 */
void formats_describe(struct strbuf *sb, int have);

#endif
