/* mastercf_scan.h: state shared by the master.cf scanner and parser. The
 * scanner collects the words of the current logical line in `words`; the
 * parser turns a finished line into a service (mastercf.c). */
#ifndef GRAMMAR_MASTERCF_SCAN_H
#define GRAMMAR_MASTERCF_SCAN_H
#include "compiler/mastercf.h"
#include "stdlib/util/strbuf.h"

typedef struct mastercf_span {
    unsigned first, last;   /* byte offsets [first, last) */
} mastercf_span;

/* One word of a logical line as Postfix splits it: text is the word with
 * continuation line breaks removed (braces kept), at its source range. */
typedef struct ms_rawword {
    char    *text;
    loc      at;
} ms_rawword;

struct mastercf_scan {
    unsigned    off;        /* bytes consumed so far */
    mastercf   *m;
    diags      *d;
    const char *text;
    void       *scanner;
    /* the word being scanned */
    strbuf      word;
    unsigned    word_start;
    int         depth;      /* open braces in the word */
    /* the words of the current logical line */
    ms_rawword *words;
    size_t      nwords, capwords;
    unsigned    line_start; /* offset of the logical line */
};

/* mastercf.c: called by the parser at the end of a logical line. */
void mastercf_line_end(struct mastercf_scan *ps, int orphan, unsigned first, unsigned last);
/* mastercf.c: the scanner finished a word [start, end). */
void mastercf_word_end(struct mastercf_scan *ps, unsigned end);

#endif
