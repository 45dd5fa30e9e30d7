/* kvtab.y: grammar of table source text as logical lines (see kvtab.l).
 *   file    : leading line*
 *   leading : (CONT CONT*)?        text before the first logical line
 *   line    : LINE CONT*
 * What a logical line means (key/value, cidr rule, ...) is decided by the
 * table type in compiler/tables/. */
%define api.pure full
%define api.prefix {kvtyy}
%define api.location.type {kvtab_span}
%define parse.error custom
%locations
%expect 0
%param {void *scanner}
%parse-param {struct kvtab_scan *ps}

%code requires {
#include "compiler/grammar/kvtab_scan.h"
}

%code {
#define YYSTYPE KVTYYSTYPE
#define YYLTYPE KVTYYLTYPE
#include "kvtab.lex.h"

#define YYLLOC_DEFAULT(Cur, Rhs, N) do {                         \
        if (N) { (Cur).first = YYRHSLOC(Rhs, 1).first;           \
                 (Cur).last = YYRHSLOC(Rhs, N).last; }           \
        else   { (Cur).first = (Cur).last = YYRHSLOC(Rhs, 0).last; } \
    } while (0)

static void kvtyyerror(kvtab_span *l, void *scanner, struct kvtab_scan *ps, const char *msg);
}

%token T_LINE T_CONT

%%

file    : leading lines
        ;

leading : %empty
        | T_CONT { ps->cur = NULL; kvsrc_leading(ps->out, ps->d, @1.first, @1.last); } conts
        ;

lines   : %empty
        | lines line
        ;

line    : T_LINE { ps->cur = kvsrc_start(ps->out, @1.first, @1.last); } conts
        ;

conts   : %empty
        | conts T_CONT { if (ps->cur) kvsrc_extend(ps->out, ps->cur, @2.first, @2.last); }
        ;

%%

static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, struct kvtab_scan *ps)
{
    /* every token sequence is a valid file; kept for completeness */
    const kvtab_span *l = yypcontext_location(ctx);
    diag_add(ps->d, DIAG_TABLE_SYNTAX, loc_make(ps->out->file, l->first, l->last - l->first),
             "unexpected %s", yysymbol_name(yypcontext_token(ctx)));
    return 0;
}

static void kvtyyerror(kvtab_span *l, void *scanner, struct kvtab_scan *ps, const char *msg)
{
    diag_add(ps->d, DIAG_TABLE_SYNTAX, loc_make(ps->out->file, l->first, l->last - l->first),
             "%s", msg);
}
