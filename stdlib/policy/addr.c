/* addr.c: addresses as smtpd takes them from MAIL FROM / RCPT TO (angle
 * brackets and an RFC 821 source route removed, quotes undone for the
 * routing test) and the host name syntax rules of HELO checks. */
#include "stdlib/policy/internal.h"
#include "stdlib/maps/cidr.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *lower(char *d)
{
    for (char *c = d; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return d;
}

/* trivial-rewrite's resolution of routing operators in local domains. */
/* trivial-rewrite's resolution of routing operators in local domains:
 * rlocal and rdomain are cut out of their own copy of the local part
 * (in the address's one allocation). */
static void resolve(pol_session *s, pol_addr *a, char *l)
{
    char *d = a->domain;
    int dequoted = pol_param_bool(s, "resolve_dequoted_address");
    int percent = pol_param_bool(s, "allow_percent_hack");
    int bang = pol_param_bool(s, "swap_bangpath");
    for (int guard = 0; guard < 16; guard++) {
        if (*d && pol_domain_class(s, d) != IMG_CLASS_LOCAL)
            break;
        char *at = dequoted ? strrchr(l, '@') : NULL;
        char *pct = percent ? strrchr(l, '%') : NULL;
        char *bg = bang ? strchr(l, '!') : NULL;
        char *cut = at ? at : pct;
        if (cut) {
            *cut = 0;
            d = lower(cut + 1);
        } else if (bg) {
            *bg = 0;
            d = lower(l);
            l = bg + 1;
        } else {
            break;
        }
    }
    a->rlocal = l;
    a->rdomain = d;
    a->routed = strpbrk(l, "@%!") != NULL;
}

/* One allocation holds every string of the address: addr, local part,
 * domain, echo form and the copy resolve() cuts up; pol_addr_free frees
 * it through a->addr. */
void pol_addr_parse(pol_session *s, const char *in, pol_addr *a)
{
    memset(a, 0, sizeof *a);
    size_t n = strlen(in);
    const char *p = in;
    if (n >= 2 && p[0] == '<' && p[n - 1] == '>') {
        p++;
        n -= 2;
    }
    /* "@a,@b:user@domain": the route goes */
    if (n > 0 && p[0] == '@') {
        const char *colon = memchr(p, ':', n);
        if (colon) {
            n -= (size_t)(colon + 1 - p);
            p = colon + 1;
        }
    }
    char *arena = xmalloc(5 * n + 8), *w = arena;
    a->addr = w;
    memcpy(w, p, n);
    w[n] = 0;
    w += n + 1;
    /* the domain follows the last '@' outside quotes */
    ssize_t at = -1;
    int quoted = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\' && i + 1 < n) {
            i++;
            continue;
        }
        if (p[i] == '"')
            quoted = !quoted;
        else if (p[i] == '@' && !quoted)
            at = (ssize_t)i;
    }
    size_t ll = at < 0 ? n : (size_t)at;
    a->local = w;
    for (size_t i = 0; i < ll; i++) {
        if (p[i] == '"')
            continue;
        if (p[i] == '\\' && i + 1 < ll)
            i++;
        *w++ = p[i];
    }
    *w++ = 0;
    size_t lul = (size_t)(w - 1 - a->local);
    const char *dom = at < 0 ? "" : p + at + 1;
    size_t dl = at < 0 ? 0 : n - (size_t)at - 1;
    a->domain = w;
    memcpy(w, dom, dl);
    w[dl] = 0;
    if (dl > 1 && w[dl - 1] == '.')
        w[dl - 1] = 0;   /* "user@example.net." is user@example.net */
    lower(w);
    w += dl + 1;
    a->echo = w;   /* the local part unquoted, then "@" and the domain as written */
    memcpy(w, a->local, lul);
    w += lul;
    if (at >= 0) {
        *w++ = '@';
        memcpy(w, dom, dl);
        w += dl;
    }
    *w++ = 0;
    char *l = w;
    memcpy(l, a->local, lul + 1);
    resolve(s, a, l);
}

void pol_addr_free(pol_addr *a)
{
    free(a->addr);
    memset(a, 0, sizeof *a);
}

static int valid_literal(const char *name)
{
    size_t n = strlen(name);
    if (n < 3 || name[0] != '[' || name[n - 1] != ']')
        return 0;
    char *inner = xstrndup(name + 1, n - 2);
    const char *a = strncasecmp(inner, "IPv6:", 5) == 0 ? inner + 5 : inner;
    unsigned char buf[16];
    int ok = cidr_parse_addr(a, buf) != 0;
    free(inner);
    return ok;
}

/* Postfix's valid_hostname: labels of letters, digits, '-' and '_', not
 * starting or ending with '-', at most 63 bytes each and 255 in all, and
 * not all-numeric. */
int pol_valid_hostname(const char *name)
{
    size_t n = strlen(name), label = 0;
    int non_numeric = 0;
    if (n == 0 || n > 255)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c == '.') {
            if (label == 0 || name[i - 1] == '-')
                return 0;
            label = 0;
            continue;
        }
        if (!isalnum(c) && c != '-' && c != '_')
            return 0;
        if (c == '-' && label == 0)
            return 0;
        if (!isdigit(c))
            non_numeric = 1;
        if (++label > 63)
            return 0;
    }
    if (label == 0 || name[n - 1] == '-')
        return 0;
    return non_numeric;
}

/* A name with one trailing dot removed (as Postfix checks HELO names). */
static char *undot(const char *name)
{
    size_t n = strlen(name);
    return xstrndup(name, n > 1 && name[n - 1] == '.' ? n - 1 : n);
}

static int bare_address(const char *name)
{
    unsigned char buf[16];
    return cidr_parse_addr(name, buf) != 0;
}

int pol_valid_helo(const char *name)
{
    if (name[0] == '[')
        return valid_literal(name);
    char *n = undot(name);
    int ok = pol_valid_hostname(n) || bare_address(n);
    free(n);
    return ok;
}

int pol_fqdn(const char *name)
{
    if (name[0] == '[')
        return valid_literal(name);
    char *n = undot(name);
    int ok = pol_valid_hostname(n) && strchr(n, '.') != NULL;
    free(n);
    return ok;
}
