/* test_image_hash.c: the hash index of exact-match tables in an image,
 * built by compiler/image/emit_hash.c and read by stdlib/image/maps.c:
 * an empty table, folding, duplicate keys (the first wins), keys whose
 * 32-bit hashes are equal, long probe clusters, growing and shrinking the
 * index, duplicates found through strings the writer has spilled to disk,
 * batched lookups against single ones, and a deterministic layout. */
#include "compiler/image/emit_hash.h"
#include "stdlib/image/image.h"
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;
static char dir[] = "/tmp/test_image_hash.XXXXXX";

static void check(int ok, const char *name)
{
    printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    failures += !ok;
}

/* A table being built: the writer and the index. */
typedef struct build {
    imgw     *w;
    emit_hash h;
} build;

static void build_start(build *b, size_t expect)
{
    b->w = imgw_new(dir);
    emit_hash_init(&b->h, b->w, expect);
}

static int add(build *b, const char *k, const char *v, uint32_t *winner)
{
    return emit_hash_add(&b->h, k, strlen(k), v, 7, winner);
}

/* Finish the table (flags for lookups), write the image to `name`, open
 * it and return the map of the table (NULL on failure). */
static map *build_open(build *b, unsigned flags, const char *name, img *im, img_table *t)
{
    memset(t, 0, sizeof *t);
    t->spec = imgw_str(b->w, "hash:/t");
    t->type = imgw_str(b->w, "hash");
    t->flags = (uint16_t)flags;
    emit_hash_finish(&b->h, t);
    imgw_append(b->w, IMG_SEC_TABLES, t, 1);
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    strbuf err;
    sb_init(&err);
    map *m = NULL;
    if (imgw_write(b->w, path, &err, NULL) < 0 || img_open(im, path, &err) < 0)
        printf("# %s: %s\n", name, sb_str(&err));
    else if (!(m = img_table_map(im, 0, &err)))
        printf("# %s: %s\n", name, sb_str(&err));
    imgw_free(b->w);
    sb_free(&err);
    return m;
}

/* The lookup of key: its value, or NULL when not found. */
static const char *get(map *m, const char *key)
{
    static strbuf v, e;
    map_status s = map_lookup(m, key, &v, &e);
    return s == MAP_FOUND ? sb_str(&v) : NULL;
}

static int is(const char *got, const char *want)
{
    return want ? got && strcmp(got, want) == 0 : got == NULL;
}

static void test_empty(void)
{
    build b;
    img im;
    img_table t;
    build_start(&b, 0);
    map *m = build_open(&b, MAP_FL_FOLD_FIX, "empty.img", &im, &t);
    check(m && t.count == 0 && t.nslots == 1 && is(get(m, "x"), NULL) && is(get(m, ""), NULL),
          "empty table: one empty slot, nothing found");
    map_free(m);
    img_close(&im);
}

static void test_fold_and_duplicates(void)
{
    build b;
    img im;
    img_table t;
    uint32_t winner = 99;
    build_start(&b, 10);
    int ok = add(&b, "example.com", "first", NULL) && add(&b, "b", "x", NULL) &&
             add(&b, "", "empty key", NULL);
    ok = ok && !add(&b, "example.com", "second", &winner) && winner == 0;
    ok = ok && !add(&b, "b", "again", &winner) && winner == 1;
    map *m = build_open(&b, MAP_FL_FOLD_FIX, "fold.img", &im, &t);
    check(ok && t.count == 3, "duplicates: the later entry is refused, the winner named");
    check(m && is(get(m, "example.com"), "first") && is(get(m, "b"), "x"),
          "duplicates: the first value wins");
    check(m && is(get(m, "EXAMPLE.Com"), "first") && is(get(m, "B"), "x") &&
              is(get(m, ""), "empty key"), "folding: upper-case keys find folded entries");
    if (m) {   /* postmap -f / query -f: lookups without folding */
        m->flags &= ~MAP_FL_FOLD_FIX;
        check(is(get(m, "EXAMPLE.COM"), NULL) && is(get(m, "example.com"), "first"),
              "no folding: keys must match exactly");
    }
    const img_hash_entry *e = m ? &im.hash_entries[t.first] : NULL;
    check(e && e->line == 7 && strcmp(img_str(&im, e->key), "example.com") == 0,
          "entries keep the source line");
    map_free(m);
    img_close(&im);
}

typedef struct hk {
    uint32_t hash, n;
} hk;

static int hk_cmp(const void *a, const void *b)
{
    const hk *x = a, *y = b;
    return x->hash < y->hash ? -1 : x->hash > y->hash ? 1 : (x->n > y->n) - (x->n < y->n);
}

/* Keys "c<n>" whose img_hash values are equal, in pairs (birthday search). */
static size_t colliding_pairs(char (*pairs)[2][16], size_t max)
{
    size_t n = 400000, np = 0;
    hk *v = xmalloc(n * sizeof *v);
    char k[16];
    for (uint32_t i = 0; i < n; i++) {
        int len = snprintf(k, sizeof k, "c%u", i);
        v[i] = (hk){ img_hash(k, (uint64_t)len), i };
    }
    qsort(v, n, sizeof *v, hk_cmp);
    for (size_t i = 1; i < n && np < max; i++)
        if (v[i].hash == v[i - 1].hash) {
            snprintf(pairs[np][0], 16, "c%u", v[i - 1].n);
            snprintf(pairs[np][1], 16, "c%u", v[i].n);
            np++;
        }
    free(v);
    return np;
}

static void test_hash_collisions(void)
{
    char pairs[8][2][16];
    size_t np = colliding_pairs(pairs, 8);
    check(np >= 2, "collisions: keys with equal 32-bit hashes exist");
    build b;
    img im;
    img_table t;
    build_start(&b, 4);
    int ok = 1;
    for (size_t i = 0; i < np; i++) {   /* the second of each pair is not a duplicate */
        ok &= add(&b, pairs[i][0], pairs[i][0], NULL);
        if (i % 2 == 0)
            ok &= add(&b, pairs[i][1], pairs[i][1], NULL);
    }
    map *m = build_open(&b, MAP_FL_FOLD_FIX, "collide.img", &im, &t);
    check(ok, "collisions: equal hashes with other keys are not duplicates");
    int found = m != NULL;
    for (size_t i = 0; m && i < np; i++) {
        found &= is(get(m, pairs[i][0]), pairs[i][0]);
        found &= is(get(m, pairs[i][1]), i % 2 == 0 ? pairs[i][1] : NULL);
    }
    check(found, "collisions: each key finds its own entry; an absent one with an equal "
                 "hash finds nothing");
    map_free(m);
    img_close(&im);
}

/* Many keys, with or without a good guess of the count: clusters, growth
 * and shrinking, single and batched lookups agree. */
static void test_many(size_t n, size_t expect, const char *name)
{
    build b;
    img im;
    img_table t;
    build_start(&b, expect);
    char k[32], v[32];
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        snprintf(k, sizeof k, "key-%zu.example", i);
        snprintf(v, sizeof v, "v%zu", i % 7);
        ok &= add(&b, k, v, NULL);
    }
    for (size_t i = 0; i < n; i += 97) {   /* duplicates, maybe of spilled keys */
        snprintf(k, sizeof k, "key-%zu.example", i);
        uint32_t w;
        ok &= !add(&b, k, "dup", &w) && w == i;
    }
    char file[64];
    snprintf(file, sizeof file, "%s.img", name);
    map *m = build_open(&b, MAP_FL_FOLD_FIX, file, &im, &t);
    uint32_t want = 1;
    while (want < 2 * n)
        want <<= 1;
    char label[128];
    snprintf(label, sizeof label, "%s: %zu entries, %u slots (at most half full), duplicates found",
             name, n, t.nslots);
    check(ok && m && t.count == n && t.nslots == want, label);
    /* every key, its upper-case form and a miss, one at a time and in batches */
    size_t nk = 3 * n;
    char **keys = xcalloc(nk, sizeof *keys);
    for (size_t i = 0; i < n; i++) {
        snprintf(k, sizeof k, "key-%zu.example", i);
        keys[3 * i] = xstrdup(k);
        snprintf(k, sizeof k, "KEY-%zu.EXAMPLE", i);
        keys[3 * i + 1] = xstrdup(k);
        snprintf(k, sizeof k, "key-%zu.example.", i);
        keys[3 * i + 2] = xstrdup(k);
    }
    int single = m != NULL, batch = m != NULL;
    map_status *st = xcalloc(nk, sizeof *st);
    strbuf *vals = xcalloc(nk, sizeof *vals), err;
    sb_init(&err);
    if (m)
        batch = map_lookup_batch(m, (const char *const *)keys, nk, st, vals, &err) == nk;
    for (size_t i = 0; m && i < nk; i++) {
        snprintf(v, sizeof v, "v%zu", (i / 3) % 7);
        const char *want_v = i % 3 == 2 ? NULL : v;
        single &= is(get(m, keys[i]), want_v);
        batch &= want_v ? st[i] == MAP_FOUND && strcmp(sb_str(&vals[i]), want_v) == 0
                        : st[i] == MAP_NOTFOUND;
    }
    snprintf(label, sizeof label, "%s: every key found, folded keys too, misses not", name);
    check(single, label);
    snprintf(label, sizeof label, "%s: batched lookups answer as single ones", name);
    check(batch, label);
    for (size_t i = 0; i < nk; i++) {
        free(keys[i]);
        sb_free(&vals[i]);
    }
    free(keys);
    free(vals);
    free(st);
    sb_free(&err);
    map_free(m);
    img_close(&im);
}

static int same_file(const char *a, const char *b)
{
    char pa[256], pb[256];
    snprintf(pa, sizeof pa, "%s/%s", dir, a);
    snprintf(pb, sizeof pb, "%s/%s", dir, b);
    FILE *fa = fopen(pa, "rb"), *fb = fopen(pb, "rb");
    int same = fa && fb;
    while (same) {
        int ca = getc(fa), cb = getc(fb);
        same = ca == cb;
        if (ca == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

static void test_deterministic(void)
{
    for (int round = 0; round < 2; round++) {
        build b;
        img im;
        img_table t;
        build_start(&b, 0);
        char k[32];
        for (int i = 0; i < 5000; i++) {
            snprintf(k, sizeof k, "k%d", (i * 7919) % 5000);
            add(&b, k, "v", NULL);
        }
        map *m = build_open(&b, MAP_FL_FOLD_FIX, round ? "det2.img" : "det1.img", &im, &t);
        map_free(m);
        img_close(&im);
    }
    check(same_file("det1.img", "det2.img"), "the same entries give the same bytes");
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_empty();
    test_fold_and_duplicates();
    test_hash_collisions();
    test_many(3, 1000, "shrink");            /* the guess was far too high */
    test_many(20000, 0, "grow");             /* no guess: the index grows */
    test_many(120000, 120000, "spilled");    /* keys pass the writer's spill size */
    test_deterministic();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return failures != 0;
}
