/*
 * settings.h - a root's counting and walking settings: what `wcindex scan`
 * was told about a root, kept with the root (roots.settings) so that a bare
 * scan, the one cron runs, counts the root as it was told to.
 *
 * The settings are written as text, one "key=value" line each in a fixed
 * order (settings_format()), which is what the database stores, what
 * `wcindex roots` shows and what two settings are compared by.
 */
#ifndef WCINDEX_SETTINGS_H
#define WCINDEX_SETTINGS_H

#include <stdint.h>

#include "archive.h"
#include "fsutil.h"

struct strbuf;

struct root_settings {
	int ascii;		/* count with --ascii */
	int follow;		/* follow symbolic links */
	int one_fs;		/* stay on the root's file system */
	int no_archives;	/* archives counted as plain bytes */
	struct archive_limits limits;
	uint64_t max_file_bytes;
	uint32_t include_fs;	/* pseudo file systems to walk (fstype.h) */
	/*
	 * Document formats counted as their bytes (FORMAT_BIT()s): their
	 * text is not extracted.  On a command line, extract_on holds
	 * those --extract turns back on; a root's settings never have any.
	 */
	unsigned extract_off, extract_on;
	struct excludes ex;
};

/* The settings of a root no option was given for. */
void settings_default(struct root_settings *set);

/*
 * What a command line says, before it is parsed into it: every field
 * "not given" (a boolean -1, a number 0, no pattern).
 */
void settings_unset(struct root_settings *given);

/*
 * Lay the settings given on a command line (made with settings_unset()
 * and then parsed) over set: each one given replaces set's, and the
 * excludes given, if any, replace set's list.
 */
void settings_overlay(struct root_settings *set,
		      const struct root_settings *given);

/*
 * The formats whose text a scan with set extracts: those this build can
 * read (formats_available()) that set does not turn off.
 */
unsigned settings_formats(const struct root_settings *set);

/*
 * Parse a --extract or --no-extract argument, "all" or format names
 * separated by commas ("pdf,docx"), into *formats (FORMAT_BIT()s, added).
 * NULL (the option without an argument) is "all".  Returns 0, or -1
 * after reporting.
 */
int settings_parse_formats(const char *arg, unsigned *formats);

/* Whether a command line gave any setting at all. */
int settings_any_given(const struct root_settings *given);

/* Append the settings as "key=value" lines (each ends in '\n') to sb. */
void settings_format(const struct root_settings *set, struct strbuf *sb);

/*
 * Read settings written by settings_format() into set (made with
 * settings_default(): keys not there keep the default).  Returns 0, or -1
 * with an error() on a line it does not know.
 */
int settings_parse(const char *text, struct root_settings *set);

/* Copy src into dst (a settings_default() one), excludes included. */
void settings_copy(struct root_settings *dst, const struct root_settings *src);

void settings_release(struct root_settings *set);

/*
 * What changed from old to new, as "-key=value" and "+key=value" words
 * separated by spaces, appended to sb.  Returns the number of lines that
 * differ (0: the same settings).
 */
int settings_diff(const char *old, const char *new, struct strbuf *sb);

/*
 * Whether going from old to new asks for archives and limit hits to be
 * counted again: their limits or the file limit changed.  (The counting
 * mode and --no-archives need nothing here: the rows carry them.)
 */
int settings_recount_archives(const struct root_settings *old,
			      const struct root_settings *new);

#endif
