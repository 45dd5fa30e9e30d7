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

typedef struct src_file {
    char   *path;    /* path as shown in diagnostics */
    char   *text;    /* content, NUL-terminated (may contain NULs) */
    size_t  len;
    size_t *line_start;   /* byte offset of each line */
    size_t  nlines;
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
const src_file *src_get(const srcset *s, int id);
/* 1-based line and column (in bytes) of a byte offset. */
void src_linecol(const srcset *s, int file, size_t off, unsigned *line, unsigned *col);
/* The text of one line (without newline) and its length. */
const char *src_line(const srcset *s, int file, unsigned line, size_t *len);
loc  loc_make(int file, size_t off, size_t len);
/* The smallest location covering both. */
loc  loc_join(loc a, loc b);

#endif
