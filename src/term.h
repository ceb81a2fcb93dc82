/*
 * term.h - what printing to a terminal needs: whether a descriptor is one,
 * how wide it is, how many columns a piece of UTF-8 text takes, and file
 * names quoted as GNU ls quotes them (its default "shell-escape" style), so
 * that a name holding ESC sequences, BEL or CR shows as text instead of
 * driving the terminal.  Text is decoded as UTF-8 here, without the C
 * library's locale (wcindex never calls setlocale()).
 */
#ifndef WCINDEX_TERM_H
#define WCINDEX_TERM_H

#include <stddef.h>

struct strbuf;

/* True when fd is a terminal (isatty()). */
int term_is_tty(int fd);

/*
 * True when fd is a terminal that a line may be redrawn on with "\r\033[K":
 * a terminal, and $TERM is set and not "dumb".
 */
int term_can_redraw(int fd);

/* The columns of the terminal on fd (TIOCGWINSZ), or 0 when unknown. */
unsigned term_columns(int fd);

/*
 * Append s[0..len) to sb quoted as `ls --quoting-style=shell-escape` does
 * in a UTF-8 locale: a name of printable characters and no shell special
 * as it is; else in '...' (or "..." when its only trouble is an
 * apostrophe), with every byte that is not printable UTF-8 written as
 * $'\033', $'\n', $'\377'...  The result is 7-bit clean but for printable
 * UTF-8 characters, and pasted into a shell gives back the exact bytes.
 * ls 9.1 writes two more '' before a name that holds both an apostrophe
 * and a byte to escape; this writes the shorter, equivalent form.
 */
void term_quote(struct strbuf *sb, const char *s, size_t len);

/*
 * For output of names that may go to a terminal (ls, total, changes):
 * append s[0..len) quoted with term_quote() when tty is true, else its
 * exact bytes.  Callers pass term_is_tty(fileno(out)) once per command.
 */
void term_add_name(struct strbuf *sb, const char *s, size_t len, int tty);

/*
 * True when s[0..len) is valid UTF-8 of printable characters only, so
 * that printing it cannot drive a terminal (spaces and shell specials are
 * printable).
 */
int term_printable(const char *s, size_t len);

/*
 * Columns s[0..len) takes on a terminal: 2 for each East Asian Wide or
 * Fullwidth character, 0 for combining marks and format characters, 1 for
 * any other character, each control and each byte that is not UTF-8 (what
 * is printed raw, where no terminal draws it, is read byte by byte; on a
 * terminal, measure the term_quote()d form instead).
 */
size_t term_width(const char *s, size_t len);

#endif
