/* test_lookup_order.c: the key sequences of the lookup orders
 * (stdlib/maps/lookup_order.c), through a table that records every key it
 * is asked and answers one of them: every key form of access(5) (client
 * and mail), transport(5), virtual(5), canonical(5), relocated(5) and
 * aliases(5), pattern tables, several tables, result rewriting. */
#include "stdlib/maps/lookup_order.h"
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failed;

static void check(int ok, const char *name)
{
    printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    if (!ok)
        failed = 1;
}

/* A table that logs the keys it is asked ("k1|k2|...") and knows one key. */
typedef struct rec_map {
    map    base;
    strbuf log;
    char  *hit, *value;
} rec_map;

static map_status rec_lookup(map *m, const char *key, strbuf *value, strbuf *err)
{
    rec_map *r = (rec_map *)m;
    if (r->log.len)
        sb_addc(&r->log, '|');
    sb_adds(&r->log, key);
    if (r->hit && strcmp(key, r->hit) == 0) {
        sb_adds(value, r->value);
        return MAP_FOUND;
    }
    return MAP_NOTFOUND;
}

static void rec_free(map *m)
{
    rec_map *r = (rec_map *)m;
    sb_free(&r->log);
    free(r->hit);
    free(r->value);
    free(r);
}

static const map_ops rec_fixed = {
    .type = "rec", .caps = MAP_CAP_FIXED, .lookup = rec_lookup, .free = rec_free,
};
static const map_ops rec_pattern = {
    .type = "recpat", .caps = MAP_CAP_PATTERN, .lookup = rec_lookup, .free = rec_free,
};

static rec_map *rec_new(const char *hit, const char *value, int pattern)
{
    rec_map *r = xcalloc(1, sizeof *r);
    map_base_init(&r->base, pattern ? &rec_pattern : &rec_fixed, "rec", "t", 0);
    sb_init(&r->log);
    r->hit = hit ? xstrdup(hit) : NULL;
    r->value = xstrdup(value ? value : "OK");
    return r;
}

static int is_local_example(void *arg, const char *domain)
{
    return strcmp(domain, "local.test") == 0;
}

typedef map_status (*order1)(map **, size_t, const lookup_params *, const char *,
                             lookup_result *);

/* Run an order on one recording table; compare the keys asked, the form
 * and the value. */
static void seq(const char *name, order1 fn, const lookup_params *p, const char *key,
                const char *hit, const char *want_log, const char *want_form,
                const char *want_value, int pattern)
{
    rec_map *r = rec_new(hit, "OK", pattern);
    map *m = &r->base;
    lookup_result res;
    lookup_result_init(&res);
    map_status s = fn(&m, 1, p, key, &res);
    int ok = strcmp(sb_str(&r->log), want_log) == 0;
    if (want_form)
        ok = ok && s == MAP_FOUND && strcmp(lookup_form_name(res.form), want_form) == 0 &&
             strcmp(sb_str(&res.key), hit) == 0 &&
             strcmp(sb_str(&res.value), want_value ? want_value : "OK") == 0;
    else
        ok = ok && s == MAP_NOTFOUND && res.form == LF_NONE;
    if (!ok)
        fprintf(stderr, "  %s: asked %s, form %s, value %s\n", name, sb_str(&r->log),
                lookup_form_name(res.form), sb_str(&res.value));
    check(ok, name);
    lookup_result_free(&res);
    map_free(m);
}

static map_status virt(map **m, size_t n, const lookup_params *p, const char *k, lookup_result *r)
{
    return lookup_address(m, n, p, LK_VIRTUAL, k, r);
}
static map_status canon(map **m, size_t n, const lookup_params *p, const char *k,
                        lookup_result *r)
{
    return lookup_address(m, n, p, LK_CANONICAL, k, r);
}
static map_status reloc(map **m, size_t n, const lookup_params *p, const char *k,
                        lookup_result *r)
{
    return lookup_address(m, n, p, LK_RELOCATED, k, r);
}

/* the value-rewriting cases need a table answering with a given value */
static void value_case(const char *name, order1 fn, const lookup_params *p, const char *key,
                       const char *hit, const char *value, const char *want)
{
    rec_map *r = rec_new(hit, value, 0);
    map *m = &r->base;
    lookup_result res;
    lookup_result_init(&res);
    map_status s = fn(&m, 1, p, key, &res);
    int ok = s == MAP_FOUND && strcmp(sb_str(&res.value), want) == 0;
    if (!ok)
        fprintf(stderr, "  %s: value \"%s\"\n", name, sb_str(&res.value));
    check(ok, name);
    lookup_result_free(&res);
    map_free(m);
}

int main(void)
{
    lookup_params d = lookup_params_default();   /* smtpd_access_maps: parent style */
    lookup_params dot = d;
    dot.parent_domain_matches_subdomains = "mynetworks";
    lookup_params plus = d;
    plus.recipient_delimiter = "+";
    plus.is_local = is_local_example;
    lookup_params multi = plus;
    multi.recipient_delimiter = "+-";

    /* access(5), client */
    seq("client_host_parents", lookup_access_domain, &d, "a.b.example.com", NULL,
        "a.b.example.com|b.example.com|example.com|com", NULL, NULL, 0);
    seq("client_host_dot_parents", lookup_access_domain, &dot, "a.b.example.com", NULL,
        "a.b.example.com|.b.example.com|.example.com|.com", NULL, NULL, 0);
    seq("client_hostname_form", lookup_access_domain, &d, "a.example.com", "a.example.com",
        "a.example.com", "hostname", NULL, 0);
    seq("client_parent_form", lookup_access_domain, &d, "a.example.com", "example.com",
        "a.example.com|example.com", "parent", NULL, 0);
    seq("client_dot_parent_form", lookup_access_domain, &dot, "a.example.com", ".example.com",
        "a.example.com|.example.com", ".parent", NULL, 0);
    seq("client_ipv4_truncation", lookup_access_addr, &d, "192.0.2.10", NULL,
        "192.0.2.10|192.0.2|192.0|192", NULL, NULL, 0);
    seq("client_ipv4_network_form", lookup_access_addr, &d, "192.0.2.10", "192.0",
        "192.0.2.10|192.0.2|192.0", "network", NULL, 0);
    seq("client_ipv4_address_form", lookup_access_addr, &d, "192.0.2.10", "192.0.2.10",
        "192.0.2.10", "address", NULL, 0);
    seq("client_ipv6_truncation", lookup_access_addr, &d, "2001:db8:1:2::5", NULL,
        "2001:db8:1:2::5|2001:db8:1:2:|2001:db8:1:2|2001:db8:1|2001:db8|2001", NULL, NULL, 0);
    seq("client_ipv6_full", lookup_access_addr, &d, "2001:db8:0:0:1:2:3:4", "2001:db8:0:0:1:2",
        "2001:db8:0:0:1:2:3:4|2001:db8:0:0:1:2:3|2001:db8:0:0:1:2", "network", NULL, 0);
    {
        rec_map *r = rec_new(NULL, NULL, 0);
        map *m = &r->base;
        lookup_result res;
        lookup_result_init(&res);
        lookup_access_client(&m, 1, &d, "mx.example.net", "198.51.100.7", &res);
        check(strcmp(sb_str(&r->log), "mx.example.net|example.net|net|198.51.100.7|198.51.100|"
                                      "198.51|198") == 0,
              "client_name_then_address");
        lookup_result_free(&res);
        map_free(m);
    }
    seq("client_pattern_only_whole", lookup_access_addr, &d, "192.0.2.10", NULL, "192.0.2.10",
        NULL, NULL, 1);
    seq("client_pattern_host_only_whole", lookup_access_domain, &d, "a.example.com", NULL,
        "a.example.com", NULL, NULL, 1);

    /* access(5), e-mail addresses */
    seq("mail_no_ext_order", lookup_access_mail, &d, "user@a.example.com", NULL,
        "user@a.example.com|a.example.com|example.com|com|user@", NULL, NULL, 0);
    seq("mail_delimiter_unset_keeps_plus", lookup_access_mail, &d, "user+x@example.com", NULL,
        "user+x@example.com|example.com|com|user+x@", NULL, NULL, 0);
    seq("mail_ext_order", lookup_access_mail, &plus, "user+x@example.com", NULL,
        "user+x@example.com|user@example.com|example.com|com|user+x@|user@", NULL, NULL, 0);
    seq("mail_dot_parents", lookup_access_mail, &dot, "u@a.example.com", NULL,
        "u@a.example.com|a.example.com|.example.com|.com|u@", NULL, NULL, 0);
    seq("mail_user_ext_domain_form", lookup_access_mail, &plus, "user+x@example.com",
        "user+x@example.com", "user+x@example.com", "user+ext@domain", NULL, 0);
    seq("mail_user_domain_form", lookup_access_mail, &plus, "user+x@example.com",
        "user@example.com", "user+x@example.com|user@example.com", "user@domain", NULL, 0);
    seq("mail_domain_form", lookup_access_mail, &plus, "user+x@example.com", "example.com",
        "user+x@example.com|user@example.com|example.com", "domain", NULL, 0);
    seq("mail_user_ext_at_form", lookup_access_mail, &plus, "user+x@example.com", "user+x@",
        "user+x@example.com|user@example.com|example.com|com|user+x@", "user+ext@", NULL, 0);
    seq("mail_user_at_form", lookup_access_mail, &plus, "user+x@example.com", "user@",
        "user+x@example.com|user@example.com|example.com|com|user+x@|user@", "user@", NULL, 0);
    seq("mail_null_sender", lookup_access_mail, &d, "<>", "<>", "<>", "null-sender", NULL, 0);
    seq("mail_empty_sender", lookup_access_mail, &d, "", "<>", "<>", "null-sender", NULL, 0);
    {
        lookup_params nk = d;
        nk.smtpd_null_access_lookup_key = "MAILER-DAEMON";
        seq("mail_null_access_lookup_key", lookup_access_mail, &nk, "<>", "MAILER-DAEMON",
            "MAILER-DAEMON", "null-sender", NULL, 0);
    }
    seq("mail_pattern_only_whole", lookup_access_mail, &plus, "user+x@example.com", NULL,
        "user+x@example.com", NULL, NULL, 1);
    seq("mail_multi_delimiter", lookup_access_mail, &multi, "a-b+c@x.org", NULL,
        "a-b+c@x.org|a@x.org|x.org|org|a-b+c@|a@", NULL, NULL, 0);
    seq("mail_mailer_daemon_not_split", lookup_access_mail, &multi, "MAILER-DAEMON@x.org",
        NULL, "MAILER-DAEMON@x.org|x.org|org|MAILER-DAEMON@", NULL, NULL, 0);
    seq("mail_double_bounce_not_split", lookup_access_mail, &multi, "double-bounce@x.org",
        NULL, "double-bounce@x.org|x.org|org|double-bounce@", NULL, NULL, 0);
    seq("mail_leading_delimiter_not_split", lookup_access_mail, &plus, "+x@x.org", NULL,
        "+x@x.org|x.org|org|+x@", NULL, NULL, 0);
    {
        lookup_params dash = d;
        dash.recipient_delimiter = "-";
        seq("mail_owner_special", lookup_access_mail, &dash, "owner-list@x.org", NULL,
            "owner-list@x.org|x.org|org|owner-list@", NULL, NULL, 0);
        seq("mail_request_special", lookup_access_mail, &dash, "list-request@x.org", NULL,
            "list-request@x.org|x.org|org|list-request@", NULL, NULL, 0);
        dash.owner_request_special = 0;
        seq("mail_owner_not_special", lookup_access_mail, &dash, "owner-list@x.org", NULL,
            "owner-list@x.org|owner@x.org|x.org|org|owner-list@|owner@", NULL, NULL, 0);
    }

    /* transport(5) */
    {
        lookup_params t = plus;
        seq("transport_order_dot", lookup_transport, &t, "u+e@a.example.com", NULL,
            "u+e@a.example.com|u@a.example.com|a.example.com|.example.com|.com|*", NULL, NULL,
            0);
        t.parent_domain_matches_subdomains = "transport_maps";
        seq("transport_order_parent", lookup_transport, &t, "u@a.example.com", NULL,
            "u@a.example.com|a.example.com|example.com|com|*", NULL, NULL, 0);
        seq("transport_wildcard_form", lookup_transport, &t, "u@x.org", "*",
            "u@x.org|x.org|org|*", "*", NULL, 0);
        seq("transport_domain_form", lookup_transport, &t, "u@x.org", "x.org", "u@x.org|x.org",
            "domain", NULL, 0);
        t.empty_address_recipient = "MAILER-DAEMON";
        t.myhostname = "mx.x.org";
        seq("transport_null_recipient", lookup_transport, &t, "", NULL,
            "MAILER-DAEMON@mx.x.org|mx.x.org|x.org|org|*", NULL, NULL, 0);
        seq("transport_pattern", lookup_transport, &t, "u+e@x.org", NULL, "u+e@x.org", NULL,
            NULL, 1);
    }

    /* virtual(5), canonical(5), relocated(5) */
    seq("virtual_order_remote", virt, &plus, "u+e@x.org", NULL, "u+e@x.org|u@x.org|@x.org",
        NULL, NULL, 0);
    seq("virtual_order_local", virt, &plus, "u+e@local.test", NULL,
        "u+e@local.test|u@local.test|u+e|u|@local.test", NULL, NULL, 0);
    seq("virtual_user_ext_form", virt, &plus, "u+e@local.test", "u+e", "u+e@local.test|u@local.test|u+e",
        "user+ext", NULL, 0);
    seq("virtual_at_domain_form", virt, &plus, "u@x.org", "@x.org", "u@x.org|@x.org",
        "@domain", NULL, 0);
    seq("canonical_order", canon, &plus, "u+e@local.test", NULL,
        "u+e@local.test|u@local.test|u+e|u|@local.test", NULL, NULL, 0);
    seq("relocated_order", reloc, &d, "u@local.test", NULL, "u@local.test|@local.test", NULL,
        NULL, 0);
    seq("virtual_pattern_whole", virt, &plus, "u+e@local.test", NULL, "u+e@local.test", NULL,
        NULL, 1);
    value_case("virtual_propagates_extension", virt, &plus, "u+e@x.org", "u@x.org",
               "a@y.org, b@z.org", "a+e@y.org, b+e@z.org");
    value_case("virtual_at_other_domain", virt, &plus, "u@x.org", "@x.org", "@y.org", "u@y.org");
    value_case("canonical_at_other_ext", canon, &plus, "u+e@x.org", "u@x.org", "@y.org",
               "u+e@y.org");
    {
        lookup_params np = plus;
        np.propagate_unmatched_extensions = "virtual";
        value_case("canonical_no_propagation", canon, &np, "u+e@x.org", "u@x.org", "w@y.org",
                   "w@y.org");
    }
    value_case("relocated_value_untouched", reloc, &plus, "u+e@x.org", "u@x.org", "@y.org",
               "@y.org");

    /* aliases(5) */
    seq("aliases_order", lookup_aliases, &plus, "Root+x@Example.com", NULL, "root+x|root",
        NULL, NULL, 0);
    seq("aliases_user_form", lookup_aliases, &plus, "ROOT+x", "root", "root+x|root", "user",
        NULL, 0);
    seq("aliases_user_ext_form", lookup_aliases, &plus, "root+x", "root+x", "root+x",
        "user+ext", NULL, 0);
    seq("aliases_pattern_whole", lookup_aliases, &plus, "root+x", NULL, "root+x", NULL, NULL, 1);
    {
        lookup_params pa = plus;
        pa.propagate_unmatched_extensions = "alias";
        value_case("aliases_propagation", lookup_aliases, &pa, "bob+x", "bob",
                   "bob@x.org, |cmd, /file", "bob+x@x.org, |cmd, /file");
    }

    /* several tables: address orders ask every table per key form */
    {
        rec_map *a = rec_new("@x.org", "A", 0), *b = rec_new("u@x.org", "B", 0);
        map *ms[2] = { &a->base, &b->base };
        lookup_result res;
        lookup_result_init(&res);
        lookup_address(ms, 2, &plus, LK_VIRTUAL, "u@x.org", &res);
        check(res.table == 1 && strcmp(sb_str(&res.value), "B") == 0 &&
                  strcmp(sb_str(&a->log), "u@x.org") == 0,
              "address_orders_key_major");
        lookup_result_free(&res);
        map_free(ms[0]);
        map_free(ms[1]);
        /* access orders run the whole order on one table before the next */
        a = rec_new("nothing", "A", 0);
        b = rec_new("u@x.org", "B", 0);
        ms[0] = &a->base;
        ms[1] = &b->base;
        lookup_result_init(&res);
        lookup_access_mail(ms, 2, &plus, "u@x.org", &res);
        check(res.table == 1 && strcmp(sb_str(&res.value), "B") == 0 &&
                  strcmp(sb_str(&a->log), "u@x.org|x.org|org|u@") == 0 &&
                  res.form == LF_USER_DOMAIN,
              "access_orders_table_major");
        lookup_result_free(&res);
        map_free(ms[0]);
        map_free(ms[1]);
    }
    check(lookup_list_has("a, smtpd_access_maps b", "SMTPD_ACCESS_MAPS") &&
              !lookup_list_has("smtpd_access_map", "smtpd_access_maps"),
          "list_has");
    return failed;
}
