/* rxtable_scan.h: state shared by the regexp/pcre table scanner and parser
 * (rxtable.l, rxtable.y). They read the table's logical lines (joined
 * continuation lines, comments and blank lines removed, each ending in
 * '\n', see compiler/tables/rxtable.c) and produce one rxt_line per line;
 * offsets are into that logical text. */
#ifndef GRAMMAR_RXTABLE_SCAN_H
#define GRAMMAR_RXTABLE_SCAN_H
#include <stddef.h>

typedef struct rxt_span {
    unsigned first, last;   /* byte offsets [first, last) in the logical text */
} rxt_span;

typedef enum rxt_kind {
    RXT_RULE,       /* [!]/pattern/flags result */
    RXT_IF,         /* if [!]/pattern/flags */
    RXT_ENDIF,
    RXT_BAD,        /* a line that is none of these */
} rxt_kind;

typedef struct rxt_line {
    rxt_kind kind;
    int      negate;     /* an odd number of '!' */
    rxt_span line;       /* the whole logical line, without '\n' */
    rxt_span pat;        /* the pattern with its delimiters; empty if none */
    int      closed;     /* the closing delimiter was found */
    rxt_span flags;      /* the flag letters (may be empty) */
    rxt_span text;       /* RULE: the result; IF/ENDIF: extra text (may be empty) */
} rxt_line;

struct rxt_scan {
    unsigned    off;     /* bytes consumed so far */
    const char *text;    /* the logical text */
    size_t      len;
    rxt_line   *v;       /* the lines parsed */
    size_t      n, cap;
    rxt_line    cur;     /* the line being parsed */
};

/* Parse the logical text; never fails (bad lines become RXT_BAD). */
void rxt_parse_text(struct rxt_scan *ps, const char *text, size_t len);

#endif
