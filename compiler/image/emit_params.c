/* emit_params.c: every parameter resolved and typed, once globally
 * (PARAMS, sorted by name) and, for each master.cf service with -o
 * overrides, the values that differ in that service (SVC_PARAMS). The
 * names are those `postconf` knows for this configuration (paramset.h):
 * built-in, per-service and user-defined. Values are expanded in their
 * context (compiler/paramenv.h), then typed: booleans, integers, times
 * in seconds, lists split, table lists as table indexes, restriction
 * lists as programs. */
#include "compiler/image/emit.h"
#include "compiler/tables/tables.h"
#include "compiler/paramenv.h"
#include "compiler/registry.h"
#include "compiler/table_refs.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/pfvalue.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct cached {
    char *name, *value;
} cached;

/* One context: the environment and the expanded values asked so far. */
typedef struct pctx {
    emit_ctx  *e;
    param_env  env;
    cached    *cache;
    size_t     ncache, capcache;
    uint32_t  *slots;       /* open addressing over cache: index + 1, 0 empty */
    size_t     nslots;      /* a power of two, at least twice ncache */
} pctx;

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

/* The slot of name: where it is, or the empty slot where it goes. */
static uint32_t *cache_slot(pctx *p, const char *name)
{
    size_t m = p->nslots - 1, i = name_hash(name) & m;
    while (p->slots[i] && strcmp(p->cache[p->slots[i] - 1].name, name) != 0)
        i = (i + 1) & m;
    return &p->slots[i];
}

static void cache_grow(pctx *p)
{
    free(p->slots);
    p->nslots = p->nslots ? p->nslots * 2 : 1024;
    p->slots = xcalloc(p->nslots, sizeof *p->slots);
    for (size_t i = 0; i < p->ncache; i++)
        *cache_slot(p, p->cache[i].name) = (uint32_t)i + 1;
}

struct emit_globals {
    paramset ps;
    char   **names;         /* sorted, unique */
    size_t   nnames, capnames;
    char   **text;          /* global expanded value of names[i] */
    char   **alias_specs;   /* the tables of alias_maps / alias_database */
    size_t   nalias;
};

/* The expanded value of name in the context (cached for its life). */
static const char *ctx_value(void *vctx, const char *name)
{
    pctx *p = vctx;
    if (2 * (p->ncache + 1) > p->nslots)
        cache_grow(p);
    uint32_t *slot = cache_slot(p, name);
    if (*slot)
        return p->cache[*slot - 1].value;
    strbuf b;
    sb_init(&b);
    if (paramset_raw(name) || emit_runtime_template(name)) {
        const char *raw = param_env_raw(&p->env, name);
        sb_adds(&b, raw ? raw : "");
    } else {
        expand_error err;
        param_env_expand(&p->env, name, &b, &err);
        expand_error_free(&err);
    }
    xgrow(&p->cache, &p->capcache, p->ncache + 1, sizeof *p->cache);
    p->cache[p->ncache].name = xstrdup(name);
    p->cache[p->ncache].value = b.s ? sb_take(&b) : xstrdup("");
    p->ncache++;
    if (2 * p->ncache > p->nslots)   /* expanding may have added names */
        cache_grow(p);
    else
        *cache_slot(p, name) = (uint32_t)p->ncache;
    return p->cache[p->ncache - 1].value;
}

static void ctx_init(pctx *p, emit_ctx *e, const char *const *on, const char *const *ov, size_t no)
{
    memset(p, 0, sizeof *p);
    p->e = e;
    param_env_init(&p->env, &e->c->main, &e->globals->ps, on, ov, no);
    /* the runtime's process id and name, not mtacc's, stay "$process_id" */
    p->env.runtime_names = 1;
    e->value = ctx_value;
    e->value_ctx = p;
}

static void ctx_free(pctx *p)
{
    for (size_t i = 0; i < p->ncache; i++) {
        free(p->cache[i].name);
        free(p->cache[i].value);
    }
    free(p->cache);
    free(p->slots);
    param_env_free(&p->env);
    p->e->value = NULL;
    p->e->value_ctx = NULL;
}

/* Values the runtime expands itself, with the session's macros
 * ($client_address, $rbl_code, ...) as well as parameters: stored as
 * written. */
int emit_runtime_template(const char *name)
{
    static const char *const names[] = { "smtpd_reject_footer", "postscreen_reject_footer",
                                         "default_rbl_reply" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

/* ---- splitting ----------------------------------------------------------- */

void emit_split(const char *v, char ***out, size_t *n)
{
    size_t cap = 0, pos = 0, start, len;
    *out = NULL;
    *n = 0;
    while (pf_word_next(v, &pos, &start, &len)) {
        xgrow(out, &cap, *n + 1, sizeof **out);
        (*out)[(*n)++] = xstrndup(v + start, len);
    }
}

void emit_split_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* ---- typing --------------------------------------------------------------- */

/* The parameters whose words are all tables (table_refs.h), less the
 * proxy_*_maps (other parameters' tables, named for the proxy server)
 * and the *_access_list ones (keywords among the tables: typed as lists),
 * plus alias_database. */
int emit_is_table_list(const char *name)
{
    size_t n = strlen(name);
    if (strncmp(name, "proxy_", 6) == 0 || (n > 12 && strcmp(name + n - 12, "_access_list") == 0))
        return 0;
    return table_refs_is_table_list(name) || strcmp(name, "alias_database") == 0;
}

/* The registry entry of a built-in or per-service name, or NULL. */
static const param_def *def_of(const emit_ctx *e, const char *name)
{
    const param_def *d = registry_find(name);
    if (d || paramset_class(&e->globals->ps, name) != PS_SERVICE)
        return d;
    return registry_find_service(name);
}

static int parse_int(const char *v, long long *out)
{
    char *end;
    if (!*v || isspace((unsigned char)*v))
        return 0;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || *end)
        return 0;
    *out = x;
    return 1;
}

int emit_is_alias_table(const emit_ctx *e, const char *spec)
{
    if (!e->globals)
        return 0;
    for (size_t i = 0; i < e->globals->nalias; i++)
        if (strcmp(e->globals->alias_specs[i], spec) == 0)
            return 1;
    return 0;
}

static uint32_t str_list(emit_ctx *e, char **words, size_t n)
{
    uint32_t *v = xcalloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = imgw_str(e->w, words[i]);
    uint32_t first = imgw_u32(e->w, v, n);
    free(v);
    return first;
}

/* Where a value is written: its location and, when it has no $name,
 * the text at that location (for the columns of its words). */
typedef struct origin {
    loc         at;
    const char *raw;
    int         set, override;
} origin;

/* Fill p (name and text already set) with the typed value. */
static void type_param(emit_ctx *e, img_param *p, const char *name, const char *text,
                       const origin *o)
{
    const param_def *d = def_of(e, name);
    if (emit_is_restriction_list(e, name)) {
        p->kind = IMG_PK_RESTRICTIONS;
        p->num = emit_program(e, name, text, o->at, o->raw);
        return;
    }
    if (emit_is_table_list(name)) {
        char **w;
        size_t n;
        emit_split(text, &w, &n);
        uint32_t *idx = xcalloc(n + 1, sizeof *idx);
        for (size_t i = 0; i < n; i++)
            idx[i] = emit_table(e, w[i], o->at, EMIT_TABLE_POSTMAP);
        p->kind = IMG_PK_TABLES;
        p->list = imgw_u32(e->w, idx, n);
        p->nlist = (uint32_t)n;
        free(idx);
        emit_split_free(w, n);
        return;
    }
    if (!d)
        return;   /* a user parameter: text only */
    long long x;
    switch (d->type) {
    case PT_BOOL:
        if (strcasecmp(text, "yes") == 0 || strcasecmp(text, "no") == 0) {
            p->kind = IMG_PK_BOOL;
            p->num = strcasecmp(text, "yes") == 0;
        }
        return;
    case PT_INT:
    case PT_LONG:
        if (parse_int(text, &x)) {
            p->kind = IMG_PK_INT;
            p->num = x;
        }
        return;
    case PT_TIME:
        if (pf_time(text, d->unit ? d->unit : 's', &x)) {
            p->kind = IMG_PK_TIME;
            p->num = x;
        }
        return;
    default:
        break;
    }
    if (d->flags & PF_LIST || d->type == PT_ENUM_LIST) {
        char **w;
        size_t n;
        emit_split(text, &w, &n);
        p->kind = IMG_PK_LIST;
        p->list = str_list(e, w, n);
        p->nlist = (uint32_t)n;
        /* tables inside match lists (mynetworks = cidr:..., mydestination =
         * hash:..., postscreen_access_list = permit_mynetworks, cidr:...) */
        for (size_t i = 0; i < n && strncmp(name, "proxy_", 6) != 0; i++) {
            const char *colon = strchr(w[i], ':');
            if (colon && colon != w[i] && w[i][0] != '[') {
                char *type = xstrndup(w[i], (size_t)(colon - w[i]));
                if (tables_type_known(type))
                    emit_table(e, w[i], o->at, EMIT_TABLE_POSTMAP);
                free(type);
            }
        }
        emit_split_free(w, n);
    }
}

static img_param make_param(emit_ctx *e, const char *name, const char *text, const origin *o)
{
    img_param p;
    memset(&p, 0, sizeof p);
    p.name = imgw_str(e->w, name);
    p.text = imgw_str(e->w, text);
    p.kind = IMG_PK_STRING;
    if (o->set)
        p.flags |= IMG_PF_SET;
    if (o->override)
        p.flags |= IMG_PF_OVERRIDE;
    if (paramset_class(&e->globals->ps, name) == PS_USER)
        p.flags |= IMG_PF_USER;
    if (o->at.file >= 0) {
        unsigned line, col;
        src_linecol(&e->c->src, o->at.file, o->at.off, &line, &col);
        p.file = emit_file(e, o->at.file);
        p.line = line;
    }
    type_param(e, &p, name, text, o);
    return p;
}

/* ---- names ----------------------------------------------------------------- */

static void add_name(void *ctx, const char *name)
{
    struct emit_globals *g = ctx;
    xgrow(&g->names, &g->capnames, g->nnames + 1, sizeof *g->names);
    g->names[g->nnames++] = xstrdup(name);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect_names(emit_ctx *e)
{
    struct emit_globals *g = e->globals;
    paramset_each(&g->ps, 1, add_name, g);
    qsort(g->names, g->nnames, sizeof *g->names, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < g->nnames; i++) {
        /* process_id and process_name are the running program's */
        if ((k > 0 && strcmp(g->names[k - 1], g->names[i]) == 0) ||
            strcmp(g->names[i], "process_id") == 0 || strcmp(g->names[i], "process_name") == 0) {
            free(g->names[i]);
            continue;
        }
        g->names[k++] = g->names[i];
    }
    g->nnames = k;
}

static void collect_alias_specs(emit_ctx *e, pctx *p)
{
    static const char *const params[] = { "alias_maps", "alias_database" };
    struct emit_globals *g = e->globals;
    for (size_t k = 0; k < 2; k++) {
        char **w;
        size_t n;
        emit_split(ctx_value(p, params[k]), &w, &n);
        g->alias_specs = xrealloc(g->alias_specs, (g->nalias + n + 1) * sizeof *g->alias_specs);
        for (size_t i = 0; i < n; i++)
            g->alias_specs[g->nalias++] = w[i];
        free(w);
    }
}

/* ---- the two passes ------------------------------------------------------- */

void emit_params(emit_ctx *e)
{
    struct emit_globals *g = xcalloc(1, sizeof *g);
    e->globals = g;
    config *c = e->c;
    char *main_path = config_path(c, "main.cf"), *master_path = config_path(c, "master.cf");
    paramset_build(&g->ps, &c->main, &c->master, main_path, master_path);
    free(main_path);
    free(master_path);
    collect_names(e);
    g->text = xcalloc(g->nnames + 1, sizeof *g->text);

    pctx p;
    ctx_init(&p, e, NULL, NULL, 0);
    collect_alias_specs(e, &p);
    img_param *out = xcalloc(g->nnames + 1, sizeof *out);
    for (size_t i = 0; i < g->nnames; i++) {
        const char *name = g->names[i];
        const char *text = ctx_value(&p, name);
        g->text[i] = xstrdup(text);
        const cf_setting *s = maincf_find(&c->main, name);
        origin o = { .at = s ? s->value_loc : LOC_NONE, .set = s != NULL };
        o.raw = s && !strchr(s->value, '$') ? s->value : NULL;
        out[i] = make_param(e, name, text, &o);
    }
    imgw_append(e->w, IMG_SEC_PARAMS, out, g->nnames);
    free(out);
    ctx_free(&p);
}

uint32_t emit_service_params(emit_ctx *e, const master_service *svc, uint32_t *count)
{
    struct emit_globals *g = e->globals;
    *count = 0;
    uint32_t first = imgw_count(e->w, IMG_SEC_SVC_PARAMS);
    if (svc->noverrides == 0)
        return first;
    size_t no = svc->noverrides;
    const char **on = xcalloc(no, sizeof *on), **ov = xcalloc(no, sizeof *ov);
    for (size_t k = 0; k < no; k++) {
        on[k] = svc->overrides[k].name;
        ov[k] = svc->overrides[k].value;
    }
    pctx p;
    ctx_init(&p, e, on, ov, no);
    e->service = svc;
    int lists_differ = emit_lowering_differs(e);
    for (size_t i = 0; i < g->nnames; i++) {
        const char *name = g->names[i];
        const ms_override *mine = NULL;
        for (size_t k = no; k-- > 0;)
            if (strcmp(svc->overrides[k].name, name) == 0) {
                mine = &svc->overrides[k];
                break;
            }
        const char *text = ctx_value(&p, name);
        if (!mine && strcmp(text, g->text[i]) == 0 &&
            !(lists_differ && emit_is_restriction_list(e, name)))
            continue;
        origin o = { .at = LOC_NONE };
        if (mine) {
            o.at = mine->value_loc;
            o.raw = strchr(mine->value, '$') ? NULL : mine->value;
            o.set = o.override = 1;
        } else {
            const cf_setting *s = maincf_find(&e->c->main, name);
            o.at = s ? s->value_loc : LOC_NONE;
            o.set = s != NULL;
        }
        img_param rec = make_param(e, name, text, &o);
        imgw_append(e->w, IMG_SEC_SVC_PARAMS, &rec, 1);
        (*count)++;
    }
    e->service = NULL;
    ctx_free(&p);
    free(on);
    free(ov);
    return first;
}

void emit_params_free(emit_ctx *e)
{
    struct emit_globals *g = e->globals;
    if (!g)
        return;
    for (size_t i = 0; i < g->nnames; i++) {
        free(g->names[i]);
        free(g->text[i]);
    }
    free(g->names);
    free(g->text);
    emit_split_free(g->alias_specs, g->nalias);
    paramset_free(&g->ps);
    free(g);
    e->globals = NULL;
}

/* The global expanded value of a parameter (after emit_params). */
const char *emit_global_value(const emit_ctx *e, const char *name)
{
    struct emit_globals *g = e->globals;
    size_t lo = 0, hi = g->nnames;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, g->names[mid]);
        if (c == 0)
            return g->text[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
