/* svcparam.c: the values of one master.cf service (see svcparam.h). */
#include "compiler/svcparam.h"
#include "compiler/registry.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void svp_init(svcparam *p, const config *c, const master_service *svc,
              const char *extra_name, const char *extra_value)
{
    memset(p, 0, sizeof *p);
    p->c = c;
    p->svc = svc;
    size_t n = (svc ? svc->noverrides : 0) + (extra_name ? 1 : 0);
    p->oname = xcalloc(n + 1, sizeof *p->oname);
    p->ovalue = xcalloc(n + 1, sizeof *p->ovalue);
    for (size_t i = 0; svc && i < svc->noverrides; i++) {
        p->oname[p->no] = svc->overrides[i].name;
        p->ovalue[p->no++] = svc->overrides[i].value;
    }
    if (extra_name) {
        p->oname[p->no] = extra_name;
        p->ovalue[p->no++] = extra_value;
    }
    param_env_init(&p->env, &c->main, NULL, p->oname, p->ovalue, p->no);
    memtab_init(&p->cache);
}

void svp_free(svcparam *p)
{
    memtab_free(&p->cache);
    free(p->oname);
    free(p->ovalue);
    param_env_free(&p->env);
    memset(p, 0, sizeof *p);
}

const char *svp_get(svcparam *p, const char *name)
{
    const char *v = memtab_get(&p->cache, name, NULL);
    if (v)
        return v;
    strbuf b;
    sb_init(&b);
    expand_error err;
    param_env_expand(&p->env, name, &b, &err);
    expand_error_free(&err);
    memtab_put(&p->cache, name, sb_str(&b), 0);
    sb_free(&b);
    return memtab_get(&p->cache, name, NULL);
}

int svp_bool(svcparam *p, const char *name)
{
    return strcasecmp(svp_get(p, name), "yes") == 0;
}

/* The last -o of name on the service, or NULL. */
static const ms_override *override_of(const svcparam *p, const char *name)
{
    for (size_t i = p->svc ? p->svc->noverrides : 0; i-- > 0;)
        if (strcmp(p->svc->overrides[i].name, name) == 0)
            return &p->svc->overrides[i];
    return NULL;
}

int svp_is_set(const svcparam *p, const char *name)
{
    return override_of(p, name) || maincf_find(&p->c->main, name);
}

loc svp_where(const svcparam *p, const char *name)
{
    for (int depth = 0; depth < 8; depth++) {
        const ms_override *o = override_of(p, name);
        if (o)
            return o->value_loc;
        const cf_setting *s = maincf_find(&p->c->main, name);
        if (s)
            return s->value_loc;
        /* a default "$other" (smtpd_tls_key_file = $smtpd_tls_cert_file) */
        const param_def *d = registry_find(name);
        if (!d || d->def[0] != '$' || strpbrk(d->def + 1, "${}() ,"))
            return LOC_NONE;
        name = d->def + 1;
    }
    return LOC_NONE;
}

loc svp_service_loc(const svcparam *p)
{
    return p->svc ? p->svc->field[MS_NAME].at : LOC_NONE;
}

const char *svp_service_name(const svcparam *p, char *buf, size_t size)
{
    if (!p->svc)
        snprintf(buf, size, "main.cf");
    else
        snprintf(buf, size, "%s/%s", p->svc->field[MS_NAME].text, p->svc->field[MS_TYPE].text);
    return buf;
}

static void note_service(svcparam *p, diag *g)
{
    char name[160];
    if (p->svc && g->nnotes < DIAG_MAX_NOTES)
        diag_note_add(g, svp_service_loc(p), "in service %s", svp_service_name(p, name, sizeof name));
}

int svp_seen(svp_once *o, svcparam *p, diags *d, diag_id id, loc at, const char *key)
{
    for (size_t i = 0; i < o->n; i++)
        if (o->v[i].id == (int)id && strcmp(o->v[i].key, key) == 0 &&
            o->v[i].at.file == at.file && o->v[i].at.off == at.off) {
            note_service(p, &d->v[o->v[i].index]);
            return 1;
        }
    return 0;
}

void svp_remember(svp_once *o, svcparam *p, diags *d, diag *g, const char *key)
{
    xgrow(&o->v, &o->cap, o->n + 1, sizeof *o->v);
    o->v[o->n++] = (svp_once_entry){ (int)g->id, key, g->at, (size_t)(g - d->v) };
    note_service(p, g);
}

void svp_once_free(svp_once *o)
{
    free(o->v);
    memset(o, 0, sizeof *o);
}

loc svp_word_loc(const config *c, loc at, const char *word)
{
    if (at.file < 0)
        return at;
    const src_file *f = src_get(&c->src, at.file);
    if (!f || !f->text || at.off + at.len > f->len)
        return at;
    size_t wl = strlen(word);
    const char *b = f->text + at.off, *e = b + at.len;
    for (const char *q = b; wl && q + wl <= e; q++)
        if (memcmp(q, word, wl) == 0 && (q == b || strchr(" \t,\n{", q[-1])) &&
            (q + wl == e || strchr(" \t,\n}", q[wl])))
            return loc_make(at.file, (size_t)(q - f->text), wl);
    return at;
}
