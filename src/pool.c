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

struct batch {
	struct pool_job *job[BATCH_MAX_JOBS];
	uint64_t id[BATCH_MAX_JOBS];
	unsigned nr;
	int suspect;		/* jobs re-sent alone after a worker died */
	uint64_t timeout_ms;
};

struct worker {
	pid_t pid;
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
	uint64_t next_id;
	unsigned restarts, failed_starts;

	/* Jobs to send alone, then jobs to send again in normal batches. */
	struct pool_job **suspects;
	size_t n_suspects, alloc_suspects;
	struct pool_job **retry;
	size_t n_retry, alloc_retry;

	struct proto_writer out;
	struct strbuf payload;
	struct strbuf msg;
	int broken;
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

struct pool *pool_new(const char *exe, unsigned n, const char *const *args,
		      uint64_t memory_limit)
{
	struct pool *p = xcalloc(1, sizeof(*p));
	unsigned started = 0;
	size_t nargs = 0;

	/* A worker that dies must show up as EOF, not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	p->exe = xstrdup(exe);
	p->memory_limit = memory_limit;
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
	strbuf_init(&p->out.buf, 0);
	strbuf_init(&p->payload, 0);
	strbuf_init(&p->msg, 0);
	for (unsigned i = 0; i < p->n; i++)
		if (!spawn_worker(p, &p->w[i]))
			started++;
	if (!started) {
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

unsigned pool_in_flight(struct pool *p)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n; i++)
		for (unsigned b = 0; b < p->w[i].n_inflight; b++)
			n += p->w[i].inflight[b].nr;
	return n;
}

unsigned pool_restarts(struct pool *p)
{
	return p->restarts;
}

static void fail_job(struct pool_job *job, const char *why, pool_done_fn done,
		     void *data)
{
	struct proto_result res;

	memset(&res, 0, sizeof(res));
	res.stage = STAGE_CRASH;
	res.msg = why;
	res.msg_len = (uint32_t)strlen(why);
	done(data, job, &res);
}

static void add_retry(struct pool *p, struct pool_job *job)
{
	ALLOC_GROW(p->retry, p->n_retry + 1, p->alloc_retry);
	p->retry[p->n_retry++] = job;
}

static void add_suspect(struct pool *p, struct pool_job *job)
{
	ALLOC_GROW(p->suspects, p->n_suspects + 1, p->alloc_suspects);
	p->suspects[p->n_suspects++] = job;
}

static void close_worker_fds(struct worker *w)
{
	if (w->job_fd >= 0)
		close(w->job_fd);
	if (w->res_fd >= 0)
		close(w->res_fd);
	w->job_fd = w->res_fd = -1;
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
static void worker_lost(struct pool *p, struct worker *w, int timed_out,
			pool_done_fn done, void *data)
{
	struct strbuf why = STRBUF_INIT;
	int status = 0, never_started;

	kill(w->pid, SIGKILL);
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	close_worker_fds(w);
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
				fail_job(batch->job[i], why.buf, done, data);
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
	if (p->failed_starts >= MAX_FAILED_STARTS || spawn_worker(p, w) < 0)
		w->pid = 0;
}

static int live_workers(struct pool *p)
{
	int n = 0;

	for (unsigned i = 0; i < p->n; i++)
		n += p->w[i].pid > 0;
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
 * A batch may take base_ms plus the time to read its bytes at the slowest
 * expected rate: a hung worker is caught after base_ms, a big file is not.
 */
static uint64_t batch_timeout_ms(struct pool *p, const struct batch *b)
{
	uint64_t bytes = 0;

	for (unsigned i = 0; i < b->nr; i++)
		bytes += b->job[i]->size;
	return p->base_ms + bytes / p->bytes_per_ms;
}

static void send_batch(struct pool *p, struct worker *w, struct batch *b)
{
	proto_begin(&p->out, PROTO_JOBS);
	for (unsigned i = 0; i < b->nr; i++) {
		struct proto_job pj;

		b->id[i] = ++p->next_id;
		pj.id = b->id[i];
		pj.flags = b->job[i]->flags;
		pj.path = b->job[i]->path;
		pj.path_len = (uint32_t)strlen(b->job[i]->path);
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

			if (w->pid <= 0 || w->n_inflight > round ||
			    round >= w->max_inflight)
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
static int collect_members(struct pool *p, struct worker *w,
			   pool_member_fn member, void *data)
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
		if (member)
			member(data, b->job[i], &m);
	}
	/* Progress: a long archive is not a hung worker. */
	w->busy_since = now_ns();
	return 0;
}

/* Read one frame of w and hand its members or results out. */
static void collect(struct pool *p, struct worker *w, pool_done_fn done,
		    pool_member_fn member, void *data)
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
		if (collect_members(p, w, member, data) < 0)
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
		done(data, b->job[i], &res[i]);
	w->results++;
	memmove(&w->inflight[0], &w->inflight[1],
		sizeof(w->inflight[0]) * (MAX_IN_FLIGHT - 1));
	w->n_inflight--;
	w->busy_since = now_ns();
	return;
broken:
	worker_lost(p, w, 0, done, data);
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

static void fail_everything(struct pool *p, struct queue *jobs,
			    const char *why, pool_done_fn done, void *data)
{
	struct pool_job *job;

	while (p->n_suspects)
		fail_job(p->suspects[--p->n_suspects], why, done, data);
	for (;;) {
		while ((job = next_job(p, jobs)))
			fail_job(job, why, done, data);
		if (queue_done(jobs))
			break;
		job = queue_pop(jobs);
		if (job)
			fail_job(job, why, done, data);
	}
}

/*
 * Give up: every job still held, sent or queued is handed to done as failed,
 * so that the producer never waits on a queue nobody drains.
 */
static void abandon(struct pool *p, struct queue *jobs, pool_done_fn done,
		    void *data)
{
	for (unsigned i = 0; i < p->n; i++) {
		struct worker *w = &p->w[i];

		for (unsigned b = 0; b < w->n_inflight; b++)
			for (unsigned j = 0; j < w->inflight[b].nr; j++)
				add_retry(p, w->inflight[b].job[j]);
		w->n_inflight = 0;
	}
	fail_everything(p, jobs, "the worker pool failed", done, data);
}

int pool_run(struct pool *p, struct queue *jobs, pool_done_fn done,
	     pool_member_fn member, pool_tick_fn tick, void *data)
{
	struct pollfd *pfd = xcalloc(p->n + 1, sizeof(*pfd));
	int efd = queue_event_fd(jobs);
	uint64_t last_tick = now_ns();
	int ret = 0;

	for (;;) {
		int starved, busy = 0, timeout = TICK_MS;
		unsigned npfd = 0;
		uint64_t now;

		if (!live_workers(p)) {
			fail_everything(p, jobs,
					"no worker process could be started",
					done, data);
			ret = error("all workers failed; giving up");
			break;
		}
		starved = dispatch(p, jobs);
		for (unsigned i = 0; i < p->n; i++)
			busy |= p->w[i].n_inflight > 0;
		if (!busy && !p->n_retry && !p->n_suspects && queue_done(jobs))
			break;

		now = now_ns();
		for (unsigned i = 0; i < p->n; i++) {
			struct worker *w = &p->w[i];
			int64_t left;

			if (w->pid <= 0)
				continue;
			pfd[npfd].fd = w->res_fd;
			pfd[npfd].events = POLLIN;
			npfd++;
			if (!w->n_inflight)
				continue;
			left = (int64_t)(w->busy_since / 1000000 +
					 w->inflight[0].timeout_ms) -
			       (int64_t)(now / 1000000);
			if (left < timeout)
				timeout = left < 0 ? 0 : (int)left;
		}
		if (starved && efd >= 0 && !queue_done(jobs)) {
			pfd[npfd].fd = efd;
			pfd[npfd].events = POLLIN;
			npfd++;
		}
		if (poll(pfd, npfd, timeout) < 0 && errno != EINTR) {
			ret = error_errno("poll failed");
			abandon(p, jobs, done, data);
			break;
		}

		for (unsigned k = 0; k < npfd; k++) {
			if (!pfd[k].revents)
				continue;
			if (pfd[k].fd == efd) {
				queue_ack_fd(jobs);
				continue;
			}
			for (unsigned i = 0; i < p->n; i++)
				if (p->w[i].pid > 0 && p->w[i].res_fd == pfd[k].fd) {
					collect(p, &p->w[i], done, member,
						data);
					break;
				}
		}

		now = now_ns();
		for (unsigned i = 0; i < p->n; i++) {
			struct worker *w = &p->w[i];

			if (w->pid > 0 && w->n_inflight &&
			    now - w->busy_since >
			    w->inflight[0].timeout_ms * 1000000u &&
			    !results_waiting(w))
				worker_lost(p, w, 1, done, data);
		}
		if (tick && now - last_tick >= TICK_MS * 1000000u) {
			tick(data);
			last_tick = now;
		}
	}
	free(pfd);
	return ret;
}

void pool_free(struct pool *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->n; i++) {
		struct worker *w = &p->w[i];

		if (w->job_fd >= 0) {
			close(w->job_fd);
			w->job_fd = -1;
		}
	}
	for (unsigned i = 0; i < p->n; i++) {
		struct worker *w = &p->w[i];
		int status;

		if (w->pid <= 0)
			continue;
		/* End of input makes a worker exit; give it a moment. */
		for (int tries = 0; tries < 100; tries++) {
			pid_t r = waitpid(w->pid, &status, WNOHANG);

			if (r == w->pid || (r < 0 && errno != EINTR))
				goto reaped;
			usleep(10000);
		}
		kill(w->pid, SIGKILL);
		while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
			;
reaped:
		close_worker_fds(w);
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
