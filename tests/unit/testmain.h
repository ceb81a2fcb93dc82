/*
 * testmain.h - for unit tests: what every test program's suite builder
 * and main() would otherwise repeat: making the test cases of a suite,
 * running the suite to the program's exit status, reading the environment
 * that `make check` sets (AM_TESTS_ENVIRONMENT in Makefile.am) and saying
 * that a test is skipped.
 */
#ifndef WCINDEX_TEST_TESTMAIN_H
#define WCINDEX_TEST_TESTMAIN_H

#include <check.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * A new test case NAME, already added to s (so test cases run in the order
 * they are made), with a timeout of timeout seconds or, when timeout is 0,
 * Check's default ($CK_DEFAULT_TIMEOUT, which make check sets).  Check
 * keeps the pointer NAME: it must outlive the suite.
 */
TCase *add_tcase(Suite *s, const char *name, double timeout);

/*
 * Run every test of s with Check's normal output, then free the runner
 * and the suite.  Returns the test program's exit status: 0 when every
 * test passed, 1 when any failed.
 */
int run_suite(Suite *s);

/* The value of the environment variable NAME, or NULL when unset or empty. */
const char *test_env(const char *name);

/*
 * The tests/ folder of the source tree, where the test data lives:
 * $TEST_SRCDIR, else "tests" (for a program run from the top of the tree).
 */
const char *test_srcdir(void);

/*
 * The python configure found ($PYTHON3), or NULL when it is unset, empty
 * or "none" (configure's word for no python).
 */
const char *test_python3(void);

/*
 * Say on stderr, as "WHO: WHY: skipping", that a test does not run here.
 * Returns 1, for `if (!have && test_skip(...)) return;`.  A skipped test
 * passes: Check has no skipped state.
 */
int test_skip(const char *who, const char *why);

#endif
