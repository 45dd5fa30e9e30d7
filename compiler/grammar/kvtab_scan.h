/* kvtab_scan.h: state shared by the table-source scanner and parser
 * (kvtab.l, kvtab.y): Postfix's logical lines as used by postmap(1)
 * sources, cidr_table(5) and friends. The parser hands each logical line
 * to ps->emit as soon as it is complete, so a source can be read from
 * memory (kvsrc_parse) or streamed from a file (kvsrc_stream). */
#ifndef GRAMMAR_KVTAB_SCAN_H
#define GRAMMAR_KVTAB_SCAN_H
#include "compiler/tables/kvsrc.h"
#include "stdlib/util/strbuf.h"

typedef struct kvtab_span {
    unsigned first, last;   /* byte offsets [first, last) */
    unsigned line;          /* 1-based physical line of first */
} kvtab_span;

/* The text of one token (a copy that outlives the scanner's buffer). */
typedef struct kvtab_tok {
    const char *p;
    unsigned    n;
} kvtab_tok;

/* A comment line of a streamed file, remembered while a diagnostic may
 * still need it (a "# mtacc: allow" walk goes up through comment lines). */
typedef struct kvtab_comment {
    unsigned line, off, len;
    size_t   at;            /* its text in ctext */
} kvtab_comment;

struct kvtab_scan {
    unsigned    off;        /* bytes consumed so far */
    unsigned    lineno;     /* the physical line the next token starts on */
    diags      *d;
    int         file;       /* srcset id */
    /* the logical line being read (buffers owned here) */
    kvsrc_line  cur;
    size_t      textcap, piececap;
    /* called with each complete logical line; leading: text before the
     * first logical line (already reported) */
    void      (*emit)(struct kvtab_scan *ps, kvsrc_line *l, int leading);
    void       *arg;
    strbuf      tok[2];     /* copies of the last two tokens (one lookahead) */
    int         ntok;
    int         quiet;      /* do not report text before the first line */
    /* streamed files (sparse srcset file): comment lines to keep on demand */
    int            sparse;
    kvtab_comment *cm;
    size_t         ncm, capcm;
    strbuf         ctext;
    unsigned       last_piece;   /* physical line of the last LINE/CONT token */
};

/* Called by the scanner. */
void kvtab_token(struct kvtab_scan *ps, kvtab_tok *val, const char *text, size_t len);
void kvtab_comment_line(struct kvtab_scan *ps, const char *text, size_t len, unsigned line,
                        unsigned off);
void kvtab_blank_line(struct kvtab_scan *ps);
/* Called by the parser. */
void kvtab_begin(struct kvtab_scan *ps, const kvtab_tok *t, const kvtab_span *at);
void kvtab_extend(struct kvtab_scan *ps, const kvtab_tok *t, const kvtab_span *at);
void kvtab_end(struct kvtab_scan *ps, int leading);

#endif
