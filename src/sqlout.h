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
 * print each statement's result rows to out in the given format.  Text is
 * printed as the exact stored bytes in TABLE and CSV; in JSON, bytes that are
 * not valid UTF-8 are written as lone surrogates "\udcXX" (python's
 * surrogateescape), so json.loads() plus encode('utf-8', 'surrogateescape')
 * gives the original bytes back.  Returns 0, or -1 after reporting the SQLite
 * error (with the failing statement) through error().
 */
int sqlout_run(sqlite3 *db, const char *sql, enum sqlout_format fmt, FILE *out);

#endif
