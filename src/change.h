/*
 * change.h - the rule that decides whether a file must be counted again.
 *
 * A file is recounted when its identity or metadata (dev, inode, size,
 * mtime, ctime) differ from the index, when its last count was marked racy
 * or failed, or when it was counted with other counting options.  "Racy"
 * follows git: a file changed too close to the start of the scan may change
 * again within the same timestamp tick without its metadata showing it, so
 * its count is kept but it is recounted next time.  The test uses ctime,
 * which every change of content moves and which nobody can set: an mtime
 * set into the future (archives, touch -d) would make a file racy forever.
 */
#ifndef WCINDEX_CHANGE_H
#define WCINDEX_CHANGE_H

#include <stdint.h>

#include "entry.h"
#include "filemeta.h"

/* Timestamp granularity allowance: at least 2 s (FAT, drifting servers). */
#define RACY_MARGIN_NS (2 * 1000000000LL)

/* What the index holds about one file. */
struct index_row {
	int64_t id;
	char *name;
	struct file_meta meta;
	unsigned flags;
	int format;		/* enum doc_format of entries.format */
	int failed;		/* status is not 'ok' */
};

enum change {
	CHANGE_NONE = 0,	/* unchanged: keep the row as it is */
	CHANGE_META,		/* dev/ino/size/mtime/ctime differ */
	CHANGE_RACY,		/* last count was racy */
	CHANGE_FAILED,		/* last count failed */
	CHANGE_MODE,		/* counted with other options */
	CHANGE_FULL,		/* --full */
};

#define CHANGE_FORCE_ALL    0x1	/* --full: recount everything */
#define CHANGE_FORCE_FAILED 0x2	/* --retry-failed: even ENTRY_F_NORETRY rows */
/* the root's limits changed: archives, compressed files and failed rows */
#define CHANGE_FORCE_ARCHIVES 0x4

/*
 * Compare what is on disk with the index row.  mode_flags holds the
 * ENTRY_F_OPTIONS bits of this scan (ENTRY_F_ASCII, ENTRY_F_NOARCHIVES),
 * formats the FORMAT_BIT()s whose text it extracts: a document counted
 * otherwise is recounted (change_format_differs()).  A failed row is
 * retried unless it failed for good (a damaged archive, a limit hit: the
 * same bytes would fail the same way), which only CHANGE_FORCE_FAILED
 * overrides.
 */
enum change change_check(const struct file_meta *disk,
			 const struct index_row *row, unsigned mode_flags,
			 unsigned formats, unsigned force);

/*
 * The racy limit of a scan that started at start_ns: files whose ctime is
 * >= the limit are racy.
 */
/*
 * Whether row, a file on disk, holds a document counted otherwise than
 * `formats` (FORMAT_BIT()s of the formats whose text is extracted now)
 * asks: its text where it is now off, or its bytes where it is now on.
 */
int change_format_differs(const struct index_row *row, unsigned formats);

int64_t change_racy_limit(int64_t start_ns);

/* True when a file with this ctime, counted now, must be marked racy. */
int change_is_racy(int64_t ctime_ns, int64_t racy_limit_ns);

#endif
