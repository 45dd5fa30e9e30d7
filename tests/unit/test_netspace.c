/* test_netspace.c: networks of mynetworks as mynetworks-too-broad weighs
 * them (compiler/verify/netspace.h): parsing, public address space, the
 * thresholds. */
#include "compiler/verify/netspace.h"

#include <stdio.h>
#include <string.h>

static int failed;

static void check(int ok, const char *name)
{
    printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    if (!ok)
        failed = 1;
}

/* 1 public, 0 not, -1 does not parse */
static int pub(const char *item)
{
    ns_net n;
    return ns_parse(item, &n) ? ns_public(&n) : -1;
}

static int broad(const char *item)
{
    ns_net n;
    return ns_parse(item, &n) ? ns_too_broad(&n) : -1;
}

int main(void)
{
    ns_net n;
    check(ns_parse("192.0.2.7/24", &n) && n.family == 4 && n.prefix == 24 && n.a[3] == 0,
          "parse_v4_host_bits_cleared");
    check(ns_parse("198.51.100.1", &n) && n.prefix == 32, "parse_v4_address");
    check(ns_parse("[2001:db8::]/32", &n) && n.family == 6 && n.prefix == 32, "parse_v6_brackets");
    check(ns_parse("[::1]", &n) && n.prefix == 128, "parse_v6_address");
    check(ns_parse("::/0", &n) && n.prefix == 0, "parse_v6_bare");
    check(!ns_parse("!10.0.0.0/8", &n), "negation_is_not_a_network");
    check(!ns_parse("/etc/postfix/networks", &n), "file_is_not_a_network");
    check(!ns_parse("cidr:/etc/postfix/nets", &n), "table_is_not_a_network");
    check(!ns_parse("example.com", &n), "name_is_not_a_network");
    check(!ns_parse("10.0.0.0/33", &n), "prefix_out_of_range");

    check(pub("0.0.0.0/0") == 1, "everything_is_public");
    check(pub("10.0.0.0/8") == 0 && pub("172.16.0.0/12") == 0 && pub("192.168.0.0/16") == 0,
          "rfc1918_private");
    check(pub("127.0.0.0/8") == 0 && pub("169.254.0.0/16") == 0 && pub("100.64.0.0/10") == 0,
          "loopback_linklocal_cgn");
    check(pub("192.0.2.0/24") == 0 && pub("198.51.100.0/24") == 0 && pub("203.0.113.0/24") == 0,
          "documentation");
    check(pub("224.0.0.0/4") == 0 && pub("240.0.0.0/4") == 0 && pub("224.0.0.0/3") == 0,
          "multicast_reserved_union");
    check(pub("172.0.0.0/8") == 1, "wider_than_private_is_public");
    check(pub("100.0.0.0/8") == 1, "around_cgn_is_public");
    check(pub("[fd00::]/8") == 0 && pub("[fe80::]/10") == 0 && pub("[::1]/128") == 0,
          "v6_ula_linklocal_loopback");
    check(pub("[2001:db8::]/32") == 0 && pub("[2001:db8:1::]/48") == 0, "v6_documentation");
    check(pub("[2a00:1450::]/32") == 1 && pub("[::]/0") == 1, "v6_global");
    check(pub("[::ffff:127.0.0.0]/104") == 0 && pub("[::ffff:8.8.0.0]/112") == 1,
          "v4_mapped_as_v4");

    check(broad("0.0.0.0/0") == 1 && broad("8.0.0.0/8") == 1 && broad("64.0.0.0/15") == 1,
          "v4_wider_than_16");
    check(broad("130.59.0.0/16") == 0 && broad("130.59.8.0/24") == 0, "v4_16_or_longer");
    check(broad("10.0.0.0/8") == 0 && broad("100.64.0.0/10") == 0, "v4_private_any_size");
    check(broad("[::]/0") == 1 && broad("[2a00::]/12") == 1 && broad("[2001:620::]/31") == 1,
          "v6_wider_than_32");
    check(broad("[2001:620::]/32") == 0 && broad("[fd00::]/8") == 0, "v6_32_or_private");
    check(broad("[::ffff:0.0.0.0]/96") == 1 && broad("[::ffff:127.0.0.0]/104") == 0,
          "v4_mapped_threshold");
    check(ns_loopback(&(ns_net){ .family = 4, .a = { 127 }, .prefix = 8 }), "loopback_v4");

    char buf[64];
    ns_parse("0.0.0.0/0", &n);
    ns_size_text(&n, buf, sizeof buf);
    check(strcmp(buf, "every IPv4 address") == 0, "size_text_all");
    ns_parse("8.0.0.0/8", &n);
    ns_size_text(&n, buf, sizeof buf);
    check(strcmp(buf, "16777216 IPv4 addresses") == 0, "size_text_v4");
    return failed;
}
