/* maincf.y: grammar of main.cf (see maincf.l for the line rules).
 *   file    : leading setting*
 *   leading : CONT*                      whitespace before the first setting
 *   setting : NAME '=' VALUE? CONT*  |  NAME error  |  '=' ...
 */
%define api.pure full
%define api.prefix {mcfyy}
%define api.location.type {maincf_span}
%define parse.error custom
%locations
%expect 0
%param {void *scanner}
%parse-param {struct maincf_scan *ps}

%code requires {
#include "compiler/grammar/maincf_scan.h"
}

%code {
#define YYSTYPE MCFYYSTYPE
#define YYLTYPE MCFYYLTYPE
#include "maincf.lex.h"
#include "stdlib/util/alloc.h"
#include <string.h>

#define YYLLOC_DEFAULT(Cur, Rhs, N) do {                         \
        if (N) { (Cur).first = YYRHSLOC(Rhs, 1).first;           \
                 (Cur).last = YYRHSLOC(Rhs, N).last; }           \
        else   { (Cur).first = (Cur).last = YYRHSLOC(Rhs, 0).last; } \
    } while (0)

static loc span_loc(struct maincf_scan *ps, maincf_span s)
{
    return loc_make(ps->m->file, s.first, s.last - s.first);
}

static void start_setting(struct maincf_scan *ps, maincf_span name);
static void add_piece(struct maincf_scan *ps, maincf_span piece, int first);
static void mcfyyerror(maincf_span *l, void *scanner, struct maincf_scan *ps, const char *msg);
}

%token T_NAME T_EQ T_VALUE T_CONT T_JUNK

%%

file    : leading settings
        ;

leading : %empty
        | leading T_CONT
          { diag *g = diag_add(ps->d, DIAG_SYNTAX, span_loc(ps, @2),
                               "the first setting must not start with whitespace; Postfix ignores this line");
            diag_hint(g, "remove the leading whitespace, or comment the line out with '#'"); }
        ;

settings: %empty
        | settings setting
        ;

setting : T_NAME T_EQ        { start_setting(ps, @1); } value conts
        | T_NAME error T_JUNK { ps->cur = NULL; yyerrok; } conts
        | T_NAME error       { ps->cur = NULL; }
        | T_EQ               { diag *g = diag_add(ps->d, DIAG_SYNTAX, span_loc(ps, @1),
                                                  "missing parameter name before '='");
                               diag_hint(g, "write \"name = value\""); ps->cur = NULL; }
          junk conts
        ;

junk    : %empty | T_VALUE ;

value   : %empty
        | T_VALUE            { add_piece(ps, @1, 1); }
        ;

conts   : %empty
        | conts T_CONT       { if (ps->cur) add_piece(ps, @2, 0); }
        ;

%%

static int is_param_char(unsigned char c)
{
    /* letters, digits, '_'; '-' and '.' occur in per-service names
     * such as smtp-amavis_destination_recipient_limit */
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.';
}

static void start_setting(struct maincf_scan *ps, maincf_span name)
{
    maincf *m = ps->m;
    xgrow(&m->v, &m->cap, m->n + 1, sizeof *m->v);
    cf_setting *s = &m->v[m->n++];
    memset(s, 0, sizeof *s);
    s->name = xstrndup(ps->text + name.first, name.last - name.first);
    s->name_loc = span_loc(ps, name);
    s->value = xstrdup("");
    s->value_loc = loc_make(m->file, name.last, 0);
    ps->cur = s;
    for (const char *c = s->name; *c; c++) {
        if (!is_param_char((unsigned char)*c)) {
            diag *g = diag_add(ps->d, DIAG_SYNTAX,
                               loc_make(m->file, name.first + (unsigned)(c - s->name), 1),
                               "invalid character '%c' in parameter name \"%s\"", *c, s->name);
            diag_hint(g, "parameter names consist of letters, digits and '_' (and '-' or '.' from a master.cf service name)");
            break;
        }
    }
}

/* Append a value piece; the first piece starts after '=' and whitespace,
 * continuation lines are appended as they are, trailing whitespace of the
 * whole value is dropped. */
static void add_piece(struct maincf_scan *ps, maincf_span sp, int first)
{
    cf_setting *s = ps->cur;
    unsigned b = sp.first, e = sp.last;
    while (e > b && ps->text[e - 1] == '\n')
        e--;
    size_t old = strlen(s->value);
    s->value = xrealloc(s->value, old + (e - b) + 1);
    memcpy(s->value + old, ps->text + b, e - b);
    s->value[old + (e - b)] = 0;
    s->pieces = xrealloc(s->pieces, (s->npieces + 1) * sizeof *s->pieces);
    s->pieces[s->npieces++] = (cf_piece){ (unsigned)old, b, e - b };
    size_t n = strlen(s->value);
    while (n > 0 && strchr(" \t\r\f\v", s->value[n - 1]))
        n--;
    s->value[n] = 0;
    (void)first;
    /* value_loc: from the first piece to the last non-blank byte */
    const cf_piece *p0 = &s->pieces[0];
    unsigned end = b;
    for (size_t i = s->npieces; i-- > 0;) {
        const cf_piece *p = &s->pieces[i];
        if (p->voff < n) {
            size_t keep = n - p->voff < p->len ? n - p->voff : p->len;
            end = p->soff + (unsigned)keep;
            break;
        }
    }
    s->value_loc = loc_make(ps->m->file, p0->soff, end > p0->soff ? end - p0->soff : 0);
}

static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, struct maincf_scan *ps)
{
    const maincf_span *l = yypcontext_location(ctx);
    yysymbol_kind_t tok = yypcontext_token(ctx);
    diag *g;
    if (tok == YYSYMBOL_T_JUNK || tok == YYSYMBOL_YYEOF) {
        /* after a name: something other than '=' */
        const char *t = ps->text + l->first;
        unsigned ln = 0;
        while (l->first + ln < ps->off && t[ln] != '\n')
            ln++;
        g = diag_add(ps->d, DIAG_SYNTAX, loc_make(ps->m->file, l->first, ln ? 1 : 0),
                     "missing '=' after parameter name");
        diag_hint(g, "write \"name = value\"; a name cannot contain spaces");
    } else {
        g = diag_add(ps->d, DIAG_SYNTAX, loc_make(ps->m->file, l->first, l->last - l->first),
                     "unexpected %s", yysymbol_name(tok));
    }
    return 0;
}

static void mcfyyerror(maincf_span *l, void *scanner, struct maincf_scan *ps, const char *msg)
{
    diag_add(ps->d, DIAG_SYNTAX, loc_make(ps->m->file, l->first, l->last - l->first), "%s", msg);
}
