/*
 * zippkg.c - reading the parts of a zip package by name (see zippkg.h).
 *
 * The directory gives each part's place and sizes; the local header is
 * read only for the lengths of its name and extra field, which may differ
 * from the directory's.  A part's data must lie inside the file.  The
 * limits are the archive limits: a part may inflate to member_bytes, the
 * package to total_bytes, and past RATIO_FLOOR to no more than ratio times
 * the package's size; no more than `members` parts are read.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../strbuf.h"
#include "../util.h"
#include "../zipdir.h"
#include "zippkg.h"

#define LOCAL_LEN 30
#define CHUNK (64 * 1024)

struct zippkg {
	int fd;
	uint64_t size;
	const struct archive_limits *lim;
	struct zipdir *dir;
	uint64_t produced;	/* inflated bytes of all parts read */
	uint64_t parts_read;
};

struct zippkg *zippkg_open(int fd, uint64_t size,
			   const struct archive_limits *lim)
{
	struct zipdir *dir = zipdir_read(fd, size, (size_t)lim->members);
	struct zippkg *z;

	if (!dir)
		return NULL;
	z = xcalloc(1, sizeof(*z));
	z->fd = fd;
	z->size = size;
	z->lim = lim;
	z->dir = dir;
	return z;
}

void zippkg_free(struct zippkg *z)
{
	if (!z)
		return;
	zipdir_free(z->dir);
	free(z);
}

size_t zippkg_count(const struct zippkg *z)
{
	return zipdir_count(z->dir);
}

const char *zippkg_name(const struct zippkg *z, size_t i, size_t *len)
{
	return zipdir_name(z->dir, i, len);
}

long zippkg_find(const struct zippkg *z, const char *name)
{
	size_t want = strlen(name), n = zipdir_count(z->dir);

	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *s = zipdir_name(z->dir, i, &len);

		if (len == want && !memcmp(s, name, len))
			return (long)i;
	}
	return -1;
}

int zippkg_encrypted(const struct zippkg *z, size_t i)
{
	struct zipdir_info info;

	return !zipdir_entry(z->dir, i, &info) && info.encrypted;
}

/* Where part i's data starts, after its local header: 0, or -1. */
static int data_start(struct zippkg *z, const struct zipdir_info *info,
		      uint64_t *start, struct strbuf *msg)
{
	unsigned char h[LOCAL_LEN];
	uint64_t at;

	if (info->offset > z->size || z->size - info->offset < LOCAL_LEN ||
	    pread_full(z->fd, h, LOCAL_LEN, info->offset) != LOCAL_LEN ||
	    memcmp(h, "PK\3\4", 4)) {
		strbuf_addstr(msg, "bad local header in zip");
		return -1;
	}
	at = info->offset + LOCAL_LEN + le16(h + 26) + le16(h + 28);
	if (at > z->size || z->size - at < info->csize) {
		strbuf_addstr(msg, "zip part runs past the end of the file");
		return -1;
	}
	*start = at;
	return 0;
}

/* Count n more produced bytes against the limits: DOC_OK or DOC_LIMIT. */
static enum doc_status charge(struct zippkg *z, uint64_t part_out, size_t n,
			      struct strbuf *msg)
{
	const struct archive_limits *lim = z->lim;
	uint64_t in = z->size ? z->size : 1;

	z->produced += n;
	if (part_out > lim->member_bytes) {
		strbuf_addf(msg, "document part produced more than %llu bytes",
			    (unsigned long long)lim->member_bytes);
		return DOC_LIMIT;
	}
	if (z->produced > lim->total_bytes) {
		strbuf_addf(msg, "document produced more than %llu bytes",
			    (unsigned long long)lim->total_bytes);
		return DOC_LIMIT;
	}
	if (z->produced > RATIO_FLOOR && z->produced / in > lim->ratio) {
		strbuf_addf(msg, "document expands more than %llu times",
			    (unsigned long long)lim->ratio);
		return DOC_LIMIT;
	}
	return DOC_OK;
}

struct part_read {
	struct zippkg *z;
	zippkg_fn fn;
	void *data;
	uint64_t pos, end;	/* stored bytes: next to read, end */
	uint64_t out;		/* inflated bytes so far */
	unsigned char in[CHUNK], outbuf[CHUNK];
};

/* Read the next stored piece: its length, 0 at the end, -1 on error. */
static ssize_t next_stored(struct part_read *pr)
{
	size_t chunk = formats_read_size();
	size_t want = pr->end - pr->pos < chunk ? (size_t)(pr->end - pr->pos)
						: chunk;
	ssize_t n;

	if (!want)
		return 0;
	n = pread_full(pr->z->fd, pr->in, want, pr->pos);
	if (n != (ssize_t)want)
		return -1;
	pr->pos += want;
	return n;
}

/* Hand n produced bytes to the caller: DOC_OK, DOC_LIMIT, or 1 to stop. */
static int give(struct part_read *pr, const unsigned char *p, size_t n,
		struct strbuf *msg)
{
	enum doc_status st;

	pr->out += n;
	st = charge(pr->z, pr->out, n, msg);
	if (st != DOC_OK)
		return (int)st;
	return pr->fn(pr->data, (const char *)p, n) ? -1 : DOC_OK;
}

static enum doc_status read_stored(struct part_read *pr, struct strbuf *msg)
{
	for (;;) {
		ssize_t n = next_stored(pr);
		int r;

		if (n < 0) {
			strbuf_addstr(msg, "cannot read zip part");
			return DOC_DAMAGED;
		}
		if (!n)
			return DOC_OK;
		r = give(pr, pr->in, (size_t)n, msg);
		if (r)
			return r < 0 ? DOC_OK : (enum doc_status)r;
	}
}

static enum doc_status read_deflated(struct part_read *pr, struct strbuf *msg)
{
	enum doc_status st = DOC_OK;
	z_stream zs;
	int zr = Z_OK, r;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
		die("out of memory");
	while (zr != Z_STREAM_END) {
		if (!zs.avail_in) {
			ssize_t n = next_stored(pr);

			if (n <= 0) {
				strbuf_addstr(msg, n < 0 ? "cannot read zip part"
							 : "zip part cut short");
				st = DOC_DAMAGED;
				break;
			}
			zs.next_in = pr->in;
			zs.avail_in = (uInt)n;
		}
		zs.next_out = pr->outbuf;
		zs.avail_out = (uInt)formats_read_size();
		zr = inflate(&zs, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END) {
			strbuf_addf(msg, "zip part does not inflate: %s",
				    zs.msg ? zs.msg : "bad data");
			st = DOC_DAMAGED;
			break;
		}
		r = give(pr, pr->outbuf, formats_read_size() - zs.avail_out,
			 msg);
		if (r) {
			st = r < 0 ? DOC_OK : (enum doc_status)r;
			break;
		}
	}
	inflateEnd(&zs);
	return st;
}

enum doc_status zippkg_read(struct zippkg *z, size_t i, zippkg_fn fn,
			    void *data, struct strbuf *msg)
{
	struct zipdir_info info;
	struct part_read *pr;
	enum doc_status st;
	uint64_t start;

	if (zipdir_entry(z->dir, i, &info) < 0 ||
	    data_start(z, &info, &start, msg) < 0) {
		if (!msg->len)
			strbuf_addstr(msg, "bad zip directory entry");
		return DOC_DAMAGED;
	}
	if (info.encrypted) {
		strbuf_addstr(msg, "document is encrypted");
		return DOC_ENCRYPTED;
	}
	if (info.method != 0 && info.method != 8) {
		strbuf_addf(msg, "zip part uses compression method %u",
			    info.method);
		return DOC_DAMAGED;
	}
	if (++z->parts_read > z->lim->members) {
		strbuf_addf(msg, "document has more than %llu parts",
			    (unsigned long long)z->lim->members);
		return DOC_LIMIT;
	}
	pr = xmalloc(sizeof(*pr));
	pr->z = z;
	pr->fn = fn;
	pr->data = data;
	pr->pos = start;
	pr->end = start + info.csize;
	pr->out = 0;
	st = info.method ? read_deflated(pr, msg) : read_stored(pr, msg);
	free(pr);
	return st;
}

struct small {
	struct strbuf *out;
	size_t max, got;
	int over;
};

static int add_small(void *data, const char *buf, size_t len)
{
	struct small *sm = data;

	if (len > sm->max - sm->got) {
		sm->over = 1;
		return 1;
	}
	strbuf_add(sm->out, buf, len);
	sm->got += len;
	return 0;
}

enum doc_status zippkg_read_small(struct zippkg *z, size_t i,
				  struct strbuf *out, size_t max,
				  struct strbuf *msg)
{
	struct small sm = { out, max, 0, 0 };
	size_t len;
	enum doc_status st = zippkg_read(z, i, add_small, &sm, msg);

	if (st == DOC_OK && sm.over) {
		const char *name = zippkg_name(z, i, &len);

		strbuf_addf(msg, "'%.*s' is larger than %zu bytes",
			    (int)(len > 200 ? 200 : len), name, max);
		return DOC_LIMIT;
	}
	return st;
}
