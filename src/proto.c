/*
 * proto.c - encoding and checked decoding of the scanner/worker frames.
 * Both ends run the same binary on the same machine, so integers travel in
 * host order; what is checked is the framing, because a confused or
 * compromised worker must never make the scanner read out of bounds.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "formats/format.h"
#include "proto.h"
#include "util.h"

static void put32(struct strbuf *sb, uint32_t v)
{
	strbuf_add(sb, &v, sizeof(v));
}

static void put64(struct strbuf *sb, uint64_t v)
{
	strbuf_add(sb, &v, sizeof(v));
}

void proto_begin(struct proto_writer *w, enum proto_type type)
{
	strbuf_reset(&w->buf);
	put32(&w->buf, PROTO_MAGIC);
	put32(&w->buf, (uint32_t)type);
	put32(&w->buf, 0);	/* payload length, patched by proto_finish() */
	put32(&w->buf, 0);	/* record count, likewise */
	w->count = 0;
}

static void put_meta(struct proto_writer *w, const struct file_meta *m)
{
	put64(&w->buf, m->dev);
	put64(&w->buf, m->ino);
	put64(&w->buf, m->size);
	put64(&w->buf, (uint64_t)m->mtime_ns);
	put64(&w->buf, (uint64_t)m->ctime_ns);
}

void proto_add_job(struct proto_writer *w, const struct proto_job *job)
{
	const struct file_place *pl = &job->place;

	put64(&w->buf, job->id);
	put32(&w->buf, job->flags);
	put32(&w->buf, pl->top_len);
	put32(&w->buf, pl->name_off);
	put64(&w->buf, pl->top_dev);
	put64(&w->buf, pl->top_ino);
	put64(&w->buf, pl->dir_dev);
	put64(&w->buf, pl->dir_ino);
	put_meta(w, &pl->seen);
	put32(&w->buf, job->path_len);
	put64(&w->buf, job->offset);
	put64(&w->buf, job->length);
	strbuf_add(&w->buf, job->path, job->path_len);
	w->count++;
}

static void put_counts(struct proto_writer *w, const struct counts *c)
{
	put64(&w->buf, c->bytes);
	put64(&w->buf, c->lines);
	put64(&w->buf, c->words);
	put64(&w->buf, c->chars);
	put32(&w->buf, c->flags);
}

/* A length and that many bytes, the message cut to PROTO_MAX_ERRMSG. */
static void put_msg(struct proto_writer *w, const char *msg, uint32_t len)
{
	if (len > PROTO_MAX_ERRMSG)
		len = PROTO_MAX_ERRMSG;
	put32(&w->buf, len);
	strbuf_add(&w->buf, msg, len);
}

void proto_add_result(struct proto_writer *w, const struct proto_result *res)
{
	put64(&w->buf, res->id);
	put32(&w->buf, (uint32_t)res->err);
	put32(&w->buf, res->stage);
	put32(&w->buf, res->found);
	put32(&w->buf, res->format);
	put32(&w->buf, res->extracted);
	put_counts(w, &res->counts);
	put_meta(w, &res->meta);
	put_msg(w, res->msg, res->msg_len);
	w->count++;
}

void proto_add_member(struct proto_writer *w, const struct proto_member *m)
{
	put64(&w->buf, m->id);
	put32(&w->buf, m->kind);
	put32(&w->buf, m->status);
	put32(&w->buf, m->flags);
	put32(&w->buf, m->format);
	put_counts(w, &m->counts);
	put64(&w->buf, (uint64_t)m->mtime_ns);
	put32(&w->buf, m->name_len);
	strbuf_add(&w->buf, m->name, m->name_len);
	put_msg(w, m->msg, m->msg_len);
	w->count++;
}

void proto_finish(struct proto_writer *w)
{
	uint32_t len = (uint32_t)(w->buf.len - PROTO_HEADER_SIZE);

	memcpy(w->buf.buf + 8, &len, sizeof(len));
	memcpy(w->buf.buf + 12, &w->count, sizeof(w->count));
}

void proto_writer_release(struct proto_writer *w)
{
	strbuf_release(&w->buf);
}

int proto_read_frame(int fd, const char *who, uint32_t *type,
		     struct strbuf *payload)
{
	uint32_t hdr[3];
	int r = read_exact(fd, hdr, sizeof(hdr));

	if (r == 0)
		return 0;
	if (r < 0)
		return error_errno("cannot read from %s", who);
	if (hdr[0] != PROTO_MAGIC)
		return error("protocol error from %s: bad magic 0x%08x",
			     who, hdr[0]);
	if (hdr[1] != PROTO_JOBS && hdr[1] != PROTO_RESULTS &&
	    hdr[1] != PROTO_MEMBERS)
		return error("protocol error from %s: unknown frame type %u",
			     who, hdr[1]);
	if (hdr[2] < 4 || hdr[2] > PROTO_MAX_PAYLOAD)
		return error("protocol error from %s: bad frame length %u",
			     who, hdr[2]);
	strbuf_reset(payload);
	strbuf_grow(payload, hdr[2]);
	r = read_exact(fd, payload->buf, hdr[2]);
	if (r <= 0) {
		if (r == 0)
			errno = EPROTO;
		return error_errno("truncated frame from %s", who);
	}
	strbuf_setlen(payload, hdr[2]);
	*type = hdr[1];
	return 1;
}

/* The next n bytes of the record into v; -1 when fewer are left. */
static int get_raw(struct proto_reader *rd, void *v, size_t n)
{
	if ((size_t)(rd->end - rd->p) < n)
		return -1;
	memcpy(v, rd->p, n);
	rd->p += n;
	return 0;
}

static int get32(struct proto_reader *rd, uint32_t *v)
{
	return get_raw(rd, v, sizeof(*v));
}

static int get64(struct proto_reader *rd, uint64_t *v)
{
	return get_raw(rd, v, sizeof(*v));
}

static int get_bytes(struct proto_reader *rd, uint32_t len, const char **out)
{
	if ((size_t)(rd->end - rd->p) < len)
		return -1;
	*out = (const char *)rd->p;
	rd->p += len;
	return 0;
}

int proto_reader_init(struct proto_reader *rd, const struct strbuf *payload)
{
	rd->p = (const unsigned char *)payload->buf;
	rd->end = rd->p + payload->len;
	if (get32(rd, &rd->left))
		return error("protocol error: frame without a record count");
	return 0;
}

static int at_end(struct proto_reader *rd)
{
	if (rd->p != rd->end)
		return error("protocol error: %zu stray bytes after the last record",
			     (size_t)(rd->end - rd->p));
	return 0;
}

static int get_meta(struct proto_reader *rd, struct file_meta *m)
{
	uint64_t mtime, ctime;

	if (get64(rd, &m->dev) || get64(rd, &m->ino) || get64(rd, &m->size) ||
	    get64(rd, &mtime) || get64(rd, &ctime))
		return -1;
	m->mtime_ns = (int64_t)mtime;
	m->ctime_ns = (int64_t)ctime;
	return 0;
}

int proto_next_job(struct proto_reader *rd, struct proto_job *job)
{
	struct file_place *pl = &job->place;

	if (!rd->left)
		return at_end(rd);
	if (get64(rd, &job->id) || get32(rd, &job->flags) ||
	    get32(rd, &pl->top_len) || get32(rd, &pl->name_off) ||
	    get64(rd, &pl->top_dev) || get64(rd, &pl->top_ino) ||
	    get64(rd, &pl->dir_dev) || get64(rd, &pl->dir_ino) ||
	    get_meta(rd, &pl->seen) ||
	    get32(rd, &job->path_len) || get64(rd, &job->offset) ||
	    get64(rd, &job->length) ||
	    get_bytes(rd, job->path_len, &job->path))
		return error("protocol error: truncated job record");
	if (!job->path_len || memchr(job->path, '\0', job->path_len) ||
	    job->path[0] != '/')
		return error("protocol error: bad path in job record");
	/* the top, a '/', the directory, a '/', the name: in that order */
	if (!pl->top_len || pl->top_len > pl->name_off ||
	    pl->name_off >= job->path_len || job->path[pl->name_off - 1] != '/' ||
	    memchr(job->path + pl->name_off, '/', job->path_len - pl->name_off))
		return error("protocol error: bad place in job record");
	if ((!job->length && job->offset) ||
	    job->offset + job->length < job->offset)
		return error("protocol error: bad range in job record");
	rd->left--;
	return 1;
}

static int get_counts(struct proto_reader *rd, struct counts *c)
{
	uint32_t flags;

	if (get64(rd, &c->bytes) || get64(rd, &c->lines) ||
	    get64(rd, &c->words) || get64(rd, &c->chars) || get32(rd, &flags))
		return -1;
	c->flags = flags;
	return 0;
}

/* A length and that many bytes, at most max of them. */
static int get_sized(struct proto_reader *rd, uint32_t max, uint32_t *len,
		     const char **bytes)
{
	return get32(rd, len) || *len > max || get_bytes(rd, *len, bytes) ? -1
									  : 0;
}

int proto_next_result(struct proto_reader *rd, struct proto_result *res)
{
	uint32_t err;

	if (!rd->left)
		return at_end(rd);
	if (get64(rd, &res->id) || get32(rd, &err) || get32(rd, &res->stage) ||
	    get32(rd, &res->found) || get32(rd, &res->format) ||
	    get32(rd, &res->extracted) ||
	    get_counts(rd, &res->counts) ||
	    get_meta(rd, &res->meta) ||
	    get_sized(rd, PROTO_MAX_ERRMSG, &res->msg_len, &res->msg))
		return error("protocol error: truncated result record");
	/* every stage but the pool's own STAGE_CANCELLED */
	if (res->stage > STAGE_DOC_DAMAGED || res->stage == STAGE_CANCELLED)
		return error("protocol error: unknown stage %u", res->stage);
	if (res->format >= FORMAT_NR)
		return error("protocol error: unknown format %u", res->format);
	if (res->found > FOUND_COMPRESSED || res->extracted > 1)
		return error("protocol error: unknown kind of file %u",
			     res->found);
	res->err = (int32_t)err;
	rd->left--;
	return 1;
}

int proto_next_member(struct proto_reader *rd, struct proto_member *m)
{
	uint64_t mtime;

	if (!rd->left)
		return at_end(rd);
	if (get64(rd, &m->id) || get32(rd, &m->kind) || get32(rd, &m->status) ||
	    get32(rd, &m->flags) || get32(rd, &m->format) ||
	    get_counts(rd, &m->counts) || get64(rd, &mtime) ||
	    get_sized(rd, PROTO_MAX_MEMBER_NAME, &m->name_len, &m->name) ||
	    get_sized(rd, PROTO_MAX_ERRMSG, &m->msg_len, &m->msg))
		return error("protocol error: truncated member record");
	if (m->kind > 2 || m->status > 3 || (m->flags & ~PROTO_MEMBER_FLAGS) ||
	    m->format >= FORMAT_NR)
		return error("protocol error: bad member kind, status or flag");
	m->mtime_ns = (int64_t)mtime;
	rd->left--;
	return 1;
}
