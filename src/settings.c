/*
 * settings.c - a root's settings, and their one written form (see
 * settings.h).  Each setting is one line of the table below: its key, and
 * how it is written and read back; settings_format() and settings_parse()
 * both go by it, so that a setting cannot be stored and not read.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"
#include "fstype.h"
#include "settings.h"
#include "strbuf.h"
#include "util.h"
#include "worker.h"

void settings_default(struct root_settings *set)
{
	memset(set, 0, sizeof(*set));
	archive_limits_default(&set->limits);
	set->max_file_bytes = WORKER_MAX_FILE_BYTES;
}

void settings_unset(struct root_settings *given)
{
	memset(given, 0, sizeof(*given));
	given->ascii = given->follow = given->one_fs = given->no_archives = -1;
}

#define TAKE_FLAG(f) do { if (given->f >= 0) set->f = given->f; } while (0)
#define TAKE_NUM(f) do { if (given->f) set->f = given->f; } while (0)

void settings_overlay(struct root_settings *set,
		      const struct root_settings *given)
{
	TAKE_FLAG(ascii);
	TAKE_FLAG(follow);
	TAKE_FLAG(one_fs);
	TAKE_FLAG(no_archives);
	TAKE_NUM(limits.member_bytes);
	TAKE_NUM(limits.total_bytes);
	TAKE_NUM(limits.ratio);
	TAKE_NUM(limits.members);
	TAKE_NUM(limits.depth);
	TAKE_NUM(max_file_bytes);
	TAKE_NUM(include_fs);
	set->extract_off = (set->extract_off | given->extract_off) &
			   ~given->extract_on;
	if (given->ex.nr) {
		excludes_clear(&set->ex);
		for (size_t i = 0; i < given->ex.nr; i++)
			excludes_add(&set->ex, given->ex.pat[i]);
	}
}

int settings_any_given(const struct root_settings *given)
{
	struct root_settings none;

	settings_unset(&none);
	return given->ascii != none.ascii || given->follow != none.follow ||
	       given->one_fs != none.one_fs ||
	       given->no_archives != none.no_archives ||
	       memcmp(&given->limits, &none.limits, sizeof(none.limits)) ||
	       given->max_file_bytes || given->include_fs || given->ex.nr ||
	       given->extract_off || given->extract_on;
}

unsigned settings_formats(const struct root_settings *set)
{
	return formats_available() & FORMAT_EXTRACTABLE & ~set->extract_off;
}

/*
 * Add the extractable format named by the len bytes at name to *formats:
 * 0, or -1 (nothing said) when there is none of that name.
 */
static int add_format(const char *name, size_t len, unsigned *formats)
{
	int f = format_by_name(name, len);

	if (f < 0 || !(FORMAT_BIT(f) & FORMAT_EXTRACTABLE))
		return -1;
	*formats |= FORMAT_BIT(f);
	return 0;
}

int settings_parse_formats(const char *arg, unsigned *formats)
{
	const char *p = arg;

	if (!arg || !strcmp(arg, "all")) {
		*formats |= FORMAT_EXTRACTABLE;
		return 0;
	}
	while (*p) {
		size_t len = strcspn(p, ",");

		if (add_format(p, len, formats) < 0)
			return error("unknown document format '%.*s' (known: "
				     "html, docx, pptx, odt, odp, epub, pdf, "
				     "all)", (int)len, p);
		p += len + (p[len] == ',');
	}
	return 0;
}

/* ------------------------------------------------------ the written form */

/*
 * A value is written with '\\' and newline escaped ("\\\\", "\\n"): an
 * exclude pattern may hold any byte but NUL.
 */
static void add_value(struct strbuf *sb, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			strbuf_addstr(sb, "\\\\");
		else if (*v == '\n')
			strbuf_addstr(sb, "\\n");
		else
			strbuf_addch(sb, *v);
	}
}

static void unescape(const char *v, size_t len, struct strbuf *out)
{
	strbuf_reset(out);
	for (size_t i = 0; i < len; i++) {
		if (v[i] == '\\' && i + 1 < len) {
			i++;
			strbuf_addch(out, v[i] == 'n' ? '\n' : v[i]);
		} else {
			strbuf_addch(out, v[i]);
		}
	}
}

enum kind {
	K_MODE, K_BOOL, K_ARCHIVES, K_U64, K_UINT, K_FS, K_FORMATS, K_EXCLUDE
};

static const struct key {
	const char *name;
	enum kind kind;
	size_t off;	/* of the field in struct root_settings */
} keys[] = {
	{ "mode", K_MODE, offsetof(struct root_settings, ascii) },
	{ "follow", K_BOOL, offsetof(struct root_settings, follow) },
	{ "one-file-system", K_BOOL, offsetof(struct root_settings, one_fs) },
	{ "archives", K_ARCHIVES, offsetof(struct root_settings, no_archives) },
	{ "archive-depth", K_UINT,
	  offsetof(struct root_settings, limits.depth) },
	{ "max-member-bytes", K_U64,
	  offsetof(struct root_settings, limits.member_bytes) },
	{ "max-archive-bytes", K_U64,
	  offsetof(struct root_settings, limits.total_bytes) },
	{ "max-ratio", K_U64, offsetof(struct root_settings, limits.ratio) },
	{ "max-members", K_U64,
	  offsetof(struct root_settings, limits.members) },
	{ "max-file-bytes", K_U64,
	  offsetof(struct root_settings, max_file_bytes) },
	{ "include-fs", K_FS, offsetof(struct root_settings, include_fs) },
	{ "no-extract", K_FORMATS,
	  offsetof(struct root_settings, extract_off) },
	{ "exclude", K_EXCLUDE, offsetof(struct root_settings, ex) },
};

#define FIELD(set, k, type) ((type *)((char *)(set) + (k)->off))

static void format_key(const struct root_settings *set, const struct key *k,
		       struct strbuf *sb)
{
	const int *flag = FIELD(set, k, const int);
	unsigned nfs;
	const struct fs_type *fs;
	const struct excludes *ex;

	switch (k->kind) {
	case K_MODE:
		strbuf_addf(sb, "%s=%s\n", k->name, *flag ? "ascii" : "utf8");
		break;
	case K_BOOL:
		strbuf_addf(sb, "%s=%d\n", k->name, *flag ? 1 : 0);
		break;
	case K_ARCHIVES:
		strbuf_addf(sb, "%s=%s\n", k->name, *flag ? "no" : "yes");
		break;
	case K_U64:
		strbuf_addf(sb, "%s=%" PRIu64 "\n", k->name,
			    *FIELD(set, k, const uint64_t));
		break;
	case K_UINT:
		strbuf_addf(sb, "%s=%u\n", k->name,
			    *FIELD(set, k, const unsigned));
		break;
	case K_FS:
		fs = fstype_table(&nfs);
		for (unsigned i = 0; i < nfs; i++)
			if (set->include_fs & (UINT32_C(1) << i))
				strbuf_addf(sb, "%s=%s\n", k->name, fs[i].name);
		break;
	case K_FORMATS:
		for (int f = 0; f < FORMAT_NR; f++)
			if (set->extract_off & FORMAT_BIT(f))
				strbuf_addf(sb, "%s=%s\n", k->name,
					    format_name(f));
		break;
	case K_EXCLUDE:
		ex = FIELD(set, k, const struct excludes);
		for (size_t i = 0; i < ex->nr; i++) {
			strbuf_addf(sb, "%s=", k->name);
			add_value(sb, ex->pat[i]);
			strbuf_addch(sb, '\n');
		}
		break;
	}
}

void settings_format(const struct root_settings *set, struct strbuf *sb)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		format_key(set, &keys[i], sb);
}

static int parse_yes_no(const char *v, const char *yes, const char *no,
			int *out)
{
	if (!strcmp(v, yes))
		*out = 1;
	else if (!strcmp(v, no))
		*out = 0;
	else
		return -1;
	return 0;
}

static int parse_key(struct root_settings *set, const struct key *k,
		     const char *v)
{
	int *flag = FIELD(set, k, int);
	unsigned long long n;
	char *end;
	int inverted;

	switch (k->kind) {
	case K_MODE:
		return parse_yes_no(v, "ascii", "utf8", flag);
	case K_BOOL:
		return parse_yes_no(v, "1", "0", flag);
	case K_ARCHIVES:
		if (parse_yes_no(v, "no", "yes", &inverted))
			return -1;
		*flag = inverted;
		return 0;
	case K_U64:
	case K_UINT:
		if (!isdigit((unsigned char)*v))
			return -1;
		n = strtoull(v, &end, 10);
		if (*end || !n || (k->kind == K_UINT && n > UINT32_MAX))
			return -1;
		if (k->kind == K_U64)
			*FIELD(set, k, uint64_t) = n;
		else
			*FIELD(set, k, unsigned) = (unsigned)n;
		return 0;
	case K_FS:
		return fstype_include(&set->include_fs, v);
	case K_FORMATS:
		/* one format name of the written form */
		return add_format(v, strlen(v), &set->extract_off);
	case K_EXCLUDE:
		excludes_add(&set->ex, v);
		return 0;
	}
	return -1;
}

/* The key of the line "key=value", or NULL. */
static const struct key *find_key(const char *line, size_t key_len)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strlen(keys[i].name) == key_len &&
		    !strncmp(line, keys[i].name, key_len))
			return &keys[i];
	return NULL;
}

int settings_parse(const char *text, struct root_settings *set)
{
	struct strbuf line = STRBUF_INIT, value = STRBUF_INIT;
	int ret = 0;

	while (*text && !ret) {
		size_t len = strcspn(text, "\n");
		const struct key *k = NULL;
		const char *eq;

		strbuf_reset(&line);
		strbuf_add(&line, text, len);
		text += len + (text[len] == '\n');
		if (!len)
			continue;
		eq = strchr(line.buf, '=');
		if (eq)
			k = find_key(line.buf, (size_t)(eq - line.buf));
		if (!k) {
			ret = error("unknown root setting '%s'", line.buf);
			break;
		}
		unescape(eq + 1, line.len - (size_t)(eq + 1 - line.buf), &value);
		if (parse_key(set, k, value.buf))
			ret = error("bad root setting '%s'", line.buf);
	}
	strbuf_release(&line);
	strbuf_release(&value);
	return ret;
}

void settings_copy(struct root_settings *dst, const struct root_settings *src)
{
	struct excludes ex = dst->ex;

	excludes_clear(&ex);
	*dst = *src;
	dst->ex = ex;
	for (size_t i = 0; i < src->ex.nr; i++)
		excludes_add(&dst->ex, src->ex.pat[i]);
}

void settings_release(struct root_settings *set)
{
	excludes_clear(&set->ex);
}

/* Whether the line at p (up to '\n') is one of the lines of text. */
static int has_line(const char *text, const char *p, size_t len)
{
	while (*text) {
		size_t l = strcspn(text, "\n");

		if (l == len && !memcmp(text, p, len))
			return 1;
		text += l + (text[l] == '\n');
	}
	return 0;
}

/* Append, as "<sign>line", the lines of a that b does not have. */
static int diff_lines(const char *a, const char *b, char sign,
		      struct strbuf *sb)
{
	int n = 0;

	while (*a) {
		size_t l = strcspn(a, "\n");

		if (l && !has_line(b, a, l)) {
			if (sb->len)
				strbuf_addch(sb, ' ');
			strbuf_addch(sb, sign);
			strbuf_add(sb, a, l);
			n++;
		}
		a += l + (a[l] == '\n');
	}
	return n;
}

int settings_diff(const char *old, const char *new, struct strbuf *sb)
{
	int n = diff_lines(old, new, '-', sb);

	return n + diff_lines(new, old, '+', sb);
}

int settings_recount_archives(const struct root_settings *old,
			      const struct root_settings *new)
{
	return memcmp(&old->limits, &new->limits, sizeof(old->limits)) ||
	       old->max_file_bytes != new->max_file_bytes;
}
