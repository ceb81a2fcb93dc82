/*
 * filemeta.c - filling and comparing file metadata snapshots.
 */
#include "config.h"

#include "filemeta.h"

void file_meta_fill(struct file_meta *meta, const struct stat *st)
{
	meta->dev = (uint64_t)st->st_dev;
	meta->ino = (uint64_t)st->st_ino;
	meta->size = (uint64_t)st->st_size;
	meta->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 +
			 st->st_mtim.tv_nsec;
	meta->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 +
			 st->st_ctim.tv_nsec;
}

unsigned file_meta_diff(const struct file_meta *a, const struct file_meta *b)
{
	return (a->dev != b->dev ? FILE_META_DEV : 0) |
	       (a->ino != b->ino ? FILE_META_INO : 0) |
	       (a->size != b->size ? FILE_META_SIZE : 0) |
	       (a->mtime_ns != b->mtime_ns ? FILE_META_MTIME : 0) |
	       (a->ctime_ns != b->ctime_ns ? FILE_META_CTIME : 0);
}
