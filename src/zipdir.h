/*
 * zipdir.h - the member names of a zip file, read from its central
 * directory exactly as they are stored.
 *
 * libarchive reads zips well, but changes the names it hands out: every
 * backslash becomes a slash, so that "a\b\c" and "a/b/c" are one name and
 * "d\e\" turns into a directory.  The archive reader asks this module for
 * the stored bytes of each member it reads from a zip file on disk.
 */
#ifndef WCINDEX_ZIPDIR_H
#define WCINDEX_ZIPDIR_H

#include <stddef.h>
#include <stdint.h>

struct zipdir;

/*
 * Read the central directory of the zip file open on fd, of the given size,
 * with pread() only (the file offset does not move).  At most max_entries
 * entries and ZIPDIR_MAX_BYTES of directory are read: past either, or when
 * the directory cannot be found or parsed, it returns NULL and the caller
 * keeps libarchive's names.  The entries are in the order of their local
 * headers in the file, which is the order libarchive's seeking zip reader
 * gives them in.
 */
struct zipdir *zipdir_read(int fd, uint64_t size, size_t max_entries);

#define ZIPDIR_MAX_BYTES (64u << 20)

/* How many entries dir holds. */
size_t zipdir_count(const struct zipdir *dir);

/*
 * The stored name of entry i (not NUL-terminated: it may hold any byte),
 * and its length in *len.  Entry i must be below zipdir_count().
 */
const char *zipdir_name(const struct zipdir *dir, size_t i, size_t *len);

/*
 * Whether entry i is a directory by what the archive stores: a name that
 * ends in '/', or attributes that say so (a Unix mode or the DOS bit).
 */
int zipdir_is_dir(const struct zipdir *dir, size_t i);

/* Where entry i's data is and how it is stored, as the directory says. */
struct zipdir_info {
	uint64_t offset;	/* of its local header in the file */
	uint64_t csize;		/* stored bytes */
	unsigned method;	/* 0 stored, 8 deflated, ... */
	int encrypted;		/* traditional or strong encryption */
};

/* Fill info for entry i: 0, or -1 when its offset cannot be. */
int zipdir_entry(const struct zipdir *dir, size_t i, struct zipdir_info *info);

void zipdir_free(struct zipdir *dir);

#endif
