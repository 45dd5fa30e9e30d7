/* kvsrc.h: table source text as Postfix reads it: logical lines (a line
 * that starts with whitespace continues the previous one; comments and
 * blank lines are skipped), and "key whitespace value" entries on top.
 * Parsed by compiler/grammar/kvtab.{l,y}; every piece keeps its location.
 * A source is either read whole from a srcset file (kvsrc_parse) or
 * streamed from a FILE one logical line at a time (kvsrc_stream), which
 * costs memory in proportion to the longest logical line only. */
#ifndef TABLES_KVSRC_H
#define TABLES_KVSRC_H
#include "compiler/diag.h"
#include "stdlib/util/strbuf.h"

#include <stdio.h>

typedef struct kvsrc_piece {
    unsigned voff;   /* offset in the logical line's text */
    unsigned soff;   /* offset in the source file */
    unsigned len;    /* the physical line without its newline */
    unsigned line;   /* its 1-based line number */
} kvsrc_piece;

typedef struct kvsrc_line {
    char        *text;      /* the logical line: physical lines joined, newlines dropped */
    size_t       len;
    kvsrc_piece *pieces;
    size_t       npieces;
} kvsrc_line;

typedef struct kvsrc {
    int         file;       /* srcset id */
    kvsrc_line *v;
    size_t      n, cap;
} kvsrc;

/* Split a source file into logical lines; reports text before the first
 * logical line (starting with whitespace) as table-syntax. */
void kvsrc_parse(kvsrc *out, int file, diags *d);
void kvsrc_free(kvsrc *s);
/* The source location of len bytes at voff of a logical line. */
loc  kvsrc_loc(const kvsrc *s, const kvsrc_line *l, size_t voff, size_t len);
loc  kvline_loc(int file, const kvsrc_line *l, size_t voff, size_t len);

/* Streaming: fp is read to its end and each logical line is handed to fn
 * (valid during the call only). `file` is a sparse srcset file
 * (src_add_sparse) for the locations of diagnostics; whoever reports a
 * diagnostic about a line calls kvsrc_keep so that the line can be shown
 * (and "# mtacc: allow" comments above it honoured). quiet: do not
 * report text before the first logical line (a second pass over a file
 * already read). Returns 0, or -1 on a read error (errno set). */
typedef struct kvtab_scan kvstream;
typedef void kvstream_fn(void *arg, kvstream *st, const kvsrc_line *l);
int  kvsrc_stream(FILE *fp, int file, diags *d, int quiet, kvstream_fn *fn, void *arg);
void kvsrc_keep(kvstream *st, const kvsrc_line *l);

/* One "key value" entry of a postmap(1) source. */
typedef struct kv_entry {
    char *key, *value;
    loc   key_at, value_at, line_at;
} kv_entry;

typedef struct kv_list {
    kv_entry *v;
    size_t    n, cap;
} kv_list;

/* Split logical lines into entries as postmap(1) does: the key runs to the
 * first whitespace not escaped by a backslash, the value is the rest
 * without surrounding whitespace. A line without a value is reported
 * (table-syntax, as postmap's "expected format: key whitespace value") and
 * skipped; "key: value" is reported like postmap's alias-file hint. */
void kv_split(kv_list *out, const kvsrc *s, diags *d);
void kv_list_free(kv_list *l);
/* The same for one logical line of srcset file `file`: key and value (C
 * strings: they end at a NUL byte, as in Postfix) go to the caller's
 * buffers, their locations to *key_at and *value_at (value_at may be
 * NULL). Returns 1 for an entry, 0 for a line that is skipped. d may be
 * NULL (no diagnostics). */
int  kv_split_line(int file, const kvsrc_line *l, strbuf *key, strbuf *value, loc *key_at,
                   loc *value_at, diags *d);

#endif
