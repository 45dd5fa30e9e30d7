/* tls_pem.h: certificates and private keys in PEM files, read with
 * OpenSSL's libcrypto: every PEM object of a file in order (Postfix's
 * chain files are sequences "key, certificate, issuers, key, ..."), a
 * key against its certificate, a chain against trust anchors, and the
 * validity dates. Used by the tls-files and tls-expiry checks. */
#ifndef COMPILER_TLS_PEM_H
#define COMPILER_TLS_PEM_H
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <time.h>

typedef enum pem_kind { PEM_CERT, PEM_KEY, PEM_OTHER } pem_kind;

typedef struct pem_obj {
    pem_kind  kind;
    char     *label;      /* "CERTIFICATE", "PRIVATE KEY", "EC PARAMETERS", ... */
    X509     *cert;       /* PEM_CERT: NULL when it does not parse */
    EVP_PKEY *key;        /* PEM_KEY: NULL when it does not parse or is encrypted */
    int       encrypted;  /* PEM_KEY protected by a passphrase */
    int       skipped;    /* PEM_CERT past pem_list.parse_max: not parsed */
} pem_obj;

typedef struct pem_list {
    pem_obj *v;
    size_t   n, cap;
    size_t   parse_max;   /* certificates parsed at most (0: all); a system CA
                             bundle holds ~150, and OpenSSL 3 takes ~0.2 ms each */
    size_t   parsed;
} pem_list;

/* Append every PEM object of the file to l. Returns 0, or -1 with errno
 * set when the file cannot be read (EISDIR for a directory). */
int  pem_read_file(pem_list *l, const char *fspath);
void pem_list_free(pem_list *l);

/* Does the private key belong to the certificate? */
int  pem_key_matches(X509 *cert, EVP_PKEY *key);
/* Is the certificate signed by its own key? */
int  pem_self_signed(X509 *cert);

/* Verify leaf, with the untrusted issuers chain[0..n) from its file,
 * against the certificates of cafile and capath (either may be NULL) and
 * this machine's default trust store. Validity dates are not checked
 * (tls-expiry does that). Returns X509_V_OK or OpenSSL's error code;
 * on error, subject and issuer describe the certificate where
 * verification stopped ("CN=R3,O=Let's Encrypt,C=US" style; each buffer
 * of size bytes). */
int  pem_verify_chain(X509 *leaf, X509 *const *chain, size_t n, const char *cafile,
                      const char *capath, char *subject, char *issuer, size_t size);

/* The subject or issuer as one line of text. */
void pem_subject(X509 *cert, char *buf, size_t size);
void pem_issuer(X509 *cert, char *buf, size_t size);
/* notBefore / notAfter as time_t; 0 on success, -1 when unreadable. */
int  pem_not_before(X509 *cert, time_t *t);
int  pem_not_after(X509 *cert, time_t *t);

#endif
