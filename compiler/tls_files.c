/* tls_files.c: the TLS files of each service and where mtacc reads them
 * (see tls_files.h). */
#include "compiler/tls_files.h"
#include "compiler/image/emit.h"
#include "compiler/smtpd_tls.h"
#include "compiler/svcparam.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/strbuf.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Add the file named by parameter side + suffix ("smtpd" "_tls_cert_file"). */
static void add_file(tlsf_set *s, svcparam *p, tlsf_kind kind, const char *suffix,
                     const char *path)
{
    s->files = xrealloc(s->files, (s->nfiles + 1) * sizeof *s->files);
    tlsf_file *f = &s->files[s->nfiles++];
    f->kind = kind;
    snprintf(f->param, sizeof f->param, "%s%s", s->side, suffix);
    f->path = xstrdup(path);
    f->at = svp_where(p, f->param);
}

/* The value of parameter side + suffix. */
static const char *value(svcparam *p, const char *side, const char *suffix)
{
    char name[64];
    snprintf(name, sizeof name, "%s%s", side, suffix);
    return svp_get(p, name);
}

static void collect(tlsf_set *s, svcparam *p, const char *side)
{
    s->side = side;
    const char *chains = value(p, side, "_tls_chain_files");
    if (*chains) {
        char **w;
        size_t n;
        emit_split(chains, &w, &n);
        for (size_t i = 0; i < n; i++)
            add_file(s, p, TLSF_CHAIN, "_tls_chain_files", w[i]);
        emit_split_free(w, n);
    } else {
        static const char *const pairs[][2] = { { "_tls_cert_file", "_tls_key_file" },
                                                { "_tls_dcert_file", "_tls_dkey_file" },
                                                { "_tls_eccert_file", "_tls_eckey_file" } };
        for (size_t i = 0; i < 3; i++) {
            const char *cert = value(p, side, pairs[i][0]);
            /* smtpd_tls_cert_file = none: no certificate on purpose */
            if (!*cert || (i == 0 && strcasecmp(cert, "none") == 0))
                continue;
            add_file(s, p, TLSF_CERT, pairs[i][0], cert);
            const char *key = value(p, side, pairs[i][1]);
            add_file(s, p, TLSF_KEY, pairs[i][1], *key ? key : cert);
        }
    }
    const char *cafile = value(p, side, "_tls_CAfile");
    if (*cafile)
        add_file(s, p, TLSF_CAFILE, "_tls_CAfile", cafile);
    const char *capath = value(p, side, "_tls_CApath");
    if (*capath)
        add_file(s, p, TLSF_CAPATH, "_tls_CApath", capath);
}

static int yes_of(svcparam *p, const char *side, const char *suffix)
{
    return strcasecmp(value(p, side, suffix), "yes") == 0;
}

/* Does the smtp/lmtp client of this context use TLS at all? */
static int client_tls(svcparam *p, const char *side)
{
    const char *level = value(p, side, "_tls_security_level");
    int policy = *value(p, side, "_tls_policy_maps") != 0;
    if (*level)
        return strcasecmp(level, "none") != 0 || policy;
    return yes_of(p, side, "_use_tls") || yes_of(p, side, "_enforce_tls") || policy ||
           *value(p, side, "_tls_per_site");
}

static void visit(config *c, const master_service *svc, const char *side, tlsf_fn fn, void *ctx)
{
    svcparam p;
    svp_init(&p, c, svc, NULL, NULL);
    int on;
    if (strcmp(side, "smtpd") == 0) {
        stls_state st;
        stls_of(&p, &st);
        on = st.use;
    } else {
        on = client_tls(&p, side);
    }
    if (on) {
        tlsf_set s;
        memset(&s, 0, sizeof s);
        svp_service_name(&p, s.service, sizeof s.service);
        s.service_at = svp_service_loc(&p);
        collect(&s, &p, side);
        if (s.nfiles)
            fn(ctx, &s);
        for (size_t i = 0; i < s.nfiles; i++)
            free(s.files[i].path);
        free(s.files);
    }
    svp_free(&p);
}

void tlsf_each(config *c, tlsf_fn fn, void *ctx)
{
    if (c->master_file < 0) {
        visit(c, NULL, "smtpd", fn, ctx);
        visit(c, NULL, "smtp", fn, ctx);
        return;
    }
    for (size_t i = 0; i < c->master.n; i++) {
        const master_service *svc = &c->master.v[i];
        const char *cmd = svc->field[MS_COMMAND].text;
        if (stls_network_smtpd(svc))
            visit(c, svc, "smtpd", fn, ctx);
        else if (strcmp(cmd, "smtp") == 0 || strcmp(cmd, "lmtp") == 0)
            visit(c, svc, cmd, fn, ctx);
    }
}

/* ---- where a file is read ------------------------------------------------ */

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Is the checked directory the mail host's own $config_directory? */
static int on_host(const config *c, const char *confdir)
{
    char a[PATH_MAX], b[PATH_MAX];
    return realpath(c->dir, a) && realpath(confdir, b) && strcmp(a, b) == 0;
}

/* path dir itself or below it ("dir/x")? Returns what follows "dir/"
 * ("" for dir itself), or NULL. */
static const char *below(const char *path, const char *dir)
{
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    if (dl == 0 || strncmp(path, dir, dl) != 0 || (path[dl] != '/' && path[dl] != '\0'))
        return NULL;
    return path[dl] ? path + dl + 1 : path + dl;
}

tlsf_status tlsf_resolve(const config *c, const char *path, char **fs)
{
    svcparam g;
    svp_init(&g, c, NULL, NULL, NULL);
    char *confdir = xstrdup(svp_get(&g, "config_directory"));
    strbuf abs;
    sb_init(&abs);
    if (path[0] != '/') {
        sb_adds(&abs, svp_get(&g, "queue_directory"));
        sb_addc(&abs, '/');
    }
    sb_adds(&abs, path);
    svp_free(&g);
    tlsf_status r;
    const char *rest = below(sb_str(&abs), confdir);
    if (rest) {
        *fs = *rest ? config_path(c, rest) : xstrdup(c->dir);
        r = exists(*fs) ? TLSF_HERE : on_host(c, confdir) ? TLSF_MISSING : TLSF_NOT_COPIED;
    } else {
        *fs = xstrdup(sb_str(&abs));
        if (exists(*fs))
            r = TLSF_HERE;
        else if (on_host(c, confdir) || (c->dir[0] == '/' && below(*fs, c->dir)))
            r = TLSF_MISSING;
        else
            r = TLSF_ELSEWHERE;
    }
    free(confdir);
    sb_free(&abs);
    return r;
}

int tlsf_first(tlsf_seen *s, const tlsf_file *f)
{
    strbuf k;
    sb_init(&k);
    sb_addf(&k, "%s|%s|%d:%u", f->param, f->path, f->at.file, f->at.off);
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], sb_str(&k)) == 0) {
            sb_free(&k);
            return 0;
        }
    xgrow(&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = sb_take(&k);
    return 1;
}

void tlsf_seen_free(tlsf_seen *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}
