/* test_image_tables.c: differential test of the tables of a policy image.
 * For every configuration of tests/golden and of the corpus
 * (${CORPUS:-../shared/corpus}/rendered, as tests/corpus.sh finds it),
 * every table the configuration names is compiled into an image
 * (compiler/image/emit_tables.c), and the image's map of it
 * (stdlib/image/maps.c) must answer every key exactly as the map
 * compiler/tables builds from the same files: tables_open, on the file
 * config_table_file finds, except that a hash:/btree: table with a source
 * is compared with its source read as postmap would store it (texthash:,
 * or postalias for alias_maps), since an image is compiled from the
 * source and a .db may be stale. A table the reference cannot open must
 * be unavailable in the image (every lookup an error), and the other way
 * round.
 *
 * Besides those, tests/unit/image_tables is a configuration with every
 * kind of table and the awkward cases (duplicates, if/endif, negation,
 * $n, inline forms, tables only shipped as .db, missing and unserved
 * types), copied to a temporary directory where its *.src files become
 * .db files.
 *
 * The keys: every key and pattern-derived string of every table source of
 * the configuration, every key of the image's hash tables, addresses
 * around every cidr network, typical keys (addresses, domains, header
 * lines), and mutations of all of them (case, a character more or less,
 * empty). One PASS/FAIL line per configuration. */
#include "compiler/config.h"
#include "compiler/image/emit.h"
#include "compiler/table_refs.h"
#include "compiler/tables/aliases.h"
#include "compiler/tables/build.h"
#include "compiler/tables/postmap.h"
#include "compiler/tables/tables.h"
#include "stdlib/image/image.h"
#include "stdlib/maps/rx.h"
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_KEYS 6000   /* per configuration, before mutations */

static int failures;
static char tmpdir[] = "/tmp/test_image_tables.XXXXXX";

typedef struct strv {
    char  **v;
    size_t  n, cap;
} strv;

static void strv_add(strv *s, const char *k)
{
    xgrow(&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = xstrdup(k);
}

static void strv_free(strv *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* ---- the tables a configuration names ---------------------------------- */

typedef struct ref {
    char               *spec;
    loc                 at;
    enum emit_table_src src;
    uint32_t            index;   /* in the image */
} ref;

typedef struct refs {
    ref   *v;
    size_t n, cap;
} refs;

static void ref_add(void *arg, const char *param, const char *spec, loc at, table_use use)
{
    refs *r = arg;
    enum emit_table_src src = strcmp(param, "alias_maps") == 0 ||
                                      strcmp(param, "alias_database") == 0
                                  ? EMIT_TABLE_ALIASES : EMIT_TABLE_POSTMAP;
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].spec, spec) == 0 && r->v[i].src == src)
            return;
    xgrow(&r->v, &r->cap, r->n + 1, sizeof *r->v);
    r->v[r->n++] = (ref){ xstrdup(spec), at, src, 0 };
}

/* ---- the reference: what compiler/tables builds from the same files ---- */

static map *ref_open(config *c, const char *spec, enum emit_table_src src, diags *d)
{
    char *type, *name;
    if (tables_split_spec(spec, &type, &name) < 0)
        return NULL;
    map *m = NULL;
    tables_opts o = tables_opts_default();
    if ((strcmp(type, "unionmap") == 0 || strcmp(type, "pipemap") == 0) && name[0] == '{') {
        char **el;
        size_t n;
        if (tables_split_braced(name, &el, &n) == 0 && n > 0) {
            map **mv = xcalloc(n, sizeof *mv);
            int ok = 1;
            for (size_t i = 0; i < n; i++) {
                char *inner = el[i][0] == '{' ? tables_unbrace(el[i]) : xstrdup(el[i]);
                ok &= (mv[i] = ref_open(c, inner, src, d)) != NULL;
                free(inner);
            }
            if (ok) {
                m = strcmp(type, "unionmap") == 0 ? map_union_new(name, mv, n)
                                                  : map_pipe_new(name, mv, n);
            } else {
                for (size_t i = 0; i < n; i++)
                    map_free(mv[i]);
                free(mv);
            }
        }
        tables_strv_free(el, n);
        free(type);
        free(name);
        return m;
    }
    int external;
    char *file = config_table_file(c, type, name, &external);
    strbuf real;
    sb_init(&real);
    if (!file) {
        m = tables_open(spec, &o, d);
    } else if ((strcmp(type, "hash") == 0 || strcmp(type, "btree") == 0) &&
               access(file, F_OK) == 0) {
        sb_addf(&real, "%s:%s", src == EMIT_TABLE_ALIASES ? type : "texthash", file);
        m = src == EMIT_TABLE_ALIASES ? tables_open_aliases_source(real.s, &o, d)
                                      : tables_open(real.s, &o, d);
    } else {
        sb_addf(&real, "%s:%s", type, file);
        m = tables_open(real.s, &o, d);
    }
    sb_free(&real);
    free(file);
    free(type);
    free(name);
    return m;
}

/* ---- keys ----------------------------------------------------------------- */

static const char *const typical[] = {
    "", "a", "example.com", "user@example.com", "postmaster", "postmaster@", "root",
    "localhost", "localhost.localdomain", "127.0.0.1", "10.1.2.3", "192.168.1.1",
    "172.16.0.1", "::1", "2001:db8::1", "fe80::1", "[127.0.0.1]", "mail.example.org",
    "Subject: hello", "Subject: viagra", "From: a@b.c", "To: x@y.z", "Received: from x",
    "Content-Type: text/html", "X-Spam-Flag: YES", "MAIL FROM:<a@b>", "CONNECT", "GET /",
    "@example.com", ".example.com", "user+tag@example.com", "abuse@localhost",
};

/* Words of a source file's lines: the first field (the key, or pattern),
 * the rest, and for aliases the name before ':'. */
static void source_keys(const char *path, strv *keys)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, fp) >= 0 && keys->n < MAX_KEYS) {
        line[strcspn(line, "\r\n")] = 0;
        char *p = line + strspn(line, " \t");
        if (!*p || *p == '#')
            continue;
        size_t k = strcspn(p, " \t");
        char *key = xstrndup(p, k);
        strv_add(keys, key);
        char *colon = strchr(key, ':');
        if (colon) {
            *colon = 0;
            strv_add(keys, key);
        }
        free(key);
        char *rest = p + k + strspn(p + k, " \t");
        if (*rest)
            strv_add(keys, rest);
    }
    free(line);
    fclose(fp);
}

/* Strings a pattern probably matches: its text without regex syntax,
 * and its required literals. */
static void pattern_keys(const char *pat, unsigned flags, int pcre, strv *keys)
{
    strbuf s;
    sb_init(&s);
    for (const char *p = pat; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            if (strchr("dws", *p))
                sb_addc(&s, *p == 'd' ? '1' : *p == 'w' ? 'w' : ' ');
            else if (!strchr("bB", *p))
                sb_addc(&s, *p);
        } else if (*p == '.') {
            sb_addc(&s, p[1] == '*' || p[1] == '+' ? 'x' : '.');
        } else if (!strchr("^$()[]{}*+?|", *p)) {
            sb_addc(&s, *p);
        }
    }
    strv_add(keys, sb_str(&s));
    char **lits;
    int all;
    size_t n = rx_required_literals(pat, flags, pcre ? RX_DIALECT_PCRE : RX_DIALECT_ERE, &lits,
                                    &all);
    for (size_t i = 0; i < n; i++) {
        strv_add(keys, lits[i]);
        free(lits[i]);
    }
    free(lits);
    sb_free(&s);
}

/* Addresses in, at the edge of and just outside a network. */
static void cidr_keys(const img_cidr_rule *r, strv *keys)
{
    if (r->op == IMG_RULE_ENDIF)
        return;
    int af = r->family == 4 ? AF_INET : AF_INET6;
    unsigned bytes = r->family == 4 ? 4 : 16;
    unsigned char a[16];
    char txt[64];
    for (int variant = 0; variant < 4; variant++) {
        memcpy(a, r->addr, 16);
        if (variant == 1)
            a[bytes - 1] ^= 1;
        if (variant == 2)   /* the last address of the network */
            for (unsigned b = r->prefix; b < bytes * 8; b++)
                a[b / 8] |= (unsigned char)(0x80 >> (b % 8));
        if (variant == 3 && r->prefix > 0)   /* just outside */
            a[(r->prefix - 1) / 8] ^= (unsigned char)(0x80 >> ((r->prefix - 1) % 8));
        if (inet_ntop(af, a, txt, sizeof txt))
            strv_add(keys, txt);
    }
}

static void mutate(const strv *in, strv *out)
{
    char buf[1024];
    for (size_t i = 0; i < in->n; i++) {
        const char *k = in->v[i];
        size_t n = strlen(k);
        if (n >= sizeof buf - 2)
            continue;
        strv_add(out, k);
        strcpy(buf, k);
        for (char *p = buf; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
        strv_add(out, buf);
        snprintf(buf, sizeof buf, "%sx", k);
        strv_add(out, buf);
        snprintf(buf, sizeof buf, "x%s", k);
        strv_add(out, buf);
        if (n > 0) {
            strv_add(out, k + 1);
            snprintf(buf, sizeof buf, "%.*s", (int)(n - 1), k);
            strv_add(out, buf);
        }
    }
}

/* ---- one configuration ------------------------------------------------------ */

static int compare(const char *what, map *img_m, map *ref_m, const strv *keys, int *shown)
{
    strbuf v1, v2, e1, e2;
    sb_init(&v1);
    sb_init(&v2);
    sb_init(&e1);
    sb_init(&e2);
    int bad = 0;
    for (size_t i = 0; i < keys->n; i++) {
        map_status a = map_lookup(img_m, keys->v[i], &v1, &e1);
        map_status b = ref_m ? map_lookup(ref_m, keys->v[i], &v2, &e2) : MAP_ERR_CONFIG;
        int aerr = a != MAP_FOUND && a != MAP_NOTFOUND, berr = b != MAP_FOUND && b != MAP_NOTFOUND;
        int same = aerr || berr ? aerr == berr
                                : a == b && (a != MAP_FOUND || strcmp(sb_str(&v1), sb_str(&v2)) == 0);
        if (!same) {
            bad++;
            if ((*shown)++ < 5)
                printf("# %s: key \"%s\": image %d \"%s\"%s, tables %d \"%s\"\n", what,
                       keys->v[i], a, aerr ? sb_str(&e1) : sb_str(&v1), "", b, sb_str(&v2));
        }
    }
    sb_free(&v1);
    sb_free(&v2);
    sb_free(&e1);
    sb_free(&e2);
    return bad;
}

static void test_config(const char *dir)
{
    config c;
    config_opts co = { .dir = dir };
    config_load(&c, &co);
    refs r = { 0 };
    table_refs_each(&c, ref_add, &r);
    emit_ctx e;
    memset(&e, 0, sizeof e);
    e.c = &c;
    e.w = imgw_new(tmpdir);
    for (size_t i = 0; i < r.n; i++)
        r.v[i].index = emit_table(&e, r.v[i].spec, r.v[i].at, r.v[i].src);
    char path[512];
    snprintf(path, sizeof path, "%s/image", tmpdir);
    strbuf err;
    sb_init(&err);
    img im;
    int opened = imgw_write(e.w, path, &err, NULL) == 0 && img_open(&im, path, &err) == 0;
    if (!opened) {
        printf("FAIL image tables %s: %s\n", dir, sb_str(&err));
        failures++;
    }
    /* the keys */
    strv base = { 0 }, keys = { 0 };
    for (size_t i = 0; i < sizeof typical / sizeof *typical; i++)
        strv_add(&base, typical[i]);
    for (size_t i = 0; opened && i < im.ntables; i++) {
        const img_table *t = &im.tables[i];
        char *type, *name;
        int external;
        if (tables_split_spec(img_str(&im, t->spec), &type, &name) == 0) {
            char *file = config_table_file(&c, type, name, &external);
            if (file)
                source_keys(file, &base);
            free(file);
            free(type);
            free(name);
        }
        for (uint32_t k = 0; t->kind == IMG_TK_HASH && k < t->count && base.n < MAX_KEYS; k++)
            strv_add(&base, img_str(&im, im.hash_entries[t->first + k].key));
        for (uint32_t k = 0; t->kind == IMG_TK_CIDR && k < t->count; k++)
            cidr_keys(&im.cidr_rules[t->first + k], &base);
        for (uint32_t k = 0; (t->kind == IMG_TK_REGEXP || t->kind == IMG_TK_PCRE) && k < t->count;
             k++) {
            const img_rx_rule *rr = &im.rx_rules[t->first + k];
            if (rr->op != IMG_RULE_ENDIF)
                pattern_keys(img_str(&im, rr->pattern), rr->flags, t->kind == IMG_TK_PCRE, &base);
        }
    }
    mutate(&base, &keys);
    /* every table, every key */
    size_t bad = 0, tables = 0;
    int shown = 0;
    for (size_t i = 0; opened && i < r.n; i++) {
        diags d;
        diags_init(&d, &c.src);
        map *ref_m = ref_open(&c, r.v[i].spec, r.v[i].src, &d);
        map *img_m = img_table_map(&im, r.v[i].index, &err);
        const img_table *t = &im.tables[r.v[i].index];
        if (!img_m) {
            printf("# %s: no map: %s\n", r.v[i].spec, sb_str(&err));
            bad++;
        } else if (!ref_m != (t->kind == IMG_TK_UNAVAILABLE)) {
            printf("# %s: %s\n", r.v[i].spec, ref_m ? "unavailable in the image only"
                                                    : "unavailable to tables_open only");
            bad++;
        } else {
            bad += (size_t)compare(r.v[i].spec, img_m, ref_m, &keys, &shown);
        }
        tables++;
        map_free(ref_m);
        map_free(img_m);
        diags_free(&d);
    }
    if (opened) {
        strbuf kinds;   /* what the configuration exercised */
        sb_init(&kinds);
        for (unsigned k = 0; k < IMG_TK_COUNT; k++) {
            unsigned cnt = 0;
            for (uint32_t i = 0; i < im.ntables; i++)
                cnt += im.tables[i].kind == k;
            if (cnt)
                sb_addf(&kinds, " %s %u", img_table_kind_name(k), cnt);
        }
        printf("%s image tables %s: %zu tables (%s ), %zu keys%s\n", bad ? "FAIL" : "PASS", dir,
               tables, sb_str(&kinds), keys.n, bad ? ", answers differ" : ", same answers");
        sb_free(&kinds);
        failures += bad != 0;
        img_close(&im);
    }
    strv_free(&base);
    strv_free(&keys);
    for (size_t i = 0; i < r.n; i++)
        free(r.v[i].spec);
    free(r.v);
    for (size_t i = 0; i < e.ntables; i++)
        free(e.tables[i].name);
    free(e.tables);
    free(e.file_index);
    imgw_free(e.w);
    sb_free(&err);
    config_free(&c);
}

/* Every DIR/<case>/ that has a main.cf, in name order. */
static void each_config(const char *dir)
{
    struct dirent **v;
    int n = scandir(dir, &v, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        char path[1024], main_cf[1100];
        snprintf(path, sizeof path, "%s/%s", dir, v[i]->d_name);
        snprintf(main_cf, sizeof main_cf, "%s/main.cf", path);
        struct stat st;
        if (v[i]->d_name[0] != '.' && stat(main_cf, &st) == 0)
            test_config(path);
        free(v[i]);
    }
    if (n >= 0)
        free(v);
}

/* tests/unit/image_tables in a temporary directory, NAME.src built into
 * NAME.db (hash: for dbonly, btree: for btonly) and removed. */
static int fixture(char *dir, size_t size)
{
    snprintf(dir, size, "%s/cf", tmpdir);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cp -r tests/unit/image_tables %s", dir);
    if (system(cmd) != 0)
        return -1;
    static const char *const dbs[][2] = { { "hash", "dbonly" }, { "btree", "btonly" } };
    srcset src;
    srcset_init(&src);
    diags d;
    diags_init(&d, &src);
    int rc = 0;
    for (size_t i = 0; i < 2; i++) {
        char from[1100], to[1100], spec[1200];
        snprintf(from, sizeof from, "%s/%s.src", dir, dbs[i][1]);
        snprintf(to, sizeof to, "%s/%s", dir, dbs[i][1]);
        snprintf(spec, sizeof spec, "%s:%s", dbs[i][0], to);
        postmap_opts po = { .fold = 1, .nul = 1 };
        if (rename(from, to) != 0 || tables_postmap(spec, &po, &d) != 0 || unlink(to) != 0)
            rc = -1;
    }
    diags_free(&d);
    srcset_free(&src);
    return rc;
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    char cf[1024];
    if (fixture(cf, sizeof cf) == 0) {
        test_config(cf);
    } else {
        printf("FAIL image tables: cannot set up tests/unit/image_tables in %s\n", tmpdir);
        failures++;
    }
    each_config("tests/golden");
    const char *corpus = getenv("CORPUS");
    char rendered[1024];
    snprintf(rendered, sizeof rendered, "%s/rendered", corpus ? corpus : "../shared/corpus");
    struct stat st;
    if (stat(rendered, &st) == 0)
        each_config(rendered);
    else
        printf("# no corpus at %s: only the golden configurations\n", rendered);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", tmpdir);
    return failures != 0;
}
