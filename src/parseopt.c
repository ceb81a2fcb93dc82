/*
 * parseopt.c - the option tables of parseopt.h turned into what
 * getopt_long(3) wants (an array of struct option and a short-option
 * string), each option parsed stored in its target with its range checked,
 * and the help text made from the same table.  getopt keeps doing the
 * matching (abbreviations, "--", options after operands); its complaints
 * are said here instead, in the program's one error format, followed by
 * one line that says where the help is (parseopt_try()).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parseopt.h"
#include "strbuf.h"
#include "util.h"

/* getopt_long() returns this plus the index for long-only options. */
#define LONG_ONLY_BASE 256

/* Where the help phrases start unless an option is wider. */
#define HELP_COLUMN 24

static size_t count_options(const struct parseopt *opts)
{
	size_t n = 0;

	while (opts && opts[n].type != PARSEOPT_END)
		n++;
	return n;
}

static int has_arg(const struct parseopt *opt)
{
	if (!opt->argh)
		return no_argument;
	return opt->flags & PARSEOPT_OPTARG ? optional_argument :
	       required_argument;
}

/*
 * The getopt_long() view of opts: the long options (free()), with --help,
 * and their short forms in shortopts.
 */
static struct option *getopt_table(const struct parseopt *opts,
				   struct strbuf *shortopts)
{
	size_t n = count_options(opts), nr = 0;
	struct option *longopts = xcalloc(n + 2, sizeof(*longopts));

	strbuf_addch(shortopts, ':');	/* ':' for a missing argument */

	for (size_t i = 0; i < n; i++) {
		const struct parseopt *opt = &opts[i];
		int arg = has_arg(opt);

		if (opt->type == PARSEOPT_GLOBAL)
			continue;
		longopts[nr].name = opt->long_name;
		longopts[nr].has_arg = arg;
		longopts[nr].val = opt->short_name ? opt->short_name :
				   LONG_ONLY_BASE + (int)i;
		nr++;
		if (!opt->short_name)
			continue;
		strbuf_addch(shortopts, opt->short_name);
		if (arg != no_argument)
			strbuf_addch(shortopts, ':');
		if (arg == optional_argument)
			strbuf_addch(shortopts, ':');
	}
	longopts[nr].name = "help";
	longopts[nr].val = 'h';
	strbuf_addch(shortopts, 'h');
	return longopts;
}

/*
 * What getopt found wrong with the option at argv[at] (its ':' for a
 * missing argument, '?' for anything else), said as an error().
 */
static void complain(const struct parseopt *opts, char **argv, int at, int c)
{
	const char *arg = argv[at];
	size_t len = strcspn(arg, "=");

	/* "--flag=x" where --flag takes nothing: getopt says '?' too */
	for (size_t i = 0; arg[len] == '=' && opts && opts[i].type != PARSEOPT_END; i++)
		if (!opts[i].argh && len > 2 &&
		    strlen(opts[i].long_name) == len - 2 &&
		    !strncmp(opts[i].long_name, arg + 2, len - 2)) {
			error("option '%.*s' takes no argument", (int)len, arg);
			return;
		}

	if (arg[0] == '-' && arg[1] != '-' && optopt) {
		if (c == ':')
			error("option '-%c' needs an argument", optopt);
		else
			error("unknown option '-%c'", optopt);
	} else if (c == ':') {
		error("option '%.*s' needs an argument", (int)len, arg);
	} else {
		error("unknown or ambiguous option '%.*s'", (int)len, arg);
	}
}

/* The entry of what getopt_long() returned; NULL when it complained. */
static const struct parseopt *find_option(const struct parseopt *opts,
					  int c)
{
	if (c >= LONG_ONLY_BASE)
		return &opts[c - LONG_ONLY_BASE];
	for (size_t i = 0; opts && opts[i].type != PARSEOPT_END; i++)
		if (opts[i].short_name == c)
			return &opts[i];
	return NULL;
}

static int set_number(const struct parseopt *opt, const char *arg)
{
	unsigned long n = (unsigned long)opt->defval;

	int bad = (opt->flags & PARSEOPT_SIZE) ?
		  parse_size(arg, opt->min, opt->max, &n) :
		  parse_ulong(arg, opt->min, opt->max, &n);

	if (arg && bad) {
		if (opt->flags & PARSEOPT_SIZE)
			return error("bad size '%s' for --%s: want a number "
				     "of bytes, such as 4096, 64M or 1GiB",
				     arg, opt->long_name);
		/* A range as wide as the type says nothing worth printing. */
		if (opt->max == ULONG_MAX)
			return error("bad number '%s'", arg);
		return error("bad --%s '%s': want %lu-%lu%s%s", opt->long_name,
			     arg, opt->min, opt->max, opt->unit ? " " : "",
			     opt->unit ? opt->unit : "");
	}
	if (opt->type == PARSEOPT_UINT)
		*(unsigned *)opt->value = (unsigned)n;
	else
		*(uint64_t *)opt->value = n;
	return 0;
}

/* Store one option given with arg (NULL: none); 0 or -1. */
static int set_option(const struct parseopt *opt, const char *arg)
{
	if (opt->given)
		*opt->given = 1;
	switch (opt->type) {
	case PARSEOPT_SET_INT:
		*(int *)opt->value = (int)opt->defval;
		return 0;
	case PARSEOPT_UINT:
	case PARSEOPT_U64:
		return set_number(opt, arg);
	case PARSEOPT_STRING:
		*(const char **)opt->value = arg;
		return 0;
	case PARSEOPT_CALLBACK:
		return opt->callback(opt, arg);
	case PARSEOPT_END:
	case PARSEOPT_GLOBAL:
		break;
	}
	return error("option '--%s' cannot be parsed here", opt->long_name);
}

static void print_usage(FILE *out, const char *usage,
			const struct parseopt *opts)
{
	struct strbuf sb = STRBUF_INIT;

	parseopt_usage(&sb, usage, opts);
	fputs(sb.buf, out);
	strbuf_release(&sb);
}

int parseopt_parse(int *argc, char ***argv, const char *usage,
		   const struct parseopt *opts)
{
	struct strbuf shortopts = STRBUF_INIT;
	struct option *longopts = getopt_table(opts, &shortopts);
	const struct parseopt *opt;
	int c, ret = 0;

	optind = 0;	/* glibc: start afresh, as on a new argv */
	opterr = 0;	/* its messages are ours to write */
	while ((c = getopt_long(*argc, *argv, shortopts.buf, longopts,
				NULL)) != -1) {
		if (c == 'h') {
			ret = PARSEOPT_HELP;
			break;
		}
		if (c == '?' || c == ':') {
			complain(opts, *argv, optind - 1, c);
			ret = -1;
			break;
		}
		opt = find_option(opts, c);
		if (!opt || set_option(opt, optarg)) {
			ret = -1;
			break;
		}
	}
	if (ret == PARSEOPT_HELP) {
		print_usage(stdout, usage, opts);
	} else if (ret) {
		parseopt_try(usage);
	} else {
		*argc -= optind;
		*argv += optind;
	}
	free(longopts);
	strbuf_release(&shortopts);
	return ret;
}

/* The left part of an option's help line: "  -j, --jobs N". */
static void add_option_left(struct strbuf *sb, const struct parseopt *opt)
{
	if (opt->short_name)
		strbuf_addf(sb, "  -%c, ", opt->short_name);
	else
		strbuf_addstr(sb, "      ");
	strbuf_addf(sb, "--%s", opt->long_name);
	if (!opt->argh)
		return;
	if (opt->flags & PARSEOPT_OPTARG)
		strbuf_addf(sb, "[=%s]", opt->argh);
	else
		strbuf_addf(sb, " %s", opt->argh);
}

static int is_visible(const struct parseopt *opt)
{
	return !(opt->flags & PARSEOPT_HIDDEN);
}

/*
 * The options every command has, last in every help so that they are
 * found in one place: -h/--help is parsed here, --version by the caller
 * before any command's options (see parseopt.h).
 */
static const struct parseopt common_options[] = {
	{ .type = PARSEOPT_GLOBAL, .short_name = 'h', .long_name = "help",
	  .help = "print this help and exit" },
	{ .type = PARSEOPT_GLOBAL, .long_name = "version",
	  .help = "print the version, licence and formats, and exit" },
	OPT_END(),
};

/* The widest left part of the visible options of opts. */
static size_t widest_left(const struct parseopt *opts, struct strbuf *left)
{
	size_t n = count_options(opts), widest = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_visible(&opts[i]))
			continue;
		strbuf_reset(left);
		add_option_left(left, &opts[i]);
		if (left->len > widest)
			widest = left->len;
	}
	return widest;
}

/* A line of sb for each visible option of opts, the phrases at column. */
static void add_option_lines(struct strbuf *sb, const struct parseopt *opts,
			     size_t column, struct strbuf *left)
{
	size_t n = count_options(opts);

	for (size_t i = 0; i < n; i++) {
		if (!is_visible(&opts[i]))
			continue;
		strbuf_reset(left);
		add_option_left(left, &opts[i]);
		if (opts[i].help)
			strbuf_addf(sb, "%-*s%s\n", (int)column, left->buf,
				    opts[i].help);
		else
			strbuf_addf(sb, "%s\n", left->buf);
	}
}

void parseopt_usage(struct strbuf *sb, const char *usage,
		    const struct parseopt *opts)
{
	struct strbuf left = STRBUF_INIT;
	size_t widest, common, column;

	strbuf_addstr(sb, usage);
	if (!opts)
		return;
	widest = widest_left(opts, &left);
	common = widest_left(common_options, &left);
	if (common > widest)
		widest = common;
	/* One column for the whole command, two spaces after its widest. */
	column = widest < HELP_COLUMN ? HELP_COLUMN : widest + 2;
	add_option_lines(sb, opts, column, &left);
	add_option_lines(sb, common_options, column, &left);
	strbuf_release(&left);
}

void parseopt_try(const char *usage)
{
	const char *p = usage, *end;

	if (!strncmp(p, "usage: ", 7))
		p += 7;
	/* the command is the words before the first "[", "-" or NAME */
	for (end = p; *end && *end != '\n';) {
		const char *w = end + strspn(end, " ");
		size_t len = strcspn(w, " \n");

		if (!len || *w == '[' || *w == '-' || (*w >= 'A' && *w <= 'Z'))
			break;
		end = w + len;
	}
	fprintf(stderr, "Try '%.*s --help'.\n", (int)(end - p), p);
}
