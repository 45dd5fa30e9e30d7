/* check_tls_files.c: tls-files. Every certificate, key and CA file that
 * a TLS-enabled service loads (compiler/tls_files.h) must be there and
 * readable and hold what its parameter says: PEM certificates; a private
 * key without a passphrase (Postfix cannot ask for one); for chain files
 * the sequence key, certificate, issuers. The key must belong to its
 * certificate, and a certificate that is not self-signed must chain,
 * with the issuers in its file, to the configured CAfile/CApath or to
 * this machine's trust store (what remote peers will check it against).
 * Self-signed certificates are not chain-checked: opportunistic TLS
 * needs nothing more. Files that live on the mail host, not here, are
 * named in one note. */
#include "compiler/checks.h"
#include "compiler/svcparam.h"
#include "compiler/tls_files.h"
#include "compiler/tls_pem.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/x509_vfy.h>

typedef struct tf_state {
    config  *c;
    tlsf_seen seen;
    int      copied;        /* the directory holds TLS files named under /etc/postfix/ */
    char   **away;           /* paths not on this machine */
    loc      away_at[DIAG_MAX_NOTES + 1];
    size_t   naway, capaway;
} tf_state;

static void note_away(tf_state *t, const char *path, loc at)
{
    for (size_t i = 0; i < t->naway; i++)
        if (strcmp(t->away[i], path) == 0)
            return;
    if (t->naway < sizeof t->away_at / sizeof *t->away_at)
        t->away_at[t->naway] = at;
    xgrow(&t->away, &t->capaway, t->naway + 1, sizeof *t->away);
    t->away[t->naway++] = xstrdup(path);
}

/* A file as read for one check. */
typedef struct tf_file {
    const tlsf_file *f;
    loc              at;        /* the file's name where it is written */
    char            *fs;        /* where mtacc read it */
    int              ok;        /* read (objs valid) */
    pem_list         objs;
} tf_file;

static void tf_release(tf_file *x)
{
    free(x->fs);
    pem_list_free(&x->objs);
}

/* Resolve and read a PEM file; reports a missing or unreadable file. */
static void tf_open(tf_state *t, const tlsf_file *f, int report, tf_file *x)
{
    memset(x, 0, sizeof *x);
    /* a CA file is often the system's whole bundle: the first ones tell
     * whether it is a file of certificates */
    if (f->kind == TLSF_CAFILE)
        x->objs.parse_max = 8;
    x->f = f;
    x->at = svp_word_loc(t->c, f->at, f->path);
    tlsf_status st = tlsf_resolve(t->c, f->path, &x->fs);
    if (st == TLSF_NOT_COPIED)
        st = t->copied ? TLSF_MISSING : TLSF_ELSEWHERE;
    if (st == TLSF_ELSEWHERE) {
        if (report)
            note_away(t, f->path, x->at);
        return;
    }
    if (st == TLSF_MISSING) {
        if (report) {
            diag *g = diag_add(&t->c->d, DIAG_TLS_FILES, x->at, "%s: %s does not exist", f->param,
                               f->path);
            if (strcmp(x->fs, f->path) != 0)
                diag_note_add(g, LOC_NONE, "looked for as %s", x->fs);
            diag_hint(g, "fix the path, or install the file before Postfix starts");
        }
        return;
    }
    if (pem_read_file(&x->objs, x->fs) < 0) {
        int e = errno;
        if (e == EACCES && geteuid() != 0) {
            /* Postfix reads it as root: this user cannot tell */
            if (report)
                note_away(t, f->path, x->at);
            return;
        }
        if (report) {
            diag *g = diag_add(&t->c->d, DIAG_TLS_FILES, x->at, "%s: cannot read %s: %s", f->param,
                               f->path, strerror(e));
            diag_hint(g, e == EISDIR ? "name the PEM file, not its directory"
                                     : "make the file readable by root");
        }
        return;
    }
    x->ok = 1;
}

static size_t count_kind(const pem_list *l, pem_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += l->v[i].kind == k;
    return n;
}

/* The first object of kind k, or NULL. */
static pem_obj *first_of(const pem_list *l, pem_kind k)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].kind == k)
            return &l->v[i];
    return NULL;
}

/* Report a certificate that does not parse; 1 if one was found. */
static int bad_certs(tf_state *t, const tf_file *x, const pem_list *l)
{
    for (size_t i = 0, n = 0; i < l->n; i++) {
        if (l->v[i].kind != PEM_CERT)
            continue;
        n++;
        if (l->v[i].cert || l->v[i].skipped)
            continue;
        diag *g = diag_add(&t->c->d, DIAG_TLS_FILES, x->at,
                           "%s: certificate %zu in %s is not a valid PEM certificate",
                           x->f->param, n, x->f->path);
        diag_hint(g, "replace it with the certificate as the CA issued it (openssl x509 -in FILE "
                  "-noout shows what OpenSSL reads)");
        return 1;
    }
    return 0;
}

/* Report a private key Postfix cannot load; 1 if so. */
static int bad_key(tf_state *t, const tf_file *x, const pem_obj *k)
{
    if (k->encrypted) {
        diag *g = diag_add(&t->c->d, DIAG_TLS_FILES, x->at,
                           "%s: the private key in %s is protected by a passphrase", x->f->param,
                           x->f->path);
        diag_hint(g, "Postfix cannot ask for a passphrase: store the key decrypted "
                  "(openssl pkey -in KEY -out KEY.plain) and readable by root only");
        return 1;
    }
    if (!k->key) {
        diag *g = diag_add(&t->c->d, DIAG_TLS_FILES, x->at,
                           "%s: the private key in %s is not a valid PEM key", x->f->param,
                           x->f->path);
        diag_hint(g, "replace it with the key the certificate was issued for");
        return 1;
    }
    return 0;
}

/* The CAfile and CApath of a set, as mtacc can use them: NULL when there
 * is none or it is not on this machine (*unknown set then: a chain that
 * fails may be completed by it on the mail host). */
static void trust_of(tf_state *t, const tlsf_set *s, char **cafile, char **capath, int *unknown)
{
    *cafile = *capath = NULL;
    *unknown = 0;
    for (size_t i = 0; i < s->nfiles; i++) {
        const tlsf_file *f = &s->files[i];
        if (f->kind != TLSF_CAFILE && f->kind != TLSF_CAPATH)
            continue;
        char *fs;
        if (tlsf_resolve(t->c, f->path, &fs) != TLSF_HERE || access(fs, R_OK) != 0) {
            *unknown = 1;
            free(fs);
            continue;
        }
        if (f->kind == TLSF_CAFILE)
            *cafile = fs;
        else
            *capath = fs;
    }
}

static void check_chain(tf_state *t, const tlsf_set *s, const tf_file *x, X509 *leaf,
                        X509 *const *issuers, size_t n)
{
    if (pem_self_signed(leaf))
        return;
    char *cafile, *capath;
    int unknown;
    trust_of(t, s, &cafile, &capath, &unknown);
    char subject[512], issuer[512];
    int err = pem_verify_chain(leaf, issuers, n, cafile, capath, subject, issuer, sizeof subject);
    free(cafile);
    free(capath);
    if (err == X509_V_OK || err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN)
        return;   /* a private root shipped in the file is a deliberate choice */
    char ca[64];
    snprintf(ca, sizeof ca, "%s_tls_CAfile", s->side);
    if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
        err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT) {
        if (unknown)
            return;   /* the CA file on the mail host may complete it */
        char leafname[512];
        pem_subject(leaf, leafname, sizeof leafname);
        int at_leaf = strcmp(leafname, subject) == 0;
        diag *g = diag_add(&t->c->d, DIAG_TLS_FILES, x->at,
                           "%s: the certificate chain in %s does not verify: the issuer \"%s\" of "
                           "\"%s\" is neither in the file, nor in %s, nor trusted on this machine",
                           x->f->param, x->f->path, issuer, subject, ca);
        if (at_leaf)
            diag_hint(g, "append the intermediate CA certificates to the file, after the "
                      "certificate (with Let's Encrypt: fullchain.pem, not cert.pem)");
        else
            diag_hint(g, "for a private CA, put its root certificate into %s; otherwise "
                      "install the issuer certificates the CA delivered with the certificate",
                      ca);
        return;
    }
    diag *g = diag_add(&t->c->d, DIAG_TLS_FILES, x->at,
                       "%s: the certificate chain in %s does not verify: %s (at \"%s\")",
                       x->f->param, x->f->path, X509_verify_cert_error_string(err), subject);
    diag_hint(g, "reinstall the certificate and its issuers as the CA delivered them");
}

/* A certificate file and its key file (the same file when the key is in it). */
static void check_pair(tf_state *t, const tlsf_set *s, const tlsf_file *cf, const tlsf_file *kf)
{
    int rc = tlsf_first(&t->seen, cf), rk = tlsf_first(&t->seen, kf);
    if (!rc && !rk)
        return;
    tf_file c, k;
    tf_open(t, cf, rc, &c);
    int same = strcmp(cf->path, kf->path) == 0;
    tf_open(t, kf, rk && !same, &k);
    pem_obj *cert = NULL, *key = NULL;
    if (c.ok && rc && !bad_certs(t, &c, &c.objs)) {
        cert = first_of(&c.objs, PEM_CERT);
        if (!cert) {
            diag *g = diag_add(&t->c->d, DIAG_TLS_FILES, c.at,
                               "%s: %s holds no PEM certificate", cf->param, cf->path);
            diag_hint(g, "name the file with the certificate (\"-----BEGIN CERTIFICATE-----\")");
        }
    }
    if (k.ok && rk) {
        key = first_of(&k.objs, PEM_KEY);
        if (!key) {
            diag *g = diag_add(&t->c->d, DIAG_TLS_FILES, k.at, "%s: %s holds no private key",
                               kf->param, kf->path);
            diag_hint(g, "name the file with the private key (\"-----BEGIN PRIVATE KEY-----\"), "
                      "or put the key into %s", cf->path);
        } else if (bad_key(t, &k, key)) {
            key = NULL;
        }
    }
    if (cert && key && !pem_key_matches(cert->cert, key->key)) {
        diag *g = diag_add(&t->c->d, DIAG_TLS_FILES, k.at,
                           "%s: the private key in %s does not belong to the certificate in %s",
                           kf->param, kf->path, cf->path);
        if (!same && c.at.file >= 0)
            diag_note_add(g, c.at, "the certificate (%s)", cf->param);
        diag_hint(g, "install the key the certificate was issued for; a renewed certificate "
                  "needs its new key too");
    }
    if (cert) {
        X509 *issuers[16];
        size_t n = 0;
        for (size_t i = 0; i < c.objs.n && n < 16; i++)
            if (c.objs.v[i].kind == PEM_CERT && &c.objs.v[i] != cert)
                issuers[n++] = c.objs.v[i].cert;
        check_chain(t, s, &c, cert->cert, issuers, n);
    }
    tf_release(&c);
    tf_release(&k);
}

/* smtpd_tls_chain_files: the files concatenated are key, certificate,
 * issuers, key, certificate, ... */
static void check_chain_files(tf_state *t, const tlsf_set *s, size_t from, size_t to)
{
    int report = 0;
    for (size_t i = from; i < to; i++)
        report |= tlsf_first(&t->seen, &s->files[i]);
    if (!report)
        return;
    tf_file *x = xcalloc(to - from, sizeof *x);
    int all = 1;
    for (size_t i = from; i < to; i++) {
        tf_open(t, &s->files[i], 1, &x[i - from]);
        all &= x[i - from].ok;
    }
    for (size_t i = 0; all && i < to - from; i++)
        if (bad_certs(t, &x[i], &x[i].objs))
            all = 0;
    /* walk the concatenation */
    const tf_file *kfile = NULL;
    pem_obj *key = NULL;
    int keys = 0;
    for (size_t i = 0; all && i < to - from; i++) {
        for (size_t o = 0; all && o < x[i].objs.n; o++) {
            pem_obj *ob = &x[i].objs.v[o];
            if (ob->kind == PEM_KEY) {
                if (key) {
                    diag *g = diag_add(&t->c->d, DIAG_TLS_FILES, kfile->at,
                                       "%s: the private key in %s is not followed by its "
                                       "certificate", kfile->f->param, kfile->f->path);
                    diag_hint(g, "each key must come immediately before its certificate and "
                              "issuers");
                    all = 0;
                    break;
                }
                if (bad_key(t, &x[i], ob)) {
                    all = 0;
                    break;
                }
                key = ob;
                kfile = &x[i];
                keys++;
            } else if (ob->kind == PEM_CERT) {
                if (!key) {
                    if (keys)
                        continue;   /* an issuer of the previous certificate */
                    diag *g = diag_add(&t->c->d, DIAG_TLS_FILES, x[i].at,
                                       "%s: %s starts with a certificate, not with its private "
                                       "key", x[i].f->param, x[i].f->path);
                    diag_hint(g, "put the private key first, then the certificate, then its "
                              "issuers");
                    all = 0;
                    break;
                }
                if (!pem_key_matches(ob->cert, key->key)) {
                    diag *g = diag_add(&t->c->d, DIAG_TLS_FILES, x[i].at,
                                       "%s: the certificate in %s does not belong to the private "
                                       "key before it (in %s)", x[i].f->param, x[i].f->path,
                                       kfile->f->path);
                    diag_hint(g, "install the key the certificate was issued for");
                } else {
                    /* its issuers: the certificates up to the next key */
                    X509 *issuers[16];
                    size_t n = 0;
                    for (size_t fi = i, oi = o + 1; fi < to - from; fi++, oi = 0)
                        for (; oi < x[fi].objs.n && n < 16; oi++) {
                            if (x[fi].objs.v[oi].kind == PEM_KEY)
                                goto done;
                            if (x[fi].objs.v[oi].kind == PEM_CERT)
                                issuers[n++] = x[fi].objs.v[oi].cert;
                        }
                done:
                    check_chain(t, s, &x[i], ob->cert, issuers, n);
                }
                key = NULL;
            }
        }
    }
    if (all && key) {
        diag *g = diag_add(&t->c->d, DIAG_TLS_FILES, kfile->at,
                           "%s: the private key in %s is not followed by its certificate",
                           kfile->f->param, kfile->f->path);
        diag_hint(g, "each key must come immediately before its certificate and issuers");
    } else if (all && !keys) {
        diag *g = diag_add(&t->c->d, DIAG_TLS_FILES, x[0].at, "%s: no private key in %s",
                           x[0].f->param, x[0].f->path);
        diag_hint(g, "each file holds a private key followed by its certificate and issuers");
    }
    for (size_t i = 0; i < to - from; i++)
        tf_release(&x[i]);
    free(x);
}

static void check_ca(tf_state *t, const tlsf_file *f)
{
    if (!tlsf_first(&t->seen, f))
        return;
    if (f->kind == TLSF_CAPATH) {
        loc at = svp_word_loc(t->c, f->at, f->path);
        char *fs;
        tlsf_status st = tlsf_resolve(t->c, f->path, &fs);
        if (st == TLSF_NOT_COPIED)
            st = t->copied ? TLSF_MISSING : TLSF_ELSEWHERE;
        struct stat sb;
        if (st == TLSF_ELSEWHERE)
            note_away(t, f->path, at);
        else if (st == TLSF_MISSING || stat(fs, &sb) != 0) {
            diag *g = diag_add(&t->c->d, DIAG_TLS_FILES, at, "%s: %s does not exist", f->param,
                               f->path);
            diag_hint(g, "fix the path, or leave %s empty", f->param);
        } else if (!S_ISDIR(sb.st_mode)) {
            diag *g = diag_add(&t->c->d, DIAG_TLS_FILES, at, "%s: %s is not a directory",
                               f->param, f->path);
            diag_hint(g, "a file of CA certificates belongs in the CAfile parameter");
        }
        free(fs);
        return;
    }
    tf_file x;
    tf_open(t, f, 1, &x);
    if (x.ok && !bad_certs(t, &x, &x.objs) && count_kind(&x.objs, PEM_CERT) == 0) {
        diag *g = diag_add(&t->c->d, DIAG_TLS_FILES, x.at, "%s: %s holds no PEM certificate",
                           f->param, f->path);
        diag_hint(g, "name a file of trusted CA certificates in PEM form");
    }
    tf_release(&x);
}

static void check_set(void *ctx, const tlsf_set *s)
{
    tf_state *t = ctx;
    size_t i = 0;
    while (i < s->nfiles) {
        const tlsf_file *f = &s->files[i];
        if (f->kind == TLSF_CERT && i + 1 < s->nfiles && s->files[i + 1].kind == TLSF_KEY) {
            check_pair(t, s, f, &s->files[i + 1]);
            i += 2;
        } else if (f->kind == TLSF_CHAIN) {
            size_t e = i;
            while (e < s->nfiles && s->files[e].kind == TLSF_CHAIN)
                e++;
            check_chain_files(t, s, i, e);
            i = e;
        } else {
            if (f->kind == TLSF_CAFILE || f->kind == TLSF_CAPATH)
                check_ca(t, f);
            i++;
        }
    }
}

/* One note for the files that live on the mail host. */
static void report_away(tf_state *t)
{
    if (!t->naway)
        return;
    strbuf list;
    sb_init(&list);
    for (size_t i = 0; i < t->naway && i < 4; i++)
        sb_addf(&list, "%s%s", i ? ", " : "", t->away[i]);
    if (t->naway > 4)
        sb_addf(&list, " and %zu more", t->naway - 4);
    diag *g = diag_add_sev(&t->c->d, DIAG_TLS_FILES, SEV_NOTE, t->away_at[0],
                           "%zu TLS file%s not on this machine and not checked: %s", t->naway,
                           t->naway == 1 ? " is" : "s are", sb_str(&list));
    for (size_t i = 1; i < t->naway && i < sizeof t->away_at / sizeof *t->away_at; i++)
        if (t->away_at[i].file >= 0)
            diag_note_add(g, t->away_at[i], "also named here");
    diag_hint(g, "run mtacc check on the mail host (-c /etc/postfix), or copy the files into "
              "the checked directory (names under /etc/postfix/ are read from there)");
    sb_free(&list);
}

/* Does the checked directory hold a TLS file named under /etc/postfix/? */
static void find_copied(void *ctx, const tlsf_set *s)
{
    tf_state *t = ctx;
    for (size_t i = 0; i < s->nfiles && !t->copied; i++) {
        char *fs;
        if (tlsf_resolve(t->c, s->files[i].path, &fs) == TLSF_HERE &&
            strcmp(fs, s->files[i].path) != 0 && s->files[i].path[0] == '/')
            t->copied = 1;
        free(fs);
    }
}

void check_tls_files(config *c)
{
    tf_state t;
    memset(&t, 0, sizeof t);
    t.c = c;
    tlsf_each(c, find_copied, &t);
    tlsf_each(c, check_set, &t);
    report_away(&t);
    tlsf_seen_free(&t.seen);
    for (size_t i = 0; i < t.naway; i++)
        free(t.away[i]);
    free(t.away);
}
