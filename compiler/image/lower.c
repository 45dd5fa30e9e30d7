/* lower.c: restriction lists (smtpd_*_restrictions and the classes of
 * smtpd_restriction_classes) lowered to programs of opcodes
 * (stdlib/image/opcodes.def), one instruction per restriction word, each
 * with the file, line and column of its word.
 *
 * Words are split as Postfix 3.7 splits a restriction list (commas and
 * whitespace separate, braces group) and read as smtpd reads them:
 *   - a built-in name (any case), or an older name it still accepts
 *     (old_names.def: lowered to the current opcode, IMG_IF_DEPRECATED);
 *     check_*_access takes the next word as a table, the DNS lists a
 *     domain with an optional =filter, sleep a number, check_policy_service
 *     an endpoint or a { endpoint, attributes } group;
 *   - a class name (case matters): a call of the class's program;
 *   - a word with ':' (a table named alone): the list's own access check
 *     (client, helo, sender, recipient for relay, etrn), or (table) in a
 *     class, whose check depends on the list that calls it;
 *   - anything else, and an operand that is missing or not of its kind,
 *     is (unknown): the runtime answers 451 4.3.5 as Postfix does.
 * A DNS list without its domain gets an empty one: Postfix logs a warning
 * and goes on. */
#include "compiler/image/emit.h"
#include "compiler/registry.h"
#include "stdlib/image/image.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/pfvalue.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const top_lists[] = {
    "smtpd_client_restrictions", "smtpd_helo_restrictions", "smtpd_sender_restrictions",
    "smtpd_relay_restrictions", "smtpd_recipient_restrictions", "smtpd_data_restrictions",
    "smtpd_end_of_data_restrictions", "smtpd_etrn_restrictions",
};

/* The check a table named alone means in each list (-1: none, 451). */
static const int top_default[] = {
    IMG_OP_CHECK_CLIENT_ACCESS, IMG_OP_CHECK_HELO_ACCESS, IMG_OP_CHECK_SENDER_ACCESS,
    IMG_OP_CHECK_RECIPIENT_ACCESS, IMG_OP_CHECK_RECIPIENT_ACCESS, -1, -1,
    IMG_OP_CHECK_ETRN_ACCESS,
};

static const struct old_name {
    const char *name;
    int         op;
    int         maps_rbl;
} old_names[] = {
#define IMG_OLD(name, op, how, note) { name, op, how },
#include "compiler/image/old_names.def"
#undef IMG_OLD
};

static const struct old_name *old_find(const char *word)
{
    for (size_t i = 0; i < sizeof old_names / sizeof *old_names; i++)
        if (strcasecmp(old_names[i].name, word) == 0)
            return &old_names[i];
    return NULL;
}

/* Index in top_lists, or -1. */
static int top_index(const char *name)
{
    for (size_t i = 0; i < sizeof top_lists / sizeof *top_lists; i++)
        if (strcmp(top_lists[i], name) == 0)
            return (int)i;
    return -1;
}

/* The expanded value of a parameter in the context being emitted ("" if none). */
static const char *value_of(const emit_ctx *e, const char *name)
{
    const char *v = NULL;
    if (e->value)
        v = e->value(e->value_ctx, name);
    else if (e->globals)
        v = emit_global_value(e, name);
    return v ? v : "";
}

static int is_class(const emit_ctx *e, const char *name)
{
    const char *v = value_of(e, "smtpd_restriction_classes");
    size_t pos = 0, start, len, nl = strlen(name);
    while (pf_word_next(v, &pos, &start, &len))
        if (len == nl && memcmp(v + start, name, len) == 0)
            return 1;
    return 0;
}

/* A class named after a built-in parameter (Postfix allows it) keeps the
 * parameter's own type; calls to it still get the class's program. */
int emit_is_restriction_list(const emit_ctx *e, const char *name)
{
    return top_index(name) >= 0 || (is_class(e, name) && !registry_find(name));
}

/* ---- where words come from ---------------------------------------------- */

/* One word of the expanded value, and the source location it came from. */
typedef struct word {
    char *text;
    loc   at;
} word;

/* The main.cf setting whose value is at `at`, or NULL. */
static const cf_setting *setting_at(const config *c, loc at)
{
    for (size_t i = 0; i < c->main.n; i++) {
        loc v = c->main.v[i].value_loc;
        if (v.file == at.file && v.off == at.off && v.len == at.len)
            return &c->main.v[i];
    }
    return NULL;
}

/* The master.cf -o whose value is at `at`, or NULL. */
static const ms_override *override_at(const config *c, loc at)
{
    for (size_t i = 0; i < c->master.n; i++)
        for (size_t k = 0; k < c->master.v[i].noverrides; k++) {
            const ms_override *o = &c->master.v[i].overrides[k];
            if (o->value_loc.file == at.file && o->value_loc.off == at.off)
                return o;
        }
    return NULL;
}

/* Maps byte offsets of the unexpanded text of a value to the file. */
typedef struct origin {
    const config     *c;
    loc               at;     /* the whole value */
    const char       *text;   /* unexpanded, NULL when unknown */
    const cf_setting *s;      /* main.cf: through its pieces */
    int               direct; /* the text is in the file as is, at at.off */
} origin;

static void origin_init(origin *o, const config *c, loc at)
{
    memset(o, 0, sizeof *o);
    o->c = c;
    o->at = at;
    if (at.file < 0)
        return;
    if ((o->s = setting_at(c, at)) != NULL) {
        o->text = o->s->value;
        return;
    }
    const ms_override *ov = override_at(c, at);
    const src_file *f = src_get(&c->src, at.file);
    if (ov && f && f->text) {
        size_t n = strlen(ov->value);
        o->text = ov->value;
        o->direct = at.off + n <= f->len && memcmp(f->text + at.off, ov->value, n) == 0;
    }
}

static loc origin_loc(const origin *o, size_t off, size_t len)
{
    if (o->s)
        return cf_value_loc(o->s, off, len);
    if (o->direct)
        return loc_make(o->at.file, o->at.off + off, len);
    return o->at;
}

/* "$name", "${name}" or "$(name)": the name (malloc'ed), else NULL. */
static char *bare_ref(const char *w, size_t len)
{
    if (len < 2 || w[0] != '$')
        return NULL;
    size_t a = 1, b = len;
    if ((w[1] == '{' && w[len - 1] == '}') || (w[1] == '(' && w[len - 1] == ')')) {
        a = 2;
        b = len - 1;
    }
    if (a >= b)
        return NULL;
    for (size_t i = a; i < b; i++)
        if (!isalnum((unsigned char)w[i]) && w[i] != '_')
            return NULL;
    return xstrndup(w + a, b - a);
}

static size_t count_words(const char *v)
{
    size_t pos = 0, start, len, n = 0;
    while (v && pf_word_next(v, &pos, &start, &len))
        n++;
    return n;
}

/* Locations of the words of the expanded value when it was written with
 * $name: a word written as is points at itself, the words of "$name" at
 * "$name". Only when every token can be accounted for (a bare $name by the
 * words of its value, any other token with '$' as one word) and the
 * literal ones match; otherwise every word keeps the whole value. */
static void align(const emit_ctx *e, const origin *o, word *w, size_t n)
{
    if (!o->text || !e->value)
        return;
    loc *at = xcalloc(n + 1, sizeof *at);
    size_t pos = 0, start, len, k = 0;
    int ok = 1;
    while (ok && pf_word_next(o->text, &pos, &start, &len)) {
        const char *t = o->text + start;
        loc here = origin_loc(o, start, len);
        char *ref = bare_ref(t, len);
        size_t m = ref ? count_words(e->value(e->value_ctx, ref)) : 1;
        free(ref);
        if (k + m > n) {
            ok = 0;
            break;
        }
        if (!memchr(t, '$', len) && (strlen(w[k].text) != len || memcmp(w[k].text, t, len)))
            ok = 0;
        for (size_t i = 0; i < m; i++)
            at[k++] = here;
    }
    if (ok && k == n)
        for (size_t i = 0; i < n; i++)
            w[i].at = at[i];
    free(at);
}

/* The words of value, each with its location. */
static word *words_of(const emit_ctx *e, const char *value, loc at, const char *raw, size_t *n)
{
    origin o;
    origin_init(&o, e->c, at);
    word *w = NULL;
    size_t cap = 0, pos = 0, start, len;
    *n = 0;
    int mapped = raw && o.text && strcmp(raw, value) == 0 && strcmp(o.text, raw) == 0;
    while (pf_word_next(value, &pos, &start, &len)) {
        xgrow(&w, &cap, *n + 1, sizeof *w);
        w[*n].text = xstrndup(value + start, len);
        w[*n].at = mapped ? origin_loc(&o, start, len) : at;
        (*n)++;
    }
    if (!mapped)
        align(e, &o, w, *n);
    return w;
}

/* ---- operands -------------------------------------------------------------- */

static int table_word(const char *w)
{
    return strchr(w, ':') || w[0] == '{';
}

/* sleep's number: digits only; the value as Postfix's atoi gives it
 * (saturated at the largest long, then truncated to 32 bits). */
static int seconds_of(const char *w, uint32_t *out)
{
    if (!*w)
        return 0;
    uint64_t x = 0;
    for (const char *p = w; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return 0;
        x = x > (INT64_MAX - 9) / 10 ? (uint64_t)INT64_MAX : x * 10 + (uint64_t)(*p - '0');
    }
    *out = (uint32_t)x;
    return 1;
}

/* check_policy_service's operand: "transport:endpoint", or a group
 * "{ transport:endpoint, name=value, ... }" (b: the attributes, in braces). */
static int service_of(const char *w, char **endpoint, char **attrs)
{
    *endpoint = *attrs = NULL;
    if (w[0] != '{') {
        if (!strchr(w, ':'))
            return 0;
        *endpoint = xstrdup(w);
        *attrs = xstrdup("");
        return 1;
    }
    size_t n = strlen(w);
    if (n < 2 || w[n - 1] != '}')
        return 0;
    char *inner = xstrndup(w + 1, n - 2);
    size_t pos = 0, start, len;
    int ok = pf_word_next(inner, &pos, &start, &len) && memchr(inner + start, ':', len) &&
             inner[start] != '{';
    if (ok) {
        *endpoint = xstrndup(inner + start, len);
        size_t a = pos;
        while (inner[a] && strchr(", \t\r\n", inner[a]))
            a++;
        size_t b = strlen(inner);
        while (b > a && strchr(" \t\r\n", inner[b - 1]))
            b--;
        strbuf s;
        sb_init(&s);
        if (b > a)
            sb_addf(&s, "{ %.*s }", (int)(b - a), inner + a);
        *attrs = s.s ? sb_take(&s) : xstrdup("");
    }
    free(inner);
    return ok;
}

/* ---- programs ---------------------------------------------------------------- */

typedef struct insns {
    img_insn *v;
    size_t    n, cap;
} insns;

static img_insn *add(emit_ctx *e, insns *out, unsigned op, unsigned flags, loc at)
{
    xgrow(&out->v, &out->cap, out->n + 1, sizeof *out->v);
    img_insn *x = &out->v[out->n++];
    memset(x, 0, sizeof *x);
    x->op = (uint16_t)op;
    x->flags = (uint16_t)flags;
    if (at.file >= 0) {
        unsigned line, col;
        src_linecol(&e->c->src, at.file, at.off, &line, &col);
        x->file = emit_file(e, at.file);
        x->line = line;
        x->col = col;
    }
    return x;
}

static void unknown(emit_ctx *e, insns *out, const word *w)
{
    add(e, out, IMG_OP_UNKNOWN, 0, w->at)->a = imgw_str(e->w, w->text);
}

/* The domain operand "domain[=filter]" of a DNS list. */
static void set_domain(emit_ctx *e, img_insn *x, const char *d)
{
    const char *eq = strchr(d, '=');
    char *name = eq ? xstrndup(d, (size_t)(eq - d)) : xstrdup(d);
    x->a = imgw_str(e->w, name);
    x->b = imgw_str(e->w, eq ? eq : "");
    free(name);
}

/* Where class `name` is set in the current context (the service's last
 * -o of it, else main.cf), and its text when it has no $name. Returns 0
 * when it is not set there (a built-in parameter's default). */
static int class_origin(const emit_ctx *e, const char *name, loc *at, const char **raw)
{
    *at = LOC_NONE;
    *raw = NULL;
    const master_service *svc = e->service;
    for (size_t k = svc ? svc->noverrides : 0; k-- > 0;)
        if (strcmp(svc->overrides[k].name, name) == 0) {
            *at = svc->overrides[k].value_loc;
            *raw = strchr(svc->overrides[k].value, '$') ? NULL : svc->overrides[k].value;
            return 1;
        }
    const cf_setting *s = maincf_find(&e->c->main, name);
    if (!s)
        return 0;
    *at = s->value_loc;
    *raw = strchr(s->value, '$') ? NULL : s->value;
    return 1;
}

static void lower_words(emit_ctx *e, int list, word *w, size_t n, insns *out)
{
    for (size_t i = 0; i < n; i++) {
        const word *cur = &w[i];
        const word *next = i + 1 < n ? &w[i + 1] : NULL;
        unsigned flags = 0;
        const struct old_name *old = old_find(cur->text);
        int op = old ? old->op : img_op_lookup(cur->text);
        if (old)
            flags |= IMG_IF_DEPRECATED;
        if (old && old->maps_rbl) {
            const char *v = value_of(e, "maps_rbl_domains");
            size_t pos = 0, start, len, k = 0;
            while (pf_word_next(v, &pos, &start, &len)) {
                char *d = xstrndup(v + start, len);
                set_domain(e, add(e, out, (unsigned)op, flags, cur->at), d);
                free(d);
                k++;
            }
            if (!k)
                set_domain(e, add(e, out, (unsigned)op, flags, cur->at), "");
            continue;
        }
        if (op < 0) {
            loc cat;
            const char *craw;
            if (is_class(e, cur->text)) {
                if (!*value_of(e, cur->text)) {
                    /* unset or empty: Postfix's smtpd stops ("restriction
                     * class needs a definition"); here the word fails */
                    unknown(e, out, cur);
                    continue;
                }
                class_origin(e, cur->text, &cat, &craw);
                uint32_t p = emit_program(e, cur->text, value_of(e, cur->text), cat, craw);
                add(e, out, IMG_OP_CALL, 0, cur->at)->a = p;
            } else if (strchr(cur->text, ':')) {
                int dflt = list >= 0 ? top_default[list] : IMG_OP_CLASS_TABLE;
                if (dflt < 0)
                    unknown(e, out, cur);
                else
                    add(e, out, (unsigned)dflt, 0, cur->at)->a =
                        emit_table(e, cur->text, cur->at, EMIT_TABLE_POSTMAP);
            } else {
                unknown(e, out, cur);
            }
            continue;
        }
        img_insn *x;
        uint32_t secs;
        char *endpoint, *attrs;
        switch (img_op_operands((unsigned)op)) {
        case IMG_OPND_TABLE:
            if (!next || !table_word(next->text)) {
                unknown(e, out, cur);
                break;
            }
            x = add(e, out, (unsigned)op, flags, cur->at);
            x->a = emit_table(e, next->text, next->at, EMIT_TABLE_POSTMAP);
            i++;
            break;
        case IMG_OPND_DOMAIN:
            x = add(e, out, (unsigned)op, flags, cur->at);
            set_domain(e, x, next ? next->text : "");
            i += next != NULL;
            break;
        case IMG_OPND_SECONDS:
            if (!next || !seconds_of(next->text, &secs)) {
                unknown(e, out, cur);
                break;
            }
            add(e, out, (unsigned)op, flags, cur->at)->a = secs;
            i++;
            break;
        case IMG_OPND_SERVICE:
            if (!next || !service_of(next->text, &endpoint, &attrs)) {
                unknown(e, out, cur);
                break;
            }
            x = add(e, out, (unsigned)op, flags, cur->at);
            x->a = imgw_str(e->w, endpoint);
            x->b = imgw_str(e->w, attrs);
            free(endpoint);
            free(attrs);
            i++;
            break;
        default:
            add(e, out, (unsigned)op, flags, cur->at);
            break;
        }
    }
}

/* What lowering reads besides the list itself: the classes and their
 * values, $maps_rbl_domains. add(ctx, name, value) for each. */
static void each_dependency(const emit_ctx *e, const char *(*get)(const emit_ctx *, const char *),
                            void (*fn)(void *, const char *, const char *), void *ctx)
{
    static const char *const params[] = { "smtpd_restriction_classes", "maps_rbl_domains" };
    for (size_t i = 0; i < 2; i++)
        fn(ctx, params[i], get(e, params[i]));
    const char *classes = get(e, "smtpd_restriction_classes");
    size_t pos = 0, start, len;
    while (pf_word_next(classes, &pos, &start, &len)) {
        char *c = xstrndup(classes + start, len);
        fn(ctx, c, get(e, c));
        free(c);
    }
}

static const char *global_of(const emit_ctx *e, const char *name)
{
    const char *v = e->globals ? emit_global_value(e, name) : NULL;
    return v ? v : "";
}

struct differs { const emit_ctx *e; int yes; };

static void differs_one(void *ctx, const char *name, const char *value)
{
    struct differs *d = ctx;
    d->yes |= strcmp(value, global_of(d->e, name)) != 0;
}

int emit_lowering_differs(const emit_ctx *e)
{
    struct differs d = { e, 0 };
    each_dependency(e, value_of, differs_one, &d);
    each_dependency(e, global_of, differs_one, &d);
    return d.yes;
}

static void key_one(void *ctx, const char *name, const char *value)
{
    sb_addf(ctx, "\n%s=%s", name, value);
}

uint32_t emit_program(emit_ctx *e, const char *name, const char *value, loc at,
                      const char *raw)
{
    /* programs are shared when they would be lowered the same */
    strbuf key;
    sb_init(&key);
    sb_addf(&key, "%s=%s", name, value);
    each_dependency(e, value_of, key_one, &key);
    for (size_t i = 0; i < e->nprograms; i++)
        if (strcmp(e->programs[i].name, key.s) == 0) {
            sb_free(&key);
            return e->programs[i].index;
        }
    /* reserve the index first: a class that calls itself finds it */
    img_program p;
    memset(&p, 0, sizeof p);
    p.name = imgw_str(e->w, name);
    if (at.file >= 0) {
        unsigned line, col;
        src_linecol(&e->c->src, at.file, at.off, &line, &col);
        p.file = emit_file(e, at.file);
        p.line = line;
    }
    uint32_t idx = imgw_append(e->w, IMG_SEC_PROGRAMS, &p, 1);
    xgrow(&e->programs, &e->capprograms, e->nprograms + 1, sizeof *e->programs);
    e->programs[e->nprograms].name = sb_take(&key);
    e->programs[e->nprograms++].index = idx;

    size_t n;
    word *w = words_of(e, value, at, raw, &n);
    insns out = { 0 };
    lower_words(e, top_index(name), w, n, &out);
    /* the body is appended whole, after the programs it calls */
    img_program *rec = imgw_at(e->w, IMG_SEC_PROGRAMS, idx);
    rec->first = out.n ? imgw_append(e->w, IMG_SEC_INSNS, out.v, out.n)
                       : imgw_count(e->w, IMG_SEC_INSNS);
    rec->count = (uint32_t)out.n;
    for (size_t i = 0; i < n; i++)
        free(w[i].text);
    free(w);
    free(out.v);
    return idx;
}
