/*
 * capture.h - for unit tests: collect what the code under test writes to
 * stderr (fd 2), so that error messages can be checked.
 */
#ifndef WCINDEX_TEST_CAPTURE_H
#define WCINDEX_TEST_CAPTURE_H

#include <stdio.h>

struct capture {
	int saved;
	FILE *tmp;
};

/* Point fd 2 at a temporary file. */
void capture_start(struct capture *c);

struct strbuf;

/* Restore fd 2; what was written goes to out (unless out is NULL). */
void capture_end(struct capture *c, struct strbuf *out);

#endif
