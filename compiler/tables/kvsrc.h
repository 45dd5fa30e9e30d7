/* kvsrc.h: table source text as Postfix reads it: logical lines (a line
 * that starts with whitespace continues the previous one; comments and
 * blank lines are skipped), and "key whitespace value" entries on top.
 * Parsed by compiler/grammar/kvtab.{l,y}; every piece keeps its location. */
#ifndef TABLES_KVSRC_H
#define TABLES_KVSRC_H
#include "compiler/diag.h"

typedef struct kvsrc_piece {
    unsigned voff;   /* offset in the logical line's text */
    unsigned soff;   /* offset in the source file */
    unsigned len;
} kvsrc_piece;

typedef struct kvsrc_line {
    char        *text;      /* the logical line: physical lines joined, newlines dropped */
    size_t       len;
    kvsrc_piece *pieces;
    size_t       npieces;
} kvsrc_line;

typedef struct kvsrc {
    int         file;       /* srcset id */
    const char *text;       /* the file's text (borrowed from the srcset) */
    kvsrc_line *v;
    size_t      n, cap;
} kvsrc;

/* Split a source file into logical lines; reports text before the first
 * logical line (starting with whitespace) as table-syntax. */
void kvsrc_parse(kvsrc *out, int file, diags *d);
void kvsrc_free(kvsrc *s);
/* The source location of len bytes at voff of a logical line. */
loc  kvsrc_loc(const kvsrc *s, const kvsrc_line *l, size_t voff, size_t len);

/* Used by the parser. */
kvsrc_line *kvsrc_start(kvsrc *s, unsigned first, unsigned last);
void        kvsrc_extend(kvsrc *s, kvsrc_line *l, unsigned first, unsigned last);
void        kvsrc_leading(kvsrc *s, diags *d, unsigned first, unsigned last);

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

#endif
