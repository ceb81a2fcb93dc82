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
#include "entry.h"
#include "formats/format.h"
#include "fsutil.h"
#include "job.h"
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
	const struct job *ph_job;	/* the archive whose members come in */
	atomic_int failed;
	int in_txn;
	atomic_uint_fast64_t files_done, bytes_done;
	/* history: whether the root of a directory records changes */
	/* what the row of ph_job added to the totals before its placeholder */
	struct hist_counts ph_old;
	int ph_had;		/* it had a row */
	uint64_t ph_events;	/* members of ph_job new or changed */
	int cur_ph;		/* the result applied is ph_job's */
};

enum wmsg_type {
	WMSG_RESULT,		/* a counted (or failed) file */
	WMSG_DIR,		/* a directory to record */
	WMSG_DEL_FILE,		/* a file row whose file is gone */
	WMSG_DEL_DIR,		/* a directory (and all below) that is gone */
	WMSG_ERROR,		/* a problem met while walking */
	WMSG_MEMBER,		/* a member of an archive being counted */
};

struct wmsg {
	enum wmsg_type type;
	struct job *job;	/* RESULT: owned; MEMBER: its archive, borrowed */
	struct proto_result res;	/* RESULT; MEMBER: counts only */
	int64_t id;		/* DIR: its id; DEL_FILE: the row id */
	int64_t root_id;	/* DIR */
	char *path;		/* DIR, DEL_DIR, ERROR */
	char *parent;		/* DIR: parent path, NULL for a root */
	char *msg;		/* RESULT, ERROR, MEMBER: the error text */
	const char *stage;	/* ERROR: walk, stat... */
	int err;		/* ERROR: errno */
	char *member;		/* MEMBER: its name in the archive */
	size_t member_len;
	uint32_t member_kind, member_status;
	uint32_t member_flags;	/* PROTO_MEMBER_* */
	int64_t member_mtime_ns;
};

static struct wmsg *wmsg_new(enum wmsg_type type)
{
	struct wmsg *m = xcalloc(1, sizeof(*m));

	m->type = type;
	return m;
}

static void wmsg_free(struct wmsg *m)
{
	if (m->type == WMSG_RESULT)
		job_free(m->job);
	free(m->path);
	free(m->parent);
	free(m->msg);
	free(m->member);
	free(m);
}

static void wmsg_push(struct queue *q, struct wmsg *m)
{
	if (queue_push(q, m) < 0)
		wmsg_free(m);
}

void writer_drain(struct queue *q)
{
	struct wmsg *m;

	queue_close(q);
	while ((m = queue_pop(q)))
		wmsg_free(m);
}

void writer_send_dir(struct queue *q, int64_t id, const char *path,
		     const char *parent, int64_t root_id)
{
	struct wmsg *m = wmsg_new(WMSG_DIR);

	m->id = id;
	m->path = xstrdup(path);
	m->parent = parent ? xstrdup(parent) : NULL;
	m->root_id = root_id;
	wmsg_push(q, m);
}

void writer_send_del_file(struct queue *q, int64_t row_id)
{
	struct wmsg *m = wmsg_new(WMSG_DEL_FILE);

	m->id = row_id;
	wmsg_push(q, m);
}

void writer_send_del_dir(struct queue *q, const char *path)
{
	struct wmsg *m = wmsg_new(WMSG_DEL_DIR);

	m->path = xstrdup(path);
	wmsg_push(q, m);
}

void writer_send_error(struct queue *q, const char *path, const char *stage,
		       int err, const char *msg)
{
	struct wmsg *m = wmsg_new(WMSG_ERROR);

	m->path = xstrdup(path);
	m->stage = stage;
	m->err = err;
	m->msg = xstrdup(msg);
	wmsg_push(q, m);
}

void writer_send_result(struct queue *q, struct job *job,
			const struct proto_result *res)
{
	struct wmsg *m = wmsg_new(WMSG_RESULT);

	m->job = job;
	m->res = *res;
	m->res.msg = NULL;
	if (res->msg_len)
		m->msg = xstrndup(res->msg, res->msg_len);
	wmsg_push(q, m);
}

void writer_send_member(struct queue *q, const struct job *job,
			const struct proto_member *pm)
{
	struct wmsg *m = wmsg_new(WMSG_MEMBER);

	m->job = (struct job *)job;
	m->member = xstrndup(pm->name, pm->name_len);
	m->member_len = pm->name_len;
	m->member_kind = pm->kind;
	m->member_status = pm->status;
	m->member_flags = pm->flags;
	m->res.format = pm->format;
	m->res.extracted = !!(pm->flags & PROTO_MEMBER_DOCUMENT);
	m->member_mtime_ns = pm->mtime_ns;
	m->res.counts = pm->counts;
	if (pm->msg_len)
		m->msg = xstrndup(pm->msg, pm->msg_len);
	wmsg_push(q, m);
}

/*
 * A compressed file or member is counted as what it holds: its extension
 * is that of the name without the compression suffix ("ls.1.gz": "1").
 */
static void inner_ext(struct writer *w, const char *name_for_ext,
		      struct entry_update *u)
{
	if (!(u->flags & ENTRY_F_COMPRESSED))
		return;
	file_ext_inner(name_for_ext, &w->ext);
	u->ext = w->ext.buf;
}

/*
 * What the row was counted as (entries.format): a document counted as its
 * bytes, because its format's extraction is off, keeps its format and is
 * flagged raw, so that turning extraction on recounts it.
 */
static void set_format(struct entry_update *u, const struct proto_result *res)
{
	u->format = format_name(res->format);
	if ((FORMAT_BIT(res->format) & FORMAT_EXTRACTABLE) && !res->extracted)
		u->flags |= ENTRY_F_RAW;
}

/* The row of a file or member, as every update starts it. */
static void begin_update(struct writer *w, const struct job *job,
			 const char *name_for_ext, struct entry_update *u)
{
	memset(u, 0, sizeof(*u));
	u->dir_id = job->dir_id;
	u->name = job_name(job);
	file_ext(name_for_ext, &w->ext);
	u->ext = w->ext.buf;
	u->scan_id = w->opt.scan_id;
	u->flags = w->opt.mode_flags;
}

/*
 * Before the first member of an archive, make sure the archive has a row
 * of its own: should the scan stop before its result, the next scan sees a
 * failed row (retried, or deleted with the file) rather than members that
 * belong to nothing.  The result replaces it.
 */
static int placeholder(struct writer *w, const struct job *job)
{
	struct entry_update u;

	if (w->ph_job == job)
		return 0;
	w->ph_job = job;
	w->ph_events = 0;
	w->ph_had = 0;
	memset(&w->ph_old, 0, sizeof(w->ph_old));
	/* the counts it had before the placeholder replaces them */
	if (job->row_id &&
	    (w->ph_had = store_history_old(w->s, job->dir_id, job_name(job),
					   NULL, 0, &w->ph_old)) < 0)
		return -1;
	begin_update(w, job, job_name(job), &u);
	u.meta = *job_seen(job);
	u.no_counts = 1;
	u.flags |= ENTRY_F_ARCHIVE;
	u.status = "error";
	u.error = "the scan stopped while its members were read";
	return store_put_entry(w->s, &u);
}

/*
 * What job's row added to the totals before this scan rewrote it: that of
 * the placeholder's reading when its members came first.  1 with *old,
 * 0 when it had no row, -1.
 */
static int old_counts(struct writer *w, const struct job *job,
		      struct hist_counts *old)
{
	memset(old, 0, sizeof(*old));
	if (w->cur_ph) {
		*old = w->ph_old;
		return w->ph_had;
	}
	if (!job->row_id)
		return 0;
	return store_history_old(w->s, job->dir_id, job_name(job), NULL, 0,
				 old);
}

/* What u adds to the totals. */
static void hist_of_update(struct hist_counts *c, const struct entry_update *u)
{
	store_history_counted(c, !u->no_counts &&
			      entry_in_totals(u->flags, !u->status, 0),
			      &u->counts);
}

/* The row flags of an archive member of this kind. */
static unsigned member_flags(const struct wmsg *m)
{
	unsigned cut = (m->member_flags & PROTO_MEMBER_NAME_CUT) ?
		       ENTRY_F_NAME_CUT : 0;

	switch (m->member_kind) {
	case MEMBER_LINK: return cut | ENTRY_F_LINK;
	case MEMBER_ARCHIVE: return cut | ENTRY_F_ARCHIVE;
	default:
		return cut | ((m->member_flags & PROTO_MEMBER_COMPRESSED) ?
			      ENTRY_F_COMPRESSED : 0);
	}
}

/* Store a member's row, and its change when it is new or changed. */
static int put_member(struct writer *w, const struct job *job,
		      const struct entry_update *u)
{
	struct hist_counts old, now;
	int had = 0, tracked = job->tracked;

	if (job->row_id &&
	    (had = store_history_old(w->s, u->dir_id, u->name, u->member,
				     u->member_len, &old)) < 0)
		return -1;
	hist_of_update(&now, u);
	if (store_put_entry(w->s, u))
		return -1;
	if (had && store_history_same(&old, &now))
		return 0;
	w->ph_events++;
	return tracked ? store_history_add(w->s, w->opt.scan_id, u->dir_id,
					   u->name, u->member, u->member_len,
					   had ? "changed" : "new",
					   had ? &old : NULL, &now) : 0;
}

static int apply_member(struct writer *w, struct wmsg *m)
{
	struct entry_update u;
	const char *base = memrchr(m->member, '/', m->member_len);
	struct strbuf name = STRBUF_INIT;

	if (placeholder(w, m->job))
		return -1;
	/* The extension of the member's own name, not of its archive. */
	strbuf_add(&name, base ? base + 1 : m->member,
		   base ? m->member_len - (size_t)(base + 1 - m->member)
			: m->member_len);
	begin_update(w, m->job, name.buf, &u);
	u.member = m->member;
	u.member_len = m->member_len;
	u.meta = *job_seen(m->job);
	u.meta.size = m->res.counts.bytes;
	u.meta.mtime_ns = m->member_mtime_ns;
	u.counts = m->res.counts;
	u.flags |= m->res.counts.flags | member_flags(m);
	inner_ext(w, name.buf, &u);
	if (m->member_kind == MEMBER_ARCHIVE)
		u.format = format_name(FORMAT_ARCHIVE);
	else if (m->member_kind == MEMBER_FILE)
		set_format(&u, &m->res);
	strbuf_release(&name);
	u.no_counts = !!(u.flags & ENTRY_F_NO_TEXT);
	if (m->member_status == MEMBER_LIMIT) {
		u.status = "limit";
		u.error = m->msg ? m->msg : "limit reached";
	} else if (m->member_status == MEMBER_ENCRYPTED) {
		u.status = "encrypted";
		u.error = m->msg ? m->msg : "document is encrypted";
		u.no_counts = 1;
	} else if (m->member_status == MEMBER_ERROR) {
		u.status = "error";
		u.error = m->msg ? m->msg : "damaged member";
	} else if (m->member_kind != MEMBER_LINK) {
		w->txn.bytes += m->res.counts.bytes;
		w->txn.words += m->res.counts.words;
		atomic_fetch_add(&w->bytes_done, m->res.counts.bytes);
	}
	return put_member(w, m->job, &u);
}

static int record_error(struct writer *w, const char *path, const char *stage,
			int err, const char *message)
{
	return store_add_error(w->s, w->opt.scan_id, path, stage, err, message);
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

/* What a result of each stage does to the index. */
enum outcome {
	OUT_COUNTED,	/* the counts are kept, complete or not */
	OUT_FAILED,	/* nothing counted: the row keeps its old counts */
	OUT_GONE,	/* no longer a file to index: its row goes */
	OUT_DROPPED,	/* the scan was stopped: the row stays as it was */
	OUT_NOTED,	/* not counted, the row stays; only an error row says so */
};

struct stage_rule {
	enum outcome outcome;
	const char *name;	/* scan_errors.stage of its error row */
	const char *status;	/* OUT_COUNTED rows not 'ok': "limit", "error" */
	unsigned flags;		/* row flags it adds */
	int failed;		/* adds to files_failed */
	int error_row;		/* recorded in scan_errors */
	int warn;		/* reported as a warning, not an error */
	const char *doing;	/* the report: "DOING 'path': message" */
	const char *fallback;	/* the message when the worker sent none */
};

static const struct stage_rule stage_rules[] = {
	[STAGE_NONE] = { OUT_COUNTED, "count", NULL, 0, 0, 0, 0, NULL, NULL },
	[STAGE_OPEN] = { OUT_FAILED, "open", NULL, 0, 1, 1, 0,
			 "cannot count", "unknown error" },
	[STAGE_READ] = { OUT_FAILED, "read", NULL, 0, 1, 1, 0,
			 "cannot count", "unknown error" },
	[STAGE_TYPE] = { OUT_GONE, "type", NULL, 0, 0, 0, 0, NULL, NULL },
	/* kept, but recounted by the next scan */
	[STAGE_CHANGED] = { OUT_COUNTED, "read", NULL, ENTRY_F_RACY, 0, 0, 0,
			    NULL, NULL },
	[STAGE_CRASH] = { OUT_FAILED, "worker", NULL, 0, 1, 1, 0,
			  "cannot count", "unknown error" },
	/* the same bytes would fail the same way: retried once changed */
	[STAGE_LIMIT] = { OUT_COUNTED, "limit", "limit", ENTRY_F_NORETRY, 0, 1,
			  1, NULL, "limit reached" },
	[STAGE_DAMAGED] = { OUT_COUNTED, "archive", "error", ENTRY_F_NORETRY, 1,
			    1, 0, "cannot read archive", "damaged archive" },
	/* the pool adds ranges up: a lone one is no result to keep */
	[STAGE_WHOLE] = { OUT_FAILED, "count", NULL, 0, 1, 1, 0,
			  "cannot count", "unknown error" },
	/*
	 * Not the file the walk saw: nothing of it is stored under this name
	 * (and nothing is said on stderr: an editor that saves by renaming
	 * does this every day); the next scan sees what is there then.
	 */
	[STAGE_REPLACED] = { OUT_NOTED, "changed", NULL, 0, 0, 1, 0, NULL,
			     "replaced during the scan" },
	[STAGE_CANCELLED] = { OUT_DROPPED, NULL, NULL, 0, 0, 0, 0, NULL, NULL },
	/* recorded as such, without counts; tried again once it changes */
	[STAGE_ENCRYPTED] = { OUT_COUNTED, "document", "encrypted",
			      ENTRY_F_NORETRY, 0, 1, 1, NULL,
			      "document is encrypted" },
	[STAGE_DOC_DAMAGED] = { OUT_COUNTED, "document", "error",
				ENTRY_F_NORETRY, 1, 1, 0,
				"cannot read document", "damaged document" },
};

/*
 * Gone (or a directory on its path replaced) since the walk, or made a
 * symlink, which is not followed: no longer a file to index.
 */
static int vanished(const struct job *job, const struct proto_result *res)
{
	return res->stage == STAGE_OPEN &&
	       (res->err == ENOENT || res->err == ENOTDIR ||
		(res->err == ELOOP && !(job->pj.flags & JOB_FOLLOW)));
}

/* Say on stderr why a result is not a clean count. */
static void report_result(const struct job *job, const struct stage_rule *rule,
			  const char *why)
{
	if (rule->warn)
		warning("'%s': %s", job->pj.path, why);
	else
		error("%s '%s': %s", rule->doing, job->pj.path, why);
}

static int apply_counted(struct writer *w, struct wmsg *m,
			 const struct stage_rule *rule)
{
	const struct proto_result *res = &m->res;
	struct job *job = m->job;
	struct entry_update u;
	struct hist_counts old, now;
	int had, tracked = job->tracked;
	uint64_t events = w->cur_ph ? w->ph_events : 0;
	int64_t stale = 0;
	const char *kind = NULL;

	if ((had = old_counts(w, job, &old)) < 0)
		return -1;
	begin_update(w, job, job_name(job), &u);
	u.meta = res->meta;
	u.counts = res->counts;
	u.flags |= res->counts.flags | found_flags(res->found) | rule->flags;
	inner_ext(w, job_name(job), &u);
	set_format(&u, res);
	if (res->format == FORMAT_TEXT && !formats_readable_ext(u.ext))
		w->txn.unread_docs++;
	u.no_counts = res->found == FOUND_ARCHIVE ||
		      res->stage == STAGE_ENCRYPTED;
	u.status = rule->status;
	if (change_is_racy(res->meta.ctime_ns, w->opt.racy_limit_ns))
		u.flags |= ENTRY_F_RACY;
	if (rule->status) {
		u.error = m->msg ? m->msg : rule->fallback;
		report_result(job, rule, u.error);
	} else if (!u.no_counts) {
		w->txn.bytes += res->counts.bytes;
		w->txn.words += res->counts.words;
		atomic_fetch_add(&w->bytes_done, res->counts.bytes);
	}
	w->txn.failed += (uint64_t)rule->failed;
	hist_of_update(&now, &u);
	if (store_put_entry(w->s, &u))
		return -1;
	/*
	 * Its members were (re)recorded by this scan just before: any other
	 * is gone from the archive, or it is no archive now.  Only rows that
	 * were archives can have members (an interrupted scan left a
	 * placeholder archive row), which keeps this DELETE off the path of
	 * plain files.
	 */
	if (job->was_archive || res->found == FOUND_ARCHIVE) {
		if ((tracked &&
		     store_history_deleted_members(w->s, w->opt.scan_id,
						   job->dir_id, u.name,
						   w->opt.scan_id)) ||
		    store_delete_stale_members(w->s, job->dir_id, u.name,
					       w->opt.scan_id))
			return -1;
		stale = store_changed_rows(w->s);
	}
	/*
	 * A recount that found what the row held, in it and in its members,
	 * changed nothing: "rechecked" (a racy file, a touched one).
	 */
	if (!job->row_id) {
		w->txn.new_files++;
		kind = "new";
	} else if (had && store_history_same(&old, &now) && !events && !stale) {
		w->txn.rechecked++;
	} else {
		w->txn.changed++;
		kind = "changed";
	}
	if (kind && tracked &&
	    store_history_add(w->s, w->opt.scan_id, job->dir_id, u.name, NULL,
			      0, kind, had ? &old : NULL, &now))
		return -1;
	return rule->error_row ? record_error(w, job->pj.path, rule->name, 0,
					      u.error) : 0;
}

/*
 * Nothing was counted: keep the crawler's view of the metadata.  An
 * archive whose worker died part way keeps none of its members: old and
 * new would mix.
 */
static int apply_failed(struct writer *w, struct wmsg *m,
			const struct stage_rule *rule)
{
	struct job *job = m->job;
	struct entry_update u;
	struct hist_counts old;
	int had = 0, tracked = job->tracked;

	/* what it added to the totals before, for its change */
	if (tracked && (had = old_counts(w, job, &old)) < 0)
		return -1;
	begin_update(w, job, job_name(job), &u);
	u.meta = *job_seen(job);
	u.error = m->msg ? m->msg : rule->fallback;
	/*
	 * A worker died on it, and had already died on the same bytes in the
	 * scan before: trying again every run would only cost a worker each
	 * time.  It is retried once it changes, or with --retry-failed.
	 */
	if (m->res.stage == STAGE_CRASH && job->retry) {
		u.flags |= ENTRY_F_NORETRY;
		strbuf_reset(&w->msgbuf);
		strbuf_addf(&w->msgbuf, "%s (again: not retried until the file "
			    "changes, or with --retry-failed)", u.error);
		u.error = w->msgbuf.buf;
	}
	w->txn.failed += (uint64_t)rule->failed;
	report_result(job, rule, u.error);
	if (store_put_entry(w->s, &u) ||
	    (tracked && store_history_deleted_members(w->s, w->opt.scan_id,
						      job->dir_id, u.name, 0)) ||
	    store_delete_stale_members(w->s, job->dir_id, u.name, 0))
		return -1;
	/* what it counted before is out of the totals now */
	if (tracked && had && old.counted &&
	    store_history_add(w->s, w->opt.scan_id, job->dir_id, u.name, NULL,
			      0, "changed", &old, NULL))
		return -1;
	return record_error(w, job->pj.path, rule->name, m->res.err, u.error);
}

/* Delete a file's row and its members, recording them as deleted. */
static int delete_entry(struct writer *w, int64_t row_id)
{
	if (store_history_deleted_entry(w->s, w->opt.scan_id, row_id))
		return -1;
	return store_delete_entry(w->s, row_id);
}

static int apply_result(struct writer *w, struct wmsg *m)
{
	/* a stage of no row of the table fails as a generic count */
	const struct stage_rule *rule = &stage_rules[STAGE_WHOLE];

	/* the job is freed with m: its address may come back for another */
	w->cur_ph = w->ph_job == m->job;
	if (w->cur_ph)
		w->ph_job = NULL;
	if (m->res.stage < ARRAY_SIZE(stage_rules))
		rule = &stage_rules[m->res.stage];
	if (vanished(m->job, &m->res))
		rule = &stage_rules[STAGE_TYPE];
	switch (rule->outcome) {
	case OUT_DROPPED:
		return 0;
	case OUT_NOTED:
		return record_error(w, m->job->pj.path, rule->name, 0,
				    m->msg ? m->msg : rule->fallback);
	case OUT_GONE:
		if (!m->job->row_id)
			return 0;
		w->txn.deleted++;
		return delete_entry(w, m->job->row_id);
	case OUT_COUNTED:
		return apply_counted(w, m, rule);
	case OUT_FAILED:
		return apply_failed(w, m, rule);
	}
	return 0;
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
		return delete_entry(w, m->id);
	case WMSG_DEL_DIR:
		if (store_history_deleted_subtree(w->s, w->opt.scan_id,
						  m->path) ||
		    store_delete_subtree(w->s, m->path, &n))
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
	to->rechecked += from->rechecked;
	to->unread_docs += from->unread_docs;
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
	atomic_init(&w->files_done, 0);
	atomic_init(&w->bytes_done, 0);
	rc = pthread_create(&w->thread, NULL, writer_thread, w);
	if (rc) {
		error("cannot start the writer thread: %s", strerror(rc));
		strbuf_release(&w->ext);
		strbuf_release(&w->msgbuf);
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
	free(w);
	return ret;
}

void writer_progress(struct writer *w, uint64_t *files, uint64_t *bytes)
{
	*files = atomic_load(&w->files_done);
	*bytes = atomic_load(&w->bytes_done);
}
