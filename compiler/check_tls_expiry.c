/* check_tls_expiry.c: tls-expiry. The certificates a TLS-enabled service
 * presents (its certificate files or chain files, with the issuers in
 * them; compiler/tls_files.h) against today's date: expired, expiring
 * within TLS_EXPIRY_DAYS days, or not valid yet. Files that are not on
 * this machine or do not parse are tls-files' business. */
#include "compiler/checks.h"
#include "compiler/svcparam.h"
#include "compiler/tls_files.h"
#include "compiler/tls_pem.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TLS_EXPIRY_DAYS 30

typedef struct te_state {
    config *c;
    time_t  now;
    tlsf_seen seen;
} te_state;

static void day_text(time_t t, char *buf, size_t size)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%d", &tm);
}

static void check_cert(te_state *t, const tlsf_file *f, loc at, X509 *cert, int leaf)
{
    time_t nb, na;
    if (pem_not_after(cert, &na) < 0 || pem_not_before(cert, &nb) < 0)
        return;
    char subject[512], day[32];
    pem_subject(cert, subject, sizeof subject);
    const char *what = leaf ? "certificate" : "issuer certificate";
    if (na < t->now) {
        day_text(na, day, sizeof day);
        diag *g = diag_add(&t->c->d, DIAG_TLS_EXPIRY, at, "%s: the %s \"%s\" in %s expired on %s",
                           f->param, what, subject, f->path, day);
        diag_hint(g, leaf ? "renew the certificate and install it with its key; peers that "
                            "verify certificates refuse this one"
                          : "install the issuer certificates the CA currently delivers with "
                            "the certificate");
    } else if (na - t->now < (time_t)TLS_EXPIRY_DAYS * 86400) {
        day_text(na, day, sizeof day);
        long days = (long)((na - t->now) / 86400);
        diag *g = diag_add(&t->c->d, DIAG_TLS_EXPIRY, at,
                           "%s: the %s \"%s\" in %s expires on %s (in %ld day%s)", f->param, what,
                           subject, f->path, day, days, days == 1 ? "" : "s");
        diag_hint(g, "renew it now; check that the renewal job reloads Postfix (postfix reload)");
    } else if (nb > t->now) {
        day_text(nb, day, sizeof day);
        diag *g = diag_add(&t->c->d, DIAG_TLS_EXPIRY, at,
                           "%s: the %s \"%s\" in %s is not valid before %s", f->param, what,
                           subject, f->path, day);
        diag_hint(g, "check this machine's clock, or wait with the switch to this certificate");
    }
}

static void check_file(te_state *t, const tlsf_file *f)
{
    if (!tlsf_first(&t->seen, f))
        return;
    char *fs;
    pem_list l = { 0 };
    if (tlsf_resolve(t->c, f->path, &fs) == TLSF_HERE && pem_read_file(&l, fs) == 0) {
        loc at = svp_word_loc(t->c, f->at, f->path);
        int leaf = 1;   /* a certificate after a key, or the first of a file */
        for (size_t i = 0; i < l.n; i++) {
            if (l.v[i].kind == PEM_KEY)
                leaf = 1;
            if (l.v[i].kind != PEM_CERT || !l.v[i].cert)
                continue;
            check_cert(t, f, at, l.v[i].cert, leaf);
            leaf = 0;
        }
    }
    free(fs);
    pem_list_free(&l);
}

static void check_set(void *ctx, const tlsf_set *s)
{
    for (size_t i = 0; i < s->nfiles; i++)
        if (s->files[i].kind == TLSF_CERT || s->files[i].kind == TLSF_CHAIN)
            check_file(ctx, &s->files[i]);
}

void check_tls_expiry(config *c)
{
    te_state t = { c, time(NULL), { 0 } };
    tlsf_each(c, check_set, &t);
    tlsf_seen_free(&t.seen);
}
