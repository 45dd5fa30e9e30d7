/* stub_pending.c: TEMPORARY stand-ins for smtpd_worker_main (runtime/smtpd)
 * and the queue store (runtime/qmgr) until they land on main; this file is
 * deleted then. The worker greets and hangs up; the store counts files. */
#include "runtime/qmgr/store.h"
#include "runtime/worker.h"
#include "stdlib/util/alloc.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t drain, stop;
static void on_drain(int s) { (void)s; drain = 1; }
static void on_stop(int s) { (void)s; stop = 1; }

int smtpd_worker_main(const worker_args *a)
{
    signal(WORKER_SIG_DRAIN, on_drain);
    signal(WORKER_SIG_STOP, on_stop);
    struct pollfd *p = xcalloc(a->nls ? a->nls : 1, sizeof *p);
    for (size_t i = 0; i < a->nls; i++)
        p[i] = (struct pollfd){ .fd = a->ls[i].fd, .events = POLLIN };
    while (!drain && !stop) {
        if (poll(p, a->nls, 200) <= 0)
            continue;
        for (size_t i = 0; i < a->nls; i++) {
            if (!(p[i].revents & POLLIN))
                continue;
            int c = accept(p[i].fd, NULL, NULL);
            if (c < 0)
                continue;
            a->stats->sessions_total++;
            const char *g = "220 mtad stub ESMTP\r\n";
            ssize_t w = write(c, g, strlen(g));
            (void)w;
            close(c);
        }
    }
    free(p);
    return 0;
}

struct qstore { char *dir; };
static const char *names[QS_NSTATES] = { "incoming", "active", "deferred", "hold", "corrupt" };
const char *qs_state_name(enum qs_state st) { return names[st]; }

qstore *qs_open(const char *dir, strbuf *err)
{
    for (int i = 0; i < QS_NSTATES; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        if (mkdir(p, 0700) < 0 && errno != EEXIST) {
            sb_addf(err, "%s: %s", p, strerror(errno));
            return NULL;
        }
    }
    qstore *q = xcalloc(1, sizeof *q);
    q->dir = xstrdup(dir);
    return q;
}

void qs_close(qstore *q) { free(q->dir); free(q); }

int qs_recover(qstore *q, qs_recovery *out, strbuf *err)
{
    (void)q; (void)err;
    memset(out, 0, sizeof *out);
    return 0;
}

int qs_count(qstore *q, unsigned counts[QS_NSTATES])
{
    for (int i = 0; i < QS_NSTATES; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", q->dir, names[i]);
        counts[i] = 0;
        DIR *d = opendir(p);
        if (!d)
            return -1;
        struct dirent *e;
        while ((e = readdir(d)))
            if (e->d_name[0] != '.')
                counts[i]++;
        closedir(d);
    }
    return 0;
}
