/* cmd_test.c: `mtacc test`: policy tests an administrator keeps next to
 * the configuration (doc/mtacc-test.5). Each test is an SMTP session
 * (client, helo, sender, recipients) with the replies it must get; the
 * sessions run through the policy engine, as `mtacc simulate` runs them.
 * Failures are printed with file:line and the trace; the last line says
 * "N passed, N failed". Exit 0 all passed, 1 a test failed, 2 a usage,
 * file or syntax problem. */
#include "compiler/cmd.h"
#include "compiler/sim.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char test_usage[] =
    "usage: mtacc test (-c DIR | -i IMAGE) [--dns FILE]... FILE...\n"
    "  -c DIR       compile the configuration in DIR (nothing is written)\n"
    "  -i IMAGE     use a policy image built by mtacc build\n"
    "  --dns FILE   answer DNS queries from this zone file (also \"dns FILE\" in a test file)\n"
    "  FILE         policy test files (format: man mtacc-test.5)\n";

/* What a test expects of one reply. */
typedef struct expectation {
    int      code;
    char    *text;       /* NULL: any text */
    char    *decided;    /* "file:line", NULL: any */
    unsigned line;       /* where the expectation is written */
} expectation;

typedef enum step_kind {
    STEP_CONNECT, STEP_HELO, STEP_MAIL, STEP_RCPT, STEP_DATA, STEP_EOD, STEP_RSET, STEP_ETRN,
} step_kind;

typedef struct step {
    step_kind    kind;
    char        *arg;    /* helo name, sender, recipient, ETRN domain */
    unsigned     line;   /* where the command is written */
    expectation *ex;
    size_t       nex;
} step;

typedef struct test {
    char    *name;
    unsigned line;
    char    *service, *client, *client_name, *sasl, *ccert;
    char   **policy;
    size_t   npolicy;
    char   **verify;      /* "address=ok|bounce[:reason]|defer" */
    size_t   nverify;
    step    *steps;
    size_t   nsteps, capsteps;
} test;

typedef struct test_file {
    const char *path;
    char      **dns;      /* zone files named in the file */
    size_t      ndns;
    test       *v;
    size_t      n, cap;
} test_file;

static void test_free(test *t)
{
    free(t->name);
    free(t->service);
    free(t->client);
    free(t->client_name);
    free(t->sasl);
    free(t->ccert);
    for (size_t i = 0; i < t->npolicy; i++)
        free(t->policy[i]);
    free(t->policy);
    for (size_t i = 0; i < t->nverify; i++)
        free(t->verify[i]);
    free(t->verify);
    for (size_t i = 0; i < t->nsteps; i++) {
        free(t->steps[i].arg);
        for (size_t k = 0; k < t->steps[i].nex; k++) {
            free(t->steps[i].ex[k].text);
            free(t->steps[i].ex[k].decided);
        }
        free(t->steps[i].ex);
    }
    free(t->steps);
}

static step *add_step(test *t, step_kind k, const char *arg, unsigned line)
{
    xgrow(&t->steps, &t->capsteps, t->nsteps + 1, sizeof *t->steps);
    step *s = &t->steps[t->nsteps++];
    memset(s, 0, sizeof *s);
    s->kind = k;
    s->arg = arg ? xstrdup(arg) : NULL;
    s->line = line;
    return s;
}

static int syntax(const char *path, unsigned line, const char *msg, const char *hint)
{
    fprintf(stderr, "%s:%u: %s\n", path, line, msg);
    if (hint)
        fprintf(stderr, "  hint: %s\n", hint);
    return -1;
}

/* Relative zone files are taken from the test file's directory. */
static char *beside(const char *file, const char *name)
{
    const char *slash = strrchr(file, '/');
    if (name[0] == '/' || !slash)
        return xstrdup(name);
    char *p = xmalloc((size_t)(slash - file) + strlen(name) + 2);
    sprintf(p, "%.*s/%s", (int)(slash - file), file, name);
    return p;
}

static int parse_file(test_file *f)
{
    FILE *fp = fopen(f->path, "r");
    if (!fp) {
        fprintf(stderr, "mtacc test: cannot open %s\n", f->path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    unsigned lineno = 0;
    test *t = NULL;
    int r = 0;
    while (r == 0 && getline(&line, &cap, fp) >= 0) {
        lineno++;
        char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        size_t n = strlen(p);
        while (n > 0 && isspace((unsigned char)p[n - 1]))
            p[--n] = 0;
        if (!*p || *p == '#')
            continue;
        char *val = p + strcspn(p, " \t");
        if (*val)
            *val++ = 0;
        while (isspace((unsigned char)*val))
            val++;
        if (strcmp(p, "test") == 0) {
            xgrow(&f->v, &f->cap, f->n + 1, sizeof *f->v);
            t = &f->v[f->n++];
            memset(t, 0, sizeof *t);
            t->name = xstrdup(*val ? val : "(unnamed)");
            t->line = lineno;
            continue;
        }
        if (strcmp(p, "dns") == 0 && *val) {
            f->dns = xrealloc(f->dns, (f->ndns + 1) * sizeof *f->dns);
            f->dns[f->ndns++] = beside(f->path, val);
            continue;
        }
        if (!t) {
            r = syntax(f->path, lineno, "a setting before the first \"test NAME\" line",
                       "start each test with \"test NAME\"");
            break;
        }
        int need_val = strcmp(p, "helo") != 0 && strcmp(p, "data") != 0 &&
                       strcmp(p, "end-of-data") != 0 && strcmp(p, "rset") != 0;
        if (need_val && !*val) {
            char msg[128];
            snprintf(msg, sizeof msg, "\"%s\" needs a value", p);
            r = syntax(f->path, lineno, msg, NULL);
            break;
        }
        step *last = t->nsteps ? &t->steps[t->nsteps - 1] : NULL;
        if (strcmp(p, "service") == 0) {
            free(t->service);
            t->service = xstrdup(val);
        } else if (strcmp(p, "client") == 0) {
            free(t->client);
            t->client = xstrdup(val);
            if (!t->nsteps)
                add_step(t, STEP_CONNECT, NULL, lineno);
        } else if (strcmp(p, "client-name") == 0) {
            free(t->client_name);
            t->client_name = xstrdup(val);
        } else if (strcmp(p, "sasl-user") == 0) {
            free(t->sasl);
            t->sasl = xstrdup(val);
        } else if (strcmp(p, "tls-cert-fingerprint") == 0) {
            free(t->ccert);
            t->ccert = xstrdup(val);
        } else if (strcmp(p, "policy") == 0 && strchr(val, '=')) {
            t->policy = xrealloc(t->policy, (t->npolicy + 1) * sizeof *t->policy);
            t->policy[t->npolicy++] = xstrdup(val);
        } else if (strcmp(p, "verify") == 0 && strchr(val, '=')) {
            t->verify = xrealloc(t->verify, (t->nverify + 1) * sizeof *t->verify);
            t->verify[t->nverify++] = xstrdup(val);
        } else if (strcmp(p, "helo") == 0) {
            add_step(t, STEP_HELO, *val ? val : NULL, lineno);
        } else if (strcmp(p, "sender") == 0) {
            add_step(t, STEP_MAIL, strcmp(val, "<>") == 0 ? "" : val, lineno);
        } else if (strcmp(p, "rcpt") == 0) {
            add_step(t, STEP_RCPT, val, lineno);
        } else if (strcmp(p, "data") == 0 || strcmp(p, "end-of-data") == 0 ||
                   strcmp(p, "rset") == 0) {
            if (*val) {
                char msg[128];
                snprintf(msg, sizeof msg, "\"%s\" takes no value", p);
                r = syntax(f->path, lineno, msg, NULL);
                break;
            }
            add_step(t, *p == 'd' ? STEP_DATA : *p == 'e' ? STEP_EOD : STEP_RSET, NULL, lineno);
        } else if (strcmp(p, "etrn") == 0) {
            add_step(t, STEP_ETRN, val, lineno);
        } else if (strcmp(p, "expect") == 0 || strcmp(p, "decided-by") == 0) {
            if (!last) {
                r = syntax(f->path, lineno, "an expectation before any command",
                           "give \"client ADDR\" (and helo, sender, rcpt) first");
                break;
            }
            if (strcmp(p, "decided-by") == 0) {
                if (!last->nex) {
                    r = syntax(f->path, lineno, "\"decided-by\" without an \"expect\" before it", NULL);
                    break;
                }
                free(last->ex[last->nex - 1].decided);
                last->ex[last->nex - 1].decided = xstrdup(val);
                continue;
            }
            char *end;
            long code = strtol(val, &end, 10);
            if (end == val || code < 200 || code > 599 || (*end && !isspace((unsigned char)*end))) {
                r = syntax(f->path, lineno, "\"expect\" needs a reply code (200-599)",
                           "write e.g. \"expect 554 5.7.1 <u@example.net>: Relay access denied\"");
                break;
            }
            while (isspace((unsigned char)*end))
                end++;
            last->ex = xrealloc(last->ex, (last->nex + 1) * sizeof *last->ex);
            expectation *e = &last->ex[last->nex++];
            memset(e, 0, sizeof *e);
            e->code = (int)code;
            e->text = *end ? xstrdup(end) : NULL;
            e->line = lineno;
        } else {
            char msg[200];
            snprintf(msg, sizeof msg, "unknown setting \"%s\"", p);
            r = syntax(f->path, lineno, msg,
                       "settings: test, client, client-name, helo, sender, rcpt, data, "
                       "end-of-data, rset, etrn, sasl-user, "
                       "tls-cert-fingerprint, service, policy, verify, dns, expect, decided-by");
        }
    }
    free(line);
    fclose(fp);
    for (size_t i = 0; r == 0 && i < f->n; i++)
        if (!f->v[i].client)
            r = syntax(f->path, f->v[i].line, "this test has no \"client ADDR\"", NULL);
    return r;
}

static const char *step_name(const step *s, char *buf, size_t n)
{
    switch (s->kind) {
    case STEP_CONNECT: snprintf(buf, n, "CONNECT"); break;
    case STEP_HELO: snprintf(buf, n, "EHLO %s", s->arg ? s->arg : ""); break;
    case STEP_MAIL: snprintf(buf, n, "MAIL FROM:<%s>", s->arg); break;
    case STEP_RCPT: snprintf(buf, n, "RCPT TO:<%s>", s->arg); break;
    case STEP_DATA: snprintf(buf, n, "DATA"); break;
    case STEP_EOD: snprintf(buf, n, "END-OF-DATA"); break;
    case STEP_RSET: snprintf(buf, n, "RSET"); break;
    case STEP_ETRN: snprintf(buf, n, "ETRN %s", s->arg); break;
    }
    return buf;
}

/* "file:line" of the restriction that decided, or "". */
static void decided_at(const img *im, const pol_reply *r, char *buf, size_t n)
{
    const img_insn *x = sim_decided_insn(im, r);
    buf[0] = 0;
    if (x && x->file)
        snprintf(buf, n, "%s:%u", img_str(im, im->files[x->file - 1].path), x->line);
}

/* Run one test; returns 1 when every expectation holds. */
static int run_test(const test_file *f, test *t, const img *im, pol_dns *dns)
{
    const img_service *svc = sim_find_service(im, t->service);
    if (t->service && !svc) {
        printf("%s:%u: test \"%s\": no service \"%s\" in master.cf\n", f->path, t->line, t->name,
               t->service);
        return 0;
    }
    pol_image pi;
    pol_image_init(&pi, im);
    sim_client c = {
        .addr = t->client, .name = t->client_name, .sasl_user = t->sasl,
        .ccert_fingerprint = t->ccert, .policy = (const char *const *)t->policy,
        .npolicy = t->npolicy, .verify = (const char *const *)t->verify, .nverify = t->nverify,
    };
    pol_session s;
    sim_session_start(&s, &pi, svc, dns, &c);
    pol_reply r;
    pol_reply_init(&r);
    int ok = 1, in_data = 0;
    for (size_t i = 0; i < t->nsteps; i++) {
        step *st = &t->steps[i];
        pol_reply_clear(&r);
        sb_clear(&r.trace);
        switch (st->kind) {
        case STEP_CONNECT: pol_connect(&s, &r); break;
        case STEP_HELO:
            s.helo = st->arg;
            s.esmtp = 1;
            pol_helo(&s, &r);
            break;
        case STEP_MAIL:
            s.sender = st->arg;
            pol_mail(&s, &r);
            break;
        case STEP_RCPT: pol_rcpt(&s, st->arg, &r); break;
        case STEP_DATA:
            pol_data(&s, &r);
            in_data = r.code == 354;
            break;
        case STEP_EOD:
            if (!in_data) {
                printf("%s:%u: test \"%s\": END-OF-DATA: no DATA was accepted before it\n",
                       f->path, st->line, t->name);
                ok = 0;
                continue;
            }
            in_data = 0;
            pol_end_of_data(&s, &r);
            if (r.code == 250)
                sb_adds(&r.text, ": queued as QUEUEID");   /* mtad names the queue file */
            pol_rset(&s);   /* the transaction ends with the message */
            break;
        case STEP_RSET:
            pol_rset(&s);
            r.code = 250;
            sb_adds(&r.text, "2.0.0 Ok");
            break;
        case STEP_ETRN: pol_etrn(&s, st->arg, &r); break;
        }
        for (size_t k = 0; k < st->nex; k++) {
            expectation *e = &st->ex[k];
            char at[300];
            decided_at(im, &r, at, sizeof at);
            int good = r.code == e->code && (!e->text || strcmp(e->text, sb_str(&r.text)) == 0) &&
                       (!e->decided || strcmp(e->decided, at) == 0);
            if (good)
                continue;
            ok = 0;
            char what[600];
            printf("%s:%u: test \"%s\": %s: expected %d%s%s%s%s, got %d %s%s%s\n", f->path,
                   e->line, t->name, step_name(st, what, sizeof what), e->code,
                   e->text ? " " : "", e->text ? e->text : "",
                   e->decided ? " decided by " : "", e->decided ? e->decided : "", r.code,
                   sb_str(&r.text), *at ? " decided by " : "", at);
            const char *tr = sb_str(&r.trace);
            while (*tr) {
                size_t l = strcspn(tr, "\n");
                printf("  | %.*s\n", (int)l, tr);
                tr += l + (tr[l] == '\n');
            }
        }
    }
    pol_reply_free(&r);
    pol_session_free(&s);
    pol_image_free(&pi);
    sim_client_free(&c);
    return ok;
}

int cmd_test(int argc, char **argv)
{
    static const struct option opts[] = {
        { "dns", required_argument, 0, 'D' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    const char *dir = NULL, *image = NULL;
    const char **dns = xcalloc((size_t)argc + 1, sizeof *dns);
    size_t ndns = 0;
    int ch, status = 2;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:i:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': dir = optarg; break;
        case 'i': image = optarg; break;
        case 'D': dns[ndns++] = optarg; break;
        case 'h': fputs(test_usage, stdout); free(dns); return 0;
        default: fputs(test_usage, stderr); free(dns); return 2;
        }
    }
    if (!!dir == !!image || optind >= argc) {
        fprintf(stderr, "mtacc test: %s\n", !!dir == !!image ? "give one of -c DIR or -i IMAGE"
                                                             : "no test files");
        fputs(test_usage, stderr);
        free(dns);
        return 2;
    }
    size_t nfiles = (size_t)(argc - optind);
    test_file *files = xcalloc(nfiles, sizeof *files);
    int bad = 0;
    for (size_t i = 0; i < nfiles; i++) {
        files[i].path = argv[optind + (int)i];
        bad |= parse_file(&files[i]) < 0;
    }
    img im;
    strbuf err;
    sb_init(&err);
    int loaded = !bad && (dir ? sim_image_from_dir(dir, "test", &im)
                              : img_open(&im, image, &err)) == 0;
    if (!bad && !loaded && image)
        fprintf(stderr, "mtacc test: %s\n", sb_str(&err));
    if (loaded) {
        size_t passed = 0, failed = 0;
        for (size_t i = 0; i < nfiles; i++) {
            const char **zones = xcalloc(ndns + files[i].ndns + 1, sizeof *zones);
            size_t nz = 0;
            for (size_t k = 0; k < ndns; k++)
                zones[nz++] = dns[k];
            for (size_t k = 0; k < files[i].ndns; k++)
                zones[nz++] = files[i].dns[k];
            sb_clear(&err);
            pol_dns *d = nz ? pol_dns_fixture_new(zones, nz, &err) : pol_dns_empty_new();
            free(zones);
            if (!d) {
                fprintf(stderr, "mtacc test: %s\n", sb_str(&err));
                failed += files[i].n;
                continue;
            }
            for (size_t k = 0; k < files[i].n; k++) {
                if (run_test(&files[i], &files[i].v[k], &im, d))
                    passed++;
                else
                    failed++;
            }
            pol_dns_free(d);
        }
        printf("%zu passed, %zu failed\n", passed, failed);
        status = failed ? 1 : 0;
        img_close(&im);
    }
    sb_free(&err);
    for (size_t i = 0; i < nfiles; i++) {
        for (size_t k = 0; k < files[i].n; k++)
            test_free(&files[i].v[k]);
        free(files[i].v);
        for (size_t k = 0; k < files[i].ndns; k++)
            free(files[i].dns[k]);
        free(files[i].dns);
    }
    free(files);
    free(dns);
    if (fflush(stdout) != 0)
        return 2;
    return status;
}
