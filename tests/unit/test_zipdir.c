/*
 * test_zipdir.c - unit tests of the zip central directory reader
 * (src/zipdir.c): names come back byte for byte (backslashes, bytes that
 * are not UTF-8) in the order of their local headers whatever the order
 * of the directory; directories are told by name, Unix mode and DOS bit;
 * end records behind a comment, in a self-extracting file and in ZIP64
 * form are found; and every lie a hostile directory can tell (counts,
 * sizes, offsets, lengths) gives NULL, never a wild read.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"
#include "testmain.h"
#include "zipdir.h"
#include "zipfix.h"

struct zent {
	const char *name;
	unsigned system;	/* 3: Unix, 0: DOS */
	uint32_t attr;
};

/* Build options: what to get wrong or unusual on purpose. */
struct zopt {
	size_t prefix;		/* bytes before the zip (self-extracting) */
	const char *comment;
	int reverse_cd;		/* directory in the reverse order */
	int zip64;		/* offsets in a ZIP64 extra, ZIP64 end records */
	int32_t count_delta;	/* added to the end record's entry count */
	int64_t size_delta;	/* added to the end record's directory size */
	int bad_name_len;	/* the first name length runs off the end */
};

/* A zip of empty stored members named by ents, into sb. */
static void build(struct strbuf *sb, const struct zent *ents, size_t n,
		  const struct zopt *o)
{
	uint64_t off[16], cd_at, cd_size;

	strbuf_reset(sb);
	for (size_t i = 0; i < o->prefix; i++)
		strbuf_addch(sb, 'x');
	for (size_t i = 0; i < n; i++) {
		off[i] = sb->len - o->prefix;
		strbuf_add(sb, "PK\3\4", 4);
		zipfix_put16(sb, 20);				/* version */
		zipfix_put16(sb, 0);				/* flags */
		zipfix_put16(sb, 0);				/* method */
		zipfix_put32(sb, 0); zipfix_put32(sb, 0);	/* time, crc */
		zipfix_put32(sb, 0); zipfix_put32(sb, 0);	/* sizes */
		zipfix_put16(sb, (unsigned)strlen(ents[i].name));
		zipfix_put16(sb, 0);
		strbuf_addstr(sb, ents[i].name);
	}
	cd_at = sb->len - o->prefix;
	for (size_t k = 0; k < n; k++) {
		size_t i = o->reverse_cd ? n - 1 - k : k;
		size_t len = strlen(ents[i].name);

		strbuf_add(sb, "PK\1\2", 4);
		zipfix_put16(sb, ents[i].system << 8 | 20);
		zipfix_put16(sb, 20);
		zipfix_put16(sb, 0); zipfix_put16(sb, 0);
		zipfix_put32(sb, 0); zipfix_put32(sb, 0);
		zipfix_put32(sb, 0); zipfix_put32(sb, 0);
		zipfix_put16(sb, (unsigned)len +
			     (o->bad_name_len && !k ? 60000 : 0));
		zipfix_put16(sb, o->zip64 ? 12 : 0); zipfix_put16(sb, 0);
		zipfix_put16(sb, 0); zipfix_put16(sb, 0);
		zipfix_put32(sb, ents[i].attr);
		zipfix_put32(sb, o->zip64 ? 0xffffffffu : (uint32_t)off[i]);
		strbuf_addstr(sb, ents[i].name);
		if (o->zip64) {
			zipfix_put16(sb, 1); zipfix_put16(sb, 8);
			zipfix_put64(sb, off[i]);
		}
	}
	cd_size = sb->len - o->prefix - cd_at;
	if (o->zip64) {
		uint64_t rec = sb->len - o->prefix;

		strbuf_add(sb, "PK\6\6", 4);
		zipfix_put64(sb, 44);
		zipfix_put16(sb, 45); zipfix_put16(sb, 45);
		zipfix_put32(sb, 0); zipfix_put32(sb, 0);
		zipfix_put64(sb, n);
		zipfix_put64(sb, n + (int64_t)o->count_delta);
		zipfix_put64(sb, cd_size + (uint64_t)o->size_delta);
		zipfix_put64(sb, cd_at);
		strbuf_add(sb, "PK\6\7", 4);
		zipfix_put32(sb, 0);
		zipfix_put64(sb, rec + o->prefix);
		zipfix_put32(sb, 1);
	}
	strbuf_add(sb, "PK\5\6", 4);
	zipfix_put16(sb, 0); zipfix_put16(sb, 0);
	zipfix_put16(sb, o->zip64 ? 0xffff : (unsigned)n);
	zipfix_put16(sb, o->zip64 ? 0xffff : (unsigned)(n + o->count_delta));
	zipfix_put32(sb, o->zip64 ? 0xffffffffu :
		     (uint32_t)(cd_size + o->size_delta));
	zipfix_put32(sb, o->zip64 ? 0xffffffffu : (uint32_t)cd_at);
	zipfix_put16(sb, o->comment ? (unsigned)strlen(o->comment) : 0);
	if (o->comment)
		strbuf_addstr(sb, o->comment);
}

/* zipdir_read() of the bytes in sb, through a real file. */
static struct zipdir *read_bytes(const struct strbuf *sb, size_t max)
{
	FILE *f = tmpfile();
	struct zipdir *dir;

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(sb->buf, 1, sb->len, f), sb->len);
	ck_assert_int_eq(fflush(f), 0);
	dir = zipdir_read(fileno(f), sb->len, max);
	fclose(f);
	return dir;
}

static void expect_name(const struct zipdir *dir, size_t i, const char *want)
{
	size_t len;
	const char *got = zipdir_name(dir, i, &len);

	ck_assert_uint_eq(len, strlen(want));
	ck_assert_int_eq(memcmp(got, want, len), 0);
}

static const struct zent names[] = {
	{ "a\\b\\c", 3, 0100644u << 16 },
	{ "d\\e\\", 3, 0 },
	{ "a/b/c", 3, 0100644u << 16 },
	{ "\xff\xfe raw", 0, 0x20 },
};

START_TEST(test_names_in_local_order)
{
	struct strbuf sb = STRBUF_INIT;
	struct zopt o = { .reverse_cd = _i & 1, .zip64 = _i >> 1 };
	struct zipdir *dir;

	build(&sb, names, ARRAY_LEN(names), &o);
	dir = read_bytes(&sb, 100);
	ck_assert_ptr_nonnull(dir);
	ck_assert_uint_eq(zipdir_count(dir), ARRAY_LEN(names));
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		expect_name(dir, i, names[i].name);
	zipdir_free(dir);
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_directories)
{
	static const struct zent ents[] = {
		{ "slash/", 3, 0 },		/* by name */
		{ "mode\\", 3, 040755u << 16 },	/* by Unix mode */
		{ "dos", 0, 0x10 },		/* by the DOS bit */
		{ "d\\e\\", 3, 0 },		/* a backslash is no directory */
		{ "file", 3, 0100644u << 16 | 0x10 },	/* Unix mode wins */
	};
	static const int want[] = { 1, 1, 1, 0, 0 };
	struct strbuf sb = STRBUF_INIT;
	struct zopt o = { 0 };
	struct zipdir *dir;

	build(&sb, ents, ARRAY_LEN(ents), &o);
	dir = read_bytes(&sb, 100);
	ck_assert_ptr_nonnull(dir);
	for (size_t i = 0; i < ARRAY_LEN(ents); i++)
		ck_assert_int_eq(zipdir_is_dir(dir, i), want[i]);
	zipdir_free(dir);
	strbuf_release(&sb);
}
END_TEST

/* A comment after the end record, bytes before the zip: still found. */
START_TEST(test_comment_and_prefix)
{
	struct strbuf sb = STRBUF_INIT;
	struct zopt o = { .comment = "PK\5\6 a comment that looks like a record",
			  .prefix = 1000 };
	struct zipdir *dir;

	build(&sb, names, ARRAY_LEN(names), &o);
	dir = read_bytes(&sb, 100);
	ck_assert_ptr_nonnull(dir);
	expect_name(dir, 0, names[0].name);
	expect_name(dir, 3, names[3].name);
	zipdir_free(dir);
	strbuf_release(&sb);
}
END_TEST

/* Every lie gives NULL: counts, sizes, lengths, limits, truncation. */
START_TEST(test_lies)
{
	static const struct zopt lies[] = {
		{ .count_delta = 1 }, { .count_delta = 1000 },
		{ .size_delta = 10 }, { .size_delta = -10 },
		{ .size_delta = 1 << 30 }, { .bad_name_len = 1 },
		{ .zip64 = 1, .count_delta = 1 }, { .zip64 = 1, .size_delta = 4 },
	};
	struct strbuf sb = STRBUF_INIT;
	struct zopt o = { 0 };

	for (size_t i = 0; i < ARRAY_LEN(lies); i++) {
		build(&sb, names, ARRAY_LEN(names), &lies[i]);
		ck_assert_msg(!read_bytes(&sb, 100), "lie %zu accepted", i);
	}
	build(&sb, names, ARRAY_LEN(names), &o);
	ck_assert_ptr_null(read_bytes(&sb, ARRAY_LEN(names) - 1));
	/* a directory header without its signature */
	{
		char *sig = memmem(sb.buf, sb.len, "PK\1\2", 4);

		ck_assert_ptr_nonnull(sig);
		sig = memmem(sig + 4, sb.len - (size_t)(sig + 4 - sb.buf),
			     "PK\1\2", 4);
		ck_assert_ptr_nonnull(sig);
		sig[3] = 9;
		ck_assert_ptr_null(read_bytes(&sb, 100));
		sig[3] = 2;
	}
	/* cut anywhere: the end record is gone, or points past the end */
	for (size_t len = 0; len < sb.len; len += 7) {
		struct strbuf cut = STRBUF_INIT;

		strbuf_add(&cut, sb.buf, len);
		ck_assert_msg(!read_bytes(&cut, 100), "cut at %zu accepted", len);
		strbuf_release(&cut);
	}
	strbuf_release(&sb);
}
END_TEST

static Suite *zipdir_suite(void)
{
	Suite *s = suite_create("zipdir");
	TCase *tc = add_tcase(s, "read", 0);

	tcase_add_loop_test(tc, test_names_in_local_order, 0, 4);
	tcase_add_test(tc, test_directories);
	tcase_add_test(tc, test_comment_and_prefix);
	tcase_add_test(tc, test_lies);
	return s;
}

int main(void)
{
	return run_suite(zipdir_suite());
}
