/*
 * crawl.c - the walk.  Directories are listed one at a time through a
 * descriptor that is closed before the next one is opened, so the number of
 * open descriptors stays constant however deep the tree; the directories
 * still to visit wait on an explicit stack as paths.
 *
 * For every directory, the sorted listing is merged with the sorted index
 * rows of that directory (files, then subdirectories): memory holds one
 * directory at a time, never the whole index.  What cannot be listed or
 * stat()ed keeps its index rows untouched: an unreadable directory is an
 * error to report, not a reason to forget what it held.
 *
 * A rescan is mostly fstatat(): the kernel's path lookup and attribute
 * copy for every entry.  The entries of a big directory are therefore
 * stat()ed by the crawler and a helper thread together, each taking chunks
 * of the listing; only the stat() calls are shared, everything that follows
 * (reports, counters, the merge) stays in the crawler thread.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crawl.h"
#include "filemeta.h"
#include "beneath.h"
#include "job.h"
#include "util.h"
#include "writer.h"

enum kind {
	K_FILE,		/* a regular file: count it */
	K_DIR,		/* a directory: descend */
	K_SKIP,		/* not indexed: symlink, fifo, socket, device, loop */
	K_KEEP,		/* could not be examined: keep what the index says */
};

struct dentry {
	char *name;
	enum kind kind;
	struct file_meta meta;
	int via_link;	/* --follow: reached through a symlink */
	/* what fstatat() said, until classify() decides the kind */
	mode_t mode;
	int err;
	int link_err;	/* --follow: the link itself, when err is set */
};

/*
 * Directories with at least this many entries are stat()ed by two threads;
 * below it the hand-over costs more than it saves.
 */
#define PARALLEL_STAT_MIN 256
#define STAT_CHUNK 64

/* The helper thread that shares the fstatat() calls of big directories. */
struct statter {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int started, quit;
	unsigned round, done_round;	/* a directory to do, and done */
	int dfd, follow;
	struct dentry *ents;
	size_t nents;
	atomic_size_t next;
};

struct pending {
	char *path;
	int64_t id;
	int is_new;
	uint64_t dev, ino;	/* as its parent's listing saw it (0: a top) */
};

struct devino {
	dev_t dev;
	ino_t ino;
	int used;
};

struct crawl {
	pthread_t thread;
	struct store *ro;
	struct crawl_options opt;
	struct queue *jobs, *wq;
	const struct crawl_top *top;
	struct dirchain *chain;	/* the directories open below the top */
	uint64_t top_dev, top_ino;
	uint64_t dir_dev, dir_ino;	/* the directory being merged */
	int64_t next_dir_id;
	int fatal;

	struct crawl_stats st;
	atomic_uint_fast64_t seen;
	atomic_int stop;	/* crawl_stop(): walk no further directory */

	struct pending *stack;
	size_t nstack, astack;
	struct dentry *ents;
	size_t nents, aents;
	struct index_rows rows;		/* of the directory being merged */
	struct dir_rows drows;
	/*
	 * --follow: directories walked under the current top, a hash set, so
	 * that a link back to an ancestor (or to a tree already walked) is not
	 * followed again.
	 */
	struct devino *visited;
	size_t nvisited, avisited;
	struct strbuf path;
	struct statter stat;
};

/* A problem with path; err is an errno, or 0 when what says it all. */
static void report(struct crawl *c, const char *path, const char *stage,
		   int err, const char *what)
{
	struct strbuf msg = STRBUF_INIT;

	if (err) {
		strbuf_addf(&msg, "%s: %s", what, strerror(err));
		error("%s '%s': %s", what, path, strerror(err));
	} else {
		strbuf_addstr(&msg, what);
		error("'%s': %s", path, what);
	}
	c->st.errors++;
	writer_send_error(c->wq, path, stage, err, msg.buf);
	strbuf_release(&msg);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct dentry *)a)->name,
		      ((const struct dentry *)b)->name);
}

static const char *relative_to_root(struct crawl *c, const char *path)
{
	size_t len = strlen(c->top->root);

	if (len == 1)
		return path + 1;
	return path[len] == '/' ? path + len + 1 : path + len;
}

static int is_db_file(struct crawl *c, const char *name)
{
	size_t len = strlen(c->opt.db_name);
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal",
					      ".lock" };

	if (strncmp(name, c->opt.db_name, len))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(suffix); i++)
		if (!strcmp(name + len, suffix[i]))
			return 1;
	return 0;
}

static size_t devino_hash(dev_t dev, ino_t ino)
{
	uint64_t h = ((uint64_t)dev * 0x9e3779b97f4a7c15ull) ^ (uint64_t)ino;

	return (size_t)(h ^ (h >> 29));
}

/* Add (dev, ino) to the --follow set; 0 if it was already there. */
static int visit_once(struct crawl *c, dev_t dev, ino_t ino)
{
	size_t mask, i;

	if (2 * (c->nvisited + 1) > c->avisited) {
		struct devino *old = c->visited;
		size_t oldcap = c->avisited;

		c->avisited = oldcap ? 2 * oldcap : 64;
		c->visited = xcalloc(c->avisited, sizeof(*c->visited));
		c->nvisited = 0;
		for (i = 0; i < oldcap; i++)
			if (old[i].used)
				visit_once(c, old[i].dev, old[i].ino);
		free(old);
	}
	mask = c->avisited - 1;
	for (i = devino_hash(dev, ino) & mask; c->visited[i].used;
	     i = (i + 1) & mask)
		if (c->visited[i].dev == dev && c->visited[i].ino == ino)
			return 0;
	c->visited[i].used = 1;
	c->visited[i].dev = dev;
	c->visited[i].ino = ino;
	c->nvisited++;
	return 1;
}

static void clear_entries(struct crawl *c)
{
	for (size_t i = 0; i < c->nents; i++)
		free(c->ents[i].name);
	c->nents = 0;
}

/*
 * The system calls for one entry, safe to run in any thread: they write
 * nothing but *e.
 */
static void stat_entry(int dfd, int follow, struct dentry *e)
{
	struct stat st, lst;

	e->err = e->link_err = 0;
	if (fstatat(dfd, e->name, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0) {
		e->err = errno;
		/* a dangling or looping link is a link, not an error */
		if (follow && (e->err == ENOENT || e->err == ELOOP) &&
		    !fstatat(dfd, e->name, &lst, AT_SYMLINK_NOFOLLOW) &&
		    S_ISLNK(lst.st_mode))
			e->link_err = 1;
		return;
	}
	if (follow)
		e->via_link = !fstatat(dfd, e->name, &lst, AT_SYMLINK_NOFOLLOW) &&
			      S_ISLNK(lst.st_mode);
	e->mode = st.st_mode;
	file_meta_fill(&e->meta, &st);
}

/* Take chunks of the listing until none is left. */
static void stat_chunks(struct statter *s)
{
	for (;;) {
		size_t i = atomic_fetch_add(&s->next, STAT_CHUNK);
		size_t end = i + STAT_CHUNK < s->nents ? i + STAT_CHUNK : s->nents;

		if (i >= s->nents)
			break;
		for (; i < end; i++)
			stat_entry(s->dfd, s->follow, &s->ents[i]);
	}
}

static void *statter_thread(void *arg)
{
	struct statter *s = arg;
	unsigned seen = 0;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->quit && s->round == seen)
			pthread_cond_wait(&s->cond, &s->lock);
		if (s->quit)
			break;
		seen = s->round;
		pthread_mutex_unlock(&s->lock);
		stat_chunks(s);
		pthread_mutex_lock(&s->lock);
		s->done_round = seen;
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Start the helper if this machine has a second core for it. */
static void statter_start(struct statter *s)
{
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	atomic_init(&s->next, 0);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	/* without the helper the crawler does it all: slower, not wrong */
	s->started = !pthread_create(&s->thread, NULL, statter_thread, s);
}

static void statter_stop(struct statter *s)
{
	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->quit = 1;
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
	}
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
}

/* fstatat() every entry of c->ents, with the helper if it is worth it. */
static void stat_entries(struct crawl *c, int dfd)
{
	struct statter *s = &c->stat;

	if (!s->started || c->nents < PARALLEL_STAT_MIN) {
		for (size_t i = 0; i < c->nents; i++)
			stat_entry(dfd, c->opt.follow, &c->ents[i]);
		return;
	}
	pthread_mutex_lock(&s->lock);
	s->dfd = dfd;
	s->follow = c->opt.follow;
	s->ents = c->ents;
	s->nents = c->nents;
	atomic_store(&s->next, 0);
	s->round++;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);

	stat_chunks(s);

	pthread_mutex_lock(&s->lock);
	while (s->done_round != s->round)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

/* Decide what a stat()ed entry is to the index. */
static void classify(struct crawl *c, const char *dirpath, struct dentry *e)
{
	if (e->err) {
		if (e->link_err) {
			e->kind = K_SKIP;	/* dangling or looping link */
			c->st.skipped++;
		} else if (e->err == ENOENT) {	/* gone since readdir() */
			e->kind = K_SKIP;
		} else {
			path_join(&c->path, dirpath, e->name);
			report(c, c->path.buf, "stat", e->err, "cannot stat");
			e->kind = K_KEEP;
		}
		return;
	}
	if (S_ISREG(e->mode)) {
		e->kind = K_FILE;
	} else if (S_ISDIR(e->mode)) {
		if (c->opt.one_fs && e->meta.dev != c->top_dev)
			e->kind = K_SKIP;
		else
			e->kind = K_DIR;
	} else {
		e->kind = K_SKIP;
		c->st.skipped++;
	}
}

/*
 * --follow: a link to a directory already walked (an ancestor: a loop) or
 * about to be walked from here is not followed.  Real directories are
 * marked first and links are then taken in name order, so the outcome does
 * not depend on the order readdir() returned them in.
 */
static void skip_walked_links(struct crawl *c)
{
	for (size_t i = 0; i < c->nents; i++)
		if (c->ents[i].kind == K_DIR && !c->ents[i].via_link)
			visit_once(c, (dev_t)c->ents[i].meta.dev,
				   (ino_t)c->ents[i].meta.ino);
	for (size_t i = 0; i < c->nents; i++) {
		struct dentry *e = &c->ents[i];

		if (e->kind == K_DIR && e->via_link &&
		    !visit_once(c, (dev_t)e->meta.dev, (ino_t)e->meta.ino))
			e->kind = K_SKIP;
	}
}

/* The path of a directory below the top, relative to it ("" for the top). */
static const char *below_top(const struct crawl *c, const char *path)
{
	size_t len = strlen(c->top->path);

	if (path[len] == '/')
		return path + len + 1;
	/* the top itself, or "/" whose children are "/name" */
	return path[len] ? path + 1 : path + len;
}

/*
 * Open directory d below the top (never following a link unless
 * --follow), check it is the directory the parent's listing saw, and set
 * its identity for the jobs made of its files.  Returns the chain's
 * descriptor, or -1 after reporting.
 */
static int open_dir(struct crawl *c, const struct pending *d, int is_top)
{
	const char *rel = below_top(c, d->path);
	struct stat st;
	int dfd = is_top ? dirchain_top(c->chain, d->path, 0, 0)
			 : dirchain_open(c->chain, rel, strlen(rel), d->dev,
					 d->ino);

	if (dfd == DIRCHAIN_REPLACED) {
		report(c, d->path, "walk", 0, "directory replaced during the "
		       "scan: its rows are kept, the next scan walks it");
		return -1;
	}
	if (dfd < 0) {
		report(c, d->path, "walk", errno, "cannot open directory");
		return -1;
	}
	if (!is_top) {
		c->dir_dev = d->dev;
		c->dir_ino = d->ino;
		return dfd;
	}
	if (fstat(dfd, &st) < 0) {
		report(c, d->path, "walk", errno, "cannot stat directory");
		return -1;
	}
	c->dir_dev = c->top_dev = (uint64_t)st.st_dev;
	c->dir_ino = c->top_ino = (uint64_t)st.st_ino;
	if (c->opt.follow)
		visit_once(c, st.st_dev, st.st_ino);
	return dfd;
}

/* List directory d into c->ents, sorted.  -1 when it cannot be listed. */
static int list_dir(struct crawl *c, const struct pending *d, int is_top)
{
	const char *dirpath = d->path;
	struct dirent *de;
	int dfd, is_db_dir;
	DIR *dir;

	clear_entries(c);
	dfd = open_dir(c, d, is_top);
	if (dfd < 0)
		return -1;
	is_db_dir = c->opt.has_db_dir && c->dir_dev == (uint64_t)c->opt.db_dev &&
		    c->dir_ino == (uint64_t)c->opt.db_dir_ino;
	/* a descriptor of its own: closedir() must not close the chain's */
	dir = fdopendir(fcntl(dfd, F_DUPFD_CLOEXEC, 0));
	if (!dir) {
		report(c, dirpath, "walk", errno, "cannot read directory");
		return -1;
	}
	rewinddir(dir);
	for (;;) {
		const char *name;
		struct dentry *e;

		errno = 0;
		de = readdir(dir);
		if (!de) {
			if (errno) {
				report(c, dirpath, "walk", errno,
				       "cannot read directory");
				closedir(dir);
				clear_entries(c);
				return -1;
			}
			break;
		}
		name = de->d_name;
		if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
			continue;
		if (is_db_dir && is_db_file(c, name))
			continue;
		if (c->opt.ex->nr) {
			path_join(&c->path, dirpath, name);
			if (excludes_match(c->opt.ex, c->path.buf,
					   relative_to_root(c, c->path.buf), name))
				continue;
		}
		ALLOC_GROW(c->ents, c->nents + 1, c->aents);
		e = &c->ents[c->nents++];
		memset(e, 0, sizeof(*e));
		e->name = xstrdup(name);
	}
	stat_entries(c, dfd);
	closedir(dir);
	for (size_t i = 0; i < c->nents; i++)
		classify(c, dirpath, &c->ents[i]);
	qsort(c->ents, c->nents, sizeof(*c->ents), by_name);
	if (c->opt.follow)
		skip_walked_links(c);
	return 0;
}

static void new_job(struct crawl *c, const char *dirpath, int64_t dir_id,
		    const struct dentry *e, const struct index_row *row,
		    enum change why)
{
	struct file_place place = {
		.top_len = (uint32_t)strlen(c->top->path),
		.top_dev = c->top_dev, .top_ino = c->top_ino,
		.dir_dev = c->dir_dev, .dir_ino = c->dir_ino,
		.seen = e->meta,
	};
	struct job *job;

	path_join(&c->path, dirpath, e->name);
	place.name_off = (uint32_t)(c->path.len - strlen(e->name));
	job = job_new(c->path.buf, c->opt.job_flags |
		      (e->via_link ? JOB_FOLLOW : 0) |
		      (c->opt.follow ? JOB_FOLLOW_DIRS : 0), &place);
	job->dir_id = dir_id;
	job->row_id = row ? row->id : 0;
	job->was_archive = row && (row->flags & ENTRY_F_ARCHIVE);
	job->retry = why == CHANGE_FAILED;
	job_push(c->jobs, job);
}

static void merge_files(struct crawl *c, const struct pending *d)
{
	size_t i = 0, j = 0;

	while (i < c->nents || j < c->rows.nr) {
		int cmp = i == c->nents ? 1 : j == c->rows.nr ? -1 :
			  strcmp(c->ents[i].name, c->rows.v[j].name);
		const struct dentry *e = cmp <= 0 ? &c->ents[i] : NULL;
		const struct index_row *row = cmp >= 0 ? &c->rows.v[j] : NULL;

		if (e && e->kind == K_FILE) {
			atomic_fetch_add(&c->seen, 1);
			c->st.seen++;
			enum change why = CHANGE_META;

			if (row)
				why = change_check(&e->meta, row,
						   c->opt.mode_flags,
						   (c->opt.full ? CHANGE_FORCE_ALL : 0) |
						   (c->opt.retry_failed ?
						    CHANGE_FORCE_FAILED : 0));
			if (why != CHANGE_NONE)
				new_job(c, d->path, d->id, e, row, why);
			else
				c->st.unchanged++;
		} else if (row && (!e || e->kind != K_KEEP)) {
			writer_send_del_file(c->wq, row->id);
		}
		if (cmp <= 0)
			i++;
		if (cmp >= 0)
			j++;
	}
}

static const struct dentry *find_entry(struct crawl *c, const char *name)
{
	struct dentry key;

	key.name = (char *)name;
	return bsearch(&key, c->ents, c->nents, sizeof(*c->ents), by_name);
}

/* Walk path later; e is its entry in its parent's listing (NULL: a top). */
static void push_dir(struct crawl *c, char *path, int64_t id, int is_new,
		     const struct dentry *e)
{
	ALLOC_GROW(c->stack, c->nstack + 1, c->astack);
	c->stack[c->nstack++] = (struct pending) {
		.path = path, .id = id, .is_new = is_new,
		.dev = e ? e->meta.dev : 0, .ino = e ? e->meta.ino : 0,
	};
}

/*
 * Record a directory that the index does not list under its parent.  It may
 * still be indexed (the top of an absorbed root, or of an earlier subtree
 * scan): then it keeps its id and only its parent and root are updated.
 */
static int add_dir(struct crawl *c, const char *path, const char *parent,
		   int64_t *id, int *is_new)
{
	int found = store_dir_lookup(c->ro, path, id);

	if (found < 0)
		return -1;
	*is_new = !found;
	if (!found)
		*id = ++c->next_dir_id;
	writer_send_dir(c->wq, *id, path, parent, c->top->root_id);
	return 0;
}

static int merge_dirs(struct crawl *c, const struct pending *d)
{
	size_t dlen = strlen(d->path), first = c->nstack;
	size_t i = 0, j = 0;

	if (dlen == 1)
		dlen = 0;	/* children of "/" are "/name" */
	while (i < c->nents || j < c->drows.nr) {
		const char *rname = j < c->drows.nr ? c->drows.v[j].path + dlen + 1 : NULL;
		int cmp;

		if (i < c->nents && c->ents[i].kind != K_DIR) {
			i++;
			continue;
		}
		cmp = i == c->nents ? 1 : j == c->drows.nr ? -1 :
		      strcmp(c->ents[i].name, rname);
		if (cmp < 0) {
			int64_t id;
			int is_new;

			path_join(&c->path, d->path, c->ents[i].name);
			{
				char *child = xstrndup(c->path.buf, c->path.len);

				if (add_dir(c, child, d->path, &id, &is_new)) {
					free(child);
					return -1;
				}
				push_dir(c, child, id, is_new, &c->ents[i]);
			}
		} else if (cmp > 0) {
			const struct dentry *e = find_entry(c, rname);

			if (!e || e->kind != K_KEEP)
				writer_send_del_dir(c->wq, c->drows.v[j].path);
		} else {
			push_dir(c, xstrdup(c->drows.v[j].path),
				 c->drows.v[j].id, 0, &c->ents[i]);
		}
		if (cmp <= 0)
			i++;
		if (cmp >= 0)
			j++;
	}
	/* Visit subdirectories in name order: reverse what was pushed. */
	for (size_t a = first, b = c->nstack; a + 1 < b; a++, b--) {
		struct pending t = c->stack[a];

		c->stack[a] = c->stack[b - 1];
		c->stack[b - 1] = t;
	}
	return 0;
}

static int walk_dir(struct crawl *c, struct pending *d, int is_top)
{
	if (list_dir(c, d, is_top) < 0)
		return 0;	/* reported; its index rows stay as they are */
	if (!d->is_new) {
		if (store_dir_entries(c->ro, d->id, &c->rows) ||
		    store_dir_children(c->ro, d->path, &c->drows))
			return -1;
	} else {
		/* Nothing of a new directory can be indexed yet. */
		store_index_rows_release(&c->rows);
		store_dir_rows_release(&c->drows);
	}
	merge_files(c, d);
	return merge_dirs(c, d);
}

static char *parent_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static int walk_top(struct crawl *c, const struct crawl_top *top)
{
	int is_root = !strcmp(top->path, top->root);
	char *parent = is_root ? NULL : parent_of(top->path);
	int64_t id;
	int is_new, ret = 0;

	c->top = top;
	if (c->visited)
		memset(c->visited, 0, c->avisited * sizeof(*c->visited));
	c->nvisited = 0;
	if (add_dir(c, top->path, parent, &id, &is_new)) {
		free(parent);
		return -1;
	}
	free(parent);
	push_dir(c, xstrdup(top->path), id, is_new, NULL);
	while (c->nstack && !ret && !atomic_load(&c->stop)) {
		struct pending d = c->stack[--c->nstack];

		ret = walk_dir(c, &d, !strcmp(d.path, top->path));
		free(d.path);
	}
	return ret;
}

static void *crawl_thread(void *arg)
{
	struct crawl *c = arg;

	for (size_t i = 0; i < c->opt.ntops && !c->fatal; i++) {
		uint64_t errors = c->st.errors;

		if (atomic_load(&c->stop))
			break;
		if (walk_top(c, &c->opt.tops[i]))
			c->fatal = 1;
		/*
		 * Stopped part way, the walk saw only some directories: the
		 * root is not marked scanned.  Each directory it did walk was
		 * merged in full, so none of its deletions is a guess.
		 */
		c->opt.tops[i].complete = !c->fatal && c->st.errors == errors &&
					  !atomic_load(&c->stop);
	}
	while (c->nstack)
		free(c->stack[--c->nstack].path);
	queue_close(c->jobs);
	return NULL;
}

struct crawl *crawl_start(struct store *ro, const struct crawl_options *opt,
			  struct queue *jobs, struct queue *wq)
{
	struct crawl *c = xcalloc(1, sizeof(*c));
	int rc;

	c->ro = ro;
	c->opt = *opt;
	c->jobs = jobs;
	c->wq = wq;
	strbuf_init(&c->path, 256);
	atomic_init(&c->seen, 0);
	atomic_init(&c->stop, 0);
	if (store_max_dir_id(ro, &c->next_dir_id))
		goto fail;
	c->chain = dirchain_new(opt->follow);
	statter_start(&c->stat);
	rc = pthread_create(&c->thread, NULL, crawl_thread, c);
	if (rc) {
		error("cannot start the crawler thread: %s", strerror(rc));
		statter_stop(&c->stat);
		goto fail;
	}
	return c;
fail:
	dirchain_free(c->chain);
	strbuf_release(&c->path);
	free(c);
	return NULL;
}

int crawl_finish(struct crawl *c, struct crawl_stats *st)
{
	int ret;

	pthread_join(c->thread, NULL);
	statter_stop(&c->stat);
	st->seen += c->st.seen;
	st->unchanged += c->st.unchanged;
	st->skipped += c->st.skipped;
	st->errors += c->st.errors;
	ret = c->fatal ? -1 : 0;
	dirchain_free(c->chain);
	clear_entries(c);
	free(c->ents);
	store_index_rows_release(&c->rows);
	store_dir_rows_release(&c->drows);
	free(c->stack);
	free(c->visited);
	strbuf_release(&c->path);
	free(c);
	return ret;
}

void crawl_stop(struct crawl *c)
{
	atomic_store(&c->stop, 1);
}

uint64_t crawl_progress(struct crawl *c)
{
	return atomic_load(&c->seen);
}
