/*
 * scratch.c - the scratch directories of the unit tests (scratch.h): the
 * per-test-case base directory and per-test directory fixtures, and the
 * helpers that make files and deep directory chains in them.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scratch.h"
#include "strbuf.h"

char scratch_dir[128];

static const char *base_name;	/* scratch_fixtures()'s NAME */
static char base_dir[64];	/* the running test case's base directory */

void scratch_create(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "/tmp/%s.XXXXXX", name);
	if (!mkdtemp(buf)) {
		fprintf(stderr, "%s: ", name);
		perror("mkdtemp");
		exit(2);
	}
}

void scratch_remove(const char *path)
{
	struct strbuf cmd = STRBUF_INIT;

	/* Trees deeper than PATH_MAX defeat most tools; rm -rf copes. */
	strbuf_addf(&cmd, "rm -rf '%s'", path);
	if (system(cmd.buf) != 0)
		fprintf(stderr, "cannot remove '%s'\n", path);
	strbuf_release(&cmd);
}

static void base_setup(void)
{
	scratch_create(base_dir, sizeof(base_dir), base_name);
}

static void base_teardown(void)
{
	scratch_remove(base_dir);
}

static void test_setup(void)
{
	snprintf(scratch_dir, sizeof(scratch_dir), "%s/t.XXXXXX", base_dir);
	ck_assert_ptr_nonnull(mkdtemp(scratch_dir));
}

void scratch_fixtures(TCase *tc, const char *name, void (*setup)(void),
		      void (*teardown)(void))
{
	base_name = name;
	tcase_add_unchecked_fixture(tc, base_setup, base_teardown);
	/* Check runs setups in the order they were added */
	tcase_add_checked_fixture(tc, test_setup, NULL);
	if (setup || teardown)
		tcase_add_checked_fixture(tc, setup, teardown);
}

const char *scratch_path(const char *rel)
{
	static struct strbuf sb = STRBUF_INIT;

	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/%s", scratch_dir, rel);
	return sb.buf;
}

void scratch_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_msg(f != NULL, "cannot create '%s'", path);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

int scratch_deep_dirs(struct strbuf *path, int depth, size_t comp_len,
		      char fill)
{
	char *comp = malloc(comp_len + 1);
	int dirfd;

	ck_assert_uint_gt(comp_len, 0);
	ck_assert_ptr_nonnull(comp);
	memset(comp, fill, comp_len);
	comp[comp_len] = '\0';
	dirfd = open(path->buf, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(dirfd, 0);
	for (int level = 0; level < depth; level++) {
		int next;

		comp[0] = (char)('a' + level % 26);
		ck_assert_int_eq(mkdirat(dirfd, comp, 0755), 0);
		next = openat(dirfd, comp, O_RDONLY | O_DIRECTORY);
		ck_assert_int_ge(next, 0);
		close(dirfd);
		dirfd = next;
		strbuf_addch(path, '/');
		strbuf_addstr(path, comp);
	}
	free(comp);
	return dirfd;
}
