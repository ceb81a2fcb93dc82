/*
 * proto.h - the binary protocol between the scanner and its worker
 * processes.
 *
 * Every message is a frame: a 12-byte header (magic "WCIX", type, payload
 * length, all little-endian u32) and the payload.  A payload is a u32 record
 * count followed by that many records.  Jobs carry a path to count, where
 * its top and its directory are, and what the walk saw of them; results
 * carry the counts, what the file turned out to be, and the metadata seen
 * when it was read.  Framing is
 * checked on both sides: a bad magic, an unknown type, an oversized length,
 * a truncated record or trailing bytes is a protocol error, and the peer is
 * treated as broken.
 */
#ifndef WCINDEX_PROTO_H
#define WCINDEX_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "count.h"
#include "filemeta.h"
#include "strbuf.h"

#define PROTO_MAGIC 0x58494357u		/* "WCIX" read as little-endian */
#define PROTO_HEADER_SIZE 12
#define PROTO_MAX_PAYLOAD (16u << 20)
#define PROTO_MAX_ERRMSG 256

enum proto_type {
	PROTO_JOBS = 1,
	PROTO_RESULTS = 2,	/* one result per job of the batch, in order */
	PROTO_MEMBERS = 3,	/* archive members, before their job's result */
};

/* Longest archive member name carried (longer ones are reported failed). */
#define PROTO_MAX_MEMBER_NAME 65536

/* Job flags. */
#define JOB_ASCII  0x1u		/* count in COUNT_ASCII mode */
#define JOB_FOLLOW 0x2u		/* the path may be a symlink to a regular file */
#define JOB_ARCHIVES 0x4u	/* look inside archives and compressed files */
#define JOB_FOLLOW_DIRS 0x8u	/* --follow: links on the way are followed */
/* The bits from JOB_FORMATS_SHIFT up: the formats to extract (FORMAT_BIT()s). */
#define JOB_FORMATS_SHIFT 8
#define JOB_FORMATS(flags) ((flags) >> JOB_FORMATS_SHIFT)

/*
 * Where a file is below the top of the walk that found it, and what the
 * walk saw: a worker reaches the file from the top, directory by directory
 * (beneath.h), and counts it only if it is what the walk saw.
 */
struct file_place {
	uint32_t top_len;	/* path[0, top_len) is the top */
	uint32_t name_off;	/* path[name_off...] is the file's name */
	uint64_t top_dev, top_ino;	/* the top's identity */
	uint64_t dir_dev, dir_ino;	/* its directory's identity */
	struct file_meta seen;	/* the file's, from the walk's stat */
};

struct proto_job {
	uint64_t id;
	uint32_t flags;
	struct file_place place;
	uint32_t path_len;
	const char *path;	/* not NUL-terminated when decoded in place */
	/*
	 * A range of the file, or the whole file when length is 0 (offset
	 * is then 0 too): big files are counted by several workers at once.
	 */
	uint64_t offset, length;
};

/*
 * What a worker found the file to be.  The worker holds no database: the
 * writer turns this into the row's flags.
 */
enum result_found {
	FOUND_TEXT = 0,		/* counted as it is */
	FOUND_ARCHIVE = 1,	/* a container: its members were sent first */
	FOUND_COMPRESSED = 2,	/* counted as what it decompresses to */
};

struct proto_result {
	uint64_t id;
	int32_t err;		/* 0, or the errno of the failure */
	uint32_t stage;		/* where it failed: enum result_stage */
	uint32_t found;		/* enum result_found */
	/*
	 * enum doc_format (formats/format.h): what the file is, even when
	 * its extraction is off (found is then FOUND_TEXT or an archive's).
	 * A compressed file's is that of what it holds.
	 */
	uint32_t format;
	uint32_t extracted;	/* 1: the document's text was counted */
	struct counts counts;	/* counts.flags: COUNT_F_* only */
	struct file_meta meta;
	uint32_t msg_len;
	const char *msg;	/* error text, at most PROTO_MAX_ERRMSG bytes */
};

enum result_stage {
	STAGE_NONE = 0,
	STAGE_OPEN = 1,		/* open() or fstat() failed */
	STAGE_READ = 2,		/* read() failed */
	STAGE_TYPE = 3,		/* not a regular file any more */
	STAGE_CHANGED = 4,	/* the file changed while it was read */
	STAGE_CRASH = 5,	/* the worker died on it */
	STAGE_LIMIT = 6,	/* an archive limit was hit */
	STAGE_DAMAGED = 7,	/* the archive is corrupt or truncated */
	/*
	 * A range job on a file that is an archive or compressed: the job
	 * for the first range counts the whole file, this one counted nothing.
	 */
	STAGE_WHOLE = 8,
	/*
	 * The file, or a directory on its way, is not the one the walk saw
	 * (replaced since): nothing was counted, the next scan looks again.
	 */
	STAGE_REPLACED = 9,
	/*
	 * Never sent: the scan was interrupted before the job was done, and
	 * the pool hands it back with this stage to be dropped, not recorded.
	 */
	STAGE_CANCELLED = 10,
	/* An encrypted or password-protected document: no counts. */
	STAGE_ENCRYPTED = 11,
	/*
	 * A document whose text could not be read: damaged, or of a format
	 * this build cannot read (STAGE_DAMAGED is an archive's).
	 */
	STAGE_DOC_DAMAGED = 12,
};

/* proto_member.flags */
#define PROTO_MEMBER_COMPRESSED	0x1u	/* counted as what it decompresses to */
#define PROTO_MEMBER_NAME_CUT	0x2u	/* its name was cut short, with a marker */
#define PROTO_MEMBER_DOCUMENT	0x4u	/* its extracted text was counted */
#define PROTO_MEMBER_FLAGS	(PROTO_MEMBER_COMPRESSED | PROTO_MEMBER_NAME_CUT | \
				 PROTO_MEMBER_DOCUMENT)

/* One member of an archive: sent before the result of its job. */
struct proto_member {
	uint64_t id;		/* the job */
	uint32_t kind;		/* enum member_kind */
	uint32_t status;	/* enum member_status */
	uint32_t flags;		/* PROTO_MEMBER_* */
	uint32_t format;	/* enum doc_format, as proto_result.format */
	struct counts counts;
	int64_t mtime_ns;
	uint32_t name_len;
	const char *name;
	uint32_t msg_len;
	const char *msg;	/* why it is not ok, or a link's target */
};

/* A frame under construction. */
struct proto_writer {
	struct strbuf buf;
	uint32_t count;
};

/* Start a frame of the given type in w (reusing its buffer). */
void proto_begin(struct proto_writer *w, enum proto_type type);
void proto_add_job(struct proto_writer *w, const struct proto_job *job);
void proto_add_result(struct proto_writer *w, const struct proto_result *res);
void proto_add_member(struct proto_writer *w, const struct proto_member *m);
/* Finish the frame: afterwards w->buf holds the bytes to send. */
void proto_finish(struct proto_writer *w);
void proto_writer_release(struct proto_writer *w);

/*
 * Read one frame from fd into payload (blocking until it is complete).
 * Returns 1 with *type set, 0 on a clean end of file before any byte, -1 on
 * an I/O or framing error (reported through error() with who as the peer).
 */
int proto_read_frame(int fd, const char *who, uint32_t *type,
		     struct strbuf *payload);

/*
 * Walks the records of a payload.  proto_reader_init() checks the record
 * count; each proto_next_*() returns 1 with the next record (pointers into
 * the payload), 0 at the end (after checking that no bytes are left over),
 * or -1 on a malformed record.
 */
struct proto_reader {
	const unsigned char *p, *end;
	uint32_t left;
};

int proto_reader_init(struct proto_reader *rd, const struct strbuf *payload);
int proto_next_job(struct proto_reader *rd, struct proto_job *job);
int proto_next_result(struct proto_reader *rd, struct proto_result *res);
int proto_next_member(struct proto_reader *rd, struct proto_member *m);

#endif
