/*
 * zipfix.c - zip bytes written by hand, for the unit tests (see zipfix.h).
 */
#include "config.h"

#include <check.h>
#include <string.h>

#include "zipfix.h"

void zipfix_put16(struct strbuf *sb, unsigned v)
{
	unsigned char b[2] = { (unsigned char)v, (unsigned char)(v >> 8) };

	strbuf_add(sb, b, 2);
}

void zipfix_put32(struct strbuf *sb, uint32_t v)
{
	zipfix_put16(sb, v & 0xffff);
	zipfix_put16(sb, v >> 16);
}

void zipfix_put64(struct strbuf *sb, uint64_t v)
{
	zipfix_put32(sb, (uint32_t)v);
	zipfix_put32(sb, (uint32_t)(v >> 32));
}

void zipfix_stored(struct strbuf *sb, const struct zipfix_part *parts,
		   size_t n)
{
	uint32_t off[8], cd_at;

	ck_assert_uint_le(n, 8);
	for (size_t i = 0; i < n; i++) {
		uint32_t len = (uint32_t)strlen(parts[i].data);

		off[i] = (uint32_t)sb->len;
		strbuf_add(sb, "PK\3\4", 4);
		zipfix_put16(sb, 20); zipfix_put16(sb, 0); zipfix_put16(sb, 0);
		zipfix_put32(sb, 0); zipfix_put32(sb, 0);
		zipfix_put32(sb, len); zipfix_put32(sb, len);
		zipfix_put16(sb, (unsigned)strlen(parts[i].name));
		zipfix_put16(sb, 0);
		strbuf_addstr(sb, parts[i].name);
		strbuf_addstr(sb, parts[i].data);
	}
	cd_at = (uint32_t)sb->len;
	for (size_t i = 0; i < n; i++) {
		uint32_t len = (uint32_t)strlen(parts[i].data);

		strbuf_add(sb, "PK\1\2", 4);
		zipfix_put16(sb, 20); zipfix_put16(sb, 20);
		zipfix_put16(sb, 0); zipfix_put16(sb, 0);
		zipfix_put32(sb, 0); zipfix_put32(sb, 0);
		zipfix_put32(sb, len); zipfix_put32(sb, len);
		zipfix_put16(sb, (unsigned)strlen(parts[i].name));
		zipfix_put16(sb, 0); zipfix_put16(sb, 0);
		zipfix_put16(sb, 0); zipfix_put16(sb, 0);
		zipfix_put32(sb, 0); zipfix_put32(sb, off[i]);
		strbuf_addstr(sb, parts[i].name);
	}
	strbuf_add(sb, "PK\5\6", 4);
	zipfix_put16(sb, 0); zipfix_put16(sb, 0);
	zipfix_put16(sb, (unsigned)n); zipfix_put16(sb, (unsigned)n);
	zipfix_put32(sb, (uint32_t)sb->len - cd_at - 4 - 8);
	zipfix_put32(sb, cd_at);
	zipfix_put16(sb, 0);
}
