/* maincf.h: the syntax tree of main.cf: an ordered list of name = value
 * settings with the source locations of the name and of every piece of the
 * value (a value can span continuation lines). */
#ifndef COMPILER_MAINCF_H
#define COMPILER_MAINCF_H
#include "compiler/diag.h"

/* Bytes [voff, voff+len) of the value come from bytes [soff, soff+len) of the file. */
typedef struct cf_piece {
    unsigned voff, soff, len;
} cf_piece;

typedef struct cf_setting {
    char     *name;
    char     *value;       /* as Postfix reads it: joined, trimmed */
    loc       name_loc;
    loc       value_loc;   /* the whole value (all pieces) */
    cf_piece *pieces;
    size_t    npieces;
} cf_setting;

typedef struct maincf {
    int         file;      /* srcset id, -1 if there is no main.cf */
    cf_setting *v;
    size_t      n, cap;
} maincf;

/* Parse srcset file `file` as main.cf; syntax problems go to d. */
void maincf_parse(maincf *m, int file, diags *d);
void maincf_free(maincf *m);
/* The source location of bytes [voff, voff+len) of a setting's value. */
loc  cf_value_loc(const cf_setting *s, size_t voff, size_t len);
/* The last setting of name, or NULL. */
const cf_setting *maincf_find(const maincf *m, const char *name);

#endif
