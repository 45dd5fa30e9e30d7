/* test_policy_dns.c: the pieces of the DNS restrictions that no recorded
 * Postfix case pins alone: "=d.d.d.d" filter syntax (stdlib/policy/
 * dnsbl.c), the mac_expand template language (template.c), smtpd_dsn_fix,
 * reverse names for IPv4 and IPv6 (dns_reverse.c) and the fixture
 * resolver's answers (dns_fixture.c: wildcards, empty non-terminals,
 * SERVFAIL, CNAME, TXT, addresses, comments, later files replacing names;
 * tests/unit/test_dns_real.c compares them with the real resolver's). */
#include "stdlib/policy/internal.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failed;

static void check(int ok, const char *name)
{
    printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    if (!ok)
        failed = 1;
}

/* ---- filters ---------------------------------------------------------------- */

/* Does the filter match v0.v1.v2.v3? -1 if it does not parse. */
static int matches(const char *pattern, int v0, int v1, int v2, int v3)
{
    unsigned char allow[4][256];
    if (pol_dnsxl_filter_parse(pattern, allow) < 0)
        return -1;
    return allow[0][v0] && allow[1][v1] && allow[2][v2] && allow[3][v3];
}

static void test_filters(void)
{
    unsigned char allow[4][256];
    check(matches("127.0.0.2", 127, 0, 0, 2) == 1, "filter: plain address matches");
    check(matches("127.0.0.2", 127, 0, 0, 3) == 0, "filter: plain address only");
    check(matches("127.0.0.[3..5]", 127, 0, 0, 5) == 1, "filter: range end");
    check(matches("127.0.0.[3..5]", 127, 0, 0, 6) == 0, "filter: past the range");
    check(matches("127.0.[0..255].[2;4..5;9]", 127, 0, 77, 9) == 1,
          "filter: ;-list member");
    check(matches("127.0.[0..255].[2;4..5;9]", 127, 0, 77, 3) == 0,
          "filter: ;-list non-member");
    check(matches("[127.0.0.2]", 127, 0, 0, 2) == 1, "filter: [] around the whole");
    static const char *const bad[] = {
        "", "127.0.0", "127.0.0.1.2", "127.0.0.256", "127.0.0.[5..3]", "[127.0.0.1",
        "127.0.0.[1;]", "127.0.0.[]", "a.b.c.d", "127.0.0.3[4]", "127.0.[0.1].2", "127.0.0.1 ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char name[80];
        snprintf(name, sizeof name, "filter: \"%s\" refused", bad[i]);
        check(pol_dnsxl_filter_parse(bad[i], allow) < 0, name);
    }
}

/* ---- templates -------------------------------------------------------------- */

static const char *const vars[][2] = {
    { "a", "A" }, { "empty", "" }, { "sp", "x y" }, { "dollar", "$a" },
};

static const char *var(void *ctx, const char *name, strbuf *tmp)
{
    (void)ctx, (void)tmp;
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        if (strcmp(vars[i][0], name) == 0)
            return vars[i][1];
    return NULL;
}

static void expands(const char *t, const char *filter, int status, const char *want)
{
    strbuf out;
    sb_init(&out);
    int st = pol_mac_expand(t, var, NULL, filter, &out);
    char name[200];
    snprintf(name, sizeof name, "expand: %s", t);
    check(st == status && (status || strcmp(sb_str(&out), want) == 0), name);
    if (st != status || (!status && strcmp(sb_str(&out), want) != 0))
        printf("  got status %d \"%s\", want %d \"%s\"\n", st, sb_str(&out), status, want);
    sb_free(&out);
}

static void test_templates(void)
{
    expands("$a ${a} $(a) $$a", NULL, 0, "A A A $a");
    expands("<$empty>", NULL, 0, "<>");
    expands("${a?yes}|${empty?yes}|${undef?yes}", NULL, 0, "yes||");
    expands("${a:no}|${empty:no}|${undef:no}", NULL, 0, "|no|no");
    expands("${a?{t}:{f}} ${empty?{t}:{f}} ${a? {t} : {f} }", NULL, 0, "t f t");
    expands("${a?{t}:f}/${empty?{t}:f}", NULL, 0, "t/f");
    expands("${a?text with $sp and ${empty:{nested}}}", NULL, 0, "text with x y and nested");
    expands("${{$a} == {A}?{eq}:{ne}} ${{$a} != {A}?{eq}:{ne}}", NULL, 0, "eq ne");
    expands("${a??x:{y}}", NULL, 0, "?x:{y}");
    expands("$dollar", NULL, 0, "$a");   /* no recursion into values */
    expands("[$sp]", "xy", 0, "[x_y]");   /* the filter applies to values only */
    expands("$undef", NULL, POL_EXP_UNDEF, "");
    expands("${a", NULL, POL_EXP_ERROR, "");
    expands("$", NULL, POL_EXP_ERROR, "");
    expands("${a!}", NULL, POL_EXP_ERROR, "");
    expands("${{$a} <> {A}?x}", NULL, POL_EXP_ERROR, "");
    expands("${a?{t}junk}", NULL, POL_EXP_ERROR, "");
}

/* ---- DSN fixing ------------------------------------------------------------- */

static void fixes(const char *in, const char *class, const char *want)
{
    char dsn[16];
    snprintf(dsn, sizeof dsn, "%s", in);
    pol_dsn_fix(dsn, class);
    char name[120];
    snprintf(name, sizeof name, "dsn fix: %s for %s -> %s", in, class, want);
    check(strcmp(dsn, want) == 0, name);
}

static void test_dsn_fix(void)
{
    fixes("5.1.1", "Sender address", "5.1.7");
    fixes("5.1.2", "Sender address", "5.1.8");
    fixes("5.1.5", "Sender address", "5.1.0");
    fixes("5.1.9", "Sender address", "5.1.0");
    fixes("5.1.7", "Recipient address", "5.1.3");
    fixes("5.1.8", "Recipient address", "5.1.2");
    fixes("5.1.4", "Recipient address", "5.1.4");
    fixes("4.1.1", "Helo command", "4.0.0");
    fixes("5.1.10", "Client host", "5.0.0");
    fixes("5.7.1", "Sender address", "5.7.1");
}

/* ---- reverse names ----------------------------------------------------------- */

static void reverses(const char *addr, int rc, const char *want)
{
    strbuf b;
    sb_init(&b);
    int r = pol_dns_reverse(addr, &b);
    char name[200];
    snprintf(name, sizeof name, "reverse: %s", addr);
    check(r == rc && (rc < 0 || strcmp(sb_str(&b), want) == 0), name);
    sb_free(&b);
}

static void test_reverse(void)
{
    reverses("192.0.2.10", 0, "10.2.0.192");
    reverses("2001:db8::1", 0,
             "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2");
    reverses("::ffff:192.0.2.1", 0,
             "1.0.2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0");
    reverses("example.com", -1, "");
    reverses("192.0.2", -1, "");
}

/* ---- the fixture resolver ---------------------------------------------------- */

static char *write_zone(const char *dir, const char *name, const char *text)
{
    char *path = xmalloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        fatal("cannot write %s", path);
    fputs(text, f);
    fclose(f);
    return path;
}

static void answers(pol_dns *d, const char *name, int type, pol_dns_status want_st,
                    const char *want)
{
    pol_dns_rr *rr;
    size_t n;
    pol_dns_status st = pol_dns_query(d, name, type, &rr, &n);
    strbuf got;
    sb_init(&got);
    for (size_t i = 0; i < n; i++)
        sb_addf(&got, "%s%s", i ? "|" : "", rr[i].data);
    char label[200];
    snprintf(label, sizeof label, "fixture: %s type %d", name, type);
    check(st == want_st && strcmp(sb_str(&got), want) == 0, label);
    if (st != want_st || strcmp(sb_str(&got), want) != 0)
        printf("  got %d \"%s\"\n", st, sb_str(&got));
    sb_free(&got);
    pol_dns_rr_free(rr, n);
}

static void test_fixture(void)
{
    char dir[] = "/tmp/test_policy_dns.XXXXXX";
    if (!mkdtemp(dir))
        fatal("mkdtemp");
    char *z1 = write_zone(dir, "a.zone",
        "; a comment\n"
        "*.66.127.wild.example   A 127.0.0.2\n"
        "*.wild.example          A 127.0.0.3\n"
        "9.66.127.wild.example   TXT \"exact owner\"\n"
        "host.example.org.       300 IN A 192.0.2.1   # trailing comment\n"
        "alias.example.org       CNAME host.example.org\n"
        "txt.example             TXT \"two  words\" \"and more\"\n"
        "deep.leaf.ent.example   A 192.0.2.2\n"
        "broken.example          SERVFAIL\n"
        "sf.parent.example       SERVFAIL\n"
        "v6.example              AAAA 2001:DB8:0:0::1\n"
        "bytes.example           TXT \"caf\xc3\xa9\"\n"
        "replaced.example        A 192.0.2.3\n");
    char *z2 = write_zone(dir, "b.zone", "replaced.example MX 10 mx.example\n");
    const char *paths[] = { z1, z2 };
    strbuf err;
    sb_init(&err);
    pol_dns *d = pol_dns_fixture_new(paths, 2, &err);
    check(d != NULL, "fixture: zones load");
    if (d) {
        static const struct {
            const char *name;
            int type;
            pol_dns_status st;
            const char *want;
        } q[] = {
            { "1.0.66.127.wild.example", POL_DNS_A, POL_DNS_FOUND, "127.0.0.2" },
            { "1.1.1.127.wild.example", POL_DNS_A, POL_DNS_FOUND, "127.0.0.3" },
            { "9.66.127.wild.example", POL_DNS_A, POL_DNS_NODATA, "" },
            { "HOST.Example.org.", POL_DNS_A, POL_DNS_FOUND, "192.0.2.1" },
            { "alias.example.org", POL_DNS_A, POL_DNS_FOUND, "192.0.2.1" },
            { "alias.example.org", POL_DNS_CNAME, POL_DNS_FOUND, "host.example.org" },
            { "txt.example", POL_DNS_TXT, POL_DNS_FOUND, "two words\" \"and more" },
            { "ent.example", POL_DNS_A, POL_DNS_NODATA, "" },
            { "leaf.ent.example", POL_DNS_MX, POL_DNS_NODATA, "" },
            { "other.example", POL_DNS_A, POL_DNS_NXDOMAIN, "" },
            { "broken.example", POL_DNS_A, POL_DNS_TEMPFAIL, "" },
            { "parent.example", POL_DNS_A, POL_DNS_NXDOMAIN, "" },
            { "v6.example", POL_DNS_AAAA, POL_DNS_FOUND, "2001:db8::1" },
            { "bytes.example", POL_DNS_TXT, POL_DNS_FOUND, "caf  " },
            { "replaced.example", POL_DNS_A, POL_DNS_NODATA, "" },
            { "replaced.example", POL_DNS_MX, POL_DNS_FOUND, "mx.example" },
        };
        for (size_t i = 0; i < sizeof q / sizeof *q; i++)
            answers(d, q[i].name, q[i].type, q[i].st, q[i].want);
        pol_dns_free(d);
    }
    char *bad = write_zone(dir, "bad.zone", "name.example BOGUS x\n");
    const char *bp[] = { bad };
    sb_clear(&err);
    pol_dns *b = pol_dns_fixture_new(bp, 1, &err);
    check(!b && strstr(sb_str(&err), "bad.zone:1:") != NULL, "fixture: a bad line is refused");
    pol_dns_free(b);
    char *bad2 = write_zone(dir, "bad2.zone", "ok.example A 192.0.2.1\nname.example A 192.0.2\n");
    bp[0] = bad2;
    sb_clear(&err);
    b = pol_dns_fixture_new(bp, 1, &err);
    check(!b && strstr(sb_str(&err), "bad2.zone:2: bad address") != NULL,
          "fixture: a bad address is refused");
    pol_dns_free(b);
    sb_free(&err);
    unlink(z1);
    unlink(z2);
    unlink(bad);
    unlink(bad2);
    rmdir(dir);
    free(z1);
    free(z2);
    free(bad);
    free(bad2);
}

int main(void)
{
    test_filters();
    test_templates();
    test_dsn_fix();
    test_reverse();
    test_fixture();
    return failed;
}
