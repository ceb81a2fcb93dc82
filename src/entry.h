/*
 * entry.h - the flags of an index row (entries.flags) and the totals rule,
 * defined here once for C.  sql/views.sql spells the same bits for people
 * writing SQL (the view flag_bits) and the same rule (the view
 * counted_entries); test_store checks bit by bit and row by row that the two
 * agree.
 *
 * The low bits are the counting kernel's COUNT_F_*: what the bytes were.
 * The others are decided by the scanner's writer from what a worker reports
 * and the options a file was counted with.
 */
#ifndef WCINDEX_ENTRY_H
#define WCINDEX_ENTRY_H

#include "count.h"

#define ENTRY_F_BINARY       COUNT_F_BINARY		/* 0x1 */
#define ENTRY_F_INVALID_UTF8 COUNT_F_INVALID_UTF8	/* 0x2 */
#define ENTRY_F_RACY       0x4u	/* counted too close to a change: recount */
#define ENTRY_F_ASCII      0x8u	/* counted with --ascii */
#define ENTRY_F_ARCHIVE    0x10u	/* a container: members carry counts */
#define ENTRY_F_COMPRESSED 0x20u	/* counted as what it decompresses to */
#define ENTRY_F_LINK       0x40u	/* a link member: never followed */
#define ENTRY_F_NORETRY    0x80u	/* failed for good: retried only once changed */
#define ENTRY_F_NOARCHIVES 0x100u	/* counted with --no-archives */
#define ENTRY_F_NAME_CUT   0x200u	/* a member name too long: cut, marked */
#define ENTRY_F_RAW        0x400u	/* a document counted as its bytes: extraction off */

/* The flags that record counting options: a change of them recounts. */
#define ENTRY_F_OPTIONS (ENTRY_F_ASCII | ENTRY_F_NOARCHIVES)

/* Rows whose counts are not text of their own: containers and links. */
#define ENTRY_F_NO_TEXT (ENTRY_F_ARCHIVE | ENTRY_F_LINK)

/* Rows a total leaves out even when their status is 'ok'. */
#define ENTRY_F_UNCOUNTED (ENTRY_F_BINARY | ENTRY_F_NO_TEXT)

/*
 * The totals rule: a row adds its counts to a total when it was read
 * (status 'ok') and is text of its own: not a container, not a link, and
 * not binary unless the caller asks for binary files too.
 */
static inline int entry_in_totals(unsigned flags, int status_ok,
				  int include_binary)
{
	unsigned out = include_binary ? ENTRY_F_NO_TEXT : ENTRY_F_UNCOUNTED;

	return status_ok && !(flags & out);
}

/*
 * The name of the single flag bit (the column of the view flag_bits that
 * holds it), or NULL for a bit that is not a flag.
 */
const char *entry_flag_name(unsigned bit);

#endif
