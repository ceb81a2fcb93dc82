/*
 * fsutil.h - file system helpers shared by the crawler, the workers and the
 * command layer: opening paths longer than PATH_MAX, canonical root paths,
 * extensions, and --exclude glob matching.
 */
#ifndef WCINDEX_FSUTIL_H
#define WCINDEX_FSUTIL_H

#include <stddef.h>
#include <sys/stat.h>

#include "filemeta.h"
#include "strbuf.h"

/*
 * open(2) for an absolute path of any length: paths that fit in PATH_MAX are
 * opened directly, longer ones with openat() in pieces of whole components
 * shorter than PATH_MAX.  flags apply to the last component only.  Returns a descriptor or -1 (errno set).
 */
int open_long_path(const char *path, int flags);

/*
 * Make path absolute and canonical (symlinks resolved, no "." or "..", no
 * trailing '/') into out.  Returns 0, or -1 with errno set.
 */
int canonical_path(const char *path, struct strbuf *out);

/*
 * Like canonical_path(), but the path need not exist: its longest existing
 * prefix is resolved and the rest is normalised lexically.  Used for the
 * arguments of `total` and `ls`, which name indexed paths that may be gone.
 */
void absolute_path(const char *path, struct strbuf *out);

/* The lowercased suffix after the last '.' of name ("" if none or dotfile). */
void file_ext(const char *name, struct strbuf *out);

/* Whether the absolute path lies strictly below the absolute dir. */
int path_is_below(const char *path, const char *dir);

/*
 * The extension of what a compressed file holds: file_ext() of name
 * without its compression suffix (gz, bz2, xz, zst, z), so that "ls.1.gz"
 * is "1" and "page.html.gz" is "html"; file_ext() itself for any other
 * name.
 */
void file_ext_inner(const char *name, struct strbuf *out);

/* Append "/name" to dir in out, without doubling the '/' of the root. */
void path_join(struct strbuf *out, const char *dir, const char *name);

/* --exclude patterns. */
struct excludes {
	char **pat;
	size_t nr, alloc;
};

void excludes_add(struct excludes *ex, const char *pattern);
void excludes_clear(struct excludes *ex);

/*
 * True when any pattern matches the base name, the path relative to the
 * root, or the absolute path, with fnmatch(3) and no FNM_PATHNAME: '*'
 * also matches a slash, so "*.log" works at any depth and "docs/old*" or
 * "*.cache" match whole relative paths as well as names.
 */
int excludes_match(const struct excludes *ex, const char *abspath,
		   const char *relpath, const char *name);

#endif
