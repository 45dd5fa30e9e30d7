/* lookup_order.c: the key orders of access(5), transport(5), virtual(5),
 * canonical(5), relocated(5) and aliases(5) over open maps (see
 * lookup_order.h for the documented orders this follows). */
#include "stdlib/maps/lookup_order.h"
#include "stdlib/util/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

lookup_params lookup_params_default(void)
{
    return (lookup_params){
        .parent_domain_matches_subdomains =
            "debug_peer_list,fast_flush_domains,mynetworks,permit_mx_backup_networks,"
            "qmqpd_authorized_clients,relay_domains,smtpd_access_maps",
        .recipient_delimiter = "",
        .smtpd_null_access_lookup_key = "<>",
        .propagate_unmatched_extensions = "canonical, virtual",
        .owner_request_special = 1,
        .double_bounce_sender = "double-bounce",
        .empty_address_recipient = "MAILER-DAEMON",
        .myhostname = "localhost",
        .is_local = NULL,
        .is_local_arg = NULL,
        .access_parent = -1,
    };
}

static const char *const form_names[] = {
    [LF_NONE] = "none",
    [LF_HOSTNAME] = "hostname",
    [LF_PARENT] = "parent",
    [LF_DOT_PARENT] = ".parent",
    [LF_ADDRESS] = "address",
    [LF_NETWORK] = "network",
    [LF_USER_EXT_DOMAIN] = "user+ext@domain",
    [LF_USER_DOMAIN] = "user@domain",
    [LF_DOMAIN] = "domain",
    [LF_USER_EXT_AT] = "user+ext@",
    [LF_USER_AT] = "user@",
    [LF_NULL_SENDER] = "null-sender",
    [LF_USER_EXT] = "user+ext",
    [LF_USER] = "user",
    [LF_AT_DOMAIN] = "@domain",
    [LF_WILDCARD] = "*",
    [LF_WHOLE] = "whole",
};

const char *lookup_form_name(lookup_form f)
{
    return (unsigned)f < sizeof form_names / sizeof *form_names ? form_names[f] : "none";
}

void lookup_result_init(lookup_result *r)
{
    memset(r, 0, sizeof *r);
    sb_init(&r->key);
    sb_init(&r->value);
    sb_init(&r->err);
    r->status = MAP_NOTFOUND;
}

void lookup_result_free(lookup_result *r)
{
    sb_free(&r->key);
    sb_free(&r->value);
    sb_free(&r->err);
}

static void result_reset(lookup_result *r)
{
    sb_clear(&r->key);
    sb_clear(&r->value);
    sb_clear(&r->err);
    r->status = MAP_NOTFOUND;
    r->form = LF_NONE;
    r->table = 0;
}

int lookup_list_has(const char *list, const char *name)
{
    size_t nl = strlen(name);
    for (const char *s = list ? list : ""; *s;) {
        s += strspn(s, ", \t\r\n");
        size_t l = strcspn(s, ", \t\r\n");
        if (l == nl && strncasecmp(s, name, nl) == 0)
            return 1;
        s += l;
    }
    return 0;
}

size_t lookup_split_ext(const lookup_params *p, const char *local, size_t len)
{
    const char *delim = p->recipient_delimiter ? p->recipient_delimiter : "";
    if (!*delim || len == 0)
        return 0;
    if ((len == 10 && strncasecmp(local, "postmaster", 10) == 0) ||
        (len == 13 && strncasecmp(local, "mailer-daemon", 13) == 0))
        return 0;
    const char *dbs = p->double_bounce_sender ? p->double_bounce_sender : "";
    if (strlen(dbs) == len && strncasecmp(local, dbs, len) == 0)
        return 0;
    if (p->owner_request_special && strchr(delim, '-')) {
        if (len >= 6 && strncasecmp(local, "owner-", 6) == 0)
            return 0;
        if (len > 8 && strncasecmp(local + len - 8, "-request", 8) == 0)
            return 0;
    }
    size_t i = 0;
    while (i < len && !strchr(delim, local[i]))
        i++;
    if (i == 0 || i == len || local[i] == 0)
        return 0;
    return i;
}

/* The tables asked, and where the answer goes. */
typedef struct probe {
    map          **maps;
    size_t         n;
    size_t         base;   /* index of maps[0] among the caller's tables */
    lookup_result *r;
} probe;

/* Ask key (n bytes) in every table; partial keys skip pattern tables.
 * 1: found, -1: a table failed, 0: not found. */
static int try_key(probe *pr, const char *key, size_t len, lookup_form form, int partial)
{
    /* keys are short: copied to the stack, to the heap only when long */
    char small[256], *k = len < sizeof small ? small : xmalloc(len + 1);
    memcpy(k, key, len);
    k[len] = 0;
    int rc = 0;
    for (size_t i = 0; i < pr->n && rc == 0; i++) {
        map *m = pr->maps[i];
        if (partial && (m->ops->caps & MAP_CAP_PATTERN))
            continue;
        map_status s = map_lookup(m, k, &pr->r->value, &pr->r->err);
        if (s == MAP_NOTFOUND)
            continue;
        pr->r->status = s;
        pr->r->table = pr->base + i;
        if (s == MAP_FOUND) {
            pr->r->form = form;
            sb_clear(&pr->r->key);
            sb_adds(&pr->r->key, k);
            rc = 1;
        } else {
            rc = -1;
        }
    }
    if (k != small)
        free(k);
    return rc;
}

/* domain, then its parents: "b.c", "c" in parent style, else ".b.c", ".c".
 * The first key is a full lookup when full is set. */
static int try_domain(probe *pr, const char *domain, int parent_style, int full,
                      lookup_form first)
{
    int rc = try_key(pr, domain, strlen(domain), first, !full);
    for (const char *d = strchr(domain + (*domain == '.'), '.'); rc == 0 && d;
         d = strchr(d + 1, '.')) {
        const char *k = parent_style ? d + 1 : d;
        if (!*k || (parent_style && *k == '.'))
            continue;
        rc = try_key(pr, k, strlen(k), parent_style ? LF_PARENT : LF_DOT_PARENT, 1);
    }
    return rc;
}

/* The address, then with ".octet" (IPv4) or ":part" (IPv6) cut off the right. */
static int try_addr(probe *pr, const char *addr)
{
    char delim = strchr(addr, ':') ? ':' : '.';
    size_t len = strlen(addr);
    int rc = try_key(pr, addr, len, LF_ADDRESS, 0);
    while (rc == 0) {
        while (len > 0 && addr[len - 1] != delim)
            len--;
        if (len == 0)
            break;
        len--;   /* drop the delimiter */
        if (len == 0)
            break;
        rc = try_key(pr, addr, len, LF_NETWORK, 1);
    }
    return rc;
}

static map_status finish(lookup_result *r, int rc)
{
    if (rc == 0) {
        r->status = MAP_NOTFOUND;
        r->form = LF_NONE;
        sb_clear(&r->value);
        sb_clear(&r->key);
    }
    return r->status;
}

/* Run fn on each table in turn (the access orders). */
typedef int (*order_fn)(probe *pr, const lookup_params *p, const char *a, const char *b);

static map_status per_table(map **maps, size_t n, const lookup_params *p, const char *a,
                            const char *b, order_fn fn, lookup_result *r)
{
    result_reset(r);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        probe pr = { maps + i, 1, i, r };
        rc = fn(&pr, p, a, b);
    }
    return finish(r, rc);
}

static int access_parent(const lookup_params *p)
{
    if (p->access_parent >= 0)
        return p->access_parent;
    return lookup_list_has(p->parent_domain_matches_subdomains, "smtpd_access_maps");
}

static int order_client(probe *pr, const lookup_params *p, const char *name, const char *addr)
{
    int rc = 0;
    if (name && *name)
        rc = try_domain(pr, name, access_parent(p), 1, LF_HOSTNAME);
    if (rc == 0 && addr && *addr)
        rc = try_addr(pr, addr);
    return rc;
}

map_status lookup_access_client(map **maps, size_t n, const lookup_params *p, const char *name,
                                const char *addr, lookup_result *r)
{
    return per_table(maps, n, p, name, addr, order_client, r);
}

map_status lookup_access_domain(map **maps, size_t n, const lookup_params *p, const char *domain,
                                lookup_result *r)
{
    return per_table(maps, n, p, domain, NULL, order_client, r);
}

map_status lookup_access_addr(map **maps, size_t n, const lookup_params *p, const char *addr,
                              lookup_result *r)
{
    return per_table(maps, n, p, NULL, addr, order_client, r);
}

static int is_null_address(const char *addr)
{
    return *addr == 0 || strcmp(addr, "<>") == 0;
}

static int order_mail(probe *pr, const lookup_params *p, const char *addr, const char *unused)
{
    (void)unused;
    if (is_null_address(addr)) {
        const char *k = p->smtpd_null_access_lookup_key ? p->smtpd_null_access_lookup_key : "<>";
        return try_key(pr, k, strlen(k), LF_NULL_SENDER, 0);
    }
    const char *at = strrchr(addr, '@');
    if (!at)
        return try_key(pr, addr, strlen(addr), LF_WHOLE, 0);
    size_t llen = (size_t)(at - addr);
    size_t base = lookup_split_ext(p, addr, llen);
    int rc = try_key(pr, addr, strlen(addr), base ? LF_USER_EXT_DOMAIN : LF_USER_DOMAIN, 0);
    if (rc == 0 && base) {
        strbuf k;
        sb_init(&k);
        sb_addn(&k, addr, base);
        sb_adds(&k, at);
        rc = try_key(pr, sb_str(&k), k.len, LF_USER_DOMAIN, 1);
        sb_free(&k);
    }
    if (rc == 0 && at[1])
        rc = try_domain(pr, at + 1, access_parent(p), 0, LF_DOMAIN);
    if (rc == 0)
        rc = try_key(pr, addr, llen + 1, base ? LF_USER_EXT_AT : LF_USER_AT, 1);
    if (rc == 0 && base) {
        strbuf k;
        sb_init(&k);
        sb_addn(&k, addr, base);
        sb_addc(&k, '@');
        rc = try_key(pr, sb_str(&k), k.len, LF_USER_AT, 1);
        sb_free(&k);
    }
    return rc;
}

map_status lookup_access_mail(map **maps, size_t n, const lookup_params *p, const char *addr,
                              lookup_result *r)
{
    return per_table(maps, n, p, addr, NULL, order_mail, r);
}

map_status lookup_transport(map **maps, size_t n, const lookup_params *p, const char *addr,
                            lookup_result *r)
{
    result_reset(r);
    probe pr = { maps, n, 0, r };
    strbuf null;
    sb_init(&null);
    if (is_null_address(addr)) {
        sb_addf(&null, "%s@%s", p->empty_address_recipient ? p->empty_address_recipient : "",
                p->myhostname ? p->myhostname : "");
        addr = sb_str(&null);
    }
    const char *at = strrchr(addr, '@');
    int rc;
    if (!at) {
        rc = try_key(&pr, addr, strlen(addr), LF_WHOLE, 0);
    } else {
        size_t base = lookup_split_ext(p, addr, (size_t)(at - addr));
        rc = try_key(&pr, addr, strlen(addr), base ? LF_USER_EXT_DOMAIN : LF_USER_DOMAIN, 0);
        if (rc == 0 && base) {
            strbuf k;
            sb_init(&k);
            sb_addn(&k, addr, base);
            sb_adds(&k, at);
            rc = try_key(&pr, sb_str(&k), k.len, LF_USER_DOMAIN, 1);
            sb_free(&k);
        }
        if (rc == 0 && at[1])
            rc = try_domain(&pr, at + 1,
                            lookup_list_has(p->parent_domain_matches_subdomains, "transport_maps"),
                            0, LF_DOMAIN);
    }
    if (rc == 0)
        rc = try_key(&pr, "*", 1, LF_WILDCARD, 1);
    sb_free(&null);
    return finish(r, rc);
}

/* Is this element of a result list an address (not a command, file or include)? */
static int is_address_item(const char *s, size_t n)
{
    if (n == 0 || *s == '|' || *s == '/' || *s == '"')
        return 0;
    return !(n >= 9 && strncasecmp(s, ":include:", 9) == 0);
}

/* The documented result rewriting: "@other" (first address, or the whole
 * result with canonical) becomes local@other; ext is inserted into every
 * address when set. The list is re-joined with ", " when anything changed. */
static void rewrite_result(lookup_result *r, const char *local, size_t llen, const char *ext,
                           size_t elen, int whole)
{
    const char *v = sb_str(&r->value);
    int at_first = whole ? v[0] == '@' : v[strspn(v, ", \t\r\n")] == '@';
    if (!at_first && elen == 0)
        return;
    strbuf out;
    sb_init(&out);
    const char *s = v;
    int first = 1;
    while (*s) {
        size_t l;
        if (whole) {
            l = strlen(s);
        } else {
            s += strspn(s, ", \t\r\n");
            if (!*s)
                break;
            l = strcspn(s, ", \t\r\n");
        }
        if (!first)
            sb_adds(&out, ", ");
        const char *item = s;
        size_t il = l;
        strbuf tmp;
        sb_init(&tmp);
        if (first && *item == '@') {
            sb_addn(&tmp, local, llen);
            sb_addn(&tmp, item, il);
            item = sb_str(&tmp);
            il = tmp.len;
        }
        if (elen && is_address_item(item, il)) {
            const char *at = NULL;
            for (size_t i = il; i-- > 0;)
                if (item[i] == '@') {
                    at = item + i;
                    break;
                }
            size_t pre = at ? (size_t)(at - item) : il;
            sb_addn(&out, item, pre);
            sb_addn(&out, ext, elen);
            sb_addn(&out, item + pre, il - pre);
        } else {
            sb_addn(&out, item, il);
        }
        sb_free(&tmp);
        first = 0;
        s += l;
    }
    sb_clear(&r->value);
    sb_adds(&r->value, sb_str(&out));
    sb_free(&out);
}

static const char *kind_param(lookup_addr_kind kind)
{
    return kind == LK_VIRTUAL ? "virtual" : kind == LK_CANONICAL ? "canonical" : NULL;
}

map_status lookup_address(map **maps, size_t n, const lookup_params *p, lookup_addr_kind kind,
                          const char *addr, lookup_result *r)
{
    result_reset(r);
    probe pr = { maps, n, 0, r };
    const char *at = strrchr(addr, '@');
    size_t llen = at ? (size_t)(at - addr) : strlen(addr);
    size_t base = lookup_split_ext(p, addr, llen);
    int local = !at || (p->is_local && p->is_local(p->is_local_arg, at + 1));
    int stripped = 0;
    strbuf k;
    sb_init(&k);
    int rc = 0;
    if (at) {
        rc = try_key(&pr, addr, strlen(addr), base ? LF_USER_EXT_DOMAIN : LF_USER_DOMAIN, 0);
        if (rc == 0 && base) {
            sb_addn(&k, addr, base);
            sb_adds(&k, at);
            rc = try_key(&pr, sb_str(&k), k.len, LF_USER_DOMAIN, 1);
            stripped = rc == 1;
        }
    }
    if (rc == 0 && local) {
        rc = try_key(&pr, addr, llen, base ? LF_USER_EXT : LF_USER, at != NULL);
        if (rc == 0 && base) {
            rc = try_key(&pr, addr, base, LF_USER, 1);
            stripped = rc == 1;
        }
    }
    if (rc == 0 && at) {
        sb_clear(&k);
        sb_adds(&k, at);
        rc = try_key(&pr, sb_str(&k), k.len, LF_AT_DOMAIN, 1);
    }
    sb_free(&k);
    if (rc == 1 && kind != LK_RELOCATED) {
        int prop = stripped && lookup_list_has(p->propagate_unmatched_extensions, kind_param(kind));
        /* the user for "@other": the local part that was looked up */
        size_t ul = (r->form == LF_USER_DOMAIN || r->form == LF_USER) && stripped ? base : llen;
        rewrite_result(r, addr, ul, addr + base, prop ? llen - base : 0, kind == LK_CANONICAL);
    }
    return finish(r, rc);
}

map_status lookup_aliases(map **maps, size_t n, const lookup_params *p, const char *addr,
                          lookup_result *r)
{
    result_reset(r);
    probe pr = { maps, n, 0, r };
    const char *at = strrchr(addr, '@');
    size_t llen = at ? (size_t)(at - addr) : strlen(addr);
    strbuf local;
    sb_init(&local);
    for (size_t i = 0; i < llen; i++)
        sb_addc(&local, addr[i] >= 'A' && addr[i] <= 'Z' ? (char)(addr[i] - 'A' + 'a') : addr[i]);
    const char *l = sb_str(&local);
    size_t base = lookup_split_ext(p, l, llen);
    int rc = try_key(&pr, l, llen, base ? LF_USER_EXT : LF_USER, 0);
    int stripped = 0;
    if (rc == 0 && base) {
        rc = try_key(&pr, l, base, LF_USER, 1);
        stripped = rc == 1;
    }
    if (rc == 1 && stripped && lookup_list_has(p->propagate_unmatched_extensions, "alias"))
        rewrite_result(r, l, base, l + base, llen - base, 0);
    sb_free(&local);
    return finish(r, rc);
}
