/*
 * crawl.c - the merge of the walk with the index.  The walker (walk.c)
 * hands on the listings of the directories in the order this thread pops
 * them from its own stack; each listing, sorted, is merged with the sorted
 * index rows of that directory (files, then subdirectories): memory holds
 * one directory at a time, never the whole index.  New and changed files
 * become jobs, files and directories no longer there deletions.  What the
 * walker could not list or stat() keeps its index rows untouched.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crawl.h"
#include "formats/format.h"
#include "filemeta.h"
#include "job.h"
#include "walk.h"
#include "util.h"
#include "writer.h"

struct pending {
	char *path;
	int64_t id;
	int is_new;
	uint64_t dev, ino;	/* as its parent's listing saw it (0: a top) */
};

struct crawl {
	pthread_t thread;
	struct store *ro;
	struct crawl_options opt;
	struct queue *jobs, *wq;
	struct walker *walker;
	const char **top_paths, **root_paths;	/* the walker's view of tops */
	struct crawl_top *top;
	uint64_t top_dev, top_ino;
	const struct listing *cur;	/* the directory being merged */
	int64_t next_dir_id;
	int fatal;

	struct crawl_stats st;
	atomic_uint_fast64_t seen;
	atomic_uint_fast64_t to_count;	/* jobs pushed */
	atomic_int walked;	/* the walk is over: to_count is final */
	atomic_int stop;	/* crawl_stop(): walk no further directory */

	struct pending *stack;
	size_t nstack, astack;
	struct index_rows rows;		/* of the directory being merged */
	struct dir_rows drows;
	struct strbuf path;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct dentry *)a)->name,
		      ((const struct dentry *)b)->name);
}

static void new_job(struct crawl *c, const char *dirpath, int64_t dir_id,
		    const struct dentry *e, const struct index_row *row,
		    enum change why)
{
	struct file_place place = {
		.top_len = (uint32_t)strlen(c->top->path),
		.top_dev = c->top_dev, .top_ino = c->top_ino,
		.dir_dev = c->cur->dev, .dir_ino = c->cur->ino,
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
	/*
	 * Ranges of an archive or a document each open it only to step
	 * aside: one that was one is most likely one still, and if not, it
	 * is counted in one piece all the same.
	 */
	job->pj.no_split = row && ((row->flags & (ENTRY_F_ARCHIVE |
						  ENTRY_F_COMPRESSED)) ||
				   (row->format != FORMAT_TEXT &&
				    !(row->flags & ENTRY_F_RAW)));
	job->retry = why == CHANGE_FAILED;
	job->tracked = c->top->tracked;
	atomic_fetch_add(&c->to_count, 1);
	job_push(c->jobs, job);
}

static void merge_files(struct crawl *c, const struct pending *d)
{
	size_t i = 0, j = 0;

	const struct dentry *ents = c->cur->ents;
	size_t nents = c->cur->nents;

	while (i < nents || j < c->rows.nr) {
		int cmp = i == nents ? 1 : j == c->rows.nr ? -1 :
			  strcmp(ents[i].name, c->rows.v[j].name);
		const struct dentry *e = cmp <= 0 ? &ents[i] : NULL;
		const struct index_row *row = cmp >= 0 ? &c->rows.v[j] : NULL;

		if (e && e->kind == K_FILE) {
			atomic_fetch_add(&c->seen, 1);
			c->st.seen++;
			enum change why = CHANGE_META;

			if (row)
				why = change_check(&e->meta, row,
						   c->opt.mode_flags,
						   JOB_FORMATS(c->opt.job_flags),
						   (c->opt.full ? CHANGE_FORCE_ALL : 0) |
						   (c->opt.retry_failed ?
						    CHANGE_FORCE_FAILED : 0) |
						   (c->opt.recount_archives ?
						    CHANGE_FORCE_ARCHIVES : 0));
			if (why != CHANGE_NONE)
				new_job(c, d->path, d->id, e, row, why);
			else
				c->st.unchanged++;
		} else if (row && (!e || e->kind != K_KEEP) && !c->top->held) {
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

	if (!c->cur->nents)	/* an empty listing may have no array at all */
		return NULL;
	key.name = (char *)name;
	return bsearch(&key, c->cur->ents, c->cur->nents, sizeof(key), by_name);
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
	const struct dentry *ents = c->cur->ents;
	size_t nents = c->cur->nents;
	size_t dlen = strlen(d->path), first = c->nstack;
	size_t i = 0, j = 0;

	if (dlen == 1)
		dlen = 0;	/* children of "/" are "/name" */
	while (i < nents || j < c->drows.nr) {
		const char *rname = j < c->drows.nr ? c->drows.v[j].path + dlen + 1 : NULL;
		int cmp;

		if (i < nents && ents[i].kind != K_DIR) {
			i++;
			continue;
		}
		cmp = i == nents ? 1 : j == c->drows.nr ? -1 :
		      strcmp(ents[i].name, rname);
		if (cmp < 0) {
			int64_t id;
			int is_new;

			path_join(&c->path, d->path, ents[i].name);
			{
				char *child = xstrndup(c->path.buf, c->path.len);

				if (add_dir(c, child, d->path, &id, &is_new)) {
					free(child);
					return -1;
				}
				push_dir(c, child, id, is_new, &ents[i]);
			}
		} else if (cmp > 0) {
			const struct dentry *e = find_entry(c, rname);

			if ((!e || e->kind != K_KEEP) && !c->top->held)
				writer_send_del_dir(c->wq, c->drows.v[j].path);
		} else {
			push_dir(c, xstrdup(c->drows.v[j].path),
				 c->drows.v[j].id, 0, &ents[i]);
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

/*
 * A root on another device than it was walked on, or that listed files
 * and now lists nothing at all, is most likely a share that is not
 * mounted (an empty mount point, or the file system under it): none of
 * its rows is deleted on that evidence.  Said, recorded with the stage
 * "guard", and the scan fails, unless it was told to accept the change.
 */
static void check_guard(struct crawl *c, const struct listing *l)
{
	struct crawl_top *top = c->top;
	struct strbuf msg = STRBUF_INIT;

	if (top->accept || strcmp(top->path, top->root))
		return;
	if (top->has_known_dev && l->dev != top->known_dev)
		strbuf_addf(&msg, "is on another device (%llu) than when it "
			    "was last walked (%llu)",
			    (unsigned long long)l->dev,
			    (unsigned long long)top->known_dev);
	else if (!l->nents && (c->rows.nr || c->drows.nr))
		strbuf_addstr(&msg, "is empty, and held files");
	else
		return;
	top->held = 1;
	error("root '%s' %s: nothing under it is deleted (a share not "
	      "mounted?); scan --accept-changes '%s' accepts the new state",
	      top->path, msg.buf, top->path);
	strbuf_addstr(&msg, ": its rows are kept");
	writer_send_error(c->wq, top->path, "guard", 0, msg.buf);
	strbuf_release(&msg);
}

/*
 * Merge the next listing, which must be d's, with the index rows of d.
 * Returns 0, or -1 on a fatal error.
 */
static int merge_dir(struct crawl *c, const struct pending *d)
{
	struct listing *l = walker_next(c->walker);
	int ret = 0;

	if (!l && atomic_load(&c->stop))
		return 0;
	if (!l || !l->path || strcmp(l->path, d->path)) {
		error("the walk and the merge are out of step at '%s'", d->path);
		if (l)
			walker_release(c->walker, l);
		return -1;
	}
	if (l->failed)	/* said; its index rows stay as they are */
		goto out;
	if (!d->dev && !d->ino) {	/* a top: its identity, for the jobs */
		c->top_dev = l->dev;
		c->top_ino = l->ino;
		c->top->dev = l->dev;
	}
	c->cur = l;
	if (!d->is_new) {
		if (store_dir_entries(c->ro, d->id, &c->rows) ||
		    store_dir_children(c->ro, d->path, &c->drows)) {
			ret = -1;
			goto out;
		}
		if (!d->dev && !d->ino)
			check_guard(c, l);
	} else {
		/* Nothing of a new directory can be indexed yet. */
		store_index_rows_release(&c->rows);
		store_dir_rows_release(&c->drows);
	}
	merge_files(c, d);
	ret = merge_dirs(c, d);
out:
	c->cur = NULL;
	walker_release(c->walker, l);
	return ret;
}

static char *parent_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/*
 * The end of a top in the walk: whether the walker met no error in it.
 * -1 when what comes is something else.
 */
static int end_of_top(struct crawl *c)
{
	struct listing *l = walker_next(c->walker);
	int clean = l && !l->path ? l->top_clean : -1;

	if (l)
		walker_release(c->walker, l);
	return clean;
}

/* Merge the listings of top, then its end.  Returns 1 if it was clean. */
static int walk_top(struct crawl *c, struct crawl_top *top)
{
	int is_root = !strcmp(top->path, top->root);
	char *parent = is_root ? NULL : parent_of(top->path);
	int64_t id;
	int is_new;

	c->top = top;
	if (add_dir(c, top->path, parent, &id, &is_new)) {
		free(parent);
		c->fatal = 1;
		return 0;
	}
	free(parent);
	push_dir(c, xstrdup(top->path), id, is_new, NULL);
	while (c->nstack && !c->fatal && !atomic_load(&c->stop)) {
		struct pending d = c->stack[--c->nstack];

		if (merge_dir(c, &d))
			c->fatal = 1;
		free(d.path);
	}
	while (c->nstack)
		free(c->stack[--c->nstack].path);
	if (c->fatal || atomic_load(&c->stop))
		return 0;
	return end_of_top(c) == 1;
}

static void *crawl_thread(void *arg)
{
	struct crawl *c = arg;
	struct listing *l;

	for (size_t i = 0; i < c->opt.ntops && !c->fatal; i++) {
		if (atomic_load(&c->stop))
			break;
		/*
		 * Stopped part way, the walk saw only some directories: the
		 * root is not marked scanned.  Each directory it did walk was
		 * merged in full, so none of its deletions is a guess.
		 */
		c->opt.tops[i].complete = walk_top(c, &c->opt.tops[i]) &&
					  !c->fatal && !atomic_load(&c->stop);
	}
	/* whatever the walker still hands on is of no use now */
	if (c->fatal)
		walker_stop(c->walker);
	while ((l = walker_next(c->walker)))
		walker_release(c->walker, l);
	atomic_store(&c->walked, 1);
	queue_close(c->jobs);
	return NULL;
}

/* The walker's options: the same tops, and what is not to be listed. */
static struct walker *start_walker(struct crawl *c)
{
	const struct crawl_options *opt = &c->opt;
	struct walk_options wopt = {
		.ntops = opt->ntops, .follow = opt->follow,
		.one_fs = opt->one_fs, .include_fs = opt->include_fs,
		.ex = opt->ex,
		.has_db_dir = opt->has_db_dir, .db_dev = opt->db_dev,
		.db_dir_ino = opt->db_dir_ino, .db_name = opt->db_name,
	};

	c->top_paths = xcalloc(opt->ntops, sizeof(*c->top_paths));
	c->root_paths = xcalloc(opt->ntops, sizeof(*c->root_paths));
	for (size_t i = 0; i < opt->ntops; i++) {
		c->top_paths[i] = opt->tops[i].path;
		c->root_paths[i] = opt->tops[i].root;
	}
	wopt.tops = c->top_paths;
	wopt.roots = c->root_paths;
	return walker_start(&wopt, c->wq);
}

static void crawl_free(struct crawl *c)
{
	free(c->top_paths);
	free(c->root_paths);
	store_index_rows_release(&c->rows);
	store_dir_rows_release(&c->drows);
	free(c->stack);
	strbuf_release(&c->path);
	free(c);
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
	atomic_init(&c->to_count, 0);
	atomic_init(&c->walked, 0);
	atomic_init(&c->stop, 0);
	if (store_max_dir_id(ro, &c->next_dir_id))
		goto fail;
	if (!(c->walker = start_walker(c)))
		goto fail;
	rc = pthread_create(&c->thread, NULL, crawl_thread, c);
	if (rc) {
		error("cannot start the crawler thread: %s", strerror(rc));
		walker_stop(c->walker);
		walker_finish(c->walker, &(struct walk_stats) { 0 });
		goto fail;
	}
	return c;
fail:
	crawl_free(c);
	return NULL;
}

int crawl_finish(struct crawl *c, struct crawl_stats *st)
{
	struct walk_stats ws = { 0 };
	int ret;

	pthread_join(c->thread, NULL);
	walker_finish(c->walker, &ws);
	st->seen += c->st.seen;
	st->unchanged += c->st.unchanged;
	st->skipped += ws.skipped;
	st->errors += ws.errors;
	ret = c->fatal ? -1 : 0;
	crawl_free(c);
	return ret;
}

void crawl_stop(struct crawl *c)
{
	atomic_store(&c->stop, 1);
	walker_stop(c->walker);
}

uint64_t crawl_progress(struct crawl *c)
{
	return atomic_load(&c->seen);
}

int crawl_walk_done(struct crawl *c, uint64_t *to_count)
{
	/* walked first: a count read after it is the final one */
	int done = atomic_load(&c->walked);

	*to_count = atomic_load(&c->to_count);
	return done;
}
