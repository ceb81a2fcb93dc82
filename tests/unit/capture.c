/*
 * capture.c - stderr capture shared by the unit tests.
 */
#include "config.h"

#include <check.h>
#include <unistd.h>

#include "capture.h"
#include "strbuf.h"

void capture_start(struct capture *c)
{
	fflush(stderr);
	c->saved = dup(2);
	ck_assert_int_ge(c->saved, 0);
	c->tmp = tmpfile();
	ck_assert_ptr_nonnull(c->tmp);
	ck_assert_int_ge(dup2(fileno(c->tmp), 2), 0);
}

void capture_end(struct capture *c, struct strbuf *out)
{
	char buf[1024];
	size_t n;

	fflush(stderr);
	ck_assert_int_ge(dup2(c->saved, 2), 0);
	close(c->saved);
	if (out)
		strbuf_reset(out);
	rewind(c->tmp);
	while ((n = fread(buf, 1, sizeof(buf), c->tmp)) > 0)
		if (out)
			strbuf_add(out, buf, n);
	fclose(c->tmp);
}
