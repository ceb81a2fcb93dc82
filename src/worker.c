/*
 * worker.c - the loop of a worker process and the code that counts one
 * file.  Files are opened with O_NONBLOCK and O_NOFOLLOW and checked with
 * fstat() on the descriptor, so that a FIFO, a device or a symlink swapped
 * in after the crawler looked can never block or redirect the read.
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
#include "count.h"
#include "filemeta.h"
#include "fsutil.h"
#include "util.h"
#include "worker.h"

static const char *fault_spec;

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

int member_sink_flush(struct member_sink *sink)
{
	if (sink->failed)
		return -1;
	if (!sink->frame.count)
		return 0;
	proto_finish(&sink->frame);
	if (write_all(sink->fd, sink->frame.buf.buf, sink->frame.buf.len) < 0) {
		sink->failed = 1;
		return error_errno("cannot send archive members");
	}
	proto_begin(&sink->frame, PROTO_MEMBERS);
	return 0;
}

static int add_member(void *data, const struct member_result *m)
{
	struct member_sink *sink = data;
	struct proto_member pm;
	const char *msg = m->message ? m->message :
			  m->link_target ? m->link_target : "";

	memset(&pm, 0, sizeof(pm));
	pm.id = sink->job_id;
	pm.kind = (uint32_t)m->kind;
	pm.status = (uint32_t)m->status;
	pm.counts = m->counts;
	pm.mtime_ns = m->mtime_ns;
	pm.name = m->name;
	pm.name_len = (uint32_t)m->name_len;
	if (m->name_len > PROTO_MAX_MEMBER_NAME) {
		pm.name_len = PROTO_MAX_MEMBER_NAME;
		pm.status = MEMBER_ERROR;
		msg = "member name too long (cut short)";
	}
	pm.msg = msg;
	pm.msg_len = (uint32_t)strlen(msg);
	proto_add_member(&sink->frame, &pm);
	if (sink->frame.buf.len >= MEMBER_FRAME_FLUSH)
		return member_sink_flush(sink);
	return sink->failed ? -1 : 0;
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
static int count_archive(const char *path, int fd, enum archive_kind kind,
			 uint32_t flags, struct proto_result *res,
			 struct strbuf *msg, struct member_sink *sink)
{
	enum count_mode mode = (flags & JOB_ASCII) ? COUNT_ASCII : COUNT_UTF8;
	struct archive_summary sum;
	struct rlimit saved;
	int r;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return 0;
	limit_cpu(sink->cpu_seconds, &saved);
	maybe_inject_fault(path, "archive-");
	memset(&sum, 0, sizeof(sum));
	r = archive_count(fd, kind, mode, sink->lim, add_member, sink, &sum);
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
	strbuf_reset(msg);
	if (r < 0 || sum.status == MEMBER_ERROR) {
		res->stage = STAGE_DAMAGED;
		strbuf_addstr(msg, *sum.message ? sum.message : "damaged archive");
	} else if (sum.status == MEMBER_LIMIT) {
		res->stage = STAGE_LIMIT;
		strbuf_addstr(msg, sum.message);
	}
	return 1;
}

/*
 * Start res afresh and open path for counting: without blocking, without
 * following a final symlink unless JOB_FOLLOW, and only if the descriptor
 * is a regular file.  Returns the descriptor with *sb and res->meta from
 * fstat(), or -1 with the failure in res and msg.
 */
static int open_regular(const char *path, uint32_t flags, struct stat *sb,
			struct proto_result *res, struct strbuf *msg)
{
	int oflags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
	int fd;

	memset(&res->counts, 0, sizeof(res->counts));
	memset(&res->meta, 0, sizeof(res->meta));
	res->err = 0;
	res->stage = STAGE_NONE;
	res->found = FOUND_TEXT;
	strbuf_reset(msg);
	maybe_inject_fault(path, "");

	if (!(flags & JOB_FOLLOW))
		oflags |= O_NOFOLLOW;
	fd = open_long_path(path, oflags);
	if (fd < 0) {
		set_failure(res, msg, STAGE_OPEN, errno, "open");
		return -1;
	}
	if (fstat(fd, sb) < 0) {
		set_failure(res, msg, STAGE_OPEN, errno, "fstat");
		close(fd);
		return -1;
	}
	file_meta_fill(&res->meta, sb);
	if (!S_ISREG(sb->st_mode)) {
		set_failure(res, msg, STAGE_TYPE, 0, "not a regular file");
		close(fd);
		return -1;
	}
	return fd;
}

void worker_count_file(const char *path, uint32_t flags, unsigned char *buf,
		       size_t bufsize, struct proto_result *res,
		       struct strbuf *msg, struct member_sink *sink)
{
	enum count_mode mode = (flags & JOB_ASCII) ? COUNT_ASCII : COUNT_UTF8;
	struct count_state st;
	struct file_meta after;
	struct stat sb;
	int fd, attempt;

	fd = open_regular(path, flags, &sb, res, msg);
	if (fd < 0)
		goto done;
	/* most files fit the buffer: one read() less, and no read-ahead hint */
	if ((uint64_t)sb.st_size > bufsize)
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);

	for (attempt = 0;; attempt++) {
		/* Archives are told by their first bytes, read once for both. */
		int sniff = attempt == 0 && (flags & JOB_ARCHIVES) && sink;
		uint64_t got = 0;

		count_init(&st, mode);
		for (;;) {
			ssize_t n;
			enum archive_kind kind;

			/*
			 * Having read as many bytes as fstat() said, skip the
			 * read() that would return 0: a file that grew since
			 * shows in the fstat() after the loop.
			 */
			if (got && got == res->meta.size)
				break;
			n = read(fd, buf, bufsize);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				set_failure(res, msg, STAGE_READ, errno, "read");
				goto out;
			}
			if (!n)
				break;
			if (sniff) {
				sniff = 0;
				kind = archive_sniff(buf, (size_t)n < ARCHIVE_SNIFF_BYTES ?
						     (size_t)n : ARCHIVE_SNIFF_BYTES);
				if (kind != ARCHIVE_NONE) {
					if (count_archive(path, fd, kind, flags,
							  res, msg, sink))
						goto archive_done;
					/* not one after all: count from the start */
					continue;
				}
			}
			got += (uint64_t)n;
			count_feed(&st, buf, (size_t)n);
		}
		count_finish(&st, &res->counts);
		if (fstat(fd, &sb) < 0) {
			set_failure(res, msg, STAGE_READ, errno, "fstat");
			goto out;
		}
		file_meta_fill(&after, &sb);
		if (!file_meta_diff(&after, &res->meta))
			break;
		/* Changed under us: count the new state from the start. */
		res->meta = after;
		if (attempt == 2 || lseek(fd, 0, SEEK_SET) < 0) {
			set_failure(res, msg, STAGE_CHANGED, 0,
				    "file changed while it was read");
			break;
		}
	}
	goto out;
archive_done:
	/* Members are sent already: no second reading. */
	if (!fstat(fd, &sb)) {
		file_meta_fill(&after, &sb);
		if (file_meta_diff(&after, &res->meta) && res->stage == STAGE_NONE) {
			res->stage = STAGE_CHANGED;
			strbuf_addstr(msg, "file changed while it was read");
		}
	}
out:
	close(fd);
done:
	res->msg = msg->buf;
	res->msg_len = (uint32_t)msg->len;
}

/* pread() all of [off, off + len) unless the file ends first. */
static ssize_t pread_full(int fd, unsigned char *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

void worker_count_range(const char *path, uint32_t flags, uint64_t offset,
			uint64_t length, unsigned char *buf, size_t bufsize,
			struct proto_result *res, struct strbuf *msg,
			struct member_sink *sink)
{
	enum count_mode mode = (flags & JOB_ASCII) ? COUNT_ASCII : COUNT_UTF8;
	unsigned char before[COUNT_LOOKBACK];
	uint64_t pos, end;
	struct count_state st;
	struct file_meta after;
	struct stat sb;
	size_t nbefore;
	ssize_t n;
	int fd;

	fd = open_regular(path, flags, &sb, res, msg);
	if (fd < 0)
		goto done;
	/*
	 * Every range reads the head: an archive cannot be cut in pieces, so
	 * the first range counts all of it and the others step aside.
	 */
	if ((flags & JOB_ARCHIVES) && sink) {
		n = pread_full(fd, buf, ARCHIVE_SNIFF_BYTES, 0);
		if (n < 0) {
			set_failure(res, msg, STAGE_READ, errno, "read");
			goto out;
		}
		if (archive_sniff(buf, (size_t)n) != ARCHIVE_NONE) {
			close(fd);
			if (offset == 0) {
				worker_count_file(path, flags, buf, bufsize,
						  res, msg, sink);
				return;
			}
			res->stage = STAGE_WHOLE;
			goto done;
		}
	}

	nbefore = offset < COUNT_LOOKBACK ? (size_t)offset : COUNT_LOOKBACK;
	n = pread_full(fd, before, nbefore, offset - nbefore);
	if (n < 0) {
		set_failure(res, msg, STAGE_READ, errno, "read");
		goto out;
	}
	if ((size_t)n < nbefore) {
		set_failure(res, msg, STAGE_CHANGED, 0,
			    "file changed while it was read");
		goto out;
	}
	count_init_range(&st, mode, offset, before, nbefore);
	posix_fadvise(fd, (off_t)offset, (off_t)length, POSIX_FADV_SEQUENTIAL);
	end = offset + length;
	for (pos = offset; pos < end; pos += (uint64_t)n) {
		size_t want = end - pos < bufsize ? (size_t)(end - pos) : bufsize;

		n = pread(fd, buf, want, (off_t)pos);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n < 0) {
			set_failure(res, msg, STAGE_READ, errno, "read");
			goto out;
		}
		if (!n)
			break;
		count_feed(&st, buf, (size_t)n);
	}
	if (pos >= res->meta.size)
		count_finish(&st, &res->counts);
	else
		count_finish_range(&st, &res->counts);
	/*
	 * No second reading here: the pool sees a changed file in the sizes
	 * and metadata of the ranges and counts it again in one piece.
	 */
	if (fstat(fd, &sb) < 0) {
		set_failure(res, msg, STAGE_READ, errno, "fstat");
		goto out;
	}
	file_meta_fill(&after, &sb);
	/* the last range ends at the end of the file, the others at theirs */
	if (file_meta_diff(&after, &res->meta) ||
	    pos != (end < res->meta.size ? end : res->meta.size))
		set_failure(res, msg, STAGE_CHANGED, 0,
			    "file changed while it was read");
out:
	close(fd);
done:
	res->msg = msg->buf;
	res->msg_len = (uint32_t)msg->len;
}

int worker_parse_args(int argc, char **argv, struct archive_limits *lim,
		      unsigned *cpu_seconds)
{
	archive_limits_default(lim);
	*cpu_seconds = 0;
	for (int i = 0; i < argc; i++) {
		unsigned long long m, t, r, n;
		unsigned long secs;
		unsigned d;
		char end;

		if (!strncmp(argv[i], "--cpu-seconds=", 14)) {
			if (parse_ulong(argv[i] + 14, 0, 1u << 20, &secs))
				return error("bad worker argument '%s'", argv[i]);
			*cpu_seconds = (unsigned)secs;
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

char *worker_limits_arg(const struct archive_limits *lim)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "--archive-limits=%" PRIu64 ":%" PRIu64 ":%" PRIu64
		    ":%" PRIu64 ":%u", lim->member_bytes, lim->total_bytes,
		    lim->ratio, lim->members, lim->depth);
	return strbuf_detach(&sb, NULL);
}

int worker_main(int in_fd, int out_fd, const struct archive_limits *lim,
		unsigned cpu_seconds)
{
	struct strbuf payload = STRBUF_INIT, path = STRBUF_INIT;
	struct strbuf msg = STRBUF_INIT;
	struct proto_writer out = { STRBUF_INIT, 0 };
	struct member_sink sink;
	/*
	 * Page-aligned: the kernel copies file data into a buffer that
	 * malloc() aligns on 16 bytes three times slower here (0.50 s against
	 * 0.15 s for 1 GiB in 256 KiB reads), rep movsb being what it is.
	 */
	unsigned char *buf = xmalloc_aligned(4096, WORKER_BUFSIZE);
	int status = 1;

	memset(&sink, 0, sizeof(sink));
	sink.fd = out_fd;
	sink.lim = lim;
	sink.cpu_seconds = cpu_seconds;
	set_oom_exit(WORKER_EXIT_NOMEM);
	strbuf_init(&sink.frame.buf, 0);
	proto_begin(&sink.frame, PROTO_MEMBERS);

	fault_spec = getenv("WCINDEX_TEST_FAULT");
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		struct proto_reader rd;
		struct proto_job job;
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
		if (proto_reader_init(&rd, &payload))
			break;
		proto_begin(&out, PROTO_RESULTS);
		while ((r = proto_next_job(&rd, &job)) > 0) {
			struct proto_result res;

			strbuf_reset(&path);
			strbuf_add(&path, job.path, job.path_len);
			sink.job_id = job.id;
			if (job.length)
				worker_count_range(path.buf, job.flags,
						   job.offset, job.length, buf,
						   WORKER_BUFSIZE, &res, &msg,
						   &sink);
			else
				worker_count_file(path.buf, job.flags, buf,
						  WORKER_BUFSIZE, &res, &msg,
						  &sink);
			res.id = job.id;
			proto_add_result(&out, &res);
		}
		if (r < 0 || member_sink_flush(&sink) < 0)
			break;
		proto_finish(&out);
		if (write_all(out_fd, out.buf.buf, out.buf.len) < 0) {
			error_errno("cannot send results");
			break;
		}
	}
	free(buf);
	strbuf_release(&payload);
	strbuf_release(&path);
	strbuf_release(&msg);
	proto_writer_release(&out);
	proto_writer_release(&sink.frame);
	return status;
}
