/* kvtab_scan.h: state shared by the table-source scanner and parser
 * (kvtab.l, kvtab.y): Postfix's logical lines as used by postmap(1)
 * sources, cidr_table(5) and friends. */
#ifndef GRAMMAR_KVTAB_SCAN_H
#define GRAMMAR_KVTAB_SCAN_H
#include "compiler/tables/kvsrc.h"

typedef struct kvtab_span {
    unsigned first, last;   /* byte offsets [first, last) */
} kvtab_span;

struct kvtab_scan {
    unsigned    off;        /* bytes consumed so far */
    kvsrc      *out;
    diags      *d;
    const char *text;
    kvsrc_line *cur;        /* the logical line continuation lines extend */
};

#endif
