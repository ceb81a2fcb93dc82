/*
 * scratch.h - for unit tests: scratch directories under /tmp.  A test
 * program that works on files gives each of its test cases the scratch
 * fixtures (scratch_fixtures()): a base directory for the test case, made
 * and removed by the runner, and inside it a fresh, empty directory for
 * each test, scratch_dir.  scratch_path(), scratch_write() and
 * scratch_deep_dirs() make paths, files and directory chains in it.  A
 * program that needs one directory of its own (fixtures generated once,
 * say) uses scratch_create() and scratch_remove() directly.
 */
#ifndef WCINDEX_TEST_SCRATCH_H
#define WCINDEX_TEST_SCRATCH_H

#include <check.h>
#include <stddef.h>

struct strbuf;

/*
 * Create /tmp/NAME.XXXXXX into buf (size bytes); exits the test program
 * with status 2 when it cannot.
 */
void scratch_create(char *buf, size_t size, const char *name);

/* Remove path and everything below it, saying so on stderr if it cannot. */
void scratch_remove(const char *path);

/*
 * The running test's own directory, empty when the test starts; set by
 * the checked fixture of scratch_fixtures().
 */
extern char scratch_dir[128];

/*
 * Give tc the scratch fixtures:
 *  - an unchecked fixture that makes a base directory /tmp/NAME.XXXXXX
 *    before the test case and removes it, with everything in it, after
 *    the test case.  It runs in the runner, so the directory goes even
 *    when a test fails or crashes;
 *  - a checked fixture that makes scratch_dir, a fresh directory inside
 *    the base, before each test (it goes with the base);
 *  - then the test case's own checked fixture, setup and teardown (either
 *    may be NULL): setup runs after scratch_dir is made, teardown before
 *    the next test's scratch_dir is.
 * NAME is the program's name ("test_pool"); every call of a program must
 * give the same.
 */
void scratch_fixtures(TCase *tc, const char *name, void (*setup)(void),
		      void (*teardown)(void));

/*
 * scratch_dir + "/" + rel, in a static buffer that the next call
 * reuses.
 */
const char *scratch_path(const char *rel);

/*
 * Create (or truncate) the file path with the len bytes at data as its
 * content.  Any failure fails the running test.
 */
void scratch_write(const char *path, const void *data, size_t len);

/*
 * Make depth nested directories below the directory path names, one level
 * at a time with mkdirat() and openat(), so that no path longer than one
 * component is ever passed to the kernel: this is how a path longer than
 * PATH_MAX is built.  Each level is named by comp_len (> 0) bytes of
 * fill, but for the first byte, 'a' + level % 26, so that the levels
 * differ.  Appends "/" and the name of each level to path and returns an
 * open descriptor of the deepest directory, which the caller closes.  Any
 * failure fails the running test.
 */
int scratch_deep_dirs(struct strbuf *path, int depth, size_t comp_len,
		      char fill);

#endif
