/*
 * archive.h - counting the documents inside archives and compressed files,
 * member by member, straight from the stream: nothing is ever written to
 * disk and no member name ever touches the file system.
 *
 * Containers: tar (plain, gzip, bzip2, xz, zstd, compress), zip, 7z, cpio
 * and ISO 9660.  Single compressed files (gzip, bzip2, xz, zstd, compress)
 * are one document: what they decompress to.  Only those formats and
 * filters are enabled: none that runs an external program, none (mtree)
 * that opens files named inside the archive.
 *
 * Archives are hostile input: every member and every container is held to
 * limits on the bytes produced, the expansion ratio, the number of members
 * and the nesting depth, and the names it brings to the index to a budget
 * of their own (see ARCHIVE_NAME_MAX and archive_count()).  Nested
 * containers are read from their parent's stream.
 */
#ifndef WCINDEX_ARCHIVE_H
#define WCINDEX_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "count.h"

/* How many leading bytes archive_sniff() wants to see (ISO 9660 needs 32774). */
#define ARCHIVE_SNIFF_BYTES 32774

/*
 * A member path longer than this is stored cut, with a marker that says
 * how long it was and which member it is (so that two cut paths never
 * meet), and member_result.name_cut set.
 */
#define ARCHIVE_NAME_MAX 4096

/* Separator between the levels of a nested member's name: "a.zip!/b.txt". */
#define ARCHIVE_NEST_SEP "!/"

/*
 * Append one level's member name (len bytes, any bytes) to the member path
 * in sb, after the ARCHIVE_NEST_SEP that joins it to its archive's name;
 * first says it is the first level (sb holds nothing of the path yet).
 * So that no name reads as two levels ("in.zip!/x.txt", the member of
 * that name, against x.txt inside in.zip) the encoding is reversible:
 * every run of '!' that comes before a '/' or ends the name is doubled
 * (a separator's '!' never is), and an empty first name, which would be
 * the archive's own row, is written as a lone separator.  Names without
 * "!/" that do not end in '!' are stored as they are.
 */
struct strbuf;
void archive_name_add(struct strbuf *sb, const char *name, size_t len,
		      int first);

enum archive_kind {
	ARCHIVE_NONE = 0,	/* not an archive: count it as plain bytes */
	ARCHIVE_CONTAINER,	/* tar, zip, 7z, cpio, iso (possibly compressed) */
	ARCHIVE_COMPRESSED,	/* a single compressed stream: one document */
};

struct archive_limits {
	uint64_t member_bytes;	/* bytes one member may produce */
	uint64_t total_bytes;	/* bytes a whole container may produce */
	uint64_t ratio;		/* produced / stored bytes of a container */
	uint64_t members;	/* members of one container, nested ones included */
	unsigned depth;		/* nesting: 1 = no archive inside an archive */
};

/*
 * The ratio limit applies only past this many bytes produced, so that
 * small files pass (a container's, or a document package's).
 */
#define RATIO_FLOOR (16ull << 20)

/* Sane defaults (documented in wcindex(1)). */
void archive_limits_default(struct archive_limits *lim);

enum member_kind {
	MEMBER_FILE = 0,	/* a regular file: counts are valid */
	MEMBER_LINK,		/* a symlink or hardlink: recorded, never followed */
	MEMBER_ARCHIVE,		/* a nested container: its members follow */
};

enum member_status {
	MEMBER_OK = 0,
	MEMBER_LIMIT,		/* a limit was hit: counts are partial */
	MEMBER_ERROR,		/* the stream broke inside this member */
	MEMBER_ENCRYPTED,	/* an encrypted document: no counts */
};

struct member_result {
	const char *name;	/* full member path, nested levels joined */
	size_t name_len;	/* by ARCHIVE_NEST_SEP; opaque bytes */
	enum member_kind kind;
	enum member_status status;
	const char *message;	/* why, when status is not MEMBER_OK */
	struct counts counts;	/* MEMBER_FILE: what was read */
	int64_t mtime_ns;	/* as the archive declares it */
	const char *link_target;	/* MEMBER_LINK: as declared, or NULL */
	int compressed;		/* MEMBER_FILE: counts of what it decompresses to */
	int name_cut;		/* name is cut at ARCHIVE_NAME_MAX, and marked */
	unsigned format;	/* MEMBER_FILE: enum doc_format of its content */
	int document;		/* its text was extracted (format says which) */
};

/*
 * Called for every member in archive order.  A non-zero return stops the
 * reading (the summary then says so).
 */
typedef int (*archive_member_fn)(void *data, const struct member_result *m);

struct archive_summary {
	int container;			/* read as a container, not one document */
	enum member_status status;	/* of the container as a whole */
	char message[256];		/* libarchive's error or the limit hit */
	uint64_t members;		/* members reported */
	uint64_t bytes_in;		/* stored bytes read */
	uint64_t bytes_out;		/* bytes produced by all members */
	struct counts counts;		/* ARCHIVE_COMPRESSED: the document */
	unsigned format;		/* ARCHIVE_COMPRESSED: its doc_format */
	int document;			/* ... and its text was extracted */
	int encrypted;			/* ... and it is encrypted: no counts */
};

/*
 * How archive_read_file() reads: the counting mode, the limits (NULL:
 * the defaults), the document formats whose text is extracted
 * (FORMAT_BIT()s of formats/format.h; 0: every member is its bytes) and
 * the file's name, whose inner extension ("page.html.gz": html) names
 * the document a compressed file holds.
 */
struct archive_read_how {
	enum count_mode mode;
	const struct archive_limits *lim;
	unsigned formats;
	const char *name;
};

/*
 * A member that may be a document of an enabled format (formats_candidate())
 * is copied into memory, at most this many bytes, and read by its
 * format; a larger one is recorded with MEMBER_LIMIT and no counts.
 */
#define ARCHIVE_DOC_MAX (256ull << 20)

/*
 * Which kind of file starts with these bytes (len may be less than
 * ARCHIVE_SNIFF_BYTES for a short file).  Decided by magic numbers only,
 * never by the name: a text file called x.zip is ARCHIVE_NONE.
 */
enum archive_kind archive_sniff(const unsigned char *buf, size_t len);

/*
 * Read the archive or compressed file open on fd (from its current offset)
 * and count every regular member with the given mode, calling fn for each
 * member.  For ARCHIVE_COMPRESSED no member is reported: the decompressed
 * document's counts are in sum->counts.  Returns 0 when the container was
 * read to its end (sum->status tells if a limit was hit or a member broke),
 * -1 when it could not be read at all or broke part way (sum->status is
 * MEMBER_ERROR and sum->message says why; members before the damage were
 * already reported).
 */
int archive_count(int fd, enum archive_kind kind, enum count_mode mode,
		  const struct archive_limits *lim, archive_member_fn fn,
		  void *data, struct archive_summary *sum);

/*
 * archive_count(), with documents: each member that is a document of a
 * format in how->formats is counted as its text (member_result.format
 * and .document say so; an encrypted one has MEMBER_ENCRYPTED), and so is
 * a compressed file's document (sum->format, ->document, ->encrypted).
 */
int archive_read_file(int fd, enum archive_kind kind,
		      const struct archive_read_how *how, archive_member_fn fn,
		      void *data, struct archive_summary *sum);

#endif
