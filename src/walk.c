/*
 * walk.c - the walker thread (walk.h).  Directories are opened below their
 * top through a struct dirchain (beneath.h), never by path, and each is
 * checked against the identity its parent's listing gave; the directories
 * still to visit wait on an explicit stack.  What cannot be listed or
 * stat()ed is reported and handed on as such: an unreadable directory is
 * an error to report, not a reason to forget what it held.
 *
 * The entries of a big directory are stat()ed by the walker and a helper
 * thread together, each taking chunks of the listing.  Listings wait for
 * the crawler in a bounded queue, and the walker waits while the listings
 * it handed on but the crawler has not released hold more than
 * WALK_MAX_ENTRIES entries (one directory always goes), so memory stays
 * flat whatever the tree.
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
#include "fsutil.h"
#include "util.h"
#include "walk.h"
#include "writer.h"

/*
 * Directories with at least this many entries are stat()ed by two threads;
 * below it the hand-over costs more than it saves.
 */
#define PARALLEL_STAT_MIN 48
#define STAT_CHUNK 16

/* Entries listed ahead of the crawler, at most (one directory always). */
#define WALK_MAX_ENTRIES 65536

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

struct todo {
	char *path;
	uint64_t dev, ino;	/* as its parent's listing saw it */
};

struct devino {
	dev_t dev;
	ino_t ino;
	int used;
};

struct walker {
	pthread_t thread;
	struct walk_options opt;
	struct queue *out, *wq;
	struct dirchain *chain;
	size_t top;		/* the top being walked */
	uint64_t top_dev;
	struct walk_stats st;
	atomic_int stop;

	/* what the crawler has not released yet */
	pthread_mutex_t lock;
	pthread_cond_t released;
	size_t ahead;

	struct todo *stack;
	size_t nstack, astack;
	/*
	 * --follow: directories walked under the current top, a hash set, so
	 * that a link back to an ancestor (or to a tree already walked) is not
	 * followed again.
	 */
	struct devino *visited;
	size_t nvisited, avisited;
	struct strbuf path;
	struct statter stat;
	/* what getdents64() returns, aligned for struct dirent64 */
	char dents[32768] __attribute__((aligned(8)));
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
	w->st.errors++;
	writer_send_error(w->wq, path, stage, err, msg.buf);
	strbuf_release(&msg);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct dentry *)a)->name,
		      ((const struct dentry *)b)->name);
}

static const char *relative_to_root(const struct walker *w, const char *path)
{
	size_t len = strlen(w->opt.roots[w->top]);

	if (len == 1)
		return path + 1;
	return path[len] == '/' ? path + len + 1 : path + len;
}

/* The path of a directory below the top, relative to it ("" for the top). */
static const char *below_top(const struct walker *w, const char *path)
{
	size_t len = strlen(w->opt.tops[w->top]);

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
	/* without the helper the walker does it all: slower, not wrong */
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

/* fstatat() every entry of l, with the helper if it is worth it. */
static void stat_entries(struct walker *w, int dfd, struct listing *l)
{
	struct statter *s = &w->stat;

	if (!s->started || l->nents < PARALLEL_STAT_MIN) {
		for (size_t i = 0; i < l->nents; i++)
			stat_entry(dfd, w->opt.follow, &l->ents[i]);
		return;
	}
	pthread_mutex_lock(&s->lock);
	s->dfd = dfd;
	s->follow = w->opt.follow;
	s->ents = l->ents;
	s->nents = l->nents;
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
static void classify(struct walker *w, const char *dirpath, struct dentry *e)
{
	if (e->err) {
		if (e->link_err) {
			e->kind = K_SKIP;	/* dangling or looping link */
			w->st.skipped++;
		} else if (e->err == ENOENT) {	/* gone since readdir() */
			e->kind = K_SKIP;
		} else {
			path_join(&w->path, dirpath, e->name);
			report(w, w->path.buf, "stat", e->err, "cannot stat");
			e->kind = K_KEEP;
		}
		return;
	}
	if (S_ISREG(e->mode)) {
		e->kind = K_FILE;
	} else if (S_ISDIR(e->mode)) {
		if (w->opt.one_fs && e->meta.dev != w->top_dev)
			e->kind = K_SKIP;
		else
			e->kind = K_DIR;
	} else {
		e->kind = K_SKIP;
		w->st.skipped++;
	}
}

/*
 * --follow: a link to a directory already walked (an ancestor: a loop) or
 * about to be walked from here is not followed.  Real directories are
 * marked first and links are then taken in name order, so the outcome does
 * not depend on the order readdir() returned them in.
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
 * Open directory d below the top (never following a link unless
 * --follow) and check it is the directory the parent's listing saw (a top
 * is what it is).  Fills l's identity.  Returns the chain's descriptor, or
 * -1 after reporting.
 */
static int open_dir(struct walker *w, const struct todo *d, int is_top,
		    struct listing *l)
{
	const char *rel = below_top(w, d->path);
	struct stat st;
	int dfd = is_top ? dirchain_top(w->chain, d->path, 0, 0)
			 : dirchain_open(w->chain, rel, strlen(rel), d->dev,
					 d->ino);

	if (dfd == DIRCHAIN_REPLACED) {
		report(w, d->path, "walk", 0, "directory replaced during the "
		       "scan: its rows are kept, the next scan walks it");
		return -1;
	}
	if (dfd < 0) {
		report(w, d->path, "walk", errno, "cannot open directory");
		return -1;
	}
	l->dev = d->dev;
	l->ino = d->ino;
	if (!is_top)
		return dfd;
	if (fstat(dfd, &st) < 0) {
		report(w, d->path, "walk", errno, "cannot stat directory");
		return -1;
	}
	l->dev = w->top_dev = (uint64_t)st.st_dev;
	l->ino = (uint64_t)st.st_ino;
	if (w->opt.follow)
		visit_once(w, st.st_dev, st.st_ino);
	return dfd;
}

/* Add name to l unless it is not to be listed. */
static void add_name(struct walker *w, struct listing *l, const char *name,
		     int is_db_dir, size_t *alloc)
{
	if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
		return;
	if (is_db_dir && is_db_file(w, name))
		return;
	if (w->opt.ex->nr) {
		path_join(&w->path, l->path, name);
		if (excludes_match(w->opt.ex, w->path.buf,
				   relative_to_root(w, w->path.buf), name))
			return;
	}
	ALLOC_GROW(l->ents, l->nents + 1, *alloc);
	l->ents[l->nents++] = (struct dentry) { .name = xstrdup(name) };
}

/*
 * Read the names of the directory open on dfd (the chain's: read from its
 * start, without a DIR of its own) into l, unsorted.
 */
static int read_names(struct walker *w, int dfd, struct listing *l)
{
	int is_db_dir = w->opt.has_db_dir && l->dev == (uint64_t)w->opt.db_dev &&
			l->ino == (uint64_t)w->opt.db_dir_ino;
	size_t alloc = 0;
	long n;

	if (lseek(dfd, 0, SEEK_SET) < 0)
		goto fail;
	while ((n = syscall(SYS_getdents64, dfd, w->dents, sizeof(w->dents))) > 0) {
		for (long off = 0; off < n;) {
			const struct dirent64 *de = (const void *)(w->dents + off);

			add_name(w, l, de->d_name, is_db_dir, &alloc);
			off += de->d_reclen;
		}
	}
	if (n == 0)
		return 0;
fail:
	report(w, l->path, "walk", errno, "cannot read directory");
	return -1;
}

/* List directory d: a listing sorted and classified, or one marked failed. */
static struct listing *list_dir(struct walker *w, const struct todo *d,
				int is_top)
{
	struct listing *l = xcalloc(1, sizeof(*l));
	int dfd;

	l->path = xstrdup(d->path);
	dfd = open_dir(w, d, is_top, l);
	if (dfd < 0 || read_names(w, dfd, l) < 0) {
		for (size_t i = 0; i < l->nents; i++)
			free(l->ents[i].name);
		l->nents = 0;
		l->failed = 1;
		return l;
	}
	stat_entries(w, dfd, l);
	for (size_t i = 0; i < l->nents; i++)
		classify(w, l->path, &l->ents[i]);
	qsort(l->ents, l->nents, sizeof(*l->ents), by_name);
	if (w->opt.follow)
		skip_walked_links(w, l);
	return l;
}

/* The subdirectories of l, to be walked in name order. */
static void push_children(struct walker *w, const struct listing *l)
{
	for (size_t i = l->nents; i-- > 0;) {
		const struct dentry *e = &l->ents[i];

		if (e->kind != K_DIR)
			continue;
		path_join(&w->path, l->path, e->name);
		ALLOC_GROW(w->stack, w->nstack + 1, w->astack);
		w->stack[w->nstack++] = (struct todo) {
			.path = xstrndup(w->path.buf, w->path.len),
			.dev = e->meta.dev, .ino = e->meta.ino,
		};
	}
}

/* Hand l on, once the crawler has room for it. */
static void hand_on(struct walker *w, struct listing *l)
{
	pthread_mutex_lock(&w->lock);
	while (w->ahead && w->ahead + l->nents > w->opt.max_ahead &&
	       !atomic_load(&w->stop))
		pthread_cond_wait(&w->released, &w->lock);
	w->ahead += l->nents;
	pthread_mutex_unlock(&w->lock);
	if (queue_push(w->out, l) < 0)
		listing_free(l);
}

static void walk_top(struct walker *w)
{
	uint64_t errors = w->st.errors;
	struct listing *end;
	int is_top = 1;

	if (w->visited)
		memset(w->visited, 0, w->avisited * sizeof(*w->visited));
	w->nvisited = 0;
	ALLOC_GROW(w->stack, w->nstack + 1, w->astack);
	w->stack[w->nstack++] = (struct todo) {
		.path = xstrdup(w->opt.tops[w->top]),
	};
	while (w->nstack && !atomic_load(&w->stop)) {
		struct todo d = w->stack[--w->nstack];
		struct listing *l = list_dir(w, &d, is_top);

		is_top = 0;
		push_children(w, l);
		hand_on(w, l);
		free(d.path);
	}
	while (w->nstack)
		free(w->stack[--w->nstack].path);
	end = xcalloc(1, sizeof(*end));
	end->top_clean = w->st.errors == errors && !atomic_load(&w->stop);
	hand_on(w, end);
}

static void *walker_thread(void *arg)
{
	struct walker *w = arg;

	for (w->top = 0; w->top < w->opt.ntops && !atomic_load(&w->stop);
	     w->top++)
		walk_top(w);
	queue_close(w->out);
	return NULL;
}

static void walker_free(struct walker *w)
{
	dirchain_free(w->chain);
	free(w->visited);
	free(w->stack);
	strbuf_release(&w->path);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->released);
	free(w);
}

struct walker *walker_start(const struct walk_options *opt, struct queue *out,
			    struct queue *wq)
{
	struct walker *w = xcalloc(1, sizeof(*w));
	int rc;

	w->opt = *opt;
	if (!w->opt.max_ahead)
		w->opt.max_ahead = WALK_MAX_ENTRIES;
	w->out = out;
	w->wq = wq;
	w->chain = dirchain_new(opt->follow);
	strbuf_init(&w->path, 256);
	atomic_init(&w->stop, 0);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->released, NULL);
	statter_start(&w->stat);
	rc = pthread_create(&w->thread, NULL, walker_thread, w);
	if (rc) {
		error("cannot start the walker thread: %s", strerror(rc));
		statter_stop(&w->stat);
		walker_free(w);
		return NULL;
	}
	return w;
}

void walker_release(struct walker *w, struct listing *l)
{
	pthread_mutex_lock(&w->lock);
	w->ahead -= l->nents;
	pthread_cond_signal(&w->released);
	pthread_mutex_unlock(&w->lock);
	listing_free(l);
}

void walker_stop(struct walker *w)
{
	atomic_store(&w->stop, 1);
	pthread_mutex_lock(&w->lock);
	pthread_cond_broadcast(&w->released);
	pthread_mutex_unlock(&w->lock);
}

void walker_finish(struct walker *w, struct walk_stats *st)
{
	pthread_join(w->thread, NULL);
	statter_stop(&w->stat);
	st->skipped += w->st.skipped;
	st->errors += w->st.errors;
	walker_free(w);
}
