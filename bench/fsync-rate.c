/* fsync-rate.c: how many durable files per second a file system gives,
 * one fsync at a time versus the queue store's group commit
 * (runtime/qmgr, mta-queue.5). In a temporary directory under DIR:
 *   per-file   N files of 2 KiB, each written, fsynced, its directory
 *              fsynced, before the next (what a naive MTA does)
 *   batch      N messages of 2 KiB written through the store, then
 *              committed all at once: the committer's batches
 *   sessions C C clients at a time: each, when its message is on disk,
 *              writes and commits the next (SMTP sessions under load)
 * and prints files per second for each. Built by `make bench` as
 * build/bench/fsync-rate. Usage: fsync-rate [-n N] DIR */
#include "runtime/qmgr/store.h"
#include "stdlib/util/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FILE_SIZE 2048

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double per_file(const char *dir, int n)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd < 0)
        fatal("open %s: %s", dir, strerror(errno));
    char block[FILE_SIZE];
    memset(block, 'x', sizeof block);
    double t0 = now();
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%06d", i);
        int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0 || write(fd, block, sizeof block) != (ssize_t)sizeof block || fsync(fd) < 0
            || fsync(dfd) < 0)
            fatal("per-file %s/%s: %s", dir, name, strerror(errno));
        close(fd);
    }
    double t = now() - t0;
    close(dfd);
    return n / t;
}

/* One message of about FILE_SIZE bytes, written, not committed. */
static qmsg *message(qstore *q)
{
    strbuf err;
    sb_init(&err);
    qmsg *m = qs_msg_new(q, &err);
    if (!m)
        fatal("qs_msg_new: %s", sb_str(&err));
    qs_msg_attr(m, "time", "1700000000");
    qs_msg_attr(m, "client_address", "192.0.2.1");
    qs_msg_sender(m, "sender@example.com");
    qs_msg_rcpt(m, "rcpt@example.org", NULL, 0);
    static const char line[] = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod";
    while (qs_msg_size(m) < FILE_SIZE - 160)
        qs_msg_line(m, line, sizeof line - 1, 0);
    if (qs_msg_error(m))
        fatal("writing: %s", qs_msg_error(m));
    return m;
}

typedef struct run {
    qstore *q;
    int     left;       /* messages still to start */
    int     done;
} run;

static void on_done(void *arg, int status, const char *why)
{
    run *r = arg;
    if (status != 0)
        fatal("commit failed: %s", why);
    r->done++;
}

static void on_done_next(void *arg, int status, const char *why)
{
    run *r = arg;
    on_done(arg, status, why);
    if (r->left > 0) {
        r->left--;
        qs_msg_commit(message(r->q), QS_INCOMING, on_done_next, r);
    }
}

static void wait_all(run *r, int n)
{
    while (r->done < n) {
        struct pollfd p = { .fd = qs_event_fd(r->q), .events = POLLIN };
        if (poll(&p, 1, 10000) <= 0)
            fatal("no commit done in 10 s");
        qs_dispatch(r->q);
    }
}

static double batch(const char *dir, int n, unsigned long long *batches, double *write_share)
{
    strbuf err;
    sb_init(&err);
    run r = { .q = qs_open(dir, &err) };
    if (!r.q)
        fatal("%s", sb_str(&err));
    qmsg **ms = xcalloc((size_t)n, sizeof *ms);
    double t0 = now();
    for (int i = 0; i < n; i++)
        ms[i] = message(r.q);
    double t1 = now();
    for (int i = 0; i < n; i++)
        qs_msg_commit(ms[i], QS_INCOMING, on_done, &r);
    wait_all(&r, n);
    double t = now() - t0;
    *write_share = (t1 - t0) / t;
    qs_stats st;
    qs_get_stats(r.q, &st);
    *batches = (unsigned long long)st.batches;
    qs_close(r.q);
    free(ms);
    return n / t;
}

static double sessions(const char *dir, int n, int c, unsigned long long *batches)
{
    strbuf err;
    sb_init(&err);
    run r = { .q = qs_open(dir, &err), .left = n };
    if (!r.q)
        fatal("%s", sb_str(&err));
    double t0 = now();
    for (int i = 0; i < c && r.left > 0; i++) {
        r.left--;
        qs_msg_commit(message(r.q), QS_INCOMING, on_done_next, &r);
    }
    wait_all(&r, n);
    double t = now() - t0;
    qs_stats st;
    qs_get_stats(r.q, &st);
    *batches = (unsigned long long)st.batches;
    qs_close(r.q);
    return n / t;
}

int main(int argc, char **argv)
{
    int n = 1000;
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "-n") == 0)
        n = atoi(argv[i + 1]), i += 2;
    if (i + 1 != argc || n <= 0) {
        fprintf(stderr, "usage: fsync-rate [-n N] DIR\n");
        return 2;
    }
    strbuf tmp;
    sb_init(&tmp);
    sb_addf(&tmp, "%s/fsync-rate.XXXXXX", argv[i]);
    if (!mkdtemp(tmp.s))
        fatal("mkdtemp %s: %s", tmp.s, strerror(errno));
    strbuf sub;
    sb_init(&sub);

    sb_addf(&sub, "%s/per-file", tmp.s);
    if (mkdir(sub.s, 0700) < 0)
        fatal("mkdir %s: %s", sub.s, strerror(errno));
    printf("per-file      %8.0f files/s  (%d files of %d bytes, fsync file + directory each)\n",
           per_file(sub.s, n), n, FILE_SIZE);
    fflush(stdout);

    unsigned long long nb;
    sb_clear(&sub);
    sb_addf(&sub, "%s/batch", tmp.s);
    double share;
    double rate = batch(sub.s, n, &nb, &share);
    printf("batch         %8.0f files/s  (%d messages committed at once, %llu batches;"
           " %.0f%% of the time writing, %.0f%% syncing)\n", rate, n, nb, share * 100, (1 - share) * 100);
    fflush(stdout);

    static const int cs[] = { 1, 16, 128 };
    for (size_t k = 0; k < sizeof cs / sizeof *cs; k++) {
        sb_clear(&sub);
        sb_addf(&sub, "%s/sessions%d", tmp.s, cs[k]);
        rate = sessions(sub.s, n, cs[k], &nb);
        printf("sessions %-4d %8.0f files/s  (%llu batches, %.1f messages each)\n", cs[k], rate, nb,
               (double)n / (double)nb);
        fflush(stdout);
    }
    strbuf rm;
    sb_init(&rm);
    sb_addf(&rm, "rm -rf '%s'", tmp.s);
    if (system(rm.s) != 0)
        fprintf(stderr, "fsync-rate: cannot remove %s\n", tmp.s);
    sb_free(&rm);
    sb_free(&sub);
    sb_free(&tmp);
    return 0;
}
