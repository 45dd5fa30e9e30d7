/* dns_fixture.c: answers from zone files (see dns.h), for simulation and
 * tests: no test may depend on the internet. The answers are those of the
 * Postfix oracle's fake DNS server (tools/postfix-oracle), so that a
 * recorded case means the same thing to both: "*.suffix" wildcards (the
 * longest suffix wins), names above listed ones exist without records
 * (empty non-terminals: NODATA, not NXDOMAIN), SERVFAIL before anything
 * else (for the listed name only: it makes no name exist), CNAMEs followed
 * when the name has no record of the type; records as Postfix reads the
 * oracle's answers (addresses as inet_ntop writes them, TXT text as
 * pol_dns_txt gives it). tests/tools/fake-dns.py serves the same answers
 * over DNS, for the real resolver (dns_real.c). */
#include "stdlib/policy/dns.h"
#include "stdlib/util/alloc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct zrec {
    char    *name;       /* lowercase, no trailing dot */
    int      type;       /* 0: SERVFAIL */
    unsigned pref;
    char    *data;
    int      file;       /* which file gave it */
} zrec;

typedef struct fixture {
    pol_dns base;
    zrec   *v;
    size_t  n, cap;
} fixture;

static const struct { const char *name; int type; } types[] = {
    { "A", POL_DNS_A }, { "AAAA", POL_DNS_AAAA }, { "MX", POL_DNS_MX }, { "NS", POL_DNS_NS },
    { "CNAME", POL_DNS_CNAME }, { "PTR", POL_DNS_PTR }, { "TXT", POL_DNS_TXT },
};

static int type_of(const char *w)
{
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (strcasecmp(types[i].name, w) == 0)
            return types[i].type;
    return strcasecmp(w, "SERVFAIL") == 0 ? 0 : -1;
}

/* Does the zone list records below name (name is an empty non-terminal)?
 * As in the oracle, "name SERVFAIL" lines make no name exist. */
static int has_below(const fixture *f, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < f->n; i++) {
        size_t l = strlen(f->v[i].name);
        if (f->v[i].type && l > n + 1 && f->v[i].name[l - n - 1] == '.' &&
            strcmp(f->v[i].name + l - n, name) == 0)
            return 1;
    }
    return 0;
}

static int listed(const fixture *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->v[i].type && strcmp(f->v[i].name, name) == 0)
            return 1;
    return 0;
}

/* The owner whose records answer for name: itself, or the wildcard of
 * its longest parent suffix; NULL if none. */
static char *owner_of(const fixture *f, const char *name)
{
    if (listed(f, name))
        return xstrdup(name);
    for (const char *dot = strchr(name, '.'); dot; dot = strchr(dot + 1, '.')) {
        char *wc = xmalloc(strlen(dot) + 2);
        sprintf(wc, "*%s", dot);
        if (listed(f, wc))
            return wc;
        free(wc);
    }
    return NULL;
}

static int servfail(const fixture *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->v[i].type == 0 && strcmp(f->v[i].name, name) == 0)
            return 1;
    return 0;
}

static pol_dns_status lookup(fixture *f, const char *qname, int type, pol_dns_rr **rr, size_t *n,
                             int depth)
{
    char *name = pol_dns_name(qname, strlen(qname));
    if (servfail(f, name)) {
        free(name);
        return POL_DNS_TEMPFAIL;
    }
    char *owner = owner_of(f, name);
    if (!owner) {
        pol_dns_status st = has_below(f, name) ? POL_DNS_NODATA : POL_DNS_NXDOMAIN;
        free(name);
        return st;
    }
    size_t cap = 0;
    const char *cname = NULL;
    for (size_t i = 0; i < f->n; i++) {
        zrec *z = &f->v[i];
        if (strcmp(z->name, owner) != 0)
            continue;
        if (z->type == POL_DNS_CNAME && !cname)
            cname = z->data;
        if (z->type != type)
            continue;
        xgrow(rr, &cap, *n + 1, sizeof **rr);
        (*rr)[*n].type = type;
        (*rr)[*n].pref = z->pref;
        (*rr)[(*n)++].data = xstrdup(z->data);
    }
    free(owner);
    free(name);
    if (*n)
        return POL_DNS_FOUND;
    if (cname && type != POL_DNS_CNAME && depth < 8)
        return lookup(f, cname, type, rr, n, depth + 1);
    return POL_DNS_NODATA;
}

static pol_dns_status fixture_query(pol_dns *d, const char *name, int type, pol_dns_rr **rr,
                                    size_t *n)
{
    *rr = NULL;
    *n = 0;
    return lookup((fixture *)d, name, type, rr, n, 0);
}

static void fixture_free(pol_dns *d)
{
    fixture *f = (fixture *)d;
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].name);
        free(f->v[i].data);
    }
    free(f->v);
    free(f);
}

/* An A or AAAA record's address as inet_ntop writes it, as the real
 * resolver gives it; NULL if it is none. */
static char *canonical_address(int type, const char *text)
{
    int af = type == POL_DNS_A ? AF_INET : AF_INET6;
    unsigned char b[16];
    char out[INET6_ADDRSTRLEN];
    if (inet_pton(af, text, b) != 1 || !inet_ntop(af, b, out, sizeof out))
        return NULL;
    return xstrdup(out);
}

/* Records of names this file lists replace those of earlier files. */
static void drop_earlier(fixture *f, const char *name, int file)
{
    size_t k = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (f->v[i].file < file && strcmp(f->v[i].name, name) == 0) {
            free(f->v[i].name);
            free(f->v[i].data);
            continue;
        }
        f->v[k++] = f->v[i];
    }
    f->n = k;
}

static int load_file(fixture *f, const char *path, int file, strbuf *err)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        sb_addf(err, "%s: cannot open", path);
        return -1;
    }
    char line[4096];
    unsigned lineno = 0;
    while (fgets(line, sizeof line, fp)) {
        lineno++;
        line[strcspn(line, ";#")] = 0;   /* comments, as the oracle strips them */
        char *w[256];
        int nw = 0;
        for (char *save = NULL, *t = strtok_r(line, " \t\r\n", &save); t && nw < 256;
             t = strtok_r(NULL, " \t\r\n", &save))
            w[nw++] = t;
        if (nw == 0)
            continue;
        int k = 1;
        if (k < nw && isdigit((unsigned char)w[k][0]))
            k++;   /* ttl */
        if (k < nw && strcasecmp(w[k], "IN") == 0)
            k++;
        int type = k < nw ? type_of(w[k]) : -1;
        if (type < 0 || (type != 0 && k + 1 >= nw) ||
            (type == POL_DNS_MX && (k + 2 >= nw || strspn(w[k + 1], "0123456789") != strlen(w[k + 1])))) {
            sb_addf(err, "%s:%u: expected \"name [ttl] [IN] TYPE data\" or \"name SERVFAIL\"",
                    path, lineno);
            fclose(fp);
            return -1;
        }
        zrec z = { .name = pol_dns_name(w[0], strlen(w[0])), .type = type, .file = file };
        if (type == POL_DNS_MX) {
            z.pref = (unsigned)strtoul(w[k + 1], NULL, 10);
            z.data = pol_dns_name(w[k + 2], strlen(w[k + 2]));
        } else if (type == POL_DNS_TXT) {
            /* the words joined by one space, quotes at either end removed */
            strbuf t;
            sb_init(&t);
            for (int j = k + 1; j < nw; j++) {
                if (j > k + 1)
                    sb_addc(&t, ' ');
                sb_adds(&t, w[j]);
            }
            const char *b = sb_str(&t);
            size_t l = strlen(b);
            while (l > 0 && b[l - 1] == '"')
                l--;
            while (l > 0 && *b == '"')
                b++, l--;
            z.data = pol_dns_txt(b, l);
            sb_free(&t);
        } else if (type == POL_DNS_A || type == POL_DNS_AAAA) {
            z.data = canonical_address(type, w[k + 1]);
            if (!z.data) {
                sb_addf(err, "%s:%u: bad address \"%s\"", path, lineno, w[k + 1]);
                free(z.name);
                fclose(fp);
                return -1;
            }
        } else if (type != 0) {
            z.data = pol_dns_name(w[k + 1], strlen(w[k + 1]));
        } else {
            z.data = xstrdup("");
        }
        drop_earlier(f, z.name, file);
        xgrow(&f->v, &f->cap, f->n + 1, sizeof *f->v);
        f->v[f->n++] = z;
    }
    fclose(fp);
    return 0;
}

pol_dns *pol_dns_fixture_new(const char *const *paths, size_t npaths, strbuf *err)
{
    fixture *f = xcalloc(1, sizeof *f);
    f->base.query = fixture_query;
    f->base.free = fixture_free;
    for (size_t i = 0; i < npaths; i++)
        if (load_file(f, paths[i], (int)i, err) < 0) {
            fixture_free(&f->base);
            return NULL;
        }
    return &f->base;
}

pol_dns *pol_dns_empty_new(void)
{
    return pol_dns_fixture_new(NULL, 0, NULL);
}

pol_dns_status pol_dns_query(pol_dns *d, const char *name, int type, pol_dns_rr **rr, size_t *n)
{
    return d->query(d, name, type, rr, n);
}

void pol_dns_rr_free(pol_dns_rr *rr, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(rr[i].data);
    free(rr);
}

void pol_dns_free(pol_dns *d)
{
    if (d)
        d->free(d);
}
