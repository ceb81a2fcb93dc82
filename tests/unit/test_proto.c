/*
 * test_proto.c - unit tests of the scanner/worker protocol (src/proto.c).
 * Jobs and results are encoded with proto_begin/add/finish, sent through a
 * real pipe with write_all() and decoded with proto_read_frame() and the
 * record reader; every field must come back as it went in, including paths
 * holding newlines or bytes that are not UTF-8 and error messages of the
 * maximum length (longer ones are cut to PROTO_MAX_ERRMSG).  The framing
 * checks are exercised one by one: bad magic, unknown type, lengths above
 * PROTO_MAX_PAYLOAD or below 4, a payload cut short by end of file, record
 * counts that do not match the records, stray bytes, bad job paths, long
 * messages and unknown stages, and a clean end of file.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/format.h"
#include "proto.h"
#include "strbuf.h"
#include "util.h"
#include "capture.h"
#include "testmain.h"

/* Offsets inside a frame and inside its first result record. */
#define OFF_TYPE 4
#define OFF_LEN 8
#define OFF_COUNT 12
#define OFF_RECORD 16
#define RES_OFF_MSG_LEN (8 + 4 + 4 + 4 + 4 + 4 + 4 * 8 + 4 + 5 * 8)
/* id, flags, top_len, name_off, four identities, what was seen */
#define JOB_OFF_PATH_LEN (8 + 4 + 4 + 4 + 4 * 8 + 5 * 8)

/* ------------------------------------------------------- helpers ---- */

/*
 * A job for the len bytes of path, whose top is "/" and whose name follows
 * its last '/', with a place of values that all differ.
 */
static struct proto_job mkjob(uint64_t id, uint32_t flags, const char *path,
			      size_t len)
{
	const char *slash = memrchr(path, '/', len);
	struct proto_job job = {
		.id = id, .flags = flags, .path = path, .path_len = (uint32_t)len,
		.place = {
			.top_len = 1,
			.name_off = slash ? (uint32_t)(slash - path + 1) : 0,
			.top_dev = id + 11, .top_ino = UINT64_MAX - id,
			.dir_dev = id + 13, .dir_ino = (uint64_t)1 << 62,
			.seen = { id + 21, id + 22, id + 23,
				  -1500000000123456789LL, INT64_MAX - 1 },
		},
	};

	return job;
}

/*
 * Write len bytes into a fresh pipe, close its write end and return the
 * read end.  Everything the tests send fits in the pipe buffer.
 */
static int pipe_with(const void *buf, size_t len)
{
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_uint_le(len, 60000);
	ck_assert_int_eq(write_all(fds[1], buf, len), 0);
	close(fds[1]);
	return fds[0];
}

static void put32_at(struct strbuf *sb, size_t off, uint32_t v)
{
	ck_assert_uint_le(off + 4, sb->len);
	memcpy(sb->buf + off, &v, sizeof(v));
}

static void add32(struct strbuf *sb, uint32_t v)
{
	strbuf_add(sb, &v, sizeof(v));
}

/* A 12-byte header with arbitrary fields. */
static void raw_header(struct strbuf *sb, uint32_t magic, uint32_t type,
		       uint32_t len)
{
	strbuf_reset(sb);
	add32(sb, magic);
	add32(sb, type);
	add32(sb, len);
}

/*
 * Read one frame of bytes[0, len) from a pipe; expect proto_read_frame()
 * to fail and to say something containing want.  Returns its errno.
 */
static int expect_frame_error(const void *bytes, size_t len, const char *want)
{
	struct strbuf payload = STRBUF_INIT, err = STRBUF_INIT;
	struct capture cap;
	uint32_t type = 0;
	int fd = pipe_with(bytes, len), r, saved_errno;

	capture_start(&cap);
	errno = 0;
	r = proto_read_frame(fd, "peer", &type, &payload);
	saved_errno = errno;
	capture_end(&cap, &err);
	close(fd);
	ck_assert_msg(r == -1, "proto_read_frame returned %d, want -1", r);
	ck_assert_msg(strstr(err.buf, want) != NULL,
		      "error message '%s' does not mention '%s'", err.buf, want);
	ck_assert_msg(strstr(err.buf, "peer") != NULL,
		      "error message '%s' does not name the peer", err.buf);
	strbuf_release(&payload);
	strbuf_release(&err);
	return saved_errno;
}

/* Read the single frame in bytes through a pipe; it must be well formed. */
static void read_one_frame(const struct strbuf *bytes, uint32_t want_type,
			   struct strbuf *payload)
{
	uint32_t type = 0;
	int fd = pipe_with(bytes->buf, bytes->len);

	ck_assert_int_eq(proto_read_frame(fd, "peer", &type, payload), 1);
	ck_assert_uint_eq(type, want_type);
	ck_assert_uint_eq(payload->len, bytes->len - PROTO_HEADER_SIZE);
	/* and then a clean end of file */
	ck_assert_int_eq(proto_read_frame(fd, "peer", &type, payload), 0);
	close(fd);
}

/* ---------------------------------------------------- round trips ---- */

static const struct {
	uint64_t id;
	uint32_t flags;
	const char *path;
	size_t len;
} jobs[] = {
	{ 1, 0, "/a", 2 },
	{ 2, JOB_ASCII, "/dir/with\nnewline\n", 18 },
	{ UINT64_MAX, JOB_ASCII | JOB_FOLLOW, "/bad/\xff\xfe\x80utf8", 12 },
	{ 0, 0xffffffffu, "/tab\there/\xc3\xa9t\xc3\xa9", 15 },
	{ 1ull << 40, JOB_FOLLOW | JOB_FOLLOW_DIRS, "/x", 2 },
};

START_TEST(test_jobs_round_trip)
{
	struct proto_writer w = { STRBUF_INIT, 0 };
	struct strbuf payload = STRBUF_INIT;
	struct proto_reader rd;
	struct proto_job job;
	char *longpath = malloc(5000);

	ck_assert_ptr_nonnull(longpath);
	memset(longpath, 'p', 5000);
	longpath[0] = '/';

	proto_begin(&w, PROTO_JOBS);
	for (size_t i = 0; i < ARRAY_LEN(jobs); i++) {
		struct proto_job j = mkjob(jobs[i].id, jobs[i].flags,
					   jobs[i].path, jobs[i].len);

		ck_assert_uint_eq(strlen(jobs[i].path), jobs[i].len);
		proto_add_job(&w, &j);
	}
	job = mkjob(42, 0, longpath, 5000);
	proto_add_job(&w, &job);
	proto_finish(&w);
	ck_assert_uint_eq(w.count, ARRAY_LEN(jobs) + 1);

	read_one_frame(&w.buf, PROTO_JOBS, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	for (size_t i = 0; i < ARRAY_LEN(jobs); i++) {
		struct proto_job want = mkjob(jobs[i].id, jobs[i].flags,
					      jobs[i].path, jobs[i].len);

		memset(&job, 0, sizeof(job));
		ck_assert_int_eq(proto_next_job(&rd, &job), 1);
		ck_assert_uint_eq(job.id, jobs[i].id);
		ck_assert_uint_eq(job.flags, jobs[i].flags);
		ck_assert_uint_eq(job.path_len, jobs[i].len);
		ck_assert(!memcmp(job.path, jobs[i].path, jobs[i].len));
		ck_assert(!memcmp(&job.place, &want.place, sizeof(want.place)));
	}
	ck_assert_int_eq(proto_next_job(&rd, &job), 1);
	ck_assert_uint_eq(job.id, 42);
	ck_assert_uint_eq(job.path_len, 5000);
	ck_assert(!memcmp(job.path, longpath, 5000));
	/* the end, and it stays the end */
	ck_assert_int_eq(proto_next_job(&rd, &job), 0);
	ck_assert_int_eq(proto_next_job(&rd, &job), 0);

	free(longpath);
	strbuf_release(&payload);
	proto_writer_release(&w);
}
END_TEST

static void fill_result(struct proto_result *r, uint64_t id, const char *msg,
			uint32_t msg_len)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->err = (int32_t)(id % 7) - 3;		/* negative values too */
	r->stage = (uint32_t)(id % (STAGE_CRASH + 1));
	r->found = (uint32_t)(id % (FOUND_COMPRESSED + 1));
	r->format = (uint32_t)(id % FORMAT_NR);
	r->extracted = (uint32_t)(id & 1);
	r->counts.bytes = id * 1000003u + UINT64_C(0x100000000);
	r->counts.lines = id * 3 + 1;
	r->counts.words = UINT64_MAX - id;
	r->counts.chars = id << 33;
	r->counts.flags = (unsigned)(id & 3);
	r->meta.dev = UINT64_MAX - 1;
	r->meta.ino = id * 77 + 5;
	r->meta.size = (uint64_t)1 << 45;
	r->meta.mtime_ns = -1500000000123456789LL + (int64_t)id;	/* < 1970 */
	r->meta.ctime_ns = INT64_MAX - (int64_t)id;
	r->msg = msg;
	r->msg_len = msg_len;
}

static void assert_result_eq(const struct proto_result *want,
			     const struct proto_result *got, uint32_t msg_len)
{
	ck_assert_uint_eq(got->id, want->id);
	ck_assert_int_eq(got->err, want->err);
	ck_assert_uint_eq(got->stage, want->stage);
	ck_assert_uint_eq(got->found, want->found);
	ck_assert_uint_eq(got->format, want->format);
	ck_assert_uint_eq(got->extracted, want->extracted);
	ck_assert_uint_eq(got->counts.bytes, want->counts.bytes);
	ck_assert_uint_eq(got->counts.lines, want->counts.lines);
	ck_assert_uint_eq(got->counts.words, want->counts.words);
	ck_assert_uint_eq(got->counts.chars, want->counts.chars);
	ck_assert_uint_eq(got->counts.flags, want->counts.flags);
	ck_assert_uint_eq(got->meta.dev, want->meta.dev);
	ck_assert_uint_eq(got->meta.ino, want->meta.ino);
	ck_assert_uint_eq(got->meta.size, want->meta.size);
	ck_assert_int_eq(got->meta.mtime_ns, want->meta.mtime_ns);
	ck_assert_int_eq(got->meta.ctime_ns, want->meta.ctime_ns);
	ck_assert_uint_eq(got->msg_len, msg_len);
	ck_assert(!memcmp(got->msg, want->msg, msg_len));
}

START_TEST(test_results_round_trip)
{
	struct proto_writer w = { STRBUF_INIT, 0 };
	struct strbuf payload = STRBUF_INIT;
	struct proto_reader rd;
	struct proto_result want[6], got;
	char maxmsg[PROTO_MAX_ERRMSG], longmsg[PROTO_MAX_ERRMSG + 100];
	/* the message as sent, and its length as it must arrive */
	static const char binmsg[] = "open: \xff\n\x01 nul\0inside";

	for (size_t i = 0; i < sizeof(maxmsg); i++)
		maxmsg[i] = (char)('a' + i % 26);
	for (size_t i = 0; i < sizeof(longmsg); i++)
		longmsg[i] = (char)('A' + i % 26);

	fill_result(&want[0], 0, "", 0);
	fill_result(&want[1], 1, "open: No such file or directory", 31);
	fill_result(&want[2], 2, maxmsg, PROTO_MAX_ERRMSG);
	fill_result(&want[3], 3, longmsg, sizeof(longmsg));
	fill_result(&want[4], 4, binmsg, sizeof(binmsg) - 1);
	fill_result(&want[5], 5, "worker killed by signal 6", 25);
	want[5].stage = STAGE_CRASH;

	proto_begin(&w, PROTO_RESULTS);
	for (size_t i = 0; i < ARRAY_LEN(want); i++)
		proto_add_result(&w, &want[i]);
	proto_finish(&w);

	read_one_frame(&w.buf, PROTO_RESULTS, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		uint32_t len = want[i].msg_len;

		if (len > PROTO_MAX_ERRMSG)
			len = PROTO_MAX_ERRMSG;	/* cut, not refused */
		memset(&got, 0xa5, sizeof(got));
		ck_assert_int_eq(proto_next_result(&rd, &got), 1);
		assert_result_eq(&want[i], &got, len);
	}
	ck_assert_int_eq(proto_next_result(&rd, &got), 0);

	strbuf_release(&payload);
	proto_writer_release(&w);
}
END_TEST

/* Several frames back to back on one descriptor, then end of file. */
START_TEST(test_frames_in_sequence)
{
	struct proto_writer w = { STRBUF_INIT, 0 };
	struct strbuf all = STRBUF_INIT, payload = STRBUF_INIT;
	struct proto_reader rd;
	struct proto_job job = mkjob(7, 0, "/one", 4);
	struct proto_result res, got;
	uint32_t type;
	int fd;

	proto_begin(&w, PROTO_JOBS);
	proto_add_job(&w, &job);
	proto_finish(&w);
	strbuf_add(&all, w.buf.buf, w.buf.len);

	/* the writer is reused: the second frame must not carry the job */
	fill_result(&res, 7, "m", 1);
	proto_begin(&w, PROTO_RESULTS);
	proto_add_result(&w, &res);
	proto_finish(&w);
	ck_assert_uint_eq(w.count, 1);
	strbuf_add(&all, w.buf.buf, w.buf.len);

	/* an empty frame: a count of zero and nothing else */
	proto_begin(&w, PROTO_JOBS);
	proto_finish(&w);
	ck_assert_uint_eq(w.buf.len, PROTO_HEADER_SIZE + 4);
	strbuf_add(&all, w.buf.buf, w.buf.len);

	fd = pipe_with(all.buf, all.len);
	ck_assert_int_eq(proto_read_frame(fd, "peer", &type, &payload), 1);
	ck_assert_uint_eq(type, PROTO_JOBS);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	ck_assert_int_eq(proto_next_job(&rd, &job), 1);
	ck_assert_uint_eq(job.id, 7);
	ck_assert_uint_eq(job.path_len, 4);
	ck_assert(!memcmp(job.path, "/one", 4));
	ck_assert_int_eq(proto_next_job(&rd, &job), 0);

	ck_assert_int_eq(proto_read_frame(fd, "peer", &type, &payload), 1);
	ck_assert_uint_eq(type, PROTO_RESULTS);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	ck_assert_int_eq(proto_next_result(&rd, &got), 1);
	assert_result_eq(&res, &got, 1);
	ck_assert_int_eq(proto_next_result(&rd, &got), 0);

	ck_assert_int_eq(proto_read_frame(fd, "peer", &type, &payload), 1);
	ck_assert_uint_eq(type, PROTO_JOBS);
	ck_assert_uint_eq(payload.len, 4);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	ck_assert_int_eq(proto_next_job(&rd, &job), 0);

	ck_assert_int_eq(proto_read_frame(fd, "peer", &type, &payload), 0);
	close(fd);
	strbuf_release(&all);
	strbuf_release(&payload);
	proto_writer_release(&w);
}
END_TEST

/* The header is what the protocol description says, byte for byte. */
START_TEST(test_header_layout)
{
	struct proto_writer w = { STRBUF_INIT, 0 };
	struct proto_job job = mkjob(1, 0, "/ab", 3);
	uint32_t v;

	proto_begin(&w, PROTO_JOBS);
	proto_add_job(&w, &job);
	proto_add_job(&w, &job);
	proto_finish(&w);
	ck_assert(!memcmp(w.buf.buf, "WCIX", 4));
	memcpy(&v, w.buf.buf + OFF_TYPE, 4);
	ck_assert_uint_eq(v, PROTO_JOBS);
	memcpy(&v, w.buf.buf + OFF_LEN, 4);
	ck_assert_uint_eq(v, w.buf.len - PROTO_HEADER_SIZE);
	ck_assert_uint_eq(v, 4 + 2 * (JOB_OFF_PATH_LEN + 4 + 8 + 8 + 3));
	memcpy(&v, w.buf.buf + OFF_COUNT, 4);
	ck_assert_uint_eq(v, 2);
	proto_writer_release(&w);
}
END_TEST

START_TEST(test_clean_eof)
{
	struct strbuf payload = STRBUF_INIT;
	uint32_t type = 12345;
	int fd = pipe_with("", 0);

	ck_assert_int_eq(proto_read_frame(fd, "peer", &type, &payload), 0);
	ck_assert_uint_eq(type, 12345);		/* untouched */
	close(fd);
	strbuf_release(&payload);
}
END_TEST

/* ------------------------------------------------ framing errors ---- */

START_TEST(test_bad_magic)
{
	struct strbuf sb = STRBUF_INIT;

	raw_header(&sb, 0x58494358u, PROTO_JOBS, 4);	/* "XCIX" */
	add32(&sb, 0);
	expect_frame_error(sb.buf, sb.len, "bad magic");
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_unknown_type)
{
	static const uint32_t bad[] = { 0, PROTO_MEMBERS + 1, 0x100, 0xffffffffu };
	struct strbuf sb = STRBUF_INIT;

	raw_header(&sb, PROTO_MAGIC, bad[_i], 4);
	add32(&sb, 0);
	expect_frame_error(sb.buf, sb.len, "unknown frame type");
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_bad_length)
{
	static const uint32_t bad[] = {
		0, 1, 3, PROTO_MAX_PAYLOAD + 1, 0x80000000u, 0xffffffffu,
	};
	struct strbuf sb = STRBUF_INIT;

	/* only the header: a huge length must be refused before any read */
	raw_header(&sb, PROTO_MAGIC, PROTO_RESULTS, bad[_i]);
	add32(&sb, 0);
	expect_frame_error(sb.buf, sb.len, "bad frame length");
	strbuf_release(&sb);
}
END_TEST

/* Writes a frame of PROTO_MAX_PAYLOAD bytes as the pipe drains. */
struct big_writer {
	int fd;
	int ret;
};

static void *write_big_frame(void *arg)
{
	struct big_writer *bw = arg;
	struct strbuf sb = STRBUF_INIT;
	char *big = calloc(1, PROTO_MAX_PAYLOAD);

	raw_header(&sb, PROTO_MAGIC, PROTO_JOBS, PROTO_MAX_PAYLOAD);
	bw->ret = !big || write_all(bw->fd, sb.buf, sb.len) ||
		  write_all(bw->fd, big, PROTO_MAX_PAYLOAD) ? -1 : 0;
	close(bw->fd);
	free(big);
	strbuf_release(&sb);
	return NULL;
}

/* The boundaries themselves are accepted. */
START_TEST(test_length_limits_accepted)
{
	struct strbuf sb = STRBUF_INIT, payload = STRBUF_INIT;
	struct big_writer bw;
	pthread_t tid;
	uint32_t type;
	int fds[2];

	raw_header(&sb, PROTO_MAGIC, PROTO_JOBS, 4);
	add32(&sb, 0);
	read_one_frame(&sb, PROTO_JOBS, &payload);
	ck_assert_uint_eq(payload.len, 4);

	ck_assert_int_eq(pipe(fds), 0);
	bw.fd = fds[1];
	bw.ret = 1;
	ck_assert_int_eq(pthread_create(&tid, NULL, write_big_frame, &bw), 0);
	ck_assert_int_eq(proto_read_frame(fds[0], "peer", &type, &payload), 1);
	ck_assert_uint_eq(type, PROTO_JOBS);
	ck_assert_uint_eq(payload.len, PROTO_MAX_PAYLOAD);
	ck_assert_int_eq(proto_read_frame(fds[0], "peer", &type, &payload), 0);
	ck_assert_int_eq(pthread_join(tid, NULL), 0);
	ck_assert_int_eq(bw.ret, 0);
	close(fds[0]);
	strbuf_release(&sb);
	strbuf_release(&payload);
}
END_TEST

START_TEST(test_truncated_payload)
{
	struct proto_writer w = { STRBUF_INIT, 0 };
	struct proto_job job = mkjob(1, 0, "/some/path", 10);

	proto_begin(&w, PROTO_JOBS);
	proto_add_job(&w, &job);
	proto_finish(&w);
	/* end of file in the middle of the payload */
	ck_assert_int_eq(expect_frame_error(w.buf.buf, w.buf.len - 5,
					    "truncated frame"), EPROTO);
	/* end of file right after the header */
	ck_assert_int_eq(expect_frame_error(w.buf.buf, PROTO_HEADER_SIZE,
					    "truncated frame"), EPROTO);
	proto_writer_release(&w);
}
END_TEST

/* End of file inside the header is an error too, not a clean end. */
START_TEST(test_truncated_header)
{
	struct strbuf sb = STRBUF_INIT;

	raw_header(&sb, PROTO_MAGIC, PROTO_JOBS, 4);
	ck_assert_int_eq(expect_frame_error(sb.buf, 5, "cannot read from peer"),
			 EPROTO);
	expect_frame_error(sb.buf, PROTO_HEADER_SIZE - 1, "cannot read from peer");
	strbuf_release(&sb);
}
END_TEST

/* ------------------------------------------------- record errors ---- */

/* Decode the frame in w (already finished) with the reader. */
static void frame_to_payload(const struct proto_writer *w, struct strbuf *payload)
{
	strbuf_reset(payload);
	strbuf_add(payload, w->buf.buf + PROTO_HEADER_SIZE,
		   w->buf.len - PROTO_HEADER_SIZE);
}

/* Call a reader step with stderr captured; it must fail mentioning want. */
#define EXPECT_RECORD_ERROR(call, want) do {				\
	struct capture cap_;						\
	struct strbuf err_ = STRBUF_INIT;				\
	int r_;								\
									\
	capture_start(&cap_);						\
	r_ = (call);							\
	capture_end(&cap_, &err_);					\
	ck_assert_msg(r_ == -1, #call " returned %d, want -1", r_);	\
	ck_assert_msg(strstr(err_.buf, (want)) != NULL,			\
		      "error '%s' does not mention '%s'", err_.buf, (want)); \
	strbuf_release(&err_);						\
} while (0)

START_TEST(test_count_larger_than_records)
{
	struct proto_writer w = { STRBUF_INIT, 0 };
	struct strbuf payload = STRBUF_INIT;
	struct proto_reader rd;
	struct proto_job job = mkjob(1, 0, "/a", 2);
	struct proto_result res;

	proto_begin(&w, PROTO_JOBS);
	proto_add_job(&w, &job);
	proto_add_job(&w, &job);
	proto_finish(&w);
	put32_at(&w.buf, OFF_COUNT, 3);
	read_one_frame(&w.buf, PROTO_JOBS, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	ck_assert_int_eq(proto_next_job(&rd, &job), 1);
	ck_assert_int_eq(proto_next_job(&rd, &job), 1);
	EXPECT_RECORD_ERROR(proto_next_job(&rd, &job), "truncated job");

	/* the same for results */
	fill_result(&res, 9, "msg", 3);
	proto_begin(&w, PROTO_RESULTS);
	proto_add_result(&w, &res);
	proto_finish(&w);
	put32_at(&w.buf, OFF_COUNT, 0xffffffffu);
	frame_to_payload(&w, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	ck_assert_int_eq(proto_next_result(&rd, &res), 1);
	EXPECT_RECORD_ERROR(proto_next_result(&rd, &res), "truncated result");

	strbuf_release(&payload);
	proto_writer_release(&w);
}
END_TEST

START_TEST(test_stray_trailing_bytes)
{
	struct proto_writer w = { STRBUF_INIT, 0 };
	struct strbuf payload = STRBUF_INIT;
	struct proto_reader rd;
	const struct proto_job src = mkjob(1, 0, "/a", 2);
	struct proto_job job;
	struct proto_result res;

	/* one record and three extra bytes */
	proto_begin(&w, PROTO_JOBS);
	proto_add_job(&w, &src);
	strbuf_add(&w.buf, "xyz", 3);
	proto_finish(&w);
	read_one_frame(&w.buf, PROTO_JOBS, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	ck_assert_int_eq(proto_next_job(&rd, &job), 1);
	EXPECT_RECORD_ERROR(proto_next_job(&rd, &job), "3 stray bytes");

	/* a count smaller than the records present */
	proto_begin(&w, PROTO_RESULTS);
	fill_result(&res, 1, "", 0);
	proto_add_result(&w, &res);
	proto_add_result(&w, &res);
	proto_finish(&w);
	put32_at(&w.buf, OFF_COUNT, 1);
	frame_to_payload(&w, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	ck_assert_int_eq(proto_next_result(&rd, &res), 1);
	EXPECT_RECORD_ERROR(proto_next_result(&rd, &res), "stray bytes");

	/* a count of zero with a record after it */
	proto_begin(&w, PROTO_JOBS);
	proto_add_job(&w, &src);
	proto_finish(&w);
	put32_at(&w.buf, OFF_COUNT, 0);
	frame_to_payload(&w, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	EXPECT_RECORD_ERROR(proto_next_job(&rd, &job), "stray bytes");

	strbuf_release(&payload);
	proto_writer_release(&w);
}
END_TEST

START_TEST(test_payload_without_count)
{
	struct strbuf payload = STRBUF_INIT;
	struct proto_reader rd;

	strbuf_add(&payload, "\1\0\0", 3);
	EXPECT_RECORD_ERROR(proto_reader_init(&rd, &payload), "record count");
	strbuf_release(&payload);
}
END_TEST

START_TEST(test_job_bad_path)
{
	struct proto_writer w = { STRBUF_INIT, 0 };
	struct strbuf payload = STRBUF_INIT;
	struct proto_reader rd;
	struct proto_job empty = mkjob(1, 0, "", 0);
	struct proto_job nul = mkjob(2, 0, "/a\0bc", 5);
	struct proto_job trailing_nul = mkjob(3, 0, "/a\0", 3);
	struct proto_job job;

	proto_begin(&w, PROTO_JOBS);
	proto_add_job(&w, &empty);
	proto_finish(&w);
	frame_to_payload(&w, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	EXPECT_RECORD_ERROR(proto_next_job(&rd, &job), "bad path");

	proto_begin(&w, PROTO_JOBS);
	proto_add_job(&w, &nul);
	proto_finish(&w);
	frame_to_payload(&w, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	EXPECT_RECORD_ERROR(proto_next_job(&rd, &job), "bad path");

	proto_begin(&w, PROTO_JOBS);
	proto_add_job(&w, &trailing_nul);
	proto_finish(&w);
	frame_to_payload(&w, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	EXPECT_RECORD_ERROR(proto_next_job(&rd, &job), "bad path");

	strbuf_release(&payload);
	proto_writer_release(&w);
}
END_TEST

/*
 * The place must say where the top ends and the name starts, in that
 * order, with a '/' before the name and none in it; a relative path is no
 * path.
 */
START_TEST(test_job_bad_place)
{
	struct proto_writer w = { STRBUF_INIT, 0 };
	struct strbuf payload = STRBUF_INIT;
	struct proto_reader rd;
	struct proto_job bad[7], job;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		bad[i] = mkjob(i, 0, "/top/dir/name", 13);
	bad[0].place.top_len = 0;
	bad[1].place.top_len = 11;		/* past the name's start */
	bad[2].place.name_off = 13;		/* an empty name */
	bad[3].place.name_off = 14;		/* past the end */
	bad[4].place.name_off = 10;		/* "ame": no '/' before it */
	bad[5].place.name_off = 5;		/* "dir/name" */
	bad[6] = mkjob(6, 0, "top/name", 8);	/* relative */
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		proto_begin(&w, PROTO_JOBS);
		proto_add_job(&w, &bad[i]);
		proto_finish(&w);
		frame_to_payload(&w, &payload);
		ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
		EXPECT_RECORD_ERROR(proto_next_job(&rd, &job),
				    i == 6 ? "bad path" : "bad place");
	}
	/* the unspoiled one, and a file right below "/" */
	job = mkjob(7, 0, "/top/dir/name", 13);
	proto_begin(&w, PROTO_JOBS);
	proto_add_job(&w, &job);
	job = mkjob(8, 0, "/f", 2);
	proto_add_job(&w, &job);
	proto_finish(&w);
	frame_to_payload(&w, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	ck_assert_int_eq(proto_next_job(&rd, &job), 1);
	ck_assert_uint_eq(job.place.name_off, 9);
	ck_assert_int_eq(proto_next_job(&rd, &job), 1);
	ck_assert_uint_eq(job.place.name_off, 1);
	strbuf_release(&payload);
	proto_writer_release(&w);
}
END_TEST

/* A path length pointing past the end of the payload. */
START_TEST(test_job_path_overruns)
{
	struct proto_writer w = { STRBUF_INIT, 0 };
	struct strbuf payload = STRBUF_INIT;
	struct proto_reader rd;
	struct proto_job job = mkjob(1, 0, "/abc", 4);

	proto_begin(&w, PROTO_JOBS);
	proto_add_job(&w, &job);
	proto_finish(&w);
	put32_at(&w.buf, OFF_RECORD + JOB_OFF_PATH_LEN, 5);
	frame_to_payload(&w, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	EXPECT_RECORD_ERROR(proto_next_job(&rd, &job), "truncated job");

	put32_at(&w.buf, OFF_RECORD + JOB_OFF_PATH_LEN, 0xffffffffu);
	frame_to_payload(&w, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	EXPECT_RECORD_ERROR(proto_next_job(&rd, &job), "truncated job");

	strbuf_release(&payload);
	proto_writer_release(&w);
}
END_TEST

START_TEST(test_result_long_message)
{
	struct proto_writer w = { STRBUF_INIT, 0 };
	struct strbuf payload = STRBUF_INIT;
	struct proto_reader rd;
	struct proto_result res;
	char msg[PROTO_MAX_ERRMSG + 1];

	memset(msg, 'm', sizeof(msg));
	fill_result(&res, 1, msg, PROTO_MAX_ERRMSG);
	proto_begin(&w, PROTO_RESULTS);
	proto_add_result(&w, &res);
	/* forge one more byte of message than the protocol allows */
	strbuf_addch(&w.buf, 'm');
	proto_finish(&w);
	put32_at(&w.buf, OFF_RECORD + RES_OFF_MSG_LEN, PROTO_MAX_ERRMSG + 1);
	read_one_frame(&w.buf, PROTO_RESULTS, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	EXPECT_RECORD_ERROR(proto_next_result(&rd, &res), "truncated result");

	/* the unforged frame is fine: the offset used above is right */
	proto_begin(&w, PROTO_RESULTS);
	fill_result(&res, 1, msg, PROTO_MAX_ERRMSG);
	proto_add_result(&w, &res);
	proto_finish(&w);
	frame_to_payload(&w, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	ck_assert_int_eq(proto_next_result(&rd, &res), 1);
	ck_assert_uint_eq(res.msg_len, PROTO_MAX_ERRMSG);

	strbuf_release(&payload);
	proto_writer_release(&w);
}
END_TEST

/* The payload of a finished frame, without going through a pipe. */
static void frame_payload(const struct proto_writer *w, struct strbuf *payload)
{
	strbuf_reset(payload);
	strbuf_add(payload, w->buf.buf + PROTO_HEADER_SIZE,
		   w->buf.len - PROTO_HEADER_SIZE);
}

/* The record of m, its last cut bytes dropped, is refused with want. */
static void expect_bad_member(const struct proto_member *m, size_t cut,
			      const char *want)
{
	struct proto_writer w = { STRBUF_INIT, 0 };
	struct strbuf payload = STRBUF_INIT;
	struct proto_reader rd;
	struct proto_member got;

	proto_begin(&w, PROTO_MEMBERS);
	proto_add_member(&w, m);
	strbuf_setlen(&w.buf, w.buf.len - cut);
	proto_finish(&w);
	frame_payload(&w, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	EXPECT_RECORD_ERROR(proto_next_member(&rd, &got), want);
	strbuf_release(&payload);
	proto_writer_release(&w);
}

/*
 * Archive members: opaque names (newlines, invalid UTF-8, the longest
 * allowed), link targets, messages and the compressed flag survive a pipe
 * byte for byte; a name over the limit, a bad kind or flag and a cut record
 * are refused.
 */
START_TEST(test_members_round_trip)
{
	struct proto_writer w = { STRBUF_INIT, 0 };
	struct strbuf payload = STRBUF_INIT, longname = STRBUF_INIT;
	struct proto_reader rd;
	struct proto_member want[3], got;

	for (size_t i = 0; i < PROTO_MAX_MEMBER_NAME; i++)
		strbuf_addch(&longname, 'a' + (char)(i % 26));
	memset(want, 0, sizeof(want));
	want[0].id = 9;
	want[0].name = "../../etc/passwd\n\xff";
	want[0].name_len = 19;
	want[0].counts.bytes = 10;
	want[0].counts.words = 2;
	want[0].counts.flags = COUNT_F_INVALID_UTF8;
	want[0].flags = PROTO_MEMBER_COMPRESSED | PROTO_MEMBER_NAME_CUT |
			PROTO_MEMBER_DOCUMENT;
	want[0].format = FORMAT_DOCX;
	want[0].mtime_ns = -5;
	want[1].id = 9;
	want[1].kind = 1;	/* a link */
	want[1].name = "link";
	want[1].name_len = 4;
	want[1].msg = "/etc/passwd";
	want[1].msg_len = 11;
	want[2].id = 10;
	want[2].status = 1;	/* a limit */
	want[2].name = longname.buf;
	want[2].name_len = (uint32_t)longname.len;
	want[2].msg = "member larger than 1000 bytes";
	want[2].msg_len = 29;

	proto_begin(&w, PROTO_MEMBERS);
	for (size_t i = 0; i < ARRAY_LEN(want); i++)
		proto_add_member(&w, &want[i]);
	proto_finish(&w);
	frame_payload(&w, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		ck_assert_int_eq(proto_next_member(&rd, &got), 1);
		ck_assert_uint_eq(got.id, want[i].id);
		ck_assert_uint_eq(got.kind, want[i].kind);
		ck_assert_uint_eq(got.status, want[i].status);
		ck_assert_uint_eq(got.flags, want[i].flags);
		ck_assert_uint_eq(got.format, want[i].format);
		ck_assert_uint_eq(got.counts.bytes, want[i].counts.bytes);
		ck_assert_uint_eq(got.counts.words, want[i].counts.words);
		ck_assert_uint_eq(got.counts.flags, want[i].counts.flags);
		ck_assert_int_eq(got.mtime_ns, want[i].mtime_ns);
		ck_assert_uint_eq(got.name_len, want[i].name_len);
		ck_assert_int_eq(memcmp(got.name, want[i].name, got.name_len), 0);
		ck_assert_uint_eq(got.msg_len, want[i].msg_len);
		ck_assert(!got.msg_len ||
			  !memcmp(got.msg, want[i].msg, got.msg_len));
	}
	ck_assert_int_eq(proto_next_member(&rd, &got), 0);

	/* a name one byte over the limit */
	strbuf_addch(&longname, 'z');
	want[2].name = longname.buf;
	want[2].name_len = (uint32_t)longname.len;
	expect_bad_member(&want[2], 0, "truncated member");

	/* an unknown kind, an unknown flag */
	want[0].kind = 3;
	expect_bad_member(&want[0], 0, "bad member kind");
	want[0].kind = 0;
	want[0].flags = 0x8;
	expect_bad_member(&want[0], 0, "bad member kind");
	/* a format no build has */
	want[0].flags = 0;
	want[0].format = FORMAT_NR;
	expect_bad_member(&want[0], 0, "bad member kind");
	want[0].format = FORMAT_TEXT;

	/* a record cut short */
	want[0].flags = PROTO_MEMBER_COMPRESSED;
	expect_bad_member(&want[0], 3, "truncated member");

	strbuf_release(&payload);
	strbuf_release(&longname);
	proto_writer_release(&w);
}
END_TEST

START_TEST(test_result_unknown_stage)
{
	struct proto_writer w = { STRBUF_INIT, 0 };
	struct strbuf payload = STRBUF_INIT;
	struct proto_reader rd;
	struct proto_result res;

	fill_result(&res, 1, "x", 1);
	res.stage = STAGE_REPLACED + 1;
	proto_begin(&w, PROTO_RESULTS);
	proto_add_result(&w, &res);
	proto_finish(&w);
	frame_to_payload(&w, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	EXPECT_RECORD_ERROR(proto_next_result(&rd, &res), "unknown stage 10");

	fill_result(&res, 1, "x", 1);
	res.stage = 0xffffffffu;
	proto_begin(&w, PROTO_RESULTS);
	proto_add_result(&w, &res);
	proto_finish(&w);
	frame_to_payload(&w, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	EXPECT_RECORD_ERROR(proto_next_result(&rd, &res), "unknown stage");

	fill_result(&res, 1, "x", 1);
	res.found = FOUND_COMPRESSED + 1;
	proto_begin(&w, PROTO_RESULTS);
	proto_add_result(&w, &res);
	proto_finish(&w);
	frame_to_payload(&w, &payload);
	ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
	EXPECT_RECORD_ERROR(proto_next_result(&rd, &res), "unknown kind of file 3");

	strbuf_release(&payload);
	proto_writer_release(&w);
}
END_TEST

/* A result record cut anywhere is refused, never read past the end. */
START_TEST(test_result_cut_anywhere)
{
	struct proto_writer w = { STRBUF_INIT, 0 };
	struct strbuf payload = STRBUF_INIT;
	struct proto_reader rd;
	struct proto_result res;
	size_t full;

	fill_result(&res, 3, "message", 7);
	proto_begin(&w, PROTO_RESULTS);
	proto_add_result(&w, &res);
	proto_finish(&w);
	full = w.buf.len - PROTO_HEADER_SIZE;
	for (size_t cut = 4; cut < full; cut++) {
		/* a fresh heap copy, so that valgrind sees any overrun */
		strbuf_release(&payload);
		strbuf_add(&payload, w.buf.buf + PROTO_HEADER_SIZE, cut);
		ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
		EXPECT_RECORD_ERROR(proto_next_result(&rd, &res), "truncated result");
	}
	strbuf_release(&payload);
	proto_writer_release(&w);
}
END_TEST

/* A range job keeps its range; a range that makes no sense is refused. */
START_TEST(test_job_ranges)
{
	static const struct {
		uint64_t offset, length;
		int ok;
	} cases[] = {
		{ 0, 0, 1 },			/* the whole file */
		{ 0, 16 << 20, 1 },
		{ 1ull << 40, UINT64_MAX - (1ull << 40), 1 },	/* to the end */
		{ 5, 0, 0 },			/* an offset without a range */
		{ 1ull << 40, UINT64_MAX, 0 },	/* wraps around */
	};
	struct proto_writer w = { STRBUF_INIT, 0 };
	struct strbuf payload = STRBUF_INIT;
	struct proto_reader rd;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct proto_job job = mkjob(7, JOB_ASCII, "/big", 4);

		job.offset = cases[i].offset;
		job.length = cases[i].length;
		proto_begin(&w, PROTO_JOBS);
		proto_add_job(&w, &job);
		proto_finish(&w);
		frame_to_payload(&w, &payload);
		ck_assert_int_eq(proto_reader_init(&rd, &payload), 0);
		memset(&job, 0, sizeof(job));
		if (!cases[i].ok) {
			EXPECT_RECORD_ERROR(proto_next_job(&rd, &job), "bad range");
			continue;
		}
		ck_assert_int_eq(proto_next_job(&rd, &job), 1);
		ck_assert_uint_eq(job.offset, cases[i].offset);
		ck_assert_uint_eq(job.length, cases[i].length);
		ck_assert_uint_eq(job.flags, JOB_ASCII);
		ck_assert(!memcmp(job.path, "/big", 4));
	}
	strbuf_release(&payload);
	proto_writer_release(&w);
}
END_TEST

static Suite *proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *tc;

	tc = add_tcase(s, "round_trip", 0);
	tcase_add_test(tc, test_jobs_round_trip);
	tcase_add_test(tc, test_results_round_trip);
	tcase_add_test(tc, test_frames_in_sequence);
	tcase_add_test(tc, test_header_layout);
	tcase_add_test(tc, test_clean_eof);

	tc = add_tcase(s, "framing", 30);
	tcase_add_test(tc, test_bad_magic);
	tcase_add_loop_test(tc, test_unknown_type, 0, 4);
	tcase_add_loop_test(tc, test_bad_length, 0, 6);
	tcase_add_test(tc, test_length_limits_accepted);
	tcase_add_test(tc, test_truncated_payload);
	tcase_add_test(tc, test_truncated_header);

	tc = add_tcase(s, "records", 0);
	tcase_add_test(tc, test_count_larger_than_records);
	tcase_add_test(tc, test_stray_trailing_bytes);
	tcase_add_test(tc, test_payload_without_count);
	tcase_add_test(tc, test_job_bad_path);
	tcase_add_test(tc, test_job_bad_place);
	tcase_add_test(tc, test_job_path_overruns);
	tcase_add_test(tc, test_job_ranges);
	tcase_add_test(tc, test_result_long_message);
	tcase_add_test(tc, test_result_unknown_stage);
	tcase_add_test(tc, test_members_round_trip);
	tcase_add_test(tc, test_result_cut_anywhere);

	return s;
}

int main(void)
{
	return run_suite(proto_suite());
}
