/* stub_pending.c: TEMPORARY stand-ins for the queue store (runtime/qmgr)
 * and content processing (stdlib/content) until they land on main; this
 * file is deleted then. The store counts files and refuses new messages
 * (the worker answers 4xx); content is never reached without a message. */
#include "runtime/qmgr/store.h"
#include "stdlib/content/content.h"
#include <fcntl.h>
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

struct qstore { char *dir; int ev[2]; };
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
    if (pipe2(q->ev, O_CLOEXEC | O_NONBLOCK) < 0)
        q->ev[0] = q->ev[1] = -1;
    return q;
}

void qs_close(qstore *q)
{
    if (q->ev[0] >= 0) { close(q->ev[0]); close(q->ev[1]); }
    free(q->dir);
    free(q);
}

int  qs_event_fd(const qstore *q) { return q->ev[0]; }
void qs_dispatch(qstore *q) { (void)q; }
qmsg *qs_msg_new(qstore *q, strbuf *err)
{
    (void)q;
    sb_adds(err, "the queue store is not in this build yet (runtime/stub_pending.c)");
    return NULL;
}
const char *qs_msg_id(const qmsg *m) { (void)m; panic("stub"); }
int qs_msg_attr(qmsg *m, const char *n, const char *v) { (void)m; (void)n; (void)v; panic("stub"); }
int qs_msg_sender(qmsg *m, const char *s) { (void)m; (void)s; panic("stub"); }
int qs_msg_rcpt(qmsg *m, const char *r, const char *o, unsigned n) { (void)m; (void)r; (void)o; (void)n; panic("stub"); }
int qs_msg_line(qmsg *m, const char *l, size_t n, int more) { (void)m; (void)l; (void)n; (void)more; panic("stub"); }
const char *qs_msg_error(const qmsg *m) { (void)m; return "stub"; }
void qs_msg_commit(qmsg *m, enum qs_state st, qs_done_fn d, void *a) { (void)m; (void)st; (void)d; (void)a; panic("stub"); }
void qs_msg_abort(qmsg *m) { (void)m; }

cnt_ctx *cnt_new(pol_image *pi, const img_service *svc, const cnt_info *info, cnt_out_fn out, void *arg)
{
    (void)pi; (void)svc; (void)info; (void)out; (void)arg;
    panic("stub");
}
void cnt_line(cnt_ctx *c, const char *l, size_t n, int more) { (void)c; (void)l; (void)n; (void)more; }
void cnt_end(cnt_ctx *c) { (void)c; }
const cnt_result *cnt_result_of(const cnt_ctx *c) { (void)c; panic("stub"); }
void cnt_free(cnt_ctx *c) { (void)c; }

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
