/* kvtab.y: grammar of table source text as logical lines (see kvtab.l).
 *   file    : leading line*
 *   leading : (CONT CONT*)?        text before the first logical line
 *   line    : LINE CONT*
 * Each logical line goes to ps->emit when it is complete. What it means
 * (key/value, cidr rule, ...) is decided by the table type in
 * compiler/tables/. */
%define api.pure full
%define api.prefix {kvtyy}
%define api.location.type {kvtab_span}
%define api.value.type {kvtab_tok}
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
                 (Cur).line = YYRHSLOC(Rhs, 1).line;             \
                 (Cur).last = YYRHSLOC(Rhs, N).last; }           \
        else   { (Cur).first = (Cur).last = YYRHSLOC(Rhs, 0).last; \
                 (Cur).line = YYRHSLOC(Rhs, 0).line; }           \
    } while (0)

static void kvtyyerror(kvtab_span *l, void *scanner, struct kvtab_scan *ps, const char *msg);
}

%token T_LINE T_CONT

%%

file    : leading lines
        ;

leading : %empty
        | T_CONT { kvtab_begin(ps, &$1, &@1); } conts { kvtab_end(ps, 1); }
        ;

lines   : %empty
        | lines line
        ;

line    : T_LINE { kvtab_begin(ps, &$1, &@1); } conts { kvtab_end(ps, 0); }
        ;

conts   : %empty
        | conts T_CONT { kvtab_extend(ps, &$2, &@2); }
        ;

%%

static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, struct kvtab_scan *ps)
{
    /* every token sequence is a valid file; kept for completeness */
    const kvtab_span *l = yypcontext_location(ctx);
    diag_add(ps->d, DIAG_TABLE_SYNTAX, loc_make(ps->file, l->first, l->last - l->first),
             "unexpected %s", yysymbol_name(yypcontext_token(ctx)));
    return 0;
}

static void kvtyyerror(kvtab_span *l, void *scanner, struct kvtab_scan *ps, const char *msg)
{
    diag_add(ps->d, DIAG_TABLE_SYNTAX, loc_make(ps->file, l->first, l->last - l->first),
             "%s", msg);
}
