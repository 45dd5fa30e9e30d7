/* dnsbl.c: the DNS list restrictions of Postfix 3.7's smtpd:
 * reject_rbl_client and permit_dnswl_client (the reversed client address
 * under the list's domain), reject_rhsbl_{client,reverse_client,helo,
 * sender,recipient} and permit_rhswl_client (a domain name under it).
 *
 * A name is listed when it has an A record, or with "=d.d.d.d" one that
 * the filter matches (each d a number or "[n;n..m;...]"). A listed name's
 * TXT records, joined with " / " (at most 500 characters), are the
 * $rbl_reason. A reject's reply is the rbl_reply_maps entry for the list
 * (as written, filter included), else default_rbl_reply, expanded with
 * the $rbl_* and session macros; a template that does not expand falls
 * back to default_rbl_reply, and one that does not start with a 4xx/5xx
 * code gives "450 4.7.1 Service unavailable". A DNS failure is ignored by
 * the block lists; an allow list's failure is a defer_if_reject.
 * postconf(5): reject_rbl_client, default_rbl_reply, rbl_reply_maps. */
#include "stdlib/policy/internal.h"
#include "stdlib/util/alloc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TXT_LIMIT 500

/* ---- "=d.d.d.d" filters ------------------------------------------------------ */

/* A number 0..255 at *p; -1 if there is none or it is larger. */
static int octet(const char **p)
{
    if (!isdigit((unsigned char)**p))
        return -1;
    int v = 0;
    while (isdigit((unsigned char)**p)) {
        v = v * 10 + (**p - '0');
        if (v > 255)
            return -1;
        (*p)++;
    }
    return v;
}

int pol_dnsxl_filter_parse(const char *pattern, unsigned char allow[4][256])
{
    memset(allow, 0, 4 * 256);
    char *copy = xstrdup(pattern);
    const char *p = copy;
    int ok = 0;
    /* [] around the whole pattern are dropped */
    if (*copy == '[') {
        int level = 1;
        char *e = copy + 1;
        for (; *e; e++) {
            if (*e == '[')
                level++;
            else if (*e == ']' && --level == 0)
                break;
        }
        if (!*e)
            goto out;
        if (!e[1]) {
            *e = 0;
            p = copy + 1;
        }
    }
    for (int field = 0; field < 4; field++) {
        if (field > 0 && *p++ != '.')
            goto out;
        if (*p != '[') {
            int v = octet(&p);
            if (v < 0)
                goto out;
            allow[field][v] = 1;
            continue;
        }
        p++;
        for (;;) {
            int lo = octet(&p), hi = lo;
            if (lo < 0)
                goto out;
            if (p[0] == '.' && p[1] == '.') {
                p += 2;
                hi = octet(&p);
                if (hi < lo)
                    goto out;
            }
            for (int v = lo; v <= hi; v++)
                allow[field][v] = 1;
            if (*p == ';') {
                p++;
                continue;
            }
            if (*p++ != ']')
                goto out;
            break;
        }
    }
    ok = *p == 0;
out:
    free(copy);
    return ok ? 0 : -1;
}

static int filter_match(unsigned char allow[4][256], const char *addr)
{
    unsigned char b[4];
    if (inet_pton(AF_INET, addr, b) != 1)
        return 0;
    for (int i = 0; i < 4; i++)
        if (!allow[i][b[i]])
            return 0;
    return 1;
}

/* ---- the lookup -------------------------------------------------------------- */

typedef enum listing { NOT_LISTED, LISTED, SOFT, BAD_FILTER } listing;

/* Is name listed under list (filter "" or "=pattern")? *txt: the reason. */
static listing lookup(pol_state *st, const char *name, const char *list, const char *filter,
                      char **txt)
{
    pol_session *s = st->s;
    *txt = NULL;
    char *q = xmalloc(strlen(name) + strlen(list) + 2);
    sprintf(q, "%s.%s", name, list);
    pol_dns_rr *rr;
    size_t n;
    pol_dns_status ds = pol_dns_query(s->dns, q, POL_DNS_A, &rr, &n);
    listing l = NOT_LISTED;
    if (ds == POL_DNS_TEMPFAIL) {
        pol_trace(s, st->r, "  %s: RBL lookup error: try again", q);
        l = SOFT;
    } else if (ds == POL_DNS_FOUND) {
        l = LISTED;
        if (*filter) {
            unsigned char allow[4][256];
            if (pol_dnsxl_filter_parse(filter + 1, allow) < 0) {
                l = BAD_FILTER;
            } else {
                l = NOT_LISTED;
                for (size_t i = 0; i < n && l == NOT_LISTED; i++)
                    if (filter_match(allow, rr[i].data))
                        l = LISTED;
            }
        }
        pol_trace(s, st->r, "  %s: A %s%s%s", q, rr[0].data, n > 1 ? " ..." : "",
                  l == LISTED ? "" : l == BAD_FILTER ? " (bad filter)" : " (filtered out)");
    }
    pol_dns_rr_free(rr, n);
    if (l == LISTED) {
        pol_dns_rr *t;
        size_t nt;
        if (pol_dns_query(s->dns, q, POL_DNS_TXT, &t, &nt) == POL_DNS_FOUND) {
            strbuf b;
            sb_init(&b);
            size_t left = TXT_LIMIT;
            for (size_t i = 0; i < nt && left > 0; i++) {
                /* printable ASCII: the resolvers give it so (pol_dns_txt) */
                sb_addn(&b, t[i].data, strnlen(t[i].data, left));
                left = TXT_LIMIT - strlen(sb_str(&b));
                if (i + 1 < nt && left > 3) {
                    sb_adds(&b, " / ");
                    left -= 3;
                }
            }
            *txt = sb_take(&b);
        }
        pol_dns_rr_free(t, nt);
    }
    free(q);
    return l;
}

/* ---- the reply --------------------------------------------------------------- */

typedef struct rbl_ctx {
    pol_state  *st;
    const char *domain, *what, *class, *txt;
    char        code[16];
} rbl_ctx;

static const char *rbl_macro(void *ctx, const char *name, strbuf *tmp)
{
    rbl_ctx *c = ctx;
    if (strcmp(name, "rbl_code") == 0)
        return c->code;
    if (strcmp(name, "rbl_domain") == 0)
        return c->domain;
    if (strcmp(name, "rbl_reason") == 0 || strcmp(name, "rbl_txt") == 0)
        return c->txt;
    if (strcmp(name, "rbl_what") == 0)
        return c->what;
    if (strcmp(name, "rbl_class") == 0)
        return c->class;
    return pol_session_macro(c->st->s, c->st->rcpt_addr.addr ? c->st->rcpt : NULL, name, tmp);
}

/* smtpd_expansion_filter, with its C escapes undone. */
static char *expansion_filter(pol_session *s)
{
    const char *v = pol_param_str(s, "smtpd_expansion_filter");
    strbuf b;
    sb_init(&b);
    while (*v) {
        if (*v != '\\' || !v[1]) {
            sb_addc(&b, *v++);
            continue;
        }
        v++;
        static const char esc[] = "a\ab\bf\fn\nr\rt\tv\v";
        const char *e = strchr(esc, *v);
        if (*v >= '0' && *v <= '7') {
            int c = 0;
            for (int k = 0; k < 3 && *v >= '0' && *v <= '7'; k++)
                c = c * 8 + (*v++ - '0');
            sb_addc(&b, (char)c);
        } else if (e && (e - esc) % 2 == 0) {
            sb_addc(&b, e[1]);
            v++;
        } else {
            sb_addc(&b, *v++);
        }
    }
    return sb_take(&b);
}

/* The reply template of rbl_reply_maps for the list as written; NULL if
 * none, "" with *err set when a table failed. */
static char *reply_template(pol_state *st, const char *list, int *err)
{
    pol_session *s = st->s;
    const img_param *p = pol_param(s, "rbl_reply_maps");
    *err = 0;
    if (!p || p->kind != IMG_PK_TABLES)
        return NULL;
    char *key = xstrdup(list);
    for (char *c = key; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    char *found = NULL;
    strbuf v, e;
    sb_init(&v);
    sb_init(&e);
    for (uint32_t i = 0; i < p->nlist && !found && !*err; i++) {
        const char *why;
        map *m = pol_image_map(s->pi, img_list_at(s->pi->im, p->list, i), &why);
        if (!m) {
            *err = 1;
            break;
        }
        sb_clear(&v);
        map_status ms = map_lookup(m, key, &v, &e);
        if (ms == MAP_FOUND)
            found = sb_dup(&v);
        else if (ms != MAP_NOTFOUND)
            *err = 1;
    }
    sb_free(&v);
    sb_free(&e);
    free(key);
    return found;
}

/* Length of an RFC 3463 status "d.ddd.ddd" at t (followed by a space or
 * the end), 0 if there is none. */
static size_t dsn_len(const char *t)
{
    const char *c = t;
    if (*c != '2' && *c != '4' && *c != '5')
        return 0;
    if (*++c != '.')
        return 0;
    for (int part = 0; part < 2; part++) {
        size_t k = 0;
        for (c++; isdigit((unsigned char)*c) && k < 4; c++)
            k++;
        if (k == 0 || k > 3 || (part == 0 && *c != '.') || (part == 1 && *c && *c != ' '))
            return 0;
    }
    return (size_t)(c - t);
}

void pol_dsn_fix(char *dsn, const char *class)
{
    if (!isdigit((unsigned char)dsn[0]) || strncmp(dsn + 1, ".1.", 3) != 0)
        return;
    /* Postfix 3.7's table (recorded: dns-rbl-details) */
    static const char *const map[][3] = {
        { "1", "4.1.7", "4.1.1" }, { "2", "4.1.8", "4.1.2" }, { "3", "4.1.7", "4.1.3" },
        { "4", "4.1.7", "4.1.4" }, { "5", "4.1.0", "4.1.5" }, { "6", "4.1.7", "4.1.6" },
        { "7", "4.1.7", "4.1.3" }, { "8", "4.1.8", "4.1.2" },
    };
    int sender = strcmp(class, "Sender address") == 0;
    int rcpt = strcmp(class, "Recipient address") == 0;
    const char *r = sender || rcpt ? "4.1.0" : "4.0.0";
    for (size_t i = 0; i < sizeof map / sizeof *map && (sender || rcpt); i++)
        if (strcmp(dsn + 4, map[i][0]) == 0)
            r = map[i][sender ? 1 : 2];
    /* the class digit is set from the reply code later */
    memmove(dsn + 1, r + 1, strlen(r));
}

static pol_flow reject_listed(pol_state *st, const char *domain, const char *filter,
                              const char *what, const char *class, const char *txt)
{
    pol_session *s = st->s;
    char *list = xmalloc(strlen(domain) + strlen(filter) + 1);
    sprintf(list, "%s%s", domain, filter);
    int err;
    char *tmpl = reply_template(st, list, &err);
    free(list);
    if (err) {
        free(tmpl);
        return pol_config_error(st, "rbl_reply_maps lookup failed");
    }
    rbl_ctx c = { .st = st, .domain = domain, .what = what, .class = class,
                  .txt = txt ? txt : "" };
    snprintf(c.code, sizeof c.code, "%lld", pol_param_num(s, "maps_rbl_reject_code"));
    char *filt = expansion_filter(s);
    strbuf why;
    sb_init(&why);
    if (tmpl && pol_mac_expand(tmpl, rbl_macro, &c, filt, &why) != 0) {
        pol_trace(s, st->r, "  bad rbl reply template for domain %s: %s", domain, tmpl);
        sb_clear(&why);
        free(tmpl);
        tmpl = NULL;
    }
    if (!tmpl && pol_mac_expand(pol_param_str(s, "default_rbl_reply"), rbl_macro, &c, filt,
                                &why) != 0) {
        free(filt);
        sb_free(&why);
        return pol_config_error(st, "bad default_rbl_reply template");
    }
    free(tmpl);
    free(filt);
    const char *w = sb_str(&why);
    int code = 450;
    char dsn[16] = "4.7.1";
    const char *text = "Service unavailable";
    if ((w[0] == '4' || w[0] == '5') && isdigit((unsigned char)w[1]) &&
        isdigit((unsigned char)w[2]) && w[3] == ' ') {
        code = atoi(w);
        const char *t = w + 4;
        while (isspace((unsigned char)*t))
            t++;
        size_t dl = dsn_len(t);
        if (dl > 0 && dl < sizeof dsn) {
            snprintf(dsn, sizeof dsn, "%.*s", (int)dl, t);
            t += dl;
        }
        while (isspace((unsigned char)*t))
            t++;
        if (*t)
            text = t;
        pol_dsn_fix(dsn, class);
    } else {
        pol_trace(s, st->r, "  rbl response code configuration error: %s", w);
    }
    dsn[0] = (char)('0' + code / 100);
    /* as smtpd_check_reject: controls as spaces (a long reply is not cut:
     * recorded, dns-rbl-details) */
    char *rt = xstrdup(text);
    for (char *p = rt; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    pol_flow f = pol_stop(st, code, dsn, rt);
    free(rt);
    sb_free(&why);
    return f;
}

/* ---- the restrictions ---------------------------------------------------------- */

/* The domain of what (an address or a host name) as an RHS list looks it
 * up; NULL when it is not looked up (address literal, numeric last label,
 * not a valid host name). */
static const char *rhs_domain(const char *what)
{
    const char *at = strrchr(what, '@');
    const char *d = at ? at + 1 : what;
    if (at && d[0] == '[')
        return NULL;
    if (!*d)
        return NULL;
    const char *dot = strrchr(d, '.');
    const char *last = dot ? dot + 1 : d;
    if (strspn(last, "0123456789") == strlen(last))
        return NULL;
    return pol_valid_hostname(d) ? d : NULL;
}

static pol_flow bad_filter(pol_state *st, const char *domain, const char *filter)
{
    char why[300];
    snprintf(why, sizeof why, "RBL reply filter %s of %s does not parse", filter, domain);
    return pol_config_error(st, why);
}

/* Look what up in the list: its reversed address (domain_list 0) or its
 * domain (domain_list 1). BAD_FILTER when the filter does not parse. */
static listing listed(pol_state *st, const char *list, const char *filter, const char *what,
                      int domain_list, char **txt)
{
    *txt = NULL;
    strbuf q;
    sb_init(&q);
    const char *name = NULL;
    if (domain_list)
        name = rhs_domain(what);
    else if (pol_dns_reverse(what, &q) == 0)
        name = sb_str(&q);
    listing l = name ? lookup(st, name, list, filter, txt) : NOT_LISTED;
    sb_free(&q);
    return l;
}

/* reject_rbl_client, reject_rhsbl_*: the reply of a listed entity. */
static pol_flow rbl(pol_state *st, const char *list, const char *filter, pol_ctx class,
                    const char *what, int domain_list)
{
    char *txt;
    pol_flow f = POL_FLOW_DUNNO;
    listing l = listed(st, list, filter, what, domain_list, &txt);
    if (l == BAD_FILTER)
        f = bad_filter(st, list, filter);
    else if (l == LISTED)
        f = reject_listed(st, list, filter, what, pol_ctx_what(class), txt);
    free(txt);
    return f;
}

/* permit_dnswl_client, permit_rhswl_client: OK when listed; a lookup that
 * fails temporarily turns a later reject into a deferral. */
static pol_flow dnswl(pol_state *st, const char *list, const char *filter, pol_ctx class,
                      const char *what, int domain_list)
{
    /* never an exception for a recipient that would be refused as relaying */
    if (st->rcpt_addr.addr && !pol_auth_destination(st))
        return POL_FLOW_DUNNO;
    char *txt;
    pol_flow f = POL_FLOW_DUNNO;
    listing l = listed(st, list, filter, what, domain_list, &txt);
    if (l == BAD_FILTER) {
        f = bad_filter(st, list, filter);
    } else if (l == SOFT) {
        pol_ctx saved = st->ctx;
        st->ctx = class;
        pol_defer_if_reject(st, 450, "4.7.1", what, "Service unavailable");
        st->ctx = saved;
    } else if (l == LISTED) {
        f = POL_FLOW_OK;
    }
    free(txt);
    return f;
}

pol_flow pol_dnsxl_insn(pol_state *st, const img_insn *x)
{
    pol_session *s = st->s;
    const img *im = s->pi->im;
    const char *list = img_str(im, x->a), *filter = img_str(im, x->b);
    const char *rcpt = st->rcpt_addr.addr ? st->rcpt : NULL;
    int named = strcasecmp(s->client_name, "unknown") != 0;
    int reverse = strcasecmp(s->reverse_name, "unknown") != 0;
    if (!*list)
        return POL_FLOW_DUNNO;   /* "requires domain name argument": a warning only */
    switch ((enum img_op)x->op) {
    case IMG_OP_REJECT_RBL_CLIENT:
        return rbl(st, list, filter, POL_CTX_CLIENT, s->client_addr, 0);
    case IMG_OP_PERMIT_DNSWL_CLIENT:
        return dnswl(st, list, filter, POL_CTX_CLIENT, s->client_addr, 0);
    case IMG_OP_REJECT_RHSBL_CLIENT:
        return named ? rbl(st, list, filter, POL_CTX_CLIENT, s->client_name, 1) : POL_FLOW_DUNNO;
    case IMG_OP_PERMIT_RHSWL_CLIENT:
        return named ? dnswl(st, list, filter, POL_CTX_CLIENT, s->client_name, 1) : POL_FLOW_DUNNO;
    case IMG_OP_REJECT_RHSBL_REVERSE_CLIENT:
        return reverse ? rbl(st, list, filter, POL_CTX_REVERSE, s->reverse_name, 1)
                       : POL_FLOW_DUNNO;
    case IMG_OP_REJECT_RHSBL_HELO:
        return s->helo ? rbl(st, list, filter, POL_CTX_HELO, s->helo, 1) : POL_FLOW_DUNNO;
    case IMG_OP_REJECT_RHSBL_SENDER:
        return s->sender && *s->sender ? rbl(st, list, filter, POL_CTX_SENDER, s->sender, 1)
                                       : POL_FLOW_DUNNO;
    case IMG_OP_REJECT_RHSBL_RECIPIENT:
        return rcpt ? rbl(st, list, filter, POL_CTX_RECIPIENT, rcpt, 1) : POL_FLOW_DUNNO;
    default:
        return pol_config_error(st, "not a DNS list restriction");
    }
}
