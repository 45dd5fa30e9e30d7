/* hostparams.c: host-computed parameter defaults (see hostparams.h). */
#include "compiler/hostparams.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/strbuf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *const host_names[] = { "myhostname", "mydomain", "mynetworks", "process_id" };

int host_param(const char *name)
{
    for (size_t i = 0; i < sizeof host_names / sizeof *host_names; i++)
        if (strcmp(name, host_names[i]) == 0)
            return 1;
    return 0;
}

static char *my_hostname(const char *domain)
{
    char buf[256];
    if (gethostname(buf, sizeof buf - 1) != 0)
        snprintf(buf, sizeof buf, "localhost");
    buf[sizeof buf - 1] = 0;
    if (strchr(buf, '.'))
        return xstrdup(buf);
    strbuf b;
    sb_init(&b);
    sb_adds(&b, buf);
    sb_addc(&b, '.');
    sb_adds(&b, domain && *domain ? domain : "localdomain");
    return sb_take(&b);
}

/* Does a list value (comma/space separated) contain word (case-insensitive)? */
static int list_has(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        while (*p && (isspace((unsigned char)*p) || *p == ','))
            p++;
        const char *q = p;
        while (*q && !isspace((unsigned char)*q) && *q != ',')
            q++;
        if ((size_t)(q - p) == n && strncasecmp(p, word, n) == 0)
            return 1;
        p = q;
    }
    return 0;
}

typedef struct addr {
    int family;
    unsigned char a[16];
    int prefix;             /* netmask length */
    int loopback;
} addr;

static int mask_len(const unsigned char *m, int bytes)
{
    int n = 0;
    for (int i = 0; i < bytes; i++)
        for (int b = 7; b >= 0; b--) {
            if (!(m[i] >> b & 1))
                return n;
            n++;
        }
    return n;
}

static void apply_mask(unsigned char *a, int bytes, int prefix)
{
    for (int i = 0; i < bytes; i++) {
        int keep = prefix - i * 8;
        if (keep >= 8)
            continue;
        a[i] &= keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
    }
}

static void add_net(strbuf *b, const addr *x, const char *style)
{
    int bytes = x->family == AF_INET ? 4 : 16;
    unsigned char a[16];
    memcpy(a, x->a, (size_t)bytes);
    int prefix = bytes * 8;
    if (strcasecmp(style, "subnet") == 0)
        prefix = x->prefix;
    else if (strcasecmp(style, "class") == 0) {
        if (x->family == AF_INET) {
            prefix = a[0] < 128 ? 8 : a[0] < 192 ? 16 : a[0] < 224 ? 24 : 32;
        } else {
            prefix = x->prefix;
        }
    }
    apply_mask(a, bytes, prefix);
    char txt[INET6_ADDRSTRLEN];
    inet_ntop(x->family, a, txt, sizeof txt);
    char item[INET6_ADDRSTRLEN + 8];
    if (x->family == AF_INET)
        snprintf(item, sizeof item, "%s/%d", txt, prefix);
    else
        snprintf(item, sizeof item, "[%s]/%d", txt, prefix);
    /* no duplicates */
    size_t n = strlen(item);
    for (const char *p = b->s ? b->s : ""; (p = strstr(p, item)); p += n)
        if ((p == b->s || p[-1] == ' ') && p[n] == ' ')
            return;
    sb_adds(b, item);
    sb_addc(b, ' ');     /* Postfix leaves a space after each network */
}

/* Is interface address x selected by inet_interfaces? */
static int selected(const addr *x, const char *ifaces)
{
    if (list_has(ifaces, "all"))
        return 1;
    if (list_has(ifaces, "loopback-only"))
        return x->loopback;
    char txt[INET6_ADDRSTRLEN];
    inet_ntop(x->family, x->a, txt, sizeof txt);
    if (list_has(ifaces, txt))
        return 1;
    char br[INET6_ADDRSTRLEN + 2];
    snprintf(br, sizeof br, "[%s]", txt);
    return list_has(ifaces, br);
}

static char *my_networks(const char *style, const char *ifaces, const char *protos)
{
    int v4 = list_has(protos, "all") || list_has(protos, "ipv4");
    int v6 = list_has(protos, "all") || list_has(protos, "ipv6");
    struct ifaddrs *ifa = NULL;
    strbuf b;
    sb_init(&b);
    if (getifaddrs(&ifa) != 0)
        return sb_take(&b);
    for (int pass = 0; pass < 2; pass++) {
        int fam = pass == 0 ? AF_INET : AF_INET6;
        if ((fam == AF_INET && !v4) || (fam == AF_INET6 && !v6))
            continue;
        for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
            if (!i->ifa_addr || i->ifa_addr->sa_family != fam)
                continue;
            addr x = { .family = fam, .loopback = (i->ifa_flags & IFF_LOOPBACK) != 0 };
            if (fam == AF_INET) {
                memcpy(x.a, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
                x.prefix = i->ifa_netmask
                    ? mask_len((unsigned char *)&((struct sockaddr_in *)i->ifa_netmask)->sin_addr, 4)
                    : 32;
            } else {
                memcpy(x.a, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
                x.prefix = i->ifa_netmask
                    ? mask_len((unsigned char *)&((struct sockaddr_in6 *)i->ifa_netmask)->sin6_addr, 16)
                    : 128;
            }
            if (selected(&x, ifaces))
                add_net(&b, &x, style);
        }
    }
    freeifaddrs(ifa);
    return sb_take(&b);
}

char *host_default(const char *name, host_lookup_fn lookup, void *ctx)
{
    if (strcmp(name, "myhostname") == 0)
        return my_hostname(lookup(ctx, "mydomain?set"));
    if (strcmp(name, "mydomain") == 0) {
        const char *h = lookup(ctx, "myhostname");
        const char *dot = h ? strchr(h, '.') : NULL;
        return xstrdup(dot && dot[1] ? dot + 1 : "localdomain");
    }
    if (strcmp(name, "mynetworks") == 0) {
        char *style = xstrdup(lookup(ctx, "mynetworks_style") ? lookup(ctx, "mynetworks_style") : "subnet");
        char *ifaces = xstrdup(lookup(ctx, "inet_interfaces") ? lookup(ctx, "inet_interfaces") : "all");
        const char *pr = lookup(ctx, "inet_protocols");
        char *r = my_networks(style, ifaces, pr ? pr : "all");
        free(style);
        free(ifaces);
        return r;
    }
    if (strcmp(name, "process_id") == 0) {
        char buf[32];
        snprintf(buf, sizeof buf, "%ld", (long)getpid());
        return xstrdup(buf);
    }
    return NULL;
}
