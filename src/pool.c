/*
 * pool.c - worker processes, batching and crash isolation.
 *
 * Each worker has a job pipe and a result pipe.  At most two batches are in
 * flight per worker, so a worker never waits for the next batch while the
 * scanner reads its last results; and since a worker writes one result frame
 * only after reading a whole job batch, and batches are small, neither side
 * can block the other on a full pipe.
 *
 * Results come back in the order the batches were sent, so the oldest batch
 * in flight is the one a frame answers, and the one a dead worker died on.
 * Which of its jobs killed it is unknown (results are batched): they go to a
 * suspect list and are sent again one per batch, where a death pins the
 * culprit, which is then reported as crashed instead of being retried.  The
 * jobs of later batches were never started and simply go back in line.
 *
 * Workers are started when there is work for them, so a rescan that finds
 * nothing changed starts none.  A big file is cut into ranges that go to
 * different workers like separate jobs; their results are added up here
 * (count_init_range() makes that exact) and handed on as one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pool.h"
#include "util.h"
#include "worker.h"

#define BATCH_MAX_JOBS 64
#define BATCH_MAX_PATH_BYTES (32 * 1024)
#define BATCH_MAX_SIZE (8u << 20)	/* bytes of content per batch */
#define MAX_IN_FLIGHT 2
#define PIPE_SIZE (1 << 20)
#define TICK_MS 200
#define MAX_FAILED_STARTS 5
#define SHUTDOWN_MS 2000

/*
 * Files of at least SPLIT_MIN bytes are counted in ranges of RANGE_BYTES:
 * small enough that the last ranges of a file balance the workers, big
 * enough that a range costs far more than its job message and open().
 */
#define SPLIT_MIN (32u << 20)
#define RANGE_BYTES (16u << 20)

/* A file being counted in ranges: what the ranges reported so far. */
struct split {
	struct pool_job *whole;
	struct pool_job *range;		/* nr of them, range[0] at offset 0 */
	struct file_meta seen;		/* what the first range to count saw */
	int has_seen;
	unsigned nr, left;
	struct counts sum;
	struct proto_result first;	/* range 0's, msg in first_msg */
	struct proto_result failed;	/* the first failure, msg in failed_msg */
	struct strbuf first_msg, failed_msg;
	int has_failed;
	int whole_counted;	/* a range said STAGE_WHOLE: range 0 did it all */
	int redo;		/* the file changed: count it again in one piece */
};

struct batch {
	struct pool_job *job[BATCH_MAX_JOBS];
	uint64_t id[BATCH_MAX_JOBS];
	unsigned nr;
	int suspect;		/* jobs re-sent alone after a worker died */
	uint64_t timeout_ms;
};

struct worker {
	pid_t pid;		/* 0: not running (started when needed) */
	int dead;		/* could not be started: given up */
	int job_fd, res_fd;
	struct batch inflight[MAX_IN_FLIGHT];
	unsigned n_inflight, max_inflight;
	uint64_t busy_since;	/* when the oldest batch started running */
	unsigned results;	/* frames received since it started */
};

struct pool {
	char *exe;
	char **argv;		/* for execv(): "wcindex", "__worker", args */
	uint64_t memory_limit;
	unsigned n;
	struct worker *w;
	unsigned base_ms, bytes_per_ms;
	uint64_t max_file_bytes;	/* files read no further: not split */
	uint64_t next_id;
	unsigned restarts, failed_starts;
	unsigned ranges;	/* range jobs made of big files */
	unsigned recounts;	/* big files that changed while in ranges */

	/* Jobs to send alone, then jobs to send again in normal batches. */
	struct pool_job **suspects;
	size_t n_suspects, alloc_suspects;
	struct pool_job **retry;
	size_t n_retry, alloc_retry;

	struct proto_writer out;
	struct strbuf payload;
	struct strbuf msg;
	int broken;
	int stop_fd;

	/* pool_run()'s callbacks */
	pool_done_fn done;
	pool_member_fn member;
	void *data;
};

static int spawn_worker(struct pool *p, struct worker *w)
{
	struct rlimit as = { p->memory_limit, p->memory_limit };
	int jobp[2] = { -1, -1 }, resp[2] = { -1, -1 };
	int child_in = -1, child_out = -1;
	pid_t parent = getpid(), pid;
	unsigned max_inflight;
	sigset_t all;

	if (pipe2(jobp, O_CLOEXEC) < 0 || pipe2(resp, O_CLOEXEC) < 0) {
		error_errno("cannot create worker pipes");
		goto fail;
	}
	/*
	 * The child's ends go above 3 and 4 first, so that dup2() onto 3 and
	 * 4 in the child cannot clobber one with the other.
	 */
	child_in = fcntl(jobp[0], F_DUPFD_CLOEXEC, 10);
	child_out = fcntl(resp[1], F_DUPFD_CLOEXEC, 10);
	if (child_in < 0 || child_out < 0) {
		error_errno("cannot duplicate worker pipes");
		goto fail;
	}
	close(jobp[0]);
	close(resp[1]);
	jobp[0] = resp[1] = -1;
	/*
	 * Two batches in flight need room for a second job frame while the
	 * worker writes the first results.  Where the pipes cannot grow (the
	 * per-user pipe quota), the worker gets one batch at a time, which
	 * cannot deadlock: it is then always reading when we write.
	 */
	max_inflight = MAX_IN_FLIGHT;
	if (fcntl(jobp[1], F_SETPIPE_SZ, PIPE_SIZE) < PIPE_SIZE ||
	    fcntl(child_out, F_SETPIPE_SZ, PIPE_SIZE) < PIPE_SIZE)
		max_inflight = 1;

	pid = fork();
	if (pid < 0) {
		error_errno("cannot fork a worker");
		goto fail;
	}
	if (pid == 0) {
		/* Only async-signal-safe calls until execv(). */
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(127);
		if (dup2(child_in, WORKER_JOB_FD) < 0 ||
		    dup2(child_out, WORKER_RESULT_FD) < 0)
			_exit(127);
		if (p->memory_limit && setrlimit(RLIMIT_AS, &as) < 0)
			_exit(127);
		execv(p->exe, p->argv);
		_exit(127);
	}
	close(child_in);
	close(child_out);
	memset(w, 0, sizeof(*w));
	w->pid = pid;
	w->job_fd = jobp[1];
	w->res_fd = resp[0];
	w->max_inflight = max_inflight;
	return 0;
fail:
	if (jobp[0] >= 0)
		close(jobp[0]);
	if (jobp[1] >= 0)
		close(jobp[1]);
	if (resp[0] >= 0)
		close(resp[0]);
	if (resp[1] >= 0)
		close(resp[1]);
	if (child_in >= 0)
		close(child_in);
	if (child_out >= 0)
		close(child_out);
	w->pid = 0;
	w->job_fd = w->res_fd = -1;
	return -1;
}

/*
 * The address space a worker gets: at most limit, and never more than the
 * hard limit we run under, which a process may lower but not raise (the
 * child's setrlimit() would fail and every worker with it).
 */
static uint64_t worker_memory_limit(uint64_t limit)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_AS, &rl) && rl.rlim_max != RLIM_INFINITY &&
	    (!limit || rl.rlim_max < limit))
		return (uint64_t)rl.rlim_max;
	return limit;
}

struct pool *pool_new(const char *exe, unsigned n, const char *const *args,
		      uint64_t memory_limit)
{
	struct pool *p = xcalloc(1, sizeof(*p));
	size_t nargs = 0;

	/* A worker that dies must show up as EOF, not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	p->exe = xstrdup(exe);
	p->memory_limit = worker_memory_limit(memory_limit);
	while (args && args[nargs])
		nargs++;
	p->argv = xcalloc(nargs + 3, sizeof(*p->argv));
	p->argv[0] = xstrdup("wcindex");
	p->argv[1] = xstrdup("__worker");
	for (size_t i = 0; i < nargs; i++)
		p->argv[i + 2] = xstrdup(args[i]);
	p->n = n ? n : 1;
	p->w = xcalloc(p->n, sizeof(*p->w));
	p->base_ms = 30000;
	p->bytes_per_ms = 4096;
	p->max_file_bytes = UINT64_MAX;
	p->stop_fd = -1;
	strbuf_init(&p->out.buf, 0);
	strbuf_init(&p->payload, 0);
	strbuf_init(&p->msg, 0);
	if (access(p->exe, X_OK) < 0) {
		error_errno("cannot run '%s'", p->exe);
		pool_free(p);
		return NULL;
	}
	return p;
}

void pool_set_timeout(struct pool *p, unsigned base_ms, unsigned bytes_per_ms)
{
	p->base_ms = base_ms;
	p->bytes_per_ms = bytes_per_ms ? bytes_per_ms : 1;
}

void pool_set_max_file_bytes(struct pool *p, uint64_t max_file_bytes)
{
	p->max_file_bytes = max_file_bytes;
}

void pool_get_stats(struct pool *p, struct pool_stats *st)
{
	st->in_flight = 0;
	for (unsigned i = 0; i < p->n; i++)
		for (unsigned b = 0; b < p->w[i].n_inflight; b++)
			st->in_flight += p->w[i].inflight[b].nr;
	st->restarts = p->restarts;
	st->ranges = p->ranges;
	st->recounts = p->recounts;
}

static void add_retry(struct pool *p, struct pool_job *job)
{
	ALLOC_GROW(p->retry, p->n_retry + 1, p->alloc_retry);
	p->retry[p->n_retry++] = job;
}

/*
 * Cut a big file into ranges, queued next so that idle workers take them
 * at once.  Returns the job to send now: the first range, or job itself.
 */
static struct pool_job *maybe_split(struct pool *p, struct pool_job *job)
{
	struct split *sp;
	unsigned nr;

	/* one worker reads a file over the limit up to there and says so */
	if (job->split || job->whole_only || job->no_split || p->n < 2 ||
	    job->size < SPLIT_MIN || job->size > p->max_file_bytes)
		return job;
	nr = (unsigned)((job->size + RANGE_BYTES - 1) / RANGE_BYTES);
	p->ranges += nr;
	sp = xcalloc(1, sizeof(*sp));
	sp->whole = job;
	sp->nr = sp->left = nr;
	sp->range = xcalloc(nr, sizeof(*sp->range));
	strbuf_init(&sp->first_msg, 0);
	strbuf_init(&sp->failed_msg, 0);
	for (unsigned i = 0; i < nr; i++) {
		struct pool_job *r = &sp->range[i];

		r->path = job->path;
		r->flags = job->flags;
		r->place = job->place;
		r->offset = (uint64_t)i * RANGE_BYTES;
		/* the last range runs to wherever the file ends by then */
		r->length = i + 1 < nr ? RANGE_BYTES : UINT64_MAX - r->offset;
		/* range 0 may turn out to be a whole archive: time it so */
		r->size = i ? RANGE_BYTES : job->size;
		r->split = sp;
	}
	for (unsigned i = nr; i-- > 1;)
		add_retry(p, &sp->range[i]);
	return &sp->range[0];
}

static void keep_result(struct proto_result *dst, struct strbuf *msg,
			const struct proto_result *res)
{
	*dst = *res;
	strbuf_reset(msg);
	strbuf_add(msg, res->msg, res->msg_len);
	dst->msg = msg->buf;
}

static void free_split(struct split *sp)
{
	strbuf_release(&sp->first_msg);
	strbuf_release(&sp->failed_msg);
	free(sp->range);
	free(sp);
}

/* One range is done: add it up, and hand the file on after the last. */
static void range_done(struct pool *p, struct pool_job *job,
		       const struct proto_result *res)
{
	struct split *sp = job->split;
	struct proto_result out;

	if (job == sp->range)
		keep_result(&sp->first, &sp->first_msg, res);
	if (res->stage == STAGE_WHOLE) {
		sp->whole_counted = 1;
	} else if (res->stage == STAGE_CHANGED) {
		sp->redo = 1;
	} else if (res->stage != STAGE_NONE) {
		if (!sp->has_failed)
			keep_result(&sp->failed, &sp->failed_msg, res);
		sp->has_failed = 1;
	} else {
		/* one file from the first range's fstat() to the last one's */
		if (sp->has_seen && file_meta_diff(&res->meta, &sp->seen))
			sp->redo = 1;
		sp->seen = res->meta;
		sp->has_seen = 1;
		sp->sum.bytes += res->counts.bytes;
		sp->sum.lines += res->counts.lines;
		sp->sum.words += res->counts.words;
		sp->sum.chars += res->counts.chars;
		sp->sum.flags |= res->counts.flags;
	}
	if (--sp->left)
		return;

	if (sp->whole_counted) {
		out = sp->first;
	} else if (sp->has_failed) {
		out = sp->failed;
	} else if (sp->redo || sp->sum.bytes != sp->first.meta.size) {
		sp->whole->whole_only = 1;
		p->recounts++;
		add_retry(p, sp->whole);
		free_split(sp);
		return;
	} else {
		out = (struct proto_result) {
			.counts = sp->sum, .meta = sp->first.meta, .msg = "",
		};
	}
	p->done(p->data, sp->whole, &out);
	free_split(sp);
}

/* Hand a finished job to the caller (a range to its file). */
static void job_done(struct pool *p, struct pool_job *job,
		     const struct proto_result *res)
{
	if (job->split)
		range_done(p, job, res);
	else
		p->done(p->data, job, res);
}

static void end_job(struct pool *p, struct pool_job *job, uint32_t stage,
		    const char *why)
{
	struct proto_result res = {
		.stage = stage, .msg = why, .msg_len = (uint32_t)strlen(why),
	};

	job_done(p, job, &res);
}

static void fail_job(struct pool *p, struct pool_job *job, const char *why)
{
	end_job(p, job, STAGE_CRASH, why);
}

static void add_suspect(struct pool *p, struct pool_job *job)
{
	ALLOC_GROW(p->suspects, p->n_suspects + 1, p->alloc_suspects);
	p->suspects[p->n_suspects++] = job;
}

/* Hand the jobs of every batch w has in flight back to the retry line. */
static void requeue_inflight(struct pool *p, struct worker *w)
{
	for (unsigned b = 0; b < w->n_inflight; b++)
		for (unsigned j = 0; j < w->inflight[b].nr; j++)
			add_retry(p, w->inflight[b].job[j]);
	w->n_inflight = 0;
}

static void close_worker_fds(struct worker *w)
{
	if (w->job_fd >= 0)
		close(w->job_fd);
	if (w->res_fd >= 0)
		close(w->res_fd);
	w->job_fd = w->res_fd = -1;
}

/*
 * Wait for w's process to end (after SIGKILL if kill_it), close its pipes
 * and free the slot.  Returns its wait status.
 */
static int reap_worker(struct worker *w, int kill_it)
{
	int status = 0;

	if (kill_it)
		kill(w->pid, SIGKILL);
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	close_worker_fds(w);
	w->pid = 0;
	return status;
}

static void describe_status(struct strbuf *sb, int status)
{
	if (WIFSIGNALED(status))
		strbuf_addf(sb, "worker killed by signal %d (%s)",
			    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == WORKER_EXIT_NOMEM)
		strbuf_addstr(sb, "worker ran out of memory");
	else if (WIFEXITED(status))
		strbuf_addf(sb, "worker exited with status %d",
			    WEXITSTATUS(status));
	else
		strbuf_addstr(sb, "worker stopped");
}

/*
 * The worker is gone or must go: reap it, decide which job it died on,
 * requeue the others and start a replacement.
 */
static void worker_lost(struct pool *p, struct worker *w, int timed_out)
{
	struct strbuf why = STRBUF_INIT;
	int status, never_started;

	status = reap_worker(w, 1);
	if (timed_out)
		strbuf_addf(&why, "worker timed out after %.1f s",
			    (double)(now_ns() - w->busy_since) / 1e9);
	else
		describe_status(&why, status);

	/* exec() failed or the worker died before doing anything at all. */
	never_started = !w->results && !timed_out && WIFEXITED(status) &&
			WEXITSTATUS(status) == 127;
	for (unsigned b = 0; b < w->n_inflight; b++) {
		struct batch *batch = &w->inflight[b];

		for (unsigned i = 0; i < batch->nr; i++) {
			if (never_started || b > 0)
				add_retry(p, batch->job[i]);
			else if (batch->nr == 1)
				fail_job(p, batch->job[i], why.buf);
			else
				add_suspect(p, batch->job[i]);
		}
	}
	w->n_inflight = 0;
	if (never_started) {
		p->failed_starts++;
		error("worker could not start: %s", why.buf);
	} else {
		p->failed_starts = 0;
	}
	strbuf_release(&why);

	p->restarts++;
	/* dispatch() starts the replacement when there is work for it */
	w->dead = p->failed_starts >= MAX_FAILED_STARTS;
}

static int live_workers(struct pool *p)
{
	int n = 0;

	for (unsigned i = 0; i < p->n; i++)
		n += !p->w[i].dead;
	return n;
}

/* Next job to send in a normal batch: requeued ones first. */
static struct pool_job *next_job(struct pool *p, struct queue *jobs)
{
	void *item;

	if (p->n_retry)
		return p->retry[--p->n_retry];
	if (queue_pop_many(jobs, &item, 1, 0))
		return item;
	return NULL;
}

/*
 * The time to read a batch's bytes is allowed up to READ_MS_PER_BASE_MS
 * times base_ms: one hour with the default 30 s.  Without a cap a 1 TiB
 * file, sparse or hung, got 74 hours at 4 MB/s; holes are not read any
 * more, and a file only -j1 reads whole (others are split in ranges, each
 * timed on its own) must come at 19 MB/s to be read in the hour at
 * --max-file-bytes' 64 GiB, which any disk does.  Slower storage takes a
 * larger --timeout, which raises the cap with it.
 */
#define READ_MS_PER_BASE_MS 120

/*
 * A batch may take base_ms plus the time to read its bytes at the slowest
 * expected rate, within the cap above: a hung worker is caught after
 * base_ms, a big file is not, and a hung worker on a huge one not days later.
 */
static uint64_t batch_timeout_ms(struct pool *p, const struct batch *b)
{
	uint64_t bytes = 0, read_ms;

	for (unsigned i = 0; i < b->nr; i++)
		bytes += b->job[i]->size < p->max_file_bytes ?
			 b->job[i]->size : p->max_file_bytes;
	read_ms = bytes / p->bytes_per_ms;
	if (read_ms > (uint64_t)p->base_ms * READ_MS_PER_BASE_MS)
		read_ms = (uint64_t)p->base_ms * READ_MS_PER_BASE_MS;
	return p->base_ms + read_ms;
}

static void send_batch(struct pool *p, struct worker *w, struct batch *b)
{
	proto_begin(&p->out, PROTO_JOBS);
	for (unsigned i = 0; i < b->nr; i++) {
		const struct pool_job *job = b->job[i];
		struct proto_job pj = {
			.id = b->id[i] = ++p->next_id,
			.flags = job->flags,
			.place = job->place,
			.path = job->path,
			.path_len = (uint32_t)strlen(job->path),
			.offset = job->offset,
			.length = job->length,
		};

		proto_add_job(&p->out, &pj);
	}
	proto_finish(&p->out);
	if (!w->n_inflight)
		w->busy_since = now_ns();
	w->inflight[w->n_inflight++] = *b;
	/*
	 * A failed write means the worker is dead: its result pipe will say
	 * so at the next poll(), and the batch is then requeued from there.
	 */
	if (write_all(w->job_fd, p->out.buf.buf, p->out.buf.len) < 0 &&
	    errno != EPIPE)
		error_errno("cannot send jobs to a worker");
}

/* Undo the making of a batch that cannot be sent: its jobs go first again. */
static void put_back(struct pool *p, const struct batch *b)
{
	for (unsigned i = b->nr; i-- > 0;) {
		if (b->suspect)
			add_suspect(p, b->job[i]);
		else
			add_retry(p, b->job[i]);
	}
}

/* Start the worker of an empty slot; after too many failures, give it up. */
static int start_worker(struct pool *p, struct worker *w)
{
	if (!spawn_worker(p, w))
		return 0;
	if (++p->failed_starts >= MAX_FAILED_STARTS)
		w->dead = 1;
	return -1;
}

/* Fill the free slots of the workers.  Returns 1 if a worker is left idle. */
static int dispatch(struct pool *p, struct queue *jobs)
{
	int starved = 0;

	for (unsigned round = 0; round < MAX_IN_FLIGHT; round++) {
		for (unsigned i = 0; i < p->n; i++) {
			struct worker *w = &p->w[i];
			struct batch b;
			size_t path_bytes = 0;
			uint64_t size = 0;

			if (w->dead || (w->pid > 0 ?
					(w->n_inflight > round ||
					 round >= w->max_inflight) : round > 0))
				continue;
			memset(&b, 0, sizeof(b));
			if (p->n_suspects) {
				b.job[b.nr++] = p->suspects[--p->n_suspects];
				b.suspect = 1;
			} else {
				struct pool_job *job;

				while (b.nr < BATCH_MAX_JOBS &&
				       (job = next_job(p, jobs))) {
					size_t len = strlen(job->path);

					job = maybe_split(p, job);
					if (b.nr && (path_bytes + len > BATCH_MAX_PATH_BYTES ||
						     size + job->size > BATCH_MAX_SIZE)) {
						add_retry(p, job);
						break;
					}
					b.job[b.nr++] = job;
					path_bytes += len;
					size += job->size;
				}
			}
			if (!b.nr) {
				starved = 1;
				continue;
			}
			if (!w->pid && start_worker(p, w) < 0) {
				put_back(p, &b);
				continue;
			}
			b.timeout_ms = batch_timeout_ms(p, &b);
			send_batch(p, w, &b);
		}
	}
	return starved;
}

/*
 * Hand out the members of a PROTO_MEMBERS frame: each must name a job of
 * the batch the worker is on.  0, or -1 on a protocol error.
 */
static int collect_members(struct pool *p, struct worker *w)
{
	struct batch *b = &w->inflight[0];
	struct proto_reader rd;
	struct proto_member m;
	unsigned i, n = 0;
	int r;

	/* Check the whole frame before handing out any of it. */
	if (proto_reader_init(&rd, &p->payload))
		return -1;
	while ((r = proto_next_member(&rd, &m)) > 0) {
		for (i = 0; i < b->nr && b->id[i] != m.id; i++)
			;
		if (i == b->nr)
			return error("protocol error: member of an unknown job");
		n++;
	}
	if (r < 0 || !n)
		return r < 0 ? -1 : error("protocol error: empty member frame");
	proto_reader_init(&rd, &p->payload);
	while (proto_next_member(&rd, &m) > 0) {
		for (i = 0; b->id[i] != m.id; i++)
			;
		if (p->member)
			p->member(p->data, b->job[i]->split ?
				  b->job[i]->split->whole : b->job[i], &m);
	}
	/* Progress: a long archive is not a hung worker. */
	w->busy_since = now_ns();
	return 0;
}

/* Read one frame of w and hand its members or results out. */
static void collect(struct pool *p, struct worker *w)
{
	struct proto_result res[BATCH_MAX_JOBS], one;
	struct proto_reader rd;
	struct batch *b = &w->inflight[0];
	uint32_t type;
	unsigned n = 0;
	int r = proto_read_frame(w->res_fd, "worker", &type, &p->payload);

	if (r <= 0 || !w->n_inflight)
		goto broken;
	if (type == PROTO_MEMBERS) {
		if (collect_members(p, w) < 0)
			goto broken;
		return;
	}
	if (type != PROTO_RESULTS || proto_reader_init(&rd, &p->payload))
		goto broken;
	/* Check the whole frame before handing out any of it. */
	while ((r = proto_next_result(&rd, &one)) > 0) {
		if (n == b->nr || one.id != b->id[n]) {
			error("protocol error: result for an unexpected job");
			goto broken;
		}
		res[n++] = one;
	}
	if (r < 0 || n != b->nr) {
		if (r >= 0)
			error("protocol error: %u results for %u jobs", n, b->nr);
		goto broken;
	}
	for (unsigned i = 0; i < n; i++)
		job_done(p, b->job[i], &res[i]);
	w->results++;
	memmove(&w->inflight[0], &w->inflight[1],
		sizeof(w->inflight[0]) * (MAX_IN_FLIGHT - 1));
	w->n_inflight--;
	w->busy_since = now_ns();
	return;
broken:
	worker_lost(p, w, 0);
}

/*
 * True when the worker has answered and we have not read it yet (we were
 * blocked handing results on): late reading is not a reason to kill it.
 */
static int results_waiting(struct worker *w)
{
	struct pollfd pfd = { w->res_fd, POLLIN, 0 };

	return poll(&pfd, 1, 0) > 0;
}

/*
 * End every job not sent yet with stage, until the producer closes the
 * queue: it is never left blocked on a queue nobody drains.
 */
static void end_all_queued(struct pool *p, struct queue *jobs, uint32_t stage,
			   const char *why)
{
	struct pool_job *job;

	while (p->n_suspects)
		end_job(p, p->suspects[--p->n_suspects], stage, why);
	for (;;) {
		while ((job = next_job(p, jobs)))
			end_job(p, job, stage, why);
		if (queue_done(jobs))
			break;
		job = queue_pop(jobs);
		if (job)
			end_job(p, job, stage, why);
	}
}

void pool_cancel_queued(struct pool *p, struct queue *jobs)
{
	end_all_queued(p, jobs, STAGE_CANCELLED, "scan interrupted");
}

void pool_set_stop_fd(struct pool *p, int fd)
{
	p->stop_fd = fd;
}

/*
 * Stop at once: kill the workers (what they were counting is lost, not
 * wrong) and hand back their jobs and the ones set aside as cancelled.
 */
static void stop_workers(struct pool *p)
{
	for (unsigned i = 0; i < p->n; i++) {
		if (p->w[i].pid <= 0)
			continue;
		reap_worker(&p->w[i], 1);
		requeue_inflight(p, &p->w[i]);
	}
	while (p->n_suspects)
		add_retry(p, p->suspects[--p->n_suspects]);
	while (p->n_retry)
		end_job(p, p->retry[--p->n_retry], STAGE_CANCELLED,
			"scan interrupted");
}

/*
 * Give up: every job still held, sent or queued is handed to done as failed,
 * so that the producer never waits on a queue nobody drains.
 */
static void abandon(struct pool *p, struct queue *jobs)
{
	for (unsigned i = 0; i < p->n; i++)
		requeue_inflight(p, &p->w[i]);
	end_all_queued(p, jobs, STAGE_CRASH, "the worker pool failed");
}

/*
 * The descriptors to wait on: every running worker's result pipe, the
 * queue's event descriptor when a worker starves and more jobs may come,
 * and the stop descriptor.  Returns their number and sets *timeout to the
 * milliseconds left before the first batch in flight is overdue (at most
 * TICK_MS).
 */
static unsigned fill_pollfds(struct pool *p, struct queue *jobs, int starved,
			     struct pollfd *pfd, int *timeout)
{
	uint64_t now_ms = now_ns() / 1000000;
	int efd = queue_event_fd(jobs);
	unsigned npfd = 0;

	*timeout = TICK_MS;
	for (unsigned i = 0; i < p->n; i++) {
		struct worker *w = &p->w[i];
		int64_t left;

		if (w->pid <= 0)
			continue;
		pfd[npfd++] = (struct pollfd) { w->res_fd, POLLIN, 0 };
		if (!w->n_inflight)
			continue;
		left = (int64_t)(w->busy_since / 1000000 +
				 w->inflight[0].timeout_ms) - (int64_t)now_ms;
		if (left < *timeout)
			*timeout = left < 0 ? 0 : (int)left;
	}
	if (starved && efd >= 0 && !queue_done(jobs))
		pfd[npfd++] = (struct pollfd) { efd, POLLIN, 0 };
	if (p->stop_fd >= 0)
		pfd[npfd++] = (struct pollfd) { p->stop_fd, POLLIN, 0 };
	return npfd;
}

/*
 * Act on what poll() reported: results to collect, the queue's event to
 * acknowledge.  Returns 1 when the stop descriptor is readable.
 */
static int handle_events(struct pool *p, struct queue *jobs,
			 const struct pollfd *pfd, unsigned npfd)
{
	int efd = queue_event_fd(jobs), stop = 0;

	for (unsigned k = 0; k < npfd; k++) {
		if (!pfd[k].revents)
			continue;
		if (pfd[k].fd == efd) {
			queue_ack_fd(jobs);
			continue;
		}
		if (pfd[k].fd == p->stop_fd) {
			stop = 1;
			continue;
		}
		for (unsigned i = 0; i < p->n; i++)
			if (p->w[i].pid > 0 && p->w[i].res_fd == pfd[k].fd) {
				collect(p, &p->w[i]);
				break;
			}
	}
	return stop;
}

/* Kill and replace the workers whose oldest batch is overdue. */
static void time_out_workers(struct pool *p)
{
	uint64_t now = now_ns();

	for (unsigned i = 0; i < p->n; i++) {
		struct worker *w = &p->w[i];

		if (w->pid > 0 && w->n_inflight &&
		    now - w->busy_since > w->inflight[0].timeout_ms * 1000000u &&
		    !results_waiting(w))
			worker_lost(p, w, 1);
	}
}

/* Nothing in flight, nothing held back, and no job will come. */
static int all_done(struct pool *p, struct queue *jobs)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->w[i].n_inflight > 0)
			return 0;
	return !p->n_retry && !p->n_suspects && queue_done(jobs);
}

int pool_run(struct pool *p, struct queue *jobs, pool_done_fn done,
	     pool_member_fn member, pool_tick_fn tick, void *data)
{
	struct pollfd *pfd = xcalloc(p->n + 2, sizeof(*pfd));
	uint64_t last_tick = now_ns();
	int ret = 0;

	p->done = done;
	p->member = member;
	p->data = data;
	for (;;) {
		int starved, stop, timeout;
		unsigned npfd;
		uint64_t now;

		if (!live_workers(p)) {
			/*
			 * Nothing was counted wrong: the files are as they
			 * were, and their rows must stay so, not turn into
			 * errors that drop them from the totals.
			 */
			end_all_queued(p, jobs, STAGE_CANCELLED,
				       "no worker process could be started");
			ret = error("no worker process could be started; "
				    "the scan stops, the files left keep their "
				    "counts");
			break;
		}
		starved = dispatch(p, jobs);
		if (all_done(p, jobs))
			break;
		npfd = fill_pollfds(p, jobs, starved, pfd, &timeout);
		if (poll(pfd, npfd, timeout) < 0 && errno != EINTR) {
			ret = error_errno("poll failed");
			abandon(p, jobs);
			break;
		}
		stop = handle_events(p, jobs, pfd, npfd);
		time_out_workers(p);
		now = now_ns();
		if (!stop && tick && now - last_tick >= TICK_MS * 1000000u) {
			last_tick = now;
			stop = tick(data);
		}
		if (stop) {
			stop_workers(p);
			ret = 1;
			break;
		}
	}
	free(pfd);
	return ret;
}

/*
 * Read and drop whatever fd still delivers until its end of file.  Returns
 * 1 at the end of file, 0 when the deadline (in now_ns() time) passed first.
 */
static int wait_for_eof(int fd, uint64_t deadline)
{
	char drain[4096];

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		uint64_t now = now_ns();
		ssize_t n;
		int r;

		if (now >= deadline)
			return 0;
		r = poll(&pfd, 1, (int)((deadline - now) / 1000000 + 1));
		if (r < 0 && errno != EINTR)
			return 0;
		if (r <= 0)
			continue;
		n = read(fd, drain, sizeof(drain));
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return 1;
	}
}

void pool_free(struct pool *p)
{
	uint64_t deadline;

	if (!p)
		return;
	for (unsigned i = 0; i < p->n; i++) {
		struct worker *w = &p->w[i];

		if (w->job_fd >= 0) {
			close(w->job_fd);
			w->job_fd = -1;
		}
	}
	deadline = now_ns() + SHUTDOWN_MS * UINT64_C(1000000);
	for (unsigned i = 0; i < p->n; i++) {
		struct worker *w = &p->w[i];

		/*
		 * End of input makes a worker exit, which the end of file on
		 * its result pipe tells without polling waitpid().
		 */
		if (w->pid > 0)
			reap_worker(w, !wait_for_eof(w->res_fd, deadline));
	}
	free(p->suspects);
	free(p->retry);
	free(p->w);
	free(p->exe);
	for (size_t i = 0; p->argv && p->argv[i]; i++)
		free(p->argv[i]);
	free(p->argv);
	proto_writer_release(&p->out);
	strbuf_release(&p->payload);
	strbuf_release(&p->msg);
	free(p);
}
