/* paramenv.c: parameter values in a context (see paramenv.h). */
#include "compiler/paramenv.h"
#include "compiler/hostparams.h"
#include "compiler/registry.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>
#include <string.h>

void param_env_init(param_env *e, const maincf *m, const paramset *ps,
                    const char *const *oname, const char *const *ovalue, size_t no)
{
    memset(e, 0, sizeof *e);
    e->main = m;
    e->ps = ps;
    e->oname = oname;
    e->ovalue = ovalue;
    e->no = no;
    for (int i = 0; i < 4; i++)
        sb_init(&e->scratch[i]);
}

void param_env_free(param_env *e)
{
    for (size_t i = 0; i < e->nhost; i++) {
        free(e->host_name[i]);
        free(e->host_value[i]);
    }
    for (int i = 0; i < 4; i++)
        sb_free(&e->scratch[i]);
}

const char *param_env_set(const param_env *e, const char *name)
{
    for (size_t i = e->no; i-- > 0;)
        if (strcmp(e->oname[i], name) == 0)
            return e->ovalue[i];
    const cf_setting *s = e->main ? maincf_find(e->main, name) : NULL;
    return s ? s->value : NULL;
}

/* For host defaults: the expanded value of another parameter ("NAME?set":
 * only when NAME is set explicitly). Valid until the fourth next call. */
static const char *expanded(void *ctx, const char *name)
{
    param_env *e = ctx;
    size_t nl = strlen(name);
    if (nl > 4 && strcmp(name + nl - 4, "?set") == 0) {
        char *base = xstrndup(name, nl - 4);
        const char *r = param_env_set(e, base) ? expanded(ctx, base) : NULL;
        free(base);
        return r;
    }
    strbuf *b = &e->scratch[e->nscratch++ % 4];
    sb_clear(b);
    expand_error err;
    expand_param(name, param_env_raw, e, b, &err);
    expand_error_free(&err);
    return sb_str(b);
}

static const char *host_value(param_env *e, const char *name)
{
    for (size_t i = 0; i < e->nhost; i++)
        if (strcmp(e->host_name[i], name) == 0)
            return e->host_value[i];
    if (e->depth > 4 || e->nhost >= sizeof e->host_name / sizeof *e->host_name)
        return NULL;
    e->depth++;
    char *v = host_default(name, expanded, e);
    e->depth--;
    if (!v)
        return NULL;
    e->host_name[e->nhost] = xstrdup(name);
    e->host_value[e->nhost++] = v;
    return v;
}

const char *param_env_raw(void *ctx, const char *name)
{
    param_env *e = ctx;
    const char *v = param_env_set(e, name);
    if (v)
        return v;
    if (e->runtime_names && strcmp(name, "process_id") == 0)
        return "$$process_id";
    if (e->runtime_names && strcmp(name, "process_name") == 0)
        return "$$process_name";
    if (host_param(name) && (v = host_value(e, name)))
        return v;
    if (e->ps)
        return paramset_default(e->ps, name);
    const param_def *d = registry_find(name);
    return d ? d->def : NULL;
}

expand_status param_env_expand(param_env *e, const char *name, strbuf *out, expand_error *err)
{
    return expand_param(name, param_env_raw, e, out, err);
}
