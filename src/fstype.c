/*
 * fstype.c - the pseudo file systems the scan does not walk (fstype.h).
 * One table, in the order of the bits of --include-fs.
 */
#include "config.h"

#include <errno.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/statfs.h>

#include "fstype.h"
#include "util.h"

/* Not in every <linux/magic.h>: the values of the kernel's sources. */
#define FS_CONFIGFS_MAGIC	0x62656570
#define FS_FUSECTL_MAGIC	0x65735543
#define FS_MQUEUE_MAGIC		0x19800202
#define FS_RPC_PIPEFS_MAGIC	0x67596969
#define FS_NFSD_MAGIC		0x6e667364

static const struct fs_type table[] = {
	/* kernel interfaces: reading runs kernel code, never walked */
	{ "proc", PROC_SUPER_MAGIC, 1 },
	{ "sysfs", SYSFS_MAGIC, 1 },
	{ "debugfs", DEBUGFS_MAGIC, 1 },
	{ "tracefs", TRACEFS_MAGIC, 1 },
	{ "securityfs", SECURITYFS_MAGIC, 1 },
	{ "selinuxfs", SELINUX_MAGIC, 1 },
	{ "smackfs", SMACK_MAGIC, 1 },
	{ "apparmorfs", AAFS_MAGIC, 1 },
	{ "cgroup", CGROUP_SUPER_MAGIC, 1 },
	{ "cgroup2", CGROUP2_SUPER_MAGIC, 1 },
	{ "resctrl", RDTGROUP_SUPER_MAGIC, 1 },
	{ "bpf", BPF_FS_MAGIC, 1 },
	{ "configfs", FS_CONFIGFS_MAGIC, 1 },
	{ "efivarfs", EFIVARFS_MAGIC, 1 },
	{ "fusectl", FS_FUSECTL_MAGIC, 1 },
	{ "binfmt_misc", BINFMTFS_MAGIC, 1 },
	{ "nsfs", NSFS_MAGIC, 1 },
	{ "binder", BINDERFS_SUPER_MAGIC, 1 },
	{ "rpc_pipefs", FS_RPC_PIPEFS_MAGIC, 1 },
	{ "nfsd", FS_NFSD_MAGIC, 1 },
	{ "openpromfs", OPENPROM_SUPER_MAGIC, 1 },
	{ "xenfs", XENFS_SUPER_MAGIC, 1 },
	{ "usbfs", USBDEVICE_SUPER_MAGIC, 1 },
	/* inert, or data that is not documents: --include-fs walks them */
	{ "pstore", PSTOREFS_MAGIC, 0 },
	{ "mqueue", FS_MQUEUE_MAGIC, 0 },
	{ "devpts", DEVPTS_SUPER_MAGIC, 0 },
	{ "hugetlbfs", HUGETLBFS_MAGIC, 0 },
	{ "autofs", AUTOFS_SUPER_MAGIC, 0 },
};

/* --include-fs is a bit set over the table */
_Static_assert(ARRAY_SIZE(table) <= 32, "fs_type table outgrew its bits");

const struct fs_type *fstype_by_magic(unsigned long magic)
{
	/* f_type is signed on some ABIs: compare the low 32 bits */
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if ((uint32_t)table[i].magic == (uint32_t)magic)
			return &table[i];
	return NULL;
}

const struct fs_type *fstype_by_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

const struct fs_type *fstype_table(unsigned *nr)
{
	*nr = ARRAY_SIZE(table);
	return table;
}

int fstype_include(uint32_t *include, const char *name)
{
	const struct fs_type *t = fstype_by_name(name);

	if (!t)
		return error("unknown pseudo file system '%s'", name);
	if (t->never)
		return error("'%s' is never walked: its files are the "
			     "kernel's interfaces, not documents", name);
	*include |= UINT32_C(1) << (t - table);
	return 0;
}

static const struct fs_type *skipped(const struct statfs *sf,
				     uint32_t include)
{
	const struct fs_type *t = fstype_by_magic((unsigned long)sf->f_type);

	if (t && !t->never && (include & (UINT32_C(1) << (t - table))))
		return NULL;
	return t;
}

int fstype_skip(int fd, uint32_t include, const struct fs_type **skip)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) < 0)
		return -1;
	*skip = skipped(&sf, include);
	return 0;
}

int fstype_skip_path(const char *path, uint32_t include,
		     const struct fs_type **skip)
{
	struct statfs sf;

	if (statfs(path, &sf) < 0)
		return -1;
	*skip = skipped(&sf, include);
	return 0;
}
