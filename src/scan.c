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
#include <inttypes.h>
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
#include "filemeta.h"
#include "formats/format.h"
#include "fsutil.h"
#include "fstype.h"
#include "job.h"
#include "pool.h"
#include "progress.h"
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

/*
 * One scan, as the steps of scan_run() build it up.  Each step fills its
 * part; scan_release() undoes whatever was done, in reverse.
 */
struct scan {
	const struct scan_options *opt;
	uint64_t started;	/* now_ns() at the start, for the summary */

	/* signals: blocked, and read from sfd */
	sigset_t old_mask;
	int masked, sfd;

	/* the lock, the start of the scan for the racy rule, and whether
	 * the database is as the scan before left it */
	int lock_fd;
	int64_t start_ns;
	int db_trusted;

	/* the settings of the roots walked now: one group of a plan */
	struct root_settings set;
	const char *set_text;	/* settings_format() of set */
	int recount_archives;	/* their archive or file limits changed */
	const char *group_label;	/* NULL when the plan has one group */

	/* the database, the directories to walk, the scan's row */
	struct store *rw, *ro;
	char **paths;		/* canonical, to walk */
	size_t ntops;
	struct crawl_top *tops;
	char **root_paths;	/* the root of each top */
	char *db_base;		/* basename()'s copy: the crawler keeps a pointer */
	int64_t scan_id;
	int64_t run_id;		/* the first scan of this run (0: none yet) */

	/* the pipeline */
	struct queue *jobs, *wq;
	struct crawl *crawl;
	struct writer *writer;
	struct pool *pool;
	struct progress *progress;	/* NULL: no line to draw */
	int db_failed;		/* the writer failed: stop, nothing to record */

	/* the outcome */
	struct scan_stats stats;
	int fatal, signo;
	int recorded;		/* the end of the scan is in the database */
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
	struct progress_counts pc;
	struct pool_stats ps;

	if (writer_failed(sc->writer)) {
		sc->db_failed = 1;
		return 1;
	}
	if (!sc->progress)
		return 0;
	/* walk_done before seen: the counts read after it are final */
	pc.walk_done = crawl_walk_done(sc->crawl, &pc.to_count);
	pc.seen = crawl_progress(sc->crawl);
	writer_progress(sc->writer, &pc.counted, &pc.bytes);
	pool_get_stats(sc->pool, &ps);
	pc.queued = queue_length(sc->jobs) + ps.in_flight;
	progress_update(sc->progress, &pc);
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
		     int64_t *fs_now, struct strbuf *prev)
{
	const char *db_path = opt->db_path;
	struct strbuf lock = STRBUF_INIT;
	struct stat st;
	char pid[32];
	int fd, r, ret = SCAN_FATAL;

	strbuf_addf(&lock, "%s.lock", db_path);
	fd = open(lock.buf, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
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
	/* what the scan before left: its pid, and how it left the database */
	strbuf_grow(prev, 256);
	r = (int)pread(fd, prev->buf, 255, 0);
	strbuf_setlen(prev, r > 0 ? (size_t)r : 0);
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


/*
 * A root on a pseudo file system (/proc, /sys/kernel) holds no documents,
 * and reading it can have effects: refused, as the walk would skip it.
 */
static int refuse_pseudo(const struct scan_options *opt, const char *arg,
			 const char *canon)
{
	const struct fs_type *type;

	if (fstype_skip_path(canon, opt->given.include_fs, &type) < 0)
		return error_errno("cannot scan '%s'", arg);
	if (!type)
		return 0;
	if (type->never)
		return error("cannot scan '%s': a %s file system holds no "
			     "documents, and is never walked", arg, type->name);
	return error("cannot scan '%s': a %s file system holds no documents "
		     "(--include-fs %s walks it)", arg, type->name, type->name);
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
		if (refuse_pseudo(opt, opt->roots[i], canon.buf))
			goto fail;
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
				  path_is_below(paths[i], paths[k]);
		if (covered)
			free(paths[i]);
		else
			paths[kept++] = paths[i];
	}
	*nr = kept;
}

/* scans.options: the settings of the roots walked, and the run's own. */
static void describe_options(const struct scan *sc, struct strbuf *sb)
{
	size_t start = sb->len;

	strbuf_addstr(sb, sc->set_text);
	for (size_t i = start; i < sb->len; i++)
		if (sb->buf[i] == '\n')
			sb->buf[i] = ' ';
	strbuf_addf(sb, "full=%d jobs=%u", sc->opt->full, sc->opt->jobs);
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

/*
 * Store the settings the top's root is walked with, and tell the crawler
 * the device the root was last walked on (for its guard).
 */
static int remember_root(struct scan *sc, struct crawl_top *top)
{
	struct root_info ri = { STRBUF_INIT, 0, 0, 0 };
	int ret = -1;

	if (store_root_info(sc->rw, top->root_id, &ri))
		goto out;
	top->known_dev = ri.dev;
	top->has_known_dev = ri.has_dev;
	top->tracked = ri.scanned;
	ret = store_set_root_settings(sc->rw, top->root_id, sc->set_text);
out:
	strbuf_release(&ri.settings);
	return ret;
}

/* Register the tops: find the root of each, adding new roots. */
static int register_tops(struct scan *sc, int64_t now)
{
	struct strbuf root = STRBUF_INIT;
	int ret = -1;

	if (store_begin(sc->rw))
		return -1;
	for (size_t i = 0; i < sc->ntops; i++) {
		struct crawl_top *top = &sc->tops[i];
		const char *path = sc->paths[i];
		int found = store_find_root(sc->rw, path, &top->root_id, &root);

		if (found < 0)
			goto out;
		if (!found) {
			if (store_add_root(sc->rw, path, now, sc->scan_id,
					   &top->root_id))
				goto out;
			strbuf_reset(&root);
			strbuf_addstr(&root, path);
		} else if (strcmp(root.buf, path) &&
			   store_link_dirs(sc->rw, root.buf, top->root_id,
					   path, sc->scan_id)) {
			goto out;
		}
		sc->root_paths[i] = xstrndup(root.buf, root.len);
		top->path = path;
		top->root = sc->root_paths[i];
		top->accept = sc->opt->accept_changes;
		if (remember_root(sc, top))
			goto out;
	}
	ret = store_commit(sc->rw);
out:
	if (ret)
		store_rollback(sc->rw);
	strbuf_release(&root);
	return ret;
}

/*
 * Block the stop signals before any thread starts, so that every thread
 * inherits the mask and the signals reach only the signalfd that
 * pool_run() polls.
 */
static int block_stop_signals(struct scan *sc)
{
	sigset_t stop_signals;

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
	pthread_sigmask(SIG_BLOCK, &stop_signals, &sc->old_mask);
	sc->masked = 1;
	sc->sfd = signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sc->sfd < 0)
		return error_errno("cannot set up signal handling");
	return 0;
}

/*
 * How a scan leaves the database: the line "clean" and the stat() of the
 * file and of its -wal (absent: 0 0 0), in out.
 */
static void db_state(const char *db_path, struct strbuf *out)
{
	/* SQLite keeps the -wal beside the file a symbolic link names */
	char *real = realpath(db_path, NULL);
	struct strbuf wal = STRBUF_INIT;
	struct file_meta m[2] = { { 0 } };
	struct stat st;

	if (real)
		db_path = real;
	strbuf_addf(&wal, "%s-wal", db_path);
	if (!stat(db_path, &st))
		file_meta_fill(&m[0], &st);
	if (!stat(wal.buf, &st))
		file_meta_fill(&m[1], &st);
	strbuf_reset(out);
	strbuf_addstr(out, "clean");
	for (int i = 0; i < 2; i++)
		strbuf_addf(out, " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRId64
			    " %" PRId64, m[i].dev, m[i].ino, m[i].size,
			    m[i].mtime_ns, m[i].ctime_ns);
	strbuf_release(&wal);
	free(real);
}

/*
 * Is the database as the scan before left it (its second line of the lock
 * file, prev)?  Then nobody wrote to it since, and the page check of
 * store_open() can be skipped.
 */
static int db_as_left(const char *db_path, const struct strbuf *prev)
{
	struct strbuf now = STRBUF_INIT;
	const char *line = memchr(prev->buf, '\n', prev->len);
	int same;

	db_state(db_path, &now);
	same = line && !strncmp(line + 1, now.buf, now.len) &&
	       !strcmp(line + 1 + now.len, "\n");
	strbuf_release(&now);
	return same;
}

/*
 * Take the lock and note when the scan starts: the later of the system
 * clock and the database file system's (read by touching the lock file),
 * so that racy files are recounted, not missed.
 */
static int lock_and_start(struct scan *sc)
{
	struct strbuf prev = STRBUF_INIT;
	int64_t fs_now = 0;
	int ret = take_lock(sc->opt, sc->sfd, &sc->lock_fd, &fs_now, &prev);

	sc->start_ns = wall_ns();
	if (fs_now > sc->start_ns)
		sc->start_ns = fs_now;
	sc->db_trusted = ret == SCAN_OK && db_as_left(sc->opt->db_path, &prev);
	strbuf_release(&prev);
	return ret;
}

/*
 * After a scan that wrote all it meant to and closed the database: say
 * how it left it, after the pid, for the next scan (db_as_left()).
 */
static void record_db_state(const struct scan *sc)
{
	struct strbuf state = STRBUF_INIT;
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());

	db_state(sc->opt->db_path, &state);
	strbuf_addch(&state, '\n');
	if (pwrite(sc->lock_fd, state.buf, state.len, n) < 0)
		warning("cannot write lock file '%s.lock': %s",
			sc->opt->db_path, strerror(errno));
	strbuf_release(&state);
}

/*
 * Record the scan of the group's directories and their roots, and open the
 * crawler's read-only connection.
 */
static int open_and_register(struct scan *sc)
{
	struct strbuf roots = STRBUF_INIT, opts = STRBUF_INIT;
	int ret = -1;

	sc->tops = xcalloc(sc->ntops, sizeof(*sc->tops));
	sc->root_paths = xcalloc(sc->ntops, sizeof(*sc->root_paths));
	for (size_t i = 0; i < sc->ntops; i++)
		strbuf_addf(&roots, "%s%s", i ? "\n" : "", sc->paths[i]);
	describe_options(sc, &opts);
	if (store_scan_begin(sc->rw, roots.buf, opts.buf, wall_ns(),
			     &sc->scan_id) ||
	    (sc->run_id && store_scan_join_run(sc->rw, sc->scan_id,
					       sc->run_id)) ||
	    register_tops(sc, wall_ns()))
		goto out;
	if (!(sc->ro = store_open(sc->opt->db_path, STORE_READONLY)))
		goto out;
	ret = 0;
out:
	strbuf_release(&roots);
	strbuf_release(&opts);
	return ret;
}

/*
 * The racy limit of this scan.  For the test suite only, a smaller margin
 * (WCINDEX_TEST_RACY_MARGIN_MS) lets tests that make files and scan them at
 * once check exact recount sets without waiting.
 */
static int64_t racy_limit(const struct scan *sc)
{
	const char *env = getenv("WCINDEX_TEST_RACY_MARGIN_MS");
	unsigned long margin_ms;

	if (env && !parse_ulong(env, 0, 60000, &margin_ms))
		return sc->start_ns - (int64_t)margin_ms * 1000000;
	return change_racy_limit(sc->start_ns);
}

/* The ENTRY_F_OPTIONS bits of the counting settings: a change recounts. */
static unsigned mode_flags(const struct root_settings *set)
{
	return (set->ascii ? ENTRY_F_ASCII : 0) |
	       (set->no_archives ? ENTRY_F_NOARCHIVES : 0);
}

/* The crawler's options: what to walk, how, and which files to skip. */
static void crawl_options_of(struct scan *sc, struct crawl_options *copt)
{
	const struct scan_options *opt = sc->opt;
	const struct root_settings *set = &sc->set;
	char *dircopy = xstrdup(opt->db_path);
	struct stat dbdir;

	*copt = (struct crawl_options) {
		.tops = sc->tops,
		.ntops = sc->ntops,
		.follow = set->follow,
		.one_fs = set->one_fs,
		.include_fs = set->include_fs,
		.full = opt->full,
		.retry_failed = opt->retry_failed,
		.recount_archives = sc->recount_archives,
		.mode_flags = mode_flags(set),
		.job_flags = (set->ascii ? JOB_ASCII : 0) |
			     (set->no_archives ? 0 : JOB_ARCHIVES) |
			     settings_formats(set) << JOB_FORMATS_SHIFT,
		.ex = &set->ex,
		.scan_id = sc->scan_id,
		/* the database and its companions are never indexed */
		.db_name = basename(sc->db_base = xstrdup(opt->db_path)),
	};
	if (!stat(dirname(dircopy), &dbdir)) {
		copt->has_db_dir = 1;
		copt->db_dev = dbdir.st_dev;
		copt->db_dir_ino = dbdir.st_ino;
	}
	free(dircopy);
}

/*
 * Out of memory in any thread, the scan cannot unwind, nor write to the
 * database it shares with the writer thread.  Instead it exec()s wcindex's
 * hidden __scan_oom mode, which ends every thread, frees all memory and
 * records the scan failed from a fresh process.  All is prepared here:
 * the hook may not allocate.
 */
static struct {
	char *exe;
	char *argv[5];
	char scan_id[24];
} oom_recorder;

static void exec_oom_recorder(void)
{
	execv(oom_recorder.exe, oom_recorder.argv);
}

static void arm_oom_recorder(struct scan *sc, const char *exe)
{
	static char name[] = "wcindex", mode[] = "__scan_oom";

	snprintf(oom_recorder.scan_id, sizeof(oom_recorder.scan_id), "%lld",
		 (long long)sc->scan_id);
	oom_recorder.exe = xstrdup(exe);
	oom_recorder.argv[0] = name;
	oom_recorder.argv[1] = mode;
	oom_recorder.argv[2] = (char *)sc->opt->db_path;
	oom_recorder.argv[3] = oom_recorder.scan_id;
	oom_recorder.argv[4] = NULL;
	set_oom_hook(exec_oom_recorder);
}

static void disarm_oom_recorder(void)
{
	set_oom_hook(NULL);
	free(oom_recorder.exe);
	oom_recorder.exe = NULL;
}

/*
 * The worker pool: this program's own worker mode, with the archive limits
 * and CPU budget of the options.
 */
static int start_pool(struct scan *sc)
{
	const struct scan_options *opt = sc->opt;
	uint64_t max_file_bytes = sc->set.max_file_bytes;
	char **argv = worker_config_argv(&(struct worker_config) {
		.limits = sc->set.limits,
		/* By default half the wall-clock budget: a spin is caught first. */
		.cpu_seconds = opt->archive_cpu ? opt->archive_cpu :
			       opt->timeout > 1 ? opt->timeout / 2 : 1,
		.max_file_bytes = max_file_bytes,
	});
	char *exe = NULL;

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
	sc->pool = pool_new(exe, opt->jobs, (const char *const *)argv,
			    WORKER_MEMORY_LIMIT);
	if (sc->pool) {
		pool_set_timeout(sc->pool, opt->timeout * 1000, 4096);
		pool_set_max_file_bytes(sc->pool, max_file_bytes);
		pool_set_stop_fd(sc->pool, sc->sfd);
		arm_oom_recorder(sc, exe);
	}
out:
	free(exe);
	worker_config_argv_free(argv);
	return sc->pool ? 0 : -1;
}

/* The queues, the pool, the writer thread and the crawler thread. */
static int start_pipeline(struct scan *sc)
{
	const struct writer_options wopt = {
		.scan_id = sc->scan_id,
		.racy_limit_ns = racy_limit(sc),
		.mode_flags = mode_flags(&sc->set),
	};
	struct crawl_options copt;

	sc->jobs = queue_new(JOB_QUEUE_SIZE);
	sc->wq = queue_new(WRITER_QUEUE_SIZE);
	if (start_pool(sc))
		return -1;
	/* the writer reports a database error of its own in one line */
	store_defer_errors(sc->rw, 1);
	if (!(sc->writer = writer_start(sc->rw, sc->wq, &wopt)))
		return -1;
	crawl_options_of(sc, &copt);
	if (!(sc->crawl = crawl_start(sc->ro, &copt, sc->jobs, sc->wq))) {
		queue_close(sc->wq);
		writer_finish(sc->writer, &sc->stats);
		sc->writer = NULL;
		return -1;
	}
	return 0;
}

/*
 * Count until the crawl is done, or a signal or a database error stops
 * the scan; then wait for the crawler and the writer.
 */
static void run_pipeline(struct scan *sc)
{
	struct crawl_stats cst = { 0 };

	switch (pool_run(sc->pool, sc->jobs, on_done, on_member, on_tick, sc)) {
	case 0:
		break;
	case 1:
		if (!sc->db_failed)
			sc->signo = take_signal(sc->sfd);
		crawl_stop(sc->crawl);
		pool_cancel_queued(sc->pool, sc->jobs);
		break;
	default:
		sc->fatal = 1;
	}
	if (crawl_finish(sc->crawl, &cst))
		sc->fatal = 1;
	queue_close(sc->wq);
	if (writer_finish(sc->writer, &sc->stats))
		sc->fatal = 1;	/* said; failing to record the end is no news */
	else
		store_defer_errors(sc->rw, 0);
	sc->writer = NULL;
	progress_clear(sc->progress);
	sc->stats.seen = cst.seen;
	sc->stats.unchanged = cst.unchanged;
	sc->stats.skipped = cst.skipped;
	sc->stats.failed += cst.errors;
}

/*
 * A reader that keeps one snapshot for hours (an open sqlite3 shell, a
 * report stuck in a loop) stops every checkpoint, and the log grows with
 * each scan: say so once, on stderr and in the scan's errors.
 */
static void note_blocked_log(struct scan *sc)
{
	struct strbuf msg = STRBUF_INIT;
	uint64_t bytes;

	if (sc->fatal || !store_log_blocked(sc->rw, &bytes))
		return;
	strbuf_addf(&msg, "a reader of the database holds an old snapshot: "
		    "its log '%s-wal' (", sc->opt->db_path);
	print_size(&msg, bytes);
	strbuf_addstr(&msg, ") cannot be folded back and grows until that "
		      "reader ends");
	warning("%s", msg.buf);
	store_add_error(sc->rw, sc->scan_id, sc->opt->db_path, "checkpoint",
			0, msg.buf);
	strbuf_release(&msg);
}

/*
 * The history of the scan: the totals of the roots it walked, a summary
 * row for each root walked for the first time (before the roots are
 * marked walked), the files rechecked, and old changes pruned.
 */
static int record_history(struct scan *sc)
{
	int64_t *ids = xcalloc(sc->ntops ? sc->ntops : 1, sizeof(*ids));
	int ret;

	for (size_t i = 0; i < sc->ntops; i++)
		ids[i] = sc->tops[i].root_id;
	ret = store_history_end(sc->rw, sc->scan_id, ids, sc->ntops,
				sc->opt->keep_history, sc->stats.rechecked);
	free(ids);
	return ret;
}

/* Mark the roots walked in full, and record how the scan ended. */
static void record_end(struct scan *sc)
{
	static const char *const names[] = {
		[SIGINT] = "SIGINT", [SIGTERM] = "SIGTERM", [SIGHUP] = "SIGHUP",
	};

	if (!sc->fatal && record_history(sc))
		sc->fatal = 1;
	for (size_t i = 0; i < sc->ntops && !sc->fatal; i++) {
		const struct crawl_top *top = &sc->tops[i];

		if (!strcmp(top->path, top->root) && top->complete &&
		    !top->held && store_root_scanned(sc->rw, top->root_id,
						     sc->scan_id, top->dev))
			sc->fatal = 1;
		if (top->held &&
		    store_set_root_state(sc->rw, top->root_id, "held"))
			sc->fatal = 1;
	}
	note_blocked_log(sc);
	if (store_scan_finish(sc->rw, sc->scan_id, &sc->stats,
			      sc->fatal ? "failed" :
			      sc->signo ? "interrupted" : "done", wall_ns()))
		sc->fatal = 1;
	else
		sc->recorded = 1;
	if (sc->signo)
		error("scan interrupted by %s: what was counted is recorded, "
		      "and the next scan goes on from there",
		      names[sc->signo]);
}

static void print_summary(const struct scan *sc)
{
	const struct scan_stats *st = &sc->stats;
	struct strbuf sb = STRBUF_INIT;

	if (sc->group_label)
		strbuf_addf(&sb, "%s: ", sc->group_label);
	strbuf_addf(&sb, "%llu new, %llu changed, %llu deleted, "
		    "%llu unchanged, %llu failed",
		    (unsigned long long)st->new_files,
		    (unsigned long long)st->changed,
		    (unsigned long long)st->deleted,
		    (unsigned long long)st->unchanged,
		    (unsigned long long)st->failed);
	if (st->skipped)
		strbuf_addf(&sb, ", %llu skipped",
			    (unsigned long long)st->skipped);
	if (st->rechecked)
		strbuf_addf(&sb, ", %llu rechecked",
			    (unsigned long long)st->rechecked);
	strbuf_addstr(&sb, "; ");
	print_size(&sb, st->bytes);
	strbuf_addf(&sb, ", %llu words counted in %.2f s",
		    (unsigned long long)st->words,
		    (double)(now_ns() - sc->started) / 1e9);
	printf("%s\n", sb.buf);
	fflush(stdout);
	if (st->unread_docs) {
		strbuf_reset(&sb);
		formats_describe(&sb, 0);
		warning("%llu files named like documents were counted as "
			"their bytes: this build cannot read %s",
			(unsigned long long)st->unread_docs, sb.buf);
	}
	strbuf_release(&sb);
}

/* Undo the steps of one group's run, last first: the session stays. */
static void release_run(struct scan *sc)
{
	if (sc->pool)
		pool_free(sc->pool);
	sc->pool = NULL;
	disarm_oom_recorder();
	if (sc->jobs)
		queue_free(sc->jobs);
	if (sc->wq)
		queue_free(sc->wq);
	sc->jobs = sc->wq = NULL;
	store_close(sc->ro);
	sc->ro = NULL;
	for (size_t i = 0; i < sc->ntops; i++) {
		free(sc->paths[i]);
		if (sc->root_paths)
			free(sc->root_paths[i]);
	}
	free(sc->paths);
	free(sc->root_paths);
	free(sc->tops);
	free(sc->db_base);
	sc->paths = sc->root_paths = NULL;
	sc->tops = NULL;
	sc->db_base = NULL;
	sc->ntops = 0;
	memset(&sc->stats, 0, sizeof(sc->stats));
}

/* Undo every step that was taken, last first. */
static void scan_release(struct scan *sc)
{
	release_run(sc);
	store_close(sc->rw);
	/* closed: a checkpoint has moved the log into the file */
	if (sc->recorded && !sc->fatal)
		record_db_state(sc);
	if (sc->lock_fd >= 0)
		close(sc->lock_fd);
	if (sc->sfd >= 0) {
		/* a signal that came too late to stop anything is dropped */
		take_signal(sc->sfd);
		close(sc->sfd);
	}
	if (sc->masked)
		pthread_sigmask(SIG_SETMASK, &sc->old_mask, NULL);
	progress_free(sc->progress);
	sc->progress = NULL;
}

/* ------------------------------------------------------------ the plan */

/*
 * The directories of one run are walked with the settings of their roots.
 * Roots whose settings differ cannot share a crawler, nor workers: a plan
 * cuts the directories into groups of equal settings, each one scan.
 */
struct group {
	struct root_settings set;
	struct strbuf text;	/* settings_format(), the group's key */
	int recount_archives;
	char **paths;
	size_t n, alloc;
};

struct plan {
	struct group *g;
	size_t nr, alloc;
	char **gone;		/* known roots that have vanished */
	size_t ngone, agone;
};

static void plan_release(struct plan *plan)
{
	for (size_t i = 0; i < plan->nr; i++) {
		struct group *g = &plan->g[i];

		settings_release(&g->set);
		strbuf_release(&g->text);
		for (size_t k = 0; k < g->n; k++)
			free(g->paths[k]);
		free(g->paths);
	}
	free(plan->g);
	for (size_t i = 0; i < plan->ngone; i++)
		free(plan->gone[i]);
	free(plan->gone);
}

static void plan_add(struct plan *plan, const struct root_settings *set,
		     int recount, char *path)
{
	struct strbuf text = STRBUF_INIT;
	struct group *g = NULL;

	settings_format(set, &text);
	for (size_t i = 0; i < plan->nr && !g; i++)
		if (!strcmp(plan->g[i].text.buf, text.buf) &&
		    plan->g[i].recount_archives == recount)
			g = &plan->g[i];
	if (!g) {
		ALLOC_GROW(plan->g, plan->nr + 1, plan->alloc);
		g = &plan->g[plan->nr++];
		memset(g, 0, sizeof(*g));
		settings_default(&g->set);
		settings_copy(&g->set, set);
		g->text = text;
		g->recount_archives = recount;
		strbuf_init(&text, 0);
	}
	strbuf_release(&text);
	ALLOC_GROW(g->paths, g->n + 1, g->alloc);
	g->paths[g->n++] = path;
}

/*
 * A known root that is gone (a bare scan walks every root) is said, with
 * the way to be rid of it, and its rows stay.  1 when path is gone.
 */
static int root_vanished(struct scan *sc, const char *path)
{
	struct stat st;
	int64_t id;

	if (!lstat(path, &st) || (errno != ENOENT && errno != ENOTDIR))
		return 0;
	error("root '%s' has vanished: its rows are kept until "
	      "'wcindex forget %s'", path, path);
	if (store_root_by_path(sc->rw, path, &id) == 1 &&
	    !store_begin(sc->rw)) {
		if (store_set_root_state(sc->rw, id, "vanished") ||
		    store_commit(sc->rw))
			store_rollback(sc->rw);
	}
	return 1;
}

/* Say how the settings of root change, and whether archives recount. */
static int settings_changed(const char *root, const char *old_text,
			    const struct root_settings *new, int quiet)
{
	struct root_settings old;
	struct strbuf text = STRBUF_INIT, diff = STRBUF_INIT;
	int recount = 0;

	settings_format(new, &text);
	if (settings_diff(old_text, text.buf, &diff)) {
		if (!quiet)
			notice("settings of '%s' changed: %s", root, diff.buf);
		settings_default(&old);
		if (!settings_parse(old_text, &old))
			recount = settings_recount_archives(&old, new);
		settings_release(&old);
	}
	strbuf_release(&text);
	strbuf_release(&diff);
	return recount;
}

/*
 * The settings path is walked with: its root's as stored (the defaults
 * for a new root, or with --reset-settings), and over them those the
 * command line gave.  *recount: the change asks archives to be recounted.
 */
static int settings_of(struct scan *sc, const char *path,
		       struct root_settings *set, int *recount)
{
	const struct scan_options *opt = sc->opt;
	struct root_info ri = { STRBUF_INIT, 0, 0, 0 };
	struct strbuf root = STRBUF_INIT;
	int64_t id;
	int found, ret = -1;

	*recount = 0;
	settings_default(set);
	found = store_find_root(sc->rw, path, &id, &root);
	if (found < 0 || (found && store_root_info(sc->rw, id, &ri)))
		goto out;
	if (ri.settings.len && !opt->reset_settings &&
	    settings_parse(ri.settings.buf, set))
		goto out;
	if (opt->clear_excludes)
		excludes_clear(&set->ex);
	settings_overlay(set, &opt->given);
	if (ri.settings.len)
		*recount = settings_changed(root.buf, ri.settings.buf, set,
					    opt->quiet);
	ret = 0;
out:
	strbuf_release(&ri.settings);
	strbuf_release(&root);
	return ret;
}

/*
 * Decide what to walk (the arguments, or every root) and with which
 * settings, in groups.  The paths move from sc into the plan.
 */
static int make_plan(struct scan *sc, struct plan *plan)
{
	int bare = !sc->ntops, ret = 0;

	if (bare) {
		if (store_list_roots(sc->rw, &sc->paths, &sc->ntops))
			return -1;
		if (!sc->ntops)
			return error("no roots indexed yet: name a directory to scan");
	}
	drop_nested(sc->paths, &sc->ntops);
	for (size_t i = 0; i < sc->ntops; i++) {
		struct root_settings set;
		int recount;

		if (ret) {
			free(sc->paths[i]);
			continue;
		}
		if (bare && root_vanished(sc, sc->paths[i])) {
			ALLOC_GROW(plan->gone, plan->ngone + 1, plan->agone);
			plan->gone[plan->ngone++] = sc->paths[i];
			continue;
		}
		if (settings_of(sc, sc->paths[i], &set, &recount))
			ret = -1;
		else
			plan_add(plan, &set, recount, sc->paths[i]);
		if (ret)
			free(sc->paths[i]);
		settings_release(&set);
	}
	free(sc->paths);
	sc->paths = NULL;
	sc->ntops = 0;
	return ret;
}

/* ------------------------------------------------------------- the run */

/*
 * The start of a group's scan for the racy rule, as lock_and_start() took
 * the first one's: the later of the clock and the database's file system.
 */
static void restart_clock(struct scan *sc)
{
	struct stat st;
	int64_t fs_now;

	sc->started = now_ns();
	sc->start_ns = wall_ns();
	if (futimens(sc->lock_fd, NULL) || fstat(sc->lock_fd, &st))
		return;
	fs_now = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	if (fs_now > sc->start_ns)
		sc->start_ns = fs_now;
}

/* Whether the crawler held back the deletions of a root: a failure. */
static int any_held(const struct scan *sc)
{
	for (size_t i = 0; i < sc->ntops; i++)
		if (sc->tops[i].held)
			return 1;
	return 0;
}

/* The vanished roots of the plan, in the errors of the scan that runs. */
static int record_gone(struct scan *sc, const struct plan *plan)
{
	for (size_t i = 0; i < plan->ngone; i++)
		if (store_add_error(sc->rw, sc->scan_id, plan->gone[i],
				    "vanished", ENOENT, "the root has vanished: "
				    "its rows are kept until 'wcindex forget'"))
			return -1;
	return 0;
}

/* Scan one group of the plan.  Returns a SCAN_* exit code. */
static int run_group(struct scan *sc, struct group *g,
		     const struct plan *plan, int first)
{
	int several = plan->nr > 1;

	struct strbuf label = STRBUF_INIT;
	int ret = SCAN_FATAL;

	if (!first)
		restart_clock(sc);
	sc->set = g->set;
	sc->set_text = g->text.buf;
	sc->recount_archives = g->recount_archives;
	sc->paths = g->paths;
	sc->ntops = g->n;
	g->paths = NULL;
	g->n = 0;
	for (size_t i = 0; several && i < sc->ntops; i++)
		strbuf_addf(&label, "%s%s", i ? ", " : "", sc->paths[i]);
	sc->group_label = several ? label.buf : NULL;
	if (open_and_register(sc) || (first && record_gone(sc, plan)))
		goto out;
	if (first)
		sc->run_id = sc->scan_id;
	if (start_pipeline(sc)) {
		/* no thread or worker to be had: the row must not stay running */
		sc->fatal = 1;
		store_defer_errors(sc->rw, 0);
		record_end(sc);
		goto out;
	}
	run_pipeline(sc);
	record_end(sc);
	if (!sc->opt->quiet)
		print_summary(sc);
	ret = sc->fatal ? SCAN_FATAL : sc->signo ? SCAN_SIGNALLED + sc->signo :
	      sc->stats.failed || any_held(sc) ? SCAN_FAILED : SCAN_OK;
out:
	sc->group_label = NULL;
	strbuf_release(&label);
	release_run(sc);
	return ret;
}

int scan_run(const struct scan_options *opt)
{
	struct scan sc = {
		.opt = opt, .started = now_ns(), .sfd = -1, .lock_fd = -1,
	};
	struct plan plan = { NULL, 0, 0, NULL, 0, 0 };
	int ret;

	if (canonical_args(opt, &sc.paths, &sc.ntops))
		return SCAN_FATAL;
	/* before any thread: it hooks the messages of every thread */
	if (opt->progress)
		sc.progress = progress_new(2);
	ret = block_stop_signals(&sc) ? SCAN_FATAL : lock_and_start(&sc);
	if (ret != SCAN_OK)
		goto out;
	ret = SCAN_FATAL;
	if (!(sc.rw = store_open(opt->db_path, STORE_CREATE |
				 (sc.db_trusted ? STORE_TRUSTED : 0))) ||
	    make_plan(&sc, &plan))
		goto out;
	ret = SCAN_OK;
	for (size_t i = 0; i < plan.nr; i++) {
		int r = run_group(&sc, &plan.g[i], &plan, !i);

		if (r > ret)
			ret = r;
		if (r == SCAN_FATAL || r >= SCAN_SIGNALLED)
			break;
	}
	if (plan.ngone && ret == SCAN_OK)
		ret = SCAN_FAILED;
out:
	plan_release(&plan);
	scan_release(&sc);
	return ret;
}

/* ---------------------------------------------------------- forgetting */

/* Forget each root of opt->roots in one transaction; 0 or -1. */
static int forget_roots(struct scan *sc)
{
	const struct scan_options *opt = sc->opt;
	struct strbuf path = STRBUF_INIT, done = STRBUF_INIT;
	int ret = -1;

	if (store_begin(sc->rw))
		return -1;
	for (size_t i = 0; i < opt->nroots; i++) {
		uint64_t files;
		int64_t id;
		int found;

		absolute_path(opt->roots[i], &path);
		found = store_root_by_path(sc->rw, path.buf, &id);
		if (found < 0)
			goto out;
		if (!found) {
			error("'%s' is not a root ('wcindex roots' lists them)",
			      opt->roots[i]);
			goto out;
		}
		if (store_forget_root(sc->rw, id, &files))
			goto out;
		strbuf_addf(&done, "forgot '%s' (%llu files)\n", path.buf,
			    (unsigned long long)files);
	}
	ret = store_commit(sc->rw);
out:
	if (ret)
		store_rollback(sc->rw);
	else if (!opt->quiet)
		fputs(done.buf, stdout);
	strbuf_release(&path);
	strbuf_release(&done);
	return ret;
}

int scan_forget(const struct scan_options *opt)
{
	struct scan sc = {
		.opt = opt, .started = now_ns(), .sfd = -1, .lock_fd = -1,
	};
	struct stat st;
	int ret;

	if (stat(opt->db_path, &st) < 0)
		return error_errno("cannot open '%s'", opt->db_path),
		       SCAN_FATAL;
	ret = block_stop_signals(&sc) ? SCAN_FATAL : lock_and_start(&sc);
	if (ret == SCAN_OK) {
		sc.rw = store_open(opt->db_path, STORE_CREATE);
		ret = sc.rw && !forget_roots(&sc) ? SCAN_OK : SCAN_FATAL;
	}
	scan_release(&sc);
	return ret;
}
