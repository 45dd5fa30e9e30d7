/* query_params.c: lookup-order parameters from -o, main.cf and defaults
 * (see query_params.h). */
#include "compiler/query_params.h"
#include "compiler/expand.h"
#include "compiler/paramenv.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Expand a parameter and keep the value for the life of q. */
static const char *qp_value(query_params *q, param_env *e, const char *name)
{
    strbuf b;
    sb_init(&b);
    expand_error err;
    param_env_expand(e, name, &b, &err);
    expand_error_free(&err);
    q->vals = xrealloc(q->vals, (q->nvals + 1) * sizeof *q->vals);
    q->vals[q->nvals] = b.s ? sb_take(&b) : xstrdup("");
    return q->vals[q->nvals++];
}

static void add_local(query_params *q, const char *s, size_t n)
{
    /* tables ("hash:/x") and paths in mydestination cannot be asked here */
    if (n == 0 || memchr(s, ':', n) || memchr(s, '/', n))
        return;
    char *d = xstrndup(s, n);
    for (char *c = d; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    q->local = xrealloc(q->local, (q->nlocal + 1) * sizeof *q->local);
    q->local[q->nlocal++] = d;
}

static int qp_is_local(void *arg, const char *domain)
{
    query_params *q = arg;
    for (size_t i = 0; i < q->nlocal; i++)
        if (strcasecmp(q->local[i], domain) == 0)
            return 1;
    return 0;
}

static int yes(const char *v)
{
    return strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

int query_params_load(query_params *q, const char *dir, char *const *o, size_t no)
{
    memset(q, 0, sizeof *q);
    q->oname = xcalloc(no + 1, sizeof *q->oname);
    q->ovalue = xcalloc(no + 1, sizeof *q->ovalue);
    for (size_t i = 0; i < no; i++) {
        const char *eq = strchr(o[i], '=');
        if (!eq || eq == o[i]) {
            fprintf(stderr, "mtacc query: -o %s: expecting name=value\n", o[i]);
            return -1;
        }
        size_t nl = (size_t)(eq - o[i]);
        while (nl > 0 && (o[i][nl - 1] == ' ' || o[i][nl - 1] == '\t'))
            nl--;
        q->oname[q->no] = xstrndup(o[i], nl);
        const char *v = eq + 1;
        v += strspn(v, " \t");
        q->ovalue[q->no++] = xstrdup(v);
    }
    if (dir) {
        config_opts co = { .dir = dir };
        config_load(&q->cfg, &co);
        q->have_cfg = 1;
    }
    param_env e;
    param_env_init(&e, q->have_cfg ? &q->cfg.main : NULL, NULL, (const char *const *)q->oname,
                   (const char *const *)q->ovalue, q->no);
    lookup_params *p = &q->p;
    *p = lookup_params_default();
    p->parent_domain_matches_subdomains = qp_value(q, &e, "parent_domain_matches_subdomains");
    p->recipient_delimiter = qp_value(q, &e, "recipient_delimiter");
    p->smtpd_null_access_lookup_key = qp_value(q, &e, "smtpd_null_access_lookup_key");
    p->propagate_unmatched_extensions = qp_value(q, &e, "propagate_unmatched_extensions");
    p->owner_request_special = yes(qp_value(q, &e, "owner_request_special"));
    p->double_bounce_sender = qp_value(q, &e, "double_bounce_sender");
    p->empty_address_recipient = qp_value(q, &e, "empty_address_recipient");
    p->myhostname = qp_value(q, &e, "myhostname");
    const char *myorigin = qp_value(q, &e, "myorigin");
    add_local(q, myorigin, strlen(myorigin));
    const char *dest = qp_value(q, &e, "mydestination");
    for (const char *s = dest; *s;) {
        s += strspn(s, ", \t\r\n");
        size_t l = strcspn(s, ", \t\r\n");
        add_local(q, s, l);
        s += l;
    }
    p->is_local = qp_is_local;
    p->is_local_arg = q;
    param_env_free(&e);
    return 0;
}

void query_params_free(query_params *q)
{
    for (size_t i = 0; i < q->no; i++) {
        free(q->oname[i]);
        free(q->ovalue[i]);
    }
    free(q->oname);
    free(q->ovalue);
    for (size_t i = 0; i < q->nvals; i++)
        free(q->vals[i]);
    free(q->vals);
    for (size_t i = 0; i < q->nlocal; i++)
        free(q->local[i]);
    free(q->local);
    if (q->have_cfg)
        config_free(&q->cfg);
}
