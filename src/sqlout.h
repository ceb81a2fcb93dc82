/*
 * sqlout.h - run SQL given by a user against the index and print the rows as
 * an aligned table, CSV (RFC 4180) or JSON (an array of objects).
 */
#ifndef WCINDEX_SQLOUT_H
#define WCINDEX_SQLOUT_H

#include <stdio.h>
#include <sqlite3.h>

enum sqlout_format {
	SQLOUT_TABLE = 0,
	SQLOUT_CSV,
	SQLOUT_JSON,
};

/*
 * Run every statement of sql (several may be separated by ';') on db and
 * print each statement's result rows to out in the given format.  JSON is
 * one document: an array of objects, or with several statements that
 * return columns, an array holding one such array per statement.  Text is
 * printed as the exact stored bytes in TABLE and CSV (but for a TABLE to a
 * terminal, where a value that is not printable UTF-8 is quoted as ls quotes
 * names, and columns align by display width); in JSON, bytes that are
 * not valid UTF-8 are written as lone surrogates "\udcXX" (python's
 * surrogateescape), so json.loads() plus encode('utf-8', 'surrogateescape')
 * gives the original bytes back.  Returns 0, or -1 after reporting the SQLite
 * error (with the failing statement) through error().
 */
int sqlout_run(sqlite3 *db, const char *sql, enum sqlout_format fmt, FILE *out);

/*
 * Output built by a command from several statements of its own, as one
 * document: a table, CSV or JSON written to out.
 */
struct sqlout;

/* A new output; every call until sqlout_finish() writes to out. */
struct sqlout *sqlout_new(sqlite3 *db, enum sqlout_format fmt, FILE *out);

/*
 * Print the rows of st, a prepared statement of the caller's on db, stepped
 * to its end and then reset.  Consecutive calls add to one result: one
 * table, one CSV header, one JSON array (the statements must return the
 * same columns).  0, or -1 after reporting.
 */
int sqlout_stmt(struct sqlout *so, sqlite3_stmt *st);

/*
 * End the current result; with JSON, the results that follow are the value
 * of member key of an object that is the whole document (a single object,
 * the first row, with one_row; null without a row).  Other formats only
 * start a new table or CSV header.
 */
void sqlout_section(struct sqlout *so, const char *key, int one_row);

/*
 * End the document, flush out and free so.  Returns ret, or -1 when it
 * is 0 but the output could not be written (reported).
 */
int sqlout_finish(struct sqlout *so, int ret);

/*
 * Make db safe for SQL that anyone may type: nothing may write (no
 * INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, REINDEX, ANALYZE), attach a
 * database or VACUUM INTO a file (an authorizer, and
 * SQLITE_DBCONFIG_DEFENSIVE), and a statement still running after
 * timeout_s seconds (0: never) is interrupted, so that no query holds a
 * snapshot, and with it the log of the scans, for ever.  Returns 0 or -1.
 */
int sqlout_guard(sqlite3 *db, unsigned timeout_s);

/* True when the last statement was stopped by sqlout_guard()'s timeout. */
int sqlout_timed_out(void);

#endif
