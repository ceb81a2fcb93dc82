/*
 * test_pool.c - unit tests of the worker pool (src/pool.c) with real
 * worker processes: the wcindex binary named by $WCINDEX (which `make
 * check` sets; the tests are skipped with a message when it is not set).
 *
 * Files of many kinds are created in a temporary directory and counted by
 * pool_run() from a queue of jobs that embed struct pool_job; every job
 * must reach the callback exactly once, with the counts count_buffer()
 * gives for the file's content and the file's metadata.  Failures come back
 * with the right stage and errno: a missing file, a directory, a FIFO
 * (which must not block the worker), a device, symlinks with and without
 * JOB_FOLLOW.  Isolation is tested with the worker's fault injection
 * (WCINDEX_TEST_FAULT, inherited through the environment): a worker that
 * crashes on one file costs that file only (STAGE_CRASH, a message naming
 * the signal) and is replaced; one that hangs or spins is killed after the
 * timeout.  A worker program that cannot be executed, or that exits at
 * once, must make every job fail instead of hanging the pool.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "change.h"
#include "fsutil.h"
#include "pool.h"
#include "count.h"
#include "queue.h"
#include "strbuf.h"
#include "scratch.h"
#include "testmain.h"

/* ------------------------------------------------------- fixture ---- */

/*
 * Each test case has the scratch fixtures (scratch.h): the files of a test
 * go to scratch_dir.  A test that sets WCINDEX_TEST_FAULT unsets it, and
 * the teardown does too, in case the test failed before.
 */
static const char *exe;			/* the worker program, or NULL */

static void teardown(void)
{
	unsetenv("WCINDEX_TEST_FAULT");
}

/* True (after saying so) when the tests cannot run here. */
static int skip_without_worker(void)
{
	return !exe && test_skip("test_pool", "WCINDEX is not set (make "
				 "check sets it to the built wcindex)");
}

/* ---------------------------------------------------------- jobs ---- */

struct tjob {
	struct pool_job pj;	/* first, as pool.h requires */
	char *content;		/* what was written, to compute the counts */
	size_t len;
	int calls;		/* times the callback saw this job */
	uint32_t stage;
	int32_t err;
	uint32_t found;
	struct counts counts;
	struct file_meta meta;
	char msg[PROTO_MAX_ERRMSG + 64];
};

struct run {
	struct tjob *jobs;
	size_t nr, alloc;
	size_t done;		/* callbacks */
	size_t foreign;		/* callbacks with a job we never queued */
	unsigned ticks;
};

static void on_done(void *data, struct pool_job *job,
		    const struct proto_result *res)
{
	struct run *run = data;
	struct tjob *j = (struct tjob *)job;
	size_t len;

	run->done++;
	if (j < run->jobs || j >= run->jobs + run->nr) {
		run->foreign++;
		return;
	}
	j->calls++;
	j->stage = res->stage;
	j->err = res->err;
	j->found = res->found;
	j->counts = res->counts;
	j->meta = res->meta;
	len = res->msg_len < sizeof(j->msg) - 1 ? res->msg_len
						: sizeof(j->msg) - 1;
	memcpy(j->msg, res->msg, len);
	j->msg[len] = '\0';
}

static int on_tick(void *data)
{
	((struct run *)data)->ticks++;
	return 0;
}

/* The identity of what path names (following a final link with follow). */
static void identity_of(const char *path, int follow, struct file_meta *m)
{
	int fd = open_long_path(path, O_PATH | O_CLOEXEC |
				(follow ? 0 : O_NOFOLLOW));
	struct stat st;

	memset(m, 0, sizeof(*m));
	if (fd >= 0 && !fstat(fd, &st))
		file_meta_fill(m, &st);
	if (fd >= 0)
		close(fd);
}

/*
 * Where path is, as a walk from the top path[0, top_len) would have seen
 * it (top_len 0: from its own directory): the identities of the top and
 * of its directory, and the file as it is now.
 */
static void fill_place(struct pool_job *pj, const char *path, size_t top_len,
		       uint32_t flags)
{
	struct file_place *pl = &pj->place;
	const char *slash = strrchr(path, '/');
	struct strbuf dir = STRBUF_INIT;
	struct file_meta d;

	memset(pl, 0, sizeof(*pl));
	pl->name_off = (uint32_t)(slash - path + 1);
	strbuf_add(&dir, path, slash == path ? 1 : (size_t)(slash - path));
	identity_of(dir.buf, 1, &d);
	pl->dir_dev = d.dev;
	pl->dir_ino = d.ino;
	pl->top_len = top_len ? (uint32_t)top_len : (uint32_t)dir.len;
	strbuf_setlen(&dir, pl->top_len);
	identity_of(dir.buf, 1, &d);
	pl->top_dev = d.dev;
	pl->top_ino = d.ino;
	identity_of(path, !!(flags & JOB_FOLLOW), &pl->seen);
	strbuf_release(&dir);
}

/* A new job for path; the array may move, so jobs are found by index. */
static size_t add_job(struct run *run, const char *path, uint32_t flags)
{
	struct tjob *j;

	if (run->nr == run->alloc) {
		run->alloc = run->alloc ? 2 * run->alloc : 64;
		run->jobs = realloc(run->jobs, run->alloc * sizeof(*run->jobs));
		ck_assert_ptr_nonnull(run->jobs);
	}
	j = &run->jobs[run->nr];
	memset(j, 0, sizeof(*j));
	j->pj.path = strdup(path);
	ck_assert_ptr_nonnull(j->pj.path);
	j->pj.flags = flags;
	fill_place(&j->pj, path, 0, flags);
	j->stage = 0xdead;
	return run->nr++;
}

/* Write content to scratch_dir/name and queue a job for it. */
static size_t add_file(struct run *run, const char *name, const char *content,
		       size_t len, uint32_t flags)
{
	const char *path = scratch_path(name);
	struct tjob *j;
	size_t i;

	scratch_write(path, content, len);
	i = add_job(run, path, flags);
	j = &run->jobs[i];
	j->content = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(j->content);
	memcpy(j->content, content, len);
	j->len = len;
	j->pj.size = len;
	return i;
}

static void free_run(struct run *run)
{
	for (size_t i = 0; i < run->nr; i++) {
		free(run->jobs[i].pj.path);
		free(run->jobs[i].content);
	}
	free(run->jobs);
	memset(run, 0, sizeof(*run));
}

/*
 * Content number i of a varied set: empty, ASCII text, UTF-8 with
 * non-ASCII spaces, invalid UTF-8, binary, one file larger than the
 * worker's buffer, and pseudo-random text.
 */
static void make_content(struct strbuf *sb, unsigned i)
{
	uint32_t x = 2166136261u ^ i;

	strbuf_reset(sb);
	switch (i % 7) {
	case 0:
		break;
	case 1:
		for (unsigned k = 0; k < i; k++)
			strbuf_addf(sb, "word%u%s", k, k % 5 == 4 ? "\n" : " ");
		break;
	case 2:
		strbuf_addf(sb, "caf\xc3\xa9\xc2\xa0na\xc3\xafve\xe2\x80\x83%u\n"
			    "\xe3\x80\x80\xe6\x97\xa5\xe6\x9c\xac\n", i);
		break;
	case 3:
		strbuf_addf(sb, "bad \xff\xfe bytes \x80\xc3 %u\xe2\x82", i);
		break;
	case 4:
		strbuf_addf(sb, "bin %u", i);
		strbuf_add(sb, "\0\0\1\2 text after", 16);
		break;
	case 5:
		if (i == 5) {	/* one big file: several reads */
			while (sb->len < 700 * 1024)
				strbuf_addstr(sb, "The quick brown fox \xe2\x80\x94 "
					      "jumps\tover the lazy dog.\n");
			break;
		}
		/* fall through */
	default:
		for (unsigned k = 0; k < 50 + i % 300; k++) {
			static const char alphabet[] = "ab c\nd\te\xc3\xa9\xff ";

			x = x * 1664525u + 1013904223u;
			strbuf_addch(sb, alphabet[(x >> 24) % (sizeof(alphabet) - 1)]);
		}
		break;
	}
}

/* Check that job i was counted correctly and saw the file's metadata. */
static void assert_counted(const struct run *run, size_t i)
{
	const struct tjob *j = &run->jobs[i];
	struct counts want;
	struct stat sb;

	count_buffer(j->content, j->len,
		     (j->pj.flags & JOB_ASCII) ? COUNT_ASCII : COUNT_UTF8, &want);
	ck_assert_msg(j->calls == 1, "%s: %d callbacks", j->pj.path, j->calls);
	ck_assert_msg(j->stage == STAGE_NONE && j->err == 0,
		      "%s: stage %u err %d '%s'", j->pj.path, j->stage, j->err,
		      j->msg);
	ck_assert_msg(j->counts.bytes == want.bytes &&
		      j->counts.lines == want.lines &&
		      j->counts.words == want.words &&
		      j->counts.chars == want.chars &&
		      j->counts.flags == want.flags,
		      "%s: got %llu/%llu/%llu/%llu/%u, want %llu/%llu/%llu/%llu/%u",
		      j->pj.path,
		      (unsigned long long)j->counts.bytes,
		      (unsigned long long)j->counts.lines,
		      (unsigned long long)j->counts.words,
		      (unsigned long long)j->counts.chars, j->counts.flags,
		      (unsigned long long)want.bytes,
		      (unsigned long long)want.lines,
		      (unsigned long long)want.words,
		      (unsigned long long)want.chars, want.flags);
	ck_assert_int_eq(stat(j->pj.path, &sb), 0);
	ck_assert_uint_eq(j->meta.size, j->len);
	ck_assert_uint_eq(j->meta.ino, (uint64_t)sb.st_ino);
	ck_assert_uint_eq(j->meta.dev, (uint64_t)sb.st_dev);
	ck_assert_int_eq(j->meta.mtime_ns,
			 (int64_t)sb.st_mtim.tv_sec * 1000000000 +
			 sb.st_mtim.tv_nsec);
}

/* Job i failed at stage with err; its message contains msg_part (if set). */
static void assert_failed(const struct run *run, size_t i, uint32_t stage,
			  int err, const char *msg_part)
{
	const struct tjob *j = &run->jobs[i];

	ck_assert_msg(j->calls == 1, "%s: %d callbacks", j->pj.path, j->calls);
	ck_assert_msg(j->stage == stage && j->err == err,
		      "%s: stage %u err %d ('%s'), want stage %u err %d",
		      j->pj.path, j->stage, j->err, j->msg, stage, err);
	if (msg_part)
		ck_assert_msg(strstr(j->msg, msg_part) != NULL,
			      "%s: message '%s' does not mention '%s'",
			      j->pj.path, j->msg, msg_part);
}

/* Every queued job came back exactly once, and nothing else did. */
static void assert_all_once(const struct run *run)
{
	ck_assert_uint_eq(run->foreign, 0);
	ck_assert_uint_eq(run->done, run->nr);
	for (size_t i = 0; i < run->nr; i++)
		ck_assert_msg(run->jobs[i].calls == 1, "%s: %d callbacks",
			      run->jobs[i].pj.path, run->jobs[i].calls);
}

/*
 * Queue every job, close the queue and run a pool of n workers of prog
 * over it.  Returns pool_run()'s result; *restarts gets the pool's restarts.
 * timeout_ms, if not 0, is the base timeout (with no allowance per byte).
 */
static int run_all(struct run *run, const char *prog, unsigned n,
		   unsigned timeout_ms, unsigned *restarts)
{
	struct queue *q = queue_new(run->nr + 1);
	struct pool_stats ps;
	struct pool *p;
	int r;

	for (size_t i = 0; i < run->nr; i++)
		ck_assert_int_eq(queue_push(q, &run->jobs[i].pj), 0);
	queue_close(q);
	p = pool_new(prog, n, NULL, 0);
	ck_assert_ptr_nonnull(p);
	if (timeout_ms)
		pool_set_timeout(p, timeout_ms, 1u << 30);
	r = pool_run(p, q, on_done, NULL, on_tick, run);
	pool_get_stats(p, &ps);
	ck_assert_uint_eq(ps.in_flight, 0);
	if (restarts)
		*restarts = ps.restarts;
	pool_free(p);
	ck_assert(queue_done(q));
	queue_free(q);
	return r;
}

/* ---------------------------------------------------------- tests ---- */

START_TEST(test_counts_match)
{
	struct run run = { 0 };
	struct strbuf content = STRBUF_INIT;
	char name[32];
	unsigned restarts = 99;

	if (skip_without_worker())
		return;
	for (unsigned i = 0; i < 150; i++) {
		make_content(&content, i);
		snprintf(name, sizeof(name), "f%03u.txt", i);
		/* every third file in ASCII mode */
		add_file(&run, name, content.buf, content.len,
			 i % 3 == 2 ? JOB_ASCII : 0);
	}
	ck_assert_int_eq(run_all(&run, exe, 2, 0, &restarts), 0);
	assert_all_once(&run);
	for (size_t i = 0; i < run.nr; i++)
		assert_counted(&run, i);
	ck_assert_uint_eq(restarts, 0);
	strbuf_release(&content);
	free_run(&run);
}
END_TEST

/* The same content in both modes gives the two modes' counts. */
START_TEST(test_ascii_flag)
{
	static const char text[] = "a\xc2\xa0" "b \xe3\x80\x80" "c\n";
	struct run run = { 0 };

	if (skip_without_worker())
		return;
	add_file(&run, "u.txt", text, sizeof(text) - 1, 0);
	add_file(&run, "a.txt", text, sizeof(text) - 1, JOB_ASCII);
	ck_assert_int_eq(run_all(&run, exe, 1, 0, NULL), 0);
	assert_counted(&run, 0);
	assert_counted(&run, 1);
	/* and they differ, so the flag really travelled */
	ck_assert_uint_eq(run.jobs[0].counts.words, 3);
	ck_assert_uint_eq(run.jobs[1].counts.words, 2);
	free_run(&run);
}
END_TEST

/* Jobs arrive while the pool runs, through a small queue. */
struct producer {
	struct queue *q;
	struct run *run;
	int failed;
};

static void *produce(void *arg)
{
	struct producer *pr = arg;

	for (size_t i = 0; i < pr->run->nr; i++)
		if (queue_push(pr->q, &pr->run->jobs[i].pj))
			pr->failed++;
	queue_close(pr->q);
	return NULL;
}

START_TEST(test_concurrent_producer)
{
	struct run run = { 0 };
	struct strbuf content = STRBUF_INIT;
	struct producer pr;
	struct queue *q;
	struct pool *p;
	pthread_t tid;
	char name[32];

	if (skip_without_worker())
		return;
	for (unsigned i = 0; i < 300; i++) {
		make_content(&content, i + 1000);
		snprintf(name, sizeof(name), "c%03u", i);
		add_file(&run, name, content.buf, content.len, 0);
	}
	q = queue_new(4);
	p = pool_new(exe, 3, NULL, 0);
	ck_assert_ptr_nonnull(p);
	pr.q = q;
	pr.run = &run;
	pr.failed = 0;
	ck_assert_int_eq(pthread_create(&tid, NULL, produce, &pr), 0);
	ck_assert_int_eq(pool_run(p, q, on_done, NULL, NULL, &run), 0);
	ck_assert_int_eq(pthread_join(tid, NULL), 0);
	ck_assert_int_eq(pr.failed, 0);
	pool_free(p);
	queue_free(q);
	assert_all_once(&run);
	for (size_t i = 0; i < run.nr; i++)
		assert_counted(&run, i);
	strbuf_release(&content);
	free_run(&run);
}
END_TEST

START_TEST(test_empty_queue)
{
	struct run run = { 0 };

	if (skip_without_worker())
		return;
	ck_assert_int_eq(run_all(&run, exe, 2, 0, NULL), 0);
	ck_assert_uint_eq(run.done, 0);
	free_run(&run);
}
END_TEST

START_TEST(test_failures)
{
	struct run run = { 0 };
	size_t missing, dir, fifo, dev, link_nofollow, link_follow, dangling;
	size_t ok, missing_dir;

	if (skip_without_worker())
		return;
	ok = add_file(&run, "target.txt", "one two\nthree\n", 14, 0);

	missing = add_job(&run, scratch_path("missing.txt"), 0);
	missing_dir = add_job(&run, scratch_path("nodir/x.txt"), 0);

	ck_assert_int_eq(mkdir(scratch_path("subdir"), 0755), 0);
	dir = add_job(&run, scratch_path("subdir"), 0);

	ck_assert_int_eq(mkfifo(scratch_path("fifo"), 0644), 0);
	fifo = add_job(&run, scratch_path("fifo"), 0);

	dev = add_job(&run, "/dev/null", 0);

	ck_assert_int_eq(symlink("target.txt", scratch_path("link")), 0);
	link_nofollow = add_job(&run, scratch_path("link"), 0);
	link_follow = add_job(&run, scratch_path("link"), JOB_FOLLOW);
	run.jobs[link_follow].content = strdup("one two\nthree\n");
	run.jobs[link_follow].len = 14;

	ck_assert_int_eq(symlink("nothing-here", scratch_path("dangling")), 0);
	dangling = add_job(&run, scratch_path("dangling"), JOB_FOLLOW);

	ck_assert_int_eq(run_all(&run, exe, 2, 0, NULL), 0);
	assert_all_once(&run);
	assert_counted(&run, ok);
	assert_counted(&run, link_follow);
	/* stages and errno first, then the messages */
	assert_failed(&run, missing, STAGE_OPEN, ENOENT, NULL);
	assert_failed(&run, missing_dir, STAGE_OPEN, ENOENT, NULL);
	assert_failed(&run, dir, STAGE_TYPE, 0, NULL);
	assert_failed(&run, fifo, STAGE_TYPE, 0, NULL);
	assert_failed(&run, dev, STAGE_TYPE, 0, NULL);
	assert_failed(&run, link_nofollow, STAGE_OPEN, ELOOP, NULL);
	assert_failed(&run, dangling, STAGE_OPEN, ENOENT, NULL);
	/* the metadata of what was opened comes back even on STAGE_TYPE */
	ck_assert_uint_ne(run.jobs[dir].meta.ino, 0);
	assert_failed(&run, dir, STAGE_TYPE, 0, "not a regular file");
	assert_failed(&run, fifo, STAGE_TYPE, 0, "not a regular file");
	assert_failed(&run, dev, STAGE_TYPE, 0, "not a regular file");
	free_run(&run);
}
END_TEST

/*
 * The message of an open() failure names the call and the reason, as the
 * other failures do ("open: No such file or directory").
 */
START_TEST(test_open_failure_message)
{
	struct run run = { 0 };
	char msg[3][sizeof(run.jobs[0].msg)];
	size_t missing, type, loop;

	if (skip_without_worker())
		return;
	missing = add_job(&run, scratch_path("missing.txt"), 0);
	/* a failure with a message just before, in the same batch */
	type = add_job(&run, "/dev/null", 0);
	ck_assert_int_eq(symlink("/dev/null", scratch_path("loop")), 0);
	loop = add_job(&run, scratch_path("loop"), 0);
	ck_assert_int_eq(run_all(&run, exe, 1, 0, NULL), 0);
	assert_all_once(&run);
	assert_failed(&run, missing, STAGE_OPEN, ENOENT, NULL);
	assert_failed(&run, type, STAGE_TYPE, 0, "not a regular file");
	assert_failed(&run, loop, STAGE_OPEN, ELOOP, NULL);
	memcpy(msg[0], run.jobs[missing].msg, sizeof(msg[0]));
	memcpy(msg[2], run.jobs[loop].msg, sizeof(msg[2]));
	free_run(&run);
	ck_assert_msg(!strcmp(msg[0], "open: No such file or directory"),
		      "ENOENT reported as '%s'", msg[0]);
	ck_assert_msg(!strcmp(msg[2], "open: Too many levels of symbolic links"),
		      "ELOOP reported as '%s'", msg[2]);
}
END_TEST

/*
 * Between the walk and the read, a file was replaced by another of the
 * same name and size, and a directory by another holding a file of the
 * same name: neither is counted (STAGE_REPLACED), while a file changed in
 * place is counted as it is now, and one left alone as it was.  Both ways
 * below a root (the workers inherit WCINDEX_BENEATH).
 */
START_TEST(test_replaced_since_walk)
{
	struct run run = { 0 };
	size_t file, dir, changed, same, top = strlen(scratch_dir);
	char path[PATH_MAX];

	if (skip_without_worker())
		return;
	if (_i)
		ck_assert_int_eq(setenv("WCINDEX_BENEATH", "openat", 1), 0);
	ck_assert_int_eq(mkdir(scratch_path("d1"), 0755), 0);
	ck_assert_int_eq(mkdir(scratch_path("d2"), 0755), 0);
	scratch_write(scratch_path("d1/file.txt"), "alpha beta\n", 11);
	scratch_write(scratch_path("d2/file.txt"), "alpha beta\n", 11);
	scratch_write(scratch_path("d1/changed.txt"), "one\n", 4);
	scratch_write(scratch_path("d1/same.txt"), "one two\n", 8);
	/* the walk */
	file = add_job(&run, scratch_path("d1/file.txt"), 0);
	fill_place(&run.jobs[file].pj, run.jobs[file].pj.path, top, 0);
	dir = add_job(&run, scratch_path("d2/file.txt"), 0);
	fill_place(&run.jobs[dir].pj, run.jobs[dir].pj.path, top, 0);
	changed = add_job(&run, scratch_path("d1/changed.txt"), 0);
	fill_place(&run.jobs[changed].pj, run.jobs[changed].pj.path, top, 0);
	same = add_job(&run, scratch_path("d1/same.txt"), 0);
	fill_place(&run.jobs[same].pj, run.jobs[same].pj.path, top, 0);
	/* the attacker, or an editor saving by rename */
	scratch_write(scratch_path("other"), "gamma delta\n", 12);
	snprintf(path, sizeof(path), "%s/other", scratch_dir);
	ck_assert_int_eq(rename(path, scratch_path("d1/file.txt")), 0);
	snprintf(path, sizeof(path), "%s/d2", scratch_dir);
	ck_assert_int_eq(rename(path, scratch_path("d2.old")), 0);
	ck_assert_int_eq(mkdir(scratch_path("d2"), 0755), 0);
	scratch_write(scratch_path("d2/file.txt"), "gamma delta\n", 12);
	scratch_write(scratch_path("d1/changed.txt"), "one two three\n", 14);

	ck_assert_int_eq(run_all(&run, exe, 2, 0, NULL), 0);
	unsetenv("WCINDEX_BENEATH");
	assert_all_once(&run);
	assert_failed(&run, file, STAGE_REPLACED, 0, "replaced since the walk");
	assert_failed(&run, dir, STAGE_REPLACED, 0, "directory on its way");
	ck_assert_uint_eq(run.jobs[file].counts.words, 0);
	ck_assert_uint_eq(run.jobs[dir].counts.words, 0);
	ck_assert_msg(run.jobs[changed].stage == STAGE_NONE, "stage %u: %s",
		      run.jobs[changed].stage, run.jobs[changed].msg);
	ck_assert_uint_eq(run.jobs[changed].counts.words, 3);
	ck_assert_uint_eq(run.jobs[changed].meta.size, 14);
	ck_assert_uint_eq(run.jobs[same].stage, STAGE_NONE);
	ck_assert_uint_eq(run.jobs[same].counts.words, 2);
	free_run(&run);
}
END_TEST

/* A path longer than PATH_MAX is counted (through open_long_path). */
START_TEST(test_long_path)
{
	struct run run = { 0 };
	struct strbuf path = STRBUF_INIT;
	int dirfd, fd;
	size_t i;

	if (skip_without_worker())
		return;
	strbuf_addstr(&path, scratch_dir);
	dirfd = scratch_deep_dirs(&path, 25, 200, 'L');
	fd = openat(dirfd, "deep.txt", O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "deep down here\n", 15), 15);
	close(fd);
	close(dirfd);
	strbuf_addstr(&path, "/deep.txt");
	ck_assert_uint_gt(path.len, PATH_MAX);

	i = add_job(&run, path.buf, 0);
	ck_assert_int_eq(run_all(&run, exe, 1, 0, NULL), 0);
	assert_all_once(&run);
	ck_assert_msg(run.jobs[i].stage == STAGE_NONE, "stage %u: %s",
		      run.jobs[i].stage, run.jobs[i].msg);
	ck_assert_uint_eq(run.jobs[i].counts.words, 3);
	ck_assert_uint_eq(run.jobs[i].counts.lines, 1);
	ck_assert_uint_eq(run.jobs[i].counts.bytes, 15);
	strbuf_release(&path);
	free_run(&run);
}
END_TEST

/* Worker crashes must not leave core files behind. */
static void no_core_files(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_CORE, &rl)) {
		rl.rlim_cur = 0;
		setrlimit(RLIMIT_CORE, &rl);
	}
}

/*
 * A worker that crashes, hangs or spins on some files costs those files
 * only: each row builds files of make_content(), poisons some of them by
 * a marker in their names, runs the pool with WCINDEX_TEST_FAULT set, and
 * checks that the poisoned files came back with STAGE_CRASH and the
 * message, that all the others were counted, and that the workers were
 * replaced.
 */
#define MAX_POISONED 2

static const struct fault_case {
	const char *what;
	const char *fault;		/* WCINDEX_TEST_FAULT */
	const char *marker;		/* in the poisoned files' names */
	unsigned files;			/* how many files */
	unsigned first;			/* make_content() number of file 0 */
	unsigned nr_poisoned;
	unsigned poisoned[MAX_POISONED]; /* their indexes */
	unsigned workers;
	unsigned timeout_ms;		/* 0: the pool's default */
	const char *msg;		/* in the poisoned files' messages */
	unsigned min_restarts;
} faults[] = {
	{
		.what = "one crash among many files",
		.fault = "crash:POISON", .marker = "POISON",
		.files = 201, .first = 0,
		.nr_poisoned = 1, .poisoned = { 100 },
		.workers = 2, .timeout_ms = 0,
		.msg = "signal", .min_restarts = 1,
	},
	{
		/* in the same batch: both pinned, nobody else */
		.what = "two crashes, one worker",
		.fault = "crash:POISON", .marker = "POISON",
		.files = 40, .first = 7,
		.nr_poisoned = 2, .poisoned = { 3, 30 },
		.workers = 1, .timeout_ms = 0,
		.msg = "signal", .min_restarts = 2,
	},
	{
		.what = "a worker that sleeps",
		.fault = "hang:SLOW", .marker = "SLOW",
		.files = 41, .first = 11,
		.nr_poisoned = 1, .poisoned = { 20 },
		.workers = 2, .timeout_ms = 300,
		.msg = "timed out", .min_restarts = 1,
	},
	{
		.what = "a worker that burns the CPU",
		.fault = "spin:SPIN", .marker = "SPIN",
		.files = 41, .first = 11,
		.nr_poisoned = 1, .poisoned = { 20 },
		.workers = 2, .timeout_ms = 300,
		.msg = "timed out", .min_restarts = 1,
	},
};

/* The position of file i among c's poisoned files, or -1. */
static int poison_slot(const struct fault_case *c, unsigned i)
{
	for (unsigned k = 0; k < c->nr_poisoned; k++)
		if (c->poisoned[k] == i)
			return (int)k;
	return -1;
}

START_TEST(test_fault_isolated)
{
	const struct fault_case *c = &faults[_i];
	struct run run = { 0 };
	struct strbuf content = STRBUF_INIT;
	size_t poison[MAX_POISONED];
	unsigned restarts = 0;
	char name[40];

	if (skip_without_worker())
		return;
	ck_assert_uint_le(c->nr_poisoned, MAX_POISONED);
	for (unsigned k = 0; k < c->nr_poisoned; k++)
		ck_assert_msg(c->poisoned[k] < c->files &&
			      poison_slot(c, c->poisoned[k]) == (int)k,
			      "%s: poisoned file %u: not one of the %u or twice",
			      c->what, c->poisoned[k], c->files);
	no_core_files();
	for (unsigned i = 0; i < c->files; i++) {
		int k = poison_slot(c, i);

		make_content(&content, c->first + i);
		if (k < 0) {
			snprintf(name, sizeof(name), "f%03u.txt", i);
			add_file(&run, name, content.buf, content.len, 0);
			continue;
		}
		snprintf(name, sizeof(name), "x%03u_%s_.txt", i, c->marker);
		poison[k] = add_file(&run, name, content.buf, content.len, 0);
	}
	ck_assert_int_eq(setenv("WCINDEX_TEST_FAULT", c->fault, 1), 0);
	ck_assert_int_eq(run_all(&run, exe, c->workers, c->timeout_ms,
				 &restarts), 0);
	unsetenv("WCINDEX_TEST_FAULT");

	assert_all_once(&run);
	for (unsigned k = 0; k < c->nr_poisoned; k++)
		assert_failed(&run, poison[k], STAGE_CRASH, 0, c->msg);
	for (size_t i = 0; i < run.nr; i++)
		if (poison_slot(c, (unsigned)i) < 0)
			assert_counted(&run, i);
	ck_assert_msg(restarts >= c->min_restarts,
		      "%s: %u restarts, want at least %u", c->what, restarts,
		      c->min_restarts);
	strbuf_release(&content);
	free_run(&run);
}
END_TEST

/*
 * The watchdog's allowance for reading is capped (120 times the base): a
 * worker hung on a file said to be 1 TiB is killed within seconds of a
 * 50 ms base, not after 2^40 ms at one byte a millisecond.
 */
START_TEST(test_watchdog_cap)
{
	struct run run = { 0 };
	struct queue *q = queue_new(2);
	struct timespec t0, t1;
	struct pool *p;
	size_t i;
	double secs;

	if (skip_without_worker())
		return;
	i = add_file(&run, "x_HUGE_.txt", "tiny\n", 5, 0);
	run.jobs[i].pj.size = UINT64_C(1) << 40;
	ck_assert_int_eq(queue_push(q, &run.jobs[i].pj), 0);
	queue_close(q);
	p = pool_new(exe, 1, NULL, 0);
	ck_assert_ptr_nonnull(p);
	pool_set_timeout(p, 50, 1);
	ck_assert_int_eq(setenv("WCINDEX_TEST_FAULT", "hang:HUGE", 1), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(pool_run(p, q, on_done, NULL, on_tick, &run), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	unsetenv("WCINDEX_TEST_FAULT");
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_all_once(&run);
	assert_failed(&run, i, STAGE_CRASH, 0, "timed out");
	ck_assert_msg(secs >= 6 && secs < 30, "killed after %.1f s, want 6.05",
		      secs);
	pool_free(p);
	queue_free(q);
	free_run(&run);
}
END_TEST

/*
 * A worker program that cannot be executed: pool_new() refuses a path it
 * cannot run at once; one that runs but whose exec fails (status 127, as
 * the shell reports it) makes pool_run() give up after a few failed starts
 * and cancel every job, leaving the files' rows as they were, instead of
 * hanging or failing them.
 */
START_TEST(test_bad_exe)
{
	static const char script[] = "#!/bin/sh\nexit 127\n";
	char noexec[] = "/tmp/wcindex-noexec-XXXXXX";
	struct run run = { 0 };
	struct strbuf content = STRBUF_INIT;
	struct pool_stats ps;
	struct queue *q;
	struct pool *p;
	char name[32];
	int r, fd;

	ck_assert_ptr_null(pool_new("/nonexistent/wcindex", 2, NULL, 0));
	for (unsigned i = 0; i < 20; i++) {
		make_content(&content, i);
		snprintf(name, sizeof(name), "b%02u", i);
		add_file(&run, name, content.buf, content.len, 0);
	}
	q = queue_new(run.nr + 1);
	for (size_t i = 0; i < run.nr; i++)
		ck_assert_int_eq(queue_push(q, &run.jobs[i].pj), 0);
	queue_close(q);
	ck_assert_int_ge(fd = mkstemp(noexec), 0);
	ck_assert_int_eq(write(fd, script, sizeof(script) - 1),
			 (ssize_t)sizeof(script) - 1);
	ck_assert_int_eq(fchmod(fd, 0700), 0);
	ck_assert_int_eq(close(fd), 0);
	p = pool_new(noexec, 2, NULL, 0);
	ck_assert_ptr_nonnull(p);
	r = pool_run(p, q, on_done, NULL, NULL, &run);
	ck_assert_int_eq(r, -1);
	pool_get_stats(p, &ps);
	ck_assert_uint_eq(ps.in_flight, 0);
	pool_free(p);
	unlink(noexec);
	assert_all_once(&run);
	for (size_t i = 0; i < run.nr; i++)
		assert_failed(&run, i, STAGE_CANCELLED, 0,
			      "no worker process could be started");
	queue_free(q);
	strbuf_release(&content);
	free_run(&run);
}
END_TEST

/*
 * A "worker" that exits at once without answering: every job is tried
 * alone and then reported as crashed, and the run ends.
 */
START_TEST(test_worker_exits)
{
	struct run run = { 0 };
	struct strbuf content = STRBUF_INIT;
	unsigned restarts = 0;
	char name[32];

	if (skip_without_worker())
		return;
	if (access("/bin/true", X_OK) && test_skip("test_pool", "no /bin/true"))
		return;
	for (unsigned i = 0; i < 10; i++) {
		make_content(&content, i);
		snprintf(name, sizeof(name), "e%02u", i);
		add_file(&run, name, content.buf, content.len, 0);
	}
	(void)run_all(&run, "/bin/true", 2, 0, &restarts);
	assert_all_once(&run);
	for (size_t i = 0; i < run.nr; i++)
		assert_failed(&run, i, STAGE_CRASH, 0, "exited with status 0");
	ck_assert_uint_ge(restarts, run.nr);
	strbuf_release(&content);
	free_run(&run);
}
END_TEST

/* ------------------------------------------------------ big files ---- */

/*
 * Content for a file of len bytes counted in ranges: multi-byte spaces,
 * letters and invalid bytes of every length in a cycle whose length (37)
 * is prime to the range size, so that range boundaries fall inside
 * sequences and words of all kinds.
 */
static void make_big_content(struct strbuf *sb, size_t len)
{
	static const char cycle[] = "w\xe3\x80\x80x\xc2\xa0\xe2\x80\xa8y "
				    "\xf0\x9f\x98\x80z\xff\x80\xe2\x80q\n"
				    "\xe6\x97\xa5\t";

	strbuf_reset(sb);
	strbuf_grow(sb, len);
	while (sb->len + sizeof(cycle) - 1 <= len)
		strbuf_add(sb, cycle, sizeof(cycle) - 1);
	while (sb->len < len)
		strbuf_addch(sb, 'e');
	/*
	 * At the range boundaries (16 MiB apart), whatever the cycle puts
	 * there: a space cut after its lead byte, one cut before its last
	 * byte, a word, and a 4-byte character cut in the middle.
	 */
	for (size_t at = 16u << 20, k = 0; at + 4 < len; at += 16u << 20, k++) {
		static const char *const cuts[] = {
			"a\xe3|\x80\x80" "b", "a\xe2\x80|\xa8" "b", "xy|z",
			"a\xf0\x9f|\x98\x80" "b",
		};
		const char *cut = cuts[k % ARRAY_LEN(cuts)];
		size_t before = (size_t)(strchr(cut, '|') - cut);

		memcpy(sb->buf + at - before, cut, before);
		memcpy(sb->buf + at, cut + before + 1, strlen(cut) - before - 1);
	}
}

/* Returns the number of ranges; *recounts: files counted again whole. */
static unsigned run_counting_ranges(struct run *run, unsigned n,
				    unsigned *recounts)
{
	struct queue *q = queue_new(run->nr + 1);
	struct pool_stats ps;
	struct pool *p;
	unsigned ranges;

	for (size_t i = 0; i < run->nr; i++)
		ck_assert_int_eq(queue_push(q, &run->jobs[i].pj), 0);
	queue_close(q);
	p = pool_new(exe, n, NULL, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(pool_run(p, q, on_done, NULL, NULL, run), 0);
	pool_get_stats(p, &ps);
	ranges = ps.ranges;
	*recounts = ps.recounts;
	pool_free(p);
	queue_free(q);
	return ranges;
}

/*
 * A file of 50 MiB + 3 goes to 2 or 3 workers as four ranges, in both
 * modes, and comes back once with the counts of the whole; a file under
 * the threshold is not cut.
 */
START_TEST(test_big_file_ranges)
{
	struct strbuf content = STRBUF_INIT;
	size_t len = (50u << 20) + 3;
	unsigned recounts;

	if (skip_without_worker())
		return;
	make_big_content(&content, len);
	for (unsigned n = 2; n <= 3; n++) {
		struct run run = { 0 };

		add_file(&run, "big-utf8", content.buf, content.len, 0);
		add_file(&run, "big-ascii", content.buf, content.len, JOB_ASCII);
		add_file(&run, "small", content.buf, 1u << 20, 0);
		ck_assert_uint_eq(run_counting_ranges(&run, n, &recounts), 8);
		ck_assert_uint_eq(recounts, 0);
		assert_all_once(&run);
		for (size_t i = 0; i < run.nr; i++)
			assert_counted(&run, i);
		free_run(&run);
	}
	strbuf_release(&content);
}
END_TEST

/* One worker: nothing to gain from cutting a file. */
START_TEST(test_big_file_one_worker)
{
	unsigned recounts;
	struct strbuf content = STRBUF_INIT;
	struct run run = { 0 };

	if (skip_without_worker())
		return;
	make_big_content(&content, 40u << 20);
	add_file(&run, "big", content.buf, content.len, 0);
	ck_assert_uint_eq(run_counting_ranges(&run, 1, &recounts), 0);
	ck_assert_uint_eq(recounts, 0);
	assert_all_once(&run);
	assert_counted(&run, 0);
	strbuf_release(&content);
	free_run(&run);
}
END_TEST

/*
 * The file shrank between the walk and the count: the ranges past its new
 * end see that, and the file is counted again in one piece, correctly.
 */
START_TEST(test_big_file_shrank)
{
	unsigned recounts;
	struct strbuf content = STRBUF_INIT;
	struct run run = { 0 };
	size_t i;

	if (skip_without_worker())
		return;
	make_big_content(&content, 1u << 20);
	i = add_file(&run, "shrunk", content.buf, content.len, 0);
	/* what the walk saw */
	run.jobs[i].pj.size = run.jobs[i].pj.place.seen.size = 50u << 20;
	ck_assert_uint_eq(run_counting_ranges(&run, 2, &recounts), 4);
	ck_assert_uint_eq(recounts, 1);
	assert_all_once(&run);
	assert_counted(&run, i);
	strbuf_release(&content);
	free_run(&run);
}
END_TEST

/*
 * The file grew: the ranges read no further than the end the walk saw,
 * the file is not what the walk saw any more, and it is counted again in
 * one piece, with the counts of the bigger file.
 */
START_TEST(test_big_file_grew)
{
	unsigned recounts;
	struct strbuf content = STRBUF_INIT;
	struct run run = { 0 };
	size_t i;

	if (skip_without_worker())
		return;
	make_big_content(&content, 70u << 20);
	i = add_file(&run, "grown", content.buf, content.len, 0);
	run.jobs[i].pj.size = run.jobs[i].pj.place.seen.size = 40u << 20;
	ck_assert_uint_eq(run_counting_ranges(&run, 2, &recounts), 3);
	ck_assert_uint_eq(recounts, 1);
	assert_all_once(&run);
	assert_counted(&run, i);
	strbuf_release(&content);
	free_run(&run);
}
END_TEST

/*
 * A big compressed file cannot be cut: every range reads the head, the
 * first one counts the whole file through the decompressor, the others
 * step aside, and the job comes back once with the decompressed counts.
 */
START_TEST(test_big_compressed_whole)
{
	unsigned recounts;
	struct strbuf content = STRBUF_INIT, path = STRBUF_INIT;
	struct run run = { 0 };
	struct counts want;
	uint32_t x = 12345;
	gzFile gz;
	size_t i;
	struct stat sb;

	if (skip_without_worker())
		return;
	/* random letters and spaces barely compress: 40 MiB stay > 32 MiB */
	strbuf_grow(&content, 40u << 20);
	while (content.len < (40u << 20)) {
		x = x * 1664525u + 1013904223u;
		strbuf_addch(&content, (x >> 27) < 5 ? ' ' : (char)(0x21 + (x >> 25) % 94));
	}
	strbuf_addstr(&path, scratch_path("big.gz"));
	gz = gzopen(path.buf, "wb1");
	ck_assert_ptr_nonnull(gz);
	ck_assert_int_eq(gzwrite(gz, content.buf, (unsigned)content.len),
			 (int)content.len);
	ck_assert_int_eq(gzclose(gz), Z_OK);
	ck_assert_int_eq(stat(path.buf, &sb), 0);
	ck_assert_uint_ge((uint64_t)sb.st_size, 32u << 20);

	i = add_job(&run, path.buf, JOB_ARCHIVES);
	run.jobs[i].pj.size = (uint64_t)sb.st_size;
	ck_assert_uint_ge(run_counting_ranges(&run, 2, &recounts), 2);
	ck_assert_uint_eq(recounts, 0);
	assert_all_once(&run);
	count_buffer(content.buf, content.len, COUNT_UTF8, &want);
	ck_assert_msg(run.jobs[i].stage == STAGE_NONE, "stage %u: %s",
		      run.jobs[i].stage, run.jobs[i].msg);
	ck_assert_uint_eq(run.jobs[i].counts.words, want.words);
	ck_assert_uint_eq(run.jobs[i].counts.bytes, want.bytes);
	ck_assert_uint_eq(run.jobs[i].counts.chars, want.chars);
	ck_assert_uint_eq(run.jobs[i].found, FOUND_COMPRESSED);
	ck_assert_uint_eq(run.jobs[i].counts.flags & ~COUNT_F_INVALID_UTF8, 0);
	ck_assert_uint_eq(run.jobs[i].meta.size, (uint64_t)sb.st_size);
	strbuf_release(&content);
	strbuf_release(&path);
	free_run(&run);
}
END_TEST

static Suite *pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc;

	tc = add_tcase(s, "counting", 60);
	scratch_fixtures(tc, "test_pool", NULL, teardown);
	tcase_add_test(tc, test_counts_match);
	tcase_add_test(tc, test_ascii_flag);
	tcase_add_test(tc, test_concurrent_producer);
	tcase_add_test(tc, test_empty_queue);
	tcase_add_test(tc, test_failures);
	tcase_add_test(tc, test_open_failure_message);
	tcase_add_test(tc, test_long_path);
	tcase_add_loop_test(tc, test_replaced_since_walk, 0, 2);

	tc = add_tcase(s, "big_files", 120);
	scratch_fixtures(tc, "test_pool", NULL, teardown);
	tcase_add_test(tc, test_big_file_ranges);
	tcase_add_test(tc, test_big_file_one_worker);
	tcase_add_test(tc, test_big_file_shrank);
	tcase_add_test(tc, test_big_file_grew);
	tcase_add_test(tc, test_big_compressed_whole);

	tc = add_tcase(s, "isolation", 60);
	scratch_fixtures(tc, "test_pool", NULL, teardown);
	tcase_add_loop_test(tc, test_fault_isolated, 0, ARRAY_LEN(faults));
	tcase_add_test(tc, test_bad_exe);
	tcase_add_test(tc, test_watchdog_cap);
	tcase_add_test(tc, test_worker_exits);

	return s;
}

int main(void)
{
	exe = test_env("WCINDEX");
	return run_suite(pool_suite());
}
