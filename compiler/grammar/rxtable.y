/* rxtable.y: grammar of regexp: and pcre: table lines (see rxtable.l).
 *   line : IF bangs PATTERN FLAGS? TEXT? EOL        if /pattern/flags
 *        | IF bangs (UNCLOSED)? EOL                  if without a pattern
 *        | ENDIF TEXT? EOL
 *        | bangs PATTERN FLAGS? TEXT? EOL            [!]/pattern/flags result
 *        | bangs UNCLOSED EOL | bangs EOL | BAD EOL | error EOL
 * The meaning (which lines Postfix skips, if/endif pairing) is decided by
 * compiler/tables/rxtable.c from the rxt_line records built here. */
%define api.pure full
%define api.prefix {rxtyy}
%define api.location.type {rxt_span}
%locations
%expect 0
%param {void *scanner}
%parse-param {struct rxt_scan *ps}

%code requires {
#include "compiler/grammar/rxtable_scan.h"
}

%code {
#define YYSTYPE RXTYYSTYPE
#define YYLTYPE RXTYYLTYPE
#include "rxtable.lex.h"
#include "stdlib/util/alloc.h"
#include <string.h>

#define YYLLOC_DEFAULT(Cur, Rhs, N) do {                         \
        if (N) { (Cur).first = YYRHSLOC(Rhs, 1).first;           \
                 (Cur).last = YYRHSLOC(Rhs, N).last; }           \
        else   { (Cur).first = (Cur).last = YYRHSLOC(Rhs, 0).last; } \
    } while (0)

static void emit(struct rxt_scan *ps, rxt_kind k, rxt_span line);
static void rxtyyerror(rxt_span *l, void *scanner, struct rxt_scan *ps, const char *msg);
}

%token T_IF T_ENDIF T_BANG T_PATTERN T_UNCLOSED T_FLAGS T_TEXT T_BAD T_EOL

%%

file    : %empty
        | file line
        ;

line    : T_IF bangs pattern flags text T_EOL   { emit(ps, RXT_IF, @$); }
        | T_IF bangs T_EOL                      { emit(ps, RXT_IF, @$); }
        | T_IF bangs unclosed T_EOL             { emit(ps, RXT_IF, @$); }
        | T_ENDIF text T_EOL                    { emit(ps, RXT_ENDIF, @$); }
        | bangs pattern flags text T_EOL        { emit(ps, RXT_RULE, @$); }
        | bangs unclosed T_EOL                  { emit(ps, RXT_RULE, @$); }
        | bangs T_EOL                           { emit(ps, RXT_RULE, @$); }
        | T_BAD text T_EOL                      { emit(ps, RXT_BAD, @$); }
        | error T_EOL                           { emit(ps, RXT_BAD, @$); yyerrok; }
        ;

bangs   : %empty
        | bangs T_BANG                          { ps->cur.negate = !ps->cur.negate; }
        ;

pattern : T_PATTERN                             { ps->cur.pat = @1; ps->cur.closed = 1; }
        ;

unclosed: T_UNCLOSED                            { ps->cur.pat = @1; ps->cur.closed = 0; }
        ;

flags   : %empty                                { ps->cur.flags = (rxt_span){ @$.first, @$.first }; }
        | T_FLAGS                               { ps->cur.flags = @1; }
        ;

text    : %empty
        | T_TEXT                                { ps->cur.text = @1; }
        ;

%%

static void emit(struct rxt_scan *ps, rxt_kind k, rxt_span line)
{
    rxt_line *l = &ps->cur;
    l->kind = k;
    /* the line without its '\n'; a leading '!' of "T_BANG bangs" counts too */
    l->line = line;
    if (l->line.last > l->line.first && ps->text[l->line.last - 1] == '\n')
        l->line.last--;
    xgrow(&ps->v, &ps->cap, ps->n + 1, sizeof *ps->v);
    ps->v[ps->n++] = *l;
    memset(&ps->cur, 0, sizeof ps->cur);
}

static void rxtyyerror(rxt_span *l, void *scanner, struct rxt_scan *ps, const char *msg)
{
    (void)l; (void)scanner; (void)ps; (void)msg;   /* the line becomes RXT_BAD */
}

void rxt_parse_text(struct rxt_scan *ps, const char *text, size_t len)
{
    memset(ps, 0, sizeof *ps);
    ps->text = text;
    ps->len = len;
    yyscan_t sc;
    rxtyylex_init_extra(ps, &sc);
    YY_BUFFER_STATE b = rxtyy_scan_bytes(text, (int)len, sc);
    rxtyyparse(sc, ps);
    rxtyy_delete_buffer(b, sc);
    rxtyylex_destroy(sc);
}
