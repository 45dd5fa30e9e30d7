/* paramset.c: which parameter names a configuration uses (see paramset.h). */
#include "compiler/paramset.h"
#include "compiler/expand.h"
#include "compiler/registry.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a small hash set of names ---------------------------------------- */

static size_t hash(const char *s)
{
    size_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int names_has(const ps_names *s, const char *name)
{
    if (!s->cap)
        return 0;
    for (size_t i = hash(name) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (!s->slot[i])
            return 0;
        if (strcmp(s->slot[i], name) == 0)
            return 1;
    }
}

static void names_add(ps_names *s, const char *name)
{
    if (names_has(s, name))
        return;
    if ((s->n + 1) * 2 > s->cap) {
        ps_names t = { xcalloc(s->cap ? s->cap * 2 : 64, sizeof(char *)), s->cap ? s->cap * 2 : 64, 0 };
        for (size_t i = 0; i < s->cap; i++)
            if (s->slot[i]) {
                size_t j = hash(s->slot[i]) & (t.cap - 1);
                while (t.slot[j])
                    j = (j + 1) & (t.cap - 1);
                t.slot[j] = s->slot[i];
                t.n++;
            }
        free(s->slot);
        *s = t;
    }
    size_t i = hash(name) & (s->cap - 1);
    while (s->slot[i])
        i = (i + 1) & (s->cap - 1);
    s->slot[i] = xstrdup(name);
    s->n++;
}

static void names_free(ps_names *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->slot[i]);
    free(s->slot);
    memset(s, 0, sizeof *s);
}

/* ---- per-service names ------------------------------------------------- */

int paramset_service_suffix_applies(const char *command, const char *suffix)
{
    static const char *const delivery[] = { "smtp", "lmtp", "local", "virtual", "pipe", "error", NULL };
    if (strcmp(suffix, "_time_limit") == 0)
        return strcmp(command, "pipe") == 0 || strcmp(command, "spawn") == 0;
    for (size_t i = 0; delivery[i]; i++)
        if (strcmp(command, delivery[i]) == 0)
            return 1;
    return 0;
}

/* ---- raw parameters ---------------------------------------------------
 * Postfix never expands these in postconf -x, and does not look for $name
 * in them: their $names are filled in at delivery or reply time. The list
 * is what `postconf -nx` leaves unexpanded when every parameter is set to
 * "$name" (Postfix 3.7.11). */

int paramset_raw(const char *name)
{
    static const char *const raw[] = {
        "command_execution_directory", "default_rbl_reply", "forward_path", "luser_relay",
        "mailbox_command", "postscreen_expansion_filter", "postscreen_reject_footer",
        "smtpd_expansion_filter", "smtpd_reject_footer", NULL,
    };
    for (size_t i = 0; raw[i]; i++)
        if (strcmp(raw[i], name) == 0)
            return 1;
    return 0;
}

/* ---- warnings ---------------------------------------------------------- */

static void warn(paramset *ps, char *msg)
{
    xgrow(&ps->warnings, &ps->capwarnings, ps->nwarnings + 1, sizeof *ps->warnings);
    ps->warnings[ps->nwarnings++] = msg;
}

/* ---- database tables: ldap:name -> name_*, ldap:/path -> open check ---- */

static const char *const db_types[] = { "ldap", "mysql", "pgsql", "sqlite", "memcache", NULL };

static void db_token(paramset *ps, const char *t, size_t n)
{
    while (n > 6 && strncmp(t, "proxy:", 6) == 0) {
        t += 6;
        n -= 6;
    }
    for (size_t i = 0; db_types[i]; i++) {
        size_t tl = strlen(db_types[i]);
        if (n <= tl + 1 || strncmp(t, db_types[i], tl) != 0 || t[tl] != ':')
            continue;
        char *name = xstrndup(t + tl + 1, n - tl - 1);
        if (name[0] == '/') {
            strbuf key;
            sb_init(&key);
            sb_addf(&key, "%s:%s", db_types[i], name);
            int seen = 0;
            for (size_t j = 0; j < ps->ndb; j++)
                seen |= strcmp(ps->db_files[j], key.s) == 0;
            if (!seen) {
                xgrow(&ps->db_files, &ps->capdb, ps->ndb + 1, sizeof *ps->db_files);
                ps->db_files[ps->ndb++] = sb_dup(&key);
                FILE *f = fopen(name, "r");
                if (!f) {
                    strbuf w;
                    sb_init(&w);
                    sb_addf(&w, "open \"%s\" configuration \"%s\": %s", db_types[i], name,
                            strerror(errno));
                    warn(ps, sb_take(&w));
                } else {
                    fclose(f);
                }
            }
            sb_free(&key);
        } else {
            strbuf p;
            sb_init(&p);
            sb_addf(&p, "%s_", name);
            names_add(&ps->db_prefix, p.s);
            sb_free(&p);
        }
        free(name);
        return;
    }
}

static void db_scan(paramset *ps, const char *v)
{
    for (const char *p = v; *p;) {
        while (*p && (isspace((unsigned char)*p) || *p == ',' || *p == '{' || *p == '}'))
            p++;
        const char *q = p;
        while (*q && !isspace((unsigned char)*q) && *q != ',' && *q != '{' && *q != '}')
            q++;
        if (q > p)
            db_token(ps, p, (size_t)(q - p));
        p = q;
    }
}

/* ---- reference scanning ------------------------------------------------ */

struct scan_ctx {
    paramset *ps;
    int in_master;
    size_t setting;
};

static void on_ref(void *vctx, const char *name, size_t off, size_t len)
{
    struct scan_ctx *c = vctx;
    paramset *ps = c->ps;
    xgrow(&ps->refs, &ps->caprefs, ps->nrefs + 1, sizeof *ps->refs);
    ps->refs[ps->nrefs++] = (ps_ref){ xstrdup(name), c->in_master, c->setting, off, len };
}

static void on_default_ref(void *vctx, const char *name, size_t off, size_t len)
{
    names_add(vctx, name);
}

static void scan_value(paramset *ps, const char *v, int in_master, size_t setting)
{
    struct scan_ctx c = { ps, in_master, setting };
    expand_error err;
    if (expand_scan(v, on_ref, &c, &err) != EXPAND_OK)
        warn(ps, xstrdup(err.msg));
    expand_error_free(&err);
    db_scan(ps, v);
}

static void add_classes(paramset *ps, const char *v)
{
    for (const char *p = v; *p;) {
        while (*p && (isspace((unsigned char)*p) || *p == ','))
            p++;
        const char *q = p;
        while (*q && !isspace((unsigned char)*q) && *q != ',')
            q++;
        if (q > p) {
            char *n = xstrndup(p, (size_t)(q - p));
            names_add(&ps->user, n);
            free(n);
        }
        p = q;
    }
}

void paramset_build(paramset *ps, const maincf *m, const mastercf *mc,
                    const char *main_path, const char *master_path)
{
    memset(ps, 0, sizeof *ps);
    ps->main = m;
    size_t ovcap = 0;
    /* services and -o overrides */
    if (mc) {
        for (size_t i = 0; i < mc->n; i++) {
            const master_service *s = &mc->v[i];
            const char *cmd = s->field[MS_COMMAND].text;
            const char *name = s->field[MS_NAME].text;
            for (size_t k = 0; cmd && name && k < registry_service_count(); k++) {
                const param_def *d = registry_service_at(k);
                if (!paramset_service_suffix_applies(cmd, d->name))
                    continue;
                strbuf b;
                sb_init(&b);
                sb_addf(&b, "%s%s", name, d->name);
                if (!registry_find(b.s))
                    names_add(&ps->service_names, b.s);
                sb_free(&b);
            }
            for (size_t j = 0; j < s->noverrides; j++) {
                xgrow(&ps->ov, &ovcap, ps->nov + 1, sizeof *ps->ov);
                ps->ov[ps->nov++] = (ps_override){ name, s->overrides[j].name, s->overrides[j].value,
                                                   s->overrides[j].name_loc, s->overrides[j].value_loc };
            }
        }
    }
    for (size_t i = 0; i < m->n; i++)
        names_add(&ps->defined, m->v[i].name);
    for (size_t i = 0; i < ps->nov; i++)
        names_add(&ps->defined, ps->ov[i].name);
    /* references and restriction classes */
    size_t main_refs_end;
    for (size_t i = 0; i < m->n; i++)
        if (!paramset_raw(m->v[i].name))
            scan_value(ps, m->v[i].value, 0, i);
    main_refs_end = ps->nrefs;
    for (size_t i = 0; i < ps->nov; i++)
        if (!paramset_raw(ps->ov[i].name))
            scan_value(ps, ps->ov[i].value, 1, i);
    for (size_t i = 0; i < ps->nrefs; i++)
        if (names_has(&ps->defined, ps->refs[i].name))
            names_add(&ps->user, ps->refs[i].name);
    /* names that built-in defaults refer to (legacy names such as
     * fallback_relay in smtp_fallback_relay = $fallback_relay) */
    ps_names from_defaults = { 0 };
    for (size_t i = 0; i < registry_count(); i++) {
        const param_def *d = registry_at(i);
        if (!strchr(d->def, '$') || paramset_raw(d->name))
            continue;
        expand_error err;
        expand_scan(d->def, on_default_ref, &from_defaults, &err);
        expand_error_free(&err);
    }
    for (size_t i = 0; i < from_defaults.cap; i++)
        if (from_defaults.slot[i] && names_has(&ps->defined, from_defaults.slot[i]))
            names_add(&ps->user, from_defaults.slot[i]);
    names_free(&from_defaults);
    const cf_setting *cls = maincf_find(m, "smtpd_restriction_classes");
    if (cls)
        add_classes(ps, cls->value);
    for (size_t i = 0; i < ps->nov; i++)
        if (strcmp(ps->ov[i].name, "smtpd_restriction_classes") == 0)
            add_classes(ps, ps->ov[i].value);
    /* undefined references, in the order found */
    ps_names told = { 0 };
    for (size_t i = 0; i < ps->nrefs; i++) {
        const char *n = ps->refs[i].name;
        if (paramset_class(ps, n) != PS_UNKNOWN || paramset_defined(ps, n))
            continue;
        strbuf w;
        sb_init(&w);
        sb_addf(&w, "%s: undefined parameter: %s", i < main_refs_end ? main_path : master_path, n);
        if (!names_has(&told, w.s)) {
            names_add(&told, w.s);
            warn(ps, sb_take(&w));
        }
        sb_free(&w);
    }
    names_free(&told);
}

void paramset_free(paramset *ps)
{
    names_free(&ps->service_names);
    names_free(&ps->user);
    names_free(&ps->defined);
    names_free(&ps->db_prefix);
    for (size_t i = 0; i < ps->nrefs; i++)
        free(ps->refs[i].name);
    free(ps->refs);
    for (size_t i = 0; i < ps->nwarnings; i++)
        free(ps->warnings[i]);
    free(ps->warnings);
    for (size_t i = 0; i < ps->ndb; i++)
        free(ps->db_files[i]);
    free(ps->db_files);
    free(ps->ov);
    memset(ps, 0, sizeof *ps);
}

static int db_prefixed(const paramset *ps, const char *name)
{
    for (size_t i = 0; i < ps->db_prefix.cap; i++) {
        const char *p = ps->db_prefix.slot[i];
        if (p && strncmp(name, p, strlen(p)) == 0 && name[strlen(p)])
            return 1;
    }
    return 0;
}

ps_class paramset_class(const paramset *ps, const char *name)
{
    if (registry_find(name))
        return PS_BUILTIN;
    if (names_has(&ps->service_names, name))
        return PS_SERVICE;
    if (names_has(&ps->user, name) || (paramset_defined(ps, name) && db_prefixed(ps, name)))
        return PS_USER;
    return PS_UNKNOWN;
}

int paramset_defined(const paramset *ps, const char *name)
{
    return names_has(&ps->defined, name);
}

const char *paramset_default(const paramset *ps, const char *name)
{
    const param_def *d = registry_find(name);
    if (d)
        return d->def;
    if (!names_has(&ps->service_names, name))
        return NULL;
    const param_def *s = registry_find_service(name);
    return s ? s->def : NULL;
}

void paramset_each(const paramset *ps, int with_user, void (*fn)(void *ctx, const char *name), void *ctx)
{
    for (size_t i = 0; i < registry_count(); i++)
        fn(ctx, registry_at(i)->name);
    for (size_t i = 0; i < ps->service_names.cap; i++)
        if (ps->service_names.slot[i])
            fn(ctx, ps->service_names.slot[i]);
    if (!with_user)
        return;
    for (size_t i = 0; i < ps->defined.cap; i++) {
        const char *n = ps->defined.slot[i];
        if (n && !registry_find(n) && !names_has(&ps->service_names, n) &&
            paramset_class(ps, n) == PS_USER)
            fn(ctx, n);
    }
}
