/* test_rx.c: unit tests of the pattern-table engine: result templates,
 * required-literal extraction, and the prefilter (random tables looked up
 * with and without it must answer the same, rule for rule). */
#include "compiler/tables/rxtable.h"
#include "stdlib/maps/rx.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failed;

static void check(int ok, const char *name)
{
    printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    failed |= !ok;
}

static void test_tmpl(void)
{
    rx_tmpl t;
    size_t eo, el;
    check(rx_tmpl_parse(&t, "a$1-b${2}c$(3)$$", &eo, &el) == RX_TMPL_OK && t.max_group == 3 &&
          strcmp(t.text, "a-bc$") == 0, "tmpl: $1 ${2} $(3) $$");
    rx_tmpl_free(&t);
    check(rx_tmpl_parse(&t, "$1x", &eo, &el) == RX_TMPL_NONNUMERIC && eo == 0 && el == 3, "tmpl: $1x is a name");
    check(rx_tmpl_parse(&t, "ab${1", &eo, &el) == RX_TMPL_TRUNCATED && eo == 2, "tmpl: truncated");
    check(rx_tmpl_parse(&t, "a$ b", &eo, &el) == RX_TMPL_EMPTY_NAME && eo == 1, "tmpl: lone $");
    check(rx_tmpl_parse(&t, "${}", &eo, &el) == RX_TMPL_EMPTY_NAME, "tmpl: ${}");
    check(rx_tmpl_parse(&t, "$0", &eo, &el) == RX_TMPL_ZERO, "tmpl: $0");
    check(rx_tmpl_parse(&t, "$01", &eo, &el) == RX_TMPL_OK && t.max_group == 1, "tmpl: $01 is $1");
    rx_tmpl_free(&t);
}

static int lits_are(const char *pat, unsigned flags, rx_dialect d, const char *want)
{
    char **v;
    int all;
    size_t n = rx_required_literals(pat, flags, d, &v, &all);
    char buf[256] = "";
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(buf, ",");
        strncat(buf, v[i], 64);
        free(v[i]);
    }
    free(v);
    int ok = strcmp(buf, want) == 0;
    if (!ok)
        printf("# %s: got \"%s\", want \"%s\"\n", pat, buf, want);
    return ok;
}

static void test_literals(void)
{
    unsigned P = MAP_RX_ICASE | MAP_RX_DOTALL, E = MAP_RX_ICASE | MAP_RX_EXTENDED;
    check(lits_are("^Subject:.*\\bFree\\b", P, RX_DIALECT_PCRE, "subject:,free"), "lit: runs, folded");
    check(lits_are("ab*c", P, RX_DIALECT_PCRE, "a,c"), "lit: optional atom splits");
    check(lits_are("ab+c", P, RX_DIALECT_PCRE, "ab,bc"), "lit: + keeps one");
    check(lits_are("foo|bar", P, RX_DIALECT_PCRE, "foo,bar"), "lit: alternatives");
    check(lits_are("foo|b?", P, RX_DIALECT_PCRE, ""), "lit: an alternative without literal");
    check(lits_are("(?x) a b", P, RX_DIALECT_PCRE, ""), "lit: inline x gives up");
    check(lits_are("a b", P | MAP_RX_EXTENDED, RX_DIALECT_PCRE, ""), "lit: x flag gives up");
    check(lits_are("\\Qa.b\\E", P, RX_DIALECT_PCRE, ""), "lit: \\Q gives up");
    check(lits_are("x\\.y\\d", P, RX_DIALECT_PCRE, "x.y"), "lit: escaped punctuation");
    check(lits_are("a\\x41b", P, RX_DIALECT_PCRE, "a,b"), "lit: hex escape breaks");
    check(lits_are("[abc]de{2,}f", P, RX_DIALECT_PCRE, "de,ef"), "lit: class and counted repeat");
    check(lits_are("ab{0,2}c", P, RX_DIALECT_PCRE, "a,c"), "lit: {0,n} is optional");
    check(lits_are("a\\'b", E, RX_DIALECT_ERE, "a,b"), "lit: glibc anchor escape");
    check(lits_are("abc", MAP_RX_ICASE, RX_DIALECT_ERE, ""), "lit: BRE not analysed");
    check(lits_are("caf\xc3\xa9x", P, RX_DIALECT_PCRE, "caf,x"), "lit: non-ASCII breaks");
}

/* Random tables: the prefilter must not change any answer. */
static unsigned long long rs = 88172645463325252ull;
static unsigned rnd(unsigned n)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (unsigned)(rs % n);
}

static void test_prefilter(void)
{
    static const char *atoms[] = { "ab", "Cd", "x", "\\.", ".", "[a-c]", "(ab|cd)", "(e)", "f+", "g?", "\\d", "yz", "^", "$" };
    int same = 1;
    size_t total = 0, tried_on = 0, tried_off = 0;
    for (int round = 0; round < 40 && same; round++) {
        size_t n = 1 + rnd(60);
        map_rx_rule *r = xcalloc(n + 8, sizeof *r);
        char **pats = xcalloc(n + 8, sizeof *pats);
        size_t k = 0;
        int depth = 0;
        for (size_t i = 0; i < n; i++) {
            if (rnd(10) == 0 && depth < 3) {
                r[k].op = MAP_RX_IF;
                depth++;
            } else if (rnd(8) == 0 && depth > 0) {
                r[k++].op = MAP_RX_ENDIF;
                depth--;
                continue;
            }
            char buf[128] = "";
            for (unsigned a = 0, na = 1 + rnd(3); a < na; a++)
                strcat(buf, atoms[rnd(sizeof atoms / sizeof *atoms)]);
            pats[k] = xstrdup(buf);
            r[k].pattern = pats[k];
            r[k].flags = MAP_RX_ICASE | MAP_RX_DOTALL | (rnd(5) == 0 ? MAP_RX_ICASE : 0);
            r[k].negate = rnd(6) == 0;
            r[k].result = "R";
            r[k].line = (unsigned)k + 1;
            k++;
        }
        while (depth-- > 0)
            r[k++].op = MAP_RX_ENDIF;
        strbuf err, v1, v2, e;
        sb_init(&err);
        sb_init(&v1);
        sb_init(&v2);
        sb_init(&e);
        map *m = map_pcre_open("t", r, k, &err);
        if (!m) {
            printf("# open: %s\n", sb_str(&err));
            same = 0;
        }
        for (int q = 0; m && q < 300; q++) {
            char key[32];
            size_t kl = rnd(12);
            for (size_t i = 0; i < kl; i++)
                key[i] = "abcdefgxyzABCDXYZ.19 "[rnd(21)];
            key[kl] = 0;
            map_rx_set_prefilter(m, 1);
            map_status s1 = map_lookup(m, key, &v1, &e);
            map_rx_stats st;
            map_rx_get_stats(m, &st);
            size_t before = st.tried;
            map_rx_set_prefilter(m, 0);
            map_status s2 = map_lookup(m, key, &v2, &e);
            map_rx_get_stats(m, &st);
            tried_off += st.tried - before;
            tried_on += before;
            total++;
            if (s1 != s2 || (s1 == MAP_FOUND && strcmp(sb_str(&v1), sb_str(&v2)) != 0)) {
                printf("# round %d key \"%s\": %d vs %d\n", round, key, s1, s2);
                same = 0;
                break;
            }
        }
        map_free(m);
        for (size_t i = 0; i < k; i++)
            free(pats[i]);
        free(pats);
        free(r);
        sb_free(&err);
        sb_free(&v1);
        sb_free(&v2);
        sb_free(&e);
    }
    check(same, "prefilter: same answers as trying every rule");
    printf("# %zu lookups\n", total);
}

static void test_first_match_order(void)
{
    map_rx_rule r[] = {
        { .op = MAP_RX_IF, .pattern = "^a", .flags = MAP_RX_ICASE | MAP_RX_DOTALL, .line = 1 },
        { .op = MAP_RX_MATCH, .pattern = "b(c)", .flags = MAP_RX_ICASE | MAP_RX_DOTALL,
          .result = "in[$1]", .line = 2 },
        { .op = MAP_RX_ENDIF, .line = 3 },
        { .op = MAP_RX_MATCH, .negate = 1, .pattern = "zz", .flags = MAP_RX_ICASE | MAP_RX_DOTALL,
          .result = "neg$$", .line = 4 },
    };
    strbuf err, v, e;
    sb_init(&err);
    sb_init(&v);
    sb_init(&e);
    map *m = map_pcre_open("t", r, 4, &err);
    int ok = m != NULL;
    ok = ok && map_lookup(m, "ABC", &v, &e) == MAP_FOUND && strcmp(sb_str(&v), "in[C]") == 0;
    ok = ok && map_lookup(m, "xbc", &v, &e) == MAP_FOUND && strcmp(sb_str(&v), "neg$") == 0;
    ok = ok && map_lookup(m, "xzz", &v, &e) == MAP_NOTFOUND;
    check(ok, "lookup: if block, substitution, negation, $$");
    map_free(m);
    sb_free(&err);
    sb_free(&v);
    sb_free(&e);
}

/* Literals given with the rules (as an image stores them) are what the
 * prefilter uses: the same answers as computed ones, and a given literal
 * really decides which rules are tried. */
static void test_given_literals(void)
{
    static const char *const lit_abc[] = { "abc" }, *const lit_none[] = { "zzzz" };
    map_rx_rule r[] = {
        { .op = MAP_RX_MATCH, .pattern = "xabc(d)", .flags = MAP_RX_ICASE | MAP_RX_EXTENDED,
          .result = "1:$1" },
        { .op = MAP_RX_MATCH, .pattern = "q+", .flags = MAP_RX_ICASE | MAP_RX_EXTENDED,
          .result = "2" },
    };
    strbuf err, v1, v2, e;
    sb_init(&err);
    sb_init(&v1);
    sb_init(&v2);
    sb_init(&e);
    map *computed = map_regexp_open("t", r, 2, &err);
    r[0].has_lits = 1, r[0].lits = lit_abc, r[0].nlits = 1, r[0].all_required = 1;
    r[1].has_lits = 1, r[1].nlits = 0;
    map *given = map_regexp_open("t", r, 2, &err);
    int same = computed && given;
    const char *keys[] = { "XABCD", "xabce", "qq", "abc", "", "zxabcdq" };
    for (size_t i = 0; same && i < sizeof keys / sizeof *keys; i++) {
        map_status a = map_lookup(computed, keys[i], &v1, &e);
        map_status b = map_lookup(given, keys[i], &v2, &e);
        same = a == b && strcmp(sb_str(&v1), sb_str(&v2)) == 0;
    }
    check(same, "given literals: same answers as computed ones");
    /* a literal that no key has: the rule is never tried, even when its
     * pattern would match (the builder never gives such a literal) */
    r[0].lits = lit_none;
    map *wrong = map_regexp_open("t", r, 2, &err);
    map_rx_stats st;
    int ok = wrong && map_lookup(wrong, "xabcd", &v1, &e) == MAP_NOTFOUND;
    if (wrong)
        map_rx_get_stats(wrong, &st);
    check(ok && st.tried == 1 && st.with_literal == 1, "given literals decide the prefilter");
    map_free(computed);
    map_free(given);
    map_free(wrong);
    sb_free(&err);
    sb_free(&v1);
    sb_free(&v2);
    sb_free(&e);
}

int main(void)
{
    test_tmpl();
    test_literals();
    test_first_match_order();
    test_given_literals();
    test_prefilter();
    return failed;
}
