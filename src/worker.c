/*
 * worker.c - the loop of a worker process and the code that counts one
 * file.  A file is reached from the top of its walk, directory by
 * directory (beneath.h), and opened with O_NOFOLLOW, so that nothing
 * swapped in after the walk looked can lead the read out of the root; with
 * O_NONBLOCK, so that a FIFO swapped in cannot block it; and no more than
 * the size the walk saw is read.  One fstat() on the descriptor after the
 * read tells whether it was the file the walk saw (a regular file, the same
 * device and inode): if not, what was read is dropped.  (A device node
 * swapped in, which takes root or a hard link on the same file system, is
 * read from before it is dropped.)
 *
 * For tests only, WCINDEX_TEST_FAULT="crash:SUBSTR" (or "hang:", "spin:")
 * makes the worker abort, sleep or loop forever on a path containing SUBSTR,
 * and "archive-spin:SUBSTR" or "archive-alloc:SUBSTR" spin or eat memory
 * inside such an archive, so that the pool's isolation and the workers'
 * limits can be exercised with real processes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "beneath.h"
#include "count.h"
#include "filemeta.h"
#include "formats/format.h"
#include "formats/zippkg.h"
#include "fsutil.h"
#include "util.h"
#include "worker.h"

static const char *fault_spec;

/*
 * Whole files opened ahead of their turn, and how much of each the kernel
 * is asked to read ahead: enough reads in flight for a cold disk, little
 * for a warm cache (a hint for pages already there costs next to nothing).
 */
#define READ_AHEAD_JOBS 8
#define READ_AHEAD_BYTES (256 * 1024)

/* What a worker keeps from one job to the next. */
struct worker_ctx {
	int out_fd;			/* the result pipe */
	const struct worker_config *cfg;
	unsigned char *buf;		/* the read buffer, WORKER_BUFSIZE */
	struct strbuf path;		/* the job's path, NUL-terminated */
	struct strbuf ahead_path;	/* read_ahead()'s */
	struct proto_job *jobs;		/* the batch being served */
	size_t alloc_jobs;
	struct strbuf top;		/* the top of its walk */
	struct dirchain *chain[2];	/* below its top; [1]: --follow */
	struct strbuf msg;		/* the result's message */
	struct strbuf ext;		/* the job's file's extension */
	uint64_t job_id;		/* the job whose members are sent */
	struct proto_writer members;	/* PROTO_MEMBERS records not yet sent */
	int failed;			/* the pipe broke: stop reading */
};

/*
 * where is "" when a file is opened, "archive-" inside an archive (after
 * it was recognised): "archive-spin:NAME" spins there, under the CPU limit;
 * "archive-alloc:NAME" eats memory there, up to the address space limit.
 */
static void maybe_inject_fault(const char *path, const char *where)
{
	const char *colon, *spec = fault_spec;
	size_t wlen = strlen(where);

	if (!spec || strncmp(spec, where, wlen) ||
	    !(colon = strchr(spec, ':')) || !strstr(path, colon + 1))
		return;
	spec += wlen;
	if (!strncmp(spec, "alloc:", 6))
		for (volatile char *p;;)	/* address space, not pages */
			p = xmalloc(64u << 20), p[0] = 1;
	if (!strncmp(spec, "crash:", 6))
		abort();
	if (!strncmp(spec, "hang:", 5))
		for (;;)
			pause();
	if (!strncmp(spec, "spin:", 5))
		for (volatile unsigned long i = 0;; i++)
			;
}

static void set_failure(struct proto_result *res, struct strbuf *msg,
			enum result_stage stage, int err, const char *what)
{
	res->stage = stage;
	res->err = err;
	strbuf_reset(msg);
	if (err)
		strbuf_addf(msg, "%s: %s", what, strerror(err));
	else
		strbuf_addstr(msg, what);
}

#define MEMBER_FRAME_FLUSH (256 * 1024)

/* Send the members collected so far; 0 or -1. */
static int flush_members(struct worker_ctx *w)
{
	if (w->failed)
		return -1;
	if (!w->members.count)
		return 0;
	proto_finish(&w->members);
	if (write_all(w->out_fd, w->members.buf.buf, w->members.buf.len) < 0) {
		w->failed = 1;
		return error_errno("cannot send archive members");
	}
	proto_begin(&w->members, PROTO_MEMBERS);
	return 0;
}

/* A cut name and its marker always fit a member record. */
_Static_assert(ARCHIVE_NAME_MAX + 128 < PROTO_MAX_MEMBER_NAME,
	       "ARCHIVE_NAME_MAX does not fit the protocol");

static int add_member(void *data, const struct member_result *m)
{
	struct worker_ctx *w = data;
	struct proto_member pm = {
		.id = w->job_id,
		.kind = (uint32_t)m->kind,
		.status = (uint32_t)m->status,
		.flags = (m->compressed ? PROTO_MEMBER_COMPRESSED : 0) |
			 (m->name_cut ? PROTO_MEMBER_NAME_CUT : 0) |
			 (m->document ? PROTO_MEMBER_DOCUMENT : 0),
		.format = m->format,
		.counts = m->counts,
		.mtime_ns = m->mtime_ns,
		.name = m->name,
		.name_len = (uint32_t)m->name_len,
	};
	const char *msg = m->message ? m->message :
			  m->link_target ? m->link_target : "";

	pm.msg = msg;
	pm.msg_len = (uint32_t)strlen(msg);
	proto_add_member(&w->members, &pm);
	if (w->members.buf.len >= MEMBER_FRAME_FLUSH)
		return flush_members(w);
	return w->failed ? -1 : 0;
}

/*
 * Allow this process `seconds` more of CPU time from now: RLIMIT_CPU counts
 * the whole life of the worker, so the soft limit moves with every archive.
 * Past it the kernel sends SIGXCPU, and the pool reports the signal.
 */
static void limit_cpu(unsigned seconds, struct rlimit *saved)
{
	struct rusage ru;
	struct rlimit rl;

	saved->rlim_cur = saved->rlim_max = 0;
	if (!seconds || getrusage(RUSAGE_SELF, &ru) < 0 ||
	    getrlimit(RLIMIT_CPU, &rl) < 0)
		return;
	*saved = rl;
	rl.rlim_cur = (rlim_t)ru.ru_utime.tv_sec + (rlim_t)ru.ru_stime.tv_sec +
		      1 + seconds;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_CPU, &rl);
}

/* Lift the archive's CPU budget again: plain files have the watchdog. */
static void unlimit_cpu(const struct rlimit *saved)
{
	if (saved->rlim_max)
		setrlimit(RLIMIT_CPU, saved);
}

/*
 * Count the archive or compressed file open on fd.  Returns 1 when it was
 * one (res filled), 0 when its content is not an archive after all.
 */
static int count_archive(struct worker_ctx *w, uint32_t flags, int fd,
			 enum archive_kind kind, struct proto_result *res)
{
	struct archive_read_how how = {
		.mode = (flags & JOB_ASCII) ? COUNT_ASCII : COUNT_UTF8,
		.lim = &w->cfg->limits,
		.formats = JOB_FORMATS(flags),
		.name = w->path.buf,
	};
	struct archive_summary sum;
	struct rlimit saved;
	int r;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return 0;
	limit_cpu(w->cfg->cpu_seconds, &saved);
	maybe_inject_fault(w->path.buf, "archive-");
	memset(&sum, 0, sizeof(sum));
	r = archive_read_file(fd, kind, &how, add_member, w, &sum);
	unlimit_cpu(&saved);
	/*
	 * The magic number lied (a text file that starts like a cpio header):
	 * nothing could be read as an archive, so it is a plain file.
	 */
	if ((r < 0 || sum.status == MEMBER_ERROR) && !sum.members &&
	    kind == ARCHIVE_CONTAINER && lseek(fd, 0, SEEK_SET) == 0)
		return 0;
	res->counts = sum.counts;
	res->found = sum.container ? FOUND_ARCHIVE : FOUND_COMPRESSED;
	if (sum.container)
		res->counts.bytes = res->counts.lines = res->counts.words =
			res->counts.chars = 0;
	if (sum.container && res->format == FORMAT_TEXT)
		res->format = FORMAT_ARCHIVE;
	else if (!sum.container) {
		res->format = sum.format;
		res->extracted = (uint32_t)sum.document;
	}
	strbuf_reset(&w->msg);
	if (sum.encrypted) {
		res->stage = STAGE_ENCRYPTED;
		strbuf_addstr(&w->msg, "document is encrypted");
	} else if (r < 0 || sum.status == MEMBER_ERROR) {
		res->stage = res->extracted ? STAGE_DOC_DAMAGED : STAGE_DAMAGED;
		strbuf_addstr(&w->msg, *sum.message ? sum.message
						    : "damaged archive");
	} else if (sum.status == MEMBER_LIMIT) {
		res->stage = STAGE_LIMIT;
		strbuf_addstr(&w->msg, sum.message);
	}
	return 1;
}

/*
 * Where the job's file is: the top (into top) and the directory relative
 * to it, in path, the job's path.
 */
static void job_dirs(const struct proto_job *job, const struct strbuf *path,
		     struct strbuf *top, const char **rel, size_t *rel_len)
{
	const struct file_place *pl = &job->place;
	size_t start = pl->top_len, end = pl->name_off - 1;

	strbuf_reset(top);
	strbuf_add(top, path->buf, pl->top_len);
	if (start < end && path->buf[start] == '/')
		start++;
	*rel = path->buf + start;
	*rel_len = end > start ? end - start : 0;
}

/*
 * Open the file of job (its path in path): from its top, directory by
 * directory without following a link (unless --follow), checking that the
 * directories are those the walk saw; the file itself without blocking
 * and without following a final link unless JOB_FOLLOW.  Returns the
 * descriptor, -1 with errno set, or DIRCHAIN_REPLACED.
 */
static int open_below(struct worker_ctx *w, const struct proto_job *job,
		      const struct strbuf *path)
{
	const struct file_place *pl = &job->place;
	struct dirchain *dc = w->chain[!!(job->flags & JOB_FOLLOW_DIRS)];
	int oflags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
	const char *rel;
	size_t rel_len;
	int dfd;

	job_dirs(job, path, &w->top, &rel, &rel_len);
	dfd = dirchain_top(dc, w->top.buf, pl->top_dev, pl->top_ino);
	if (dfd >= 0)
		dfd = dirchain_open(dc, rel, rel_len, pl->dir_dev, pl->dir_ino);
	if (dfd < 0)
		return dfd;
	if (!(job->flags & JOB_FOLLOW))
		oflags |= O_NOFOLLOW;
	return openat(dfd, path->buf + pl->name_off, oflags);
}

/*
 * Start res afresh (its meta what the walk saw) and open the job's file
 * (open_below()), or take the descriptor read_ahead() opened for it.
 * Whether it is the file the walk saw is told after the read (settled()):
 * one fstat() a file.  Returns the descriptor, or -1 with the failure in
 * res and w->msg.
 */
static int open_job_file(struct worker_ctx *w, const struct proto_job *job,
			 struct proto_result *res, int ready_fd)
{
	int fd;

	*res = (struct proto_result) { .meta = job->place.seen };
	strbuf_reset(&w->msg);
	file_ext(w->path.buf + job->place.name_off, &w->ext);
	maybe_inject_fault(w->path.buf, "");
	fd = ready_fd >= 0 ? ready_fd : open_below(w, job, &w->path);
	if (fd == DIRCHAIN_REPLACED)
		set_failure(res, &w->msg, STAGE_REPLACED, 0, "a directory on "
			    "its way was replaced since the walk saw it");
	else if (fd < 0)
		set_failure(res, &w->msg, STAGE_OPEN, errno, "open");
	return fd < 0 ? -1 : fd;
}

/*
 * After the read: is fd still the file res->meta says?  Returns 1 when it
 * is, unchanged; 0 when it is the same file, changed (res->meta then has
 * its new state); -1 when it is another file, or no regular file, or
 * fstat() failed (the failure in res).
 */
static int settled(int fd, struct proto_result *res, struct strbuf *msg)
{
	struct file_meta now;
	struct stat sb;
	unsigned diff;

	if (fstat(fd, &sb) < 0) {
		set_failure(res, msg, STAGE_READ, errno, "fstat");
		return -1;
	}
	file_meta_fill(&now, &sb);
	diff = file_meta_diff(&now, &res->meta);
	if (!S_ISREG(sb.st_mode) || (diff & (FILE_META_DEV | FILE_META_INO))) {
		/* what was read is not the file's: nothing of it goes out */
		memset(&res->counts, 0, sizeof(res->counts));
		if (!S_ISREG(sb.st_mode))
			set_failure(res, msg, STAGE_TYPE, 0,
				    "not a regular file");
		else
			set_failure(res, msg, STAGE_REPLACED, 0, "replaced "
				    "since the walk saw it: not counted, the "
				    "next scan looks again");
		return -1;
	}
	res->meta = now;
	return !diff;
}

/*
 * A hole of a sparse file reads as NUL bytes, as many as it is long: it is
 * counted as such (count_feed_zeros()) without being read, or `truncate -s
 * 1T` would have a worker read zeros for hours.  Holes shorter than
 * HOLE_MIN are read through: a file of many small extents then costs no
 * more system calls than one read a buffer.
 */
#define HOLE_MIN WORKER_BUFSIZE

/*
 * Where the data of a file is, as far as asked: nothing is asked before
 * data_end, the end of the data (or small holes) known so far.  on is
 * cleared for good when the file system cannot tell.
 */
struct hole_cursor {
	int on;
	uint64_t data_end;
};

/* Start before any question: the first buffer is always read. */
static void hole_cursor_init(struct hole_cursor *hc)
{
	hc->on = 1;
	hc->data_end = WORKER_BUFSIZE;
}

/*
 * The end of fd's data that goes on at pos, small holes included; limit
 * when lseek(SEEK_HOLE) cannot say (pos is past the end: the read that
 * follows finds it).
 */
static uint64_t data_end_at(int fd, uint64_t pos, uint64_t limit)
{
	off_t hole = lseek(fd, (off_t)pos, SEEK_HOLE);
	uint64_t end = hole < 0 ? limit : (uint64_t)hole;

	return end < pos + HOLE_MIN ? pos + HOLE_MIN : end;
}

/*
 * The hole of fd at pos, if it is worth skipping: sets *next to where the
 * reading goes on (pos when there is nothing to skip; never past limit)
 * and leaves the file offset there, for read().  Returns 0, or -1 with
 * errno set when the file offset could not be set.
 *
 * lseek(SEEK_DATA) fails with ENXIO when nothing but a hole is left up to
 * the end of the file; with EINVAL where the kernel does not know
 * SEEK_DATA, and then the file is read through like any other.  Linux
 * file systems without holes of their own say the whole file is data.
 */
static int skip_hole(int fd, struct hole_cursor *hc, uint64_t pos,
		     uint64_t limit, uint64_t *next)
{
	off_t data;
	struct stat sb;

	*next = pos;
	if (!hc->on || pos < hc->data_end)
		return 0;
	data = lseek(fd, (off_t)pos, SEEK_DATA);
	if (data < 0 && errno == ENXIO) {
		/* a hole to the end of the file, wherever it is now */
		if (fstat(fd, &sb) < 0)
			return -1;
		data = sb.st_size > (off_t)pos ? sb.st_size : (off_t)pos;
	} else if (data < 0) {
		hc->on = 0;	/* the offset did not move */
		return 0;
	} else if ((uint64_t)data < pos) {
		/* no regular file (a device swapped in): settled() says so */
		hc->on = 0;
		return lseek(fd, (off_t)pos, SEEK_SET) < 0 ? -1 : 0;
	}
	if ((uint64_t)data > limit)
		data = (off_t)limit;
	if ((uint64_t)data - pos >= HOLE_MIN || (uint64_t)data == limit)
		*next = (uint64_t)data;
	hc->data_end = data_end_at(fd, *next, limit);
	return lseek(fd, (off_t)*next, SEEK_SET) < 0 ? -1 : 0;
}

/*
 * The bytes of a file that are read: those the walk saw, and no more than
 * --max-file-bytes of them.
 */
static uint64_t read_limit(const struct worker_ctx *w,
			   const struct proto_result *res)
{
	return res->meta.size < w->cfg->max_file_bytes ? res->meta.size
						       : w->cfg->max_file_bytes;
}

/* What a document's extraction came to, as a result's stage. */
static const enum result_stage doc_stage[] = {
	[DOC_OK] = STAGE_NONE,
	[DOC_ENCRYPTED] = STAGE_ENCRYPTED,
	[DOC_LIMIT] = STAGE_LIMIT,
	[DOC_DAMAGED] = STAGE_DOC_DAMAGED,
	[DOC_UNSUPPORTED] = STAGE_DOC_DAMAGED,
};

/*
 * What the file of src, whose first len bytes are in w->buf, is among the
 * job's formats: the format to extract (FORMAT_TEXT: none), and in *would
 * what it is even when its extraction is off.  The caller frees p->zip.
 */
static enum doc_format recognise(struct worker_ctx *w, uint32_t flags,
				 const struct doc_source *src, size_t len,
				 struct doc_probe *p, enum doc_format *would)
{
	doc_probe_init(p, src, w->buf, len, &w->cfg->limits);
	return formats_recognise(p, JOB_FORMATS(flags), would);
}

/*
 * Recognise the document open on fd, whose first len bytes are in
 * w->buf, among the job's formats (res->format gets what it is, even
 * when its extraction is off), and count its text when it is one to
 * extract: under the CPU limit of archives, once it is known to be the
 * file the walk saw.  Returns 1 when counted (res filled), 0 when it is
 * to be read as bytes (or as an archive), -1 on a failure (in res).
 */
static int extract_document(struct worker_ctx *w, uint32_t flags, int fd,
			  size_t len, uint64_t size, struct proto_result *res)
{
	struct doc_source src = { .fd = fd, .size = size, .ext = w->ext.buf };
	struct doc_probe p;
	enum doc_format would;
	enum doc_format f = recognise(w, flags, &src, len, &p, &would);
	enum doc_status status;
	struct rlimit saved;
	int r = 1;

	res->format = would;
	if (f == FORMAT_TEXT) {
		r = 0;
		goto out;
	}
	if (settled(fd, res, &w->msg) < 0) {
		r = -1;
		goto out;
	}
	limit_cpu(w->cfg->cpu_seconds, &saved);
	maybe_inject_fault(w->path.buf, "document-");
	strbuf_reset(&w->msg);
	status = formats_count(&p, f, (flags & JOB_ASCII) ? COUNT_ASCII :
			       COUNT_UTF8, &res->counts, &w->msg);
	unlimit_cpu(&saved);
	res->extracted = 1;
	res->stage = doc_stage[status];
out:
	zippkg_free(p.zip);
	return r;
}

/*
 * One reading of fd from where it stands, into st, up to the size
 * res->meta says (or --max-file-bytes), holes counted without reading them
 * (skip_hole()).  With sniff, the first bytes decide whether it is an
 * archive, and one is counted as such (once it is known to be the file the
 * walk saw: its members go out as they are read).  Returns 0 when it was
 * read as text, 1 when it was counted as an archive, -1 on a failure (in
 * res).
 */
static int read_text(struct worker_ctx *w, uint32_t flags, int fd, int sniff,
		     struct count_state *st, struct proto_result *res)
{
	uint64_t got = 0, limit = read_limit(w, res);
	struct hole_cursor hc;

	hole_cursor_init(&hc);
	/*
	 * No more than the expected size is read: no read() that would return
	 * 0, and nothing endless if something else than the file the walk saw
	 * is there; a file that grew since shows in the fstat() after.
	 */
	while (got < limit) {
		uint64_t left, next;
		ssize_t n;
		enum archive_kind kind;

		if (skip_hole(fd, &hc, got, limit, &next) < 0) {
			set_failure(res, &w->msg, STAGE_READ, errno, "lseek");
			return -1;
		}
		count_feed_zeros(st, next - got);
		got = next;
		if (got == limit)
			break;
		left = limit - got;
		n = read(fd, w->buf, left < WORKER_BUFSIZE ? (size_t)left
							  : WORKER_BUFSIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EISDIR) {
			set_failure(res, &w->msg, STAGE_TYPE, 0,
				    "not a regular file");
			return -1;
		}
		if (n < 0) {
			set_failure(res, &w->msg, STAGE_READ, errno, "read");
			return -1;
		}
		if (!n)
			return 0;
		if (sniff) {
			int doc;

			sniff = 0;
			doc = extract_document(w, flags, fd, (size_t)n, limit, res);
			if (doc)
				return doc;
			kind = (flags & JOB_ARCHIVES) ?
			       archive_sniff(w->buf, (size_t)n < ARCHIVE_SNIFF_BYTES ?
					     (size_t)n : ARCHIVE_SNIFF_BYTES) :
			       ARCHIVE_NONE;
			if (kind != ARCHIVE_NONE) {
				if (settled(fd, res, &w->msg) < 0)
					return -1;
				if (count_archive(w, flags, fd, kind, res))
					return 1;
				/* not one after all: count from the start */
				continue;
			}
		}
		got += (uint64_t)n;
		count_feed(st, w->buf, (size_t)n);
	}
	return 0;
}

/* Members are sent already: no second reading, only the check. */
static void archive_changed(int fd, struct proto_result *res,
			    struct strbuf *msg)
{
	struct file_meta after;
	struct stat sb;

	if (fstat(fd, &sb) < 0)
		return;
	file_meta_fill(&after, &sb);
	if (file_meta_diff(&after, &res->meta) && res->stage == STAGE_NONE) {
		res->stage = STAGE_CHANGED;
		strbuf_addstr(msg, "file changed while it was read");
	}
}

static void count_file(struct worker_ctx *w, const struct proto_job *job,
		       struct proto_result *res, int ready_fd)
{
	enum count_mode mode = (job->flags & JOB_ASCII) ? COUNT_ASCII
							: COUNT_UTF8;
	struct count_state st;
	int fd, r;

	fd = open_job_file(w, job, res, ready_fd);
	if (fd < 0)
		return;
	/* most files fit the buffer: one read() less, and no read-ahead hint */
	if (res->meta.size > WORKER_BUFSIZE)
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);

	for (int attempt = 0;; attempt++) {
		count_init(&st, mode);
		/*
		 * Documents and archives are told by their first bytes,
		 * read once for both; what a document is is recorded even
		 * when its text is not extracted.
		 */
		r = read_text(w, job->flags, fd, !attempt, &st, res);
		if (r == 1)
			archive_changed(fd, res, &w->msg);
		if (r)
			break;
		count_finish(&st, &res->counts);
		if (settled(fd, res, &w->msg))
			break;
		/* Changed since it was seen: count the new state from the start. */
		if (attempt == 2 || lseek(fd, 0, SEEK_SET) < 0) {
			set_failure(res, &w->msg, STAGE_CHANGED, 0,
				    "file changed while it was read");
			break;
		}
	}
	if (!r && res->stage == STAGE_NONE &&
	    res->meta.size > w->cfg->max_file_bytes) {
		res->stage = STAGE_LIMIT;
		strbuf_addf(&w->msg, "file larger than --max-file-bytes "
			    "(%" PRIu64 " bytes): counted up to there",
			    w->cfg->max_file_bytes);
	}
	close(fd);
}

/* Whether the file whose head is in w->buf is a document to extract. */
static int range_is_document(struct worker_ctx *w, const struct proto_job *job,
			     int fd, size_t len, struct proto_result *res)
{
	struct doc_source src = { .fd = fd, .size = res->meta.size,
				  .ext = w->ext.buf };
	struct doc_probe p;
	enum doc_format would;
	int r = recognise(w, job->flags, &src, len, &p, &would) != FORMAT_TEXT;

	zippkg_free(p.zip);
	return r;
}

/*
 * Every range reads the head: an archive or a document to extract cannot
 * be cut in pieces, so the first range counts all of it and the others
 * step aside.  Returns 1 when the file is one (res done), 0 when not, -1
 * on a read error.
 */
static int range_of_whole(struct worker_ctx *w, const struct proto_job *job,
			    int fd, struct proto_result *res)
{
	ssize_t n = pread_full(fd, w->buf, ARCHIVE_SNIFF_BYTES, 0);

	if (n < 0) {
		set_failure(res, &w->msg, STAGE_READ, errno, "read");
		return -1;
	}
	if (!range_is_document(w, job, fd, (size_t)n, res) &&
	    (!(job->flags & JOB_ARCHIVES) ||
	     archive_sniff(w->buf, (size_t)n) == ARCHIVE_NONE))
		return 0;
	if (job->offset == 0)
		count_file(w, job, res, -1);
	else
		res->stage = STAGE_WHOLE;
	return 1;
}

/*
 * Count the bytes of the range from where st stands to end, holes without
 * reading them.  Returns the offset reached, or UINT64_MAX on a read error
 * (in res).
 */
static uint64_t read_range(struct worker_ctx *w, const struct proto_job *job,
			   uint64_t end, int fd, struct count_state *st,
			   struct proto_result *res)
{
	struct hole_cursor hc;
	uint64_t pos, next;
	ssize_t n;

	hole_cursor_init(&hc);
	posix_fadvise(fd, (off_t)job->offset, (off_t)(end - job->offset),
		      POSIX_FADV_SEQUENTIAL);
	for (pos = job->offset; pos < end; pos += (uint64_t)n) {
		size_t want;

		n = 0;
		if (skip_hole(fd, &hc, pos, end, &next) < 0) {
			set_failure(res, &w->msg, STAGE_READ, errno, "lseek");
			return UINT64_MAX;
		}
		count_feed_zeros(st, next - pos);
		pos = next;
		if (pos == end)
			break;
		want = end - pos < WORKER_BUFSIZE ? (size_t)(end - pos)
						  : WORKER_BUFSIZE;
		n = pread(fd, w->buf, want, (off_t)pos);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n < 0) {
			set_failure(res, &w->msg, STAGE_READ, errno, "read");
			return UINT64_MAX;
		}
		if (!n)
			break;
		count_feed(st, w->buf, (size_t)n);
	}
	return pos;
}

static void count_range(struct worker_ctx *w, const struct proto_job *job,
			struct proto_result *res)
{
	enum count_mode mode = (job->flags & JOB_ASCII) ? COUNT_ASCII : COUNT_UTF8;
	unsigned char before[COUNT_LOOKBACK];
	uint64_t pos, end;
	struct count_state st;
	size_t nbefore;
	ssize_t n;
	int fd = open_job_file(w, job, res, -1);

	if (fd < 0)
		return;
	/* the last range runs to the end the walk saw, and no further */
	end = job->offset + job->length;
	if (end > res->meta.size)
		end = res->meta.size;
	if (((job->flags & JOB_ARCHIVES) || JOB_FORMATS(job->flags)) &&
	    range_of_whole(w, job, fd, res))
		goto out;
	nbefore = job->offset < COUNT_LOOKBACK ? (size_t)job->offset
					       : COUNT_LOOKBACK;
	n = pread_full(fd, before, nbefore, job->offset - nbefore);
	if (n < 0) {
		set_failure(res, &w->msg, STAGE_READ, errno, "read");
		goto out;
	}
	if ((size_t)n < nbefore)
		goto changed;
	count_init_range(&st, mode, job->offset, before, nbefore);
	pos = read_range(w, job, end, fd, &st, res);
	if (pos == UINT64_MAX)
		goto out;
	if (pos >= res->meta.size)
		count_finish(&st, &res->counts);
	else
		count_finish_range(&st, &res->counts);
	/*
	 * No second reading here: the pool sees a changed file in the sizes
	 * and metadata of the ranges and counts it again in one piece.  The
	 * last range ends at the end of the file, the others at theirs.
	 */
	switch (settled(fd, res, &w->msg)) {
	case -1:
		goto out;
	case 1:
		if (pos == end)
			goto out;
	}
changed:
	set_failure(res, &w->msg, STAGE_CHANGED, 0,
		    "file changed while it was read");
out:
	close(fd);
}

void worker_config_default(struct worker_config *cfg)
{
	archive_limits_default(&cfg->limits);
	cfg->cpu_seconds = 0;
	cfg->max_file_bytes = WORKER_MAX_FILE_BYTES;
}

int worker_config_parse(int argc, char **argv, struct worker_config *cfg)
{
	struct archive_limits *lim = &cfg->limits;

	worker_config_default(cfg);
	for (int i = 0; i < argc; i++) {
		unsigned long long m, t, r, n;
		unsigned long secs;
		unsigned d;
		char end;

		if (!strncmp(argv[i], "--cpu-seconds=", 14)) {
			if (parse_ulong(argv[i] + 14, 0, 1u << 20, &secs))
				return error("bad worker argument '%s'", argv[i]);
			cfg->cpu_seconds = (unsigned)secs;
			continue;
		}
		if (!strncmp(argv[i], "--max-file-bytes=", 17)) {
			if (sscanf(argv[i] + 17, "%llu%c", &m, &end) != 1 || !m)
				return error("bad worker argument '%s'", argv[i]);
			cfg->max_file_bytes = m;
			continue;
		}
		if (strncmp(argv[i], "--archive-limits=", 17))
			return error("unknown worker argument '%s'", argv[i]);
		if (sscanf(argv[i] + 17, "%llu:%llu:%llu:%llu:%u%c", &m, &t, &r,
			   &n, &d, &end) != 5)
			return error("bad worker argument '%s'", argv[i]);
		lim->member_bytes = m;
		lim->total_bytes = t;
		lim->ratio = r;
		lim->members = n;
		lim->depth = d;
	}
	return 0;
}

char **worker_config_argv(const struct worker_config *cfg)
{
	const struct archive_limits *lim = &cfg->limits;
	struct strbuf sb = STRBUF_INIT;
	char **argv = xcalloc(4, sizeof(*argv));

	strbuf_addf(&sb, "--archive-limits=%" PRIu64 ":%" PRIu64 ":%" PRIu64
		    ":%" PRIu64 ":%u", lim->member_bytes, lim->total_bytes,
		    lim->ratio, lim->members, lim->depth);
	argv[0] = strbuf_detach(&sb, NULL);
	strbuf_addf(&sb, "--cpu-seconds=%u", cfg->cpu_seconds);
	argv[1] = strbuf_detach(&sb, NULL);
	strbuf_addf(&sb, "--max-file-bytes=%" PRIu64, cfg->max_file_bytes);
	argv[2] = strbuf_detach(&sb, NULL);
	return argv;
}

void worker_config_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/*
 * Open the file of the next whole-file job of the batch and ask the
 * kernel to read its head, so that on a cold cache several reads are in
 * flight while one file is counted.  Failures are left to its turn.
 */
static int read_ahead(struct worker_ctx *w, const struct proto_job *job)
{
	int fd;

	if (job->length)
		return -1;
	strbuf_reset(&w->ahead_path);
	strbuf_add(&w->ahead_path, job->path, job->path_len);
	fd = open_below(w, job, &w->ahead_path);
	if (fd < 0)
		return -1;
	posix_fadvise(fd, 0, job->place.seen.size < READ_AHEAD_BYTES ?
		      (off_t)job->place.seen.size : READ_AHEAD_BYTES,
		      POSIX_FADV_WILLNEED);
	return fd;
}

/* Count every job of one frame into out.  0, or -1 on a malformed job. */
static int serve_batch(struct worker_ctx *w, const struct strbuf *payload,
		       struct proto_writer *out)
{
	struct proto_reader rd;
	struct proto_job job;
	size_t n = 0, next = 0;
	int r, ready[READ_AHEAD_JOBS];

	if (proto_reader_init(&rd, payload))
		return -1;
	while ((r = proto_next_job(&rd, &job)) > 0) {
		ALLOC_GROW(w->jobs, n + 1, w->alloc_jobs);
		w->jobs[n++] = job;
	}
	if (r < 0)
		return -1;
	proto_begin(out, PROTO_RESULTS);
	for (size_t i = 0; i < n; i++) {
		const struct proto_job *j = &w->jobs[i];
		struct proto_result res;

		for (; next < n && next <= i + READ_AHEAD_JOBS - 1; next++)
			ready[next % READ_AHEAD_JOBS] = read_ahead(w, &w->jobs[next]);
		strbuf_reset(&w->path);
		strbuf_add(&w->path, j->path, j->path_len);
		w->job_id = j->id;
		if (j->length)
			count_range(w, j, &res);
		else
			count_file(w, j, &res, ready[i % READ_AHEAD_JOBS]);
		res.id = j->id;
		res.msg = w->msg.buf;
		res.msg_len = (uint32_t)w->msg.len;
		proto_add_result(out, &res);
	}
	return 0;
}

int worker_main(int in_fd, int out_fd, const struct worker_config *cfg)
{
	struct strbuf payload = STRBUF_INIT;
	struct proto_writer out = { STRBUF_INIT, 0 };
	/*
	 * Page-aligned: the kernel copies file data into a buffer that
	 * malloc() aligns on 16 bytes three times slower here (0.50 s against
	 * 0.15 s for 1 GiB in 256 KiB reads), rep movsb being what it is.
	 */
	struct worker_ctx w = {
		.out_fd = out_fd,
		.cfg = cfg,
		.buf = xmalloc_aligned(4096, WORKER_BUFSIZE),
		.path = STRBUF_INIT,
		.ahead_path = STRBUF_INIT,
		.top = STRBUF_INIT,
		.chain = { dirchain_new(0), dirchain_new(1) },
		.msg = STRBUF_INIT,
		.ext = STRBUF_INIT,
		.members = { STRBUF_INIT, 0 },
	};
	int status = 1;

	set_oom_exit(WORKER_EXIT_NOMEM);
	proto_begin(&w.members, PROTO_MEMBERS);
	fault_spec = getenv("WCINDEX_TEST_FAULT");
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		uint32_t type;
		int r = proto_read_frame(in_fd, "scanner", &type, &payload);

		if (r == 0) {
			status = 0;
			break;
		}
		if (r < 0)
			break;
		if (type != PROTO_JOBS) {
			error("protocol error: worker got frame type %u", type);
			break;
		}
		if (serve_batch(&w, &payload, &out) < 0 || flush_members(&w) < 0)
			break;
		proto_finish(&out);
		if (write_all(out_fd, out.buf.buf, out.buf.len) < 0) {
			error_errno("cannot send results");
			break;
		}
	}
	free(w.buf);
	strbuf_release(&payload);
	strbuf_release(&w.path);
	strbuf_release(&w.ahead_path);
	free(w.jobs);
	strbuf_release(&w.top);
	dirchain_free(w.chain[0]);
	dirchain_free(w.chain[1]);
	strbuf_release(&w.msg);
	strbuf_release(&w.ext);
	proto_writer_release(&out);
	proto_writer_release(&w.members);
	return status;
}
