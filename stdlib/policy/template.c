/* template.c: the runtime expansion of reply templates
 * (smtpd_reject_footer, default_rbl_reply, rbl_reply_maps results), as
 * Postfix's mac_expand(3) does it: $name, ${name}, $(name), $$,
 * ${name?text}, ${name:text}, ${name?{text1}:{text2}} and the
 * ${{text1} == {text2}?...} / != comparisons; a value not in the filter's
 * characters has them replaced by "_"; an undefined $name and a syntax
 * error are reported to the caller (an RBL template then falls back to
 * default_rbl_reply). The names are session macros (client_address,
 * client_name, helo_name, sender, recipient_domain, ...: smtpd_expand)
 * or whatever the caller's lookup gives. */
#include "stdlib/policy/internal.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WS " \t\r\n"

typedef struct expander {
    pol_macro_fn fn;
    void        *ctx;
    const char  *filter;
    strbuf      *out;
    int          status;
    int          level;
} expander;

static int parse(expander *x, const char *text);

/* At optional whitespace and '{': the payload up to the balancing '}'
 * (cut out of the buffer), *cp moved past it and whitespace after it.
 * NULL if there is no '{' here (*cp unchanged) or it is not balanced. */
static char *curly(expander *x, char **cp, int *unbalanced)
{
    char *p = *cp + strspn(*cp, WS);
    *unbalanced = 0;
    if (*p != '{')
        return NULL;
    int level = 1;
    char *e = p + 1;
    for (; *e; e++) {
        if (*e == '{')
            level++;
        else if (*e == '}' && --level == 0)
            break;
    }
    if (!*e) {
        x->status |= POL_EXP_ERROR;
        *unbalanced = 1;
        return NULL;
    }
    *e = 0;
    *cp = e + 1 + strspn(e + 1, WS);
    return p + 1;
}

/* {left} == {right} or {left} != {right}: "true" or "" in *value. */
static int logical(expander *x, char **cp, const char **value)
{
    int bad;
    char *left = curly(x, cp, &bad);
    if (!left)
        return -1;
    int eq;
    if (strncmp(*cp, "==", 2) == 0)
        eq = 1;
    else if (strncmp(*cp, "!=", 2) == 0)
        eq = 0;
    else {
        x->status |= POL_EXP_ERROR;
        return -1;
    }
    *cp += 2;
    char *right = curly(x, cp, &bad);
    if (!right) {
        x->status |= POL_EXP_ERROR;
        return -1;
    }
    strbuf l, r;
    sb_init(&l);
    sb_init(&r);
    x->status |= pol_mac_expand(left, x->fn, x->ctx, x->filter, &l);
    x->status |= pol_mac_expand(right, x->fn, x->ctx, x->filter, &r);
    int same = strcmp(sb_str(&l), sb_str(&r)) == 0;
    sb_free(&l);
    sb_free(&r);
    if (x->status & POL_EXP_ERROR)
        return -1;
    *value = same == eq ? "true" : "";
    return 0;
}

static void append_value(expander *x, const char *v)
{
    size_t at = strlen(sb_str(x->out));
    sb_adds(x->out, v);
    if (!x->filter)
        return;
    char *c = (char *)sb_str(x->out) + at;
    while (*(c += strspn(c, x->filter)))
        *c++ = '_';
}

/* One ${...} / $name expression (text is a scratch copy). */
static void expression(expander *x, char *text)
{
    char *cp = text;
    const char *value = NULL;
    char op = 0;
    strbuf tmp;
    sb_init(&tmp);
    if (text[strspn(text, WS)] == '{') {
        if (logical(x, &cp, &value) < 0)
            goto done;
        if ((op = *cp) != 0) {
            if (op != '?' && op != ':') {
                x->status |= POL_EXP_ERROR;
                goto done;
            }
            cp++;
        }
    } else {
        for (;; cp++) {
            if (*cp == 0)
                break;
            if (*cp == '?' || *cp == ':') {
                op = *cp;
                *cp++ = 0;
                break;
            }
            if (!isalnum((unsigned char)*cp) && *cp != '_') {
                x->status |= POL_EXP_ERROR;
                goto done;
            }
        }
        value = x->fn(x->ctx, text, &tmp);
    }
    int bad;
    char *t;
    switch (op) {
    case '?':
        if ((t = curly(x, &cp, &bad)) == NULL) {
            if (bad)
                goto done;
            t = cp;
            cp = "";
        }
        if (value && *value)
            parse(x, t);
        if (*cp == 0)
            break;
        if (*cp != ':') {
            x->status |= POL_EXP_ERROR;
            break;
        }
        cp++;
        __attribute__((fallthrough));   /* to the text after the colon */
    case ':':
        if ((t = curly(x, &cp, &bad)) == NULL) {
            if (bad)
                goto done;
            t = cp;
            cp = "";
        }
        if (!value || !*value)
            parse(x, t);
        if (*cp != 0)
            x->status |= POL_EXP_ERROR;
        break;
    default:
        if (!value)
            x->status |= POL_EXP_UNDEF;
        else
            append_value(x, value);
        break;
    }
done:
    sb_free(&tmp);
}

/* Literal text and $-expressions, in order (mac_parse). */
static int parse(expander *x, const char *v)
{
    if (x->level++ > 100)
        x->status |= POL_EXP_ERROR;
    while (*v && !(x->status & POL_EXP_ERROR)) {
        if (*v != '$') {
            sb_addc(x->out, *v++);
            continue;
        }
        if (v[1] == '$') {
            sb_addc(x->out, '$');
            v += 2;
            continue;
        }
        v++;
        char *expr;
        if (*v == '(' || *v == '{') {
            char open = *v, close = open == '(' ? ')' : '}';
            int level = 1;
            const char *e = ++v;
            for (; level > 0; e++) {
                if (*e == 0) {
                    x->status |= POL_EXP_ERROR;
                    break;
                }
                if (*e == open)
                    level++;
                if (*e == close)
                    level--;
            }
            if (x->status & POL_EXP_ERROR)
                break;
            expr = xstrndup(v, (size_t)(e - v - 1));
            v = e;
        } else {
            const char *e = v;
            while (isalnum((unsigned char)*e) || *e == '_')
                e++;
            expr = xstrndup(v, (size_t)(e - v));
            v = e;
        }
        if (!*expr)
            x->status |= POL_EXP_ERROR;   /* "$" alone, "${}" */
        else
            expression(x, expr);
        free(expr);
    }
    x->level--;
    return x->status;
}

int pol_mac_expand(const char *text, pol_macro_fn fn, void *ctx, const char *filter, strbuf *out)
{
    expander x = { .fn = fn, .ctx = ctx, .filter = filter, .out = out };
    return parse(&x, text);
}

/* ---- the session's macros (smtpd_expand) --------------------------------- */

/* sender / sender_name / sender_domain of an address ("" is "<>"). */
static const char *addr_macro(const char *addr, const char *suffix, strbuf *tmp)
{
    if (!addr)
        return "";
    const char *at = strrchr(addr, '@');
    if (!*suffix)
        return *addr ? addr : "<>";
    if (strcmp(suffix, "_name") == 0) {
        if (!*addr)
            return "<>";
        if (!at)
            return addr;
        sb_addn(tmp, addr, (size_t)(at - addr));
        return sb_str(tmp);
    }
    if (strcmp(suffix, "_domain") == 0)
        return at ? at + 1 : "";
    return NULL;
}

const char *pol_session_macro(pol_session *s, const char *rcpt, const char *name, strbuf *tmp)
{
    sb_clear(tmp);
    if (strcmp(name, "server_name") == 0)
        return pol_param_str(s, "myhostname");
    if (strcmp(name, "client") == 0) {
        sb_addf(tmp, "%s[%s]", s->client_name, s->client_addr);
        return sb_str(tmp);
    }
    if (strcmp(name, "client_port") == 0)
        return s->client_port ? s->client_port : "unknown";   /* a simulation has none */
    if (strcmp(name, "client_address") == 0)
        return s->client_addr;
    if (strcmp(name, "client_name") == 0)
        return s->client_name;
    if (strcmp(name, "reverse_client_name") == 0)
        return s->reverse_name;
    if (strcmp(name, "helo_name") == 0)
        return s->helo ? s->helo : "";
    if (strncmp(name, "sender", 6) == 0)
        return addr_macro(s->sender, name + 6, tmp);
    if (strncmp(name, "recipient", 9) == 0)
        return addr_macro(rcpt, name + 9, tmp);
    if (strcmp(name, "localtime") == 0) {
        char buf[64];
        time_t now = time(NULL);
        struct tm tm;
        strftime(buf, sizeof buf, "%b %d %H:%M:%S", localtime_r(&now, &tm));
        sb_adds(tmp, buf);
        return sb_str(tmp);
    }
    return NULL;
}

/* ---- named values given by the caller, then image parameters ------------- */

typedef struct table_ctx {
    pol_session     *s;
    const pol_macro *m;
    size_t           nm;
} table_ctx;

static const char *table_macro(void *ctx, const char *name, strbuf *tmp)
{
    table_ctx *t = ctx;
    (void)tmp;
    for (size_t i = 0; i < t->nm; i++)
        if (strcmp(t->m[i].name, name) == 0)
            return t->m[i].value;
    const img_param *p = pol_param_dyn(t->s, name);
    return p ? img_str(t->s->pi->im, p->text) : NULL;
}

void pol_expand(pol_session *s, const char *t, const pol_macro *m, size_t nm, strbuf *out)
{
    table_ctx c = { s, m, nm };
    (void)pol_mac_expand(t, table_macro, &c, NULL, out);
}
