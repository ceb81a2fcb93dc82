/*
 * sqlout.c - the "sql" command's output side: run the statements a user gave
 * us, one after the other, and print what they return as an aligned table,
 * as RFC 4180 CSV or as a JSON array of objects.  The index stores paths as
 * the exact bytes of the file names found on disk, so text is never assumed
 * to be valid UTF-8: TABLE and CSV pass the bytes through untouched, and JSON
 * keeps them recoverable through python's surrogateescape convention.  Only
 * a TABLE printed to a terminal quotes what would drive the terminal, and
 * its columns are aligned by display width, so CJK text lines up.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "count.h"
#include "sqlout.h"
#include "strbuf.h"
#include "term.h"
#include "util.h"

/*
 * A table needs every width before its first line is printed, but a query
 * may return millions of rows: widths come from the first batch only, and a
 * wider value further down just pushes the rest of its line to the right.
 */
#define TABLE_BATCH 1000

/* Error messages quote at most this many bytes of the failing statement. */
#define EXCERPT_MAX 80

/* Enough for "%.17g" of any double, an int64, and our ".0" suffix. */
#define NUMBUF 64

static const char hexdigits[] = "0123456789abcdef";

/* One rendered value of a buffered table row; the bytes live in the arena. */
struct cell {
	size_t off;
	size_t len;
	size_t width;	/* in terminal columns (term_width()) */
	int right;	/* numbers are right-aligned */
};

struct sqlout {
	sqlite3 *db;
	FILE *out;
	enum sqlout_format fmt;
	int results;		/* statements that have printed a result */

	/* JSON: one document whatever the number of results */
	enum { DOC_NONE, DOC_ARRAY, DOC_OBJECT } doc;
	int members;		/* elements or members of the document so far */
	int open;		/* a result is open: rows go on in it */
	int one_row;		/* the open result is one object, not an array */
	size_t rows;		/* rows of the open result */

	/* The statement being run, and its source text for error messages. */
	sqlite3_stmt *stmt;
	const char *sql_start;
	const char *sql_end;
	int ncol;
	char **names;		/* copies: SQLite's may move on a re-prepare */

	/* TABLE: the rows waiting to be printed. */
	struct strbuf arena;
	struct cell *cells;
	size_t nr_cells, alloc_cells;
	size_t *width;
	int widths_known;
	int tty;		/* out is a terminal: quote what would drive it */

	struct strbuf scratch;
};

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		c == '\v';
}

/*
 * Append to sb the text in [s, end) as a single line: a statement spanning
 * many lines of a script would otherwise break the one-line error format.
 */
static void add_excerpt(struct strbuf *sb, const char *s, const char *end)
{
	int space = 0;

	while (s < end && is_blank((unsigned char)*s))
		s++;
	while (end > s && (is_blank((unsigned char)end[-1]) || end[-1] == ';'))
		end--;
	for (; s < end; s++) {
		unsigned char c = *s;

		if (is_blank(c)) {
			space = 1;
			continue;
		}
		/* Cut only before a lead byte so as not to split a character. */
		if (sb->len >= EXCERPT_MAX && (c & 0xc0) != 0x80) {
			strbuf_addstr(sb, "...");
			return;
		}
		if (space)
			strbuf_addch(sb, ' ');
		space = 0;
		strbuf_addch(sb, c);
	}
}

/* Report the latest SQLite error on so->db, naming the statement at fault. */
static int sql_error(struct sqlout *so)
{
	struct strbuf sb = STRBUF_INIT;

	add_excerpt(&sb, so->sql_start, so->sql_end);
	if (sb.len)
		error("sql error: %s (in '%s')", sqlite3_errmsg(so->db), sb.buf);
	else
		error("sql error: %s", sqlite3_errmsg(so->db));
	strbuf_release(&sb);
	return -1;
}

static int write_error(void)
{
	return error("cannot write output");
}

/*
 * Format r with the fewest digits (15 to 17) that read back as the same
 * double, so that JSON consumers get the exact stored value while 0.1 still
 * prints as 0.1.  Like sqlite3, a whole number keeps a ".0" so that a REAL
 * can be told from an INTEGER.  JSON has no infinity; 9.0e+999 is what
 * SQLite's own json() writes, and every parser reads it back as infinite.
 */
static void format_real(char *buf, size_t size, double r, int json)
{
	int prec;

	if (isnan(r)) {
		snprintf(buf, size, "%s", json ? "null" : "NaN");
		return;
	}
	if (isinf(r)) {
		if (json)
			snprintf(buf, size, "%s", r < 0 ? "-9.0e+999" : "9.0e+999");
		else
			snprintf(buf, size, "%s", r < 0 ? "-Inf" : "Inf");
		return;
	}
	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, size, "%.*g", prec, r);
		if (strtod(buf, NULL) == r)
			break;
	}
	if (prec == 17)
		snprintf(buf, size, "%.17g", r);

	/* wcindex never calls setlocale(), so printf writes a '.'. */
	if (!strchr(buf, '.')) {
		char tmp[64];
		const char *e = strchr(buf, 'e');
		int mant = e ? (int)(e - buf) : (int)strlen(buf);

		snprintf(tmp, sizeof(tmp), "%.*s.0%s", mant, buf, e ? e : "");
		snprintf(buf, size, "%s", tmp);
	}
}

static void add_hex(struct strbuf *sb, const unsigned char *b, size_t len)
{
	size_t i;

	strbuf_grow(sb, 2 * len);
	for (i = 0; i < len; i++) {
		sb->buf[sb->len++] = hexdigits[b[i] >> 4];
		sb->buf[sb->len++] = hexdigits[b[i] & 15];
	}
	sb->buf[sb->len] = '\0';
}

/*
 * Fetch a TEXT or BLOB value.  SQLite hands back NULL both for an empty blob
 * and when it ran out of memory converting the value; only the error code
 * tells them apart.
 */
static int column_bytes(struct sqlout *so, int col, int text,
			const unsigned char **data, size_t *len)
{
	const unsigned char *p;
	int n;

	if (text)
		p = sqlite3_column_text(so->stmt, col);
	else
		p = sqlite3_column_blob(so->stmt, col);
	n = sqlite3_column_bytes(so->stmt, col);
	if (!p) {
		if (sqlite3_errcode(so->db) == SQLITE_NOMEM)
			return sql_error(so);
		p = (const unsigned char *)"";
		n = 0;
	}
	*data = p;
	*len = n > 0 ? (size_t)n : 0;
	return 0;
}

/*
 * Append the TABLE/CSV form of column col of the current row to sb and say
 * whether it is a number.  NULL renders as nothing at all.
 */
static int render_plain(struct sqlout *so, int col, struct strbuf *sb,
			int *number)
{
	const unsigned char *data;
	size_t len;
	char num[NUMBUF];

	*number = 0;
	switch (sqlite3_column_type(so->stmt, col)) {
	case SQLITE_NULL:
		return 0;
	case SQLITE_INTEGER:
		snprintf(num, sizeof(num), "%lld",
			 (long long)sqlite3_column_int64(so->stmt, col));
		strbuf_addstr(sb, num);
		*number = 1;
		return 0;
	case SQLITE_FLOAT:
		format_real(num, sizeof(num),
			    sqlite3_column_double(so->stmt, col), 0);
		strbuf_addstr(sb, num);
		*number = 1;
		return 0;
	case SQLITE_BLOB:
		if (column_bytes(so, col, 0, &data, &len))
			return -1;
		strbuf_addstr(sb, "x'");
		add_hex(sb, data, len);
		strbuf_addch(sb, '\'');
		return 0;
	default:
		if (column_bytes(so, col, 1, &data, &len))
			return -1;
		strbuf_add(sb, data, len);
		return 0;
	}
}

/* ------------------------------------------------------------------ TABLE */

static void table_reset(struct sqlout *so)
{
	so->nr_cells = 0;
	strbuf_reset(&so->arena);
}

static void table_add(struct sqlout *so, size_t off, int number)
{
	struct cell *c;

	ALLOC_GROW(so->cells, so->nr_cells + 1, so->alloc_cells);
	c = &so->cells[so->nr_cells++];
	c->off = off;
	c->len = so->arena.len - off;
	c->width = term_width(so->arena.buf + off, c->len);
	c->right = number;
}

/*
 * Print one cell padded to width.  Blanks are only owed (*pending) until
 * something visible follows, so that no line ends in spaces even when its
 * last cells are empty or left-aligned.
 */
static void table_cell(struct sqlout *so, int col, const char *s, size_t len,
		       size_t cw, int right, size_t *pending)
{
	size_t w = so->width[col];
	size_t pad = w > cw ? w - cw : 0;

	if (col)
		*pending += 2;
	if (right)
		*pending += pad;
	if (len) {
		for (; *pending; (*pending)--)
			putc(' ', so->out);
		fwrite(s, 1, len, so->out);
	}
	if (!right)
		*pending += pad;
}

static void table_row(struct sqlout *so, const struct cell *row)
{
	size_t pending = 0;
	int i;

	for (i = 0; i < so->ncol; i++)
		table_cell(so, i, so->arena.buf + row[i].off, row[i].len,
			   row[i].width, row[i].right, &pending);
	putc('\n', so->out);
}

/*
 * Print the buffered rows.  The first time, the buffer also holds the header
 * (as its first ncol cells): settle the widths, and align each name like the
 * values below it.
 */
static void table_flush(struct sqlout *so)
{
	size_t i, pending = 0;
	int j;

	if (!so->widths_known) {
		struct cell *head = so->cells;
		struct strbuf dashes = STRBUF_INIT;

		for (j = 0; j < so->ncol; j++) {
			int numbers = 0, others = 0;

			so->width[j] = 1;
			for (i = j; i < so->nr_cells; i += so->ncol) {
				struct cell *c = &so->cells[i];

				if (c->width > so->width[j])
					so->width[j] = c->width;
				if (i < (size_t)so->ncol || !c->len)
					continue;
				if (c->right)
					numbers++;
				else
					others++;
			}
			head[j].right = numbers && !others;
		}
		so->widths_known = 1;

		if (so->results++)
			putc('\n', so->out);
		table_row(so, head);
		for (j = 0; j < so->ncol; j++) {
			strbuf_reset(&dashes);
			for (i = 0; i < so->width[j]; i++)
				strbuf_addch(&dashes, '-');
			table_cell(so, j, dashes.buf, dashes.len, dashes.len,
				   0, &pending);
		}
		putc('\n', so->out);
		strbuf_release(&dashes);
		i = so->ncol;
	} else {
		i = 0;
	}
	for (; i < so->nr_cells; i += so->ncol)
		table_row(so, &so->cells[i]);
	table_reset(so);
}

/*
 * On a terminal, the text from off to the end of the arena is quoted as
 * ls quotes names when it holds anything but printable UTF-8: a file
 * named with ESC sequences must not retitle or clear the screen of
 * whoever lists it.  Printable text stays as it is (no quotes around
 * spaces: a table is read, not pasted into a shell); elsewhere the bytes
 * stay exact, for the programs that read them.
 */
static void table_quote_from(struct sqlout *so, size_t off)
{
	size_t len = so->arena.len - off;

	if (!so->tty || term_printable(so->arena.buf + off, len))
		return;
	strbuf_reset(&so->scratch);
	strbuf_add(&so->scratch, so->arena.buf + off, len);
	strbuf_setlen(&so->arena, off);
	term_quote(&so->arena, so->scratch.buf, so->scratch.len);
}

static void table_begin(struct sqlout *so)
{
	int i;

	table_reset(so);
	so->width = xcalloc(so->ncol, sizeof(*so->width));
	so->widths_known = 0;
	for (i = 0; i < so->ncol; i++) {
		size_t off = so->arena.len;

		strbuf_addstr(&so->arena, so->names[i]);
		table_quote_from(so, off);
		table_add(so, off, 0);
	}
}

static int table_add_row(struct sqlout *so)
{
	size_t rows;
	int i;

	for (i = 0; i < so->ncol; i++) {
		size_t off = so->arena.len;
		int number;

		if (render_plain(so, i, &so->arena, &number))
			return -1;
		table_quote_from(so, off);
		table_add(so, off, number);
	}
	/* Before the widths are known, rows wait; afterwards, none do. */
	rows = so->nr_cells / so->ncol - !so->widths_known;
	if (so->widths_known || rows >= TABLE_BATCH)
		table_flush(so);
	return 0;
}

static void table_end(struct sqlout *so)
{
	if (!so->widths_known)
		table_flush(so);
}

/* -------------------------------------------------------------------- CSV */

static void csv_field(FILE *out, const char *s, size_t len)
{
	size_t i;

	if (!memchr(s, ',', len) && !memchr(s, '"', len) &&
	    !memchr(s, '\r', len) && !memchr(s, '\n', len)) {
		fwrite(s, 1, len, out);
		return;
	}
	putc('"', out);
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			putc('"', out);
		putc(s[i], out);
	}
	putc('"', out);
}

static void csv_begin(struct sqlout *so)
{
	int i;

	for (i = 0; i < so->ncol; i++) {
		if (i)
			putc(',', so->out);
		csv_field(so->out, so->names[i], strlen(so->names[i]));
	}
	putc('\n', so->out);
	so->results++;
}

static int csv_add_row(struct sqlout *so)
{
	int i, number;

	for (i = 0; i < so->ncol; i++) {
		strbuf_reset(&so->scratch);
		if (render_plain(so, i, &so->scratch, &number))
			return -1;
		if (i)
			putc(',', so->out);
		csv_field(so->out, so->scratch.buf, so->scratch.len);
	}
	putc('\n', so->out);
	return 0;
}

/* ------------------------------------------------------------------- JSON */

/*
 * Write s as a JSON string.  Well-formed UTF-8 is copied; any other byte b
 * becomes the lone surrogate U+DC00+b, which is how python's surrogateescape
 * stores undecodable bytes, so the original bytes can always be recovered.
 * Those escapes are all low surrogates: a JSON parser never mistakes two of
 * them for a surrogate pair.
 */
static void json_string(FILE *out, const unsigned char *s, size_t len)
{
	/* the short escapes JSON has; other controls are \u00XX */
	static const char *const escape[0x80] = {
		['"'] = "\\\"", ['\\'] = "\\\\", ['\b'] = "\\b",
		['\f'] = "\\f", ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t",
	};
	size_t i = 0, n;

	putc('"', out);
	while (i < len) {
		unsigned char c = s[i];

		if (c < 0x80 && escape[c]) {
			fputs(escape[c], out);
		} else if (c < 0x20) {
			fprintf(out, "\\u%04x", c);
		} else if (c < 0x80) {
			putc(c, out);
		} else if ((n = utf8_sequence_len(s + i, len - i))) {
			fwrite(s + i, 1, n, out);
			i += n;
			continue;
		} else {
			fprintf(out, "\\udc%02x", c);
		}
		i++;
	}
	putc('"', out);
}

static int json_value(struct sqlout *so, int col)
{
	const unsigned char *data;
	size_t len;
	char num[NUMBUF];

	switch (sqlite3_column_type(so->stmt, col)) {
	case SQLITE_NULL:
		fputs("null", so->out);
		return 0;
	case SQLITE_INTEGER:
		fprintf(so->out, "%lld",
			(long long)sqlite3_column_int64(so->stmt, col));
		return 0;
	case SQLITE_FLOAT:
		format_real(num, sizeof(num),
			    sqlite3_column_double(so->stmt, col), 1);
		fputs(num, so->out);
		return 0;
	case SQLITE_BLOB:
		if (column_bytes(so, col, 0, &data, &len))
			return -1;
		strbuf_reset(&so->scratch);
		add_hex(&so->scratch, data, len);
		fprintf(so->out, "\"%s\"", so->scratch.buf);
		return 0;
	default:
		if (column_bytes(so, col, 1, &data, &len))
			return -1;
		json_string(so->out, data, len);
		return 0;
	}
}

/* A row: "{...}" inside the result's array, or alone when one_row. */
static int json_add_row(struct sqlout *so)
{
	int i;

	if (so->one_row) {
		if (so->rows)
			return 0;	/* one object: the first row */
	} else {
		fputs(so->rows ? ",\n" : "[\n", so->out);
	}
	putc('{', so->out);
	for (i = 0; i < so->ncol; i++) {
		if (i)
			putc(',', so->out);
		json_string(so->out, (const unsigned char *)so->names[i],
			    strlen(so->names[i]));
		putc(':', so->out);
		if (json_value(so, i))
			return -1;
	}
	putc('}', so->out);
	return 0;
}

/* ---------------------------------------------------------------- results */

/*
 * Start a result with the columns of so->stmt: a table's header, CSV's
 * header line, a JSON array (an element of the document's array, when the
 * document is one).  0, or -1 after reporting.
 */
static int result_open(struct sqlout *so)
{
	int i;

	so->ncol = sqlite3_column_count(so->stmt);
	so->names = xcalloc(so->ncol, sizeof(*so->names));
	for (i = 0; i < so->ncol; i++) {
		const char *name = sqlite3_column_name(so->stmt, i);

		if (!name)
			return sql_error(so);
		so->names[i] = xstrdup(name);
	}
	so->open = 1;
	so->rows = 0;
	if (so->fmt == SQLOUT_TABLE)
		table_begin(so);
	else if (so->fmt == SQLOUT_CSV)
		csv_begin(so);
	else if (so->doc == DOC_ARRAY && so->members++)
		fputs(",\n", so->out);
	return 0;
}

static int result_row(struct sqlout *so)
{
	int ret;

	if (so->fmt == SQLOUT_TABLE)
		ret = table_add_row(so);
	else if (so->fmt == SQLOUT_CSV)
		ret = csv_add_row(so);
	else
		ret = json_add_row(so);
	so->rows++;
	/* Stop early rather than compute rows nobody can read. */
	if (!ret && ferror(so->out))
		ret = write_error();
	return ret;
}

/*
 * End the open result, if any: the rest of a table, JSON's "]".  After a
 * failure (failed) JSON stays unclosed, so that no parser takes the rows
 * before it for the whole result.
 */
static void result_close(struct sqlout *so, int failed)
{
	if (!so->open)
		return;
	if (so->fmt == SQLOUT_TABLE) {
		table_end(so);
	} else if (so->fmt == SQLOUT_JSON && !failed) {
		if (so->one_row)
			fputs(so->rows ? "" : "null", so->out);
		else
			fputs(so->rows ? "\n]" : "[]", so->out);
		if (so->doc == DOC_NONE)
			putc('\n', so->out);
		so->results++;
	}
	free(so->width);
	so->width = NULL;
	for (int i = 0; i < so->ncol; i++)
		free(so->names[i]);
	free(so->names);
	so->names = NULL;
	so->open = 0;
}

/*
 * Step so->stmt to the end, printing its rows into the open result (opened
 * here if none is).  Returns 0, or -1 once the failure has been reported;
 * the caller finalizes or resets the statement either way.
 */
static int print_rows(struct sqlout *so)
{
	int rc, ret;

	if (!so->open && (ret = result_open(so)))
		return ret;
	while ((rc = sqlite3_step(so->stmt)) == SQLITE_ROW)
		if ((ret = result_row(so)))
			return ret;
	return rc == SQLITE_DONE ? 0 : sql_error(so);
}

/*
 * Run the statement so->stmt of the user's text: one result of its own, or
 * nothing printed for a statement without columns (PRAGMA x = y).
 */
static int run_stmt(struct sqlout *so)
{
	int rc, ret;

	if (!sqlite3_column_count(so->stmt)) {
		while ((rc = sqlite3_step(so->stmt)) == SQLITE_ROW)
			;
		return rc == SQLITE_DONE ? 0 : sql_error(so);
	}
	/* on a failure, the rows that came before are shown all the same */
	ret = print_rows(so);
	result_close(so, ret);
	return ret;
}

/* The deadline of sqlout_guard(), in now_ns() time (0: none). */
static uint64_t guard_deadline;
static int guard_fired;

/* Reading is all that SQL typed by a user may do. */
static int authorize(void *data, int action, const char *a, const char *b,
		     const char *c, const char *d)
{
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_FUNCTION:
	case SQLITE_PRAGMA:	/* the connection is read-only, and defensive */
	case SQLITE_TRANSACTION:
	case SQLITE_SAVEPOINT:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	default:		/* writes, ATTACH (and so VACUUM INTO), ... */
		return SQLITE_DENY;
	}
}

static int over_time(void *data)
{
	if (guard_deadline && now_ns() > guard_deadline) {
		guard_fired = 1;
		return 1;
	}
	return 0;
}

int sqlout_guard(sqlite3 *db, unsigned timeout_s)
{
	if (sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL) != SQLITE_OK ||
	    sqlite3_set_authorizer(db, authorize, NULL) != SQLITE_OK)
		return error("cannot restrict the database connection: %s",
			     sqlite3_errmsg(db));
	guard_fired = 0;
	guard_deadline = timeout_s ? now_ns() + timeout_s * 1000000000ull : 0;
	if (timeout_s)
		sqlite3_progress_handler(db, 10000, over_time, NULL);
	return 0;
}

int sqlout_timed_out(void)
{
	return guard_fired;
}

/*
 * How many statements of sql return columns: with JSON, more than one
 * makes the document an array of their results.  Preparing is cheap and
 * the text cannot change the schema (sqlout_guard), so the count holds.
 */
static int results_of(sqlite3 *db, const char *sql)
{
	int n = 0;

	while (*sql) {
		sqlite3_stmt *st = NULL;
		const char *tail = NULL;

		if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK ||
		    !tail || tail <= sql) {
			sqlite3_finalize(st);
			break;	/* run it to report the error in its place */
		}
		n += st && sqlite3_column_count(st) > 0;
		sqlite3_finalize(st);
		sql = tail;
	}
	return n;
}

struct sqlout *sqlout_new(sqlite3 *db, enum sqlout_format fmt, FILE *out)
{
	struct sqlout *so = xcalloc(1, sizeof(*so));

	so->db = db;
	so->out = out;
	so->fmt = fmt;
	/* once: what table_quote_from() asks of every cell */
	so->tty = fmt == SQLOUT_TABLE && term_is_tty(fileno(out));
	strbuf_init(&so->arena, 0);
	strbuf_init(&so->scratch, 0);
	return so;
}

void sqlout_section(struct sqlout *so, const char *key, int one_row)
{
	result_close(so, 0);
	so->one_row = 0;
	if (so->fmt != SQLOUT_JSON || !key)
		return;
	if (so->doc == DOC_NONE) {
		so->doc = DOC_OBJECT;
		fputs("{\n", so->out);
	} else if (so->members) {
		fputs(",\n", so->out);
	}
	so->members++;
	json_string(so->out, (const unsigned char *)key, strlen(key));
	fputs(": ", so->out);
	so->one_row = one_row;
}

int sqlout_stmt(struct sqlout *so, sqlite3_stmt *st)
{
	int ret;

	so->stmt = st;
	so->sql_start = so->sql_end = NULL;
	ret = print_rows(so);
	sqlite3_reset(st);
	so->stmt = NULL;
	return ret;
}

int sqlout_finish(struct sqlout *so, int ret)
{
	FILE *out;

	result_close(so, ret);
	if (ret)
		;	/* JSON stays unclosed: see result_close() */
	else if (so->doc == DOC_OBJECT)
		fputs("\n}\n", so->out);
	else if (so->doc == DOC_ARRAY)
		fputs("\n]\n", so->out);
	out = so->out;
	strbuf_release(&so->arena);
	strbuf_release(&so->scratch);
	free(so->cells);
	free(so);
	/* Data still in stdio's buffer may fail only now, e.g. on a full disk. */
	if (fflush(out) || ferror(out))
		return ret ? -1 : write_error();
	return ret;
}

int sqlout_run(sqlite3 *db, const char *sql, enum sqlout_format fmt, FILE *out)
{
	struct sqlout *so = sqlout_new(db, fmt, out);
	const char *p = sql;
	int ret = 0;

	if (fmt == SQLOUT_JSON && results_of(db, sql) > 1) {
		so->doc = DOC_ARRAY;
		fputs("[\n", out);
	}
	while (*p) {
		const char *tail = NULL;
		int rc;

		so->stmt = NULL;
		so->sql_start = p;
		rc = sqlite3_prepare_v2(db, p, -1, &so->stmt, &tail);
		if (rc != SQLITE_OK) {
			/*
			 * On a syntax error tail points at the offending
			 * token; quote up to the end of the statement it is
			 * in, as far as a plain ';' tells.
			 */
			const char *end = tail && tail > p ? tail : p;

			if (end == p || end[-1] != ';')
				end += strcspn(end, ";");
			so->sql_end = end;
			ret = sql_error(so);
			sqlite3_finalize(so->stmt);
			break;
		}
		if (!tail || tail <= p) {
			/* No progress: should not happen, but never spin. */
			sqlite3_finalize(so->stmt);
			break;
		}
		so->sql_end = tail;
		p = tail;
		if (!so->stmt)
			continue;	/* only blanks or a comment */

		ret = run_stmt(so);
		rc = sqlite3_finalize(so->stmt);
		so->stmt = NULL;
		if (ret)
			break;
		if (rc != SQLITE_OK) {
			ret = sql_error(so);
			break;
		}
	}
	return sqlout_finish(so, ret);
}
