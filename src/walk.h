/*
 * walk.h - the walker: threads that list the directories below the tops
 * and hand the listings to the crawler depth first in name order, the
 * order in which it merges them with the index while they list the next
 * ones.  The system calls of a walk (opening each directory below its top,
 * reading it, one fstatat() per entry) and the index work of the crawler
 * (reading the rows of a directory, comparing, making jobs) thus run side
 * by side.
 *
 * A listing is sorted by name and every entry classified: a file to
 * count, a directory to walk, something not indexed, or something that
 * could not be examined.  The walker descends into exactly the entries it
 * classified as directories, in name order, so the crawler, pushing the
 * same entries on its own stack, receives the listings in the order it
 * pops them.
 */
#ifndef WCINDEX_WALK_H
#define WCINDEX_WALK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "filemeta.h"
#include "fsutil.h"
#include "queue.h"

enum kind {
	K_FILE,		/* a regular file: count it */
	K_DIR,		/* a directory: descend */
	K_SKIP,		/* not indexed: symlink, fifo, socket, device, loop */
	K_KEEP,		/* could not be examined, or a pseudo file system
			   skipped: keep what the index says */
};

struct dentry {
	char *name;
	enum kind kind;
	struct file_meta meta;
	int via_link;	/* --follow: reached through a symlink */
	/* what fstatat() said, until the walker decides the kind */
	mode_t mode;
	int err;
	int link_err;	/* --follow: the link itself, when err is set */
};

/* One directory as the walker saw it. */
struct listing {
	char *path;		/* absolute; NULL: the end of a top */
	uint64_t dev, ino;	/* its identity */
	int failed;		/* could not be listed (said): keep its rows */
	int top_clean;		/* end of a top: walked without an error */
	struct dentry *ents;	/* sorted by name */
	size_t nents;
};

struct walk_options {
	const char *const *tops;	/* canonical directories, in order */
	size_t ntops;
	int follow;		/* follow symlinks (with loop detection) */
	int one_fs;		/* do not cross into other file systems */
	uint32_t include_fs;	/* pseudo file systems to walk (fstype.h) */
	const struct excludes *ex;
	/* the database's own files, in its directory, are not listed */
	int has_db_dir;
	dev_t db_dev;
	ino_t db_dir_ino;
	const char *db_name;
	/* for --exclude patterns relative to the root: the root of each top */
	const char *const *roots;
	/* entries listed ahead of the consumer, at most (0: the default) */
	size_t max_ahead;
};

struct walk_stats {
	uint64_t skipped;	/* symlinks, fifos, sockets, devices, and
				   pseudo file systems (fstype.h) */
	uint64_t errors;	/* directories or entries that could not be read */
};

struct walker;

/*
 * Start the walker threads.  Problems met go to the writer's queue wq.
 * Returns NULL after reporting.
 */
struct walker *walker_start(const struct walk_options *opt, struct queue *wq);

/*
 * The next listing, depth first in name order, each top's followed by the
 * end of that top (path NULL, top_clean set); NULL once every top is
 * walked, or the walker was stopped.  Blocks while it is being listed.
 */
struct listing *walker_next(struct walker *w);

/* The crawler is done with l: free it, and let the walker list on. */
void walker_release(struct walker *w, struct listing *l);

/* Entries listed and not released yet (tests, progress). */
size_t walker_ahead(struct walker *w);

/* Walk no further directory (any thread); walker_next() returns NULL. */
void walker_stop(struct walker *w);

/* Wait for the walker's threads, add its counts to *st, free it. */
void walker_finish(struct walker *w, struct walk_stats *st);

#endif
