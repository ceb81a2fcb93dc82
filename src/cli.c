/*
 * cli.c - subcommands of wcindex: scan, total, ls, sql, status, roots,
 * forget, db-path, and the hidden __worker mode that the pool exec()s.
 * Options may come before or after the subcommand and its arguments; --db
 * is accepted anywhere.  Exit status: 0 success, 1 partial failure (some file could not
 * be counted, a path is not indexed), 2 usage or fatal error, 3 the
 * database is being scanned by another process.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "archive.h"
#include "cli.h"
#include "entry.h"
#include "fstype.h"
#include "formats/format.h"
#include "fsutil.h"
#include "parseopt.h"
#include "scan.h"
#include "sqlout.h"
#include "store.h"
#include "tally.h"
#include "term.h"
#include "util.h"
#include "worker.h"

#define EXIT_PARTIAL 1
#define EXIT_FATAL 2

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv, const char *db, int is_default);
};

static const char *opt_db;

static const char usage_main[] =
	"usage: wcindex [--db FILE] COMMAND [ARGS]\n"
	"\n"
	"Count the lines, words, characters and bytes of every file under\n"
	"directory trees into an SQLite index; rescans recount only what changed.\n"
	"\n"
	"commands:\n"
	"  scan [DIR...]     walk DIRs (default: every indexed root) and update the index\n"
	"  total [PATH...]   lines words chars bytes files under PATHs (default: every root)\n"
	"  ls [PATH...]      one line per indexed file under PATHs\n"
	"  sql QUERY         run SQL on the index (read-only): --csv, --json\n"
	"  status            roots, recent scans and errors\n"
	"  roots             the roots, their state and settings: --csv, --json\n"
	"  forget ROOT...    remove roots and everything indexed under them\n"
	"  changes [PATH...] what the last scan run (--scan N, --since WHEN) changed\n"
	"  history [ROOT]    the totals of each root after each scan\n"
	"  backup FILE       write a consistent copy of the index to FILE\n"
	"  db-path           print the database path in use\n"
	"\n"
	"The database is --db FILE, else $WCINDEX_DB, else\n"
	"$XDG_DATA_HOME/wcindex/index.db (~/.local/share/wcindex/index.db).\n"
	"'wcindex COMMAND --help' (or -h) describes a command, 'wcindex --version'\n"
	"the version, licence and formats; man wcindex has the rest.\n";

/* --csv, --json, --table: how rows printed through sqlout look. */
#define OPT_OUTPUT_FORMAT(fmt) \
	OPT_SET_INT(0, "csv", fmt, SQLOUT_CSV, \
		    "RFC 4180 CSV, a header line first"), \
	OPT_SET_INT(0, "json", fmt, SQLOUT_JSON, \
		    "JSON, one document; rows are objects"), \
	OPT_SET_INT(0, "table", fmt, SQLOUT_TABLE, \
		    "an aligned table (the default)")

static int usage_error(const char *usage, const struct parseopt *opts,
		       const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The message and where the help is (or, without one, the help) on stderr; EXIT_FATAL. */
static int usage_error(const char *usage, const struct parseopt *opts,
		       const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		strbuf_vaddf(&sb, fmt, ap);
		va_end(ap);
		error("%s", sb.buf);	/* escaped: it may quote an argument */
		parseopt_try(usage);
	} else {
		/* nothing to say but how it is used: wcindex alone */
		parseopt_usage(&sb, usage, opts);
		fputs(sb.buf, stderr);
	}
	strbuf_release(&sb);
	return EXIT_FATAL;
}

static int mkdir_p(const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = 0;

	strbuf_addstr(&sb, dir);
	for (size_t i = 1; i <= sb.len; i++) {
		if (sb.buf[i] != '/' && sb.buf[i] != '\0')
			continue;
		sb.buf[i] = '\0';
		/* what it holds may name private files: its owner's only */
		if (mkdir(sb.buf, 0700) < 0 && errno != EEXIST) {
			ret = error_errno("cannot create '%s'", sb.buf);
			break;
		}
		if (i < sb.len)
			sb.buf[i] = '/';
	}
	strbuf_release(&sb);
	return ret;
}

/*
 * Refuse a database path that cannot be one, before anything is created
 * for it: empty, ending in '/', a directory, or a symbolic link (which
 * would have the database, its lock and its logs written wherever the
 * link points).
 */
static int check_db_path(const char *path)
{
	size_t len = strlen(path);
	int exists;
	struct stat st;

	if (!len)
		return error("the database path is empty");
	exists = !lstat(path, &st);
	if (exists && S_ISLNK(st.st_mode))
		return error("'%s' is a symbolic link: name the database file "
			     "itself", path);
	if (path[len - 1] == '/' || (exists && S_ISDIR(st.st_mode)))
		return error("'%s' is a directory: name the database file", path);
	return 0;
}

/*
 * The database path in effect, absolute, or NULL after reporting.
 * *is_default: from XDG/HOME.
 */
static char *resolve_db(int *is_default)
{
	struct strbuf sb = STRBUF_INIT, abs = STRBUF_INIT;
	const char *env;

	*is_default = 0;
	if (opt_db) {
		strbuf_addstr(&sb, opt_db);
	} else if ((env = getenv("WCINDEX_DB")) && *env) {
		strbuf_addstr(&sb, env);
	} else {
		*is_default = 1;
		if ((env = getenv("XDG_DATA_HOME")) && *env == '/')
			strbuf_addstr(&sb, env);
		else if ((env = getenv("HOME")) && *env)
			strbuf_addf(&sb, "%s/.local/share", env);
		else
			strbuf_addstr(&sb, ".");
		strbuf_addstr(&sb, "/wcindex/index.db");
	}
	if (check_db_path(sb.buf)) {
		strbuf_release(&sb);
		return NULL;
	}
	absolute_path(sb.buf, &abs);
	strbuf_release(&sb);
	return strbuf_detach(&abs, NULL);
}

/* --exclude GLOB, as often as wanted. */
static int add_exclude(const struct parseopt *o, const char *arg)
{
	excludes_add(o->value, arg);
	return 0;
}

/* --include-fs NAME, as often as wanted. */
static int add_include_fs(const struct parseopt *o, const char *arg)
{
	return fstype_include(o->value, arg);
}

/* What --version says of documents: those read, those counted as bytes. */
static void print_formats(void)
{
	struct strbuf sb = STRBUF_INIT;

	formats_describe(&sb, 1);
	printf("documents: %s\n", sb.len ? sb.buf : "none");
	strbuf_reset(&sb);
	formats_describe(&sb, 0);
	if (sb.len)
		printf("counted as bytes: %s\n", sb.buf);
	strbuf_release(&sb);
}

/* --no-extract[=FORMATS] and --extract[=FORMATS]. */
static int add_formats(const struct parseopt *o, const char *arg)
{
	return settings_parse_formats(arg, o->value);
}

/* A read command's view of the index: one snapshot, for any reader. */
static struct store *open_ro(const char *db)
{
	return store_open_reader(db);
}

/* The default location is ours to create; a --db elsewhere is not. */
static int make_db_dir(const char *db, int is_default)
{
	char *dir, *slash;
	int ret;

	if (!is_default)
		return 0;
	dir = xstrdup(db);
	slash = strrchr(dir, '/');
	*slash = '\0';
	ret = mkdir_p(dir);
	free(dir);
	return ret;
}

static int cmd_scan(int argc, char **argv, const char *db, int is_default)
{
	static const char usage[] = "usage: wcindex scan [options] [DIR...]\n";
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct scan_options opt = {
		.db_path = db,
		.jobs = cpus > 0 ? (unsigned)cpus : 1,
		.timeout = 30,
	};
	struct root_settings *set = &opt.given;
	int no_progress = 0, ret;
	struct parseopt options[] = {
		OPT_UINT('j', "jobs", &opt.jobs, 1, 1024, "N",
			 "worker processes (default: online CPUs)"),
		OPT_BOOL(0, "full", &opt.full,
			 "recount every file, changed or not"),
		OPT_BOOL(0, "ascii", &set->ascii,
			 "words split on ASCII whitespace only; chars = bytes"),
		OPT_SET_INT(0, "utf8", &set->ascii, 0,
			    "words and chars of UTF-8 text (the default)"),
		OPT_BOOL(0, "follow", &set->follow,
			 "follow symbolic links (loops are detected)"),
		OPT_SET_INT(0, "no-follow", &set->follow, 0,
			    "do not follow symbolic links (the default)"),
		OPT_BOOL('x', "one-file-system", &set->one_fs,
			 "stay on the file system of each DIR"),
		OPT_SET_INT(0, "all-file-systems", &set->one_fs, 0,
			    "cross into other file systems (the default)"),
		OPT_CALLBACK(0, "exclude", &set->ex, "GLOB",
			     "skip names, root-relative or absolute paths matching GLOB",
			     add_exclude),
		OPT_BOOL(0, "no-excludes", &opt.clear_excludes,
			 "drop the excludes the roots keep (before any --exclude)"),
		OPT_CALLBACK(0, "include-fs", &set->include_fs, "TYPE",
			     "walk pseudo file systems of TYPE (pstore, mqueue, ...)",
			     add_include_fs),
		OPT_BOOL(0, "no-archives", &set->no_archives,
			 "count archives and compressed files as plain bytes"),
		OPT_SET_INT(0, "archives", &set->no_archives, 0,
			    "count the members of archives (the default)"),
		OPT_CALLBACK_OPTARG("no-extract", &set->extract_off, "FORMATS",
				    "count documents of FORMATS (all) as their bytes",
				    add_formats),
		OPT_CALLBACK_OPTARG("extract", &set->extract_on, "FORMATS",
				    "count the text of documents of FORMATS (all: the default)",
				    add_formats),
		OPT_BOOL(0, "reset-settings", &opt.reset_settings,
			 "start from the default settings, not the roots' own"),
		OPT_BOOL(0, "accept-changes", &opt.accept_changes,
			 "delete what is gone even from a root that looks unmounted"),
		OPT_BOOL(0, "retry-failed", &opt.retry_failed,
			 "count damaged archives and limit hits again, changed or not"),
		OPT_SECONDS(0, "timeout", &opt.timeout, 1, 86400, "N",
			    "seconds a worker may go without progress on a batch of files (30)"),
		OPT_SECONDS(0, "archive-cpu", &opt.archive_cpu, 1, 86400, "N",
			    "CPU seconds one archive may take (half of --timeout)"),
		OPT_UINT(0, "archive-depth", &set->limits.depth, 1, 64, "N",
			 "archives inside archives: N levels (default 4)"),
		OPT_BYTES("max-file-bytes", &set->max_file_bytes,
			  "bytes of a file read at most (64G)"),
		OPT_BYTES("max-member-bytes", &set->limits.member_bytes,
			  "bytes one archive member may produce (1G)"),
		OPT_BYTES("max-archive-bytes", &set->limits.total_bytes,
			  "bytes one archive may produce (4G)"),
		OPT_U64(0, "max-ratio", &set->limits.ratio, 1, ULONG_MAX, "N",
			"produced/stored bytes of an archive (1000)"),
		OPT_U64(0, "max-members", &set->limits.members, 1, ULONG_MAX, "N",
			"members of one archive (100000)"),
		OPT_SECONDS_OPTARG("wait", &opt.wait_seconds, &opt.wait_lock,
				   1, 31536000, "SECONDS",
				   "wait for a scan running on the database (no limit)"),
		OPT_U64(0, "keep-history", &opt.keep_history, 1, 1000000, "N",
			"keep the changes of the last N scans from now on (100)"),
		OPT_BOOL('q', "quiet", &opt.quiet, "no summary line and no progress"),
		OPT_BOOL(0, "no-progress", &no_progress,
			 "no progress line even on a terminal"),
		OPT_GLOBAL("db", "FILE", "the database"),
		OPT_HIDDEN_STRING("worker-exe", &opt.worker_exe, "PATH"),
		OPT_END(),
	};

	settings_unset(set);
	if ((ret = parseopt_parse(&argc, &argv, usage, options))) {
		ret = ret == PARSEOPT_HELP ? 0 : EXIT_FATAL;
		goto out;
	}
	if (make_db_dir(db, is_default)) {
		ret = EXIT_FATAL;
		goto out;
	}
	opt.roots = (const char *const *)argv;
	opt.nroots = (size_t)argc;
	/* progress_new() tells whether stderr is a terminal to draw on */
	opt.progress = !opt.quiet && !no_progress;
	ret = scan_run(&opt);
out:
	settings_release(set);
	return ret;
}

static int cmd_forget(int argc, char **argv, const char *db, int is_default)
{
	static const char usage[] =
		"usage: wcindex forget [options] ROOT...\n"
		"  removes each ROOT (as 'wcindex roots' lists it) and all its rows\n";
	struct scan_options opt = { .db_path = db };
	struct parseopt options[] = {
		OPT_SECONDS_OPTARG("wait", &opt.wait_seconds, &opt.wait_lock,
				   1, 31536000, "SECONDS",
				   "wait for a scan running on the database (no limit)"),
		OPT_BOOL('q', "quiet", &opt.quiet, "no line per root forgotten"),
		OPT_GLOBAL("db", "FILE", "the database"),
		OPT_END(),
	};
	int ret;

	(void)is_default;
	if ((ret = parseopt_parse(&argc, &argv, usage, options)))
		return ret == PARSEOPT_HELP ? 0 : EXIT_FATAL;
	if (!argc)
		return usage_error(usage, options, "forget needs a ROOT");
	opt.roots = (const char *const *)argv;
	opt.nroots = (size_t)argc;
	return scan_forget(&opt);
}

static int cmd_roots(int argc, char **argv, const char *db, int is_default)
{
	static const char usage[] =
		"usage: wcindex roots [--csv | --json | --table]\n"
		"  lists the roots: state, files, words, bytes, last scan, settings\n";
	int fmt = SQLOUT_TABLE, ret;
	struct store *s;
	struct parseopt options[] = {
		OPT_OUTPUT_FORMAT(&fmt),
		OPT_GLOBAL("db", "FILE", "the database"),
		OPT_END(),
	};

	(void)is_default;
	if ((ret = parseopt_parse(&argc, &argv, usage, options)))
		return ret == PARSEOPT_HELP ? 0 : EXIT_FATAL;
	if (argc)
		return usage_error(usage, options, "roots takes no arguments");
	if (!(s = open_ro(db)))
		return EXIT_FATAL;
	ret = sqlout_run(store_handle(s), "SELECT * FROM root_list",
			 (enum sqlout_format)fmt, stdout) ? EXIT_FATAL : 0;
	store_close(s);
	return ret;
}

/* What total and ls work on: the index, and the paths they name. */
struct reading {
	struct store *s;
	char **paths;		/* absolute, as stored */
	char **labels;		/* as given (the roots: as stored) */
	size_t n;
};

/*
 * The paths a read command works on: its arguments made absolute like the
 * stored paths, or every root when there are none.  0 or -1.
 */
static int command_paths(struct reading *rd, int argc, char **argv)
{
	struct strbuf abs = STRBUF_INIT;

	if (!argc) {
		if (store_list_roots(rd->s, &rd->paths, &rd->n))
			return -1;
		rd->labels = rd->paths;
		return 0;
	}
	rd->n = (size_t)argc;
	rd->paths = xcalloc(rd->n, sizeof(*rd->paths));
	rd->labels = argv;
	for (size_t i = 0; i < rd->n; i++) {
		absolute_path(argv[i], &abs);
		rd->paths[i] = xstrndup(abs.buf, abs.len);
	}
	strbuf_release(&abs);
	return 0;
}

/*
 * The start of a read command over paths: its options, the index opened
 * read-only, and the paths.  Returns -1 when all is ready, or else the
 * exit status to return at once (0 after --help).
 */
static int start_reading(int argc, char **argv, const char *usage,
			 const struct parseopt *options, const char *db,
			 struct reading *rd)
{
	int ret = parseopt_parse(&argc, &argv, usage, options);

	if (ret)
		return ret == PARSEOPT_HELP ? 0 : EXIT_FATAL;
	if (!(rd->s = open_ro(db)))
		return EXIT_FATAL;
	return command_paths(rd, argc, argv) ? EXIT_FATAL : -1;
}

/* The end of a read command: ret, or a failure if stdout was lost. */
static int end_reading(struct reading *rd, int ret)
{
	if (rd->s && (fflush(stdout) || ferror(stdout))) {
		error("cannot write output");
		ret = EXIT_FATAL;
	}
	for (size_t i = 0; i < rd->n; i++)
		free(rd->paths[i]);
	free(rd->paths);
	store_close(rd->s);
	return ret;
}

/*
 * Whether paths[i] is already counted by an earlier path or one above it
 * ("total tree tree/doc": tree/doc), so that the total line counts every
 * file once however the arguments overlap.
 */
static int path_covered(char **paths, size_t n, size_t i)
{
	for (size_t j = 0; j < n; j++)
		if (path_is_below(paths[i], paths[j]) ||
		    (j < i && !strcmp(paths[i], paths[j])))
			return 1;
	return 0;
}

/* ---- sorting, for total and ls ---- */

static const char *const sort_names[] = {
	[SORT_NAME] = "name", [SORT_LINES] = "lines", [SORT_WORDS] = "words",
	[SORT_CHARS] = "chars", [SORT_BYTES] = "bytes", [SORT_FILES] = "files",
};

struct sorting {
	int given;
	enum sort_key key;
	int files_ok;		/* total sorts by files too; ls does not */
};

/* --sort[=KEY]: largest first by KEY (words when left out), or by name. */
static int parse_sort(const struct parseopt *o, const char *arg)
{
	struct sorting *so = o->value;

	if (!arg)
		arg = "words";
	for (size_t i = 0; i < ARRAY_SIZE(sort_names); i++)
		if (!strcmp(arg, sort_names[i]) &&
		    (i != SORT_FILES || so->files_ok)) {
			so->key = (enum sort_key)i;
			so->given = 1;
			return 0;
		}
	return error("--sort '%s': not one of name, lines, words, chars, "
		     "bytes%s", arg, so->files_ok ? ", files" : "");
}

/* --sort[=KEY]; keys is the help's list of KEYs but words and name */
#define OPT_SORT(v, keys) \
	OPT_CALLBACK_OPTARG("sort", v, "KEY", \
			    "largest first by KEY: lines, words (the default), " \
			    keys ", or name", parse_sort)

/* ---- total ---- */

/* Widest decimal rendering among values, at least min. */
static int width_of(uint64_t v, int min)
{
	int w = 1;

	while (v >= 10) {
		v /= 10;
		w++;
	}
	return w > min ? w : min;
}

/* A line of total; label quoted on a terminal (tty). */
static void print_totals(const struct totals *t, int w, const char *label,
			 int tty)
{
	struct strbuf sb = STRBUF_INIT;

	term_add_name(&sb, label, strlen(label), tty);
	printf("%*" PRIu64 " %*" PRIu64 " %*" PRIu64 " %*" PRIu64 " %*" PRIu64
	       " %s\n", w, t->lines, w, t->words, w, t->chars, w, t->bytes,
	       w, t->files, sb.buf);
	strbuf_release(&sb);
}

struct total_opts {
	int binary, fmt, reverse;
	unsigned depth;
	int depth_given;
	struct sorting sort;
};

/*
 * The rows of PATH i into ty: its own line, or with --depth its breakdown
 * (its own line last).  Its totals go to *t.  1, 0 when PATH is not
 * indexed, -1 on error.
 */
static int total_of_path(struct reading *rd, size_t i,
			 const struct total_opts *o, struct tally *ty,
			 struct totals *t)
{
	int found, is_dir = 0;

	if (o->depth_given && (is_dir = store_is_tree(rd->s, rd->paths[i])) < 0)
		return -1;
	if (!is_dir) {
		found = store_totals(rd->s, rd->paths[i], o->binary, t);
		if (found > 0)
			tally_add(ty, rd->labels[i], t);
		return found;
	}
	if (tally_add_tree(ty, rd->s, rd->paths[i], rd->labels[i], o->depth,
			   o->binary))
		return -1;
	*t = tally_row(ty, tally_count(ty) - 1)->t;	/* the top: last */
	return 1;
}

/* total's rows as a table, like wc. */
static void print_total_table(const struct tally *ty, const struct totals *sum,
			      int with_sum)
{
	uint64_t widest = sum->chars > sum->bytes ? sum->chars : sum->bytes;
	int w, tty = term_is_tty(fileno(stdout));

	for (size_t i = 0; i < tally_count(ty); i++) {
		const struct totals *t = &tally_row(ty, i)->t;

		if (t->chars > widest || t->bytes > widest)
			widest = t->chars > t->bytes ? t->chars : t->bytes;
	}
	w = width_of(widest, 7);
	for (size_t i = 0; i < tally_count(ty); i++)
		print_totals(&tally_row(ty, i)->t, w, tally_row(ty, i)->label,
			     tty);
	if (with_sum)
		print_totals(sum, w, "total", 0);
}

/* Bind one row of total's CSV or JSON: label NULL for the total. */
static void bind_total(sqlite3_stmt *st, const char *label,
		       const struct totals *t)
{
	const uint64_t v[] = { t->lines, t->words, t->chars, t->bytes,
			       t->files, t->binary, t->failed };

	if (label)
		sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 1);
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		sqlite3_bind_int64(st, (int)i + 2, (sqlite3_int64)v[i]);
}

/* total's rows as CSV or JSON, the total last with a null path. */
static int print_total_rows(struct store *s, const struct tally *ty,
			    const struct totals *sum, enum sqlout_format fmt)
{
	sqlite3 *db = store_handle(s);
	struct sqlout *so;
	sqlite3_stmt *st;
	int ret = 0;

	if (sqlite3_prepare_v2(db, "SELECT ?1 AS path, ?2 AS lines,"
			       " ?3 AS words, ?4 AS chars, ?5 AS bytes,"
			       " ?6 AS files, ?7 AS binary, ?8 AS failed",
			       -1, &st, NULL) != SQLITE_OK)
		return error("cannot print totals: %s", sqlite3_errmsg(db));
	so = sqlout_new(db, fmt, stdout);
	for (size_t i = 0; !ret && i <= tally_count(ty); i++) {
		if (i < tally_count(ty))
			bind_total(st, tally_row(ty, i)->label,
				   &tally_row(ty, i)->t);
		else
			bind_total(st, NULL, sum);
		ret = sqlout_stmt(so, st);
	}
	sqlite3_finalize(st);
	return sqlout_finish(so, ret);
}

static int cmd_total(int argc, char **argv, const char *db,
		     int is_default)
{
	static const char usage[] =
		"usage: wcindex total [--binary] [--depth N] [--sort[=KEY]] [-r]\n"
		"       [--csv | --json] [PATH...]\n"
		"  prints: lines words chars bytes files path, then a total that counts\n"
		"  each file once\n";
	struct total_opts o = { .fmt = SQLOUT_TABLE, .sort.files_ok = 1 };
	struct reading rd = { 0 };
	struct totals sum = { 0 };
	struct tally *ty = tally_new();
	int ret;
	struct parseopt options[] = {
		OPT_BOOL(0, "binary", &o.binary,
			 "include binary files (left out by default)"),
		{ .type = PARSEOPT_UINT, .long_name = "depth",
		  .value = &o.depth, .given = &o.depth_given, .min = 0,
		  .max = 4096, .argh = "N",
		  .help = "a line for each directory down to N levels below PATH" },
		OPT_SORT(&o.sort, "chars, bytes, files"),
		OPT_BOOL('r', "reverse", &o.reverse, "reverse the order"),
		OPT_OUTPUT_FORMAT(&o.fmt),
		OPT_END(),
	};

	if ((ret = start_reading(argc, argv, usage, options, db, &rd)) >= 0)
		goto out;
	ret = 0;
	for (size_t i = 0; i < rd.n; i++) {
		struct totals t;
		int found = total_of_path(&rd, i, &o, ty, &t);

		if (found < 0) {
			ret = EXIT_FATAL;
			goto out;
		}
		if (!found) {
			error("'%s' is not indexed", rd.labels[i]);
			ret = EXIT_PARTIAL;
		} else if (!path_covered(rd.paths, rd.n, i)) {
			totals_add(&sum, &t);
		}
	}
	if (o.sort.given || o.reverse)
		tally_sort(ty, o.sort.given ? o.sort.key : SORT_NAME, o.reverse);
	if (o.fmt == SQLOUT_TABLE)
		print_total_table(ty, &sum, rd.n > 1);
	else if (print_total_rows(rd.s, ty, &sum, (enum sqlout_format)o.fmt))
		ret = EXIT_FATAL;
out:
	tally_free(ty);
	return end_reading(&rd, ret);
}

/* ---- ls ---- */

struct ls_ctx {
	int terminator;
	int tty;		/* quote names: a terminal, and not -0 */
	struct strbuf line, path;
};

static void add_count(struct strbuf *sb, int64_t v)
{
	if (v < 0)
		strbuf_addf(sb, "%7s ", "-");
	else
		strbuf_addf(sb, "%7" PRId64 " ", v);
}

static int print_ls_row(void *data, const struct ls_row *row)
{
	struct ls_ctx *ctx = data;

	strbuf_reset(&ctx->line);
	add_count(&ctx->line, row->lines);
	add_count(&ctx->line, row->words);
	add_count(&ctx->line, row->chars);
	add_count(&ctx->line, row->bytes);
	strbuf_addf(&ctx->line, "%-7s ", row->kind ? row->kind : "-");
	strbuf_reset(&ctx->path);
	strbuf_add(&ctx->path, row->path, row->path_len);
	if (row->member_len) {
		strbuf_addstr(&ctx->path, ARCHIVE_NEST_SEP);
		strbuf_add(&ctx->path, row->member, row->member_len);
	}
	term_add_name(&ctx->line, ctx->path.buf, ctx->path.len, ctx->tty);
	strbuf_addch(&ctx->line, ctx->terminator);
	return fwrite(ctx->line.buf, 1, ctx->line.len, stdout) != ctx->line.len;
}

/* ls as CSV or JSON: the statement's own columns. */
static int print_ls_rows(struct store *s, const struct ls_query *q,
			 enum sqlout_format fmt)
{
	sqlite3_stmt *st = store_ls_prepare(s, q);
	struct sqlout *so;
	int ret;

	if (!st)
		return -1;
	so = sqlout_new(store_handle(s), fmt, stdout);
	ret = sqlout_stmt(so, st);
	sqlite3_finalize(st);
	return sqlout_finish(so, ret);
}

static int cmd_ls(int argc, char **argv, const char *db,
		  int is_default)
{
	static const char usage[] =
		"usage: wcindex ls [-0] [--sort[=KEY]] [-r] [--limit N] [--csv | --json]\n"
		"       [PATH...]\n"
		"  prints: lines words chars bytes kind path (a '-' where a row has no\n"
		"  counts of its own); kind is text, a document format, binary, archive,\n"
		"  link, or why the file was not counted\n";
	struct ls_ctx ctx = { '\n', 0, STRBUF_INIT, STRBUF_INIT };
	struct reading rd = { 0 };
	struct sorting sort = { 0 };
	struct ls_query q = { 0 };
	int fmt = SQLOUT_TABLE, ret;
	struct parseopt options[] = {
		OPT_SET_INT('0', "null", &ctx.terminator, '\0',
			    "end each line with NUL instead of newline"),
		OPT_SORT(&sort, "chars, bytes"),
		OPT_BOOL('r', "reverse", &q.reverse, "reverse the order"),
		OPT_U64(0, "limit", &q.limit, 1, ULONG_MAX, "N",
			"list the first N rows only"),
		OPT_OUTPUT_FORMAT(&fmt),
		OPT_END(),
	};

	if ((ret = start_reading(argc, argv, usage, options, db, &rd)) >= 0)
		goto out;
	ret = 0;
	for (size_t i = 0; i < rd.n; i++) {
		int r = store_path_indexed(rd.s, rd.paths[i]);

		if (r < 0) {
			ret = EXIT_FATAL;
			goto out;
		}
		if (!r) {
			error("'%s' is not indexed", rd.labels[i]);
			ret = EXIT_PARTIAL;
		}
	}
	ctx.tty = ctx.terminator && term_is_tty(fileno(stdout));
	q.paths = rd.paths;
	q.n = rd.n;
	q.sort = sort.key;
	if (fmt == SQLOUT_TABLE ? store_ls(rd.s, &q, print_ls_row, &ctx) :
	    print_ls_rows(rd.s, &q, (enum sqlout_format)fmt))
		ret = EXIT_FATAL;
out:
	strbuf_release(&ctx.line);
	strbuf_release(&ctx.path);
	return end_reading(&rd, ret);
}

/* The most SQL text read from a file or standard input. */
#define SQL_TEXT_MAX (16u << 20)

/*
 * Read the statements of sql -f FILE (or "-", standard input) into sb:
 * 0, or -1 after reporting.
 */
static int read_sql_text(const char *file, struct strbuf *sb)
{
	char buf[65536];
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	size_t n;
	int ret = 0;

	if (!f)
		return error_errno("cannot open '%s'", file);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (sb->len + n > SQL_TEXT_MAX) {
			ret = error("'%s' holds more than %u bytes of SQL",
				    file, SQL_TEXT_MAX);
			break;
		}
		strbuf_add(sb, buf, n);
	}
	if (!ret && ferror(f))
		ret = error_errno("cannot read '%s'", file);
	if (f != stdin)
		fclose(f);
	return ret;
}

/*
 * An SQL text that starts with a comment ("-- list the roots\nSELECT")
 * is no option, though getopt would take it for one: such arguments (a
 * dash, then blank space somewhere) go after a "--".  Returns a new argv
 * to free(), of *argc elements.
 */
static char **sql_text_last(int *argc, char **argv)
{
	char **out = xcalloc((size_t)*argc + 2, sizeof(*out));
	int n = 0, i;

	for (i = 0; i < *argc && strcmp(argv[i], "--"); i++)
		if (i == 0 || argv[i][0] != '-' || !strpbrk(argv[i], " \t\n"))
			out[n++] = argv[i];
	out[n++] = "--";
	for (i = 1; i < *argc && strcmp(argv[i], "--"); i++)
		if (argv[i][0] == '-' && strpbrk(argv[i], " \t\n"))
			out[n++] = argv[i];
	for (i++; i < *argc; i++)
		out[n++] = argv[i];
	*argc = n;
	return out;
}

static int cmd_sql(int argc, char **argv, const char *db,
		   int is_default)
{
	static const char usage[] =
		"usage: wcindex sql [--csv | --json | --table] [--timeout N] QUERY\n"
		"       wcindex sql [options] -f FILE    (FILE '-': standard input)\n"
		"  runs QUERY on a read-only connection; never waits for a running scan\n";
	int fmt = SQLOUT_TABLE, ret;
	unsigned timeout = 300;
	const char *file = NULL;
	struct strbuf text = STRBUF_INIT;
	struct store *s;
	char **args = sql_text_last(&argc, argv);
	struct parseopt options[] = {
		OPT_OUTPUT_FORMAT(&fmt),
		OPT_SECONDS(0, "timeout", &timeout, 0, 86400, "N",
			    "stop a statement after N seconds (300; 0: never)"),
		OPT_STRING('f', "file", &file, "FILE",
			   "read the statements from FILE ('-': standard input)"),
		OPT_END(),
	};

	argv = args;
	if ((ret = parseopt_parse(&argc, &argv, usage, options))) {
		ret = ret == PARSEOPT_HELP ? 0 : EXIT_FATAL;
		goto out;
	}
	/* "wcindex sql -" is "wcindex sql -f -" */
	if (!file && argc == 1 && !strcmp(argv[0], "-")) {
		file = "-";
		argc = 0;
	}
	if (argc != !file) {
		ret = usage_error(usage, options, file ?
				  "sql takes -f FILE or a QUERY, not both" :
				  "sql takes exactly one QUERY argument");
		goto out;
	}
	ret = EXIT_FATAL;
	if (!file)
		strbuf_addstr(&text, argv[0]);
	else if (read_sql_text(file, &text))
		goto out;
	if (!(s = open_ro(db)))
		goto out;
	if (!sqlout_guard(store_handle(s), timeout) &&
	    !sqlout_run(store_handle(s), text.buf, (enum sqlout_format)fmt,
			stdout))
		ret = 0;
	if (sqlout_timed_out())
		error("the query ran longer than %u s (--timeout)", timeout);
	store_close(s);
out:
	strbuf_release(&text);
	free(args);
	return ret;
}

/* The summary status prints: one row; ?1 and ?2 name the database. */
#define STATUS_SUMMARY \
	"(SELECT count(*) FROM roots) AS roots," \
	" (SELECT count(*) FROM entries WHERE member = '') AS files," \
	" (SELECT count(*) FROM entries, flag_bits f WHERE member = ''" \
	" AND flags & f.archive) AS archives," \
	" (SELECT count(*) FROM entries, flag_bits f WHERE member != '' AND" \
	" (flags & (f.archive | f.link)) = 0) AS members," \
	" (SELECT count(*) FROM entries, flag_bits f WHERE flags & f.binary)" \
	" AS binary," \
	" (SELECT count(*) FROM entries WHERE status != 'ok') AS failed," \
	" (SELECT count(*) FROM dirs) AS directories," \
	" (SELECT max(id) FROM scans) AS last_scan," \
	" (SELECT status FROM scans ORDER BY id DESC LIMIT 1) AS last_status," \
	" (SELECT datetime(started_ns / 1000000000, 'unixepoch') FROM scans" \
	" ORDER BY id DESC LIMIT 1) AS last_started"

/* What status shows: the key of each part in its JSON, and its SQL. */
static const struct status_part {
	const char *key;
	int one_row;
	int machine;		/* the part CSV prints, with ?1 and ?2 */
	const char *sql;
} status_parts[] = {
	{ "roots", 0, 0,
	  "SELECT root, files, lines, words, bytes FROM totals_by_root" },
	{ "scans", 0, 0,
	  "SELECT id AS scan, datetime(started_ns / 1000000000, 'unixepoch')"
	  " AS started, round((finished_ns - started_ns) / 1e9, 2) AS seconds,"
	  " status, files_new AS new, files_changed AS changed,"
	  " files_deleted AS deleted, files_unchanged AS unchanged,"
	  " files_failed AS failed FROM scans ORDER BY id DESC LIMIT 5" },
	{ "summary", 1, 0, "SELECT " STATUS_SUMMARY },
	{ "summary", 1, 1,
	  "SELECT ?1 AS database, ?2 AS schema, " STATUS_SUMMARY },
	{ "errors", 0, 0,
	  "SELECT path, stage, message FROM errors"
	  " WHERE scan_id = (SELECT max(id) FROM scans) LIMIT ?3" },
};

/* The parts of status_parts that fmt prints. */
static int status_shows(const struct status_part *p, enum sqlout_format fmt)
{
	if (fmt == SQLOUT_CSV)
		return p->machine;
	return p->machine == (fmt == SQLOUT_JSON) || strcmp(p->key, "summary");
}

/* Print the parts of status_parts that fmt shows, as one document. */
static int print_status(sqlite3 *db, const char *path, enum sqlout_format fmt)
{
	struct sqlout *so = sqlout_new(db, fmt, stdout);
	int ret = 0;

	for (size_t i = 0; !ret && i < ARRAY_SIZE(status_parts); i++) {
		const struct status_part *p = &status_parts[i];
		sqlite3_stmt *st;

		if (!status_shows(p, fmt))
			continue;
		if (sqlite3_prepare_v2(db, p->sql, -1, &st, NULL) != SQLITE_OK) {
			ret = error("cannot read the status: %s",
				    sqlite3_errmsg(db));
			break;
		}
		sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, STORE_SCHEMA_VERSION);
		/* a table shows the first errors; the rest is in the errors view */
		sqlite3_bind_int(st, 3, fmt == SQLOUT_TABLE ? 20 : -1);
		sqlout_section(so, p->key, p->one_row);
		ret = sqlout_stmt(so, st);
		sqlite3_finalize(st);
	}
	return sqlout_finish(so, ret);
}

static int cmd_status(int argc, char **argv, const char *db,
		      int is_default)
{
	static const char usage[] =
		"usage: wcindex status [--csv | --json | --table]\n"
		"  prints: the roots, the last scans, a summary, the errors of the last scan;\n"
		"  --csv: the summary alone, a line\n";
	int fmt = SQLOUT_TABLE, ret;
	struct parseopt options[] = {
		OPT_OUTPUT_FORMAT(&fmt),
		OPT_END(),
	};
	struct store *s;

	if ((ret = parseopt_parse(&argc, &argv, usage, options)))
		return ret == PARSEOPT_HELP ? 0 : EXIT_FATAL;
	if (argc)
		return usage_error(usage, options, "status takes no arguments");
	if (!(s = open_ro(db)))
		return EXIT_FATAL;
	if (fmt == SQLOUT_TABLE) {
		printf("database: %s (schema version %d)\n\n", db,
		       STORE_SCHEMA_VERSION);
		fflush(stdout);
	}
	ret = print_status(store_handle(s), db, (enum sqlout_format)fmt) ?
	      EXIT_FATAL : 0;
	store_close(s);
	return ret;
}

/* fsync() the file or directory at path; 0 or -1 after reporting. */
static int sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), ret = 0;

	if (fd < 0 || fsync(fd) < 0)
		ret = error_errno("cannot sync '%s'", path);
	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * Put the complete copy tmp at dest, atomically: replacing what is there
 * with force, else only where nothing is (even if something appeared
 * since it was checked).  0 or -1 after reporting.
 */
static int put_in_place(const char *tmp, const char *dest, int force)
{
	if (force) {
		if (rename(tmp, dest) < 0)
			return error_errno("cannot rename '%s' to '%s'", tmp, dest);
		return 0;
	}
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dest, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EEXIST)
		return error("'%s' exists: --force replaces it", dest);
	if (errno != EINVAL && errno != ENOSYS)
		return error_errno("cannot rename '%s' to '%s'", tmp, dest);
	/* a file system without RENAME_NOREPLACE: a hard link fails alike */
	if (link(tmp, dest) < 0)
		return errno == EEXIST ? error("'%s' exists: --force replaces it", dest)
				       : error_errno("cannot link '%s' to '%s'", tmp, dest);
	unlink(tmp);
	return 0;
}

/* Refuse a destination that must not be written; 0 or -1. */
static int check_backup_dest(const char *dest, const char *db, int force)
{
	struct stat st, dbst;
	size_t len = strlen(dest);

	if (!len || dest[len - 1] == '/')
		return error("'%s' is not a file name", dest);
	if (lstat(dest, &st) < 0)
		return errno == ENOENT ? 0 : error_errno("cannot stat '%s'", dest);
	if (S_ISLNK(st.st_mode))
		return error("'%s' is a symbolic link: name the file itself", dest);
	if (S_ISDIR(st.st_mode))
		return error("'%s' is a directory: name the copy's file", dest);
	if (!stat(db, &dbst) && dbst.st_dev == st.st_dev &&
	    dbst.st_ino == st.st_ino)
		return error("'%s' is the database itself", dest);
	if (!force)
		return error("'%s' exists: --force replaces it", dest);
	if (!S_ISREG(st.st_mode))
		return error("'%s' is not a regular file", dest);
	return 0;
}

static int cmd_backup(int argc, char **argv, const char *db,
		      int is_default)
{
	static const char usage[] =
		"usage: wcindex backup [--force] FILE\n"
		"  writes a consistent copy of the index to FILE, even while a scan runs\n";
	struct strbuf tmp = STRBUF_INIT, dir = STRBUF_INIT;
	struct store *s = NULL;
	int force = 0, ret, fd;
	const char *slash;
	struct parseopt options[] = {
		OPT_BOOL('f', "force", &force, "replace FILE if it exists"),
		OPT_END(),
	};

	if ((ret = parseopt_parse(&argc, &argv, usage, options)))
		return ret == PARSEOPT_HELP ? 0 : EXIT_FATAL;
	if (argc != 1)
		return usage_error(usage, options, "backup takes exactly one FILE");
	if (check_backup_dest(argv[0], db, force) || !(s = open_ro(db)))
		return EXIT_FATAL;
	ret = EXIT_FATAL;
	/* beside FILE, so that the rename stays on its file system */
	strbuf_addf(&tmp, "%s.tmp-XXXXXX", argv[0]);
	if ((fd = mkstemp(tmp.buf)) < 0) {	/* 0600 */
		error_errno("cannot create a file beside '%s'", argv[0]);
		goto out;
	}
	close(fd);
	if (store_backup(s, tmp.buf) || sync_path(tmp.buf) ||
	    put_in_place(tmp.buf, argv[0], force)) {
		unlink(tmp.buf);
		goto out;
	}
	slash = strrchr(argv[0], '/');
	if (!slash)
		strbuf_addstr(&dir, ".");
	else
		strbuf_add(&dir, argv[0], slash == argv[0] ? 1 : (size_t)(slash - argv[0]));
	ret = sync_path(dir.buf) ? EXIT_FATAL : 0;
out:
	store_close(s);
	strbuf_release(&tmp);
	strbuf_release(&dir);
	return ret;
}

static int cmd_db_path(int argc, char **argv, const char *db,
		       int is_default)
{
	static const char usage[] = "usage: wcindex db-path\n";
	static const struct parseopt options[] = { OPT_END() };
	int ret;

	if ((ret = parseopt_parse(&argc, &argv, usage, options)))
		return ret == PARSEOPT_HELP ? 0 : EXIT_FATAL;
	if (argc)
		return usage_error(usage, options, "db-path takes no arguments");
	printf("%s\n", db);
	return 0;
}

/* ---- history: changes and history ---- */

/*
 * WHEN of --since as nanoseconds since the epoch: "YYYY-MM-DD",
 * "YYYY-MM-DD HH:MM[:SS]" (UTC, as every date wcindex shows), or a time
 * ago: "30m", "24h", "7d", "2w".  0 or -1 after reporting.
 */
static int parse_when(const char *when, int64_t *ns)
{
	static const char *const formats[] = {
		"%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
		"%Y-%m-%dT%H:%M", "%Y-%m-%d",
	};
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(when, &end, 10);
	if (end != when && *when >= '0' && *when <= '9' && !errno &&
	    end[0] && !end[1] && strchr("smhdw", end[0])) {
		uint64_t unit = end[0] == 's' ? 1 : end[0] == 'm' ? 60 :
				end[0] == 'h' ? 3600 : end[0] == 'd' ? 86400 :
				604800;

		if (n > (uint64_t)INT64_MAX / 1000000000u / unit)
			return error("--since '%s': too long ago", when);
		*ns = wall_ns() - (int64_t)(n * unit * 1000000000u);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		struct tm tm;
		const char *rest;

		memset(&tm, 0, sizeof(tm));
		rest = strptime(when, formats[i], &tm);
		if (rest && !*rest) {
			time_t t = timegm(&tm);

			/* nanoseconds run out in 2262: later is "never" */
			*ns = t > INT64_MAX / 1000000000 ? INT64_MAX :
			      t < INT64_MIN / 1000000000 ? INT64_MIN :
			      (int64_t)t * 1000000000;
			return 0;
		}
	}
	return error("--since '%s': not a date (YYYY-MM-DD [HH:MM[:SS]], UTC) "
		     "nor a time ago (30m, 24h, 7d, 2w)", when);
}

/* Append to sql an SQL test that column col is path or lies below it. */
static void add_path_test(struct strbuf *sql, const char *col,
			  const char *path)
{
	char *q;

	if (!strcmp(path, "/")) {
		strbuf_addstr(sql, "1");
		return;
	}
	q = sqlite3_mprintf("(%s = %Q OR (%s >= %Q || '/' AND %s < %Q || '0'))",
			    col, path, col, path, col, path);
	strbuf_addstr(sql, q);
	sqlite3_free(q);
}

struct change_sums {
	uint64_t kinds[4];	/* new, changed, deleted, first */
	int64_t lines, words, chars, bytes;
};

static int print_changes(sqlite3 *db, const char *sql)
{
	static const char *const kinds[] = { "new", "changed", "deleted", "first" };
	struct change_sums sum = { { 0 }, 0, 0, 0, 0 };
	struct strbuf line = STRBUF_INIT, path = STRBUF_INIT;
	int tty = term_is_tty(fileno(stdout));
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return error("cannot read the changes: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		const char *member = (const char *)sqlite3_column_text(st, 2);

		for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
			if (!strcmp(kind, kinds[i]))
				sum.kinds[i]++;
		sum.lines += sqlite3_column_int64(st, 3);
		sum.words += sqlite3_column_int64(st, 4);
		sum.chars += sqlite3_column_int64(st, 5);
		sum.bytes += sqlite3_column_int64(st, 6);
		strbuf_reset(&line);
		strbuf_addf(&line, "%-8s %+10lld words %+10lld bytes  ", kind,
			    (long long)sqlite3_column_int64(st, 4),
			    (long long)sqlite3_column_int64(st, 6));
		strbuf_reset(&path);
		strbuf_addstr(&path, (const char *)sqlite3_column_text(st, 1));
		if (member && *member) {
			strbuf_addstr(&path, ARCHIVE_NEST_SEP);
			strbuf_addstr(&path, member);
		}
		/* through a pipe, one line a change whatever the name holds */
		if (tty)
			term_quote(&line, path.buf, path.len);
		else
			strbuf_add_escaped(&line, path.buf);
		puts(line.buf);
	}
	sqlite3_finalize(st);
	strbuf_release(&line);
	strbuf_release(&path);
	if (rc != SQLITE_DONE)
		return error("cannot read the changes: %s", sqlite3_errmsg(db));
	printf("total: %" PRIu64 " new, %" PRIu64 " changed, %" PRIu64
	       " deleted", sum.kinds[0], sum.kinds[1], sum.kinds[2]);
	if (sum.kinds[3])
		printf(", %" PRIu64 " first scans", sum.kinds[3]);
	printf("; %+" PRId64 " lines, %+" PRId64 " words, %+" PRId64
	       " chars, %+" PRId64 " bytes\n", sum.lines, sum.words, sum.chars,
	       sum.bytes);
	return 0;
}

static int cmd_changes(int argc, char **argv, const char *db,
		       int is_default)
{
	static const char usage[] =
		"usage: wcindex changes [--scan N | --since WHEN] [--csv | --json | --table]\n"
		"       [PATH...]\n"
		"  prints: kind, words and bytes added, path; then a total line\n";
	struct reading rd = { 0 };
	struct strbuf sql = STRBUF_INIT;
	uint64_t scan = 0;
	const char *since = NULL;
	int fmt = SQLOUT_TABLE, ret;
	int64_t since_ns = 0;
	struct parseopt options[] = {
		OPT_U64(0, "scan", &scan, 1, ULONG_MAX, "N",
			"the changes of scan N (default: the last scan)"),
		OPT_STRING(0, "since", &since, "WHEN",
			   "the changes of every scan since WHEN: YYYY-MM-DD [HH:MM] (UTC), 7d, 24h"),
		OPT_OUTPUT_FORMAT(&fmt),
		OPT_END(),
	};

	if ((ret = start_reading(argc, argv, usage, options, db, &rd)) >= 0)
		return end_reading(&rd, ret);
	if (scan && since) {
		ret = usage_error(usage, options, "--scan and --since exclude each other");
		goto out;
	}
	if (since && parse_when(since, &since_ns)) {
		ret = EXIT_FATAL;
		goto out;
	}
	strbuf_addstr(&sql, "SELECT kind, path, member, lines_delta, words_delta,"
		      " chars_delta, bytes_delta, scan_id, date, root,"
		      " old_lines, old_words, old_chars, old_bytes,"
		      " new_lines, new_words, new_chars, new_bytes"
		      " FROM file_changes WHERE ");
	if (scan)
		strbuf_addf(&sql, "scan_id = %" PRIu64, scan);
	else if (since)
		strbuf_addf(&sql, "scan_id IN (SELECT id FROM scans WHERE "
			    "started_ns >= %" PRId64 ")", since_ns);
	else
		strbuf_addstr(&sql, "scan_id IN (SELECT id FROM scans WHERE "
			      "coalesce(run_id, id) = (SELECT coalesce(run_id, id)"
			      " FROM scans ORDER BY id DESC LIMIT 1))");
	/* the PATHs, or every root */
	strbuf_addstr(&sql, " AND (0");
	for (size_t i = 0; i < rd.n; i++) {
		strbuf_addstr(&sql, " OR ");
		add_path_test(&sql, "path", rd.paths[i]);
	}
	strbuf_addstr(&sql, ")");
	strbuf_addstr(&sql, " ORDER BY id");
	ret = 0;
	if (fmt == SQLOUT_TABLE ? print_changes(store_handle(rd.s), sql.buf) :
	    sqlout_run(store_handle(rd.s), sql.buf, (enum sqlout_format)fmt,
		       stdout))
		ret = EXIT_FATAL;
out:
	strbuf_release(&sql);
	return end_reading(&rd, ret);
}

static int cmd_history(int argc, char **argv, const char *db,
		       int is_default)
{
	static const char usage[] =
		"usage: wcindex history [--csv | --json | --table] [ROOT...]\n"
		"  prints: the totals of each root after each scan, and the change since the one before\n";
	struct reading rd = { 0 };
	struct strbuf sql = STRBUF_INIT, root = STRBUF_INIT;
	int fmt = SQLOUT_TABLE, ret, listed = 0;
	struct parseopt options[] = {
		OPT_OUTPUT_FORMAT(&fmt),
		OPT_END(),
	};

	if ((ret = start_reading(argc, argv, usage, options, db, &rd)) >= 0)
		return end_reading(&rd, ret);
	ret = 0;
	strbuf_addstr(&sql, "SELECT date, scan_id AS scan, root, files, words,"
		      " bytes, files_delta, words_delta, bytes_delta, new,"
		      " changed, deleted FROM history WHERE root IN (");
	for (size_t i = 0; i < rd.n; i++) {
		int64_t id;
		int found = store_find_root(rd.s, rd.paths[i], &id, &root);
		char *q;

		if (found < 0) {
			ret = EXIT_FATAL;
			goto out;
		}
		if (!found) {
			error("'%s' is not indexed", rd.paths[i]);
			ret = EXIT_PARTIAL;
			continue;
		}
		q = sqlite3_mprintf("%s%Q", listed++ ? ", " : "", root.buf);
		strbuf_addstr(&sql, q);
		sqlite3_free(q);
	}
	strbuf_addstr(&sql, ") ORDER BY root, scan_id");
	if (sqlout_run(store_handle(rd.s), sql.buf, (enum sqlout_format)fmt,
		       stdout))
		ret = EXIT_FATAL;
out:
	strbuf_release(&sql);
	strbuf_release(&root);
	return end_reading(&rd, ret);
}

static const struct cmd commands[] = {
	{ "scan", cmd_scan },
	{ "total", cmd_total },
	{ "ls", cmd_ls },
	{ "sql", cmd_sql },
	{ "status", cmd_status },
	{ "roots", cmd_roots },
	{ "forget", cmd_forget },
	{ "db-path", cmd_db_path },
	{ "changes", cmd_changes },
	{ "history", cmd_history },
	{ "backup", cmd_backup },
};

static const struct cmd *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

/* The edit distance of a and b (insertions, deletions, substitutions). */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[32], cur[32];

	if (la >= 31 || lb >= 31)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins)
					   : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(*cur));
	}
	return prev[lb];
}

/* A command that name looks like a typo of ("scna": scan), or NULL. */
static const char *nearest_command(const char *name)
{
	const char *best = NULL;
	size_t best_d = 3;	/* two edits at most */

	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		size_t d = edit_distance(name, commands[i].name);

		if (d < best_d) {
			best_d = d;
			best = commands[i].name;
		}
	}
	return best;
}

/* "unknown command", with the one it looks like a typo of. */
static int unknown_command(const char *name)
{
	const char *near = nearest_command(name);

	if (name[0] == '-')
		return usage_error(usage_main, NULL, "unknown option '%s'",
				   name);
	if (near)
		return usage_error(usage_main, NULL, "unknown command '%s'; "
				   "did you mean '%s'?", name, near);
	return usage_error(usage_main, NULL, "unknown command '%s'", name);
}

/* Whether --version is among the options of argv (before any "--"). */
static int asks_version(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--version"))
			return 1;
	return 0;
}

/*
 * Take --db FILE / --db=FILE out of argv wherever it is (before the
 * "--" that ends options), so that every command accepts it anywhere.
 */
static int extract_db(int *argc, char **argv)
{
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], "--db")) {
			if (i + 1 >= *argc)
				return usage_error(usage_main, NULL,
						   "--db needs a FILE");
			opt_db = argv[++i];
			continue;
		}
		if (!strncmp(argv[i], "--db=", 5)) {
			opt_db = argv[i] + 5;
			continue;
		}
		argv[out++] = argv[i];
	}
	argv[out] = NULL;
	*argc = out;
	return 0;
}

/*
 * The hidden mode a scan out of memory exec()s into (see scan.c): record
 * the scan failed, and why, in a process that has its memory back.
 */
static int record_scan_oom(int argc, char **argv)
{
	struct store *s;
	char *end;
	long long id;

	if (argc != 4 || (id = strtoll(argv[3], &end, 10)) <= 0 || *end)
		return error("usage: wcindex __scan_oom DB SCAN_ID");
	error("out of memory: the scan stops; what it committed is kept, "
	      "and the next scan goes on from there");
	if (!(s = store_open(argv[2], STORE_CREATE | STORE_TRUSTED)))
		return EXIT_FATAL;
	if (!store_scan_abandon(s, id, "failed", wall_ns()))
		store_add_error(s, id, argv[2], "memory", ENOMEM,
				"out of memory: the scan stopped");
	store_close(s);
	return EXIT_FATAL;
}

int cli_main(int argc, char **argv)
{
	static char help_opt[] = "--help";
	const struct cmd *cmd = NULL;
	char *db;
	int is_default, ret;

	sanitize_std_fds();
	if (argc >= 2 && !strcmp(argv[1], "__worker")) {
		struct worker_config cfg;

		set_progname("wcindex worker");
		if (worker_config_parse(argc - 2, argv + 2, &cfg))
			return EXIT_FATAL;
		return worker_main(WORKER_JOB_FD, WORKER_RESULT_FD, &cfg);
	}
	if (argc >= 2 && !strcmp(argv[1], "__scan_oom"))
		return record_scan_oom(argc, argv);
	set_oom_exit(EXIT_FATAL);
	if (extract_db(&argc, argv))
		return EXIT_FATAL;
	if (argc < 2)
		return usage_error(usage_main, NULL, NULL);
	/* --version anywhere, "wcindex scan --version" too */
	if (!strcmp(argv[1], "version") || asks_version(argc, argv)) {
		printf("wcindex %s (sqlite %s, schema %d)\n", PACKAGE_VERSION,
		       sqlite3_libversion(), STORE_SCHEMA_VERSION);
		puts("licence: MIT (see LICENSE)");
		print_formats();
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		if (argc <= 2) {
			fputs(usage_main, stdout);
			return 0;
		}
		if (!(cmd = find_command(argv[2])))
			return unknown_command(argv[2]);
		/* "help CMD" is "CMD --help": the help is in CMD's table. */
		argv[1] = argv[2];
		argv[2] = help_opt;
		argc = 3;
	}
	if (!cmd && !(cmd = find_command(argv[1])))
		return unknown_command(argv[1]);

	if (!(db = resolve_db(&is_default)))
		return EXIT_FATAL;
	ret = cmd->fn(argc - 1, argv + 1, db, is_default);
	free(db);
	if (fflush(stdout) && !ret) {
		error("cannot write output");
		ret = EXIT_FATAL;
	}
	return ret;
}
