/* listen.c: the listening sockets of an image's smtpd services (see
 * listen.h). */
#include "runtime/listen.h"
#include "stdlib/util/alloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum { FAM_V4 = 1, FAM_V6 = 2 };

static int v6_available(void)
{
    int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

/* The families inet_protocols enables ("all", "ipv4", "ipv6", both). */
static unsigned families(const img *im)
{
    const img_param *p = img_param_find(im, "inet_protocols");
    unsigned fams = 0;
    if (!p || p->kind != IMG_PK_LIST)
        return FAM_V4 | (v6_available() ? FAM_V6 : 0);
    for (uint32_t i = 0; i < p->nlist; i++) {
        const char *w = img_str(im, img_list_at(im, p->list, i));
        if (strcasecmp(w, "all") == 0)
            fams |= FAM_V4 | (v6_available() ? FAM_V6 : 0);
        else if (strcasecmp(w, "ipv4") == 0)
            fams |= FAM_V4;
        else if (strcasecmp(w, "ipv6") == 0)
            fams |= FAM_V6;
    }
    return fams ? fams : FAM_V4;
}

static int fam_bit(int af)
{
    return af == AF_INET ? FAM_V4 : af == AF_INET6 ? FAM_V6 : 0;
}

static void describe(const struct sockaddr_storage *sa, char *out, size_t n)
{
    char host[INET6_ADDRSTRLEN] = "?";
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        snprintf(out, n, "%s:%u", host, ntohs(in->sin_port));
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        snprintf(out, n, "[%s]:%u", host, ntohs(in6->sin6_port));
    }
}

static int same_addr(const lsock *a, const lsock *b)
{
    return a->alen == b->alen && memcmp(&a->addr, &b->addr, a->alen) == 0;
}

static void where(const img *im, const img_service *s, strbuf *err)
{
    sb_addf(err, "service %s", img_str(im, s->name));
    if (s->file && s->file <= im->nfiles)
        sb_addf(err, " (%s:%u)", img_str(im, im->files[s->file - 1].path), s->line);
}

static int parse_port(const char *text, uint16_t *port)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(text, &end, 10);
    if (*text && !*end && !errno && n > 0 && n < 65536) {
        *port = (uint16_t)n;
        return 0;
    }
    struct servent *se = getservbyname(text, "tcp");
    if (!se)
        return -1;
    *port = ntohs((uint16_t)se->s_port);
    return 0;
}

/* Add an endpoint unless this service already has it; another service on
 * the same endpoint is an error. */
static int add(const img *im, lset *s, uint32_t svc, const struct sockaddr *sa, socklen_t alen, strbuf *err)
{
    lsock l = { .fd = -1, .alen = alen, .service = svc };
    memset(&l.addr, 0, sizeof l.addr);
    memcpy(&l.addr, sa, alen);
    describe(&l.addr, l.endpoint, sizeof l.endpoint);
    for (size_t i = 0; i < s->n; i++) {
        if (!same_addr(&s->v[i], &l))
            continue;
        if (s->v[i].service == svc)
            return 0;
        where(im, &im->services[svc], err);
        sb_addf(err, ": %s is also the endpoint of ", l.endpoint);
        where(im, &im->services[s->v[i].service], err);
        return -1;
    }
    xgrow(&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = l;
    return 0;
}

/* Every address of host (a name or a literal, [v6] in brackets, NULL for
 * the wildcard) in the enabled families, on port. */
static int add_host(const img *im, lset *s, uint32_t svc, const char *host, uint16_t port, unsigned fams,
                    strbuf *err)
{
    char buf[256];
    if (host && host[0] == '[') {
        size_t l = strlen(host);
        if (l < 3 || host[l - 1] != ']' || l - 2 >= sizeof buf) {
            where(im, &im->services[svc], err);
            sb_addf(err, ": bad address \"%s\"", host);
            return -1;
        }
        memcpy(buf, host + 1, l - 2);
        buf[l - 2] = 0;
        host = buf;
    }
    if (!host) {                                 /* the wildcard addresses */
        if (fams & FAM_V4) {
            struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(port) };
            in.sin_addr.s_addr = htonl(INADDR_ANY);
            if (add(im, s, svc, (struct sockaddr *)&in, sizeof in, err) < 0)
                return -1;
        }
        if (fams & FAM_V6) {
            struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
            in6.sin6_addr = in6addr_any;
            if (add(im, s, svc, (struct sockaddr *)&in6, sizeof in6, err) < 0)
                return -1;
        }
        return 0;
    }
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0) {
        where(im, &im->services[svc], err);
        sb_addf(err, ": cannot resolve \"%s\": %s", host, gai_strerror(rc));
        return -1;
    }
    int found = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (!(fam_bit(ai->ai_family) & fams))
            continue;
        struct sockaddr_storage ss;
        memset(&ss, 0, sizeof ss);
        memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
        if (ss.ss_family == AF_INET)
            ((struct sockaddr_in *)&ss)->sin_port = htons(port);
        else
            ((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
        if (add(im, s, svc, (struct sockaddr *)&ss, ai->ai_addrlen, err) < 0) {
            freeaddrinfo(res);
            return -1;
        }
        found = 1;
    }
    freeaddrinfo(res);
    if (!found) {
        where(im, &im->services[svc], err);
        sb_addf(err, ": \"%s\" has no address in the families inet_protocols enables", host);
        return -1;
    }
    return 0;
}

/* A bare port: every inet_interfaces address. */
static int add_interfaces(const img *im, lset *s, uint32_t svc, uint16_t port, unsigned fams, strbuf *err)
{
    const img_param *p = img_param_find(im, "inet_interfaces");
    if (!p || p->kind != IMG_PK_LIST || p->nlist == 0)
        return add_host(im, s, svc, NULL, port, fams, err);
    for (uint32_t i = 0; i < p->nlist; i++) {
        const char *w = img_str(im, img_list_at(im, p->list, i));
        int rc;
        if (strcasecmp(w, "all") == 0) {
            rc = add_host(im, s, svc, NULL, port, fams, err);
        } else if (strcasecmp(w, "loopback-only") == 0) {
            rc = 0;
            if (fams & FAM_V4)
                rc = add_host(im, s, svc, "127.0.0.1", port, FAM_V4, err);
            if (rc == 0 && (fams & FAM_V6))
                rc = add_host(im, s, svc, "::1", port, FAM_V6, err);
        } else {
            rc = add_host(im, s, svc, w, port, fams, err);
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

int ls_plan(const img *im, lset *want, strbuf *err)
{
    memset(want, 0, sizeof *want);
    unsigned fams = families(im);
    for (uint32_t i = 0; i < im->nservices; i++) {
        const img_service *s = &im->services[i];
        if (strcmp(img_str(im, s->type), "inet") != 0 || strcmp(img_str(im, s->command), "smtpd") != 0)
            continue;
        const char *name = img_str(im, s->name);
        const char *colon = strrchr(name, ':');
        const char *port_text = colon ? colon + 1 : name;
        uint16_t port;
        if (parse_port(port_text, &port) < 0) {
            where(im, s, err);
            sb_addf(err, ": unknown port \"%s\" (not a number, not in /etc/services)", port_text);
            ls_free(want);
            return -1;
        }
        int rc;
        if (colon && colon > name) {
            char *host = xstrndup(name, (size_t)(colon - name));
            rc = strcmp(host, "*") == 0 ? add_interfaces(im, want, i, port, fams, err)
                                        : add_host(im, want, i, host, port, fams, err);
            free(host);
        } else {
            rc = add_interfaces(im, want, i, port, fams, err);
        }
        if (rc < 0) {
            ls_free(want);
            return -1;
        }
    }
    return 0;
}

static int open_one(lsock *l, strbuf *err)
{
    int fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        sb_addf(err, "%s: cannot create a socket: %s", l->endpoint, strerror(errno));
        return -1;
    }
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (l->addr.ss_family == AF_INET6)         /* :: and 0.0.0.0 side by side */
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    if (bind(fd, (struct sockaddr *)&l->addr, l->alen) < 0) {
        sb_addf(err, "%s: cannot bind: %s", l->endpoint, strerror(errno));
        close(fd);
        return -1;
    }
    if (listen(fd, LS_BACKLOG) < 0) {
        sb_addf(err, "%s: cannot listen: %s", l->endpoint, strerror(errno));
        close(fd);
        return -1;
    }
    l->fd = fd;
    return 0;
}

static const lsock *find(const lset *s, const lsock *l)
{
    for (size_t i = 0; i < s->n; i++)
        if (same_addr(&s->v[i], l))
            return &s->v[i];
    return NULL;
}

int ls_bind(lset *want, const lset *old, strbuf *err)
{
    for (size_t i = 0; i < want->n; i++) {
        const lsock *had = old ? find(old, &want->v[i]) : NULL;
        if (had) {
            want->v[i].fd = had->fd;
        } else if (open_one(&want->v[i], err) < 0) {
            ls_unbind_new(want, old);
            return -1;
        }
    }
    return 0;
}

int ls_has_fd(const lset *s, int fd)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (s->v[i].fd == fd)
            return 1;
    return 0;
}

void ls_unbind_new(lset *want, const lset *old)
{
    for (size_t i = 0; i < want->n; i++) {
        if (want->v[i].fd >= 0 && !ls_has_fd(old, want->v[i].fd))
            close(want->v[i].fd);
        want->v[i].fd = -1;
    }
}

void ls_close_removed(const lset *old, const lset *want)
{
    for (size_t i = 0; i < old->n; i++)
        if (old->v[i].fd >= 0 && !ls_has_fd(want, old->v[i].fd))
            close(old->v[i].fd);
}

mtad_listener *ls_worker_view(const lset *s)
{
    mtad_listener *v = xcalloc(s->n ? s->n : 1, sizeof *v);
    for (size_t i = 0; i < s->n; i++) {
        v[i].fd = s->v[i].fd;
        v[i].service = s->v[i].service;
        snprintf(v[i].endpoint, sizeof v[i].endpoint, "%s", s->v[i].endpoint);
    }
    return v;
}

void ls_free(lset *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}
