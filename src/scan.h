/*
 * scan.h - one run of `wcindex scan`: sets up the worker pool, the crawler
 * and the writer around two bounded queues, runs the pool in the calling
 * thread until the crawl is done, and records the scan.
 */
#ifndef WCINDEX_SCAN_H
#define WCINDEX_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "settings.h"
#include "store.h"

struct scan_options {
	const char *db_path;
	const char *const *roots;	/* as given; none: every known root */
	size_t nroots;
	unsigned jobs;			/* worker processes */
	int full, quiet, progress;
	int retry_failed;		/* retry damaged archives and limits */
	unsigned timeout;		/* seconds per batch, beyond reading */
	unsigned archive_cpu;		/* CPU seconds per archive; 0: timeout/2 */
	/*
	 * The root settings the command line gave (settings_unset(), then
	 * parsed): laid over each root's stored settings, or over the
	 * defaults with reset_settings, and stored with the root.
	 */
	struct root_settings given;
	int reset_settings;
	int clear_excludes;		/* drop the roots' excludes (--no-excludes) */
	int accept_changes;		/* apply what a root's guard holds back */
	const char *worker_exe;		/* default: this program */
	int wait_lock;			/* wait for a running scan (--wait) */
	unsigned wait_seconds;		/* at most this long; 0: no limit */
	uint64_t keep_history;		/* scans of changes kept; 0: as set */
};

/* Exit codes of `wcindex scan` (documented in wcindex(1)). */
#define SCAN_OK      0		/* every file counted */
#define SCAN_FAILED  1		/* finished, but some files failed */
#define SCAN_FATAL   2		/* usage or fatal error */
#define SCAN_BUSY    3		/* another scan holds the database */
/* Stopped by a signal: 128 + its number (130 SIGINT, 143 SIGTERM, 129 SIGHUP). */
#define SCAN_SIGNALLED 128

/*
 * Run a scan.  Prints the summary line (unless quiet) and returns one of the
 * SCAN_* exit codes.
 *
 * SIGINT, SIGTERM and SIGHUP are blocked for the whole run and taken through
 * a signalfd (those ignored when the scan starts, as nohup(1) ignores
 * SIGHUP, stay ignored): on one, the workers are killed, the crawler stops
 * after the directory it is on, what was counted is committed, the scan is
 * recorded as "interrupted", and the result is SCAN_SIGNALLED + the signal
 * number.  The files not counted are still new or changed for the next
 * scan.
 */
int scan_run(const struct scan_options *opt);

/*
 * `wcindex forget`: remove each root of opt->roots (its exact path, as
 * `wcindex roots` lists it) and everything indexed under it, all in one
 * transaction, under the scan lock.  Returns a SCAN_* exit code.
 */
int scan_forget(const struct scan_options *opt);

#endif
