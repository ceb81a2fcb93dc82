/*
 * archive.c - count the documents inside archives and compressed files
 * with libarchive, straight from the stream (see archive.h).
 *
 * Every archive is read by a stack of "levels", each one a libarchive
 * reader.  The bottom level reads the file descriptor; every other level
 * reads the data of its parent's current entry through a read callback,
 * so that nothing is ever written to disk and memory stays bounded by
 * the number of levels (and one document, below): a level holds a sniff buffer (ARCHIVE_SNIFF_BYTES)
 * and libarchive's own state, and data passes from level to level in
 * libarchive's own blocks, without copies.  There are two kinds of level:
 *
 *  - a container level reads tar, zip, 7z, cpio or ISO 9660 members and
 *    enables those formats only, without any decompression filter;
 *  - a raw level decompresses one stream (gzip, bzip2, xz, zstd, compress,
 *    stacked in any order) with libarchive's "raw" format, which yields it
 *    as a single entry.
 *
 * A compressed stream is thus always read as raw first; its first bytes
 * decide whether it holds a container (a .tar.gz: a container level is put
 * on top of the raw one, at the same depth and without a name of its own)
 * or a single document.  Containers are recognized by archive_sniff()'s
 * magic numbers at every level, so what counts as an archive does not
 * depend on where it is found; the raw format never competes with the
 * container formats in one reader, where it would win for every file.
 *
 * Formats that must seek (7z, and zip's central directory) can only be
 * read from the file itself: inside another archive a 7z is a plain
 * member, and zips are read with the streaming zip reader.  The file's
 * own zip is read through its central directory, which also lets the
 * reading go on past a damaged member (see resume_zip()).
 *
 * A member that may be a document whose text is extracted (a docx, a web
 * page, a PDF: formats_candidate()) is copied whole into an anonymous
 * memory file, at most ARCHIVE_DOC_MAX bytes, because its format reads it
 * in any order; then the format module reads it from there.
 *
 * Names are passed on as libarchive gives them: raw bytes for the formats
 * that store raw bytes (ustar, GNU tar, cpio, zips without the UTF-8 flag),
 * UTF-8 for those that store Unicode (pax, flagged zips, 7z, Joliet).  For
 * the latter libarchive converts to the charset of the current locale, and
 * in the "C" locale of the worker it fails on any non-ASCII name (a zip
 * member then has no name at all), so the reading runs under a
 * thread-local C.UTF-8 locale when the system has one.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * libarchive's header has the same name as ours: the build puts src/ on
 * the quote include path only (-iquote), so <archive.h> is libarchive's.
 */
#include <archive.h>
#include <archive_entry.h>

#include "archive.h"
#include "count.h"
#include "formats/format.h"
#include "formats/zippkg.h"
#include "fsutil.h"
#include "strbuf.h"
#include "util.h"
#include "zipdir.h"

#define BUF_SIZE	(64 * 1024)
/*
 * Names are held to a budget of their own: a few KiB of compressed
 * headers can name hundreds of MB.  Each header costs its name (as
 * stored) and a row's worth of other columns; an archive may spend
 * META_FLOOR plus META_PER_BYTE for every stored byte read so far, which
 * a real archive, whose headers are part of what it stores, stays far
 * below.
 */
#define META_FLOOR	(256ull << 10)
#define META_PER_BYTE	64
#define META_ROW_COST	128
/*
 * A file is never read this far past the size it had when the reading
 * began: a file that grows as fast as it is read would be endless.  What
 * grew less is read, and the worker's check after the reading sees it.
 */
#define GROWTH_MARGIN	(1ull << 20)
#define ERR_SIZE	256

void archive_limits_default(struct archive_limits *lim)
{
	lim->member_bytes = 1ull << 30;
	lim->total_bytes = 4ull << 30;
	lim->ratio = 1000;
	lim->members = 100000;
	lim->depth = 4;
}

/* ----------------------------------------------------------- sniffing ---- */

enum magic {
	M_NONE = 0,
	M_GZIP, M_BZIP2, M_XZ, M_ZSTD, M_COMPRESS,	/* compressed */
	M_TAR, M_ZIP, M_7Z, M_CPIO, M_ISO,		/* containers */
};

static int has(const unsigned char *buf, size_t len, size_t off,
	       const void *s, size_t n)
{
	return len >= off + n && !memcmp(buf + off, s, n);
}

/*
 * A ustar header: "ustar" at 257 (POSIX "ustar\0", GNU "ustar  ") and a
 * header checksum that adds up, so that a text that happens to hold
 * "ustar " at that offset is not taken for a tar.  Old tars summed signed
 * chars: both sums are accepted, as libarchive does.
 */
static int is_tar(const unsigned char *buf, size_t len)
{
	unsigned long want = 0, usum = 0;
	long ssum = 0;
	size_t i;

	if (len < 512 || !has(buf, len, 257, "ustar", 5) ||
	    (buf[262] != 0 && buf[262] != ' '))
		return 0;
	for (i = 148; i < 156 && buf[i] == ' '; i++)
		;
	if (i == 156 || buf[i] < '0' || buf[i] > '7')
		return 0;
	for (; i < 156 && buf[i] >= '0' && buf[i] <= '7'; i++)
		want = want * 8 + (unsigned long)(buf[i] - '0');
	for (i = 0; i < 512; i++) {
		unsigned char c = (i >= 148 && i < 156) ? ' ' : buf[i];

		usum += c;
		ssum += (signed char)c;
	}
	return want == usum || (long)want == ssum;
}

/*
 * Old binary cpio: the magic is only two bytes (070707 in either byte
 * order), so check that the name the header announces ends where it says.
 */
static int is_binary_cpio(const unsigned char *buf, size_t len)
{
	unsigned namesize;

	if (len < 26)
		return 0;
	if (buf[0] == 0xc7 && buf[1] == 0x71)
		namesize = buf[20] | (unsigned)buf[21] << 8;
	else if (buf[0] == 0x71 && buf[1] == 0xc7)
		namesize = (unsigned)buf[20] << 8 | buf[21];
	else
		return 0;
	if (namesize < 2)
		return 0;
	return 26 + namesize > len || buf[26 + namesize - 1] == 0;
}

/*
 * The magic numbers, a little stricter than the bare bytes where that is
 * free (gzip's method byte, bzip2's block or end-of-stream signature,
 * compress's header flags), because a text file must never be taken for
 * a compressed one.
 */
static enum magic sniff_magic(const unsigned char *b, size_t len)
{
	if (is_tar(b, len))
		return M_TAR;
	if (len >= 4 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8 &&
	    !(b[3] & 0xe0))
		return M_GZIP;
	if (len >= 3 && b[0] == 0x1f && b[1] == 0x9d && !(b[2] & 0x60) &&
	    (b[2] & 0x1f) >= 9 && (b[2] & 0x1f) <= 16)
		return M_COMPRESS;
	if (len >= 10 && has(b, len, 0, "BZh", 3) && b[3] >= '1' &&
	    b[3] <= '9' && (has(b, len, 4, "\x31\x41\x59\x26\x53\x59", 6) ||
			    has(b, len, 4, "\x17\x72\x45\x38\x50\x90", 6)))
		return M_BZIP2;
	if (has(b, len, 0, "\xfd\x37\x7a\x58\x5a\x00", 6))
		return M_XZ;
	if (has(b, len, 0, "\x28\xb5\x2f\xfd", 4))
		return M_ZSTD;
	if (has(b, len, 0, "PK\3\4", 4) || has(b, len, 0, "PK\5\6", 4))
		return M_ZIP;
	if (has(b, len, 0, "\x37\x7a\xbc\xaf\x27\x1c", 6))
		return M_7Z;
	if (has(b, len, 0, "070707", 6) || has(b, len, 0, "070701", 6) ||
	    has(b, len, 0, "070702", 6) || is_binary_cpio(b, len))
		return M_CPIO;
	if (has(b, len, 32769, "CD001", 5))
		return M_ISO;
	return M_NONE;
}

static enum archive_kind kind_of(enum magic m)
{
	switch (m) {
	case M_NONE:
		return ARCHIVE_NONE;
	case M_GZIP: case M_BZIP2: case M_XZ: case M_ZSTD: case M_COMPRESS:
		return ARCHIVE_COMPRESSED;
	default:
		return ARCHIVE_CONTAINER;
	}
}

enum archive_kind archive_sniff(const unsigned char *buf, size_t len)
{
	return kind_of(sniff_magic(buf, len));
}

/* ------------------------------------------------------------ readers ---- */

/* Why the whole reading stopped. */
enum stop {
	GO_ON = 0,
	STOP_LIMIT,	/* a container limit: sum says which */
	STOP_CALLER,	/* the member callback asked for it */
};

struct ctx {
	const struct archive_limits *lim;
	enum count_mode mode;
	unsigned formats;	/* document formats to extract */
	struct strbuf file_ext;	/* inner extension of the file's name */
	struct strbuf ext;	/* the document in hand's */
	int docfd;		/* memory file a document is copied to, or -1 */
	archive_member_fn fn;
	void *data;
	struct archive_summary *sum;

	int fd;
	off_t base;		/* where the file's archive starts */
	int seekable;		/* a regular file: seeking is possible */
	uint64_t size;		/* of the file, when seekable */
	int64_t fdpos;		/* offset of the next read, from base */
	unsigned char *fdbuf;

	int filters_probed;
	int filter_ok[5];	/* built in: may be enabled (see probe_filters) */

	uint64_t entries;	/* headers read at every level */
	uint64_t skip_left;	/* headers a resumed zip may read again */
	uint64_t meta;		/* bytes of names and rows it brought */
	enum stop stop;
	struct strbuf name;	/* full name of the member in progress */
	struct strbuf cut;	/* that name as stored, when too long */
	char msg[ERR_SIZE];	/* a reported member's message */
};

struct level {
	struct ctx *ctx;
	struct level *parent;	/* NULL: reads the file descriptor */
	struct archive *a;
	unsigned depth;		/* 1: the file's own members */
	size_t name_len;	/* ctx->name of the archive read here */
	size_t prefix_len;	/* ctx->name before its members' names */
	const unsigned char *head;	/* handed out before the parent's data */
	size_t head_len;
	unsigned char *sniff;	/* the first bytes of the current entry */
	int raw;		/* one entry: the parent's, through the filters */
	uint64_t headers;	/* entries its reader gave, failed ones included */
	struct zipdir *zdir;	/* the file's own zip: its stored names */
	int zdir_tried;

	/* The current entry's data: see pull(). */
	const unsigned char *blk;	/* libarchive's block, not handed out */
	size_t blk_len;
	uint64_t hole;		/* zeros to hand out before blk */
	int64_t pos;		/* offset just past blk */
	int data_end;		/* libarchive has no more */
	int damaged;		/* ... and it found the data bad */
	int broken;		/* the reader failed: nothing more to read */
	char err[ERR_SIZE];	/* why damaged or broken */
};

/* -------------------------------------------------------- the summary ---- */

/* The first problem met is the one the summary tells. */
static void vnote(struct ctx *ctx, enum member_status st, const char *fmt,
		  va_list ap) __attribute__((format(printf, 3, 0)));
static void vnote(struct ctx *ctx, enum member_status st, const char *fmt,
		  va_list ap)
{
	if (ctx->sum->status != MEMBER_OK)
		return;
	ctx->sum->status = st;
	vsnprintf(ctx->sum->message, sizeof(ctx->sum->message), fmt, ap);
}

static void note(struct ctx *ctx, enum member_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note(struct ctx *ctx, enum member_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(ctx, st, fmt, ap);
	va_end(ap);
}

/* Stop everything because of a limit of the whole container. */
static void stop_limit(struct ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void stop_limit(struct ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->stop)
		return;
	ctx->stop = STOP_LIMIT;
	va_start(ap, fmt);
	vnote(ctx, MEMBER_LIMIT, fmt, ap);
	va_end(ap);
}

static const char *la_error(struct archive *a)
{
	const char *s = archive_error_string(a);

	return s && *s ? s : "unknown libarchive error";
}

/* The name of what lvl reads, for messages: "" for the file itself. */
static void note_level(struct level *lvl, const char *why)
{
	struct ctx *ctx = lvl->ctx;

	if (lvl->name_len)
		note(ctx, MEMBER_ERROR, "'%.*s': %s", (int)lvl->name_len,
		     ctx->name.buf, why);
	else
		note(ctx, MEMBER_ERROR, "%s", why);
}

/*
 * lvl broke: note why, in the name of the level where the failure began
 * (a nested reader fails when its parent does).
 */
static void note_broken(struct level *lvl)
{
	while (lvl->parent && lvl->parent->broken)
		lvl = lvl->parent;
	note_level(lvl, lvl->err);
}

void archive_name_add(struct strbuf *sb, const char *name, size_t len,
		      int first)
{
	size_t i = 0;

	if (first && !len) {
		strbuf_addstr(sb, ARCHIVE_NEST_SEP);
		return;
	}
	while (i < len) {
		size_t run = 0;

		while (i + run < len && name[i + run] == '!')
			run++;
		if (!run) {
			strbuf_addch(sb, name[i++]);
			continue;
		}
		strbuf_add(sb, name + i, run);
		if (i + run == len || name[i + run] == '/')
			strbuf_add(sb, name + i, run);
		i += run;
	}
}

/*
 * Hand m, the member named by ctx->name, to the caller.  Returns -1 when
 * the caller wants no more.
 */
static int deliver(struct ctx *ctx, struct member_result *m)
{
	m->name = ctx->name.buf;
	m->name_len = ctx->name.len;
	if (ctx->name.len > ARCHIVE_NAME_MAX) {
		size_t keep = ARCHIVE_NAME_MAX;

		/* no character cut in two */
		while (keep && (ctx->name.buf[keep] & 0xc0) == 0x80)
			keep--;
		strbuf_reset(&ctx->cut);
		strbuf_add(&ctx->cut, ctx->name.buf, keep);
		strbuf_addf(&ctx->cut, "\xe2\x80\xa6[cut: %zu bytes, member %llu]",
			    ctx->name.len, (unsigned long long)ctx->entries);
		m->name = ctx->cut.buf;
		m->name_len = ctx->cut.len;
		m->name_cut = 1;
	}
	if (m->status != MEMBER_OK)
		note(ctx, m->status, "'%s': %s", ctx->name.buf, m->message);
	else
		m->message = NULL;
	ctx->sum->members++;
	if (ctx->fn && ctx->fn(ctx->data, m)) {
		ctx->stop = STOP_CALLER;
		note(ctx, MEMBER_ERROR, "reading stopped by the caller");
		return -1;
	}
	return 0;
}

static int report(struct ctx *ctx, enum member_kind kind,
		  enum member_status st, const char *msg,
		  const struct counts *c, int64_t mtime_ns, const char *target)
{
	struct member_result m = {
		.kind = kind, .status = st, .message = msg,
		.counts = c ? *c : (struct counts){ 0 },
		.mtime_ns = mtime_ns, .link_target = target,
	};

	return deliver(ctx, &m);
}

/* ---------------------------------------------------------- callbacks ---- */

static la_ssize_t fd_read(struct archive *a, void *cd, const void **out)
{
	struct level *lvl = cd;
	struct ctx *ctx = lvl->ctx;
	ssize_t n;

	if (ctx->stop) {
		archive_set_error(a, ECANCELED, "reading stopped");
		return ARCHIVE_FATAL;
	}
	if (ctx->seekable && (uint64_t)ctx->base + (uint64_t)ctx->fdpos >=
	    ctx->size + GROWTH_MARGIN) {
		archive_set_error(a, EFBIG, "the file grew while it was read");
		return ARCHIVE_FATAL;
	}
	do
		n = read(ctx->fd, ctx->fdbuf, BUF_SIZE);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read error: %s", strerror(errno));
		return ARCHIVE_FATAL;
	}
	/*
	 * Stored bytes are the furthest the reading went: the seeking zip
	 * reader reads some parts twice, which must not make a small
	 * archive look bigger to the ratio limit.
	 */
	ctx->fdpos += n;
	if ((uint64_t)ctx->fdpos > ctx->sum->bytes_in)
		ctx->sum->bytes_in = (uint64_t)ctx->fdpos;
	*out = ctx->fdbuf;
	return n;
}

/* libarchive's offsets start where the archive does, at ctx->base. */
static la_int64_t fd_seek(struct archive *a, void *cd, la_int64_t off,
			  int whence)
{
	struct level *lvl = cd;
	struct ctx *ctx = lvl->ctx;
	off_t r;

	if (whence == SEEK_SET)
		r = lseek(ctx->fd, ctx->base + off, SEEK_SET);
	else
		r = lseek(ctx->fd, off, whence);
	if (r < 0) {
		archive_set_error(a, errno, "seek error: %s", strerror(errno));
		return ARCHIVE_FATAL;
	}
	ctx->fdpos = r - ctx->base;
	return ctx->fdpos;
}

static la_ssize_t pull(struct level *lvl, size_t max, const void **p);

/*
 * A nested level reads the data of its parent's current entry: first the
 * bytes the parent read to sniff it, then the rest as it comes.
 */
static la_ssize_t nested_read(struct archive *a, void *cd, const void **out)
{
	struct level *lvl = cd;
	struct level *parent = lvl->parent;
	la_ssize_t n;

	if (lvl->head_len) {
		*out = lvl->head;
		n = (la_ssize_t)lvl->head_len;
		lvl->head_len = 0;
		return n;
	}
	n = pull(parent, SIZE_MAX, out);
	if (n < 0) {
		archive_set_error(a, EIO, "%s", parent->err);
		return ARCHIVE_FATAL;
	}
	if (!n && lvl->ctx->stop) {
		archive_set_error(a, ECANCELED, "reading stopped");
		return ARCHIVE_FATAL;
	}
	return n;
}

/* ------------------------------------------------------------- levels ---- */

static const struct {
	const char *name;
	int (*enable)(struct archive *);
} filters[] = {
	{ "gzip", archive_read_support_filter_gzip },
	{ "bzip2", archive_read_support_filter_bzip2 },
	{ "xz", archive_read_support_filter_xz },
	{ "zstd", archive_read_support_filter_zstd },
	{ "compress", archive_read_support_filter_compress },
};

/*
 * Which filters are built into libarchive.  One that is not answers
 * ARCHIVE_WARN and stays registered with an external program as the
 * decompressor, which must never run: so ask a scratch reader, and enable
 * in the real ones only the filters that answered ARCHIVE_OK.  A stream
 * that needs a missing one is then simply not recognized.
 */
static void probe_filters(struct ctx *ctx)
{
	struct archive *a;
	size_t i;

	if (ctx->filters_probed)
		return;
	ctx->filters_probed = 1;
	a = archive_read_new();
	if (!a)
		return;
	for (i = 0; i < ARRAY_SIZE(filters); i++)
		ctx->filter_ok[i] = filters[i].enable(a) == ARCHIVE_OK;
	/* Nothing was read: freeing cannot fail in a way that matters. */
	(void)archive_read_free(a);
}

static int enable_formats(struct level *lvl, int raw)
{
	struct ctx *ctx = lvl->ctx;
	struct archive *a = lvl->a;
	int r = ARCHIVE_OK;
	size_t i;

	if (raw) {
		probe_filters(ctx);
		for (i = 0; i < ARRAY_SIZE(filters); i++) {
			if (!ctx->filter_ok[i])
				continue;
			if ((r = filters[i].enable(a)) != ARCHIVE_OK) {
				snprintf(lvl->err, sizeof(lvl->err),
					 "cannot enable '%s': %s",
					 filters[i].name, la_error(a));
				return -1;
			}
		}
		/*
		 * The raw format wants at least one byte; "empty" (which
		 * only ever says "no entries") takes a stream that
		 * decompresses to nothing.
		 */
		if ((r = archive_read_support_format_raw(a)) == ARCHIVE_OK)
			r = archive_read_support_format_empty(a);
	} else {
		if ((r = archive_read_support_format_tar(a)) == ARCHIVE_OK &&
		    (r = archive_read_support_format_cpio(a)) == ARCHIVE_OK &&
		    (r = archive_read_support_format_iso9660(a)) == ARCHIVE_OK) {
			/*
			 * Only the file itself can seek: the seeking zip
			 * reader trusts the central directory, the
			 * streaming one reads the members as they come.
			 */
			if (lvl->parent)
				r = archive_read_support_format_zip_streamable(a);
			else
				r = archive_read_support_format_zip(a);
		}
		if (r == ARCHIVE_OK && !lvl->parent)
			r = archive_read_support_format_7zip(a);
	}
	if (r != ARCHIVE_OK) {
		snprintf(lvl->err, sizeof(lvl->err), "cannot enable formats: %s",
			 la_error(a));
		return -1;
	}
	return 0;
}

static void level_close(struct level *lvl)
{
	if (!lvl)
		return;
	/* The reading is over: a failure to close has nothing left to say. */
	if (lvl->a)
		(void)archive_read_free(lvl->a);
	zipdir_free(lvl->zdir);
	free(lvl->sniff);
	free(lvl);
}

/* A new reader for lvl, opened on its source.  0, or -1 with lvl->err. */
static int reader_start(struct level *lvl)
{
	struct ctx *ctx = lvl->ctx;
	struct archive *a;
	int r;

	lvl->a = a = archive_read_new();
	if (!a) {
		snprintf(lvl->err, sizeof(lvl->err), "out of memory");
		return -1;
	}
	if (enable_formats(lvl, lvl->raw) < 0)
		return -1;
	if ((r = archive_read_set_callback_data(a, lvl)) != ARCHIVE_OK ||
	    (r = archive_read_set_read_callback(a, lvl->parent ? nested_read :
						 fd_read)) != ARCHIVE_OK ||
	    (!lvl->parent && ctx->seekable &&
	     (r = archive_read_set_seek_callback(a, fd_seek)) != ARCHIVE_OK) ||
	    (r = archive_read_open1(a)) != ARCHIVE_OK) {
		snprintf(lvl->err, sizeof(lvl->err), "%s", la_error(a));
		return -1;
	}
	return 0;
}

/*
 * Open a level that reads the file (parent NULL) or the data of parent's
 * current entry, which starts with head.  Returns 0, or -1 with the reason
 * in (*out)->err; *out is set either way and must be closed.
 */
static int level_open(struct ctx *ctx, struct level *parent, int raw,
		      unsigned depth, const unsigned char *head,
		      size_t head_len, struct level **out)
{
	struct level *lvl = xcalloc(1, sizeof(*lvl));

	*out = lvl;
	lvl->ctx = ctx;
	lvl->parent = parent;
	lvl->depth = depth;
	lvl->raw = raw;
	lvl->head = head;
	lvl->head_len = head_len;
	lvl->name_len = ctx->name.len;
	lvl->prefix_len = ctx->name.len;
	lvl->sniff = xmalloc(ARCHIVE_SNIFF_BYTES);
	return reader_start(lvl);
}

/* --------------------------------------------------------------- data ---- */

/* What a hole in a sparse member reads as. */
static const unsigned char zeros[BUF_SIZE];

/*
 * Take the next block of lvl's current entry from libarchive.  Blocks
 * (rather than archive_read_data()) because a block may come with
 * ARCHIVE_WARN, a zip's bad CRC at its end, and archive_read_data() then
 * drops the block.  Returns 0, or -1 when there is no more (lvl->data_end)
 * or the reader failed (lvl->broken).
 */
static int next_block(struct level *lvl)
{
	const void *blk = NULL;
	size_t len = 0;
	la_int64_t off = 0;	/* not every format sets it at the end */
	int r;

	if (lvl->data_end)
		return -1;
	r = archive_read_data_block(lvl->a, &blk, &len, &off);
	if (r == ARCHIVE_EOF || r == ARCHIVE_OK || r == ARCHIVE_WARN) {
		/* a sparse member ends with its trailing hole, if any */
		if (off > lvl->pos)
			lvl->hole = (uint64_t)(off - lvl->pos);
		if (r == ARCHIVE_EOF) {
			lvl->data_end = 1;
			lvl->pos += (int64_t)lvl->hole;
			return lvl->hole ? 0 : -1;
		}
		lvl->blk = blk;
		lvl->blk_len = blk ? len : 0;
		lvl->pos = (off > lvl->pos ? off : lvl->pos) +
			   (int64_t)lvl->blk_len;
		if (r == ARCHIVE_OK)
			return 0;
	}
	if (lvl->ctx->stop)		/* a parent refused to go on */
		return -1;
	snprintf(lvl->err, sizeof(lvl->err), "%s", la_error(lvl->a));
	if (r == ARCHIVE_FATAL) {
		lvl->broken = 1;
		return -1;
	}
	/* WARN, FAILED, RETRY: this entry is bad, the next may be fine */
	lvl->damaged = lvl->data_end = 1;
	return r == ARCHIVE_WARN ? 0 : -1;
}

/*
 * Hand out the next piece of the data of lvl's current entry, at most max
 * bytes; *p points to it until the next call.  Every byte handed out
 * counts toward the container's limits, and the piece that goes over
 * total_bytes is cut at the limit.  Returns its length; 0 at the end of
 * the data (lvl->damaged tells if libarchive found it bad: the archive
 * goes on) or once the reading stopped; -1 when the reader failed
 * (lvl->broken).
 */
static la_ssize_t pull(struct level *lvl, size_t max, const void **p)
{
	struct ctx *ctx = lvl->ctx;
	struct archive_summary *sum = ctx->sum;
	uint64_t room, in;
	size_t n;

	if (lvl->broken)
		return -1;
	if (ctx->stop)
		return 0;
	while (!lvl->hole && !lvl->blk_len)
		if (next_block(lvl) < 0)
			return lvl->broken ? -1 : 0;
	if (lvl->hole && max > BUF_SIZE)	/* the size of zeros[] */
		max = BUF_SIZE;
	if (max > SSIZE_MAX)
		max = SSIZE_MAX;

	room = sum->bytes_out < ctx->lim->total_bytes ?
	       ctx->lim->total_bytes - sum->bytes_out : 0;
	if (max > room) {
		max = (size_t)room;
		if (!max) {
			stop_limit(ctx, "archive produced more than %llu bytes",
				   (unsigned long long)ctx->lim->total_bytes);
			return 0;
		}
	}
	if (lvl->hole) {
		n = lvl->hole < max ? (size_t)lvl->hole : max;
		lvl->hole -= n;
		*p = zeros;
	} else {
		n = lvl->blk_len < max ? lvl->blk_len : max;
		*p = lvl->blk;
		lvl->blk += n;
		lvl->blk_len -= n;
	}

	sum->bytes_out += n;
	in = sum->bytes_in ? sum->bytes_in : 1;
	if (sum->bytes_out > RATIO_FLOOR && sum->bytes_out / in > ctx->lim->ratio)
		stop_limit(ctx, "archive expands more than %llu times "
			   "(%llu bytes from %llu)",
			   (unsigned long long)ctx->lim->ratio,
			   (unsigned long long)sum->bytes_out,
			   (unsigned long long)sum->bytes_in);
	return (la_ssize_t)n;
}

/* Copy up to size bytes into dst: fewer only at the end or on failure. */
static size_t fill(struct level *lvl, unsigned char *dst, size_t size)
{
	size_t have = 0;

	while (have < size) {
		const void *p;
		la_ssize_t n = pull(lvl, size - have, &p);

		if (n <= 0)
			break;
		memcpy(dst + have, p, (size_t)n);
		have += (size_t)n;
	}
	return have;
}

/* Read what is left of the current entry, for the limits' sake. */
static void drain(struct level *lvl)
{
	const void *p;

	while (pull(lvl, SIZE_MAX, &p) > 0)
		;
}

/* A document being counted, within lim->member_bytes. */
struct doc {
	struct count_state st;
	uint64_t fed;
	int over;
};

static void doc_feed(struct ctx *ctx, struct doc *d, const void *p, size_t n)
{
	uint64_t room = ctx->lim->member_bytes - d->fed;

	if (d->over || !n)
		return;
	if (n > room) {
		n = (size_t)room;
		d->over = 1;
	}
	count_feed(&d->st, p, n);
	d->fed += n;
}

/* --------------------------------------------------------- documents ---- */

/*
 * Whether src's current entry, a member, is compressed: counted as what
 * it holds.  A raw level without a filter read a member that only looked
 * compressed.
 */
static int entry_compressed(struct level *src)
{
	return src->raw && archive_filter_count(src->a) >= 2;
}

/*
 * Whether the entry in hand (its head read) may be a document to extract:
 * its extension is that of its own name, the inner one when compressed
 * ("page.html.gz"), the file's for the file's own compressed document.
 */
static int is_document(struct level *src, const unsigned char *head,
		       size_t head_len, int report_it)
{
	struct ctx *ctx = src->ctx;
	const char *base;

	if (!report_it) {
		strbuf_reset(&ctx->ext);
		strbuf_add(&ctx->ext, ctx->file_ext.buf, ctx->file_ext.len);
	} else {
		base = memrchr(ctx->name.buf, '/', ctx->name.len);
		base = base ? base + 1 : ctx->name.buf;
		if (entry_compressed(src))
			file_ext_inner(base, &ctx->ext);
		else
			file_ext(base, &ctx->ext);
	}
	return formats_candidate(head, head_len, ctx->ext.buf, ctx->formats);
}

/*
 * Copy the entry (head, then the rest of its data) into ctx->docfd.
 * Returns 0 with its size in *size, 1 when it is larger than
 * ARCHIVE_DOC_MAX (the rest is drained), -1 when no memory file could
 * hold it (errno set).
 */
static int copy_document(struct level *src, const unsigned char *head,
			 size_t head_len, uint64_t *size)
{
	struct ctx *ctx = src->ctx;
	const void *p;
	la_ssize_t n;

	*size = 0;
	if (ctx->docfd < 0)
		ctx->docfd = memfd_create("wcindex-document", MFD_CLOEXEC);
	if (ctx->docfd < 0 || ftruncate(ctx->docfd, 0) < 0 ||
	    lseek(ctx->docfd, 0, SEEK_SET) < 0 ||
	    write_all(ctx->docfd, head, head_len) < 0)
		return -1;
	*size = head_len;
	while ((n = pull(src, BUF_SIZE, &p)) > 0) {
		if (*size + (uint64_t)n > ARCHIVE_DOC_MAX) {
			drain(src);
			return 1;
		}
		if (write_all(ctx->docfd, p, (size_t)n) < 0)
			return -1;
		*size += (uint64_t)n;
	}
	return 0;
}

/*
 * Count the copy's bytes: it is no document after all.  Not through
 * ctx->fdbuf: libarchive may still hold unread bytes of the next header
 * there.  A buffer of its own is allocated each time, as this is rare.
 */
static void count_copy(struct ctx *ctx, uint64_t size, struct count_state *st)
{
	unsigned char *buf = xmalloc(BUF_SIZE);
	uint64_t off = 0;
	ssize_t n;

	while (off < size &&
	       (n = pread_full(ctx->docfd, buf, BUF_SIZE, off)) > 0) {
		count_feed(st, buf, (size_t)n);
		off += (uint64_t)n;
	}
	free(buf);
}

static const enum member_status doc_member_status[] = {
	[DOC_OK] = MEMBER_OK,
	[DOC_ENCRYPTED] = MEMBER_ENCRYPTED,
	[DOC_LIMIT] = MEMBER_LIMIT,
	[DOC_DAMAGED] = MEMBER_ERROR,
	[DOC_UNSUPPORTED] = MEMBER_ERROR,
};

/* Read the copy of a document by its format into m. */
static void extract_copy(struct ctx *ctx, const unsigned char *head,
			 size_t head_len, uint64_t size, struct member_result *m)
{
	struct doc_source ds = { .fd = ctx->docfd, .size = size,
				 .ext = ctx->ext.buf };
	struct doc_probe p;
	struct strbuf msg = STRBUF_INIT;
	enum doc_format would, f;
	struct count_state st;
	enum doc_status status;

	doc_probe_init(&p, &ds, head, head_len, ctx->lim);
	f = formats_recognise(&p, ctx->formats, &would);

	m->format = would;
	if (f == FORMAT_TEXT) {
		count_init(&st, ctx->mode);
		count_copy(ctx, size, &st);
		count_finish(&st, &m->counts);
	} else {
		status = formats_count(&p, f, ctx->mode, &m->counts, &msg);
		m->document = 1;
		m->status = doc_member_status[status];
		if (status != DOC_OK) {
			snprintf(ctx->msg, sizeof(ctx->msg), "%s", msg.buf);
			m->message = ctx->msg;
		}
	}
	zippkg_free(p.zip);
	strbuf_release(&msg);
}

/*
 * The entry in hand came to m: hand it to the caller as a member when
 * report_it is set, else it is the file's own document, into the
 * summary.  Returns -1 when src broke or the reading stopped.
 */
static int finish_member(struct level *src, struct member_result *m,
			 int report_it)
{
	struct ctx *ctx = src->ctx;

	if (report_it) {
		if (deliver(ctx, m) < 0)
			return -1;
	} else {
		ctx->sum->counts = m->counts;
		ctx->sum->format = m->format;
		ctx->sum->document = m->document;
		ctx->sum->encrypted = m->status == MEMBER_ENCRYPTED;
		/* an encrypted document is no error: sum->encrypted says it */
		if (m->status != MEMBER_OK && !ctx->sum->encrypted)
			note(ctx, m->status, "%s", m->message);
	}
	return src->broken || ctx->stop ? -1 : 0;
}

/*
 * Count the entry in hand as a document of its format, from a copy in
 * memory; report_it as for count_document().
 */
static int read_document(struct level *src, const unsigned char *head,
			 size_t head_len, int64_t mtime_ns, int report_it)
{
	struct ctx *ctx = src->ctx;
	struct member_result m = {
		.kind = MEMBER_FILE, .mtime_ns = mtime_ns,
		.compressed = report_it && entry_compressed(src),
	};
	uint64_t size;
	int r = copy_document(src, head, head_len, &size);

	if (src->broken || src->damaged) {
		m.status = MEMBER_ERROR;
		m.message = src->err;
	} else if (r < 0) {
		snprintf(ctx->msg, sizeof(ctx->msg), "cannot hold document "
			 "in memory: %s", strerror(errno));
		m.status = MEMBER_ERROR;
		m.message = ctx->msg;
	} else if (r > 0) {
		snprintf(ctx->msg, sizeof(ctx->msg), "document larger than "
			 "%llu bytes", (unsigned long long)ARCHIVE_DOC_MAX);
		m.status = MEMBER_LIMIT;
		m.message = ctx->msg;
	} else if (ctx->stop == STOP_LIMIT) {
		m.status = MEMBER_LIMIT;
		m.message = ctx->sum->message;
	} else {
		extract_copy(ctx, head, head_len, size, &m);
	}
	return finish_member(src, &m, report_it);
}

/*
 * Count the data of src's current entry as one document, starting with
 * the head bytes already read from it.  The document is the member named
 * by ctx->name when report is set, else the file itself (sum->counts).
 * Returns -1 when src broke or the reading stopped.
 */
static int count_document(struct level *src, const unsigned char *head,
			  size_t head_len, int64_t mtime_ns, int report_it)
{
	struct ctx *ctx = src->ctx;
	struct member_result m = {
		.kind = MEMBER_FILE, .status = MEMBER_OK,
		.mtime_ns = mtime_ns,
	};
	struct doc d;
	const void *p;
	la_ssize_t n = 0;

	if (ctx->formats && is_document(src, head, head_len, report_it))
		return read_document(src, head, head_len, mtime_ns, report_it);
	memset(&d, 0, sizeof(d));
	count_init(&d.st, ctx->mode);
	doc_feed(ctx, &d, head, head_len);
	while (!d.over && (n = pull(src, SIZE_MAX, &p)) > 0)
		doc_feed(ctx, &d, p, (size_t)n);
	/* Past the limit: on to the end all the same, for the totals. */
	if (d.over)
		drain(src);
	count_finish(&d.st, &m.counts);

	if (src->broken || src->damaged) {
		m.status = MEMBER_ERROR;
		m.message = src->err;
	} else if (d.over) {
		m.status = MEMBER_LIMIT;
		snprintf(ctx->msg, sizeof(ctx->msg),
			 "%s larger than %llu bytes",
			 report_it ? "member" : "document",
			 (unsigned long long)ctx->lim->member_bytes);
		m.message = ctx->msg;
	} else if (ctx->stop == STOP_LIMIT &&
		   (!src->data_end || src->blk_len || src->hole)) {
		m.status = MEMBER_LIMIT;
		m.message = ctx->sum->message;
	}
	m.compressed = entry_compressed(src);
	return finish_member(src, &m, report_it);
}

static int read_members(struct level *lvl);

/*
 * Read the container whose data is that of src's current entry (it
 * starts with head) as a level of the given depth, its members named
 * after ctx->name (the file's own members when ctx->name is empty).  The
 * container is reported as a member first when report_it is set.
 * Returns -1 when src broke or the reading stopped, or when the container
 * is the file's own (!report_it) and broke; a broken nested container is
 * noted in the summary, and src goes on with its next member.
 */
static int read_container(struct level *src, unsigned depth,
			  const unsigned char *head, size_t head_len,
			  int64_t mtime_ns, int report_it)
{
	struct ctx *ctx = src->ctx;
	struct level *lvl = NULL;
	size_t name_len = ctx->name.len;
	int r = 0;

	if (!report_it)
		ctx->sum->container = 1;
	if (level_open(ctx, src, 0, depth, head, head_len, &lvl) < 0) {
		if (src->broken || ctx->stop) {
			r = -1;
			goto out;
		}
		/* The magic number lied: this is no archive after all. */
		if (report_it) {
			r = report(ctx, MEMBER_ARCHIVE, MEMBER_ERROR, lvl->err,
				   NULL, mtime_ns, NULL);
		} else {
			note_level(lvl, lvl->err);
			r = -1;
		}
		goto out;
	}
	if (report_it &&
	    report(ctx, MEMBER_ARCHIVE, MEMBER_OK, NULL, NULL, mtime_ns,
		   NULL) < 0) {
		r = -1;
		goto out;
	}
	if (name_len) {
		strbuf_addstr(&ctx->name, ARCHIVE_NEST_SEP);
		lvl->prefix_len = ctx->name.len;
	}
	/* The file's own container is the whole file: no going on. */
	if (read_members(lvl) < 0 && (src->broken || ctx->stop || !report_it))
		r = -1;
out:
	strbuf_setlen(&ctx->name, name_len);
	level_close(lvl);
	return r;
}

/*
 * The data of src's current entry decompresses to what raw reads: a
 * container or a document.  report_it as for count_document().
 */
static int read_raw(struct level *raw, int64_t mtime_ns, int report_it)
{
	struct ctx *ctx = raw->ctx;
	struct archive_entry *e;
	enum magic m;
	size_t have;
	int r;

	r = archive_read_next_header(raw->a, &e);
	if (r == ARCHIVE_EOF) {
		/* the "empty" format: it decompressed to nothing */
		raw->data_end = 1;
		return count_document(raw, NULL, 0, mtime_ns, report_it);
	}
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
		snprintf(raw->err, sizeof(raw->err), "%s", la_error(raw->a));
		raw->broken = 1;
		return count_document(raw, NULL, 0, mtime_ns, report_it);
	}
	if (archive_filter_count(raw->a) < 2 && !report_it) {
		/* The caller sniffed a compressed file: it must be one. */
		note(ctx, MEMBER_ERROR, "not a compressed stream libarchive "
		     "can read");
		return -1;
	}
	/*
	 * Inside an archive, a member that only looked compressed is read
	 * as it is: that is what the raw format gives with no filter.
	 */
	have = fill(raw, raw->sniff, ARCHIVE_SNIFF_BYTES);
	m = sniff_magic(raw->sniff, have);
	if (!raw->broken && !raw->damaged && !ctx->stop &&
	    kind_of(m) == ARCHIVE_CONTAINER && m != M_7Z)
		return read_container(raw, raw->depth, raw->sniff, have,
				      mtime_ns, report_it);
	return count_document(raw, raw->sniff, have, mtime_ns, report_it);
}

/*
 * The decompressed data of the current entry of src (which starts with
 * head), a member named by ctx->name: open a raw level on it.
 */
static int read_compressed(struct level *src, const unsigned char *head,
			   size_t head_len, int64_t mtime_ns)
{
	struct ctx *ctx = src->ctx;
	struct level *raw = NULL;
	int r;

	if (level_open(ctx, src, 1, src->depth + 1, head, head_len, &raw) < 0) {
		if (src->broken || ctx->stop)
			r = -1;
		else
			r = report(ctx, MEMBER_FILE, MEMBER_ERROR, raw->err,
				   NULL, mtime_ns, NULL);
		goto out;
	}
	r = read_raw(raw, mtime_ns, 1);
	if (r < 0 && !src->broken && !ctx->stop)
		r = 0;
out:
	level_close(raw);
	return r;
}

static int64_t entry_mtime(struct archive_entry *e)
{
	int64_t s;

	if (!archive_entry_mtime_is_set(e))
		return 0;
	s = archive_entry_mtime(e);
	/* A hostile header may say anything: no overflow. */
	if (s >= INT64_MAX / 1000000000)
		return INT64_MAX;
	if (s <= INT64_MIN / 1000000000)
		return INT64_MIN;
	return s * 1000000000 + archive_entry_mtime_nsec(e);
}

/*
 * A regular member of lvl, named by ctx->name.  Its first bytes tell
 * whether it is an archive or a compressed stream to open, while levels
 * remain; else it is a document.
 */
static int read_file(struct level *lvl, struct archive_entry *e)
{
	struct ctx *ctx = lvl->ctx;
	int64_t mtime_ns = entry_mtime(e);
	enum magic m = M_NONE;
	size_t have = 0;

	/*
	 * The head also tells documents, at any depth; with no format to
	 * look for, past the depth limit, the data is counted as it comes.
	 */
	if (lvl->depth < ctx->lim->depth || ctx->formats)
		have = fill(lvl, lvl->sniff, ARCHIVE_SNIFF_BYTES);
	if (lvl->depth < ctx->lim->depth && !lvl->broken && !lvl->damaged &&
	    !ctx->stop)
		m = sniff_magic(lvl->sniff, have);
	/* a docx is a zip, but one document */
	if (kind_of(m) == ARCHIVE_CONTAINER && ctx->formats &&
	    is_document(lvl, lvl->sniff, have, 1))
		return read_document(lvl, lvl->sniff, have, mtime_ns, 1);
	if (kind_of(m) == ARCHIVE_COMPRESSED)
		return read_compressed(lvl, lvl->sniff, have, mtime_ns);
	/* 7z wants to seek: from inside an archive it is just bytes */
	if (kind_of(m) == ARCHIVE_CONTAINER && m != M_7Z)
		return read_container(lvl, lvl->depth + 1, lvl->sniff, have,
				      mtime_ns, 1);
	return count_document(lvl, lvl->sniff, have, mtime_ns, 1);
}

/*
 * libarchive makes every backslash of a zip member's name a slash ("a\b\c"
 * and "a/b/c" become one name, "d\e\" a directory).  The names of the
 * file's own zip are taken from its central directory instead, where the
 * one at the same place has the bytes libarchive's name was made from.
 */
static void zip_stored_name(struct level *lvl, const char **path,
			    size_t *len, mode_t *type)
{
	struct ctx *ctx = lvl->ctx;
	const char *raw;
	size_t i = (size_t)lvl->headers - 1, n;

	if (!lvl->zdir_tried && !lvl->parent && !ctx->base && ctx->seekable &&
	    (archive_format(lvl->a) & ARCHIVE_FORMAT_BASE_MASK) ==
	    ARCHIVE_FORMAT_ZIP)
		lvl->zdir = zipdir_read(ctx->fd, ctx->size,
					(size_t)ctx->lim->members);
	lvl->zdir_tried = 1;
	if (!lvl->zdir || i >= zipdir_count(lvl->zdir))
		return;
	raw = zipdir_name(lvl->zdir, i, &n);
	if (n != *len)
		return;
	for (size_t k = 0; k < n; k++)
		if ((raw[k] == '\\' ? '/' : raw[k]) != (*path)[k])
			return;
	*path = raw;
	if (*type == AE_IFDIR && !zipdir_is_dir(lvl->zdir, i))
		*type = AE_IFREG;
}

/* One entry of lvl: a member to report, or something to pass over. */
static int read_entry(struct level *lvl, struct archive_entry *e)
{
	struct ctx *ctx = lvl->ctx;
	const char *path = archive_entry_pathname(e);
	const char *target = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);
	size_t path_len;
	int r = 0;

	lvl->blk = NULL;
	lvl->blk_len = 0;
	lvl->hole = 0;
	lvl->pos = 0;
	lvl->data_end = lvl->damaged = 0;
	strbuf_setlen(&ctx->name, lvl->prefix_len);
	if (!path)
		path = archive_entry_pathname_utf8(e);
	if (!path) {
		archive_name_add(&ctx->name, "?", 1, !lvl->prefix_len);
		r = report(ctx, target || type == AE_IFLNK ? MEMBER_LINK :
			   MEMBER_FILE, MEMBER_ERROR,
			   "member name cannot be read", NULL, entry_mtime(e),
			   NULL);
	} else {
		path_len = strlen(path);
		zip_stored_name(lvl, &path, &path_len, &type);
		archive_name_add(&ctx->name, path, path_len, !lvl->prefix_len);
		/*
		 * A hard link that carries data holds the file's bytes:
		 * cpio stores them with the last of the names, which
		 * libarchive makes a link to the first (an empty file).
		 */
		if (target && archive_entry_size_is_set(e) &&
		    archive_entry_size(e) > 0) {
			target = NULL;
			type = AE_IFREG;
		}
		if (!target && type == AE_IFLNK)
			target = archive_entry_symlink(e);
		if (target || type == AE_IFLNK)
			r = report(ctx, MEMBER_LINK, MEMBER_OK, NULL, NULL,
				   entry_mtime(e), target);
		else if (type == AE_IFREG)
			r = read_file(lvl, e);
	}
	/* Whatever was not read still counts toward the limits. */
	if (r >= 0)
		drain(lvl);
	if (lvl->damaged && !lvl->broken)
		note(ctx, MEMBER_ERROR, "'%s': %s", ctx->name.buf, lvl->err);
	return r < 0 || lvl->broken || ctx->stop ? -1 : 0;
}

/*
 * The file's own zip is read through its central directory, which lists
 * every member: when one broke the reader (libarchive's state is then
 * fatal for good), a new reader seeks past the members already read, so
 * that a damaged member is one error and the others are counted.  Every
 * member skipped costs a header read, so the skipping of one file is held
 * to the members limit.  Returns 0 when lvl reads on, -1 when it cannot.
 */
static int resume_zip(struct level *lvl)
{
	struct ctx *ctx = lvl->ctx;
	struct archive_entry *e;

	if (lvl->parent || !ctx->seekable || ctx->stop ||
	    (archive_format(lvl->a) & ARCHIVE_FORMAT_BASE_MASK) !=
	    ARCHIVE_FORMAT_ZIP || lvl->headers > ctx->skip_left)
		return -1;
	ctx->skip_left -= lvl->headers;
	note_level(lvl, lvl->err);
	(void)archive_read_free(lvl->a);
	lvl->a = NULL;
	if (lseek(ctx->fd, ctx->base, SEEK_SET) < 0) {
		snprintf(lvl->err, sizeof(lvl->err), "seek error: %s",
			 strerror(errno));
		return -1;
	}
	ctx->fdpos = 0;
	if (reader_start(lvl) < 0)
		return -1;
	for (uint64_t i = 0; i < lvl->headers; i++) {
		int r = archive_read_next_header(lvl->a, &e);

		if (r == ARCHIVE_EOF || r == ARCHIVE_FATAL) {
			snprintf(lvl->err, sizeof(lvl->err), "%s",
				 la_error(lvl->a));
			return -1;
		}
	}
	lvl->broken = 0;
	return 0;
}

/*
 * Count a header toward the names budget (see META_FLOOR).  -1 when the
 * archive went over it: the reading stops, as for the other limits.
 */
static int charge_header(struct ctx *ctx, struct archive_entry *e)
{
	const char *path = archive_entry_pathname(e);
	size_t len = path ? strlen(path) : 1;
	uint64_t budget = META_FLOOR + META_PER_BYTE * ctx->sum->bytes_in;

	ctx->meta += META_ROW_COST + (len < ARCHIVE_NAME_MAX ? len
							     : ARCHIVE_NAME_MAX);
	if (ctx->meta <= budget)
		return 0;
	stop_limit(ctx, "archive names take more than %llu bytes (%llu stored "
		   "bytes read)", (unsigned long long)budget,
		   (unsigned long long)ctx->sum->bytes_in);
	return -1;
}

/*
 * Read the members of the archive open at lvl.  Returns 0 at its end, -1
 * when it broke (noted in the summary) or the reading stopped.
 */
static int read_members(struct level *lvl)
{
	struct ctx *ctx = lvl->ctx;
	struct archive_entry *e;
	int r;

	for (;;) {
		r = archive_read_next_header(lvl->a, &e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (ctx->stop)
			return -1;
		if (r == ARCHIVE_FATAL) {
			snprintf(lvl->err, sizeof(lvl->err), "%s",
				 la_error(lvl->a));
			lvl->broken = 1;
			note_broken(lvl);
			return -1;
		}
		lvl->headers++;
		if (++ctx->entries > ctx->lim->members) {
			stop_limit(ctx, "archive has more than %llu members",
				   (unsigned long long)ctx->lim->members);
			return -1;
		}
		if (charge_header(ctx, e) < 0)
			return -1;
		if (r == ARCHIVE_RETRY)
			continue;
		if (r == ARCHIVE_FAILED) {
			/* This entry cannot be read, the next one may. */
			note_level(lvl, la_error(lvl->a));
			continue;
		}
		/* ARCHIVE_WARN: the entry is valid all the same */
		if (read_entry(lvl, e) < 0 &&
		    (!lvl->broken || resume_zip(lvl) < 0))
			return -1;
	}
}

/* --------------------------------------------------------------- entry ---- */

/*
 * For ARCHIVE_COMPRESSED the caller cannot know from the magic number
 * alone whether the file is one compressed document or a compressed
 * container (a .tar.gz): it is read as a document, and when its
 * decompressed bytes turn out to be a container (by archive_sniff()'s
 * rules), sum->container is set, its members are reported exactly as for
 * ARCHIVE_CONTAINER and sum->counts stays zero.
 */
int archive_count(int fd, enum archive_kind kind, enum count_mode mode,
		  const struct archive_limits *lim, archive_member_fn fn,
		  void *data, struct archive_summary *sum)
{
	struct archive_read_how how = { .mode = mode, .lim = lim };

	return archive_read_file(fd, kind, &how, fn, data, sum);
}

int archive_read_file(int fd, enum archive_kind kind,
		      const struct archive_read_how *how, archive_member_fn fn,
		      void *data, struct archive_summary *sum)
{
	const struct archive_limits *lim = how->lim;
	struct archive_limits deflim;
	struct level *top = NULL;
	locale_t utf8, old = (locale_t)0;
	struct ctx ctx;
	struct stat st;
	int r = -1;

	memset(sum, 0, sizeof(*sum));
	memset(&ctx, 0, sizeof(ctx));
	if (!lim) {
		archive_limits_default(&deflim);
		lim = &deflim;
	}
	ctx.lim = lim;
	ctx.mode = how->mode;
	ctx.formats = how->formats;
	strbuf_init(&ctx.file_ext, 0);
	strbuf_init(&ctx.ext, 0);
	if (how->name)
		file_ext_inner(how->name, &ctx.file_ext);
	ctx.docfd = -1;
	ctx.fn = fn;
	ctx.data = data;
	ctx.sum = sum;
	ctx.fd = fd;
	ctx.skip_left = lim->members;
	strbuf_init(&ctx.name, 256);
	strbuf_init(&ctx.cut, 0);
	ctx.base = lseek(fd, 0, SEEK_CUR);
	ctx.seekable = ctx.base >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode);
	if (ctx.seekable)
		ctx.size = (uint64_t)st.st_size;
	if (ctx.base < 0)
		ctx.base = 0;
	ctx.fdbuf = xmalloc(BUF_SIZE);

	/* Names in UTF-8 headers must survive (see the top of the file). */
	utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (!utf8)
		utf8 = newlocale(LC_CTYPE_MASK, "C.utf8", (locale_t)0);
	if (utf8)
		old = uselocale(utf8);

	if (kind == ARCHIVE_CONTAINER) {
		sum->container = 1;
		if (level_open(&ctx, NULL, 0, 1, NULL, 0, &top) < 0)
			note(&ctx, MEMBER_ERROR, "%s", top->err);
		else
			r = read_members(top);
	} else if (kind == ARCHIVE_COMPRESSED) {
		if (level_open(&ctx, NULL, 1, 1, NULL, 0, &top) < 0)
			note(&ctx, MEMBER_ERROR, "%s", top->err);
		else
			r = read_raw(top, 0, 0);
	} else
		note(&ctx, MEMBER_ERROR, "not an archive");

	/* A limit stops the reading of a container that is fine. */
	if (r < 0 && ctx.stop == STOP_LIMIT && !(top && top->broken))
		r = 0;
	if (r < 0 && sum->status != MEMBER_ERROR) {
		sum->status = MEMBER_OK;
		note(&ctx, MEMBER_ERROR, "%s", top && *top->err ? top->err :
		     "damaged archive");
	}

	if (utf8) {
		uselocale(old);
		freelocale(utf8);
	}
	level_close(top);
	strbuf_release(&ctx.name);
	strbuf_release(&ctx.cut);
	strbuf_release(&ctx.file_ext);
	strbuf_release(&ctx.ext);
	if (ctx.docfd >= 0)
		close(ctx.docfd);
	free(ctx.fdbuf);
	return r;
}
