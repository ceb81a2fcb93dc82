/*
 * writer.c - applies the scan's messages to the database in batches.
 *
 * On a database error (disk full, I/O error) the open transaction is rolled
 * back and the writer stops writing but keeps draining its queue, so that
 * the other stages finish and the scan can report the failure; everything
 * committed before stays, and the next scan recounts what was lost.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "fsutil.h"
#include "util.h"
#include "writer.h"

#define BATCH_ITEMS 256
#define COMMIT_EVERY_OPS 50000
#define COMMIT_EVERY_NS 1000000000ull
#define IDLE_COMMIT_MS 200

struct writer {
	pthread_t thread;
	struct store *s;
	struct queue *q;
	struct writer_options opt;
	struct scan_stats st;	/* what was committed */
	struct scan_stats txn;	/* what the open transaction holds */
	struct strbuf ext;
	struct strbuf msgbuf;	/* an error message made up here */
	int64_t ph_dir;		/* the archive whose members come in */
	struct strbuf ph_name;
	atomic_int failed;
	int in_txn;
	atomic_uint_fast64_t files_done, bytes_done;
};

struct wmsg *wmsg_new(enum wmsg_type type)
{
	struct wmsg *m = xcalloc(1, sizeof(*m));

	m->type = type;
	return m;
}

void wmsg_free(struct wmsg *m)
{
	if (!m)
		return;
	free(m->pj.path);
	free(m->path);
	free(m->parent);
	free(m->msg);
	free(m->member);
	free(m);
}

void wmsg_push(struct queue *q, struct wmsg *m)
{
	if (queue_push(q, m) < 0)
		wmsg_free(m);
}

struct wmsg *wmsg_member(const struct wmsg *job, const struct proto_member *pm)
{
	struct wmsg *m = wmsg_new(WMSG_MEMBER);

	m->path = xstrdup(job->pj.path);
	m->name_off = job->name_off;
	m->dir_id = job->dir_id;
	m->meta = job->meta;
	m->member = xstrndup(pm->name, pm->name_len);
	m->member_len = pm->name_len;
	m->member_kind = pm->kind;
	m->member_status = pm->status;
	m->member_mtime_ns = pm->mtime_ns;
	m->res.counts = pm->counts;
	if (pm->msg_len)
		m->msg = xstrndup(pm->msg, pm->msg_len);
	return m;
}

/*
 * Before the first member of an archive, make sure the archive has a row
 * of its own: should the scan stop before its result, the next scan sees a
 * failed row (retried, or deleted with the file) rather than members that
 * belong to nothing.  The result replaces it.
 */
static int placeholder(struct writer *w, struct wmsg *m)
{
	struct entry_update u;
	const char *name = m->path + m->name_off;

	if (w->ph_dir == m->dir_id && !strcmp(w->ph_name.buf, name))
		return 0;
	w->ph_dir = m->dir_id;
	strbuf_reset(&w->ph_name);
	strbuf_addstr(&w->ph_name, name);
	memset(&u, 0, sizeof(u));
	u.dir_id = m->dir_id;
	u.name = name;
	file_ext(name, &w->ext);
	u.ext = w->ext.buf;
	u.meta = m->meta;
	u.no_counts = 1;
	u.flags = w->opt.mode_flags | ENTRY_F_ARCHIVE;
	u.status = "error";
	u.error = "the scan stopped while its members were read";
	u.scan_id = w->opt.scan_id;
	return store_put_entry(w->s, &u);
}

static int apply_member(struct writer *w, struct wmsg *m)
{
	struct entry_update u;
	const char *base = memrchr(m->member, '/', m->member_len);
	struct strbuf name = STRBUF_INIT;

	if (placeholder(w, m))
		return -1;
	memset(&u, 0, sizeof(u));
	u.dir_id = m->dir_id;
	u.name = m->path + m->name_off;
	u.member = m->member;
	u.member_len = m->member_len;
	/* The extension of the member's own name, not of its archive. */
	strbuf_add(&name, base ? base + 1 : m->member,
		   base ? m->member_len - (size_t)(base + 1 - m->member)
			: m->member_len);
	file_ext(name.buf, &w->ext);
	strbuf_release(&name);
	u.ext = w->ext.buf;
	u.meta = m->meta;
	u.meta.size = m->res.counts.bytes;
	u.meta.mtime_ns = m->member_mtime_ns;
	u.counts = m->res.counts;
	u.flags = w->opt.mode_flags | m->res.counts.flags;
	u.scan_id = w->opt.scan_id;
	if (m->member_kind == MEMBER_LINK) {
		u.flags |= ENTRY_F_LINK;
		u.no_counts = 1;
	} else if (m->member_kind == MEMBER_ARCHIVE) {
		u.flags |= ENTRY_F_ARCHIVE;
		u.no_counts = 1;
	}
	if (m->member_status == MEMBER_LIMIT) {
		u.status = "limit";
		u.error = m->msg ? m->msg : "limit reached";
	} else if (m->member_status == MEMBER_ERROR) {
		u.status = "error";
		u.error = m->msg ? m->msg : "damaged member";
	} else if (m->member_kind != MEMBER_LINK) {
		w->txn.bytes += m->res.counts.bytes;
		w->txn.words += m->res.counts.words;
		atomic_fetch_add(&w->bytes_done, m->res.counts.bytes);
	}
	return store_put_entry(w->s, &u);
}

/* The row flags of what a worker found a file to be. */
static unsigned found_flags(uint32_t found)
{
	switch (found) {
	case FOUND_ARCHIVE: return ENTRY_F_ARCHIVE;
	case FOUND_COMPRESSED: return ENTRY_F_COMPRESSED;
	default: return 0;
	}
}

static int record_error(struct writer *w, const char *path, const char *stage,
			int err, const char *message)
{
	return store_add_error(w->s, w->opt.scan_id, path, stage, err, message);
}

static const char *stage_name(uint32_t stage)
{
	switch (stage) {
	case STAGE_OPEN: return "open";
	case STAGE_READ: return "read";
	case STAGE_TYPE: return "type";
	case STAGE_CHANGED: return "read";
	case STAGE_CRASH: return "worker";
	case STAGE_LIMIT: return "limit";
	case STAGE_DAMAGED: return "archive";
	default: return "count";
	}
}

static int apply_result(struct writer *w, struct wmsg *m)
{
	const struct proto_result *res = &m->res;
	struct entry_update u;
	/*
	 * Gone (or a directory on its path replaced) since the walk, or made a
	 * symlink, which is not followed: no longer a file to index.
	 */
	int vanished = res->stage == STAGE_OPEN &&
		       (res->err == ENOENT || res->err == ENOTDIR ||
			(res->err == ELOOP && !(m->pj.flags & JOB_FOLLOW)));

	/* interrupted: the row stays as it was, and the next scan counts it */
	if (res->stage == STAGE_CANCELLED)
		return 0;

	if (vanished || res->stage == STAGE_TYPE) {
		/*
		 * Deleted, or no longer a regular file, between the walk and
		 * the read: it is simply not a file to index any more.
		 */
		if (!m->is_new) {
			w->txn.deleted++;
			return store_delete_entry(w->s, m->id);
		}
		return 0;
	}

	memset(&u, 0, sizeof(u));
	u.dir_id = m->dir_id;
	u.name = m->pj.path + m->name_off;
	file_ext(u.name, &w->ext);
	u.ext = w->ext.buf;
	u.scan_id = w->opt.scan_id;
	u.flags = w->opt.mode_flags;

	if (res->stage == STAGE_NONE || res->stage == STAGE_CHANGED ||
	    res->stage == STAGE_LIMIT || res->stage == STAGE_DAMAGED) {
		u.meta = res->meta;
		u.counts = res->counts;
		u.flags |= res->counts.flags | found_flags(res->found);
		u.no_counts = res->found == FOUND_ARCHIVE;
		if (res->stage == STAGE_CHANGED ||
		    change_is_racy(res->meta.ctime_ns, w->opt.racy_limit_ns))
			u.flags |= ENTRY_F_RACY;
		if (m->is_new)
			w->txn.new_files++;
		else
			w->txn.changed++;
		if (res->stage == STAGE_LIMIT || res->stage == STAGE_DAMAGED)
			u.flags |= ENTRY_F_NORETRY;
		if (res->stage == STAGE_LIMIT) {
			u.status = "limit";
			u.error = m->msg ? m->msg : "limit reached";
			warning("'%s': %s", m->pj.path, u.error);
		} else if (res->stage == STAGE_DAMAGED) {
			u.status = "error";
			u.error = m->msg ? m->msg : "damaged archive";
			w->txn.failed++;
			error("cannot read archive '%s': %s", m->pj.path,
			      u.error);
		} else if (!u.no_counts) {
			w->txn.bytes += res->counts.bytes;
			w->txn.words += res->counts.words;
			atomic_fetch_add(&w->bytes_done, res->counts.bytes);
		}
		if (store_put_entry(w->s, &u))
			return -1;
		/*
		 * Its members were (re)recorded by this scan just before: any
		 * other is gone from the archive, or it is no archive now.
		 * Only rows that were archives can have members (an interrupted
		 * scan left a placeholder archive row), which keeps this
		 * DELETE off the path of plain files.
		 */
		if ((m->was_archive || (u.flags & ENTRY_F_ARCHIVE)) &&
		    store_delete_stale_members(w->s, m->dir_id, u.name,
					       w->opt.scan_id))
			return -1;
		if (res->stage == STAGE_LIMIT || res->stage == STAGE_DAMAGED)
			return record_error(w, m->pj.path,
					    res->stage == STAGE_LIMIT ? "limit"
								      : "archive",
					    0, u.error);
		return 0;
	}

	/*
	 * A failure: keep the crawler's view of the metadata.  An archive
	 * whose worker died part way keeps none of its members: old and new
	 * would mix.
	 */
	u.meta = m->meta;
	u.error = m->msg ? m->msg : "unknown error";
	/*
	 * A worker died on it, and had already died on the same bytes in the
	 * scan before: trying again every run would only cost a worker each
	 * time.  It is retried once it changes, or with --retry-failed.
	 */
	if (res->stage == STAGE_CRASH && m->retry) {
		u.flags |= ENTRY_F_NORETRY;
		strbuf_reset(&w->msgbuf);
		strbuf_addf(&w->msgbuf, "%s (again: not retried until the file "
			    "changes, or with --retry-failed)", u.error);
		u.error = w->msgbuf.buf;
	}
	w->txn.failed++;
	error("cannot count '%s': %s", m->pj.path, u.error);
	if (store_put_entry(w->s, &u) ||
	    store_delete_stale_members(w->s, m->dir_id, u.name, 0))
		return -1;
	return record_error(w, m->pj.path, stage_name(res->stage), res->err,
			    u.error);
}

static int apply(struct writer *w, struct wmsg *m)
{
	uint64_t n;

	switch (m->type) {
	case WMSG_RESULT:
		atomic_fetch_add(&w->files_done, 1);
		return apply_result(w, m);
	case WMSG_DIR:
		return store_put_dir(w->s, m->id, m->path, m->parent,
				     m->root_id, w->opt.scan_id);
	case WMSG_DEL_FILE:
		w->txn.deleted++;
		return store_delete_entry(w->s, m->id);
	case WMSG_DEL_DIR:
		if (store_delete_subtree(w->s, m->path, &n))
			return -1;
		w->txn.deleted += n;
		return 0;
	case WMSG_ERROR:
		return record_error(w, m->path, m->stage, m->err, m->msg);
	case WMSG_MEMBER:
		return apply_member(w, m);
	}
	return 0;
}

/* Counted only once committed: what a failed scan reports is what it kept. */
static void add_stats(struct scan_stats *to, const struct scan_stats *from)
{
	to->new_files += from->new_files;
	to->changed += from->changed;
	to->deleted += from->deleted;
	to->failed += from->failed;
	to->bytes += from->bytes;
	to->words += from->words;
}

/*
 * One line for the error that stopped the writer (the store keeps it for
 * us), whatever else fails on the way out.  SQLite may have rolled the
 * transaction back itself (a full disk does that).
 */
static void stop_writing(struct writer *w)
{
	char *why = xstrdup(store_last_error(w->s));

	if (store_in_transaction(w->s))
		store_rollback(w->s);
	w->in_txn = 0;
	memset(&w->txn, 0, sizeof(w->txn));
	atomic_store(&w->failed, 1);
	error("%s; the scan stops, what was committed before is kept",
	      *why ? why : "database error");
	free(why);
}

static void commit(struct writer *w)
{
	w->in_txn = 0;
	if (store_commit(w->s)) {
		stop_writing(w);
		return;
	}
	add_stats(&w->st, &w->txn);
	memset(&w->txn, 0, sizeof(w->txn));
}

int writer_failed(struct writer *w)
{
	return atomic_load(&w->failed);
}

static void *writer_thread(void *arg)
{
	struct writer *w = arg;
	void *items[BATCH_ITEMS];
	uint64_t txn_start = 0, ops = 0;

	for (;;) {
		size_t n = queue_pop_many(w->q, items, BATCH_ITEMS,
					  w->in_txn ? IDLE_COMMIT_MS : -1);

		if (!n && queue_done(w->q))
			break;
		if (n && !w->in_txn && !w->failed) {
			if (store_begin(w->s)) {
				stop_writing(w);
			} else {
				w->in_txn = 1;
				txn_start = now_ns();
				ops = 0;
			}
		}
		for (size_t i = 0; i < n; i++) {
			if (w->in_txn && apply(w, items[i]))
				stop_writing(w);
			wmsg_free(items[i]);
		}
		ops += n;
		if (w->in_txn && (!n || ops >= COMMIT_EVERY_OPS ||
				  now_ns() - txn_start >= COMMIT_EVERY_NS))
			commit(w);
	}
	if (w->in_txn)
		commit(w);
	return NULL;
}

struct writer *writer_start(struct store *s, struct queue *q,
			    const struct writer_options *opt)
{
	struct writer *w = xcalloc(1, sizeof(*w));
	int rc;

	w->s = s;
	w->q = q;
	w->opt = *opt;
	strbuf_init(&w->ext, 16);
	strbuf_init(&w->msgbuf, 0);
	strbuf_init(&w->ph_name, 16);
	atomic_init(&w->files_done, 0);
	atomic_init(&w->bytes_done, 0);
	rc = pthread_create(&w->thread, NULL, writer_thread, w);
	if (rc) {
		error("cannot start the writer thread: %s", strerror(rc));
		strbuf_release(&w->ext);
		strbuf_release(&w->msgbuf);
		strbuf_release(&w->ph_name);
		free(w);
		return NULL;
	}
	return w;
}

int writer_finish(struct writer *w, struct scan_stats *st)
{
	int ret;

	pthread_join(w->thread, NULL);
	add_stats(st, &w->st);
	ret = w->failed ? -1 : 0;
	strbuf_release(&w->ext);
	strbuf_release(&w->msgbuf);
	strbuf_release(&w->ph_name);
	free(w);
	return ret;
}

void writer_progress(struct writer *w, uint64_t *files, uint64_t *bytes)
{
	*files = atomic_load(&w->files_done);
	*bytes = atomic_load(&w->bytes_done);
}
