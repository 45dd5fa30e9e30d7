/* aliases_scan.h: state shared by the aliases(5) entry scanner and parser
 * (aliases.l, aliases.y). One logical line of an alias file is scanned
 * into RFC 822 tokens (atoms, quoted strings, comments, domain literals,
 * specials) and parsed as "name : value". */
#ifndef GRAMMAR_ALIASES_SCAN_H
#define GRAMMAR_ALIASES_SCAN_H
#include "compiler/tables/aliases.h"
#include "stdlib/util/alloc.h"

typedef struct alsp_span {
    unsigned first, last;   /* byte offsets [first, last) in the logical line */
} alsp_span;

struct aliases_scan {
    unsigned     off;       /* bytes consumed so far */
    int          depth;     /* comment nesting */
    unsigned     start;     /* where the current comment/string began */
    strbuf       buf;       /* text of the current token */
    al_tokens   *name, *value;
    int          in_value;
    int          bad;       /* a syntax error was seen */
    alsp_span    err_at;
};

#endif
