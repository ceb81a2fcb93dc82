/*
 * beneath.h - the one way the scan reaches a directory below a root.
 *
 * A path below a root is never handed to the kernel whole from "/": a
 * directory on the way could have been swapped for a symbolic link to
 * anywhere after the walk saw it.  Directories are opened relative to the
 * descriptor of the top of the walk, with openat2()'s RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS where the kernel has it, or
 * one component at a time with openat(O_NOFOLLOW | O_DIRECTORY) where it
 * has not; either way no link is followed and nothing outside the top is
 * reached.  What was opened is then checked against the identity (device
 * and inode) the walk saw, so a directory renamed into place is caught too.
 *
 * A struct dirchain keeps the directories last opened below one top, so
 * that the next one, most often a child or a sibling, is a single openat()
 * away, while the number of descriptors held stays small however deep the
 * tree.  The crawler walks with one; each worker keeps one across its jobs.
 *
 * --follow is the exception the user asks for: links on the way are
 * followed and may lead out of the top; the identity check still holds.
 */
#ifndef WCINDEX_BENEATH_H
#define WCINDEX_BENEATH_H

#include <stddef.h>
#include <stdint.h>

enum beneath_method {
	BENEATH_OPENAT2,	/* openat2() with RESOLVE_BENEATH and friends */
	BENEATH_OPENAT,		/* openat(O_NOFOLLOW), one component at a time */
};

/*
 * The method in use: openat2() when the kernel has it, unless the
 * environment says WCINDEX_BENEATH=openat (the tests run both).
 */
enum beneath_method beneath_method(void);

/* dirchain_open()'s answer when the directory is not the one expected. */
#define DIRCHAIN_REPLACED (-2)

struct dirchain;

/* A chain that follows links on the way when follow is set (--follow). */
struct dirchain *dirchain_new(int follow);
void dirchain_free(struct dirchain *dc);

/*
 * Start from the top directory top (an absolute path, which may be longer
 * than PATH_MAX and is opened as given), closing whatever the chain held.
 * When dev or ino is nonzero the top must have that identity.  Returns its
 * descriptor (the chain's: do not close it), -1 with errno set, or
 * DIRCHAIN_REPLACED.  Does nothing but check when top is already the top.
 */
int dirchain_top(struct dirchain *dc, const char *top, uint64_t dev,
		 uint64_t ino);

/*
 * Open the directory rel (len bytes: names joined by '/', no leading or
 * trailing '/', "" for the top itself) below the top, reusing the
 * directories the chain holds.  When dev or ino is nonzero the directory
 * must have that identity.  Returns its descriptor (the chain's), -1 with
 * errno set (ELOOP: a link on the way; EXDEV: a way out of the top), or
 * DIRCHAIN_REPLACED.
 */
int dirchain_open(struct dirchain *dc, const char *rel, size_t len,
		  uint64_t dev, uint64_t ino);

#endif
