/* test_image.c: the policy image writer and loader: a configuration built
 * into an image loads and validates; building twice (from another working
 * directory) gives the same bytes; truncation at every section boundary,
 * 10,000 random single-byte corruptions, and the same corruptions with the
 * digest made to match, are all refused or (for the last kind) accepted
 * only when every reference still holds (the walk runs under ASan in the
 * asan build); sections that spill to disk read back; bad header fields
 * give their own message. */
#include "compiler/checks.h"
#include "compiler/image/emit.h"
#include "stdlib/image/image.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/sha256.h"
#include "tests/unit/image_walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *name, const char *detail)
{
    int show = detail && *detail;
    printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", name, show ? ": " : "", show ? detail : "");
    failures += !ok;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0)
        fatal("cannot write %s", path);
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fatal("cannot read %s", path);
    fseek(fp, 0, SEEK_END);
    *len = (size_t)ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *p = xmalloc(*len + 1);
    if (fread(p, 1, *len, fp) != *len)
        fatal("short read %s", path);
    fclose(fp);
    return p;
}

/* Build DIR into OUT as `mtacc build` does; returns the error count. */
static size_t build(const char *dir, const char *out)
{
    config c;
    config_opts co = { .dir = dir, .for_image = 1 };
    config_load(&c, &co);
    run_checks(&c);
    size_t errors = diags_count(&c.d, SEV_ERROR);
    if (!errors) {
        imgw *w = emit_image(&c, ".");
        strbuf err;
        sb_init(&err);
        if (imgw_write(w, out, &err, NULL) < 0)
            fatal("%s", sb_str(&err));
        sb_free(&err);
        imgw_free(w);
    }
    config_free(&c);
    return errors;
}

static int opens(const unsigned char *p, size_t n, unsigned flags, strbuf *why)
{
    img im;
    sb_clear(why);
    if (img_open_mem(&im, p, n, flags, why) < 0)
        return 0;
    image_walk(&im);
    img_close(&im);
    return 1;
}

static void fix_digest(unsigned char *p, size_t n)
{
    if (n >= IMG_HEADER_SIZE)
        sha256(p + IMG_DIGEST_FROM, n - IMG_DIGEST_FROM, p + 32);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_truncation(const unsigned char *p, size_t n)
{
    const img_header *h = (const img_header *)p;
    const img_section *dir = (const img_section *)(p + IMG_HEADER_SIZE);
    size_t cuts[128], nc = 0;
    size_t fixed[] = { 0, 7, 8, 16, 24, 32, 63, 64, 96, 160, 191, 192,
                       IMG_HEADER_SIZE + sizeof(img_section) * h->nsections - 1 };
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        cuts[nc++] = fixed[i];
    for (uint32_t i = 0; i < h->nsections && nc + 3 < 128; i++) {
        cuts[nc++] = (size_t)dir[i].offset;
        if (dir[i].size) {
            cuts[nc++] = (size_t)(dir[i].offset + dir[i].size - 1);
            cuts[nc++] = (size_t)(dir[i].offset + dir[i].size / 2);
        }
    }
    strbuf why;
    sb_init(&why);
    int all = 1;
    char detail[256] = "";
    for (size_t i = 0; i < nc; i++) {
        if (cuts[i] >= n)
            continue;
        /* as cut, and with the header's size and digest made to agree */
        unsigned char *q = xmalloc(n);
        memcpy(q, p, cuts[i]);
        int ok1 = !opens(q, cuts[i], 0, &why);
        if (ok1 && !strstr(sb_str(&why), "truncated")) {
            snprintf(detail, sizeof detail, "cut at %zu: \"%s\" does not say truncated", cuts[i],
                     sb_str(&why));
            all = 0;
        }
        if (cuts[i] >= IMG_HEADER_SIZE) {
            ((img_header *)q)->file_size = cuts[i];
            fix_digest(q, cuts[i]);
            ok1 = ok1 && !opens(q, cuts[i], 0, &why);
        }
        if (!ok1 && all) {
            snprintf(detail, sizeof detail, "cut at %zu accepted", cuts[i]);
            all = 0;
        }
        free(q);
    }
    snprintf(detail + strlen(detail), sizeof detail - strlen(detail), "%s%zu cuts", *detail ? "; " : "", nc);
    check(all, "truncation at every section boundary refused", detail);
    sb_free(&why);
}

static void test_corruption(const unsigned char *p, size_t n)
{
    unsigned char *q = xmalloc(n);
    strbuf why;
    sb_init(&why);
    int refused = 0, accepted_fixed = 0, refused_fixed = 0;
    for (int i = 0; i < 10000; i++) {
        memcpy(q, p, n);
        size_t at = (size_t)(next() % n);
        q[at] ^= (unsigned char)(1 + next() % 255);
        refused += !opens(q, n, 0, &why);
        /* the same change with a digest that matches: only structure can refuse it */
        if (at >= IMG_DIGEST_FROM || at < 32) {
            fix_digest(q, n);
            if (opens(q, n, 0, &why))
                accepted_fixed++;
            else
                refused_fixed++;
        }
    }
    char detail[128];
    snprintf(detail, sizeof detail, "%d of 10000 refused", refused);
    check(refused == 10000, "random single-byte corruptions refused", detail);
    snprintf(detail, sizeof detail, "%d refused by structure, %d harmless and walked",
             refused_fixed, accepted_fixed);
    check(refused_fixed > 0, "corruptions with a matching digest refused or harmless", detail);
    sb_free(&why);
    free(q);
}

/* Corruptions aimed at the sections after PARAMS (tables, rules, slots,
 * programs, instructions, classes), digest fixed: refused or harmless, and
 * what is accepted is walked with every table opened and asked. */
static void test_corruption_tables(const unsigned char *p, size_t n)
{
    const img_section *dir = (const img_section *)(p + IMG_HEADER_SIZE);
    size_t from = (size_t)dir[IMG_SEC_SERVICES - 1].offset;
    size_t to = (size_t)(dir[IMG_SEC_CLASSES - 1].offset + dir[IMG_SEC_CLASSES - 1].size);
    unsigned char *q = xmalloc(n);
    strbuf why;
    sb_init(&why);
    int refused = 0, accepted = 0;
    for (int i = 0; i < 5000 && to > from; i++) {
        memcpy(q, p, n);
        q[from + (size_t)(next() % (to - from))] ^= (unsigned char)(1 + next() % 255);
        fix_digest(q, n);
        if (opens(q, n, 0, &why))
            accepted++;
        else
            refused++;
    }
    char detail[160];
    snprintf(detail, sizeof detail, "bytes %zu-%zu: %d refused by structure, %d harmless and walked",
             from, to, refused, accepted);
    check(refused > 0 && accepted > 0, "corruptions of services, tables, rules and programs", detail);
    sb_free(&why);
    free(q);
}

static void test_header_messages(const unsigned char *p, size_t n)
{
    unsigned char *q = xmalloc(n);
    strbuf why;
    sb_init(&why);
    struct { size_t off; unsigned char val; const char *want; } cases[] = {
        { 0, 'X', "bad magic" },
        { 8, 9, "format version 9" },
        { 16, 8, "sentinel" },
        { 168 + IMG_SEC_TABLES, 1, "ABI mismatch" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        memcpy(q, p, n);
        q[cases[i].off] = cases[i].val;
        fix_digest(q, n);
        int refused = !opens(q, n, 0, &why);
        check(refused && strstr(sb_str(&why), cases[i].want), "header refusal says why",
              sb_str(&why));
    }
    memcpy(q, p, n);
    q[n - 1] ^= 1;
    check(!opens(q, n, 0, &why) && strstr(sb_str(&why), "SHA-256"), "digest refusal says why",
          sb_str(&why));
    sb_free(&why);
    free(q);
}

static void test_spill(void)
{
    imgw *w = imgw_new(".");
    uint32_t offs[3000];
    char buf[64];
    strbuf tmp;
    sb_init(&tmp);
    /* about 6 MB of strings: the pool spills once */
    for (int i = 0; i < 200000; i++) {
        snprintf(buf, sizeof buf, "key-%08d-padding-padding", i);
        uint32_t o = imgw_str_unique(w, buf, strlen(buf));
        if (i % 67 == 0 && i / 67 < 3000)
            offs[i / 67] = o;
    }
    int ok = 1;
    for (int k = 0; k < 2985 && ok; k++) {
        snprintf(buf, sizeof buf, "key-%08d-padding-padding", k * 67);
        ok = strcmp(imgw_str_get(w, offs[k], &tmp), buf) == 0;
    }
    check(ok, "spilled strings read back", NULL);
    strbuf err;
    sb_init(&err);
    int wrote = imgw_write(w, "spill.img", &err, NULL) == 0;
    img im;
    int loaded = wrote && img_open(&im, "spill.img", &err) == 0;
    ok = loaded;
    for (int k = 0; k < 2985 && ok; k++) {
        snprintf(buf, sizeof buf, "key-%08d-padding-padding", k * 67);
        ok = strcmp(img_str(&im, offs[k]), buf) == 0;
    }
    check(ok, "an image with a spilled section loads with its strings", sb_str(&err));
    if (loaded)
        img_close(&im);
    imgw_free(w);
    sb_free(&err);
    sb_free(&tmp);
    unlink("spill.img");
}

static void test_atomic(void)
{
    imgw *w = imgw_new(".");
    strbuf err;
    sb_init(&err);
    int r = imgw_write(w, "no-such-dir/x.img", &err, NULL);
    struct stat st;
    check(r < 0 && strstr(sb_str(&err), "no-such-dir") && stat("no-such-dir/x.img", &st) < 0,
          "a write that cannot happen fails with the path and leaves nothing", sb_str(&err));
    imgw_free(w);
    sb_free(&err);
}

int main(void)
{
    char tmpl[] = "/tmp/test_image.XXXXXX";
    if (!mkdtemp(tmpl))
        fatal("mkdtemp");
    if (chdir(tmpl) < 0)
        fatal("chdir");
    mkdir("conf", 0755);
    write_file("conf/main.cf",
               "myhostname = mx.example.com\n"
               "mydestination = $myhostname, localhost\n"
               "mynetworks = 127.0.0.0/8 [::1]/128\n"
               "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n"
               "message_size_limit = 10240000\n"
               "maximal_queue_lifetime = 3d\n"
               "smtpd_restriction_classes = strict\n"
               "strict = reject_unknown_sender_domain\n"
               "smtpd_client_restrictions = check_client_access cidr:/etc/postfix/clients.cidr,\n"
               "    check_sender_access hash:/etc/postfix/access, strict\n"
               "header_checks = pcre:/etc/postfix/header_checks\n"
               "body_checks = regexp:/etc/postfix/body_checks\n"
               "virtual_alias_maps = texthash:/etc/postfix/virtual, inline:{ a@x.example=b@y.example }\n"
               "alias_maps = hash:/etc/postfix/aliases\n");
    write_file("conf/clients.cidr", "192.0.2.0/24 REJECT\nif 198.51.100.0/24\n"
               "198.51.100.7 OK\nendif\n2001:db8::/32 DUNNO\n");
    write_file("conf/access", "spammer@example.biz REJECT go away\nexample.info DISCARD\n"
               "user@Example.COM OK\n");
    write_file("conf/header_checks", "/^Subject:.*viagra/ REJECT spam\nif /^From:/\n"
               "/example\\.biz/ DISCARD\nendif\n/^X-Mailer: (\\S+)/ PREPEND X-Seen: $1\n");
    write_file("conf/body_checks", "/click here/ REJECT\n");
    write_file("conf/virtual", "info@example.com alice\n");
    write_file("conf/aliases", "postmaster: root\nabuse: postmaster\n");
    write_file("conf/master.cf",
               "smtp      inet  n       -       n       -       -       smtpd\n"
               "submission inet n       -       n       -       -       smtpd\n"
               "  -o smtpd_tls_security_level=encrypt\n"
               "  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject\n"
               "pickup    unix  n       -       n       60      1       pickup\n");
    check(build("conf", "a.img") == 0, "configuration builds", NULL);
    mkdir("elsewhere", 0755);
    if (chdir("elsewhere") < 0)
        fatal("chdir");
    char abs[256];
    snprintf(abs, sizeof abs, "%s/conf", tmpl);
    build(abs, "../b.img");
    if (chdir("..") < 0)
        fatal("chdir");
    size_t na, nb;
    unsigned char *a = read_file("a.img", &na), *b = read_file("b.img", &nb);
    check(na == nb && memcmp(a, b, na) == 0, "two builds from different directories are identical",
          NULL);

    img im;
    strbuf err;
    sb_init(&err);
    int ok = img_open(&im, "a.img", &err) == 0;
    check(ok, "the image validates", sb_str(&err));
    if (ok) {
        const img_param *p = img_param_find(&im, "maximal_queue_lifetime");
        check(p && p->kind == IMG_PK_TIME && p->num == 3 * 86400, "time in seconds", NULL);
        p = img_param_find(&im, "message_size_limit");
        check(p && p->kind == IMG_PK_INT && p->num == 10240000, "size in bytes", NULL);
        p = img_param_find(&im, "mydestination");
        check(p && p->kind == IMG_PK_LIST && p->nlist == 2 &&
              strcmp(img_str(&im, img_list_at(&im, p->list, 0)), "mx.example.com") == 0,
              "list split and expanded", NULL);
        const img_service *sub = NULL;
        for (uint32_t i = 0; i < im.nservices; i++)
            if (strcmp(img_str(&im, im.services[i].name), "submission") == 0)
                sub = &im.services[i];
        p = sub ? img_service_param(&im, sub, "smtpd_tls_security_level") : NULL;
        check(p && strcmp(img_str(&im, p->text), "encrypt") == 0 && (p->flags & IMG_PF_OVERRIDE),
              "service override applied", NULL);
        p = sub ? img_service_param(&im, sub, "myhostname") : NULL;
        check(p && strcmp(img_str(&im, p->text), "mx.example.com") == 0,
              "service falls back to the global value", NULL);
        img_close(&im);
    }
    sb_free(&err);
    test_truncation(a, na);
    test_corruption(a, na);
    test_corruption_tables(a, na);
    test_header_messages(a, na);
    test_spill();
    test_atomic();
    free(a);
    free(b);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpl);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpl);
    return failures ? 1 : 0;
}
