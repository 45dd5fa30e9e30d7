/* content-eval.c: messages per second through stdlib/content on one core.
 * Loads an image, reads a message file (LF lines), then runs it N times
 * through cnt_new/cnt_line/cnt_end/cnt_free as mtad's smtpd would (a
 * Received: header first, output to a callback that only counts bytes);
 * prints "messages N seconds S per_second R bytes_out B verdict V". Built
 * by `make bench` as build/bench/content-eval. */
#include "stdlib/content/content.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void count(void *arg, const char *line, size_t len, int more)
{
    *(size_t *)arg += len + !more;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: content-eval IMAGE MESSAGE-FILE COUNT\n");
        return 2;
    }
    img im;
    strbuf err;
    sb_init(&err);
    if (img_open(&im, argv[1], &err) < 0) {
        fprintf(stderr, "content-eval: %s\n", sb_str(&err));
        return 1;
    }
    FILE *fp = fopen(argv[2], "r");
    if (!fp)
        fatal("cannot open %s", argv[2]);
    char **lines = NULL, buf[4096];
    size_t n = 0, cap = 0;
    while (fgets(buf, sizeof buf, fp)) {
        buf[strcspn(buf, "\r\n")] = 0;
        xgrow(&lines, &cap, n + 1, sizeof *lines);
        lines[n++] = xstrdup(buf);
    }
    fclose(fp);
    long long total = atoll(argv[3]);
    pol_image pi;
    pol_image_init(&pi, &im);
    const img_service *svc = NULL;
    for (uint32_t i = 0; i < im.nservices; i++)
        if (strcmp(img_str(&im, im.services[i].command), "smtpd") == 0 && !svc)
            svc = &im.services[i];
    static const char *const rcpts[] = { "u@example.net" };
    static const char *const received[] = {
        "Received: from client.example (client.example [192.0.2.1])",
        "\tby mx.example.org (mtad) with ESMTP id 4ABCDEF",
        "\tfor <u@example.net>; Sun, 22 Nov 2026 07:47:35 +0000 (UTC)",
    };
    cnt_info info = {
        .queue_id = "4ABCDEF", .sender = "s@example.org", .rcpts = rcpts, .nrcpts = 1,
        .client_name = "client.example", .client_addr = "192.0.2.1", .arrival = time(NULL),
    };
    size_t bytes = 0;
    int verdict = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long long k = 0; k < total; k++) {
        cnt_ctx *c = cnt_new(&pi, svc, &info, count, &bytes);
        for (int i = 0; i < 3; i++)
            cnt_line(c, received[i], strlen(received[i]), 0);
        cnt_begin_client(c);
        for (size_t i = 0; i < n; i++)
            cnt_line(c, lines[i], strlen(lines[i]), 0);
        cnt_end(c);
        verdict = cnt_result_of(c)->verdict;
        cnt_free(c);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("messages %lld seconds %.3f per_second %.0f bytes_out %zu verdict %d\n", total, s,
           s > 0 ? (double)total / s : 0.0, bytes, verdict);
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
    pol_image_free(&pi);
    img_close(&im);
    sb_free(&err);
    return 0;
}
