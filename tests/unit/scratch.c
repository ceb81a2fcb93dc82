/*
 * scratch.c - the scratch directories of the unit tests (scratch.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "scratch.h"
#include "strbuf.h"

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
