/*
 * scratch.h - for unit tests: a private scratch directory under /tmp for a
 * test program, and its removal.
 */
#ifndef WCINDEX_TEST_SCRATCH_H
#define WCINDEX_TEST_SCRATCH_H

#include <stddef.h>

/*
 * Create /tmp/NAME.XXXXXX into buf (size bytes); exits the test program
 * with status 2 when it cannot.
 */
void scratch_create(char *buf, size_t size, const char *name);

/* Remove path and everything below it, saying so on stderr if it cannot. */
void scratch_remove(const char *path);

#endif
