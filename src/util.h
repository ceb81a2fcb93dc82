/*
 * util.h - allocation helpers that never return NULL, error reporting in the
 * git style ("wcindex: cannot open 'x': reason"), and small I/O helpers that
 * retry on EINTR and short transfers.
 */
#ifndef WCINDEX_UTIL_H
#define WCINDEX_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Allocation: abort the process with a message when memory is exhausted
 * (or _exit(code) after set_oom_exit(code), so that a parent can tell).
 * A hook set by set_oom_hook() runs first, after the message: it may only
 * make async-signal-safe calls (it may run in any thread, with malloc's
 * state unknown), and typically exec()s.
 */
void set_oom_exit(int code);
void set_oom_hook(void (*hook)(void));
void *xmalloc(size_t size);
/* align: a power of two, multiple of sizeof(void *); free() the result. */
void *xmalloc_aligned(size_t align, size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Grow *array (of *alloc elements of elem_size) so that it holds at least nr. */
void *xgrow(void *array, size_t nr, size_t *alloc, size_t elem_size);
#define ALLOC_GROW(arr, nr, alloc) \
	((arr) = xgrow((arr), (nr), &(alloc), sizeof(*(arr))))

/*
 * Set the name printed before every message (default "wcindex").  Worker
 * processes use "wcindex worker" so that their messages can be told apart.
 */
void set_progname(const char *name);

/*
 * Report an error or warning on stderr, prefixed by the program name.
 * error() always returns -1 so that modules can write "return error(...)".
 * Messages are lowercase and quote their subject: "cannot open '%s'".
 */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int error_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A line on stderr that is neither an error nor a warning: "wcindex: ..." */
void notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Hand every message of error(), error_errno(), warning(), notice() and
 * die() to fn (data, the whole line with its newline, its length) instead
 * of writing it to stderr; NULL restores the plain write.  For a display
 * that must not be mixed with messages (the progress line): fn runs in
 * whatever thread reports and writes the line itself.  Set or remove it
 * only while no other thread can report.
 */
void set_message_hook(void (*fn)(void *data, const char *msg, size_t len),
		      void *data);

/* Print a message and exit with status 2; only the command layer calls this. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Write all of buf; retries EINTR and short writes. Returns 0 or -1 (errno set). */
int write_all(int fd, const void *buf, size_t len);

/*
 * Read exactly len bytes.  Returns 1 when done, 0 on end of file before any
 * byte was read, -1 on error or on end of file in the middle (errno EPROTO).
 */
int read_exact(int fd, void *buf, size_t len);

/*
 * pread() all of [off, off + len) unless the file ends first.  Returns the
 * bytes read (fewer than len only at the end of the file), or -1.
 */
ssize_t pread_full(int fd, void *buf, size_t len, uint64_t off);

/* Monotonic clock in nanoseconds. */
uint64_t now_ns(void);

/* Wall clock (CLOCK_REALTIME) in nanoseconds since the epoch. */
int64_t wall_ns(void);

/* Make sure descriptors 0, 1 and 2 are open (on /dev/null if they were closed). */
void sanitize_std_fds(void);

/* Parse a decimal unsigned number in [min, max]; 0 on success, -1 otherwise. */
/*
 * A size: parse_ulong()'s digits, then optionally a multiple: K, M, G, T,
 * P or E (k too) for powers of 1024, the same with "iB" (KiB, MiB...) for
 * powers of 1024, with "B" (KB, MB...) for powers of 1000, as du(1) and
 * numfmt(1) read them.  Returns 0, or -1 on anything else or past max.
 */
int parse_size(const char *s, unsigned long min, unsigned long max,
	       unsigned long *out);

int parse_ulong(const char *s, unsigned long min, unsigned long max,
		unsigned long *out);

/*
 * The little-endian integers of file formats (zip, OLE2), read from bytes
 * of any alignment.
 */
static inline uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

struct strbuf;

/*
 * Append s to sb with every byte that could drive a terminal escaped, as
 * error() escapes its messages: for file names printed to stdout.
 */
void strbuf_add_escaped(struct strbuf *sb, const char *s);

#endif
