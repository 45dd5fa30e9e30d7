/* policy-eval.c: decisions per second of the policy engine on one core.
 * Loads an image, then evaluates RCPT TO for the recipients of a file
 * (one per line), round robin, for a number of decisions; prints
 * "decisions N seconds S per_second R" and a count of each reply code so
 * the caller can check the answers. Built by `make bench` as
 * build/bench/policy-eval; driven by bench/policy-engine. */
#include "stdlib/policy/policy.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: policy-eval IMAGE CLIENT HELO SENDER RCPT-FILE DECISIONS\n");
        return 2;
    }
    img im;
    strbuf err;
    sb_init(&err);
    if (img_open(&im, argv[1], &err) < 0) {
        fprintf(stderr, "policy-eval: %s\n", sb_str(&err));
        return 1;
    }
    FILE *fp = fopen(argv[5], "r");
    if (!fp)
        fatal("cannot open %s", argv[5]);
    char **rcpt = NULL, line[512];
    size_t n = 0, cap = 0;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = 0;
        xgrow(&rcpt, &cap, n + 1, sizeof *rcpt);
        rcpt[n++] = xstrdup(line);
    }
    fclose(fp);
    long long total = atoll(argv[6]);
    pol_image pi;
    pol_image_init(&pi, &im);
    pol_dns *dns = pol_dns_empty_new();
    pol_session s;
    pol_session_init(&s, &pi, NULL, dns);
    s.client_addr = argv[2];
    s.helo = argv[3];
    s.sender = argv[4];
    pol_reply r;
    pol_reply_init(&r);
    pol_mail(&s, &r);
    long codes[600] = { 0 };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long long i = 0; i < total; i++) {
        pol_rcpt(&s, rcpt[i % (long long)n], &r);
        if (r.code > 0 && r.code < 600)
            codes[r.code]++;
        s.nrcpt = 0;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("decisions %lld seconds %.3f per_second %.0f\n", total, sec, (double)total / sec);
    for (int c = 0; c < 600; c++)
        if (codes[c])
            printf("code %d %ld\n", c, codes[c]);
    pol_reply_free(&r);
    pol_session_free(&s);
    pol_image_free(&pi);
    pol_dns_free(dns);
    img_close(&im);
    return 0;
}
