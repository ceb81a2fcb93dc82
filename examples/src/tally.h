/*
 * tally.h - a tiny line/word/byte counter, in the spirit of wc(1).
 *
 * This is example content for the wcindex demo corpus, not part of wcindex.
 */
#ifndef TALLY_H
#define TALLY_H

#include <stdio.h>

struct tally {
	unsigned long long bytes;
	unsigned long long lines;
	unsigned long long words;
};

/* Add the contents of fp to *t.  Returns 0, or -1 on a read error. */
int tally_stream(FILE *fp, struct tally *t);

/* Print one line "lines words bytes name" like wc does. */
void tally_print(const struct tally *t, const char *name);

#endif /* TALLY_H */
