/*
 * filemeta.h - a file's identity and state as one stat() saw it, and the
 * only comparison of two such snapshots (git's statinfo.h is the model).
 *
 * The crawler compares what it stats with the index row, a worker compares
 * the descriptor before and after reading it, and the pool compares the
 * ranges of a big file with each other: all of them ask the same question
 * here, so that "the same file in the same state" means one thing.
 */
#ifndef WCINDEX_FILEMETA_H
#define WCINDEX_FILEMETA_H

#include <stdint.h>
#include <sys/stat.h>

struct file_meta {
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
};

/* What file_meta_diff() found different: identity, then content. */
#define FILE_META_DEV   0x1u
#define FILE_META_INO   0x2u
#define FILE_META_SIZE  0x4u
#define FILE_META_MTIME 0x8u
#define FILE_META_CTIME 0x10u

/* Fill meta from what stat(), fstat() or fstatat() returned. */
void file_meta_fill(struct file_meta *meta, const struct stat *st);

/*
 * The FILE_META_* bits of the fields in which a and b differ: 0 when they
 * are the same file in the same state.  ctime is compared too: nobody can
 * set it, so content restored under an old mtime (rsync -t, tar) still
 * shows.
 */
unsigned file_meta_diff(const struct file_meta *a, const struct file_meta *b);

#endif
