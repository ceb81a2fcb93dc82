/*
 * test_sqlout.c - unit tests for sqlout: the exact bytes printed in each of
 * the three formats, that text which is not UTF-8 survives (untouched in
 * TABLE and CSV, recoverable through python's surrogateescape in JSON), how
 * scripts of several statements run, and how failures are reported.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sqlout.h"
#include "strbuf.h"
#include "util.h"
#include "capture.h"
#include "testmain.h"

static sqlite3 *open_db(void)
{
	sqlite3 *db = NULL;

	ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	return db;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	ck_assert_msg(rc == SQLITE_OK, "'%s': %s", sql, msg ? msg : "?");
	sqlite3_free(msg);
}

/* Run sql and return what it printed (caller frees); *len gets its size. */
static char *run(sqlite3 *db, const char *sql, enum sqlout_format fmt,
		 int *ret, size_t *len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	ck_assert_ptr_nonnull(f);
	*ret = sqlout_run(db, sql, fmt, f);
	ck_assert_int_eq(fclose(f), 0);
	if (len)
		*len = size;
	return buf;
}

static void expect(sqlite3 *db, const char *sql, enum sqlout_format fmt,
		   const char *want)
{
	size_t len;
	int ret;
	char *got = run(db, sql, fmt, &ret, &len);

	ck_assert_int_eq(ret, 0);
	ck_assert_str_eq(got, want);
	ck_assert_uint_eq(len, strlen(want));
	free(got);
}

/*
 * The shared sample: numbers, NULLs, CSV's special characters, UTF-8 that
 * is wider in bytes than in characters, bytes that are not UTF-8, blobs.
 */
static sqlite3 *sample_db(void)
{
	static const char bad[] = "\xff\xfe" "bad";
	sqlite3 *db = open_db();
	sqlite3_stmt *st;

	exec_ok(db, "CREATE TABLE t(id INTEGER, name TEXT, score REAL, "
		"note TEXT, data BLOB);"
		"INSERT INTO t VALUES (1, 'plain', 1.5, NULL, x'00ff');"
		"INSERT INTO t VALUES (-42, 'a,b \"q\"', NULL, "
		"'line1' || char(10) || 'line2', NULL);"
		"INSERT INTO t VALUES (3, 'h\xc3\xa9llo', 0.1, '', NULL);");
	ck_assert_int_eq(sqlite3_prepare_v2(db,
		"INSERT INTO t VALUES (NULL, ?, 2.0, 'tab' || char(9) || 'here', x'')",
		-1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_bind_text(st, 1, bad, sizeof(bad) - 1,
					   SQLITE_STATIC), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	ck_assert_int_eq(sqlite3_finalize(st), SQLITE_OK);
	return db;
}

#define SAMPLE_SQL "SELECT id, name, score, note, data FROM t ORDER BY rowid"

START_TEST(test_table)
{
	sqlite3 *db = sample_db();

	/*
	 * "h\xc3\xa9llo" is 5 characters wide, the newline counts as one, and
	 * no line ends in blanks even when its last cells are empty.
	 */
	expect(db, SAMPLE_SQL, SQLOUT_TABLE,
	       " id  name     score  note         data\n"
	       "---  -------  -----  -----------  -------\n"
	       "  1  plain      1.5               x'00ff'\n"
	       "-42  a,b \"q\"         line1\nline2\n"
	       "  3  h\xc3\xa9llo      0.1\n"
	       "     \xff\xfe" "bad      2.0  tab\there     x''\n");
	sqlite3_close(db);
}
END_TEST

START_TEST(test_table_wide)
{
	sqlite3 *db = open_db();

	/* CJK takes two columns, a combining mark none */
	exec_ok(db, "CREATE TABLE w(name TEXT, n INTEGER);"
		"INSERT INTO w VALUES ('\xe4\xb8\xad\xe6\x96\x87', 1);"
		"INSERT INTO w VALUES ('e\xcc\x81', 22);"
		"INSERT INTO w VALUES ('abcde', 3);");
	expect(db, "SELECT name, n FROM w ORDER BY rowid", SQLOUT_TABLE,
	       "name    n\n"
	       "-----  --\n"
	       "\xe4\xb8\xad\xe6\x96\x87    1\n"
	       "e\xcc\x81      22\n"
	       "abcde   3\n");
	sqlite3_close(db);
}
END_TEST

START_TEST(test_csv)
{
	sqlite3 *db = sample_db();

	expect(db, SAMPLE_SQL, SQLOUT_CSV,
	       "id,name,score,note,data\n"
	       "1,plain,1.5,,x'00ff'\n"
	       "-42,\"a,b \"\"q\"\"\",,\"line1\nline2\",\n"
	       "3,h\xc3\xa9llo,0.1,,\n"
	       ",\xff\xfe" "bad,2.0,tab\there,x''\n");
	expect(db, "SELECT 'a\rb' AS \"x,y\", ' sp ' AS z", SQLOUT_CSV,
	       "\"x,y\",z\n\"a\rb\", sp \n");
	sqlite3_close(db);
}
END_TEST

START_TEST(test_json)
{
	sqlite3 *db = sample_db();

	expect(db, SAMPLE_SQL, SQLOUT_JSON,
	       "[\n"
	       "{\"id\":1,\"name\":\"plain\",\"score\":1.5,\"note\":null,"
	       "\"data\":\"00ff\"},\n"
	       "{\"id\":-42,\"name\":\"a,b \\\"q\\\"\",\"score\":null,"
	       "\"note\":\"line1\\nline2\",\"data\":null},\n"
	       "{\"id\":3,\"name\":\"h\xc3\xa9llo\",\"score\":0.1,"
	       "\"note\":\"\",\"data\":null},\n"
	       "{\"id\":null,\"name\":\"\\udcff\\udcfebad\",\"score\":2.0,"
	       "\"note\":\"tab\\there\",\"data\":\"\"}\n"
	       "]\n");
	sqlite3_close(db);
}
END_TEST

START_TEST(test_numbers)
{
	sqlite3 *db = open_db();
	const char *sql = "SELECT 0.1 + 0.2 AS a, 1e999 AS b, -1e999 AS c, "
		"1e20 AS d, 100.0 AS e, -2.5 AS f, 1.0 / 3 AS g, "
		"9223372036854775807 AS h, -9223372036854775807 - 1 AS i";

	/* Shortest digits that read back exactly; ".0" marks a REAL. */
	expect(db, sql, SQLOUT_JSON,
	       "[\n{\"a\":0.30000000000000004,\"b\":9.0e+999,"
	       "\"c\":-9.0e+999,\"d\":1.0e+20,\"e\":100.0,\"f\":-2.5,"
	       "\"g\":0.3333333333333333,\"h\":9223372036854775807,"
	       "\"i\":-9223372036854775808}\n]\n");
	expect(db, sql, SQLOUT_CSV,
	       "a,b,c,d,e,f,g,h,i\n"
	       "0.30000000000000004,Inf,-Inf,1.0e+20,100.0,-2.5,"
	       "0.3333333333333333,9223372036854775807,"
	       "-9223372036854775808\n");
	sqlite3_close(db);
}
END_TEST

/* One case of the UTF-8 decision: the bytes stored, the JSON string body. */
struct utf8_case {
	const char *in;
	size_t len;
	const char *json;
};

#define U(in, json) { in, sizeof(in) - 1, json }

static const struct utf8_case utf8_cases[] = {
	U("\xc0\x80", "\\udcc0\\udc80"),		/* overlong NUL */
	U("\xc1\xbf", "\\udcc1\\udcbf"),		/* overlong */
	U("\xc2\x80", "\xc2\x80"),			/* U+0080 */
	U("\xdf\xbf", "\xdf\xbf"),			/* U+07FF */
	U("\xe0\x80\x80", "\\udce0\\udc80\\udc80"),	/* overlong */
	U("\xe0\x9f\xbf", "\\udce0\\udc9f\\udcbf"),	/* overlong */
	U("\xe0\xa0\x80", "\xe0\xa0\x80"),		/* U+0800 */
	U("\xed\x9f\xbf", "\xed\x9f\xbf"),		/* U+D7FF */
	U("\xed\xa0\x80", "\\udced\\udca0\\udc80"),	/* surrogate */
	U("\xed\xbf\xbf", "\\udced\\udcbf\\udcbf"),	/* surrogate */
	U("\xee\x80\x80", "\xee\x80\x80"),		/* U+E000 */
	U("\xef\xbf\xbf", "\xef\xbf\xbf"),		/* U+FFFF */
	U("\xf0\x8f\xbf\xbf", "\\udcf0\\udc8f\\udcbf\\udcbf"), /* overlong */
	U("\xf0\x90\x80\x80", "\xf0\x90\x80\x80"),	/* U+10000 */
	U("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"),	/* U+1F600 */
	U("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"),	/* U+10FFFF */
	U("\xf4\x90\x80\x80", "\\udcf4\\udc90\\udc80\\udc80"), /* too big */
	U("\xf5\x80\x80\x80", "\\udcf5\\udc80\\udc80\\udc80"),
	U("\xf8\x88\x80\x80\x80", "\\udcf8\\udc88\\udc80\\udc80\\udc80"),
	U("\xff", "\\udcff"),
	U("\x80", "\\udc80"),				/* lone continuation */
	U("\xe2\x82", "\\udce2\\udc82"),		/* cut at the end */
	U("\xe2\x82" "A", "\\udce2\\udc82" "A"),	/* cut by ASCII */
	U("\xe2\x82\xe2\x82\xac", "\\udce2\\udc82\xe2\x82\xac"),
	U("\xc2\x7f", "\\udcc2\x7f"),
	U("\xc3\xa9\xa9", "\xc3\xa9\\udca9"),
	U("\x01\x1f\x7f", "\\u0001\\u001f\x7f"),
	U("a\0b", "a\\u0000b"),
	U("\b\f\n\r\t", "\\b\\f\\n\\r\\t"),
	U("\"\\/", "\\\"\\\\/"),
	U("", ""),
};

static sqlite3 *bytes_db(const struct utf8_case *cases, size_t nr)
{
	sqlite3 *db = open_db();
	sqlite3_stmt *st;
	size_t i;

	exec_ok(db, "CREATE TABLE u(id INTEGER PRIMARY KEY, v TEXT)");
	ck_assert_int_eq(sqlite3_prepare_v2(db,
		"INSERT INTO u(id, v) VALUES (?, ?)", -1, &st, NULL),
		SQLITE_OK);
	for (i = 0; i < nr; i++) {
		ck_assert_int_eq(sqlite3_bind_int64(st, 1, (sqlite3_int64)i),
				 SQLITE_OK);
		ck_assert_int_eq(sqlite3_bind_text(st, 2, cases[i].in,
						   (int)cases[i].len,
						   SQLITE_STATIC), SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
		ck_assert_int_eq(sqlite3_reset(st), SQLITE_OK);
	}
	ck_assert_int_eq(sqlite3_finalize(st), SQLITE_OK);
	return db;
}

START_TEST(test_json_utf8)
{
	size_t nr = ARRAY_SIZE(utf8_cases), i;
	sqlite3 *db = bytes_db(utf8_cases, nr);
	struct strbuf want = STRBUF_INIT;

	strbuf_addstr(&want, "[\n");
	for (i = 0; i < nr; i++)
		strbuf_addf(&want, "{\"v\":\"%s\"}%s", utf8_cases[i].json,
			    i + 1 < nr ? ",\n" : "\n");
	strbuf_addstr(&want, "]\n");
	expect(db, "SELECT v FROM u ORDER BY id", SQLOUT_JSON, want.buf);
	strbuf_release(&want);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_raw_bytes_kept)
{
	static const char raw[] = "\xff\xc0\x80\xed\xa0\x80" "a\nb";
	size_t len;
	int ret;
	struct utf8_case one = { raw, sizeof(raw) - 1, NULL };
	sqlite3 *db = bytes_db(&one, 1);
	char *got;

	got = run(db, "SELECT v FROM u", SQLOUT_TABLE, &ret, &len);
	ck_assert_int_eq(ret, 0);
	/* Nine columns: each byte that is not UTF-8 counts one. */
	ck_assert_uint_eq(len, 2 + 10 + sizeof(raw));
	ck_assert_mem_eq(got, "v\n---------\n", 12);
	ck_assert_mem_eq(got + 12, raw, sizeof(raw) - 1);
	ck_assert_int_eq(got[len - 1], '\n');
	free(got);

	got = run(db, "SELECT v FROM u", SQLOUT_CSV, &ret, &len);
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(len, 2 + sizeof(raw) + 2);
	ck_assert_mem_eq(got, "v\n\"", 3);
	ck_assert_mem_eq(got + 3, raw, sizeof(raw) - 1);
	ck_assert_mem_eq(got + 3 + sizeof(raw) - 1, "\"\n", 2);
	free(got);
	sqlite3_close(db);
}
END_TEST

/* The python to use, or NULL when there is none. */
static const char *python3(void)
{
	const char *py = test_python3();

	if (py)
		return py;
	if (system("python3 -c 'pass' >/dev/null 2>&1") == 0)
		return "python3";
	return NULL;
}

START_TEST(test_json_roundtrip)
{
	/*
	 * json.load must accept the output as strict UTF-8, and encoding each
	 * string back with surrogateescape must give the stored bytes.
	 */
	static const char script[] =
		"import json, sys\n"
		"for row in json.load(open(sys.argv[1], encoding=\"utf-8\")):\n"
		"    print(row[\"v\"].encode(\"utf-8\", \"surrogateescape\").hex())\n";
	enum { NR_RANDOM = 300 };
	struct utf8_case cases[ARRAY_SIZE(utf8_cases) + NR_RANDOM];
	char bytes[NR_RANDOM][48];
	char path[] = "/tmp/test_sqlout.XXXXXX";
	struct strbuf cmd = STRBUF_INIT, got = STRBUF_INIT, want = STRBUF_INIT;
	const char *py = python3();
	unsigned long seed = 12345;
	size_t nr = 0, i, j, n;
	char line[256];
	sqlite3 *db;
	FILE *f, *p;
	int fd, ret, status;

	if (!py && test_skip("test_json_roundtrip", "no python3"))
		return;

	for (i = 0; i < ARRAY_SIZE(utf8_cases); i++)
		cases[nr++] = utf8_cases[i];
	/* Random bytes, mostly high ones, so that most strings are broken. */
	for (i = 0; i < NR_RANDOM; i++) {
		size_t len = i % sizeof(bytes[0]);

		for (j = 0; j < len; j++) {
			seed = seed * 1103515245 + 12345;
			bytes[i][j] = (char)((seed >> 16) & 0xff);
			if (j % 3 == 0)
				bytes[i][j] |= (char)0x80;
		}
		cases[nr].in = bytes[i];
		cases[nr].len = len;
		cases[nr++].json = NULL;
	}
	db = bytes_db(cases, nr);

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	ret = sqlout_run(db, "SELECT v FROM u ORDER BY id", SQLOUT_JSON, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(ret, 0);

	/* Collect everything first: the file must go even if a check fails. */
	strbuf_addf(&cmd, "'%s' -c '%s' '%s'", py, script, path);
	p = popen(cmd.buf, "r");
	ck_assert_ptr_nonnull(p);
	while ((n = fread(line, 1, sizeof(line), p)) > 0)
		strbuf_add(&got, line, n);
	status = pclose(p);
	unlink(path);

	for (i = 0; i < nr; i++) {
		for (j = 0; j < cases[i].len; j++)
			strbuf_addf(&want, "%02x",
				    (unsigned char)cases[i].in[j]);
		strbuf_addch(&want, '\n');
	}
	ck_assert_int_eq(status, 0);
	ck_assert_str_eq(got.buf, want.buf);

	strbuf_release(&cmd);
	strbuf_release(&got);
	strbuf_release(&want);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_table_batches)
{
	sqlite3 *db = open_db();
	const char *sql =
		"WITH RECURSIVE c(n) AS (VALUES(1) UNION ALL "
		"SELECT n + 1 FROM c WHERE n < 1001) "
		"SELECT CASE WHEN n = 1001 THEN 'wide-value' ELSE 'v' END AS s, "
		"n FROM c";
	size_t len;
	int ret;
	char *got = run(db, sql, SQLOUT_TABLE, &ret, &len);
	const char *head = "s     n\n-  ----\nv     1\nv     2\n";
	const char *last;

	/* Widths come from the first 1000 rows; row 1001 overflows. */
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(len, 2 * 8 + 1000 * 8 + strlen("wide-value  1001\n"));
	ck_assert_int_eq(strncmp(got, head, strlen(head)), 0);
	last = got + len - strlen("v  1000\nwide-value  1001\n");
	ck_assert_str_eq(last, "v  1000\nwide-value  1001\n");
	free(got);
	sqlite3_close(db);
}
END_TEST

#define MULTI_SQL \
	"CREATE TABLE m(a INTEGER, b TEXT);\n" \
	"INSERT INTO m VALUES (1, 'x'), (22, 'yy');\n" \
	"-- a comment alone\n" \
	";;  \n" \
	"SELECT a, b FROM m ORDER BY a;\n" \
	"/* block */ SELECT count(*) AS n FROM m;\n" \
	"UPDATE m SET b = 'z';"

START_TEST(test_multi)
{
	static const struct {
		enum sqlout_format fmt;
		const char *want;
	} cases[] = {
		{ SQLOUT_TABLE, " a  b\n--  --\n 1  x\n22  yy\n\nn\n-\n2\n" },
		{ SQLOUT_CSV, "a,b\n1,x\n22,yy\nn\n2\n" },
		{ SQLOUT_JSON, "[\n{\"a\":1,\"b\":\"x\"},\n{\"a\":22,\"b\":\"yy\"}\n]\n"
			       "[\n{\"n\":2}\n]\n" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		sqlite3 *db = open_db();

		expect(db, MULTI_SQL, cases[i].fmt, cases[i].want);
		/* The last statement, which prints nothing, ran too. */
		expect(db, "SELECT b FROM m", SQLOUT_CSV, "b\nz\nz\n");
		sqlite3_close(db);
	}
}
END_TEST

START_TEST(test_empty)
{
	sqlite3 *db = open_db();

	expect(db, "", SQLOUT_JSON, "");
	expect(db, "  -- nothing\n ; /* at all */ ", SQLOUT_TABLE, "");
	expect(db, "CREATE TABLE e(x)", SQLOUT_JSON, "");
	expect(db, "SELECT x FROM e", SQLOUT_JSON, "[]\n");
	expect(db, "SELECT x FROM e", SQLOUT_CSV, "x\n");
	expect(db, "SELECT x FROM e", SQLOUT_TABLE, "x\n-\n");
	expect(db, "SELECT NULL AS \"\"", SQLOUT_TABLE, "\n-\n\n");
	sqlite3_close(db);
}
END_TEST

static void expect_failure(sqlite3 *db, const char *sql,
			   enum sqlout_format fmt, const char *want_out,
			   const char *want_err)
{
	struct capture cap;
	int ret;
	struct strbuf err = STRBUF_INIT;
	char *got;

	capture_start(&cap);
	got = run(db, sql, fmt, &ret, NULL);
	capture_end(&cap, &err);
	ck_assert_int_eq(ret, -1);
	ck_assert_str_eq(got, want_out);
	ck_assert_str_eq(err.buf, want_err);
	free(got);
	strbuf_release(&err);
}

START_TEST(test_errors)
{
	sqlite3 *db = open_db();

	expect_failure(db, "SELEC 1", SQLOUT_JSON, "",
		       "wcindex: sql error: near \"SELEC\": syntax error "
		       "(in 'SELEC 1')\n");
	expect_failure(db, "SELECT 1;\n SELECT (1;\n SELECT 2", SQLOUT_CSV,
		       "1\n1\n",
		       "wcindex: sql error: near \";\": syntax error "
		       "(in 'SELECT (1')\n");
	expect_failure(db, "SELECT *\n\tFROM nope ;", SQLOUT_TABLE, "",
		       "wcindex: sql error: no such table: nope "
		       "(in 'SELECT * FROM nope')\n");
	expect_failure(db, "SELECT abs(-9223372036854775807 - 1) AS v",
		       SQLOUT_JSON, "",
		       "wcindex: sql error: integer overflow "
		       "(in 'SELECT abs(-9223372036854775807 - 1) AS v')\n");
	sqlite3_close(db);
}
END_TEST

START_TEST(test_error_stops_script)
{
	static const char *const rows =
		"WITH RECURSIVE c(n) AS (VALUES(1) UNION ALL "
		"SELECT n + 1 FROM c WHERE n < 5) "
		"SELECT CASE WHEN n = 3 THEN abs(n - 9223372036854775807 - 4) "
		"ELSE n END AS v FROM c";
	sqlite3 *db = open_db();
	struct capture cap;
	char *got;
	int ret;

	capture_start(&cap);
	got = run(db, "CREATE TABLE q(a); INSERT INTO q VALUES (1); "
		  "SELECT a FROM q; SELECT * FROM nope; "
		  "INSERT INTO q VALUES (2)", SQLOUT_CSV, &ret, NULL);
	capture_end(&cap, NULL);
	ck_assert_int_eq(ret, -1);
	ck_assert_str_eq(got, "a\n1\n");
	free(got);
	expect(db, "SELECT count(*) AS n FROM q", SQLOUT_CSV, "n\n1\n");

	/* Rows before a failing one are printed in every format. */
	expect_failure(db, rows, SQLOUT_CSV, "v\n1\n2\n",
		       "wcindex: sql error: integer overflow "
		       "(in 'WITH RECURSIVE c(n) AS (VALUES(1) UNION ALL "
		       "SELECT n + 1 FROM c WHERE n < 5) SEL...')\n");
	capture_start(&cap);
	got = run(db, rows, SQLOUT_TABLE, &ret, NULL);
	capture_end(&cap, NULL);
	ck_assert_int_eq(ret, -1);
	ck_assert_str_eq(got, "v\n-\n1\n2\n");
	free(got);
	capture_start(&cap);
	got = run(db, rows, SQLOUT_JSON, &ret, NULL);
	capture_end(&cap, NULL);
	ck_assert_int_eq(ret, -1);
	ck_assert_str_eq(got, "[\n{\"v\":1},\n{\"v\":2}");
	free(got);
	sqlite3_close(db);
}
END_TEST

/* One JSON document per invocation, whatever the statements. */
START_TEST(test_one_document)
{
	sqlite3 *db = open_db();

	expect(db, "SELECT 1 AS a; SELECT 2 AS b WHERE 0; PRAGMA user_version = 0;"
	       " SELECT 'x' AS c", SQLOUT_JSON,
	       "[\n[\n{\"a\":1}\n],\n[],\n[\n{\"c\":\"x\"}\n]\n]\n");
	expect(db, "SELECT 1 AS a; PRAGMA user_version = 0", SQLOUT_JSON,
	       "[\n{\"a\":1}\n]\n");
	expect(db, "SELECT 1 AS a; SELECT 2 AS b", SQLOUT_CSV, "a\n1\nb\n2\n");
	sqlite3_close(db);
}
END_TEST

/* A command's own statements: rows that go on, sections, one-row objects. */
START_TEST(test_document_api)
{
	sqlite3 *db = open_db();
	sqlite3_stmt *st, *none;
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct sqlout *so;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT ?1 AS n", -1, &st, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT 1 AS z WHERE 0", -1,
					    &none, NULL), SQLITE_OK);
	so = sqlout_new(db, SQLOUT_JSON, f);
	sqlout_section(so, "rows", 0);
	for (int i = 1; i <= 2; i++) {
		sqlite3_bind_int(st, 1, i);
		ck_assert_int_eq(sqlout_stmt(so, st), 0);
	}
	sqlout_section(so, "one", 1);
	ck_assert_int_eq(sqlout_stmt(so, st), 0);	/* bindings kept */
	sqlout_section(so, "nothing", 1);
	ck_assert_int_eq(sqlout_stmt(so, none), 0);
	sqlout_section(so, "empty", 0);
	ck_assert_int_eq(sqlout_stmt(so, none), 0);
	ck_assert_int_eq(sqlout_finish(so, 0), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_str_eq(buf, "{\n\"rows\": [\n{\"n\":1},\n{\"n\":2}\n],\n"
			 "\"one\": {\"n\":2},\n\"nothing\": null,\n"
			 "\"empty\": []\n}\n");
	free(buf);

	/* CSV: one header for rows that go on */
	buf = NULL;
	f = open_memstream(&buf, &size);
	so = sqlout_new(db, SQLOUT_CSV, f);
	for (int i = 1; i <= 3; i++) {
		sqlite3_bind_int(st, 1, i);
		ck_assert_int_eq(sqlout_stmt(so, st), 0);
	}
	ck_assert_int_eq(sqlout_finish(so, 0), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_str_eq(buf, "n\n1\n2\n3\n");
	free(buf);
	sqlite3_finalize(st);
	sqlite3_finalize(none);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_write_error)
{
	sqlite3 *db = open_db();
	struct capture cap;
	FILE *f = fopen("/dev/full", "w");
	struct strbuf err = STRBUF_INIT;
	int ret;

	if (!f) {
		fprintf(stderr, "test_write_error: no /dev/full, skipped\n");
		sqlite3_close(db);
		return;
	}
	capture_start(&cap);
	ret = sqlout_run(db, "SELECT 1 AS one", SQLOUT_CSV, f);
	capture_end(&cap, &err);
	ck_assert_int_eq(ret, -1);
	ck_assert_str_eq(err.buf, "wcindex: cannot write output\n");
	fclose(f);
	strbuf_release(&err);
	sqlite3_close(db);
}
END_TEST

/* Run sql, which must fail, and return what it wrote to stderr (freed by caller). */
static char *refused(sqlite3 *db, const char *sql)
{
	struct capture cap;
	struct strbuf err = STRBUF_INIT;
	int ret;
	char *got;

	capture_start(&cap);
	got = run(db, sql, SQLOUT_CSV, &ret, NULL);
	capture_end(&cap, &err);
	ck_assert_msg(ret == -1, "'%s' was not refused", sql);
	free(got);
	return strbuf_detach(&err, NULL);
}

START_TEST(test_guard_reads_only)
{
	static const char *const writes[] = {
		"INSERT INTO t VALUES (2)", "UPDATE t SET a = 3",
		"DELETE FROM t", "DROP TABLE t", "CREATE TABLE u(b)",
		"CREATE TEMP TABLE u(b)", "ALTER TABLE t ADD COLUMN c",
		"ATTACH ':memory:' AS other", "VACUUM INTO '/nonexistent/x.db'",
		"CREATE INDEX i ON t(a)", "ANALYZE",
	};
	sqlite3 *db = open_db();
	size_t i;

	exec_ok(db, "CREATE TABLE t(a); INSERT INTO t VALUES (1)");
	ck_assert_int_eq(sqlout_guard(db, 0), 0);
	for (i = 0; i < sizeof(writes) / sizeof(*writes); i++) {
		char *err = refused(db, writes[i]);

		ck_assert_msg(strstr(err, "authori"), "'%s': %s",
			      writes[i], err);
		free(err);
	}
	expect(db, "WITH RECURSIVE c(n) AS (VALUES(1) UNION ALL SELECT n + 1 "
	       "FROM c WHERE n < 3) SELECT sum(n) + (SELECT a FROM t) AS s, "
	       "length('ab') AS l FROM c", SQLOUT_CSV, "s,l\n7,2\n");
	expect(db, "BEGIN; SELECT a FROM t; COMMIT", SQLOUT_CSV, "a\n1\n");
	ck_assert_int_eq(sqlout_timed_out(), 0);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_guard_timeout)
{
	sqlite3 *db = open_db();
	char *err;

	ck_assert_int_eq(sqlout_guard(db, 1), 0);
	expect(db, "SELECT 1 AS one", SQLOUT_CSV, "one\n1\n");
	ck_assert_int_eq(sqlout_timed_out(), 0);
	err = refused(db, "WITH RECURSIVE c(n) AS (VALUES(1) UNION ALL "
		      "SELECT n + 1 FROM c) SELECT count(*) FROM c");
	ck_assert_msg(strstr(err, "interrupted"), "%s", err);
	ck_assert_int_eq(sqlout_timed_out(), 1);
	free(err);
	sqlite3_close(db);
}
END_TEST

static Suite *sqlout_suite(void)
{
	Suite *s = suite_create("sqlout");
	TCase *tc = add_tcase(s, "core", 0);

	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_table_wide);
	tcase_add_test(tc, test_csv);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_json_utf8);
	tcase_add_test(tc, test_raw_bytes_kept);
	tcase_add_test(tc, test_json_roundtrip);
	tcase_add_test(tc, test_table_batches);
	tcase_add_test(tc, test_multi);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_error_stops_script);
	tcase_add_test(tc, test_write_error);
	tcase_add_test(tc, test_one_document);
	tcase_add_test(tc, test_document_api);
	tcase_add_test(tc, test_guard_reads_only);
	tcase_add_test(tc, test_guard_timeout);
	return s;
}

int main(void)
{
	return run_suite(sqlout_suite());
}
