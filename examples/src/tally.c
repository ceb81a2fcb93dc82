/*
 * tally.c - count lines, words and bytes of files, like `LC_ALL=C wc`.
 *
 * Build:  cc -std=c11 -Wall -Wextra -O2 -o tally tally.c
 * Usage:  tally [FILE]...        (no FILE, or "-": read standard input)
 *
 * A word is a maximal run of bytes that are not ASCII white space
 * (space, \t, \n, \v, \f, \r).  Multibyte characters are not decoded: this
 * is the byte-oriented view, as in the C locale.
 *
 * This is example content for the wcindex demo corpus, not part of wcindex.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tally.h"

static int is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

int tally_stream(FILE *fp, struct tally *t)
{
	unsigned char buf[65536];
	int in_word = 0;
	size_t n;

	while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
		for (size_t i = 0; i < n; i++) {
			int c = buf[i];

			if (c == '\n')
				t->lines++;
			if (is_space(c)) {
				in_word = 0;
			} else if (!in_word) {
				in_word = 1;
				t->words++;
			}
		}
		t->bytes += n;
	}
	return ferror(fp) ? -1 : 0;
}

void tally_print(const struct tally *t, const char *name)
{
	printf("%7llu %7llu %7llu", t->lines, t->words, t->bytes);
	if (name)
		printf(" %s", name);
	putchar('\n');
}

int main(int argc, char **argv)
{
	struct tally total = { 0, 0, 0 };
	int status = 0;

	if (argc < 2) {
		struct tally t = { 0, 0, 0 };

		if (tally_stream(stdin, &t) < 0) {
			fprintf(stderr, "tally: stdin: %s\n", strerror(errno));
			return 1;
		}
		tally_print(&t, NULL);
		return 0;
	}

	for (int i = 1; i < argc; i++) {
		struct tally t = { 0, 0, 0 };
		int is_stdin = strcmp(argv[i], "-") == 0;
		FILE *fp = is_stdin ? stdin : fopen(argv[i], "rb");

		if (!fp) {
			fprintf(stderr, "tally: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		if (tally_stream(fp, &t) < 0) {
			fprintf(stderr, "tally: %s: read error\n", argv[i]);
			status = 1;
		}
		if (!is_stdin)
			fclose(fp);
		tally_print(&t, argv[i]);
		total.bytes += t.bytes;
		total.lines += t.lines;
		total.words += t.words;
	}
	if (argc > 2)
		tally_print(&total, "total");
	return status;
}
