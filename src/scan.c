/*
 * scan.c - wires the stages of a scan together.
 *
 *   crawler thread --jobs--> pool (this thread) --results--+
 *         |                                                 v
 *         +----------- dirs, deletions, errors ------> writer thread
 *
 * The worker processes are exec()ed, so starting them after the threads is
 * safe.  A lock file next to the database keeps a second scan out.  Touching
 * it reads the clock of the database's file system; the later of that and
 * the system clock is the start of the scan for the racy rule.  (A scanned
 * file system whose clock runs more than the 2 s margin ahead of both is
 * not covered.)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crawl.h"
#include "job.h"
#include "pool.h"
#include "scan.h"
#include "util.h"
#include "worker.h"
#include "writer.h"

#define JOB_QUEUE_SIZE 4096
/*
 * Address space of a worker: far more than counting needs, far less than
 * the machine, so that a decompression bomb ends in a failed malloc().
 */
#ifdef __SANITIZE_ADDRESS__
#define WORKER_MEMORY_LIMIT 0	/* ASan reserves terabytes of address space */
#else
#define WORKER_MEMORY_LIMIT (2ull << 30)
#endif
#define WRITER_QUEUE_SIZE 8192

/* The signals that stop a scan cleanly (unless ignored when it starts). */
static const int stop_signos[] = { SIGINT, SIGTERM, SIGHUP };

struct scan {
	const struct scan_options *opt;
	struct queue *jobs, *wq;
	struct crawl *crawl;
	struct writer *writer;
	struct pool *pool;
	uint64_t started;
	int progress_shown;
	int db_failed;		/* the writer failed: stop, nothing to record */
};

static void on_done(void *data, struct pool_job *pj,
		    const struct proto_result *res)
{
	struct scan *sc = data;

	writer_send_result(sc->wq, job_of(pj), res);
}

static void on_member(void *data, struct pool_job *pj,
		      const struct proto_member *pm)
{
	struct scan *sc = data;

	writer_send_member(sc->wq, job_of(pj), pm);
}

/* Progress, and the end of the scan when the database failed. */
static int on_tick(void *data)
{
	struct scan *sc = data;
	uint64_t seen, done, bytes;
	double secs = (double)(now_ns() - sc->started) / 1e9;

	if (writer_failed(sc->writer)) {
		sc->db_failed = 1;
		return 1;
	}
	if (!sc->opt->progress)
		return 0;
	seen = crawl_progress(sc->crawl);
	writer_progress(sc->writer, &done, &bytes);
	fprintf(stderr, "\r\033[K%llu files seen, %llu counted, %zu queued"
		" (%.0f files/s, %.1f MB/s)", (unsigned long long)seen,
		(unsigned long long)done,
		queue_length(sc->jobs) + pool_in_flight(sc->pool),
		secs > 0 ? (double)done / secs : 0.0,
		secs > 0 ? (double)bytes / 1e6 / secs : 0.0);
	sc->progress_shown = 1;
	return 0;
}

/*
 * The signal waiting on the signalfd sfd, consumed; 0 if none.  A pending
 * signal that nobody reads would kill us when the mask is restored.
 */
static int take_signal(int sfd)
{
	struct signalfd_siginfo si;
	int signo = 0;

	while (sfd >= 0 && read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (!signo)
			signo = (int)si.ssi_signo;
	return signo;
}

/*
 * Wait for the lock on fd as --wait asks, a tenth of a second at a time,
 * so that a signal (on sfd) still ends the wait.  0 with the lock, 1 when
 * time ran out, -1 on an error (errno set), or SCAN_SIGNALLED + the signal.
 */
static int wait_for_lock(int fd, const struct scan_options *opt, int sfd)
{
	uint64_t deadline = now_ns() + (uint64_t)opt->wait_seconds * 1000000000u;

	for (;;) {
		struct pollfd pfd = { sfd, POLLIN, 0 };
		int signo;

		if (!flock(fd, LOCK_EX | LOCK_NB))
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		if (opt->wait_seconds && now_ns() >= deadline)
			return 1;
		if (poll(&pfd, 1, 100) > 0 && (signo = take_signal(sfd)))
			return SCAN_SIGNALLED + signo;
	}
}

/*
 * Take the scan lock, waiting for it if opt says so.  Returns SCAN_OK,
 * SCAN_BUSY, SCAN_FATAL, or SCAN_SIGNALLED + the signal that ended a wait.
 */
static int take_lock(const struct scan_options *opt, int sfd, int *fd_out,
		     int64_t *fs_now)
{
	const char *db_path = opt->db_path;
	struct strbuf lock = STRBUF_INIT;
	struct stat st;
	char pid[32];
	int fd, r, ret = SCAN_FATAL;

	strbuf_addf(&lock, "%s.lock", db_path);
	fd = open(lock.buf, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		error_errno("cannot open lock file '%s'", lock.buf);
		goto out;
	}
	r = flock(fd, LOCK_EX | LOCK_NB) < 0 ? -1 : 0;
	if (r < 0 && errno == EWOULDBLOCK)
		r = opt->wait_lock ? wait_for_lock(fd, opt, sfd) : 1;
	if (r < 0) {
		error_errno("cannot lock '%s'", lock.buf);
		goto fail;
	}
	if (r >= SCAN_SIGNALLED) {
		ret = r;
		goto fail;
	}
	if (r) {
		ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);

		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		if (opt->wait_lock)
			error("'%s' is still being scanned by another wcindex "
			      "(pid %s) after %u s", db_path,
			      *pid ? pid : "unknown", opt->wait_seconds);
		else
			error("'%s' is being scanned by another wcindex (pid %s)",
			      db_path, *pid ? pid : "unknown");
		ret = SCAN_BUSY;
		goto fail;
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0 ||
	    futimens(fd, NULL) < 0 || fstat(fd, &st) < 0) {
		error_errno("cannot write lock file '%s'", lock.buf);
		goto fail;
	}
	*fs_now = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	*fd_out = fd;
	ret = SCAN_OK;
	goto out;
fail:
	close(fd);
out:
	strbuf_release(&lock);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_below(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	if (len == 1)
		return path[0] == '/' && path[1];
	return !strncmp(path, dir, len) && path[len] == '/';
}

/*
 * The directories named on the command line, canonical.  Checked before
 * anything is created, so that a typo leaves no database behind.
 */
static int canonical_args(const struct scan_options *opt, char ***out,
			  size_t *nr)
{
	struct strbuf canon = STRBUF_INIT;
	char **paths = NULL;
	size_t n = 0, alloc = 0;
	struct stat st;

	for (size_t i = 0; i < opt->nroots; i++) {
		if (canonical_path(opt->roots[i], &canon) < 0 ||
		    stat(canon.buf, &st) < 0) {
			error_errno("cannot scan '%s'", opt->roots[i]);
			goto fail;
		}
		if (!S_ISDIR(st.st_mode)) {
			error("cannot scan '%s': not a directory", opt->roots[i]);
			goto fail;
		}
		ALLOC_GROW(paths, n + 1, alloc);
		paths[n++] = xstrndup(canon.buf, canon.len);
	}
	strbuf_release(&canon);
	*out = paths;
	*nr = n;
	return 0;
fail:
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	strbuf_release(&canon);
	return -1;
}

/*
 * Sort the directories to walk and drop any that lies below another (or
 * repeats it), so that no directory is walked twice in one scan.  Every
 * pair is compared: in byte order "/a-b" sorts between "/a" and "/a/c".
 */
static void drop_nested(char **paths, size_t *nr)
{
	size_t kept = 0;

	qsort(paths, *nr, sizeof(*paths), cmp_str);
	for (size_t i = 0; i < *nr; i++) {
		int covered = 0;

		for (size_t k = 0; k < kept && !covered; k++)
			covered = !strcmp(paths[i], paths[k]) ||
				  is_below(paths[i], paths[k]);
		if (covered)
			free(paths[i]);
		else
			paths[kept++] = paths[i];
	}
	*nr = kept;
}

static void describe_options(const struct scan_options *opt, struct strbuf *sb)
{
	strbuf_addf(sb, "mode=%s follow=%d one-file-system=%d full=%d jobs=%u",
		    opt->ascii ? "ascii" : "utf8", opt->follow, opt->one_fs,
		    opt->full, opt->jobs);
	if (opt->no_archives)
		strbuf_addstr(sb, " archives=no");
	else
		strbuf_addf(sb, " archive-depth=%u max-member-bytes=%llu "
			    "max-archive-bytes=%llu max-ratio=%llu "
			    "max-members=%llu", opt->limits.depth,
			    (unsigned long long)opt->limits.member_bytes,
			    (unsigned long long)opt->limits.total_bytes,
			    (unsigned long long)opt->limits.ratio,
			    (unsigned long long)opt->limits.members);
	for (size_t i = 0; i < opt->ex.nr; i++)
		strbuf_addf(sb, " exclude=%s", opt->ex.pat[i]);
}

static void print_size(struct strbuf *sb, uint64_t bytes)
{
	if (bytes >= 1000000000ull)
		strbuf_addf(sb, "%.2f GB", (double)bytes / 1e9);
	else if (bytes >= 1000000ull)
		strbuf_addf(sb, "%.1f MB", (double)bytes / 1e6);
	else if (bytes >= 1000ull)
		strbuf_addf(sb, "%.1f kB", (double)bytes / 1e3);
	else
		strbuf_addf(sb, "%llu bytes", (unsigned long long)bytes);
}

/* Register the tops: find the root of each, adding new roots. */
static int register_tops(struct store *s, char **paths, size_t n,
			 struct crawl_top *tops, char **root_paths,
			 int64_t now, int64_t scan_id)
{
	struct strbuf root = STRBUF_INIT;
	int ret = -1;

	if (store_begin(s))
		return -1;
	for (size_t i = 0; i < n; i++) {
		int found = store_find_root(s, paths[i], &tops[i].root_id, &root);

		if (found < 0)
			goto out;
		if (!found) {
			if (store_add_root(s, paths[i], now, scan_id,
					   &tops[i].root_id))
				goto out;
			strbuf_reset(&root);
			strbuf_addstr(&root, paths[i]);
		} else if (strcmp(root.buf, paths[i]) &&
			   store_link_dirs(s, root.buf, tops[i].root_id,
					   paths[i], scan_id)) {
			goto out;
		}
		root_paths[i] = xstrndup(root.buf, root.len);
		tops[i].path = paths[i];
		tops[i].root = root_paths[i];
	}
	ret = store_commit(s);
out:
	if (ret)
		store_rollback(s);
	strbuf_release(&root);
	return ret;
}

int scan_run(const struct scan_options *opt)
{
	struct scan sc;
	struct store *rw = NULL, *ro = NULL;
	struct crawl_options copt;
	struct writer_options wopt;
	struct crawl_top *tops = NULL;
	struct scan_stats stats;
	struct crawl_stats cst;
	struct strbuf sb = STRBUF_INIT, opts = STRBUF_INIT;
	char **paths = NULL, **root_paths = NULL, *dbcopy = NULL, *exe = NULL;
	char **worker_args = NULL;
	size_t ntops = 0;
	int64_t scan_id = 0, fs_now = 0, start;
	int lock_fd = -1, ret = SCAN_FATAL, fatal = 0, sfd = -1, signo = 0;
	int masked = 0;
	sigset_t stop_signals, old_mask;
	struct stat dbdir;
	unsigned long margin_ms;
	const char *env;

	memset(&sc, 0, sizeof(sc));
	memset(&stats, 0, sizeof(stats));
	memset(&cst, 0, sizeof(cst));
	sc.opt = opt;
	sc.started = now_ns();

	if (canonical_args(opt, &paths, &ntops))
		return SCAN_FATAL;
	/*
	 * Blocked before any thread starts, so that every thread inherits it
	 * and the signals reach only the signalfd that pool_run() polls.
	 */
	sigemptyset(&stop_signals);
	for (size_t i = 0; i < ARRAY_SIZE(stop_signos); i++) {
		struct sigaction sa;

		/*
		 * One ignored by whoever started us stays ignored: SIGHUP
		 * under nohup(1), SIGINT in a background job of a script.
		 * Blocked, it would be queued for the signalfd all the same.
		 */
		if (!sigaction(stop_signos[i], NULL, &sa) &&
		    sa.sa_handler == SIG_IGN)
			continue;
		sigaddset(&stop_signals, stop_signos[i]);
	}
	pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);
	masked = 1;
	sfd = signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		error_errno("cannot set up signal handling");
		goto out;
	}
	ret = take_lock(opt, sfd, &lock_fd, &fs_now);
	if (ret != SCAN_OK)
		goto out;
	ret = SCAN_FATAL;
	/* The later of the two clocks: racy files are recounted, not missed. */
	start = wall_ns();
	if (fs_now > start)
		start = fs_now;

	if (!(rw = store_open(opt->db_path, STORE_CREATE)))
		goto out;
	if (!ntops) {
		if (store_list_roots(rw, &paths, &ntops))
			goto out;
		if (!ntops) {
			error("no roots indexed yet: name a directory to scan");
			goto out;
		}
	}
	drop_nested(paths, &ntops);
	tops = xcalloc(ntops, sizeof(*tops));
	root_paths = xcalloc(ntops, sizeof(*root_paths));
	for (size_t i = 0; i < ntops; i++)
		strbuf_addf(&sb, "%s%s", i ? "\n" : "", paths[i]);
	describe_options(opt, &opts);
	if (store_scan_begin(rw, sb.buf, opts.buf, wall_ns(), &scan_id))
		goto out;
	if (register_tops(rw, paths, ntops, tops, root_paths, wall_ns(),
			  scan_id))
		goto out;
	if (!(ro = store_open(opt->db_path, STORE_READONLY)))
		goto out;

	memset(&copt, 0, sizeof(copt));
	copt.tops = tops;
	copt.ntops = ntops;
	copt.follow = opt->follow;
	copt.one_fs = opt->one_fs;
	copt.full = opt->full;
	copt.retry_failed = opt->retry_failed;
	copt.mode_flags = (opt->ascii ? ENTRY_F_ASCII : 0) |
			  (opt->no_archives ? ENTRY_F_NOARCHIVES : 0);
	copt.job_flags = (opt->ascii ? JOB_ASCII : 0) |
			 (opt->no_archives ? 0 : JOB_ARCHIVES);
	copt.ex = &opt->ex;
	copt.scan_id = scan_id;
	dbcopy = xstrdup(opt->db_path);
	copt.db_name = basename(dbcopy);
	{
		char *dircopy = xstrdup(opt->db_path);

		if (!stat(dirname(dircopy), &dbdir)) {
			copt.has_db_dir = 1;
			copt.db_dev = dbdir.st_dev;
			copt.db_dir_ino = dbdir.st_ino;
		}
		free(dircopy);
	}

	memset(&wopt, 0, sizeof(wopt));
	wopt.scan_id = scan_id;
	wopt.racy_limit_ns = change_racy_limit(start);
	/*
	 * For the test suite only: a smaller margin lets tests that make files
	 * and scan them at once check exact recount sets without waiting.
	 */
	if ((env = getenv("WCINDEX_TEST_RACY_MARGIN_MS")) &&
	    !parse_ulong(env, 0, 60000, &margin_ms))
		wopt.racy_limit_ns = start - (int64_t)margin_ms * 1000000;
	wopt.mode_flags = copt.mode_flags;

	sc.jobs = queue_new(JOB_QUEUE_SIZE);
	sc.wq = queue_new(WRITER_QUEUE_SIZE);
	if (opt->worker_exe) {
		exe = xstrdup(opt->worker_exe);
	} else if (!(exe = realpath("/proc/self/exe", NULL))) {
		/*
		 * Resolved once, here: exec("/proc/self/exe") would start the
		 * interpreter of a program run under valgrind, not wcindex.
		 */
		error_errno("cannot find the wcindex executable");
		goto out;
	}
	worker_args = worker_config_argv(&(struct worker_config) {
		.limits = opt->limits,
		/* By default half the wall-clock budget: a spin is caught first. */
		.cpu_seconds = opt->archive_cpu ? opt->archive_cpu :
			       opt->timeout > 1 ? opt->timeout / 2 : 1,
	});
	sc.pool = pool_new(exe, opt->jobs, (const char *const *)worker_args,
			   WORKER_MEMORY_LIMIT);
	if (!sc.pool)
		goto out;
	pool_set_timeout(sc.pool, opt->timeout * 1000, 4096);
	pool_set_stop_fd(sc.pool, sfd);
	/* the writer reports a database error of its own in one line */
	store_defer_errors(rw, 1);
	if (!(sc.writer = writer_start(rw, sc.wq, &wopt)))
		goto out;
	if (!(sc.crawl = crawl_start(ro, &copt, sc.jobs, sc.wq))) {
		queue_close(sc.wq);
		writer_finish(sc.writer, &stats);
		sc.writer = NULL;
		goto out;
	}

	switch (pool_run(sc.pool, sc.jobs, on_done, on_member, on_tick, &sc)) {
	case 0:
		break;
	case 1:
		if (!sc.db_failed)
			signo = take_signal(sfd);
		crawl_stop(sc.crawl);
		pool_cancel_queued(sc.pool, sc.jobs);
		break;
	default:
		fatal = 1;
	}
	if (crawl_finish(sc.crawl, &cst))
		fatal = 1;
	queue_close(sc.wq);
	if (writer_finish(sc.writer, &stats))
		fatal = 1;	/* said; failing to record the end is no news */
	else
		store_defer_errors(rw, 0);
	sc.writer = NULL;
	if (sc.progress_shown)
		fprintf(stderr, "\r\033[K");

	stats.seen = cst.seen;
	stats.unchanged = cst.unchanged;
	stats.skipped = cst.skipped;
	stats.failed += cst.errors;
	if (!fatal) {
		for (size_t i = 0; i < ntops; i++)
			if (!strcmp(tops[i].path, tops[i].root) &&
			    tops[i].complete &&
			    store_root_scanned(rw, tops[i].root_id, scan_id))
				fatal = 1;
	}
	if (store_scan_finish(rw, scan_id, &stats, fatal ? "failed" :
			      signo ? "interrupted" : "done", wall_ns()))
		fatal = 1;
	if (signo)
		error("scan interrupted by %s: what was counted is recorded, "
		      "and the next scan goes on from there", signo == SIGINT ? "SIGINT" :
		      signo == SIGTERM ? "SIGTERM" : "SIGHUP");

	if (!opt->quiet) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%llu new, %llu changed, %llu deleted, "
			    "%llu unchanged, %llu failed",
			    (unsigned long long)stats.new_files,
			    (unsigned long long)stats.changed,
			    (unsigned long long)stats.deleted,
			    (unsigned long long)stats.unchanged,
			    (unsigned long long)stats.failed);
		if (stats.skipped)
			strbuf_addf(&sb, ", %llu skipped",
				    (unsigned long long)stats.skipped);
		strbuf_addstr(&sb, "; ");
		print_size(&sb, stats.bytes);
		strbuf_addf(&sb, ", %llu words counted in %.2f s",
			    (unsigned long long)stats.words,
			    (double)(now_ns() - sc.started) / 1e9);
		printf("%s\n", sb.buf);
		fflush(stdout);
	}
	ret = fatal ? SCAN_FATAL : signo ? SCAN_SIGNALLED + signo :
	      stats.failed ? SCAN_FAILED : SCAN_OK;
out:
	if (sc.pool)
		pool_free(sc.pool);
	if (sc.jobs)
		queue_free(sc.jobs);
	if (sc.wq)
		queue_free(sc.wq);
	store_close(ro);
	store_close(rw);
	for (size_t i = 0; i < ntops; i++) {
		free(paths[i]);
		if (root_paths)
			free(root_paths[i]);
	}
	free(paths);
	free(root_paths);
	free(tops);
	free(dbcopy);
	free(exe);
	worker_config_argv_free(worker_args);
	strbuf_release(&sb);
	strbuf_release(&opts);
	if (lock_fd >= 0)
		close(lock_fd);
	if (sfd >= 0) {
		/* a signal that came too late to stop anything is dropped */
		take_signal(sfd);
		close(sfd);
	}
	if (masked)
		pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	return ret;
}
