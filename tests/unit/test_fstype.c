/*
 * test_fstype.c - unit tests of the pseudo file system table (src/fstype.c):
 * names and magics map both ways and are unique, the file systems of
 * documents are not in it, --include-fs takes the types it may walk and
 * refuses the others, and the type of a real descriptor is read.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "fstype.h"
#include "strbuf.h"
#include "util.h"
#include "capture.h"
#include "testmain.h"

START_TEST(test_names_and_magics)
{
	unsigned nr;
	const struct fs_type *t = fstype_table(&nr);

	ck_assert_uint_gt(nr, 0);
	ck_assert_uint_le(nr, 32);
	for (unsigned i = 0; i < nr; i++) {
		ck_assert_ptr_eq(fstype_by_name(t[i].name), &t[i]);
		ck_assert_ptr_eq(fstype_by_magic(t[i].magic), &t[i]);
		for (unsigned j = 0; j < i; j++) {
			ck_assert_str_ne(t[i].name, t[j].name);
			ck_assert_uint_ne(t[i].magic, t[j].magic);
		}
	}
}
END_TEST

START_TEST(test_known_types)
{
	static const struct { const char *name; unsigned long magic; int never; }
	want[] = {
		{ "proc", 0x9fa0, 1 }, { "sysfs", 0x62656572, 1 },
		{ "debugfs", 0x64626720, 1 }, { "tracefs", 0x74726163, 1 },
		{ "securityfs", 0x73636673, 1 }, { "cgroup", 0x27e0eb, 1 },
		{ "cgroup2", 0x63677270, 1 }, { "bpf", 0xcafe4a11, 1 },
		{ "configfs", 0x62656570, 1 }, { "efivarfs", 0xde5e81e4, 1 },
		{ "fusectl", 0x65735543, 1 }, { "binfmt_misc", 0x42494e4d, 1 },
		{ "selinuxfs", 0xf97cff8c, 1 }, { "nsfs", 0x6e736673, 1 },
		{ "pstore", 0x6165676c, 0 }, { "mqueue", 0x19800202, 0 },
		{ "devpts", 0x1cd1, 0 }, { "hugetlbfs", 0x958458f6, 0 },
		{ "autofs", 0x0187, 0 },
	};

	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		const struct fs_type *t = fstype_by_magic(want[i].magic);

		ck_assert_msg(t, "%s is not in the table", want[i].name);
		ck_assert_str_eq(t->name, want[i].name);
		ck_assert_int_eq(t->never, want[i].never);
	}
}
END_TEST

START_TEST(test_documents_are_normal)
{
	static const unsigned long magic[] = {
		EXT4_SUPER_MAGIC, XFS_SUPER_MAGIC, BTRFS_SUPER_MAGIC,
		TMPFS_MAGIC, NFS_SUPER_MAGIC, OVERLAYFS_SUPER_MAGIC,
		FUSE_SUPER_MAGIC, RAMFS_MAGIC, 0, 0xffffffffUL,
	};

	for (size_t i = 0; i < ARRAY_LEN(magic); i++)
		ck_assert_ptr_null(fstype_by_magic(magic[i]));
	ck_assert_ptr_null(fstype_by_name("ext4"));
	ck_assert_ptr_null(fstype_by_name("PROC"));
	ck_assert_ptr_null(fstype_by_name(""));
}
END_TEST

/* f_type is a signed long: a magic with its high bit set may come negative */
START_TEST(test_sign_extended_magic)
{
	const struct fs_type *t = fstype_by_magic((unsigned long)(long)(int)0xcafe4a11);

	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->name, "bpf");
}
END_TEST

START_TEST(test_include)
{
	uint32_t include = 0;
	struct capture cap;
	struct strbuf err = STRBUF_INIT;
	unsigned nr;
	const struct fs_type *t = fstype_table(&nr);
	const struct fs_type *mq = fstype_by_name("mqueue");

	ck_assert_int_eq(fstype_include(&include, "mqueue"), 0);
	ck_assert_uint_eq(include, UINT32_C(1) << (mq - t));
	ck_assert_int_eq(fstype_include(&include, "mqueue"), 0);
	ck_assert_uint_eq(include, UINT32_C(1) << (mq - t));

	capture_start(&cap);
	ck_assert_int_eq(fstype_include(&include, "proc"), -1);
	ck_assert_int_eq(fstype_include(&include, "nosuchfs"), -1);
	capture_end(&cap, &err);
	ck_assert_ptr_nonnull(strstr(err.buf, "'proc' is never walked"));
	ck_assert_ptr_nonnull(strstr(err.buf, "unknown pseudo file system 'nosuchfs'"));
	ck_assert_uint_eq(include, UINT32_C(1) << (mq - t));
	strbuf_release(&err);
}
END_TEST

START_TEST(test_descriptors)
{
	const struct fs_type *skip = (const void *)1;
	struct statfs sf;
	int fd = open(".", O_RDONLY | O_DIRECTORY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstype_skip(fd, 0, &skip), 0);
	ck_assert_int_eq(fstatfs(fd, &sf), 0);
	ck_assert_ptr_eq(skip, fstype_by_magic((unsigned long)sf.f_type));
	close(fd);
	if (statfs("/proc", &sf) || sf.f_type != PROC_SUPER_MAGIC)
		return;		/* no proc here */
	ck_assert_int_eq(fstype_skip_path("/proc/self", 0, &skip), 0);
	ck_assert_ptr_nonnull(skip);
	ck_assert_str_eq(skip->name, "proc");
	/* proc is never walked, whatever is included */
	ck_assert_int_eq(fstype_skip_path("/proc", UINT32_MAX, &skip), 0);
	ck_assert_ptr_nonnull(skip);
	ck_assert_int_eq(fstype_skip_path("/nonexistent/wcindex", 0, &skip), -1);
}
END_TEST

static Suite *fstype_suite(void)
{
	Suite *s = suite_create("fstype");
	TCase *tc = add_tcase(s, "table", 0);

	tcase_add_test(tc, test_names_and_magics);
	tcase_add_test(tc, test_known_types);
	tcase_add_test(tc, test_documents_are_normal);
	tcase_add_test(tc, test_sign_extended_magic);
	tcase_add_test(tc, test_include);
	tcase_add_test(tc, test_descriptors);
	return s;
}

int main(void)
{
	return run_suite(fstype_suite());
}
