/*
 * parseopt.h - command-line options declared once.  A command lists its
 * options in an array of struct parseopt, written with the OPT_* macros
 * inside the command's function and pointing at its local variables; that
 * one table drives getopt_long(3), checks the values (ranges, with the same
 * messages for every command) and makes the lines of the --help text, so
 * that an option cannot be accepted without being described, nor described
 * with another argument or range than the one it takes.
 */
#ifndef WCINDEX_PARSEOPT_H
#define WCINDEX_PARSEOPT_H

#include <limits.h>
#include <stdint.h>

struct parseopt;
struct strbuf;

enum parseopt_type {
	PARSEOPT_END = 0,	/* ends a table */
	PARSEOPT_SET_INT,	/* *(int *)value = defval */
	PARSEOPT_UINT,		/* *(unsigned *)value = the number */
	PARSEOPT_U64,		/* *(uint64_t *)value = the number */
	PARSEOPT_STRING,	/* *(const char **)value = the argument */
	PARSEOPT_CALLBACK,	/* callback(opt, argument) */
	/*
	 * An option of the whole program (--db) that the caller takes out of
	 * argv before the command parses its own: only a line of the help.
	 */
	PARSEOPT_GLOBAL,
};

/* Accepted, but left out of the help (options for the tests). */
#define PARSEOPT_HIDDEN 1u
/*
 * The argument may be left out (--wait or --wait=N, never --wait N); a
 * number then gets defval.
 */
#define PARSEOPT_OPTARG 2u
/* A number of bytes, with a suffix or not ("64M"): see parse_size(). */
#define PARSEOPT_SIZE 4u

/* What a callback returns: 0, or -1 after reporting with error(). */
typedef int parseopt_fn(const struct parseopt *opt, const char *arg);

struct parseopt {
	enum parseopt_type type;
	int short_name;		/* 0: none; 'h' is always --help */
	const char *long_name;	/* required: errors name the option by it */
	void *value;		/* the target; a callback's own data */
	const char *argh;	/* the argument's name in the help; NULL: none */
	const char *help;	/* the help line, as a phrase */
	unsigned flags;		/* PARSEOPT_HIDDEN, PARSEOPT_OPTARG */
	unsigned long min, max;	/* numbers: inclusive; max ULONG_MAX: no limit */
	const char *unit;	/* numbers: named in range errors ("seconds") */
	long defval;		/* SET_INT, and a number left out (OPTARG) */
	int *given;		/* when not NULL: set to 1 if the option is given */
	parseopt_fn *callback;
};

/*
 * p as a pointer to type: a target of the wrong type is a compiler
 * warning (an error with --enable-werror) rather than memory overwritten.
 */
#define PARSEOPT_PTR(type, p) (1 ? (p) : (type *)0)

#define OPT_END() { .type = PARSEOPT_END }
#define OPT_SET_INT(s, l, v, val, h) \
	{ .type = PARSEOPT_SET_INT, .short_name = (s), .long_name = (l), \
	  .value = PARSEOPT_PTR(int, v), .defval = (val), .help = (h) }
#define OPT_BOOL(s, l, v, h) OPT_SET_INT(s, l, v, 1, h)
#define OPT_UINT(s, l, v, lo, hi, a, h) \
	{ .type = PARSEOPT_UINT, .short_name = (s), .long_name = (l), \
	  .value = PARSEOPT_PTR(unsigned, v), .min = (lo), .max = (hi), \
	  .argh = (a), .help = (h) }
#define OPT_SECONDS(s, l, v, lo, hi, a, h) \
	{ .type = PARSEOPT_UINT, .short_name = (s), .long_name = (l), \
	  .value = PARSEOPT_PTR(unsigned, v), .min = (lo), .max = (hi), \
	  .unit = "seconds", .argh = (a), .help = (h) }
/* --l[=a]: sets *g = 1, and *v = the seconds or, left out, 0. */
#define OPT_SECONDS_OPTARG(l, v, g, lo, hi, a, h) \
	{ .type = PARSEOPT_UINT, .long_name = (l), \
	  .value = PARSEOPT_PTR(unsigned, v), .given = (g), \
	  .min = (lo), .max = (hi), .unit = "seconds", \
	  .flags = PARSEOPT_OPTARG, .argh = (a), .help = (h) }
#define OPT_U64(s, l, v, lo, hi, a, h) \
	{ .type = PARSEOPT_U64, .short_name = (s), .long_name = (l), \
	  .value = PARSEOPT_PTR(uint64_t, v), .min = (lo), .max = (hi), \
	  .argh = (a), .help = (h) }
/* A number of bytes: suffixes K, M, G, ... allowed (parse_size()). */
#define OPT_BYTES(l, v, h) \
	{ .type = PARSEOPT_U64, .long_name = (l), \
	  .value = PARSEOPT_PTR(uint64_t, v), .min = 1, .max = ULONG_MAX, \
	  .flags = PARSEOPT_SIZE, .argh = "SIZE", \
	  .help = (h) }
#define OPT_STRING(s, l, v, a, h) \
	{ .type = PARSEOPT_STRING, .short_name = (s), .long_name = (l), \
	  .value = PARSEOPT_PTR(const char *, v), .argh = (a), .help = (h) }
#define OPT_HIDDEN_STRING(l, v, a) \
	{ .type = PARSEOPT_STRING, .long_name = (l), \
	  .value = PARSEOPT_PTR(const char *, v), .argh = (a), \
	  .flags = PARSEOPT_HIDDEN }
#define OPT_CALLBACK(s, l, v, a, h, fn) \
	{ .type = PARSEOPT_CALLBACK, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h), .callback = (fn) }
/* --l[=a]: the callback gets NULL when the argument is left out. */
#define OPT_CALLBACK_OPTARG(l, v, a, h, fn) \
	{ .type = PARSEOPT_CALLBACK, .long_name = (l), .value = (v), \
	  .argh = (a), .help = (h), .callback = (fn), \
	  .flags = PARSEOPT_OPTARG }
#define OPT_GLOBAL(l, a, h) \
	{ .type = PARSEOPT_GLOBAL, .long_name = (l), .argh = (a), .help = (h) }

/*
 * After a usage error: one line on stderr that says where the help is,
 * "Try 'wcindex scan --help'.", the command taken from usage (the
 * "usage: wcindex scan [options] ..." line of parseopt_parse()).
 */
void parseopt_try(const char *usage);

/* What parseopt_parse() returns when it has printed the help. */
#define PARSEOPT_HELP 1

/*
 * Parse the options of one command in *argc and *argv, whose first element
 * is the command's name.  An
 * option takes an argument when the table names one (argh).  Options may
 * come before, between or after the operands, "--" ends them, and -h and
 * --help are always accepted.  Each option given is stored in its target
 * as soon as it is read, so the last of a repeated option wins.  Uses
 * getopt_long(3), hence its global state: one parse at a time.
 *
 * Returns 0 with *argc and *argv narrowed to the operands; PARSEOPT_HELP
 * after printing the help (parseopt_usage()) on stdout; -1 after saying
 * what is wrong (error()) and where the help is (parseopt_try()) on
 * stderr.  The caller decides the exit status.
 */
int parseopt_parse(int *argc, char ***argv, const char *usage,
		   const struct parseopt *opts);

/*
 * Append a command's help to sb: usage (its "usage:" line and any line to
 * show above the options, each ended by a newline), then a line for each
 * option of opts not hidden, in table order, and last the "-h, --help" and
 * "--version" lines every command has, the help phrases aligned in one
 * column.  opts may be NULL: usage alone.  --version is listed but not
 * parsed here: the program answers it before any command parses.
 */
void parseopt_usage(struct strbuf *sb, const char *usage,
		    const struct parseopt *opts);

#endif
