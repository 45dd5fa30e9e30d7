/* worker.c: an SMTP worker process (worker.h): one epoll loop serving
 * every session of one image generation, accepting on the listeners the
 * master handed over, driving the queue's group commit and the client
 * name lookups, and draining or stopping when the master says so. */
#include "runtime/log.h"
#include "runtime/smtpd/blocking.h"
#include "runtime/smtpd/fiber.h"
#include "runtime/smtpd/smtpd.h"
#include "stdlib/util/alloc.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

/* epoll sources other than sessions */
enum { SRC_SIGNAL, SRC_QUEUE, SRC_FIBERS, SRC_LISTENER };

/* pool threads for the blocking calls: client name lookups, the engine's
 * DNS queries and policy server exchanges (a slow name server holds one
 * thread per waiting session, as it holds one smtpd process in Postfix) */
#define BLOCKING_THREADS 32
typedef struct ev_src { int kind; size_t index; } ev_src;

static ev_src *srcs;
static size_t nsrcs;

static int is_src(void *p)
{
    return (ev_src *)p >= srcs && (ev_src *)p < srcs + nsrcs;
}

void smtpd_watch(smtpd_session *s)
{
    unsigned want = 0;
    if ((s->state == SS_CMD || s->state == SS_DATA) && !s->closing_after && !s->peer_eof &&
        !s->fiber_busy && s->out.len < 65536)
        want |= EPOLLIN;
    if (s->out.len)
        want |= EPOLLOUT;
    if (s->ev_added && want == s->ev_mask)
        return;
    struct epoll_event ev = {.events = want, .data.ptr = s};
    if (epoll_ctl(s->w->ep, s->ev_added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s->fd, &ev) != 0)
        mlog(LOG_WARNING, "epoll_ctl: %s", strerror(errno));
    s->ev_added = 1;
    s->ev_mask = want;
}

static void add_src(smtpd_worker *w, int fd, ev_src *src)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = src};
    if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) != 0)
        fatal("epoll_ctl: %s", strerror(errno));
}

static void close_listeners(smtpd_worker *w)
{
    for (size_t i = 0; i < w->args->nls; i++) {
        if (w->args->ls[i].fd < 0)
            continue;
        epoll_ctl(w->ep, EPOLL_CTL_DEL, w->args->ls[i].fd, NULL);
        close(w->args->ls[i].fd);   /* our copy: the master keeps its own */
        ((mtad_listener *)w->args->ls)[i].fd = -1;
    }
}

static void accept_on(smtpd_worker *w, const mtad_listener *l)
{
    for (int i = 0; i < 64; i++) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE)
                mlog(LOG_WARNING, "accept on %s: %s", l->endpoint, strerror(errno));
            return;   /* EAGAIN: another worker took it, or none left */
        }
        smtpd_session *s = smtpd_session_new(w, l, fd);
        if (s->cfg->peername_lookup)
            smtpd_peer_lookup(w, s);
        else
            smtpd_session_start(s);
    }
}

/* Stop: sessions between commands get a 421; those inside a message are
 * cut (no 250 was given, the client will retry); those waiting for the
 * group commit get their 250 first. */
static void stop_sessions(smtpd_worker *w)
{
    for (smtpd_session *s = w->sessions.next, *n; s != &w->sessions; s = n) {
        n = s->next;
        if (s->state == SS_COMMIT || s->fiber_busy)
            continue;   /* they end once their commit or decision is done */
        if (s->state == SS_CMD || s->state == SS_SLEEP) {
            smtpd_reply(s, "421 4.3.2 %s Service shutting down, closing transmission channel",
                        s->cfg->myhostname);
            smtpd_flush(s);
        }
        smtpd_close(s);
    }
}

static void on_signal(smtpd_worker *w)
{
    struct signalfd_siginfo si;
    while (read(w->sigfd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == WORKER_SIG_DRAIN && !w->draining) {
            w->draining = 1;
            w->args->stats->draining = 1;
            close_listeners(w);
        } else if (si.ssi_signo == WORKER_SIG_STOP || si.ssi_signo == SIGINT) {
            w->stopping = w->draining = 1;
            w->args->stats->draining = 1;
            close_listeners(w);
            stop_sessions(w);
        }
    }
}

/* Once a second: error sleeps that are over, sessions past their time. */
static void sweep(smtpd_worker *w, time_t now)
{
    for (smtpd_session *s = w->sessions.next, *n; s != &w->sessions; s = n) {
        n = s->next;
        if (s->fiber_busy)
            continue;   /* waiting on DNS or a policy server, which time out themselves */
        if (s->state == SS_SLEEP && s->wake <= now) {
            s->state = SS_CMD;
            s->deadline = now + s->cfg->timeout;
            (void)smtpd_session_input(s);
        } else if ((s->state == SS_CMD || s->state == SS_DATA) && s->deadline <= now) {
            smtpd_session_timeout(s);
        }
    }
}

static void gen_init(smtpd_worker *w, const worker_args *a)
{
    w->gen.im = a->im;
    pol_image_init(&w->gen.pi, a->im);
    w->gen.cfgs = xcalloc(a->im->nservices ? a->im->nservices : 1, sizeof *w->gen.cfgs);
    for (size_t i = 0; i < a->nls; i++) {
        uint32_t si = a->ls[i].service;
        if (si < a->im->nservices && !w->gen.cfgs[si].svc)
            smtpd_cfg_load(&w->gen.cfgs[si], a->im, &a->im->services[si]);
    }
}

int smtpd_worker_init(smtpd_worker *w, const worker_args *a)
{
    memset(w, 0, sizeof *w);
    w->args = a;
    w->sessions.next = w->sessions.prev = &w->sessions;
    mlog_set_role("smtpd");
    a->stats->pid = (uint64_t)getpid();
    a->stats->generation = a->generation;
    signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, WORKER_SIG_DRAIN);
    sigaddset(&set, WORKER_SIG_STOP);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    w->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    gen_init(w, a);
    strbuf err;
    sb_init(&err);
    w->queue = qs_open(a->queue_dir, &err);
    if (!w->queue) {
        mlog(LOG_CRIT, "queue %s: %s", a->queue_dir, sb_str(&err));
        sb_free(&err);
        pol_image_free(&w->gen.pi);
        free(w->gen.cfgs);
        close(w->sigfd);
        return -1;
    }
    sb_free(&err);
    const char *dns_server = getenv("MTAD_DNS_SERVER");   /* tests: a fixture DNS server */
    w->fibers = fibers_new(BLOCKING_THREADS);
    w->dns = smtpd_dns_new(dns_server, BLOCKING_THREADS);
    w->policy = pol_policy_clients_new(a->queue_dir);
    w->rbuf_cap = 65536;
    w->rbuf = xmalloc(w->rbuf_cap);
    w->ep = epoll_create1(EPOLL_CLOEXEC);
    if (w->ep < 0)
        fatal("epoll_create1: %s", strerror(errno));
    nsrcs = 3 + a->nls;
    srcs = xcalloc(nsrcs, sizeof *srcs);
    srcs[0].kind = SRC_SIGNAL;
    srcs[1].kind = SRC_QUEUE;
    srcs[2].kind = SRC_FIBERS;
    add_src(w, w->sigfd, &srcs[0]);
    add_src(w, qs_event_fd(w->queue), &srcs[1]);
    add_src(w, fibers_fd(w->fibers), &srcs[2]);
    for (size_t i = 0; i < a->nls; i++) {
        srcs[3 + i].kind = SRC_LISTENER;
        srcs[3 + i].index = i;
        if (a->ls[i].fd >= 0)      /* none: a harness that makes its own sessions */
            add_src(w, a->ls[i].fd, &srcs[3 + i]);
    }
    return 0;
}

void smtpd_worker_fini(smtpd_worker *w)
{
    close_listeners(w);
    smtpd_reap(w);
    qs_close(w->queue);
    fibers_free(w->fibers);
    pol_policy_clients_free(w->policy);
    pol_dns_free(w->dns);
    pol_image_free(&w->gen.pi);
    free(w->gen.cfgs);
    free(w->rbuf);
    free(srcs);
    srcs = NULL;
    nsrcs = 0;
    close(w->ep);
    close(w->sigfd);
}

int smtpd_worker_main(const worker_args *a)
{
    smtpd_worker w;
    if (smtpd_worker_init(&w, a) != 0)
        return 1;
    time_t last_sweep = time(NULL);
    struct epoll_event evs[256];
    while (!(w.draining && w.nsessions == 0 && w.commits == 0 && fibers_busy(w.fibers) == 0)) {
        int n = epoll_wait(w.ep, evs, 256, 1000);
        if (n < 0 && errno != EINTR)
            fatal("epoll_wait: %s", strerror(errno));
        for (int i = 0; i < n; i++) {
            void *p = evs[i].data.ptr;
            if (is_src(p)) {
                ev_src *src = p;
                switch (src->kind) {
                case SRC_SIGNAL: on_signal(&w); break;
                case SRC_QUEUE: qs_dispatch(w.queue); break;
                case SRC_FIBERS: fibers_dispatch(w.fibers); break;
                case SRC_LISTENER:
                    if (!w.draining)
                        accept_on(&w, &a->ls[src->index]);
                    break;
                }
                continue;
            }
            smtpd_session *s = p;
            if (s->dead)
                continue;
            if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP) && s->out.len)
                smtpd_session_writable(s);
            else if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
                smtpd_session_readable(s);
        }
        time_t now = time(NULL);
        if (now != last_sweep) {
            last_sweep = now;
            sweep(&w, now);
            smtpd_policy_sweep(w.policy);
        }
        smtpd_reap(&w);
    }
    mlog(LOG_INFO, "worker for image generation %llu done", (unsigned long long)a->generation);
    smtpd_worker_fini(&w);
    return 0;
}
