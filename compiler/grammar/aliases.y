/* aliases.y: one aliases(5) entry from the tokens of aliases.l:
 *   entry : name ':' value
 *   name  : one or more tokens other than ':' and ','
 *   value : any tokens (an empty value is refused by the caller)
 * The name may not contain an unquoted '@' or '%' (checked by the
 * caller: "name must be local"). Tokens go to ps->name / ps->value; a
 * syntax error (no ':', ',' or nothing before it) sets ps->bad. */
%define api.pure full
%define api.prefix {alsyy}
%define api.location.type {alsp_span}
%define parse.error custom
%locations
%expect 0
%param {void *scanner}
%parse-param {struct aliases_scan *ps}

%code requires {
#include "compiler/grammar/aliases_scan.h"
}

%union {
    char *text;
}

%code {
#define YYSTYPE ALSYYSTYPE
#define YYLTYPE ALSYYLTYPE
#include "aliases.lex.h"
#include <stdlib.h>

#define YYLLOC_DEFAULT(Cur, Rhs, N) do {                         \
        if (N) { (Cur).first = YYRHSLOC(Rhs, 1).first;           \
                 (Cur).last = YYRHSLOC(Rhs, N).last; }           \
        else   { (Cur).first = (Cur).last = YYRHSLOC(Rhs, 0).last; } \
    } while (0)

static void alsyyerror(alsp_span *l, void *scanner, struct aliases_scan *ps, const char *msg);
static void put(struct aliases_scan *ps, al_tokens *to, al_kind k, char *text, alsp_span at)
{
    al_tokens_add(to, k, text, at.first, at.last);
}
}

%token <text> T_ATOM T_QSTRING T_COMMENT T_DOMLIT T_OP T_AT T_COLON T_COMMA
%destructor { free($$); } <text>

%%

entry   : name T_COLON { free($2); } value
        ;

name    : nametok
        | name nametok
        ;

nametok : T_ATOM     { put(ps, ps->name, AL_ATOM, $1, @1); }
        | T_QSTRING  { put(ps, ps->name, AL_QSTRING, $1, @1); }
        | T_COMMENT  { put(ps, ps->name, AL_COMMENT, $1, @1); }
        | T_DOMLIT   { put(ps, ps->name, AL_DOMLIT, $1, @1); }
        | T_OP       { put(ps, ps->name, AL_OP, $1, @1); }
        | T_AT       { put(ps, ps->name, AL_AT, $1, @1); }
        ;

value   : %empty
        | value valtok
        ;

valtok  : T_ATOM     { put(ps, ps->value, AL_ATOM, $1, @1); }
        | T_QSTRING  { put(ps, ps->value, AL_QSTRING, $1, @1); }
        | T_COMMENT  { put(ps, ps->value, AL_COMMENT, $1, @1); }
        | T_DOMLIT   { put(ps, ps->value, AL_DOMLIT, $1, @1); }
        | T_OP       { put(ps, ps->value, AL_OP, $1, @1); }
        | T_AT       { put(ps, ps->value, AL_AT, $1, @1); }
        | T_COLON    { free($1); put(ps, ps->value, AL_OP, xstrdup(":"), @1); }
        | T_COMMA    { free($1); put(ps, ps->value, AL_COMMA, xstrdup(","), @1); }
        ;

%%

static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, struct aliases_scan *ps)
{
    const alsp_span *l = yypcontext_location(ctx);
    ps->bad = 1;
    ps->err_at = *l;
    return 0;
}

static void alsyyerror(alsp_span *l, void *scanner, struct aliases_scan *ps, const char *msg)
{
    ps->bad = 1;
    ps->err_at = *l;
}
