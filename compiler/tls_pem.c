/* tls_pem.c: PEM certificates and keys through libcrypto (see tls_pem.h). */
#include "compiler/tls_pem.h"
#include "stdlib/util/alloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

/* Larger than any certificate bundle worth reading. */
#define PEM_MAX_FILE (64u << 20)

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(fp);
        errno = EISDIR;
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap + 1);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            if (cap >= PEM_MAX_FILE)
                break;
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
        }
    }
    int bad = ferror(fp);
    int saved = errno;
    fclose(fp);
    if (bad) {
        free(buf);
        errno = saved ? saved : EIO;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* A passphrase prompt Postfix cannot answer: no passphrase. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf; (void)size; (void)rwflag; (void)u;
    return 0;
}

static int is_key_label(const char *l)
{
    size_t n = strlen(l);
    return n >= 11 && strcmp(l + n - 11, "PRIVATE KEY") == 0;
}

static int is_cert_label(const char *l)
{
    return strcmp(l, "CERTIFICATE") == 0 || strcmp(l, "X509 CERTIFICATE") == 0 ||
           strcmp(l, "TRUSTED CERTIFICATE") == 0;
}

/* One object: bytes [b, e) of the text, from its BEGIN line to the end
 * of its END line. */
static void add_object(pem_list *l, const char *label, const char *b, const char *e)
{
    xgrow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
    pem_obj *o = &l->v[l->n++];
    memset(o, 0, sizeof *o);
    o->label = xstrdup(label);
    o->kind = is_cert_label(label) ? PEM_CERT : is_key_label(label) ? PEM_KEY : PEM_OTHER;
    if (o->kind == PEM_OTHER)
        return;
    if (o->kind == PEM_CERT && l->parse_max && l->parsed >= l->parse_max) {
        o->skipped = 1;
        return;
    }
    BIO *bio = BIO_new_mem_buf(b, (int)(e - b));
    if (!bio)
        return;
    if (o->kind == PEM_CERT) {
        l->parsed++;
        o->cert = strcmp(label, "TRUSTED CERTIFICATE") == 0
                      ? PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL)
                      : PEM_read_bio_X509(bio, NULL, NULL, NULL);
    } else {
        size_t span = (size_t)(e - b);
        o->encrypted = strcmp(label, "ENCRYPTED PRIVATE KEY") == 0 ||
                       memmem(b, span, "Proc-Type: 4,ENCRYPTED", 22) != NULL;
        if (!o->encrypted)
            o->key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    }
    BIO_free(bio);
    ERR_clear_error();
}

int pem_read_file(pem_list *l, const char *fspath)
{
    size_t len;
    char *text = slurp(fspath, &len);
    if (!text)
        return -1;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *b = memmem(p, (size_t)(end - p), "-----BEGIN ", 11);
        if (!b)
            break;
        const char *ls = b + 11;
        const char *le = memmem(ls, (size_t)(end - ls), "-----", 5);
        const char *nl = memchr(ls, '\n', (size_t)(end - ls));
        if (!le || (nl && nl < le))
            break;   /* not a BEGIN line */
        char *label = xstrndup(ls, (size_t)(le - ls));
        char *endmark = xmalloc(strlen(label) + 16);
        sprintf(endmark, "-----END %s-----", label);
        const char *e = memmem(le, (size_t)(end - le), endmark, strlen(endmark));
        if (!e) {
            /* an unterminated object: recorded, it parses as nothing */
            add_object(l, label, b, b);
            free(endmark);
            free(label);
            break;
        }
        e += strlen(endmark);
        add_object(l, label, b, e);
        free(endmark);
        free(label);
        p = e;
    }
    free(text);
    return 0;
}

void pem_list_free(pem_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].label);
        X509_free(l->v[i].cert);
        EVP_PKEY_free(l->v[i].key);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

int pem_key_matches(X509 *cert, EVP_PKEY *key)
{
    int ok = X509_check_private_key(cert, key) == 1;
    ERR_clear_error();
    return ok;
}

int pem_self_signed(X509 *cert)
{
    int ok = X509_self_signed(cert, 1) == 1;
    ERR_clear_error();
    return ok;
}

int pem_verify_chain(X509 *leaf, X509 *const *chain, size_t n, const char *cafile,
                     const char *capath, char *subject, char *issuer, size_t size)
{
    subject[0] = issuer[0] = '\0';
    X509_STORE *store = X509_STORE_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    int err = X509_V_ERR_UNSPECIFIED;
    if (!store || !untrusted || !ctx)
        goto out;
    X509_STORE_set_default_paths(store);
    if (cafile && *cafile)
        X509_STORE_load_file(store, cafile);
    if (capath && *capath)
        X509_STORE_load_path(store, capath);
    ERR_clear_error();
    for (size_t i = 0; i < n; i++)
        if (chain[i])
            sk_X509_push(untrusted, chain[i]);
    if (!X509_STORE_CTX_init(ctx, store, leaf, untrusted))
        goto out;
    /* dates are tls-expiry's; a trusted intermediate is enough of an anchor */
    X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_PARTIAL_CHAIN);
    if (X509_verify_cert(ctx) == 1) {
        err = X509_V_OK;
    } else {
        err = X509_STORE_CTX_get_error(ctx);
        X509 *at = X509_STORE_CTX_get_current_cert(ctx);
        if (at) {
            pem_subject(at, subject, size);
            pem_issuer(at, issuer, size);
        }
    }
out:
    ERR_clear_error();
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted);
    X509_STORE_free(store);
    return err;
}

static void name_text(const X509_NAME *name, char *buf, size_t size)
{
    buf[0] = '\0';
    BIO *b = BIO_new(BIO_s_mem());
    if (!b)
        return;
    X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char *data;
    long len = BIO_get_mem_data(b, &data);
    if (len > 0)
        snprintf(buf, size, "%.*s", (int)len, data);
    BIO_free(b);
}

void pem_subject(X509 *cert, char *buf, size_t size)
{
    name_text(X509_get_subject_name(cert), buf, size);
}

void pem_issuer(X509 *cert, char *buf, size_t size)
{
    name_text(X509_get_issuer_name(cert), buf, size);
}

static int asn1_time(const ASN1_TIME *a, time_t *t)
{
    struct tm tm;
    if (!a || ASN1_TIME_to_tm(a, &tm) != 1)
        return -1;
    *t = timegm(&tm);
    return 0;
}

int pem_not_before(X509 *cert, time_t *t)
{
    return asn1_time(X509_get0_notBefore(cert), t);
}

int pem_not_after(X509 *cert, time_t *t)
{
    return asn1_time(X509_get0_notAfter(cert), t);
}
