/*
 * zipdir.c - the stored member names of a zip file, from its central
 * directory (see zipdir.h).
 *
 * The layout is APPNOTE's: an end record ("PK\5\6") in the last 64 KiB,
 * pointing (directly, or through the ZIP64 locator "PK\6\7" and end
 * record "PK\6\6") at the central directory, a run of "PK\1\2" headers.
 * Everything is read with bounds checked against the bytes actually read:
 * a lying header makes the directory unusable, never a wild read.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"
#include "util.h"
#include "zipdir.h"

#define EOCD_LEN	22
#define EOCD_SEARCH	(65535 + EOCD_LEN)
#define LOC64_LEN	20
#define EOCD64_LEN	56
#define CDH_LEN		46

struct zipdir_entry {
	uint64_t offset;	/* of its local header, from the zip's start */
	uint64_t csize;		/* stored bytes */
	unsigned method, gpflags;
	size_t name_off;	/* into names */
	size_t name_len;
	size_t index;		/* in the central directory: ties keep it */
	int dir;
};

struct zipdir {
	uint64_t base;		/* where the zip starts in the file */
	struct zipdir_entry *ent;
	size_t nr, alloc;
	struct strbuf names;
};


/* pread() exactly len bytes at off: 0, or -1. */
static int pread_exact(int fd, void *buf, size_t len, uint64_t off)
{
	return pread_full(fd, buf, len, off) == (ssize_t)len ? 0 : -1;
}

/* Where the directory is: its offset, size and entry count. */
struct cd_place {
	uint64_t offset, size, entries;
	uint64_t end;		/* where the directory ends in the file */
	uint64_t declared;	/* the offset the end record gives */
};

/* The ZIP64 end record, found through the locator before eocd_at. */
static int find_zip64(int fd, uint64_t eocd_at, struct cd_place *cd)
{
	unsigned char loc[LOC64_LEN], rec[EOCD64_LEN];
	uint64_t rec_at;

	if (eocd_at < LOC64_LEN ||
	    pread_exact(fd, loc, LOC64_LEN, eocd_at - LOC64_LEN) < 0 ||
	    memcmp(loc, "PK\6\7", 4))
		return -1;
	rec_at = le64(loc + 8);
	if (rec_at > eocd_at - LOC64_LEN ||
	    pread_exact(fd, rec, EOCD64_LEN, rec_at) < 0 ||
	    memcmp(rec, "PK\6\6", 4))
		return -1;
	cd->end = rec_at;
	cd->entries = le64(rec + 32);
	cd->size = le64(rec + 40);
	cd->offset = le64(rec + 48);
	return 0;
}

/* The last end record whose comment fits the file, and what it says. */
static int find_directory(int fd, uint64_t size, struct cd_place *cd)
{
	size_t len = size < EOCD_SEARCH ? (size_t)size : EOCD_SEARCH;
	unsigned char *tail;
	uint64_t at;
	int ret = -1;

	if (len < EOCD_LEN)
		return -1;
	tail = xmalloc(len);
	if (pread_exact(fd, tail, len, size - len) < 0)
		goto out;
	for (size_t i = len - EOCD_LEN + 1; i-- > 0;) {
		const unsigned char *e = tail + i;

		if (memcmp(e, "PK\5\6", 4) ||
		    i + EOCD_LEN + le16(e + 20) > len)
			continue;
		at = size - len + i;
		cd->end = at;
		cd->entries = le16(e + 10);
		cd->size = le32(e + 12);
		cd->offset = le32(e + 16);
		if (cd->entries == 0xffff || cd->size == 0xffffffff ||
		    cd->offset == 0xffffffff)
			ret = find_zip64(fd, at, cd);
		else
			ret = 0;
		/*
		 * The directory ends where the end records start: offsets
		 * in a self-extracting zip count from the zip's start.
		 */
		if (!ret && cd->size > cd->end)
			ret = -1;
		if (!ret) {
			cd->declared = cd->offset;
			cd->offset = cd->end - cd->size;
		}
		break;
	}
out:
	free(tail);
	return ret;
}

/*
 * The sizes and local header offset of an entry, those that do not fit
 * 32 bits from its ZIP64 extra (in the order APPNOTE gives them).
 */
static int entry_place(const unsigned char *h, const unsigned char *extra,
		       size_t extra_len, struct zipdir_entry *e)
{
	/* no reader needs it, but the extra places the others after it */
	uint64_t usize;
	uint64_t *field[3] = { &usize, &e->csize, &e->offset };

	usize = le32(h + 24);
	e->csize = le32(h + 20);
	e->offset = le32(h + 42);
	if (usize != 0xffffffff && e->csize != 0xffffffff &&
	    e->offset != 0xffffffff)
		return 0;
	while (extra_len >= 4) {
		size_t id = le16(extra), n = le16(extra + 2), at = 4;

		if (n > extra_len - 4)
			return -1;
		if (id == 1) {
			for (int k = 0; k < 3; k++) {
				if (*field[k] != 0xffffffff)
					continue;
				if (at + 8 > n + 4)
					return -1;
				*field[k] = le64(extra + at);
				at += 8;
			}
			return 0;
		}
		extra += 4 + n;
		extra_len -= 4 + n;
	}
	return -1;
}

static int is_dir_entry(const unsigned char *h, const unsigned char *name,
			size_t name_len)
{
	unsigned system = h[5];
	uint32_t attr = le32(h + 38);

	if (name_len && name[name_len - 1] == '/')
		return 1;
	if (system == 3)	/* Unix: a mode in the high half */
		return ((attr >> 16) & 0170000) == 0040000;
	return (attr & 0x10) != 0;	/* the DOS directory bit */
}

/* Parse the n headers of the directory in buf into dir. */
static int parse_entries(struct zipdir *dir, const unsigned char *buf,
			 size_t len, uint64_t n)
{
	size_t pos = 0;

	for (uint64_t i = 0; i < n; i++) {
		const unsigned char *h = buf + pos;
		struct zipdir_entry *e;
		size_t name_len, extra_len, comment_len;

		if (len - pos < CDH_LEN || memcmp(h, "PK\1\2", 4))
			return -1;
		name_len = le16(h + 28);
		extra_len = le16(h + 30);
		comment_len = le16(h + 32);
		if (len - pos - CDH_LEN < name_len + extra_len + comment_len)
			return -1;
		ALLOC_GROW(dir->ent, dir->nr + 1, dir->alloc);
		e = &dir->ent[dir->nr];
		if (entry_place(h, h + CDH_LEN + name_len, extra_len, e) < 0)
			return -1;
		e->method = le16(h + 10);
		e->gpflags = le16(h + 8);
		e->name_off = dir->names.len;
		e->name_len = name_len;
		e->index = dir->nr++;
		e->dir = is_dir_entry(h, h + CDH_LEN, name_len);
		strbuf_add(&dir->names, h + CDH_LEN, name_len);
		pos += CDH_LEN + name_len + extra_len + comment_len;
	}
	return 0;
}

static int by_offset(const void *a, const void *b)
{
	const struct zipdir_entry *x = a, *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

struct zipdir *zipdir_read(int fd, uint64_t size, size_t max_entries)
{
	struct zipdir *dir = NULL;
	unsigned char *buf = NULL;
	struct cd_place cd;

	if (find_directory(fd, size, &cd) < 0 || cd.entries > max_entries ||
	    cd.size > ZIPDIR_MAX_BYTES ||
	    cd.entries > cd.size / CDH_LEN)
		return NULL;
	buf = xmalloc(cd.size ? (size_t)cd.size : 1);
	dir = xcalloc(1, sizeof(*dir));
	strbuf_init(&dir->names, 0);
	if (pread_exact(fd, buf, (size_t)cd.size, cd.offset) < 0 ||
	    parse_entries(dir, buf, (size_t)cd.size, cd.entries) < 0) {
		zipdir_free(dir);
		dir = NULL;
		goto out;
	}
	qsort(dir->ent, dir->nr, sizeof(*dir->ent), by_offset);
	dir->base = cd.offset >= cd.declared ? cd.offset - cd.declared : 0;
out:
	free(buf);
	return dir;
}

size_t zipdir_count(const struct zipdir *dir)
{
	return dir->nr;
}

const char *zipdir_name(const struct zipdir *dir, size_t i, size_t *len)
{
	*len = dir->ent[i].name_len;
	return dir->names.buf + dir->ent[i].name_off;
}

int zipdir_is_dir(const struct zipdir *dir, size_t i)
{
	return dir->ent[i].dir;
}

void zipdir_free(struct zipdir *dir)
{
	if (!dir)
		return;
	free(dir->ent);
	strbuf_release(&dir->names);
	free(dir);
}

int zipdir_entry(const struct zipdir *dir, size_t i, struct zipdir_info *info)
{
	const struct zipdir_entry *e = &dir->ent[i];

	if (e->offset > UINT64_MAX - dir->base)
		return -1;
	info->offset = e->offset + dir->base;
	info->csize = e->csize;
	info->method = e->method;
	info->encrypted = (e->gpflags & 0x41) != 0;
	return 0;
}
