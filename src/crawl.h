/*
 * crawl.h - the crawler thread: walks the roots one directory at a time,
 * compares each listing with the index rows of that directory, and turns
 * the differences into jobs (new and changed files) and writer messages
 * (new directories, deletions, errors).  Unchanged files cost one fstatat()
 * and nothing else.
 */
#ifndef WCINDEX_CRAWL_H
#define WCINDEX_CRAWL_H

#include <stdint.h>
#include <sys/types.h>

#include "fsutil.h"
#include "queue.h"
#include "store.h"

struct crawl_top {
	const char *path;	/* canonical directory to walk */
	const char *root;	/* the root it belongs to (path or an ancestor) */
	int64_t root_id;
	uint64_t known_dev;	/* the root's device when last walked ... */
	int has_known_dev;	/* ... if it is known */
	int accept;		/* apply deletions even if the root looks gone */
	int tracked;		/* its root was walked whole before */
	int complete;		/* set by the crawler: walked without an error */
	int held;		/* set by the crawler: its deletions held back */
	uint64_t dev;		/* set by the crawler: the device it is on */
};

struct crawl_options {
	struct crawl_top *tops;
	size_t ntops;
	int follow;		/* follow symlinks (with loop detection) */
	int one_fs;		/* do not cross into other file systems */
	uint32_t include_fs;	/* pseudo file systems to walk (fstype.h) */
	int full;		/* recount every file */
	int retry_failed;	/* retry even files that failed for good */
	int recount_archives;	/* limits changed: archives and limit hits */
	unsigned mode_flags;	/* ENTRY_F_OPTIONS bits of this scan */
	uint32_t job_flags;	/* JOB_* passed to the workers (JOB_FORMATS()) */
	const struct excludes *ex;
	int has_db_dir;		/* skip the database files in that directory */
	dev_t db_dev;
	ino_t db_dir_ino;
	const char *db_name;	/* base name of the database file */
	int64_t scan_id;
};

struct crawl_stats {
	uint64_t seen;		/* regular files found */
	uint64_t unchanged;
	uint64_t skipped;	/* symlinks, fifos, sockets, devices */
	uint64_t errors;	/* directories or entries that could not be read */
};

struct crawl;

/*
 * Start the crawler thread.  It reads the index through ro (a read-only
 * connection it uses exclusively until crawl_finish()), numbers new
 * directories after the highest id in use, pushes the files to count (struct
 * job) to jobs and everything else to wq, and closes jobs when done.
 */
struct crawl *crawl_start(struct store *ro, const struct crawl_options *opt,
			  struct queue *jobs, struct queue *wq);

/* Wait for the crawler; add its counts to *st.  0, or -1 on a fatal error. */
int crawl_finish(struct crawl *c, struct crawl_stats *st);

/*
 * Ask the crawler to walk no further directory (any thread): it finishes
 * the one it is merging, closes the jobs queue and ends.  Its tops are then
 * not complete.
 */
void crawl_stop(struct crawl *c);

/* Regular files seen so far (for progress; any thread). */
uint64_t crawl_progress(struct crawl *c);

/*
 * Files handed on to count so far into *to_count, and whether the walk is
 * over, so that the count is final (for progress; any thread).
 */
int crawl_walk_done(struct crawl *c, uint64_t *to_count);

#endif
