/*
 * tally.h - the rows that "wcindex total" prints: a labelled line of totals
 * per PATH, or with --depth, per directory down to a depth (as du -d does),
 * gathered from the index and put in the order asked for.
 */
#ifndef WCINDEX_TALLY_H
#define WCINDEX_TALLY_H

#include <stddef.h>

#include "store.h"

struct tally_row {
	char *label;
	struct totals t;
};

/* Add every count of t to sum. */
void totals_add(struct totals *sum, const struct totals *t);

struct tally;

struct tally *tally_new(void);
void tally_free(struct tally *ty);

/* Add a row: label (copied) and its totals. */
void tally_add(struct tally *ty, const char *label, const struct totals *t);

/*
 * Add a row for the indexed directory dir (absolute, as stored), labelled
 * label, and for each directory below it down to depth levels, labelled
 * label/SUB; each row holds the totals of its whole subtree.  Children
 * come before their parent, like du(1).  0, or -1 on error (reported).
 */
int tally_add_tree(struct tally *ty, struct store *s, const char *dir,
		   const char *label, unsigned depth, int include_binary);

/*
 * Order the rows: largest first by key, ties by label (by label alone for
 * SORT_NAME), or the other way round with reverse.
 */
void tally_sort(struct tally *ty, enum sort_key key, int reverse);

/* The number of rows, and row i (0 <= i < tally_count()). */
size_t tally_count(const struct tally *ty);
const struct tally_row *tally_row(const struct tally *ty, size_t i);

/*
 * The order of two paths in which every directory comes after everything
 * below it ("a/b" before "a"), otherwise by bytes with '/' lowest.  A key
 * for qsort() on strings; exported for its tests.
 */
int tally_path_cmp(const char *a, const char *b);

#endif
