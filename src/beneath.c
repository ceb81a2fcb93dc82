/*
 * beneath.c - opening directories below a top without leaving it, and the
 * chain of directories kept open for the next one (beneath.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "beneath.h"
#include "fsutil.h"
#include "strbuf.h"
#include "util.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY)

/*
 * Directories held below the top: enough for the usual tree to be walked
 * with one openat() per directory, few enough that a deep tree or a low
 * RLIMIT_NOFILE is no concern.
 */
#define DIRCHAIN_MAX 16

struct level {
	size_t len;		/* of the prefix of rel it is */
	int fd;
	uint64_t dev, ino;	/* 0, 0 until checked */
};

struct dirchain {
	int follow;
	int top_fd;
	uint64_t top_dev, top_ino;
	struct strbuf top;
	struct strbuf rel;	/* the path of the deepest level held */
	struct level lv[DIRCHAIN_MAX];	/* shallowest first, each a prefix */
	size_t nlv;
};

static atomic_int method_found = -1;

enum beneath_method beneath_method(void)
{
	int m = atomic_load(&method_found);
	const char *env;

	if (m >= 0)
		return (enum beneath_method)m;
	env = getenv("WCINDEX_BENEATH");
	if (env && !strcmp(env, "openat")) {
		m = BENEATH_OPENAT;
	} else {
		/*
		 * A size of 0 is always refused: EINVAL says the call
		 * exists, ENOSYS (or a sandbox's EPERM) that it does not.
		 */
		long r = syscall(SYS_openat2, AT_FDCWD, ".", NULL, (size_t)0);

		m = r < 0 && errno != EINVAL ? BENEATH_OPENAT : BENEATH_OPENAT2;
	}
	atomic_store(&method_found, m);
	return (enum beneath_method)m;
}

/* The kernel's own walk of a path of names below base: never out, no link. */
static int openat2_beneath(int base, const char *path)
{
	struct open_how how = {
		.flags = DIR_FLAGS,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};

	for (;;) {
		long fd = syscall(SYS_openat2, base, path, &how, sizeof(how));

		/* a rename anywhere on the system makes it retry-able */
		if (fd >= 0 || errno != EAGAIN)
			return (int)fd;
	}
}

/*
 * Open the piece path (NUL-terminated, one or more names joined by '/')
 * below base.  Without openat2() and without --follow, a piece is a single
 * name.
 */
static int open_piece(const struct dirchain *dc, int base, const char *path)
{
	if (dc->follow)
		return openat(base, path, DIR_FLAGS);
	if (beneath_method() == BENEATH_OPENAT2)
		return openat2_beneath(base, path);
	/* readdir() never gives these, but a way up must not be taken */
	if (!strcmp(path, ".") || !strcmp(path, "..") || strchr(path, '/')) {
		errno = EXDEV;
		return -1;
	}
	return openat(base, path, DIR_FLAGS | O_NOFOLLOW);
}

/*
 * Where the next piece of rel that starts at start ends: the next '/'
 * without openat2() (one name at a time), else the longest run of whole
 * names shorter than PATH_MAX.
 */
static size_t piece_end(const struct dirchain *dc, const char *rel,
			size_t len, size_t start)
{
	const char *slash;

	if (!dc->follow && beneath_method() == BENEATH_OPENAT) {
		slash = memchr(rel + start, '/', len - start);
		return slash ? (size_t)(slash - rel) : len;
	}
	if (len - start < PATH_MAX)
		return len;
	slash = memrchr(rel + start, '/', PATH_MAX - 1);
	/* a name is never longer than NAME_MAX: there is a slash */
	return slash ? (size_t)(slash - rel) : len;
}

static void drop_levels(struct dirchain *dc, size_t keep)
{
	while (dc->nlv > keep)
		close(dc->lv[--dc->nlv].fd);
}

static void push_level(struct dirchain *dc, size_t len, int fd)
{
	if (dc->nlv == DIRCHAIN_MAX) {
		/* the window slides: the shallowest goes */
		close(dc->lv[0].fd);
		memmove(&dc->lv[0], &dc->lv[1], sizeof(dc->lv[0]) *
			(DIRCHAIN_MAX - 1));
		dc->nlv--;
	}
	dc->lv[dc->nlv++] = (struct level) { .len = len, .fd = fd };
}

/*
 * Drop the levels that are not a prefix of rel; returns how much of rel
 * the deepest level left covers (0: only the top).
 */
static size_t keep_prefix(struct dirchain *dc, const char *rel, size_t len)
{
	while (dc->nlv) {
		size_t l = dc->lv[dc->nlv - 1].len;

		if (l <= len && (l == len || rel[l] == '/') &&
		    !memcmp(rel, dc->rel.buf, l))
			return l;
		drop_levels(dc, dc->nlv - 1);
	}
	return 0;
}

/* Is the directory fd (whose identity *dev, *ino holds once known) it? */
static int is_identity(int fd, uint64_t *dev, uint64_t *ino, uint64_t want_dev,
		       uint64_t want_ino)
{
	struct stat st;

	if (!want_dev && !want_ino)
		return 1;
	if (!*dev && !*ino) {
		if (fstat(fd, &st) < 0)
			return -1;
		*dev = (uint64_t)st.st_dev;
		*ino = (uint64_t)st.st_ino;
	}
	return *dev == want_dev && *ino == want_ino;
}

struct dirchain *dirchain_new(int follow)
{
	struct dirchain *dc = xcalloc(1, sizeof(*dc));

	dc->follow = follow;
	dc->top_fd = -1;
	strbuf_init(&dc->top, 0);
	strbuf_init(&dc->rel, 0);
	return dc;
}

void dirchain_free(struct dirchain *dc)
{
	if (!dc)
		return;
	drop_levels(dc, 0);
	if (dc->top_fd >= 0)
		close(dc->top_fd);
	strbuf_release(&dc->top);
	strbuf_release(&dc->rel);
	free(dc);
}

int dirchain_top(struct dirchain *dc, const char *top, uint64_t dev,
		 uint64_t ino)
{
	int ok;

	if (dc->top_fd < 0 || strcmp(dc->top.buf, top)) {
		drop_levels(dc, 0);
		strbuf_reset(&dc->rel);
		if (dc->top_fd >= 0)
			close(dc->top_fd);
		strbuf_reset(&dc->top);
		dc->top_dev = dc->top_ino = 0;
		dc->top_fd = open_long_path(top, DIR_FLAGS);
		if (dc->top_fd < 0)
			return -1;
		strbuf_addstr(&dc->top, top);
	}
	ok = is_identity(dc->top_fd, &dc->top_dev, &dc->top_ino, dev, ino);
	if (ok < 0)
		return -1;
	return ok ? dc->top_fd : DIRCHAIN_REPLACED;
}

/* Open rel below the deepest level held that leads to it (or the top). */
static int open_from_held(struct dirchain *dc, const char *rel, size_t len)
{
	struct strbuf piece = STRBUF_INIT;
	size_t done = keep_prefix(dc, rel, len);
	int base = dc->nlv ? dc->lv[dc->nlv - 1].fd : dc->top_fd;

	strbuf_setlen(&dc->rel, done);
	while (done < len) {
		size_t start = done ? done + 1 : 0;
		size_t end = piece_end(dc, rel, len, start);

		strbuf_reset(&piece);
		strbuf_add(&piece, rel + start, end - start);
		base = open_piece(dc, base, piece.buf);
		if (base < 0)
			break;
		strbuf_add(&dc->rel, rel + done, end - done);
		push_level(dc, end, base);
		done = end;
	}
	strbuf_release(&piece);
	return base;
}

int dirchain_open(struct dirchain *dc, const char *rel, size_t len,
		  uint64_t dev, uint64_t ino)
{
	for (int fresh = 0;; fresh = 1) {
		struct level *lv;
		int ok;

		if (!len)
			return dirchain_top(dc, dc->top.buf, dev, ino);
		if (open_from_held(dc, rel, len) < 0) {
			/* what the chain held may have moved: from the top */
			if (fresh || !dc->nlv)
				return -1;
			drop_levels(dc, 0);
			continue;
		}
		lv = &dc->lv[dc->nlv - 1];
		ok = is_identity(lv->fd, &lv->dev, &lv->ino, dev, ino);
		if (ok > 0)
			return lv->fd;
		if (ok < 0)
			return -1;
		/*
		 * Not it: what the chain held may be what was renamed (a
		 * directory held open stays the same directory wherever it
		 * goes), so look once more from the top before saying so.
		 */
		drop_levels(dc, 0);
		if (fresh)
			return DIRCHAIN_REPLACED;
	}
}
