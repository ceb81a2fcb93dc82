/*
 * cli.c - subcommands of wcindex: scan, total, ls, sql, status, db-path,
 * and the hidden __worker mode that the pool exec()s.  Options may come
 * before or after the subcommand and its arguments; --db is accepted
 * anywhere.  Exit status: 0 success, 1 partial failure (some file could not
 * be counted, a path is not indexed), 2 usage or fatal error, 3 the
 * database is being scanned by another process.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "archive.h"
#include "cli.h"
#include "entry.h"
#include "fsutil.h"
#include "scan.h"
#include "sqlout.h"
#include "store.h"
#include "util.h"
#include "worker.h"

#define EXIT_PARTIAL 1
#define EXIT_FATAL 2

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv, const char *db, int is_default);
	const char *usage;
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
	"  db-path           print the database path in use\n"
	"\n"
	"The database is --db FILE, else $WCINDEX_DB, else\n"
	"$XDG_DATA_HOME/wcindex/index.db (~/.local/share/wcindex/index.db).\n"
	"'wcindex COMMAND --help' describes a command; man wcindex has the rest.\n";

static const char usage_scan[] =
	"usage: wcindex scan [options] [DIR...]\n"
	"  -j, --jobs N          worker processes (default: online CPUs)\n"
	"      --full            recount every file, changed or not\n"
	"      --ascii           words split on ASCII whitespace only; chars = bytes\n"
	"      --follow          follow symbolic links (loops are detected)\n"
	"  -x, --one-file-system stay on the file system of each DIR\n"
	"      --exclude GLOB    skip names, root-relative or absolute paths matching GLOB\n"
	"      --no-archives     count archives and compressed files as plain bytes\n"
	"      --retry-failed    count damaged archives and limit hits again, changed or not\n"
	"      --timeout N       seconds a worker may spend on a file (plus 1 s per 4 MB; 30)\n"
	"      --archive-cpu N   CPU seconds one archive may take (half of --timeout)\n"
	"      --archive-depth N        archives inside archives: N levels (default 4)\n"
	"      --max-member-bytes N     bytes one archive member may produce (1 GiB)\n"
	"      --max-archive-bytes N    bytes one archive may produce (4 GiB)\n"
	"      --max-ratio N            produced/stored bytes of an archive (1000)\n"
	"      --max-members N          members of one archive (100000)\n"
	"      --wait[=SECONDS]  wait for a scan running on the database (no limit)\n"
	"  -q, --quiet           no summary line and no progress\n"
	"      --no-progress     no progress line even on a terminal\n"
	"      --db FILE         the database\n";

static const char usage_total[] =
	"usage: wcindex total [--binary] [PATH...]\n"
	"  prints: lines words chars bytes files path\n"
	"      --binary          include binary files (left out by default)\n";

static const char usage_ls[] =
	"usage: wcindex ls [-0] [PATH...]\n"
	"  prints: lines words chars bytes path (a '-' where a file could not be counted)\n"
	"  -0, --null            end each line with NUL instead of newline\n";

static const char usage_sql[] =
	"usage: wcindex sql [--csv | --json | --table] QUERY\n"
	"  runs QUERY on a read-only connection; never waits for a running scan\n";

static const char usage_status[] = "usage: wcindex status\n";
static const char usage_dbpath[] = "usage: wcindex db-path\n";

static int usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		fprintf(stderr, "wcindex: ");
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fputs(usage, stderr);
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
		if (mkdir(sb.buf, 0755) < 0 && errno != EEXIST) {
			ret = error_errno("cannot create '%s'", sb.buf);
			break;
		}
		if (i < sb.len)
			sb.buf[i] = '/';
	}
	strbuf_release(&sb);
	return ret;
}

/* The database path in effect, absolute.  *is_default: from XDG/HOME. */
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
	absolute_path(sb.buf, &abs);
	strbuf_release(&sb);
	return strbuf_detach(&abs, NULL);
}

static int cmd_scan(int argc, char **argv, const char *db, int is_default)
{
	static const struct option longopts[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "full", no_argument, NULL, 'F' },
		{ "ascii", no_argument, NULL, 'A' },
		{ "follow", no_argument, NULL, 'L' },
		{ "one-file-system", no_argument, NULL, 'x' },
		{ "exclude", required_argument, NULL, 'E' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "worker-exe", required_argument, NULL, 'W' },
		{ "no-archives", no_argument, NULL, 'N' },
		{ "retry-failed", no_argument, NULL, 'Y' },
		{ "timeout", required_argument, NULL, 'O' },
		{ "archive-cpu", required_argument, NULL, 'U' },
		{ "archive-depth", required_argument, NULL, 'D' },
		{ "max-member-bytes", required_argument, NULL, 'M' },
		{ "max-archive-bytes", required_argument, NULL, 'T' },
		{ "max-ratio", required_argument, NULL, 'R' },
		{ "max-members", required_argument, NULL, 'C' },
		{ "wait", optional_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct scan_options opt;
	unsigned long n;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int c, no_progress = 0, ret;

	memset(&opt, 0, sizeof(opt));
	opt.db_path = db;
	opt.jobs = cpus > 0 ? (unsigned)cpus : 1;
	archive_limits_default(&opt.limits);
	opt.timeout = 30;
	while ((c = getopt_long(argc, argv, "j:xqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (parse_ulong(optarg, 1, 1024, &n))
				return usage_error(usage_scan,
						   "bad --jobs '%s': want 1-1024", optarg);
			opt.jobs = (unsigned)n;
			break;
		case 'F': opt.full = 1; break;
		case 'A': opt.ascii = 1; break;
		case 'L': opt.follow = 1; break;
		case 'x': opt.one_fs = 1; break;
		case 'E': excludes_add(&opt.ex, optarg); break;
		case 'q': opt.quiet = 1; break;
		case 'P': no_progress = 1; break;
		case 'W': opt.worker_exe = optarg; break;
		case 'N': opt.no_archives = 1; break;
		case 'Y': opt.retry_failed = 1; break;
		case 'w':
			opt.wait_lock = 1;
			if (optarg && parse_ulong(optarg, 1, 31536000, &n))
				return usage_error(usage_scan,
						   "bad --wait '%s': want 1-31536000 seconds",
						   optarg);
			opt.wait_seconds = optarg ? (unsigned)n : 0;
			break;
		case 'O':
			if (parse_ulong(optarg, 1, 86400, &n))
				return usage_error(usage_scan,
						   "bad --timeout '%s': want 1-86400 seconds",
						   optarg);
			opt.timeout = (unsigned)n;
			break;
		case 'U':
			if (parse_ulong(optarg, 1, 86400, &n))
				return usage_error(usage_scan,
						   "bad --archive-cpu '%s': want 1-86400 seconds",
						   optarg);
			opt.archive_cpu = (unsigned)n;
			break;
		case 'D':
			if (parse_ulong(optarg, 1, 64, &n))
				return usage_error(usage_scan,
						   "bad --archive-depth '%s': want 1-64",
						   optarg);
			opt.limits.depth = (unsigned)n;
			break;
		case 'M': case 'T': case 'R': case 'C':
			if (parse_ulong(optarg, 1, ULONG_MAX, &n))
				return usage_error(usage_scan,
						   "bad number '%s'", optarg);
			if (c == 'M')
				opt.limits.member_bytes = n;
			else if (c == 'T')
				opt.limits.total_bytes = n;
			else if (c == 'R')
				opt.limits.ratio = n;
			else
				opt.limits.members = n;
			break;
		case 'h': fputs(usage_scan, stdout); return 0;
		default: return usage_error(usage_scan, NULL);
		}
	}
	/* The default location is ours to create; a --db elsewhere is not. */
	if (is_default) {
		char *slash = strrchr(db, '/');

		*slash = '\0';
		ret = mkdir_p(db);
		*slash = '/';
		if (ret)
			return EXIT_FATAL;
	}
	opt.roots = (const char *const *)argv + optind;
	opt.nroots = (size_t)(argc - optind);
	opt.progress = !opt.quiet && !no_progress && isatty(2);
	ret = scan_run(&opt);
	excludes_clear(&opt.ex);
	return ret;
}

static struct store *open_ro(const char *db)
{
	return store_open(db, STORE_READONLY);
}

/*
 * The paths a read command works on: its arguments made absolute like the
 * stored paths, or every root when there are none.  0 or -1.
 */
static int command_paths(struct store *s, int argc, char **argv,
			 char ***paths, size_t *n)
{
	struct strbuf abs = STRBUF_INIT;

	if (!argc)
		return store_list_roots(s, paths, n);
	*n = (size_t)argc;
	*paths = xcalloc(*n, sizeof(**paths));
	for (size_t i = 0; i < *n; i++) {
		absolute_path(argv[i], &abs);
		(*paths)[i] = xstrndup(abs.buf, abs.len);
	}
	strbuf_release(&abs);
	return 0;
}

static void free_paths(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

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

static void print_totals(const struct totals *t, int w, const char *label)
{
	printf("%*" PRIu64 " %*" PRIu64 " %*" PRIu64 " %*" PRIu64 " %*" PRIu64
	       " %s\n", w, t->lines, w, t->words, w, t->chars, w, t->bytes,
	       w, t->files, label);
}

static int cmd_total(int argc, char **argv, const char *db,
		     int is_default)
{
	static const struct option longopts[] = {
		{ "binary", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store *s;
	struct totals *t = NULL, sum;
	char **paths = NULL;
	size_t n = 0;
	int c, binary = 0, ret = 0, w = 7;
	int *found = NULL;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': binary = 1; break;
		case 'h': fputs(usage_total, stdout); return 0;
		default: return usage_error(usage_total, NULL);
		}
	}
	if (!(s = open_ro(db)))
		return EXIT_FATAL;
	if (command_paths(s, argc - optind, argv + optind, &paths, &n)) {
		ret = EXIT_FATAL;
		goto out;
	}
	t = xcalloc(n ? n : 1, sizeof(*t));
	found = xcalloc(n ? n : 1, sizeof(*found));
	memset(&sum, 0, sizeof(sum));
	for (size_t i = 0; i < n; i++) {
		found[i] = store_totals(s, paths[i], binary, &t[i]);
		if (found[i] < 0) {
			ret = EXIT_FATAL;
			goto out;
		}
		if (!found[i]) {
			error("'%s' is not indexed", paths[i]);
			ret = EXIT_PARTIAL;
			continue;
		}
		sum.files += t[i].files;
		sum.lines += t[i].lines;
		sum.words += t[i].words;
		sum.chars += t[i].chars;
		sum.bytes += t[i].bytes;
	}
	w = width_of(sum.chars > sum.bytes ? sum.chars : sum.bytes, 7);
	for (size_t i = 0; i < n; i++)
		if (found[i] > 0)
			print_totals(&t[i], w, paths[i]);
	if (n > 1)
		print_totals(&sum, w, "total");
	if (fflush(stdout) || ferror(stdout)) {
		error("cannot write output");
		ret = EXIT_FATAL;
	}
out:
	free_paths(paths, n);
	free(t);
	free(found);
	store_close(s);
	return ret;
}

struct ls_ctx {
	int terminator;
	struct strbuf line;
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
	int failed = strcmp(row->status, "ok") != 0 ||
		     (row->flags & ENTRY_F_NO_TEXT);

	strbuf_reset(&ctx->line);
	add_count(&ctx->line, failed ? -1 : row->lines);
	add_count(&ctx->line, failed ? -1 : row->words);
	add_count(&ctx->line, failed ? -1 : row->chars);
	add_count(&ctx->line, failed ? -1 : row->bytes);
	strbuf_addstr(&ctx->line, row->dir);
	if (strcmp(row->dir, "/"))
		strbuf_addch(&ctx->line, '/');
	strbuf_addstr(&ctx->line, row->name);
	if (row->member_len) {
		strbuf_addstr(&ctx->line, ARCHIVE_NEST_SEP);
		strbuf_add(&ctx->line, row->member, row->member_len);
	}
	strbuf_addch(&ctx->line, ctx->terminator);
	return fwrite(ctx->line.buf, 1, ctx->line.len, stdout) != ctx->line.len;
}

static int cmd_ls(int argc, char **argv, const char *db,
		  int is_default)
{
	static const struct option longopts[] = {
		{ "null", no_argument, NULL, '0' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ls_ctx ctx = { '\n', STRBUF_INIT };
	struct store *s;
	char **paths = NULL;
	size_t n = 0;
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, "0h", longopts, NULL)) != -1) {
		switch (c) {
		case '0': ctx.terminator = '\0'; break;
		case 'h': fputs(usage_ls, stdout); return 0;
		default: return usage_error(usage_ls, NULL);
		}
	}
	if (!(s = open_ro(db)))
		return EXIT_FATAL;
	if (command_paths(s, argc - optind, argv + optind, &paths, &n)) {
		ret = EXIT_FATAL;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		int r = store_ls(s, paths[i], print_ls_row, &ctx);

		if (r < 0) {
			ret = EXIT_FATAL;
			break;
		}
		if (!r) {
			error("'%s' is not indexed", paths[i]);
			ret = EXIT_PARTIAL;
		}
	}
	if (fflush(stdout) || ferror(stdout)) {
		error("cannot write output");
		ret = EXIT_FATAL;
	}
out:
	free_paths(paths, n);
	strbuf_release(&ctx.line);
	store_close(s);
	return ret;
}

static int cmd_sql(int argc, char **argv, const char *db,
		   int is_default)
{
	static const struct option longopts[] = {
		{ "csv", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "table", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum sqlout_format fmt = SQLOUT_TABLE;
	struct store *s;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': fmt = SQLOUT_CSV; break;
		case 'j': fmt = SQLOUT_JSON; break;
		case 't': fmt = SQLOUT_TABLE; break;
		case 'h': fputs(usage_sql, stdout); return 0;
		default: return usage_error(usage_sql, NULL);
		}
	}
	if (argc - optind != 1)
		return usage_error(usage_sql, "sql takes exactly one QUERY argument");
	if (!(s = open_ro(db)))
		return EXIT_FATAL;
	ret = sqlout_run(store_handle(s), argv[optind], fmt, stdout) ?
	      EXIT_FATAL : 0;
	store_close(s);
	return ret;
}

static const char status_sql[] =
	"SELECT root, files, lines, words, bytes FROM totals_by_root;\n"
	"SELECT id AS scan, datetime(started_ns / 1000000000, 'unixepoch') AS started,"
	" round((finished_ns - started_ns) / 1e9, 2) AS seconds, status,"
	" files_new AS new, files_changed AS changed, files_deleted AS deleted,"
	" files_unchanged AS unchanged, files_failed AS failed"
	" FROM scans ORDER BY id DESC LIMIT 5;\n"
	"SELECT (SELECT count(*) FROM entries WHERE member = '') AS files,"
	" (SELECT count(*) FROM entries, flag_bits f WHERE member = ''"
	" AND flags & f.archive) AS archives,"
	" (SELECT count(*) FROM entries, flag_bits f WHERE member != '' AND"
	" (flags & (f.archive | f.link)) = 0) AS members,"
	" (SELECT count(*) FROM entries, flag_bits f WHERE flags & f.binary)"
	" AS binary,"
	" (SELECT count(*) FROM entries WHERE status != 'ok') AS failed,"
	" (SELECT count(*) FROM dirs) AS directories;\n"
	"SELECT path, stage, message FROM errors"
	" WHERE scan_id = (SELECT max(id) FROM scans) LIMIT 20;\n";

static int cmd_status(int argc, char **argv, const char *db,
		      int is_default)
{
	struct store *s;
	int ret;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		fputs(usage_status, stdout);
		return 0;
	}
	if (argc > 1)
		return usage_error(usage_status, "status takes no arguments");
	if (!(s = open_ro(db)))
		return EXIT_FATAL;
	printf("database: %s (schema version %d)\n\n", db, STORE_SCHEMA_VERSION);
	fflush(stdout);
	ret = sqlout_run(store_handle(s), status_sql, SQLOUT_TABLE, stdout) ?
	      EXIT_FATAL : 0;
	store_close(s);
	return ret;
}

static int cmd_db_path(int argc, char **argv, const char *db,
		       int is_default)
{
	if (argc > 1 && !strcmp(argv[1], "--help")) {
		fputs(usage_dbpath, stdout);
		return 0;
	}
	if (argc > 1)
		return usage_error(usage_dbpath, "db-path takes no arguments");
	printf("%s\n", db);
	return 0;
}

static const struct cmd commands[] = {
	{ "scan", cmd_scan, usage_scan },
	{ "total", cmd_total, usage_total },
	{ "ls", cmd_ls, usage_ls },
	{ "sql", cmd_sql, usage_sql },
	{ "status", cmd_status, usage_status },
	{ "db-path", cmd_db_path, usage_dbpath },
};

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
				return usage_error(usage_main, "--db needs a FILE");
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

int cli_main(int argc, char **argv)
{
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
	if (extract_db(&argc, argv))
		return EXIT_FATAL;
	if (argc < 2)
		return usage_error(usage_main, NULL);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("wcindex %s (sqlite %s, schema %d)\n", PACKAGE_VERSION,
		       sqlite3_libversion(), STORE_SCHEMA_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		if (argc > 2)
			for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
				if (!strcmp(argv[2], commands[i].name)) {
					fputs(commands[i].usage, stdout);
					return 0;
				}
		fputs(usage_main, stdout);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			cmd = &commands[i];
	if (!cmd)
		return usage_error(usage_main, "unknown command '%s'", argv[1]);

	db = resolve_db(&is_default);
	optind = 0;
	ret = cmd->fn(argc - 1, argv + 1, db, is_default);
	free(db);
	if (fflush(stdout) && !ret) {
		error("cannot write output");
		ret = EXIT_FATAL;
	}
	return ret;
}
