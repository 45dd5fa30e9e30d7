/* test_tls_pem.c: the certificate helpers (compiler/tls_pem.h) and the
 * tls-files / tls-expiry checks on certificates made here with libcrypto,
 * with validity periods relative to now, so no case goes stale. */
#include "compiler/checks.h"
#include "compiler/tls_pem.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

static int failures;
static char dir[] = "/tmp/test_tls_pem.XXXXXX";

static void expect(int ok, const char *name)
{
    printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    failures += !ok;
}

static EVP_PKEY *new_key(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    if (!k)
        fatal("EVP_EC_gen failed");
    return k;
}

/* A certificate for cn, valid from now+from to now+to seconds, signed by
 * issuer_key as issuer (NULL: self-signed); ca marks a CA. */
static X509 *new_cert(const char *cn, EVP_PKEY *key, long from, long to, X509 *issuer,
                      EVP_PKEY *issuer_key, int ca)
{
    static long serial = 1;
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_gmtime_adj(X509_getm_notBefore(x), from);
    X509_gmtime_adj(X509_getm_notAfter(x), to);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
    X509_set_pubkey(x, key);
    if (ca) {
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
        X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
                                                "critical,CA:TRUE");
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
    X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256());
    return x;
}

static char *path_of(const char *name)
{
    char *p = xmalloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

/* Write a file of keys and certificates, in the order given (NULL ends). */
static void write_pem(const char *name, EVP_PKEY *key, X509 *c1, X509 *c2)
{
    char *p = path_of(name);
    FILE *fp = fopen(p, "w");
    if (!fp)
        fatal("cannot write %s", p);
    if (key)
        PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL);
    if (c1)
        PEM_write_X509(fp, c1);
    if (c2)
        PEM_write_X509(fp, c2);
    fclose(fp);
    free(p);
}

static void write_text(const char *name, const char *text)
{
    char *p = path_of(name);
    FILE *fp = fopen(p, "w");
    if (!fp)
        fatal("cannot write %s", p);
    fputs(text, fp);
    fclose(fp);
    free(p);
}

/* Run one check on a main.cf; count its diagnostics of id whose message
 * contains want (NULL: any). */
static int run(void (*check)(config *), const char *main_cf, diag_id id, const char *want)
{
    write_text("main.cf", main_cf);
    config c;
    config_opts o = { 0 };
    o.dir = dir;
    config_load(&c, &o);
    check(&c);
    int n = 0;
    for (size_t i = 0; i < c.d.n; i++)
        if (c.d.v[i].id == id && (!want || strstr(c.d.v[i].msg, want)))
            n++;
    if (getenv("TEST_VERBOSE"))
        for (size_t i = 0; i < c.d.n; i++)
            fprintf(stderr, "  %s\n", c.d.v[i].msg);
    config_free(&c);
    return n;
}

static void day(time_t t, char *buf, size_t size)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%d", &tm);
}

int main(void)
{
    if (!mkdtemp(dir))
        fatal("mkdtemp failed");
    const long D = 86400;
    EVP_PKEY *root_k = new_key(), *int_k = new_key(), *leaf_k = new_key(), *other_k = new_key();
    X509 *root = new_cert("Unit Root", root_k, -D, 3650 * D, NULL, NULL, 1);
    X509 *inter = new_cert("Unit Intermediate", int_k, -D, 3000 * D, root, root_k, 1);
    X509 *leaf = new_cert("mail.example.com", leaf_k, -D, 400 * D, inter, int_k, 0);

    /* reading */
    write_pem("chain.pem", leaf_k, leaf, inter);
    pem_list l = { 0 };
    char *p = path_of("chain.pem");
    int r = pem_read_file(&l, p);
    free(p);
    expect(r == 0 && l.n == 3 && l.v[0].kind == PEM_KEY && l.v[0].key &&
               l.v[1].kind == PEM_CERT && l.v[1].cert && l.v[2].kind == PEM_CERT,
           "pem_read_file key, certificate, issuer in order");
    expect(pem_key_matches(l.v[1].cert, l.v[0].key), "key matches its certificate");
    expect(!pem_key_matches(l.v[2].cert, l.v[0].key), "key does not match the issuer");
    pem_list_free(&l);
    p = path_of("nosuch.pem");
    expect(pem_read_file(&l, p) < 0, "pem_read_file fails on a missing file");
    free(p);
    expect(pem_read_file(&l, dir) < 0, "pem_read_file fails on a directory");

    /* chains */
    write_pem("root.pem", NULL, root, NULL);
    char *rootp = path_of("root.pem");
    char subj[256], iss[256];
    expect(pem_self_signed(root) && !pem_self_signed(leaf), "pem_self_signed");
    expect(pem_verify_chain(leaf, &inter, 1, rootp, NULL, subj, iss, sizeof subj) == X509_V_OK,
           "chain verifies against its root");
    int e = pem_verify_chain(leaf, NULL, 0, rootp, NULL, subj, iss, sizeof subj);
    expect(e != X509_V_OK && strstr(iss, "Unit Intermediate") != NULL,
           "chain without the intermediate names the missing issuer");
    e = pem_verify_chain(leaf, &inter, 1, NULL, NULL, subj, iss, sizeof subj);
    expect(e != X509_V_OK && strstr(iss, "Unit Root") != NULL,
           "chain of an unknown root does not verify");
    free(rootp);

    /* tls-files */
    write_pem("leaf.key", leaf_k, NULL, NULL);
    write_pem("other.key", other_k, NULL, NULL);
    write_pem("full.pem", NULL, leaf, inter);
    const char *head = "compatibility_level = 3.6\nsmtpd_tls_security_level = may\n"
                       "smtpd_tls_CAfile = /etc/postfix/root.pem\n";
    char cf[1024];
    snprintf(cf, sizeof cf, "%ssmtpd_tls_cert_file = /etc/postfix/full.pem\n"
             "smtpd_tls_key_file = /etc/postfix/leaf.key\n", head);
    expect(run(check_tls_files, cf, DIAG_TLS_FILES, NULL) == 0, "tls-files: right pair silent");
    snprintf(cf, sizeof cf, "%ssmtpd_tls_cert_file = /etc/postfix/full.pem\n"
             "smtpd_tls_key_file = /etc/postfix/other.key\n", head);
    expect(run(check_tls_files, cf, DIAG_TLS_FILES, "does not belong") == 1,
           "tls-files: wrong key");
    snprintf(cf, sizeof cf, "%ssmtpd_tls_chain_files = /etc/postfix/chain.pem\n", head);
    expect(run(check_tls_files, cf, DIAG_TLS_FILES, NULL) == 0, "tls-files: chain file silent");
    snprintf(cf, sizeof cf, "%ssmtpd_tls_chain_files = /etc/postfix/full.pem\n", head);
    expect(run(check_tls_files, cf, DIAG_TLS_FILES, "starts with a certificate") == 1,
           "tls-files: chain file without its key first");
    snprintf(cf, sizeof cf, "%ssmtpd_tls_security_level = none\n"
             "smtpd_tls_cert_file = /etc/postfix/nosuch.pem\n", head);
    expect(run(check_tls_files, cf, DIAG_TLS_FILES, NULL) == 0,
           "tls-files: files of a service without TLS are not checked");

    /* tls-expiry: dates relative to now */
    time_t now = time(NULL);
    struct {
        const char *name;
        long from, to;
        const char *want;   /* NULL: silent */
        time_t when;
    } cases[] = {
        { "expired", -100 * D, -2 * D, "expired on", now - 2 * D },
        { "soon", -100 * D, 5 * D, "expires on", now + 5 * D },
        { "later", -100 * D, 45 * D, NULL, 0 },
        { "future", 3 * D, 400 * D, "not valid before", now + 3 * D },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        EVP_PKEY *k = new_key();
        X509 *x = new_cert(cases[i].name, k, cases[i].from, cases[i].to, NULL, NULL, 0);
        write_pem("x.pem", k, x, NULL);
        snprintf(cf, sizeof cf, "%ssmtpd_tls_cert_file = /etc/postfix/x.pem\n", head);
        char name[96];
        snprintf(name, sizeof name, "tls-expiry: %s", cases[i].name);
        if (!cases[i].want) {
            expect(run(check_tls_expiry, cf, DIAG_TLS_EXPIRY, NULL) == 0, name);
        } else {
            char d[32], want[64];
            day(cases[i].when, d, sizeof d);
            snprintf(want, sizeof want, "%s", d);
            int both = run(check_tls_expiry, cf, DIAG_TLS_EXPIRY, want) == 1 &&
                       run(check_tls_expiry, cf, DIAG_TLS_EXPIRY, cases[i].want) == 1;
            expect(both, name);
        }
        X509_free(x);
        EVP_PKEY_free(k);
    }

    X509_free(leaf);
    X509_free(inter);
    X509_free(root);
    EVP_PKEY_free(root_k);
    EVP_PKEY_free(int_k);
    EVP_PKEY_free(leaf_k);
    EVP_PKEY_free(other_k);
    static const char *const made[] = { "chain.pem", "root.pem", "leaf.key", "other.key",
                                        "full.pem", "x.pem", "main.cf" };
    for (size_t i = 0; i < sizeof made / sizeof *made; i++) {
        char *f = path_of(made[i]);
        unlink(f);
        free(f);
    }
    rmdir(dir);
    return failures ? 1 : 0;
}
