/*
 * util.c - the helpers every module leans on: checked allocation, error
 * messages in one consistent format, and I/O loops that survive EINTR and
 * short transfers.  Nothing here keeps state except the program name and
 * the hook that a progress display puts in front of messages.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "strbuf.h"
#include "util.h"
#include "count.h"

static const char *progname = "wcindex";
static void (*message_hook)(void *, const char *, size_t);
static void *message_hook_data;
static int oom_exit_code;
static void (*oom_hook)(void);

void set_oom_exit(int code)
{
	oom_exit_code = code;
}

void set_oom_hook(void (*hook)(void))
{
	oom_hook = hook;
}

static void oom(size_t size)
{
	static const char msg[] = "wcindex: out of memory\n";

	(void)size;
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing left to report with */
	}
	if (oom_hook)
		oom_hook();
	if (oom_exit_code)
		_exit(oom_exit_code);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		oom(size);
	return p;
}

void *xmalloc_aligned(size_t align, size_t size)
{
	void *p;

	if (posix_memalign(&p, align, size ? size : 1))
		oom(size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom(nmemb * size);
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		oom(size);
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *xgrow(void *array, size_t nr, size_t *alloc, size_t elem_size)
{
	size_t n;

	if (nr <= *alloc)
		return array;
	n = *alloc ? *alloc : 16;
	while (n < nr) {
		if (n > SIZE_MAX / 2 / elem_size)
			oom(SIZE_MAX);
		n *= 2;
	}
	*alloc = n;
	return xrealloc(array, n * elem_size);
}

void set_progname(const char *name)
{
	progname = name;
}

void set_message_hook(void (*fn)(void *data, const char *msg, size_t len),
		      void *data)
{
	message_hook = fn;
	message_hook_data = data;
}

/*
 * Append s to out (room for 4 bytes per byte of s) with every byte that
 * could drive a terminal escaped, as GNU ls -b quotes names: file names
 * reach stderr, terminals and cron mail, and a name may hold ESC
 * sequences, CR or LF.  Valid UTF-8 stays as it is, but for the C1
 * controls; other bytes become \ooo.
 */
static size_t escape_message(char *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, len = strlen(s), i = 0;

	while (i < len) {
		size_t n = p[i] < 0x80 ? (p[i] >= 0x20 && p[i] < 0x7f)
				       : utf8_sequence_len(p + i, len - i);

		if (n == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)
			n = 0;	/* U+0080..U+009F: C1 controls */
		if (n) {
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
			continue;
		}
		out[o++] = '\\';
		switch (p[i]) {
		case '\n': out[o++] = 'n'; break;
		case '\r': out[o++] = 'r'; break;
		case '\t': out[o++] = 't'; break;
		case 033: out[o++] = 'e'; break;
		default:
			out[o++] = (char)('0' + (p[i] >> 6));
			out[o++] = (char)('0' + ((p[i] >> 3) & 7));
			out[o++] = (char)('0' + (p[i] & 7));
		}
		i++;
	}
	out[o] = 0;
	return o;
}

static void __attribute__((format(printf, 2, 0)))
vreport(const char *prefix, const char *fmt, va_list ap,
		    const char *suffix)
{
	char buf[4096], out[4 * sizeof(buf) + 2];
	int n = snprintf(buf, sizeof(buf), "%s: %s", progname, prefix);
	size_t o;

	if (n < 0 || (size_t)n >= sizeof(buf))
		n = 0;
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	if (suffix) {
		n = (int)strlen(buf);
		snprintf(buf + n, sizeof(buf) - n, ": %s", suffix);
	}
	o = escape_message(out, buf);
	out[o++] = '\n';
	if (message_hook) {
		message_hook(message_hook_data, out, o);
		return;
	}
	/* one write: messages of several processes do not interleave */
	fwrite(out, 1, o, stderr);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap, NULL);
	va_end(ap);
	return -1;
}

int error_errno(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap, NULL);
	va_end(ap);
}

void notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap, NULL);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap, NULL);
	va_end(ap);
	exit(2);
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, p + got, len - got, (off_t)(off + got));

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

int read_exact(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			if (!got)
				return 0;
			errno = EPROTO;
			return -1;
		}
		got += (size_t)n;
	}
	return 1;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void sanitize_std_fds(void)
{
	int fd;

	/*
	 * cron may start us with 0-2 closed; a later open() of the database
	 * would then become "stdout" and printf() would scribble on it.
	 */
	while ((fd = open("/dev/null", O_RDWR)) >= 0) {
		if (fd > 2) {
			close(fd);
			break;
		}
	}
}

int parse_ulong(const char *s, unsigned long min, unsigned long max,
		unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_size(const char *s, unsigned long min, unsigned long max,
	       unsigned long *out)
{
	static const char units[] = "KMGTPE";
	const char *u;
	char *end;
	unsigned long v, base = 1024, mult = 1;

	if (!s || !*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		u = strchr(units, *end == 'k' ? 'K' : *end);
		if (!u || !*u)
			return -1;
		end++;
		if (!strcmp(end, "B"))
			base = 1000;
		else if (*end && strcmp(end, "iB"))
			return -1;
		for (long i = 0; i <= u - units; i++) {
			if (mult > ULONG_MAX / base)
				return -1;
			mult *= base;
		}
	}
	if (v > ULONG_MAX / mult || v * mult < min || v * mult > max)
		return -1;
	*out = v * mult;
	return 0;
}

void strbuf_add_escaped(struct strbuf *sb, const char *s)
{
	size_t len = strlen(s);

	strbuf_grow(sb, 4 * len + 1);
	strbuf_setlen(sb, sb->len + escape_message(sb->buf + sb->len, s));
}
