/* expand.c: Postfix's parameter expansion language, evaluated and scanned
 * (see expand.h). Behaviour follows `postconf -x` as observed, including
 * the wording of its error messages. */
#include "compiler/expand.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct xp {
    expand_lookup_fn lookup;
    void            *ctx;
    expand_ref_fn    ref;       /* scan mode when set */
    void            *refctx;
    const char      *top;       /* top-level text, for offsets */
    size_t           toplen;
    const char     **stack;     /* names being expanded */
    size_t           depth, cap;
    expand_error    *err;
} xp;

typedef struct slice {
    const char *s;
    size_t      n;
} slice;

static int is_name_char(int c)
{
    return isalnum((unsigned char)c) || c == '_';
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static expand_status fail(xp *x, expand_status st, const char *at, size_t len,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static expand_status fail(xp *x, expand_status st, const char *at, size_t len,
                          const char *fmt, ...)
{
    expand_error *e = x->err;
    if (e->status != EXPAND_OK)
        return e->status;
    strbuf b;
    sb_init(&b);
    va_list ap;
    va_start(ap, fmt);
    char *m = NULL;
    if (vasprintf(&m, fmt, ap) < 0)
        fatal("out of memory");
    va_end(ap);
    sb_adds(&b, m);
    free(m);
    e->status = st;
    e->msg = sb_take(&b);
    if (at && x->top && at >= x->top && at <= x->top + x->toplen) {
        e->in_top = 1;
        e->off = (size_t)(at - x->top);
        e->len = len;
    }
    return st;
}

/* "...PREV>>>REST": PREV is the last {value} with its closing brace. */
static expand_status fail_at(xp *x, const char *what, slice prev, const char *cur, const char *end)
{
    return fail(x, EXPAND_SYNTAX, cur, (size_t)(end - cur), "%s at: \"...%.*s>>>%.*s\"", what,
                (int)prev.n, prev.s, (int)(end - cur), cur);
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && is_space(*p))
        p++;
    return p;
}

/* p at '{': the content up to the matching '}' (nesting counted). */
static int braced(const char *p, const char *end, slice *content, const char **after)
{
    int depth = 0;
    for (const char *q = p; q < end; q++) {
        if (*q == '{')
            depth++;
        else if (*q == '}' && --depth == 0) {
            content->s = p + 1;
            content->n = (size_t)(q - p - 1);
            *after = q + 1;
            return 1;
        }
    }
    return 0;
}

static expand_status parse(xp *x, slice t, strbuf *out);

static int stack_find(const xp *x, const char *name)
{
    for (size_t i = 0; i < x->depth; i++)
        if (strcmp(x->stack[i], name) == 0)
            return (int)i;
    return -1;
}

static void stack_push(xp *x, const char *name)
{
    xgrow(&x->stack, &x->cap, x->depth + 1, sizeof *x->stack);
    x->stack[x->depth++] = name;
}

static expand_status loop_error(xp *x, const char *name, int first, const char *at, size_t len)
{
    /* Postfix counts nested expansions and gives up past its limit; it
     * names the parameter it was about to expand at that point. */
    size_t k = x->depth, i = first >= 0 ? (size_t)first : k;
    size_t limit = EXPAND_MAX_DEPTH + 2;
    const char *shown = name;
    if (first >= 0 && limit >= i) {
        size_t period = k - i;
        size_t step = i + (limit - i) % period;
        shown = step < k ? x->stack[step] : name;
    }
    expand_status st = fail(x, EXPAND_LOOP, at, len, "unreasonable macro call nesting: \"%s\"", shown);
    expand_error *e = x->err;
    if (!e->chain) {
        e->chain = xcalloc(k + 1, sizeof *e->chain);
        for (size_t j = 0; j < k; j++)
            e->chain[j] = xstrdup(x->stack[j]);
        e->chain[k] = xstrdup(name);
        e->nchain = k + 1;
        e->loop_start = i;
    }
    return st;
}

/* Expand the value of a named parameter (recursively). */
static expand_status expand_named(xp *x, const char *name, const char *at, size_t len, strbuf *out)
{
    int first = stack_find(x, name);
    if (first >= 0 || x->depth > EXPAND_MAX_DEPTH)
        return loop_error(x, name, first, at, len);
    const char *v = x->lookup(x->ctx, name);
    if (!v)
        return EXPAND_OK;
    stack_push(x, name);
    const char *save_top = x->top;
    x->top = NULL;      /* offsets are only meaningful in the top-level text */
    expand_status st = parse(x, (slice){ v, strlen(v) }, out);
    x->top = save_top;
    x->depth--;
    return st;
}

static expand_status reference(xp *x, slice name, const char *at, size_t len, strbuf *out)
{
    char *n = xstrndup(name.s, name.n);
    expand_status st = EXPAND_OK;
    if (x->ref) {
        if (x->top)
            x->ref(x->refctx, n, (size_t)(at - x->top), len);
    } else {
        st = expand_named(x, n, at, len, out);
    }
    free(n);
    return st;
}

static const char *lookup_raw(xp *x, slice name)
{
    char *n = xstrndup(name.s, name.n);
    const char *v = x->lookup(x->ctx, n);
    free(n);
    return v;
}

/* After the test of a conditional (at '?' or ':'): parse the branches and
 * expand the chosen one. truth: the test's result (ignored when scanning). */
static expand_status branches(xp *x, char op, int truth, slice prev, const char *p,
                              const char *end, strbuf *out)
{
    slice v1 = { NULL, 0 }, v2 = { NULL, 0 };
    int have1 = 0, have2 = 0;
    p = skip_ws(p, end);
    const char *after;
    if (p < end && *p == '{') {
        if (!braced(p, end, &v1, &after))
            return fail(x, EXPAND_SYNTAX, p, (size_t)(end - p),
                        "unmatched \"{\" at: \"%.*s\"", (int)(end - p), p);
        have1 = 1;
        prev = (slice){ v1.s, v1.n + 1 };
        p = skip_ws(after, end);
        if (p < end) {
            if (op == '?' && *p == ':') {
                p = skip_ws(p + 1, end);
                if (p < end && *p == '{') {
                    if (!braced(p, end, &v2, &after))
                        return fail(x, EXPAND_SYNTAX, p, (size_t)(end - p),
                                    "unmatched \"{\" at: \"%.*s\"", (int)(end - p), p);
                    prev = (slice){ v2.s, v2.n + 1 };
                    p = skip_ws(after, end);
                    if (p < end)
                        return fail_at(x, "unexpected input", prev, p, end);
                } else {
                    v2 = (slice){ p, (size_t)(end - p) };
                }
                have2 = 1;
            } else if (op == '?') {
                return fail_at(x, "\":\" expected", prev, p, end);
            } else {
                return fail_at(x, "unexpected input", prev, p, end);
            }
        }
    } else {
        v1 = (slice){ p, (size_t)(end - p) };
        have1 = 1;
    }
    if (op == ':') {        /* ${name:value}: value when the test is false */
        v2 = v1;
        have2 = have1;
        have1 = 0;
    }
    if (x->ref) {
        expand_status st = have1 ? parse(x, v1, out) : EXPAND_OK;
        if (st == EXPAND_OK && have2)
            st = parse(x, v2, out);
        return st;
    }
    if (truth && have1)
        return parse(x, v1, out);
    if (!truth && have2)
        return parse(x, v2, out);
    return EXPAND_OK;
}

int expand_parse_level(const char *s, size_t n, long v[3])
{
    v[0] = v[1] = v[2] = 0;
    size_t i = 0;
    for (int part = 0; part < 3; part++) {
        if (i >= n || !isdigit((unsigned char)s[i]))
            return -1;
        long val = 0;
        while (i < n && isdigit((unsigned char)s[i])) {
            if (val > 100000000)
                return -1;
            val = val * 10 + (s[i++] - '0');
        }
        v[part] = val;
        if (i == n)
            return 0;
        if (s[i] != '.')
            return -1;
        i++;
    }
    return -1;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

enum relop { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

static int parse_op(const char *p, const char *end, enum relop *op, int *level, const char **after)
{
    static const struct { const char *s; enum relop op; } ops[] = {
        { "==", OP_EQ }, { "!=", OP_NE }, { "<=", OP_LE }, { ">=", OP_GE },
        { "<", OP_LT }, { ">", OP_GT },
    };
    const char *q = p;
    while (q < end && strchr("=!<>", *q))
        q++;
    size_t n = (size_t)(q - p);
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        if (strlen(ops[i].s) != n || memcmp(ops[i].s, p, n) != 0)
            continue;
        *op = ops[i].op;
        *level = 0;
        if ((size_t)(end - q) >= 5 && memcmp(q, "level", 5) == 0) {
            *level = 1;
            q += 5;
        }
        *after = q;
        return 1;
    }
    return 0;
}

static expand_status compare(xp *x, enum relop op, int level, const char *a, const char *b, int *truth)
{
    int c;
    if (level) {
        long va[3], vb[3];
        if (expand_parse_level(a, strlen(a), va) < 0)
            return fail(x, EXPAND_SYNTAX, NULL, 0, "malformed compatibility level syntax: \"%s\"", a);
        if (expand_parse_level(b, strlen(b), vb) < 0)
            return fail(x, EXPAND_SYNTAX, NULL, 0, "malformed compatibility level syntax: \"%s\"", b);
        c = 0;
        for (int i = 0; i < 3 && c == 0; i++)
            c = va[i] < vb[i] ? -1 : va[i] > vb[i];
    } else if (all_digits(a) && all_digits(b)) {
        const char *s[2] = { a, b };
        unsigned long v[2];
        for (int i = 0; i < 2; i++) {
            errno = 0;
            v[i] = strtoul(s[i], NULL, 10);
            if (errno == ERANGE)
                return fail(x, EXPAND_FATAL, NULL, 0, "mac_exp_eval: bad conversion: %s", s[i]);
        }
        c = v[0] < v[1] ? -1 : v[0] > v[1];
    } else {
        c = strcmp(a, b);
        c = c < 0 ? -1 : c > 0;
    }
    switch (op) {
    case OP_EQ: *truth = c == 0; break;
    case OP_NE: *truth = c != 0; break;
    case OP_LT: *truth = c < 0; break;
    case OP_LE: *truth = c <= 0; break;
    case OP_GT: *truth = c > 0; break;
    case OP_GE: *truth = c >= 0; break;
    }
    return EXPAND_OK;
}

/* ${{a} op {b} ...}: p at the first '{'. */
static expand_status relational(xp *x, const char *p, const char *end, strbuf *out)
{
    slice a, b;
    const char *after;
    if (!braced(p, end, &a, &after))
        return fail(x, EXPAND_SYNTAX, p, (size_t)(end - p), "unmatched \"{\" at: \"%.*s\"",
                    (int)(end - p), p);
    slice prev = { a.s, a.n + 1 };
    p = skip_ws(after, end);
    enum relop op;
    int level;
    if (!parse_op(p, end, &op, &level, &after))
        return fail_at(x, "\"==\" or \"!=\"\" or \"<\"\" or \"<=\"\" or \">=\"\" or \">\" expected",
                       prev, p, end);
    p = skip_ws(after, end);
    if (p >= end || *p != '{')
        return fail_at(x, "\"{\" expected", prev, p, end);
    if (!braced(p, end, &b, &after))
        return fail(x, EXPAND_SYNTAX, p, (size_t)(end - p), "unmatched \"{\" at: \"%.*s\"",
                    (int)(end - p), p);
    prev = (slice){ b.s, b.n + 1 };
    p = skip_ws(after, end);
    int truth = 0;
    if (x->ref) {
        expand_status st = parse(x, a, NULL);
        if (st == EXPAND_OK)
            st = parse(x, b, NULL);
        if (st != EXPAND_OK)
            return st;
    } else {
        strbuf ea, eb;
        sb_init(&ea);
        sb_init(&eb);
        expand_status st = parse(x, a, &ea);
        if (st == EXPAND_OK)
            st = parse(x, b, &eb);
        if (st == EXPAND_OK)
            st = compare(x, op, level, sb_str(&ea), sb_str(&eb), &truth);
        sb_free(&ea);
        sb_free(&eb);
        if (st != EXPAND_OK)
            return st;
    }
    if (p >= end) {
        if (truth && out)
            sb_adds(out, "true");
        return EXPAND_OK;
    }
    if (*p != '?')
        return fail_at(x, "\"?\" expected", prev, p, end);
    return branches(x, '?', truth, prev, p + 1, end, out);
}

/* The inside of ${...} or $(...): `whole` is the reference from '$'. */
static expand_status inside(xp *x, slice whole, const char *p, const char *end, strbuf *out)
{
    p = skip_ws(p, end);
    if (p < end && *p == '{')
        return relational(x, p, end, out);
    const char *q = p;
    while (q < end && is_name_char(*q))
        q++;
    slice name = { p, (size_t)(q - p) };
    if (name.n == 0)
        return fail(x, EXPAND_SYNTAX, whole.s, whole.n, "empty macro name: \"%.*s\"",
                    (int)whole.n, whole.s);
    q = skip_ws(q, end);
    if (q >= end)
        return reference(x, name, whole.s, whole.n, out);
    if (*q != '?' && *q != ':')
        return fail_at(x, "unexpected input", (slice){ p, name.n }, q, end);
    if (x->ref) {
        expand_status st = reference(x, name, whole.s, whole.n, NULL);
        if (st != EXPAND_OK)
            return st;
        return branches(x, *q, 0, (slice){ p, name.n }, q + 1, end, out);
    }
    const char *v = lookup_raw(x, name);
    int truth = v && *v;
    return branches(x, *q, *q == '?' ? truth : truth, (slice){ p, name.n }, q + 1, end, out);
}

static expand_status parse(xp *x, slice t, strbuf *out)
{
    const char *p = t.s, *end = t.s + t.n;
    while (p < end) {
        const char *d = memchr(p, '$', (size_t)(end - p));
        if (!d) {
            if (out)
                sb_addn(out, p, (size_t)(end - p));
            break;
        }
        if (out)
            sb_addn(out, p, (size_t)(d - p));
        if (d + 1 >= end)
            return fail(x, EXPAND_SYNTAX, d, 1, "empty macro name: \"%.*s\"", (int)t.n, t.s);
        char c = d[1];
        if (c == '$') {
            if (out)
                sb_addc(out, '$');
            p = d + 2;
        } else if (c == '{' || c == '(') {
            char close = c == '{' ? '}' : ')';
            int depth = 0;
            const char *q = d + 1;
            for (; q < end; q++) {
                if (*q == c)
                    depth++;
                else if (*q == close && --depth == 0)
                    break;
            }
            if (q >= end)
                return fail(x, EXPAND_SYNTAX, d, (size_t)(end - d),
                            "truncated macro reference: \"%.*s\"", (int)(end - d), d);
            slice whole = { d, (size_t)(q + 1 - d) };
            expand_status st = inside(x, whole, d + 2, q, out);
            if (st != EXPAND_OK)
                return st;
            p = q + 1;
        } else if (is_name_char(c)) {
            const char *q = d + 1;
            while (q < end && is_name_char(*q))
                q++;
            expand_status st = reference(x, (slice){ d + 1, (size_t)(q - d - 1) }, d,
                                         (size_t)(q - d), out);
            if (st != EXPAND_OK)
                return st;
            p = q;
        } else {
            return fail(x, EXPAND_SYNTAX, d, 2, "empty macro name: \"%.*s\"", (int)t.n, t.s);
        }
    }
    return EXPAND_OK;
}

static void err_init(expand_error *err)
{
    memset(err, 0, sizeof *err);
}

expand_status expand_text(const char *text, expand_lookup_fn lookup, void *ctx, strbuf *out,
                          expand_error *err)
{
    err_init(err);
    xp x = { .lookup = lookup, .ctx = ctx, .top = text, .toplen = strlen(text), .err = err };
    expand_status st = parse(&x, (slice){ text, x.toplen }, out);
    free(x.stack);
    return st;
}

expand_status expand_param(const char *name, expand_lookup_fn lookup, void *ctx, strbuf *out,
                           expand_error *err)
{
    err_init(err);
    xp x = { .lookup = lookup, .ctx = ctx, .err = err };
    const char *v = lookup(ctx, name);
    expand_status st = EXPAND_OK;
    if (v) {
        x.top = v;
        x.toplen = strlen(v);
        stack_push(&x, name);
        st = parse(&x, (slice){ v, x.toplen }, out);
    }
    free(x.stack);
    return st;
}

expand_status expand_scan(const char *text, expand_ref_fn ref, void *ctx, expand_error *err)
{
    err_init(err);
    xp x = { .ref = ref, .refctx = ctx, .top = text, .toplen = strlen(text), .err = err };
    return parse(&x, (slice){ text, x.toplen }, NULL);
}

void expand_error_free(expand_error *err)
{
    free(err->msg);
    for (size_t i = 0; i < err->nchain; i++)
        free(err->chain[i]);
    free(err->chain);
    memset(err, 0, sizeof *err);
}
