/* source.h: the set of input files a compilation reads, and locations in them.
 * A location is a byte range in one file; line:col is computed only when
 * a diagnostic is printed. */
#ifndef COMPILER_SOURCE_H
#define COMPILER_SOURCE_H
#include <stddef.h>

typedef struct loc {
    int      file;   /* index in the srcset, -1 for "no location" */
    unsigned off;    /* byte offset of the first byte */
    unsigned len;    /* bytes covered (0: a point) */
} loc;

#define LOC_NONE ((loc){ -1, 0, 0 })

/* One line of a sparse file (see src_add_sparse). */
typedef struct src_kept {
    unsigned line;   /* 1-based line number */
    size_t   off;    /* byte offset of its first byte in the file */
    char    *text;   /* without the newline */
    size_t   len;
} src_kept;

typedef struct src_file {
    char   *path;    /* path as shown in diagnostics */
    char   *text;    /* content, NUL-terminated (may contain NULs); NULL when sparse */
    size_t  len;
    size_t *line_start;   /* byte offset of each line */
    size_t  nlines;
    int       sparse;     /* only the lines in kept[] are known */
    src_kept *kept;       /* sorted by line */
    size_t    nkept, capkept;
} src_file;

typedef struct srcset {
    src_file *v;
    size_t    n, cap;
} srcset;

void srcset_init(srcset *s);
void srcset_free(srcset *s);
/* Add a file whose text the set takes over; returns its id. */
int  src_add(srcset *s, const char *path, char *text, size_t len);
/* Read a file from disk; returns its id or -1 with errno set. */
int  src_read(srcset *s, const char *fspath, const char *shown_path);
/* Add a file that is read as a stream and not kept in memory: only the
 * lines diagnostics point at (and suppression comments) are added with
 * src_keep_line, so a file of any size costs memory in proportion to its
 * diagnostics. Lines not kept read as empty. Returns its id. */
int  src_add_sparse(srcset *s, const char *path);
/* Keep line `line` (text without its newline, starting at byte off) of a
 * sparse file; keeping a line twice is harmless. */
void src_keep_line(srcset *s, int file, unsigned line, size_t off, const char *text, size_t len);
const src_file *src_get(const srcset *s, int id);
/* 1-based line and column (in bytes) of a byte offset. */
void src_linecol(const srcset *s, int file, size_t off, unsigned *line, unsigned *col);
/* The text of one line (without newline) and its length. */
const char *src_line(const srcset *s, int file, unsigned line, size_t *len);
/* The byte offset of the first byte of a line (0 when unknown). */
size_t src_line_off(const srcset *s, int file, unsigned line);
/* The first line after `line` that has text to read (0: none): line + 1
 * for files held in memory, the next kept line of a sparse file. */
unsigned src_next_line(const srcset *s, int file, unsigned line);
loc  loc_make(int file, size_t off, size_t len);
/* The smallest location covering both. */
loc  loc_join(loc a, loc b);

#endif
