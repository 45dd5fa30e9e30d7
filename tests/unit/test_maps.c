/* test_maps.c: unit tests of the lookup side (stdlib/maps) and of the
 * table builders (compiler/tables): folding, duplicates, NUL forms, cidr
 * first match and if/endif, inline/static parsing, union/pipe. */
#include "compiler/tables/build.h"
#include "compiler/tables/postmap.h"
#include "stdlib/maps/cidr.h"
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;

static void expect(const char *name, map *m, const char *key, map_status want, const char *value)
{
    strbuf v, e;
    sb_init(&v);
    sb_init(&e);
    map_status s = m ? map_lookup(m, key, &v, &e) : MAP_ERR_CONFIG;
    int ok = s == want && (want != MAP_FOUND || strcmp(sb_str(&v), value) == 0);
    printf("%s %s: %s -> %d \"%s\"\n", ok ? "PASS" : "FAIL", name, key, s, sb_str(&v));
    failures += !ok;
    sb_free(&v);
    sb_free(&e);
}

static int text_file(srcset *src, const char *text)
{
    return src_add(src, "t", xstrdup(text), strlen(text));
}

int main(void)
{
    srcset src;
    srcset_init(&src);
    diags d;
    diags_init(&d, &src);
    tables_opts o = tables_opts_default();

    /* texthash: folding, first duplicate wins, continuation, no-value lines */
    int f = text_file(&src, "Foo bar\n  baz\nkeyonly\nfoo second\nh\\ i j\n# c\nx #y\n");
    map *m = tables_build_texthash("t", f, MAP_FL_FOLD_FIX, &d);
    expect("texthash fold", m, "FOO", MAP_FOUND, "bar  baz");
    expect("texthash no value skipped", m, "keyonly", MAP_NOTFOUND, NULL);
    expect("texthash escaped space", m, "h\\ i", MAP_FOUND, "j");
    expect("texthash comment only at line start", m, "x", MAP_FOUND, "#y");
    map_free(m);
    size_t ndup = 0, nsyn = 0;
    for (size_t i = 0; i < d.n; i++) {
        ndup += d.v[i].id == DIAG_DUPLICATE_KEY;
        nsyn += d.v[i].id == DIAG_TABLE_SYNTAX;
    }
    printf("%s texthash diagnostics: %zu duplicate-key, %zu table-syntax\n",
           ndup == 1 && nsyn == 1 ? "PASS" : "FAIL", ndup, nsyn);
    failures += !(ndup == 1 && nsyn == 1);

    /* cidr */
    f = text_file(&src, "192.168.1.1 one\n192.168.0.0/16 sixteen\n10.1.2.3/8 bad\n"
                        "!1.0.0.0/8 notone\nif 5.0.0.0/8\n5.5.0.0/16 five\nendif\n"
                        "2001:DB8::/32 v6\n[172.16.0.0]/12 br\n");
    m = tables_build_cidr("c", f, &d);
    expect("cidr exact first", m, "192.168.1.1", MAP_FOUND, "one");
    expect("cidr prefix", m, "192.168.9.9", MAP_FOUND, "sixteen");
    expect("cidr bad rule skipped, negation", m, "10.0.0.1", MAP_FOUND, "notone");
    expect("cidr v6 not matched by v4 negation", m, "2001:db8:0::7", MAP_FOUND, "v6");
    expect("cidr bracket key", m, "[192.168.1.1]", MAP_NOTFOUND, NULL);
    expect("cidr leading zero key", m, "01.2.3.4", MAP_NOTFOUND, NULL);
    expect("cidr v6 outside", m, "2001:db9::1", MAP_NOTFOUND, NULL);
    map_free(m);
    f = text_file(&src, "if 5.0.0.0/8\n5.5.0.0/16 five\nendif\n0.0.0.0/0 all\nif !6.0.0.0/8\n::/0 x\nendif\n");
    m = tables_build_cidr("c2", f, &d);
    expect("cidr if block", m, "5.5.1.1", MAP_FOUND, "five");
    expect("cidr after if block", m, "5.6.1.1", MAP_FOUND, "all");
    expect("cidr negated if, other family", m, "::1", MAP_NOTFOUND, NULL);
    map_free(m);

    /* inline, static, union, pipe */
    m = tables_build_inline("{A=1, a=2, {b = 2 3}, c={x}}", &o, &d);
    expect("inline last wins", m, "a", MAP_FOUND, "2");
    expect("inline braced", m, "B", MAP_FOUND, "2 3");
    expect("inline nested braces", m, "c", MAP_FOUND, "{x}");
    map_free(m);
    size_t before = d.n;
    m = tables_build_inline("{ a = 1 }", &o, &d);
    printf("%s inline spaces around = need braces\n", !m && d.n > before ? "PASS" : "FAIL");
    failures += !(!m && d.n > before);
    m = tables_build_static("{ a  b }", &o, &d);
    expect("static braces", m, "anything", MAP_FOUND, "a  b");
    map_free(m);
    m = tables_open("unionmap:{inline:{b=2},static:x,inline:{a=1}}", &o, &d);
    expect("unionmap joins", m, "a", MAP_FOUND, "x,1");
    map_free(m);
    m = tables_open("pipemap:{inline:{a=B},inline:{b=2}}", &o, &d);
    expect("pipemap chains (folded)", m, "a", MAP_FOUND, "2");
    expect("pipemap miss", m, "z", MAP_NOTFOUND, NULL);
    map_free(m);
    m = tables_open("proxy:fail:x", &o, &d);
    expect("proxy unwrapped, fail fails", m, "a", MAP_ERR_CONFIG, NULL);
    map_free(m);
    before = d.n;
    m = tables_open("mysql:/etc/x.cf", &o, &d);
    printf("%s mysql refused\n", !m && d.n > before && d.v[d.n - 1].id == DIAG_UNKNOWN_MAP_TYPE ? "PASS" : "FAIL");
    failures += !(!m && d.n > before);

    /* hash: postmap then lookups with NUL forms and folding */
    char dir[] = "/tmp/test_maps.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char path[128], spec[160];
    snprintf(path, sizeof path, "%s/access", dir);
    FILE *fp = fopen(path, "w");
    fputs("Example.COM OK\nexample.com REJECT\nuser@example.net 550\n", fp);
    fclose(fp);
    snprintf(spec, sizeof spec, "hash:%s", path);
    postmap_opts po = { .fold = 1, .nul = 1 };
    int prc = tables_postmap(spec, &po, &d);
    printf("%s postmap hash\n", prc == 0 ? "PASS" : "FAIL");
    failures += prc != 0;
    m = tables_open(spec, &o, &d);
    expect("hash fold + first wins", m, "EXAMPLE.com", MAP_FOUND, "OK");
    expect("hash miss", m, "example.org", MAP_NOTFOUND, NULL);
    map_free(m);
    tables_opts on = o;
    on.flags = MAP_FL_FOLD_FIX | MAP_FL_TRY0NULL;
    m = tables_open(spec, &on, &d);
    expect("hash -n query on NUL keys", m, "example.com", MAP_NOTFOUND, NULL);
    map_free(m);
    po.nul = 0;
    snprintf(spec, sizeof spec, "btree:%s", path);
    tables_postmap(spec, &po, &d);
    m = tables_open(spec, &o, &d);
    expect("btree -n db, default query", m, "user@example.net", MAP_FOUND, "550");
    map_free(m);
    int errs = tables_check(spec, LOC_NONE, TABLES_USE_ACCESS, &d);
    printf("%s check of a fresh btree: %d errors\n", errs == 0 ? "PASS" : "FAIL", errs);
    failures += errs != 0;
    fp = fopen(path, "a");
    fputs("new.example OK\n", fp);
    fclose(fp);
    errs = tables_check(spec, LOC_NONE, 0, &d);
    printf("%s check after an edit: stale (%d errors)\n", errs == 1 ? "PASS" : "FAIL", errs);
    failures += errs != 1;
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        failures++;

    diags_free(&d);
    srcset_free(&src);
    return failures ? 1 : 0;
}
