/*
 * tally.c - the rows of "wcindex total".  The per-directory breakdown of
 * --depth is summed here from the own totals of every directory, which the
 * index gives in one pass: each directory adds to itself and to each of its
 * ancestors down to the depth asked for, found in a hash table of the rows
 * kept, so that memory grows with the rows printed, not with the tree.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "tally.h"
#include "util.h"

struct tally {
	struct tally_row *rows;
	size_t n, alloc;
};

struct tally *tally_new(void)
{
	return xcalloc(1, sizeof(struct tally));
}

void tally_free(struct tally *ty)
{
	if (!ty)
		return;
	for (size_t i = 0; i < ty->n; i++)
		free(ty->rows[i].label);
	free(ty->rows);
	free(ty);
}

void totals_add(struct totals *sum, const struct totals *t)
{
	sum->files += t->files;
	sum->lines += t->lines;
	sum->words += t->words;
	sum->chars += t->chars;
	sum->bytes += t->bytes;
	sum->binary += t->binary;
	sum->failed += t->failed;
}

static void add_row(struct tally *ty, char *label, const struct totals *t)
{
	ALLOC_GROW(ty->rows, ty->n + 1, ty->alloc);
	ty->rows[ty->n].label = label;
	ty->rows[ty->n].t = *t;
	ty->n++;
}

void tally_add(struct tally *ty, const char *label, const struct totals *t)
{
	add_row(ty, xstrdup(label), t);
}

/* ---- the breakdown of one directory ---- */

/* A directory of the breakdown: its path below the top ("" the top). */
struct sub {
	char *key;
	struct totals t;
};

struct breakdown {
	const char *top;	/* the directory broken down */
	size_t top_len;		/* 0 for "/" */
	unsigned depth;
	struct sub *subs;
	size_t n, alloc;
	size_t *slots;		/* index + 1 into subs; 0 is free */
	size_t nslots;		/* a power of two, never more than half full */
};

static size_t hash_key(const char *s, size_t len)
{
	size_t h = 14695981039346656037ull;

	while (len--)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static void rehash(struct breakdown *bd)
{
	size_t nslots = bd->nslots ? bd->nslots * 2 : 64;
	size_t *slots = xcalloc(nslots, sizeof(*slots));

	for (size_t i = 0; i < bd->n; i++) {
		const char *k = bd->subs[i].key;
		size_t h = hash_key(k, strlen(k)) & (nslots - 1);

		while (slots[h])
			h = (h + 1) & (nslots - 1);
		slots[h] = i + 1;
	}
	free(bd->slots);
	bd->slots = slots;
	bd->nslots = nslots;
}

/* The sub of key [k, k + len), made on first sight. */
static struct sub *find_sub(struct breakdown *bd, const char *k, size_t len)
{
	size_t h;

	if (2 * (bd->n + 1) > bd->nslots)
		rehash(bd);
	h = hash_key(k, len) & (bd->nslots - 1);
	for (; bd->slots[h]; h = (h + 1) & (bd->nslots - 1)) {
		struct sub *sub = &bd->subs[bd->slots[h] - 1];

		if (!strncmp(sub->key, k, len) && !sub->key[len])
			return sub;
	}
	ALLOC_GROW(bd->subs, bd->n + 1, bd->alloc);
	bd->subs[bd->n].key = xstrndup(k, len);
	memset(&bd->subs[bd->n].t, 0, sizeof(bd->subs[bd->n].t));
	bd->slots[h] = ++bd->n;
	return &bd->subs[bd->n - 1];
}

/* store_dir_fn: dir's own totals go to it and its ancestors to depth. */
static int add_dir(void *data, const char *dir, const struct totals *t)
{
	struct breakdown *bd = data;
	const char *rel = dir + bd->top_len;
	unsigned level = 0;
	size_t len = 0;

	if (*rel == '/')
		rel++;
	else
		rel = "";	/* the top itself */
	totals_add(&find_sub(bd, rel, 0)->t, t);
	while (rel[len] && level < bd->depth) {
		const char *slash = strchr(rel + len + (len > 0), '/');

		len = slash ? (size_t)(slash - rel) : strlen(rel);
		level++;
		totals_add(&find_sub(bd, rel, len)->t, t);
	}
	return 0;
}

int tally_path_cmp(const char *a, const char *b)
{
	size_t i = 0;
	unsigned ca, cb;

	while (a[i] && a[i] == b[i])
		i++;
	if (!a[i] && !b[i])
		return 0;
	/* one is a directory above the other: the one below comes first */
	if (!a[i] && (b[i] == '/' || !i))
		return 1;
	if (!b[i] && (a[i] == '/' || !i))
		return -1;
	ca = a[i] == '/' ? 1 : (unsigned char)a[i] + 1u;
	cb = b[i] == '/' ? 1 : (unsigned char)b[i] + 1u;
	if (!a[i])
		ca = 0;
	if (!b[i])
		cb = 0;
	return ca < cb ? -1 : 1;
}

static int cmp_sub(const void *a, const void *b)
{
	return tally_path_cmp(((const struct sub *)a)->key,
			      ((const struct sub *)b)->key);
}

int tally_add_tree(struct tally *ty, struct store *s, const char *dir,
		   const char *label, unsigned depth, int include_binary)
{
	struct breakdown bd = { dir, strlen(dir), depth, NULL, 0, 0, NULL, 0 };
	size_t llen = strlen(label);
	int ret;

	if (!strcmp(dir, "/"))
		bd.top_len = 0;
	ret = store_dir_totals(s, dir, include_binary, add_dir, &bd);
	qsort(bd.subs, bd.n, sizeof(*bd.subs), cmp_sub);
	for (size_t i = 0; i < bd.n; i++) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addstr(&sb, label);
		if (*bd.subs[i].key) {
			if (!llen || label[llen - 1] != '/')
				strbuf_addch(&sb, '/');
			strbuf_addstr(&sb, bd.subs[i].key);
		}
		if (!ret)
			add_row(ty, strbuf_detach(&sb, NULL), &bd.subs[i].t);
		else
			strbuf_release(&sb);
		free(bd.subs[i].key);
	}
	free(bd.subs);
	free(bd.slots);
	return ret;
}

/* ---- order ---- */

static enum sort_key sort_key;
static int sort_reverse;

static uint64_t key_of(const struct totals *t)
{
	switch (sort_key) {
	case SORT_LINES: return t->lines;
	case SORT_WORDS: return t->words;
	case SORT_CHARS: return t->chars;
	case SORT_BYTES: return t->bytes;
	case SORT_FILES: return t->files;
	default: return 0;
	}
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct tally_row *a = pa, *b = pb;
	uint64_t ka = key_of(&a->t), kb = key_of(&b->t);
	/* counts go down, names up */
	int c = ka > kb ? -1 : ka < kb ? 1 : 0;

	if (!c)
		c = strcmp(a->label, b->label);
	return sort_reverse ? -c : c;
}

void tally_sort(struct tally *ty, enum sort_key key, int reverse)
{
	/* qsort takes no context: the command layer sorts once, no thread */
	sort_key = key;
	sort_reverse = reverse;
	qsort(ty->rows, ty->n, sizeof(*ty->rows), cmp_row);
}

size_t tally_count(const struct tally *ty)
{
	return ty->n;
}

const struct tally_row *tally_row(const struct tally *ty, size_t i)
{
	return &ty->rows[i];
}
