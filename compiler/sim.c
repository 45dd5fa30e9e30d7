/* sim.c: the pieces simulate and test share (see sim.h). */
#include "compiler/sim.h"
#include "compiler/check_cli.h"
#include "compiler/image/emit.h"
#include "stdlib/policy/policy_client.h"
#include "stdlib/util/alloc.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Compile DIR into a temporary image and open it; -1 after reporting. */
int sim_image_from_dir(const char *dir, const char *cmd, img *im)
{
    check_cli o;
    memset(&o, 0, sizeof o);
    o.co.dir = dir;
    o.co.for_image = 1;
    config c;
    check_cli_load(&o, &c);
    diags_finish(&c.d);
    if (diags_count(&c.d, SEV_ERROR)) {
        diags_print(&c.d, FMT_TEXT, stderr);
        fprintf(stderr, "mtacc %s: %s has errors; fix them first (mtacc check)\n", cmd, dir);
        config_free(&c);
        return -1;
    }
    char tmpdir[] = "/tmp/mtacc-simulate.XXXXXX";
    if (!mkdtemp(tmpdir)) {
        config_free(&c);
        fatal("cannot create a temporary directory");
    }
    char path[64];
    snprintf(path, sizeof path, "%s/policy.img", tmpdir);
    imgw *w = emit_image(&c, tmpdir);
    strbuf err;
    sb_init(&err);
    int r = imgw_write(w, path, &err, NULL);
    imgw_free(w);
    config_free(&c);
    if (r == 0)
        r = img_open(im, path, &err);
    if (r < 0)
        fprintf(stderr, "mtacc %s: %s\n", cmd, sb_str(&err));
    unlink(path);
    rmdir(tmpdir);
    sb_free(&err);
    return r;
}

const img_service *sim_find_service(const img *im, const char *name)
{
    const img_service *first = NULL;
    for (uint32_t i = 0; i < im->nservices; i++) {
        const img_service *s = &im->services[i];
        int smtpd = strcmp(img_str(im, s->command), "smtpd") == 0;
        if (name && strcmp(img_str(im, s->name), name) == 0)
            return s;
        if (!name && smtpd && strcmp(img_str(im, s->type), "inet") == 0) {
            if (strcmp(img_str(im, s->name), "smtp") == 0)
                return s;
            if (!first)
                first = s;
        }
    }
    return first;
}

/* The client's names from DNS: PTR (in-addr.arpa or ip6.arpa), then
 * forward-confirmed by A or AAAA. */
static void client_names(pol_dns *dns, const char *addr, char **verified, char **reverse,
                      int *temp)
{
    *verified = *reverse = NULL;
    *temp = 0;
    strbuf q;
    sb_init(&q);
    int v6 = strchr(addr, ':') != NULL;
    if (pol_dns_reverse(addr, &q) < 0) {
        sb_free(&q);
        return;
    }
    sb_adds(&q, v6 ? ".ip6.arpa" : ".in-addr.arpa");
    pol_dns_rr *rr;
    size_t n;
    pol_dns_status st = pol_dns_query(dns, sb_str(&q), POL_DNS_PTR, &rr, &n);
    sb_free(&q);
    if (st == POL_DNS_TEMPFAIL)
        *temp = 1;
    if (st != POL_DNS_FOUND) {
        pol_dns_rr_free(rr, n);
        return;
    }
    *reverse = xstrdup(rr[0].data);
    pol_dns_rr *fw;
    size_t nf;
    if (pol_dns_query(dns, rr[0].data, v6 ? POL_DNS_AAAA : POL_DNS_A, &fw, &nf) == POL_DNS_FOUND) {
        unsigned char want[16], got[16];
        int af = v6 ? AF_INET6 : AF_INET;
        for (size_t i = 0; i < nf && !*verified; i++)
            if (inet_pton(af, fw[i].data, got) == 1 && inet_pton(af, addr, want) == 1 &&
                memcmp(got, want, v6 ? 16 : 4) == 0)
                *verified = xstrdup(rr[0].data);
    }
    pol_dns_rr_free(fw, nf);
    pol_dns_rr_free(rr, n);
}


/* Policy server fixtures: the action given for an endpoint; else the
 * live client when there is one, else -1 (unreachable). */
static int policy_answer(void *arg, const pol_session *s, const pol_policy_query *q,
                         strbuf *action)
{
    const sim_client *c = arg;
    const char *endpoint = q->cfg->endpoint;
    size_t el = strlen(endpoint);
    for (size_t i = 0; i < c->npolicy; i++)
        if (strncmp(c->policy[i], endpoint, el) == 0 && c->policy[i][el] == '=') {
            sb_adds(action, c->policy[i] + el + 1);
            return 0;
        }
    return c->live ? pol_policy_ask(c->live, s, q, action) : -1;
}

/* Address verification fixtures (enum pol_verify); unknown: being probed. */
static int verify_answer(void *arg, const char *addr, strbuf *reason)
{
    const sim_client *c = arg;
    const char *const *v = c->verify;
    size_t n = c->nverify;
    size_t al = strlen(addr);
    for (size_t i = 0; i < n; i++) {
        if (strncasecmp(v[i], addr, al) != 0 || v[i][al] != '=')
            continue;
        const char *st = v[i] + al + 1;
        if (strcmp(st, "ok") == 0)
            return POL_VERIFY_OK;
        if (strcmp(st, "defer") == 0)
            return POL_VERIFY_DEFER;
        if (strncmp(st, "bounce", 6) == 0) {
            sb_adds(reason, st[6] == ':' ? st + 7 : "mailbox unavailable");
            return POL_VERIFY_BOUNCE;
        }
    }
    return POL_VERIFY_UNKNOWN;
}

void sim_session_start(pol_session *s, pol_image *pi, const img_service *svc, pol_dns *dns,
                       sim_client *c)
{
    pol_session_init(s, pi, svc, dns);
    c->verified = c->reverse = NULL;
    if (c->name) {
        s->client_name = s->reverse_name = c->name;
    } else {
        int temp = 0;
        client_names(dns, c->addr, &c->verified, &c->reverse, &temp);
        s->client_name = c->verified ? c->verified : "unknown";
        s->reverse_name = c->reverse ? c->reverse : "unknown";
        s->client_name_temp = temp;
    }
    s->client_addr = c->addr;
    s->sasl_user = c->sasl_user;
    s->ccert_fingerprint = c->ccert_fingerprint;
    s->trace = 1;
    s->policy = policy_answer;
    s->policy_arg = c;
    s->verify = verify_answer;
    s->verify_arg = c;
}

void sim_client_free(sim_client *c)
{
    free(c->verified);
    free(c->reverse);
    c->verified = c->reverse = NULL;
}

const img_insn *sim_decided_insn(const img *im, const pol_reply *r)
{
    if (r->origin.program >= im->nprograms)
        return NULL;
    const img_program *p = &im->programs[r->origin.program];
    if (r->origin.insn >= p->count)
        return NULL;
    return &im->insns[p->first + r->origin.insn];
}
