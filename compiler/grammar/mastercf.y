/* mastercf.y: grammar of master.cf (see mastercf.l for the line rules).
 *   file   : line*
 *   line   : BOL WORD* EOL          one service (its words checked in mastercf.c)
 *          | ORPHAN WORD* EOL       a first line that starts with whitespace
 * The scanner collects the words; the actions hand each finished logical
 * line to mastercf.c, which splits it into the eight fields and the
 * command arguments the way Postfix does.
 */
%define api.pure full
%define api.prefix {mscyy}
%define api.location.type {mastercf_span}
%define parse.error custom
%locations
%expect 0
%param {void *scanner}
%parse-param {struct mastercf_scan *ps}

%code requires {
#include "compiler/grammar/mastercf_scan.h"
}

%code {
#define YYSTYPE MSCYYSTYPE
#define YYLTYPE MSCYYLTYPE
#include "mastercf.lex.h"

#define YYLLOC_DEFAULT(Cur, Rhs, N) do {                         \
        if (N) { (Cur).first = YYRHSLOC(Rhs, 1).first;           \
                 (Cur).last = YYRHSLOC(Rhs, N).last; }           \
        else   { (Cur).first = (Cur).last = YYRHSLOC(Rhs, 0).last; } \
    } while (0)

static void mscyyerror(mastercf_span *l, void *scanner, struct mastercf_scan *ps, const char *msg);
}

%token T_BOL T_ORPHAN T_WORD T_EOL

%%

file    : %empty
        | file line
        ;

line    : T_BOL words T_EOL     { mastercf_line_end(ps, 0, @1.first, @2.last); }
        | T_ORPHAN words T_EOL  { mastercf_line_end(ps, 1, @1.first, @2.last); }
        ;

words   : %empty
        | words T_WORD
        ;

%%

static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, struct mastercf_scan *ps)
{
    const mastercf_span *l = yypcontext_location(ctx);
    diag_add(ps->d, DIAG_SYNTAX, loc_make(ps->m->file, l->first, l->last - l->first),
             "unexpected %s", yysymbol_name(yypcontext_token(ctx)));
    return 0;
}

static void mscyyerror(mastercf_span *l, void *scanner, struct mastercf_scan *ps, const char *msg)
{
    diag_add(ps->d, DIAG_SYNTAX, loc_make(ps->m->file, l->first, l->last - l->first), "%s", msg);
}
