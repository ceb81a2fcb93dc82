/*
 * wc-count.c - a bare front end to the counting kernel for the differential
 * tests: it feeds each file to count_feed() in reads of a chosen size, so
 * that a test can force sequences and words to straddle every kind of split
 * point, and prints "lines words chars bytes flags" per file, the same line
 * that tests/pycount.py prints.
 *
 * usage: wc-count [--ascii] [--chunk N] [FILE...]   ("-" or nothing: stdin)
 *        wc-count --kernels
 * Exits 2 on usage errors, 1 if some file could not be read.  --kernels
 * lists the counting kernels this machine runs, best first, the one in use
 * (WCINDEX_KERNEL, or the best) marked with "*".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "count.h"
#include "util.h"

#define DEFAULT_CHUNK 65536
#define MAX_CHUNK (64ul << 20)

static const char usage_msg[] =
	"usage: wc-count [--ascii] [--chunk N] [FILE...]\n"
	"       wc-count --kernels";

static int list_kernels(void)
{
	const char *const *names = count_kernels();

	for (size_t i = 0; names[i]; i++)
		printf("%s %s\n", strcmp(names[i], count_kernel()) ? " " : "*",
		       names[i]);
	return fflush(stdout) ? 1 : 0;
}

/*
 * Count one file, reading at most chunk bytes at a time into buf.
 * Returns 0 and prints the counts, or -1 after reporting the error.
 */
static int count_fd(int fd, const char *name, enum count_mode mode,
		    unsigned char *buf, size_t chunk)
{
	struct count_state st;
	struct counts c;

	count_init(&st, mode);
	for (;;) {
		ssize_t n = read(fd, buf, chunk);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return error_errno("cannot read '%s'", name);
		}
		if (!n)
			break;
		count_feed(&st, buf, (size_t)n);
	}
	count_finish(&st, &c);
	printf("%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %u\n",
	       c.lines, c.words, c.chars, c.bytes, c.flags);
	return 0;
}

static int count_path(const char *path, enum count_mode mode,
		      unsigned char *buf, size_t chunk)
{
	int fd, ret;

	if (!strcmp(path, "-"))
		return count_fd(0, "(stdin)", mode, buf, chunk);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return error_errno("cannot open '%s'", path);
	ret = count_fd(fd, path, mode, buf, chunk);
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	enum count_mode mode = COUNT_UTF8;
	unsigned long chunk = DEFAULT_CHUNK;
	unsigned char *buf;
	int i, status = 0;

	set_progname("wc-count");
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--")) {
			i++;
			break;
		} else if (!strcmp(arg, "--ascii")) {
			mode = COUNT_ASCII;
		} else if (!strcmp(arg, "--chunk")) {
			if (++i == argc ||
			    parse_ulong(argv[i], 1, MAX_CHUNK, &chunk) < 0) {
				error("--chunk needs a size from 1 to %lu",
				      MAX_CHUNK);
				return 2;
			}
		} else if (!strcmp(arg, "--kernels")) {
			return list_kernels();
		} else if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			puts(usage_msg);
			return 0;
		} else if (arg[0] == '-' && arg[1]) {
			error("unknown option '%s'", arg);
			fprintf(stderr, "%s\n", usage_msg);
			return 2;
		} else {
			break;
		}
	}

	buf = xmalloc(chunk);
	if (i == argc) {
		if (count_path("-", mode, buf, chunk) < 0)
			status = 1;
	}
	for (; i < argc; i++) {
		if (count_path(argv[i], mode, buf, chunk) < 0)
			status = 1;
	}
	free(buf);

	if (fflush(stdout) || ferror(stdout)) {
		error_errno("cannot write to stdout");
		return 1;
	}
	return status;
}
