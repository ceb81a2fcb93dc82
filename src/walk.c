/*
 * walk.c - the walker (walk.h).  Directories are opened below their top
 * through a struct dirchain (beneath.h), never by path, and each is
 * checked against the identity its parent's listing gave.  What cannot be
 * listed or stat()ed is reported and handed on as such: an unreadable
 * directory is an error to report, not a reason to forget what it held.
 *
 * Two threads list directories side by side (one on a single core, or
 * with --follow).  They
 * take the directories still to list from a heap ordered as the crawler
 * merges them (depth first, names in byte order), so that each takes the
 * first one not yet taken, and put the listings in a second heap in the
 * same order; walker_next() hands out the first listing once nothing
 * before it is still to be listed.  The threads wait while the listings
 * the crawler has not released hold more than WALK_MAX_ENTRIES entries,
 * unless the directory to list comes before every listing waiting (the
 * crawler needs it first): memory stays flat, and the crawler never waits
 * for a directory nobody may list.
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
#include <sys/syscall.h>
#include <unistd.h>

#include "beneath.h"
#include "fstype.h"
#include "fsutil.h"
#include "util.h"
#include "walk.h"
#include "writer.h"

/* Entries listed ahead of the crawler, at most (by default). */
#define WALK_MAX_ENTRIES 16384

#define WALK_THREADS 2

/* A directory to list (l NULL), or listed; or the end of a top (no path). */
struct item {
	size_t top;
	char *path;		/* once listed, the listing's */
	uint64_t dev, ino;	/* as its parent's listing saw it (0: a top) */
	struct listing *l;
};

/* A binary heap of items, first first (item_before()). */
struct heap {
	struct item *v;
	size_t nr, alloc;
};

struct devino {
	dev_t dev;
	ino_t ino;
	int used;
};

struct walker;

/* What each listing thread has of its own. */
struct lister {
	struct walker *w;
	pthread_t thread;
	int started;
	struct dirchain *chain;
	struct strbuf path;
	/* what getdents64() returns, aligned for struct dirent64 */
	char dents[32768] __attribute__((aligned(8)));
};

struct walker {
	struct walk_options opt;
	struct queue *wq;
	atomic_int stop;
	atomic_uint_fast64_t skipped, errors;

	pthread_mutex_t lock;	/* all that follows */
	pthread_cond_t cond;
	struct heap todo, done;
	/* being listed, one slot a thread (path NULL: none) */
	struct item busy[WALK_THREADS];
	size_t ahead;		/* entries handed on and not released */
	size_t top;		/* the top being walked */
	int top_started, finished;
	uint64_t top_errors;	/* errors when the top started */
	uint64_t top_dev;
	/*
	 * --follow: directories walked under the current top, a hash set, so
	 * that a link back to an ancestor (or to a tree already walked) is not
	 * followed again.
	 */
	struct devino *visited;
	size_t nvisited, avisited;

	struct lister listers[WALK_THREADS];
	int nlisters;
};

static void listing_free(struct listing *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nents; i++)
		free(l->ents[i].name);
	free(l->ents);
	free(l->path);
	free(l);
}

/*
 * Depth first, names in byte order: a path comes before the paths below
 * it, which come before its next sibling ("a" < "a/b" < "a-x": the end of
 * a path first, then '/', then every other byte).
 */
static int dfs_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = *a == '/' ? 1 : *a ? (unsigned char)*a + 1 : 0;
		int cb = *b == '/' ? 1 : *b ? (unsigned char)*b + 1 : 0;

		if (ca != cb)
			return ca - cb;
		if (!ca)
			return 0;
	}
}

/* The order of the crawler: top by top, the end of a top last. */
static int item_before(const struct item *a, const struct item *b)
{
	if (a->top != b->top)
		return a->top < b->top;
	if (!a->path || !b->path)
		return !b->path && a->path;
	return dfs_cmp(a->path, b->path) < 0;
}

static void heap_push(struct heap *h, struct item it)
{
	size_t i;

	ALLOC_GROW(h->v, h->nr + 1, h->alloc);
	for (i = h->nr++; i && item_before(&it, &h->v[(i - 1) / 2]);
	     i = (i - 1) / 2)
		h->v[i] = h->v[(i - 1) / 2];
	h->v[i] = it;
}

static struct item heap_pop(struct heap *h)
{
	struct item first = h->v[0], last = h->v[--h->nr];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->nr)
			break;
		if (c + 1 < h->nr && item_before(&h->v[c + 1], &h->v[c]))
			c++;
		if (!item_before(&h->v[c], &last))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->nr)
		h->v[i] = last;
	return first;
}

static void heap_release(struct heap *h)
{
	for (size_t i = 0; i < h->nr; i++) {
		if (h->v[i].l)		/* its path is the listing's */
			listing_free(h->v[i].l);
		else
			free(h->v[i].path);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}

/* A problem with path; err is an errno, or 0 when what says it all. */
static void report(struct walker *w, const char *path, const char *stage,
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
	atomic_fetch_add(&w->errors, 1);
	writer_send_error(w->wq, path, stage, err, msg.buf);
	strbuf_release(&msg);
}

/*
 * A directory on a pseudo file system, not walked: said, and recorded with
 * the stage "skipped", which is no failure of the scan.
 */
static void report_skip(struct walker *w, const char *path,
			const struct fs_type *t)
{
	struct strbuf msg = STRBUF_INIT;

	strbuf_addf(&msg, "a %s file system, not walked%s", t->name,
		    t->never ? "" : " (see --include-fs)");
	warning("skipped '%s': %s", path, msg.buf);
	atomic_fetch_add(&w->skipped, 1);
	writer_send_error(w->wq, path, "skipped", 0, msg.buf);
	strbuf_release(&msg);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct dentry *)a)->name,
		      ((const struct dentry *)b)->name);
}

static const char *relative_to_root(const struct walker *w, size_t top,
				    const char *path)
{
	size_t len = strlen(w->opt.roots[top]);

	if (len == 1)
		return path + 1;
	return path[len] == '/' ? path + len + 1 : path + len;
}

/* The path of a directory below the top, relative to it ("" for the top). */
static const char *below_top(const struct walker *w, size_t top,
			     const char *path)
{
	size_t len = strlen(w->opt.tops[top]);

	if (path[len] == '/')
		return path + len + 1;
	/* the top itself, or "/" whose children are "/name" */
	return path[len] ? path + 1 : path + len;
}
static int is_db_file(const struct walker *w, const char *name)
{
	size_t len = strlen(w->opt.db_name);
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal",
					      ".lock" };

	if (strncmp(name, w->opt.db_name, len))
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
static int visit_once(struct walker *w, dev_t dev, ino_t ino)
{
	size_t mask, i;

	if (2 * (w->nvisited + 1) > w->avisited) {
		struct devino *old = w->visited;
		size_t oldcap = w->avisited;

		w->avisited = oldcap ? 2 * oldcap : 64;
		w->visited = xcalloc(w->avisited, sizeof(*w->visited));
		w->nvisited = 0;
		for (i = 0; i < oldcap; i++)
			if (old[i].used)
				visit_once(w, old[i].dev, old[i].ino);
		free(old);
	}
	mask = w->avisited - 1;
	for (i = devino_hash(dev, ino) & mask; w->visited[i].used;
	     i = (i + 1) & mask)
		if (w->visited[i].dev == dev && w->visited[i].ino == ino)
			return 0;
	w->visited[i].used = 1;
	w->visited[i].dev = dev;
	w->visited[i].ino = ino;
	w->nvisited++;
	return 1;
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

/*
 * Directory e of l (open on dfd) is on another device than l: is it a
 * pseudo file system not to walk (said if so)?  Only the directory the
 * walk saw is asked about; one swapped in since is left to open_dir(),
 * which finds it replaced.
 */
static int skip_pseudo(struct lister *t, const struct listing *l, int dfd,
		       const struct dentry *e)
{
	const struct fs_type *type = NULL;
	struct stat st;
	int fd, err = 0;

	fd = openat(dfd, e->name, O_PATH | O_DIRECTORY | O_CLOEXEC |
		    (e->via_link ? 0 : O_NOFOLLOW));
	if (fd < 0)	/* gone or replaced since: open_dir() says so */
		return 0;
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_dev != e->meta.dev ||
	    (uint64_t)st.st_ino != e->meta.ino)
		goto out;
	if (fstype_skip(fd, t->w->opt.include_fs, &type) < 0)
		err = errno;
	if (!type && !err)
		goto out;
	path_join(&t->path, l->path, e->name);
	if (type)
		report_skip(t->w, t->path.buf, type);
	else	/* not told what it is: not walked, its rows kept */
		report(t->w, t->path.buf, "stat", err,
		       "cannot stat file system");
out:
	close(fd);
	return type || err;
}

/* Decide what a stat()ed entry of l (open on dfd) is to the index. */
static void classify(struct lister *t, const struct listing *l, int dfd,
		     struct dentry *e)
{
	struct walker *w = t->w;
	const char *dirpath = l->path;

	if (e->err) {
		if (e->link_err) {
			e->kind = K_SKIP;	/* dangling or looping link */
			atomic_fetch_add(&w->skipped, 1);
		} else if (e->err == ENOENT) {	/* gone since readdir() */
			e->kind = K_SKIP;
		} else {
			path_join(&t->path, dirpath, e->name);
			report(w, t->path.buf, "stat", e->err, "cannot stat");
			e->kind = K_KEEP;
		}
		return;
	}
	if (S_ISREG(e->mode)) {
		e->kind = K_FILE;
	} else if (S_ISDIR(e->mode)) {
		if (w->opt.one_fs && e->meta.dev != w->top_dev)
			e->kind = K_SKIP;
		else if (e->meta.dev != l->dev && skip_pseudo(t, l, dfd, e))
			e->kind = K_KEEP;
		else
			e->kind = K_DIR;
	} else {
		e->kind = K_SKIP;
		atomic_fetch_add(&w->skipped, 1);
	}
}

/*
 * --follow: a link to a directory already walked (an ancestor: a loop) or
 * about to be walked from here is not followed.  Real directories are
 * marked first and links are then taken in name order, so the outcome does
 * not depend on the order readdir() returned them in.  Under w->lock.
 */
static void skip_walked_links(struct walker *w, struct listing *l)
{
	for (size_t i = 0; i < l->nents; i++)
		if (l->ents[i].kind == K_DIR && !l->ents[i].via_link)
			visit_once(w, (dev_t)l->ents[i].meta.dev,
				   (ino_t)l->ents[i].meta.ino);
	for (size_t i = 0; i < l->nents; i++) {
		struct dentry *e = &l->ents[i];

		if (e->kind == K_DIR && e->via_link &&
		    !visit_once(w, (dev_t)e->meta.dev, (ino_t)e->meta.ino))
			e->kind = K_SKIP;
	}
}

/*
 * Open directory it (whose path is l's now) below its top (never following
 * a link unless --follow) and check it is the directory the parent's
 * listing saw (a top is what it is).  Fills l's identity.  Returns the chain's descriptor, or
 * -1 after reporting.
 */
static int open_dir(struct lister *t, const struct item *it, struct listing *l)
{
	struct walker *w = t->w;
	const char *rel = below_top(w, it->top, l->path);
	int is_top = !it->dev && !it->ino;
	const struct fs_type *type;
	struct stat st;
	int dfd = dirchain_top(t->chain, w->opt.tops[it->top], 0, 0);

	if (dfd >= 0 && !is_top)
		dfd = dirchain_open(t->chain, rel, strlen(rel), it->dev, it->ino);
	if (dfd == DIRCHAIN_REPLACED) {
		report(w, l->path, "walk", 0, "directory replaced during the "
		       "scan: its rows are kept, the next scan walks it");
		return -1;
	}
	if (dfd < 0) {
		report(w, l->path, "walk", errno, "cannot open directory");
		return -1;
	}
	l->dev = it->dev;
	l->ino = it->ino;
	if (!is_top)
		return dfd;
	if (fstat(dfd, &st) < 0) {
		report(w, l->path, "walk", errno, "cannot stat directory");
		return -1;
	}
	/* a root named on the command line was refused; a known one is not */
	if (fstype_skip(dfd, w->opt.include_fs, &type) < 0) {
		report(w, l->path, "walk", errno, "cannot stat file system");
		return -1;
	}
	if (type) {
		report_skip(w, l->path, type);
		return -1;
	}
	l->dev = (uint64_t)st.st_dev;
	l->ino = (uint64_t)st.st_ino;
	pthread_mutex_lock(&w->lock);
	w->top_dev = l->dev;
	if (w->opt.follow)
		visit_once(w, st.st_dev, st.st_ino);
	pthread_mutex_unlock(&w->lock);
	return dfd;
}

/* Add name to l unless it is not to be listed. */
static void add_name(struct lister *t, size_t top, struct listing *l,
		     const char *name, int is_db_dir, size_t *alloc)
{
	const struct walker *w = t->w;

	if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
		return;
	if (is_db_dir && is_db_file(w, name))
		return;
	if (w->opt.ex->nr) {
		path_join(&t->path, l->path, name);
		if (excludes_match(w->opt.ex, t->path.buf,
				   relative_to_root(w, top, t->path.buf), name))
			return;
	}
	ALLOC_GROW(l->ents, l->nents + 1, *alloc);
	l->ents[l->nents++] = (struct dentry) { .name = xstrdup(name) };
}

/*
 * Read the names of the directory open on dfd (the chain's: read from its
 * start, without a DIR of its own) into l, unsorted.
 */
static int read_names(struct lister *t, size_t top, int dfd,
		      struct listing *l)
{
	const struct walker *w = t->w;
	int is_db_dir = w->opt.has_db_dir && l->dev == (uint64_t)w->opt.db_dev &&
			l->ino == (uint64_t)w->opt.db_dir_ino;
	size_t alloc = 0;
	long n;

	if (lseek(dfd, 0, SEEK_SET) < 0)
		goto fail;
	while ((n = syscall(SYS_getdents64, dfd, t->dents, sizeof(t->dents))) > 0) {
		for (long off = 0; off < n;) {
			const struct dirent64 *de = (const void *)(t->dents + off);

			add_name(t, top, l, de->d_name, is_db_dir, &alloc);
			off += de->d_reclen;
		}
	}
	if (n == 0)
		return 0;
fail:
	report(t->w, l->path, "walk", errno, "cannot read directory");
	return -1;
}

/*
 * List directory it: a listing sorted and classified, or one marked
 * failed.  The listing takes over it->path.
 */
static struct listing *list_dir(struct lister *t, struct item *it)
{
	struct walker *w = t->w;
	struct listing *l = xcalloc(1, sizeof(*l));
	int dfd;

	l->path = it->path;
	it->path = NULL;
	dfd = open_dir(t, it, l);
	if (dfd < 0 || read_names(t, it->top, dfd, l) < 0) {
		for (size_t i = 0; i < l->nents; i++)
			free(l->ents[i].name);
		l->nents = 0;
		l->failed = 1;
		return l;
	}
	for (size_t i = 0; i < l->nents; i++)
		stat_entry(dfd, w->opt.follow, &l->ents[i]);
	for (size_t i = 0; i < l->nents; i++)
		classify(t, l, dfd, &l->ents[i]);
	if (l->nents)	/* an empty directory has no array */
		qsort(l->ents, l->nents, sizeof(*l->ents), by_name);
	return l;
}

/* The subdirectories of l, still to be listed.  Under w->lock. */
static void push_children(struct lister *t, size_t top,
			  const struct listing *l)
{
	for (size_t i = 0; i < l->nents; i++) {
		const struct dentry *e = &l->ents[i];

		if (e->kind != K_DIR)
			continue;
		path_join(&t->path, l->path, e->name);
		heap_push(&t->w->todo, (struct item) {
			.top = top, .path = xstrndup(t->path.buf, t->path.len),
			.dev = e->meta.dev, .ino = e->meta.ino,
		});
	}
}

/* Is a directory being listed that comes before it?  Under w->lock. */
static int busy_before(const struct walker *w, const struct item *it)
{
	for (int i = 0; i < WALK_THREADS; i++)
		if (w->busy[i].path && item_before(&w->busy[i], it))
			return 1;
	return 0;
}

static int any_busy(const struct walker *w)
{
	for (int i = 0; i < WALK_THREADS; i++)
		if (w->busy[i].path)
			return 1;
	return 0;
}

/*
 * Too far ahead of the crawler to list the first directory to list: only
 * when it does not come before every listing waiting.  Under w->lock.
 */
static int too_far_ahead(const struct walker *w)
{
	return w->ahead > w->opt.max_ahead && w->done.nr &&
	       !item_before(&w->todo.v[0], &w->done.v[0]);
}

/*
 * Nothing is left to list or being listed: the top (if one was started)
 * is done, the next starts, or the walk is over.  Under w->lock.
 */
static void next_top(struct walker *w)
{
	uint64_t errors = atomic_load(&w->errors);

	if (w->top_started) {
		struct listing *end = xcalloc(1, sizeof(*end));

		end->top_clean = errors == w->top_errors &&
				 !atomic_load(&w->stop);
		heap_push(&w->done, (struct item) { .top = w->top, .l = end });
		w->top++;
		w->top_started = 0;
	}
	if (w->top < w->opt.ntops) {
		heap_push(&w->todo, (struct item) {
			.top = w->top, .path = xstrdup(w->opt.tops[w->top]),
		});
		w->top_started = 1;
		w->top_errors = errors;
		if (w->visited)
			memset(w->visited, 0, w->avisited * sizeof(*w->visited));
		w->nvisited = 0;
	} else {
		w->finished = 1;
	}
	pthread_cond_broadcast(&w->cond);
}

/* List one directory taken from the heap (w->lock held, and again after). */
static void list_one(struct lister *t, struct item *busy)
{
	struct walker *w = t->w;
	struct item it = heap_pop(&w->todo);

	*busy = it;
	pthread_mutex_unlock(&w->lock);
	it.l = list_dir(t, &it);
	it.path = it.l->path;	/* the listing's now: the key of its order */
	pthread_mutex_lock(&w->lock);
	busy->path = NULL;
	if (w->opt.follow)
		skip_walked_links(w, it.l);
	push_children(t, it.top, it.l);
	w->ahead += it.l->nents;
	heap_push(&w->done, it);
	pthread_cond_broadcast(&w->cond);
}

static void *lister_thread(void *arg)
{
	struct lister *t = arg;
	struct walker *w = t->w;
	struct item *busy = &w->busy[t - w->listers];

	pthread_mutex_lock(&w->lock);
	while (!atomic_load(&w->stop) && !w->finished) {
		if (!w->todo.nr) {
			if (!any_busy(w))
				next_top(w);
			else
				pthread_cond_wait(&w->cond, &w->lock);
		} else if (too_far_ahead(w)) {
			pthread_cond_wait(&w->cond, &w->lock);
		} else {
			list_one(t, busy);
		}
	}
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct listing *walker_next(struct walker *w)
{
	struct listing *l = NULL;

	pthread_mutex_lock(&w->lock);
	while (!atomic_load(&w->stop)) {
		const struct item *first = w->done.nr ? &w->done.v[0] : NULL;

		if (first && (!w->todo.nr || item_before(first, &w->todo.v[0])) &&
		    !busy_before(w, first)) {
			struct item it = heap_pop(&w->done);

			l = it.l;
			break;
		}
		if (w->finished && !w->done.nr)
			break;
		pthread_cond_wait(&w->cond, &w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return l;
}

void walker_release(struct walker *w, struct listing *l)
{
	pthread_mutex_lock(&w->lock);
	w->ahead -= l->nents;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	listing_free(l);
}

size_t walker_ahead(struct walker *w)
{
	size_t n;

	pthread_mutex_lock(&w->lock);
	n = w->ahead;
	pthread_mutex_unlock(&w->lock);
	return n;
}

void walker_stop(struct walker *w)
{
	pthread_mutex_lock(&w->lock);
	atomic_store(&w->stop, 1);
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static void walker_free(struct walker *w)
{
	for (int i = 0; i < WALK_THREADS; i++) {
		dirchain_free(w->listers[i].chain);
		strbuf_release(&w->listers[i].path);
	}
	heap_release(&w->todo);
	heap_release(&w->done);
	free(w->visited);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}

struct walker *walker_start(const struct walk_options *opt, struct queue *wq)
{
	struct walker *w = xcalloc(1, sizeof(*w));
	/*
	 * --follow lists with one thread: which link to a directory is
	 * followed depends on the order the directories are marked walked in,
	 * and only one thread marks them in the order of the walk.
	 */
	int n = sysconf(_SC_NPROCESSORS_ONLN) < 2 || opt->follow ? 1
								 : WALK_THREADS;

	w->opt = *opt;
	if (!w->opt.max_ahead)
		w->opt.max_ahead = WALK_MAX_ENTRIES;
	w->wq = wq;
	atomic_init(&w->stop, 0);
	atomic_init(&w->skipped, 0);
	atomic_init(&w->errors, 0);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	for (int i = 0; i < WALK_THREADS; i++) {
		w->listers[i].w = w;
		w->listers[i].chain = dirchain_new(opt->follow);
		strbuf_init(&w->listers[i].path, 256);
	}
	for (int i = 0; i < n; i++) {
		int rc = pthread_create(&w->listers[i].thread, NULL,
					lister_thread, &w->listers[i]);

		if (rc) {
			/* with fewer threads the walk is slower, not wrong */
			if (!i)
				error("cannot start the walker thread: %s",
				      strerror(rc));
			break;
		}
		w->listers[i].started = 1;
		w->nlisters = i + 1;
	}
	if (!w->nlisters) {
		walker_free(w);
		return NULL;
	}
	return w;
}

void walker_finish(struct walker *w, struct walk_stats *st)
{
	for (int i = 0; i < w->nlisters; i++)
		pthread_join(w->listers[i].thread, NULL);
	st->skipped += atomic_load(&w->skipped);
	st->errors += atomic_load(&w->errors);
	walker_free(w);
}
