/* check_params.c: checks on parameter names and $name references:
 * unknown-parameter (a name Postfix would not use: the same decision as
 * postconf's "unused parameter", see paramset.h), undefined-variable
 * ($name with no value anywhere) and expansion-loop ($a -> $b -> $a). */
#include "compiler/checks.h"
#include "compiler/deprecated.h"
#include "compiler/expand.h"
#include "compiler/paramset.h"
#include "compiler/registry.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* A name with characters outside [A-Za-z0-9_] is already a syntax error. */
static int plain_name(const char *s)
{
    for (; *s; s++)
        if (!(*s == '_' || (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
              (*s >= 'A' && *s <= 'Z')))
            return 0;
    return 1;
}

static void unknown_parameters(config *c, const paramset *ps)
{
    for (size_t i = 0; i < c->main.n; i++) {
        const cf_setting *s = &c->main.v[i];
        if (paramset_class(ps, s->name) != PS_UNKNOWN || !plain_name(s->name) ||
            dep_find(DEP_PARAM, s->name))   /* deprecated says what became of it */
            continue;
        diag *g = diag_add(&c->d, DIAG_UNKNOWN_PARAMETER, s->name_loc,
                           "unknown parameter \"%s\": Postfix ignores this setting", s->name);
        const char *sug = registry_suggest(s->name);
        if (sug)
            diag_hint(g, "did you mean \"%s\"?", sug);
        else
            diag_hint(g, "check the spelling against postconf(5), or remove the setting");
    }
    for (size_t i = 0; i < ps->nov; i++) {
        const ps_override *o = &ps->ov[i];
        if (paramset_class(ps, o->name) != PS_UNKNOWN || dep_find(DEP_PARAM, o->name))
            continue;
        diag *g = diag_add(&c->d, DIAG_UNKNOWN_PARAMETER, o->name_loc,
                           "unknown parameter \"%s\" in a -o override of service %s", o->name,
                           o->service);
        const char *sug = registry_suggest(o->name);
        if (sug)
            diag_hint(g, "did you mean \"%s\"?", sug);
        else
            diag_hint(g, "check the spelling against postconf(5), or remove the override");
    }
}

static loc ref_loc(const paramset *ps, const config *c, const ps_ref *r)
{
    if (!r->in_master)
        return cf_value_loc(&c->main.v[r->setting], r->off, r->len);
    loc v = ps->ov[r->setting].value_loc;
    return loc_make(v.file, v.off + r->off, r->len);
}

static void undefined_variables(config *c, const paramset *ps)
{
    for (size_t i = 0; i < ps->nrefs; i++) {
        const ps_ref *r = &ps->refs[i];
        if (paramset_class(ps, r->name) != PS_UNKNOWN || paramset_defined(ps, r->name))
            continue;
        diag *g = diag_add(&c->d, DIAG_UNDEFINED_VARIABLE, ref_loc(ps, c, r),
                           "\"$%s\" has no value: no parameter \"%s\" is set or known, so it "
                           "expands to nothing", r->name, r->name);
        const char *sug = registry_suggest(r->name);
        if (sug)
            diag_hint(g, "did you mean \"$%s\"?", sug);
        else
            diag_hint(g, "set %s in main.cf, or remove the reference", r->name);
    }
}

typedef struct loop_env {
    const config *c;
} loop_env;

static const char *loop_lookup(void *ctx, const char *name)
{
    loop_env *e = ctx;
    const cf_setting *s = maincf_find(&e->c->main, name);
    if (s)
        return s->value;
    const param_def *d = registry_find(name);
    return d ? d->def : NULL;
}

/* Where the value of setting `from` refers to $to (or the setting's name). */
static loc link_loc(const paramset *ps, const config *c, const char *from, const char *to)
{
    const cf_setting *s = maincf_find(&c->main, from);
    if (!s)
        return LOC_NONE;
    for (size_t i = 0; i < ps->nrefs; i++) {
        const ps_ref *r = &ps->refs[i];
        if (!r->in_master && &c->main.v[r->setting] == s && strcmp(r->name, to) == 0)
            return ref_loc(ps, c, r);
    }
    return s->name_loc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void expansion_loops(config *c, const paramset *ps)
{
    loop_env env = { c };
    char **seen = NULL;
    size_t nseen = 0, capseen = 0;
    for (size_t i = 0; i < c->main.n; i++) {
        const cf_setting *s = &c->main.v[i];
        if (maincf_find(&c->main, s->name) != s || paramset_raw(s->name))
            continue;
        strbuf out;
        sb_init(&out);
        expand_error err;
        if (expand_param(s->name, loop_lookup, &env, &out, &err) == EXPAND_LOOP && err.nchain) {
            size_t n = err.nchain - 1 - err.loop_start;     /* names in the cycle */
            char **cyc = xcalloc(n ? n : 1, sizeof *cyc);
            for (size_t k = 0; k < n; k++)
                cyc[k] = err.chain[err.loop_start + k];
            qsort(cyc, n, sizeof *cyc, cmp_str);
            strbuf key;
            sb_init(&key);
            for (size_t k = 0; k < n; k++)
                sb_addf(&key, "%s ", cyc[k]);
            free(cyc);
            int dup = 0;
            for (size_t k = 0; k < nseen; k++)
                dup |= strcmp(seen[k], key.s) == 0;
            if (!dup && err.chain[err.loop_start] && maincf_find(&c->main, err.chain[err.loop_start])) {
                xgrow(&seen, &capseen, nseen + 1, sizeof *seen);
                seen[nseen++] = sb_dup(&key);
                strbuf path;
                sb_init(&path);
                for (size_t k = err.loop_start; k < err.nchain; k++)
                    sb_addf(&path, "%s$%s", k > err.loop_start ? " -> " : "", err.chain[k]);
                const char *first = err.chain[err.loop_start];
                const char *next = err.chain[err.loop_start + 1];
                diag *g = diag_add(&c->d, DIAG_EXPANSION_LOOP, link_loc(ps, c, first, next),
                                   "expanding \"%s\" never ends: %s", first, path.s);
                for (size_t k = err.loop_start + 1; k + 1 < err.nchain && g->nnotes < DIAG_MAX_NOTES; k++) {
                    loc at = link_loc(ps, c, err.chain[k], err.chain[k + 1]);
                    if (at.file >= 0)
                        diag_note_add(g, at, "\"%s\" refers to $%s here", err.chain[k], err.chain[k + 1]);
                }
                diag_hint(g, "give one of these parameters a value that does not refer back; "
                             "Postfix stops with \"unreasonable macro call nesting\"");
                sb_free(&path);
            }
            sb_free(&key);
        }
        expand_error_free(&err);
        sb_free(&out);
    }
    for (size_t k = 0; k < nseen; k++)
        free(seen[k]);
    free(seen);
}

void check_params(config *c)
{
    char *mp = config_path(c, "main.cf"), *mc = config_path(c, "master.cf");
    paramset ps;
    paramset_build(&ps, &c->main, &c->master, mp, mc);
    unknown_parameters(c, &ps);
    undefined_variables(c, &ps);
    expansion_loops(c, &ps);
    paramset_free(&ps);
    free(mp);
    free(mc);
}
