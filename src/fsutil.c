/*
 * fsutil.c - path handling that never truncates: every path is a strbuf or a
 * heap string, and paths longer than PATH_MAX are reached with openat() in
 * pieces of whole components that fit.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "util.h"

int open_long_path(const char *path, int flags)
{
	const char *p;
	int dirfd, fd, saved;

	if (strlen(path) < PATH_MAX || path[0] != '/')
		return open(path, flags);

	/*
	 * Down from "/" in pieces of whole components shorter than PATH_MAX,
	 * each walked by the kernel: a few openat() calls for any depth, not
	 * one per directory (which made a walk of a deep tree quadratic in
	 * system calls).
	 */
	dirfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -1;
	p = path;
	for (;;) {
		const char *cut;
		char *piece;
		int next;

		while (*p == '/')
			p++;
		if (strlen(p) < PATH_MAX)
			break;
		cut = memrchr(p, '/', PATH_MAX - 1);
		if (!cut) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		piece = xstrndup(p, (size_t)(cut - p));
		next = openat(dirfd, piece, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		free(piece);
		if (next < 0)
			goto fail;
		close(dirfd);
		dirfd = next;
		p = cut;
	}
	fd = openat(dirfd, p, flags);
	saved = errno;
	close(dirfd);
	errno = saved;
	return fd;
fail:
	saved = errno;
	close(dirfd);
	errno = saved;
	return -1;
}

int canonical_path(const char *path, struct strbuf *out)
{
	char *real = realpath(path, NULL);

	if (!real)
		return -1;
	strbuf_reset(out);
	strbuf_addstr(out, real);
	free(real);
	return 0;
}

static void normalize_lexically(const char *path, struct strbuf *out)
{
	const char *p = path;

	strbuf_reset(out);
	while (*p) {
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);

		if (!len || (len == 1 && p[0] == '.')) {
			/* skip empty and "." components */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = memrchr(out->buf, '/', out->len);

			strbuf_setlen(out, slash ? (size_t)(slash - out->buf) : 0);
		} else {
			strbuf_addch(out, '/');
			strbuf_add(out, p, len);
		}
		p = *end ? end + 1 : end;
	}
	if (!out->len)
		strbuf_addch(out, '/');
}

void absolute_path(const char *path, struct strbuf *out)
{
	struct strbuf abs = STRBUF_INIT, prefix = STRBUF_INIT;
	size_t cut;

	/* An existing path resolves like the roots of a scan do. */
	if (!canonical_path(path, out))
		return;
	if (path[0] != '/') {
		char *cwd = getcwd(NULL, 0);

		strbuf_addstr(&abs, cwd ? cwd : "/");
		strbuf_addch(&abs, '/');
		free(cwd);
	}
	strbuf_addstr(&abs, path);
	normalize_lexically(abs.buf, out);

	/* Resolve the longest prefix that exists, keep the rest as written. */
	cut = out->len;
	for (;;) {
		char saved = out->buf[cut];

		out->buf[cut] = '\0';
		if (!canonical_path(out->len && cut ? out->buf : "/", &prefix)) {
			out->buf[cut] = saved;
			if (prefix.len == 1 && cut < out->len)
				strbuf_setlen(&prefix, 0);
			strbuf_add(&prefix, out->buf + cut, out->len - cut);
			strbuf_reset(out);
			strbuf_add(out, prefix.buf, prefix.len);
			break;
		}
		out->buf[cut] = saved;
		if (!cut)
			break;
		while (cut > 0 && out->buf[--cut] != '/')
			;
	}
	strbuf_release(&abs);
	strbuf_release(&prefix);
}

/* file_ext() of the first len bytes of name. */
static void ext_of(const char *name, size_t len, struct strbuf *out)
{
	const char *dot = memrchr(name, '.', len), *end = name + len;

	strbuf_reset(out);
	if (!dot || dot == name || dot + 1 == end)
		return;
	for (dot++; dot < end; dot++)
		strbuf_addch(out, tolower((unsigned char)*dot));
}

int path_is_below(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	if (len == 1)
		return path[0] == '/' && path[1];
	return !strncmp(path, dir, len) && path[len] == '/';
}

void file_ext(const char *name, struct strbuf *out)
{
	ext_of(name, strlen(name), out);
}

/* The suffixes of the compressed streams archive.c reads through. */
static const char *const compression_exts[] = { "gz", "bz2", "xz", "zst", "z" };

void file_ext_inner(const char *name, struct strbuf *out)
{
	file_ext(name, out);
	for (size_t i = 0; i < ARRAY_SIZE(compression_exts); i++)
		if (!strcmp(out->buf, compression_exts[i])) {
			ext_of(name, strlen(name) - out->len - 1, out);
			return;
		}
}

void path_join(struct strbuf *out, const char *dir, const char *name)
{
	strbuf_reset(out);
	strbuf_addstr(out, dir);
	if (!out->len || out->buf[out->len - 1] != '/')
		strbuf_addch(out, '/');
	strbuf_addstr(out, name);
}

void excludes_add(struct excludes *ex, const char *pattern)
{
	ALLOC_GROW(ex->pat, ex->nr + 1, ex->alloc);
	ex->pat[ex->nr++] = xstrdup(pattern);
}

void excludes_clear(struct excludes *ex)
{
	for (size_t i = 0; i < ex->nr; i++)
		free(ex->pat[i]);
	free(ex->pat);
	ex->pat = NULL;
	ex->nr = ex->alloc = 0;
}

int excludes_match(const struct excludes *ex, const char *abspath,
		   const char *relpath, const char *name)
{
	for (size_t i = 0; i < ex->nr; i++) {
		const char *pat = ex->pat[i];

		if (!fnmatch(pat, name, 0) ||
		    (relpath && !fnmatch(pat, relpath, 0)) ||
		    (abspath && !fnmatch(pat, abspath, 0)))
			return 1;
	}
	return 0;
}
