/*
 * zipfix.h - zip bytes written by hand, for the unit tests that read
 * zips: little-endian fields and a zip of stored members.
 */
#ifndef WCINDEX_ZIPFIX_H
#define WCINDEX_ZIPFIX_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/* v appended to sb in 2, 4 or 8 little-endian bytes. */
void zipfix_put16(struct strbuf *sb, unsigned v);
void zipfix_put32(struct strbuf *sb, uint32_t v);
void zipfix_put64(struct strbuf *sb, uint64_t v);

/* A member of a stored zip: its name and its bytes, both strings. */
struct zipfix_part {
	const char *name, *data;
};

/*
 * A zip of the n (at most 8) parts, stored, appended to sb: local headers
 * and data, the central directory, the end record.  No CRC (the readers do
 * not check it), no times, no comment.
 */
void zipfix_stored(struct strbuf *sb, const struct zipfix_part *parts,
		   size_t n);

#endif
