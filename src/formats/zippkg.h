/*
 * zippkg.h - the parts of a zip package (docx, pptx, odt, odp, epub), read
 * by name and in any order, straight from the file with pread(): the
 * directory from zipdir.h, the data stored or deflated, every part and the
 * whole package held to the archive limits.
 */
#ifndef WCINDEX_ZIPPKG_H
#define WCINDEX_ZIPPKG_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"

struct strbuf;
struct zippkg;

/*
 * Open the zip on fd (size bytes), or NULL when it is not a zip whose
 * directory can be read (more than lim->members entries included).
 */
struct zippkg *zippkg_open(int fd, uint64_t size,
			   const struct archive_limits *lim);

void zippkg_free(struct zippkg *z);

size_t zippkg_count(const struct zippkg *z);

/* The stored name of part i (any bytes, not NUL-terminated). */
const char *zippkg_name(const struct zippkg *z, size_t i, size_t *len);

/* The part stored under exactly this name, or -1. */
long zippkg_find(const struct zippkg *z, const char *name);

/* Whether part i is encrypted. */
int zippkg_encrypted(const struct zippkg *z, size_t i);

/*
 * Called with each piece of a part's inflated bytes; a non-zero return
 * stops the reading (zippkg_read() then returns DOC_OK).
 */
typedef int (*zippkg_fn)(void *data, const char *buf, size_t len);

/*
 * Inflate part i, handing the bytes to fn in pieces of any size.  Returns
 * DOC_OK, or DOC_ENCRYPTED, DOC_DAMAGED (bad header or data, a method
 * other than stored and deflated) or DOC_LIMIT (the part or the package
 * produced more than the limits allow) with the reason in msg; the bytes
 * before a failure were handed out.
 */
enum doc_status zippkg_read(struct zippkg *z, size_t i, zippkg_fn fn,
			    void *data, struct strbuf *msg);

/*
 * Read part i whole into out (appended), when it is at most max bytes:
 * for the small parts that say what a package holds (mimetype,
 * [Content_Types].xml, container.xml, the OPF).  Past max, DOC_LIMIT.
 */
enum doc_status zippkg_read_small(struct zippkg *z, size_t i,
				  struct strbuf *out, size_t max,
				  struct strbuf *msg);

#endif
