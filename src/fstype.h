/*
 * fstype.h - which file systems the scan does not walk.
 *
 * Pseudo file systems hold no documents: their files are the kernel's
 * interfaces or its state, sizes lie (a /proc file reports 0 bytes and
 * reads on), and a read may have effects (/proc/kmsg consumes the kernel
 * log).  They are told by the f_type of fstatfs(2), and are of two kinds:
 *
 *  - never walked: file systems whose files are kernel interfaces (proc,
 *    sysfs, debugfs, tracefs, securityfs, cgroup, bpf, configfs, ...).
 *    Reading them runs kernel code; no option includes them.
 *  - walked only when asked (--include-fs NAME): file systems whose files
 *    are inert or hold data but are not documents (pstore's crash logs,
 *    mqueue, devpts, hugetlbfs, autofs whose walk triggers mounts).
 *
 * devtmpfs reports the magic of tmpfs and cannot be told from it: it holds
 * device nodes, which the walk skips anyway.
 */
#ifndef WCINDEX_FSTYPE_H
#define WCINDEX_FSTYPE_H

#include <stdint.h>

struct fs_type {
	const char *name;	/* as /proc/filesystems spells it */
	unsigned long magic;	/* statfs.f_type */
	int never;		/* 1: no option includes it */
};

/* The pseudo file system of that magic, or NULL for any other. */
const struct fs_type *fstype_by_magic(unsigned long magic);

/* The pseudo file system called name, or NULL if there is none. */
const struct fs_type *fstype_by_name(const char *name);

/* Every pseudo file system known, and how many (tests, the manual). */
const struct fs_type *fstype_table(unsigned *nr);

/*
 * Let the scan walk the pseudo file system name (--include-fs) by setting
 * its bit in *include.  Returns 0, or -1 after saying why not (unknown, or
 * never walked).
 */
int fstype_include(uint32_t *include, const char *name);

/*
 * The pseudo file system that fd is on and that include does not let the
 * scan walk, in *skip (NULL: walk it).  Returns 0, or -1 with errno set
 * when fstatfs() fails.
 */
int fstype_skip(int fd, uint32_t include, const struct fs_type **skip);

/* Like fstype_skip(), for a path (a root, before anything is opened). */
int fstype_skip_path(const char *path, uint32_t include,
		     const struct fs_type **skip);

#endif
