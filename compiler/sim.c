/* sim.c: the pieces simulate and test share (see sim.h). */
#include "compiler/sim.h"
#include "compiler/check_cli.h"
#include "compiler/image/emit.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The client's names from DNS: PTR, then forward-confirmed by A/AAAA. */
void sim_client_names(pol_dns *dns, const char *addr, char **verified, char **reverse,
                         int *temp)
{
    *verified = *reverse = NULL;
    *temp = 0;
    char q[128] = "";
    unsigned a, b, c, d;
    if (sscanf(addr, "%u.%u.%u.%u", &a, &b, &c, &d) == 4)
        snprintf(q, sizeof q, "%u.%u.%u.%u.in-addr.arpa", d, c, b, a);
    if (!*q)
        return;
    pol_dns_rr *rr;
    size_t n;
    pol_dns_status st = pol_dns_query(dns, q, POL_DNS_PTR, &rr, &n);
    if (st == POL_DNS_TEMPFAIL)
        *temp = 1;
    if (st != POL_DNS_FOUND)
        return;
    *reverse = xstrdup(rr[0].data);
    pol_dns_rr *fw;
    size_t nf;
    if (pol_dns_query(dns, rr[0].data, POL_DNS_A, &fw, &nf) == POL_DNS_FOUND) {
        for (size_t i = 0; i < nf; i++)
            if (strcmp(fw[i].data, addr) == 0)
                *verified = xstrdup(rr[0].data);
        pol_dns_rr_free(fw, nf);
    }
    pol_dns_rr_free(rr, n);
}

