/* services.c: master.cf services as transports, daemons and listeners
 * (services.h). */
#include "compiler/verify/services.h"
#include "compiler/listen.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The unix services of Postfix 3.7's stock master.cf and their daemons. */
static const struct { const char *name, *daemon; } stock[] = {
    { "pickup", "pickup" },   { "cleanup", "cleanup" },   { "qmgr", "qmgr" },
    { "tlsmgr", "tlsmgr" },   { "rewrite", "trivial-rewrite" }, { "bounce", "bounce" },
    { "defer", "bounce" },    { "trace", "bounce" },      { "verify", "verify" },
    { "flush", "flush" },     { "proxymap", "proxymap" }, { "proxywrite", "proxymap" },
    { "smtp", "smtp" },       { "relay", "smtp" },        { "showq", "showq" },
    { "error", "error" },     { "retry", "error" },       { "discard", "discard" },
    { "local", "local" },     { "virtual", "virtual" },   { "lmtp", "lmtp" },
    { "anvil", "anvil" },     { "scache", "scache" },
};
#define NSTOCK (sizeof stock / sizeof *stock)

/* The stock entry of a transport name, or NULL. */
static const char *stock_daemon(const char *name)
{
    for (size_t i = 0; i < NSTOCK; i++)
        if (strcmp(stock[i].name, name) == 0)
            return stock[i].daemon;
    return NULL;
}

/* Does a unix service of the stock master.cf run daemon? */
static int stock_runs(const char *daemon)
{
    for (size_t i = 0; i < NSTOCK; i++)
        if (strcmp(stock[i].daemon, daemon) == 0)
            return 1;
    return 0;
}

static int has_master(const verify_ctx *v)
{
    return v->c->master_file >= 0;
}

int svc_master_complete(const verify_ctx *v)
{
    if (!has_master(v))
        return 0;
    const img *im = &v->im;
    for (uint32_t i = 0; i < im->nservices; i++) {
        const char *cmd = img_str(im, im->services[i].command);
        if (strcmp(cmd, "qmgr") == 0 || strcmp(cmd, "nqmgr") == 0 || strcmp(cmd, "oqmgr") == 0)
            return 1;
    }
    return 0;
}

/* The daemon of a service: its command without a directory. */
static const char *daemon_of(const img *im, const img_service *s)
{
    const char *cmd = img_str(im, s->command);
    const char *slash = strrchr(cmd, '/');
    return slash ? slash + 1 : cmd;
}

const char *svc_transport_daemon(const verify_ctx *v, const char *name, const img_service **svc)
{
    *svc = NULL;
    if (!has_master(v))
        return stock_daemon(name);
    const img *im = &v->im;
    /* a master.cf without qmgr is a part added to the distribution's file */
    const char *found = svc_master_complete(v) ? NULL : stock_daemon(name);
    for (uint32_t i = 0; i < im->nservices; i++) {   /* the last entry wins, as in master(8) */
        const img_service *s = &im->services[i];
        if (strcmp(img_str(im, s->type), "unix") == 0 && strcmp(img_str(im, s->name), name) == 0) {
            found = daemon_of(im, s);
            *svc = s;
        }
    }
    return found;
}

const char **svc_transport_names(const verify_ctx *v, size_t *n)
{
    const img *im = &v->im;
    const char **out = xcalloc(im->nservices + NSTOCK + 1, sizeof *out);
    *n = 0;
    if (!svc_master_complete(v))
        for (size_t i = 0; i < NSTOCK; i++)
            out[(*n)++] = stock[i].name;
    for (uint32_t i = 0; has_master(v) && i < im->nservices; i++)
        if (strcmp(img_str(im, im->services[i].type), "unix") == 0)
            out[(*n)++] = img_str(im, im->services[i].name);
    return out;
}

void svc_each_daemon(verify_ctx *v, const char *daemon, svc_fn *fn, void *arg)
{
    const img *im = &v->im;
    int qmgr = strcmp(daemon, "qmgr") == 0;
    /* the stock service (smtpd: its "smtp inet"), with the main.cf values */
    if (!svc_master_complete(v) && (stock_runs(daemon) || strcmp(daemon, "smtpd") == 0))
        fn(v, NULL, arg);
    for (uint32_t i = 0; has_master(v) && i < im->nservices; i++) {
        const char *d = daemon_of(im, &im->services[i]);
        if (strcmp(d, daemon) == 0 || (qmgr && (strcmp(d, "nqmgr") == 0 || strcmp(d, "oqmgr") == 0)))
            fn(v, &im->services[i], arg);
    }
}

unsigned svc_port(const char *name)
{
    static const struct { const char *name; unsigned port; } known[] = {
        { "smtp", 25 }, { "submission", 587 }, { "submissions", 465 }, { "smtps", 465 },
        { "lmtp", 24 },
    };
    if (*name && strspn(name, "0123456789") == strlen(name)) {
        unsigned long p = strtoul(name, NULL, 10);
        return p > 0 && p < 65536 ? (unsigned)p : 0;
    }
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(known[i].name, name) == 0)
            return known[i].port;
    return 0;
}

/* The port of an inet service name ("smtp", "127.0.0.1:2525"). */
static unsigned inet_port(const char *name)
{
    const char *colon = strrchr(name, ':');
    return svc_port(colon ? colon + 1 : name);
}

static int loopback(const char *a)
{
    return strncmp(a, "127.", 4) == 0 || strcmp(a, "::1") == 0;
}

/* Does a listener on host (a service's host part or one inet_interfaces
 * word; "" none) take connections for addr (NULL: this host's name,
 * which resolves to one of its other addresses)? */
static int takes(const char *host, const char *addr)
{
    char h[256];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
        snprintf(h, sizeof h, "%.*s", (int)(n - 2), host + 1);
    else
        snprintf(h, sizeof h, "%s", host);
    int lo = loopback(h) || strcmp(h, "localhost") == 0;
    if (!addr)
        return !lo;
    return strcmp(h, addr) == 0 || (lo && loopback(addr));
}

/* Does an smtpd without an address of its own (inet_interfaces) take
 * connections for addr? */
static int interfaces_take(const img *im, const char *addr)
{
    const img_param *p = img_param_find(im, "inet_interfaces");
    const char *ifs = p ? img_str(im, p->text) : "all";
    if (strcmp(ifs, "all") == 0)
        return 1;
    if (strcmp(ifs, "loopback-only") == 0)
        return addr && loopback(addr);
    for (const char *w = ifs; *w;) {
        w += strspn(w, ", \t");
        size_t l = strcspn(w, ", \t");
        if (!l)
            break;
        char one[256];
        snprintf(one, sizeof one, "%.*s", (int)(l < 255 ? l : 255), w);
        if (takes(one, addr))
            return 1;
        w += l;
    }
    return 0;
}

int svc_smtpd_listens(const verify_ctx *v, unsigned port, const char *addr)
{
    const img *im = &v->im;
    if (!svc_master_complete(v) && port == 25 && interfaces_take(im, addr))
        return 1;   /* the stock "smtp inet ... smtpd" */
    for (uint32_t i = 0; i < im->nservices; i++) {
        const img_service *s = &im->services[i];
        const char *d = daemon_of(im, s);
        if (strcmp(img_str(im, s->type), "inet") != 0 ||
            (strcmp(d, "smtpd") != 0 && strcmp(d, "postscreen") != 0))
            continue;
        const char *name = img_str(im, s->name);
        const char *colon = strrchr(name, ':');
        if (inet_port(name) != port)
            continue;
        char host[256] = "";
        if (colon)
            snprintf(host, sizeof host, "%.*s", (int)(colon - name < 255 ? colon - name : 255), name);
        if (*host ? takes(host, addr) : interfaces_take(im, addr))
            return 1;
    }
    return 0;
}

int svc_mx_facing(const verify_ctx *v, const img_service *svc)
{
    if (!svc)
        return 1;
    const img *im = &v->im;
    const char *type = img_str(im, svc->type);
    if (strcmp(type, "inet") == 0)
        return inet_port(img_str(im, svc->name)) == 25;
    if (strcmp(type, "pass") != 0)
        return 0;
    for (uint32_t i = 0; i < im->nservices; i++) {
        const img_service *s = &im->services[i];
        if (strcmp(img_str(im, s->type), "inet") == 0 && strcmp(daemon_of(im, s), "postscreen") == 0 &&
            inet_port(img_str(im, s->name)) == 25)
            return 1;
    }
    return 0;
}

static const img_param *service_param(const img *im, const img_service *svc, const char *name)
{
    return svc ? img_service_param(im, svc, name) : img_param_find(im, name);
}

int svc_loopback_only(const img *im, const img_service *svc)
{
    const img_param *p = service_param(im, svc, "inet_interfaces");
    return listen_loopback_only(svc ? img_str(im, svc->name) : "smtp",
                                p ? img_str(im, p->text) : "");
}

void svc_each_listener(verify_ctx *v, svc_fn *fn, void *arg)
{
    const img *im = &v->im;
    int any = 0;
    for (uint32_t i = 0; i < im->nservices; i++) {
        const img_service *s = &im->services[i];
        const char *type = img_str(im, s->type);
        if (strcmp(img_str(im, s->command), "smtpd") != 0 ||
            (strcmp(type, "inet") != 0 && strcmp(type, "pass") != 0))
            continue;
        any = 1;
        fn(v, s, arg);
    }
    if (!any && v->c->master_file < 0)
        fn(v, NULL, arg);
}
