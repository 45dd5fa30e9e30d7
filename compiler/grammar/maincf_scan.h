/* maincf_scan.h: state shared by the main.cf scanner and parser. */
#ifndef GRAMMAR_MAINCF_SCAN_H
#define GRAMMAR_MAINCF_SCAN_H
#include "compiler/maincf.h"

typedef struct maincf_span {
    unsigned first, last;   /* byte offsets [first, last) */
} maincf_span;

struct maincf_scan {
    unsigned off;           /* bytes consumed so far */
    maincf  *m;
    diags   *d;
    const char *text;
    void    *scanner;
    cf_setting *cur;        /* the setting continuation lines extend */
};

#endif
