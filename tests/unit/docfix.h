/*
 * docfix.h - a document through the formats, as the worker reads it, for
 * the unit tests of the formats: written to a temporary file, recognised
 * from its head and extension, and its text counted.
 */
#ifndef WCINDEX_DOCFIX_H
#define WCINDEX_DOCFIX_H

#include <stddef.h>

#include "count.h"
#include "formats/format.h"

struct docfix_result {
	enum doc_format format;	/* FORMAT_TEXT: no module claimed it */
	enum doc_status status;	/* DOC_OK when not extracted */
	struct counts c;	/* of the text; zero when not extracted */
	char msg[256];		/* the reason, when status is not DOC_OK */
};

/*
 * Recognise the len bytes at data, named with extension ext, among the
 * formats in `enabled`, under lim (NULL: archive_limits_default()), and
 * count the text of a document in UTF-8 mode into r.  Fails the test on
 * a system error.
 */
void docfix_run(const void *data, size_t len, const char *ext,
		unsigned enabled, const struct archive_limits *lim,
		struct docfix_result *r);

#endif
