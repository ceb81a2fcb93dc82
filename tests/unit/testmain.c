/*
 * testmain.c - the suite plumbing and the environment of the unit test
 * programs (testmain.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testmain.h"

TCase *add_tcase(Suite *s, const char *name, double timeout)
{
	TCase *tc = tcase_create(name);

	if (timeout > 0)
		tcase_set_timeout(tc, timeout);
	suite_add_tcase(s, tc);
	return tc;
}

int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failures;

	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures != 0;
}

const char *test_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

const char *test_srcdir(void)
{
	const char *dir = test_env("TEST_SRCDIR");

	return dir ? dir : "tests";
}

const char *test_python3(void)
{
	const char *py = test_env("PYTHON3");

	return py && strcmp(py, "none") ? py : NULL;
}

int test_skip(const char *who, const char *why)
{
	fprintf(stderr, "%s: %s: skipping\n", who, why);
	return 1;
}
