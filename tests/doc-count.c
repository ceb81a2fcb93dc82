/*
 * doc-count.c - a bare front end to the document formats for the tests:
 * it recognises each file's format and counts its extracted text as the
 * worker would, reading in pieces of a chosen size so that a test can cut
 * a document at every boundary, and prints one line per file:
 *
 *     FORMAT STATUS LINES WORDS CHARS BYTES [MESSAGE]
 *
 * STATUS is ok, encrypted, limit, damaged or unsupported; FORMAT is
 * "text" when no module claims the file (it is then counted as bytes).
 * --ext gives the extension instead of the file's name (a generated file
 * named for its test case).
 *
 * usage: doc-count [--ascii] [--chunk N] [--ext EXT] FILE...
 * (--ascii: count in ASCII mode, as wcindex scan --ascii)
 * Exits 2 on usage errors, 1 if some file could not be opened.
 */
#include "config.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "count.h"
#include "formats/format.h"
#include "formats/zippkg.h"
#include "fsutil.h"
#include "strbuf.h"
#include "util.h"

static const char usage_msg[] =
	"usage: doc-count [--ascii] [--chunk N] [--ext EXT] FILE...";

static enum count_mode mode = COUNT_UTF8;

static const char *const status_names[] = {
	"ok", "encrypted", "limit", "damaged", "unsupported",
};

static int count_one(const char *path, const char *ext_opt)
{
	struct archive_limits lim;
	unsigned char head[FORMAT_HEAD_BYTES];
	struct doc_source src;
	struct doc_probe probe;
	struct count_state st;
	struct counts c;
	struct strbuf msg = STRBUF_INIT, ext = STRBUF_INIT;
	enum doc_format f, would;
	enum doc_status status = DOC_OK;
	struct stat sb;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &sb) < 0) {
		error_errno("cannot open '%s'", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	archive_limits_default(&lim);
	n = pread_full(fd, head, sizeof(head), 0);
	src.fd = fd;
	src.size = (uint64_t)sb.st_size;
	if (ext_opt)
		strbuf_addstr(&ext, ext_opt);
	else
		file_ext(path, &ext);
	src.ext = ext.buf;
	doc_probe_init(&probe, &src, head, n > 0 ? (size_t)n : 0, &lim);
	f = formats_recognise(&probe, formats_available(), &would);
	count_init(&st, mode);
	if (f == FORMAT_TEXT) {
		unsigned char buf[65536];
		uint64_t off = 0;

		while ((n = pread_full(fd, buf, formats_read_size(), off)) > 0) {
			count_feed(&st, buf, (size_t)n);
			off += (uint64_t)n;
		}
	} else {
		status = formats_extract(&probe, f, &st, &msg);
	}
	count_finish(&st, &c);
	printf("%s %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "%s%s\n",
	       format_name(f), status_names[status], c.lines, c.words,
	       c.chars, c.bytes, msg.len ? " " : "", msg.len ? msg.buf : "");
	zippkg_free(probe.zip);
	strbuf_release(&msg);
	strbuf_release(&ext);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *ext = NULL;
	int i, ret = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--chunk") && i + 1 < argc) {
			long v = strtol(argv[++i], NULL, 10);

			if (v <= 0)
				die("%s", usage_msg);
			formats_set_read_size((size_t)v);
		} else if (!strcmp(argv[i], "--ascii")) {
			mode = COUNT_ASCII;
		} else if (!strcmp(argv[i], "--ext") && i + 1 < argc) {
			ext = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "%s\n", usage_msg);
			return 2;
		} else {
			break;
		}
	}
	if (i == argc) {
		fprintf(stderr, "%s\n", usage_msg);
		return 2;
	}
	for (; i < argc; i++)
		if (count_one(argv[i], ext) < 0)
			ret = 1;
	return ret;
}
