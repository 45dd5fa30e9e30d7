/* master.c: the mtad master process (see master.h): start-up, the event
 * loop over the control socket and signals, atomic reload, supervision
 * of the SMTP workers, and stop. */
#include "runtime/master.h"
#include "runtime/control.h"
#include "runtime/log.h"
#include "runtime/master_state.h"
#include "runtime/paths.h"
#include "runtime/pidfile.h"
#include "runtime/qmgr/store.h"
#include "stdlib/util/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define STOP_GRACE_MS     10000   /* workers get this long after WORKER_SIG_STOP */
#define KILL_GRACE_MS     5000    /* and this long after SIGKILL */
#define HEALTHY_RUN_MS    10000   /* a worker that ran this long was no crash loop */
#define BACKOFF_FIRST_MS  1000
#define BACKOFF_MAX_MS    60000

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- start-up failures ------------------------------------------------------ */

/* One line to whoever waits for the start: stderr in the foreground, the
 * waiting `mtad start` through the ready pipe in the background (and the
 * log). */
static void start_failed(master *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void start_failed(master *m, const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (m->ready_fd >= 0) {
        mlog(LOG_ERR, "%s", msg);
        ssize_t w = write(m->ready_fd, msg, strlen(msg));
        (void)w;
        close(m->ready_fd);
        m->ready_fd = -1;
    } else {
        fprintf(stderr, "mtad: %s\n", msg);
    }
}

static int mkdir_p(const char *path, mode_t mode)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, mode) < 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, mode) < 0 && errno != EEXIST ? -1 : 0;
    free(p);
    return rc;
}

/* ---- background ------------------------------------------------------------- */

/* Double fork and setsid. The original process waits on the ready pipe for
 * "ok MESSAGE" or a reason and exits with it; only the daemon returns. */
static int daemonize(master *m)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        close(p[1]);
        strbuf msg;
        sb_init(&msg);
        char buf[1024];
        ssize_t n;
        while ((n = read(p[0], buf, sizeof buf)) != 0) {
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                break;
            sb_addn(&msg, buf, (size_t)n);
        }
        int st;
        waitpid(pid, &st, 0);
        const char *s = sb_str(&msg);
        if (strncmp(s, "ok ", 3) == 0) {
            printf("%s\n", s + 3);
            fflush(stdout);
            _exit(0);
        }
        fprintf(stderr, "mtad: %s\n", *s ? s : "the master exited during start-up (see the log)");
        _exit(1);
    }
    close(p[0]);
    if (setsid() < 0)
        _exit(1);
    pid = fork();
    if (pid < 0) {
        ssize_t w = write(p[1], "fork failed", 11);
        (void)w;
        _exit(1);
    }
    if (pid > 0)
        _exit(0);
    if (chdir("/") < 0)
        _exit(1);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2)
            close(null);
    }
    m->ready_fd = p[1];
    return 0;
}

/* ---- logging ------------------------------------------------------------------ */

/* -f: stderr. Otherwise maillog_file when set, else syslog with
 * syslog_facility. The name is syslog_name only when main.cf sets it
 * (Postfix's default "postfix" would mislabel our lines), else "mtad". */
static int setup_log(master *m)
{
    const img_param *name = img_param_find(&m->im, "syslog_name");
    m->log_name = name && (name->flags & IMG_PF_SET) && *img_str(&m->im, name->text)
                      ? img_str(&m->im, name->text) : "mtad";
    int rc = 0;
    if (m->foreground) {
        mlog_open(MLOG_STDERR, NULL);
    } else {
        const img_param *file = img_param_find(&m->im, "maillog_file");
        const img_param *fac = img_param_find(&m->im, "syslog_facility");
        if (file && *img_str(&m->im, file->text))
            rc = mlog_open(MLOG_FILE, img_str(&m->im, file->text));
        else
            rc = mlog_open(MLOG_SYSLOG, fac ? img_str(&m->im, fac->text) : "mail");
    }
    mlog_set_name(m->log_name, "master");
    return rc;
}

/* ---- the shared stats page ----------------------------------------------------- */

static int slot_alloc(master *m)
{
    for (int i = 0; i < MTAD_STAT_SLOTS; i++)
        if (!m->slot_used[i]) {
            m->slot_used[i] = 1;
            memset(&m->stats[i], 0, sizeof m->stats[i]);
            return i;
        }
    return -1;
}

/* ---- workers ---------------------------------------------------------------------- */

static void close_master_fds(master *m, const lset *keep)
{
    if (m->ctl_fd >= 0) close(m->ctl_fd);
    if (m->lock_fd >= 0) close(m->lock_fd);
    if (m->sig_fd[0] >= 0) close(m->sig_fd[0]);
    if (m->sig_fd[1] >= 0) close(m->sig_fd[1]);
    if (m->ready_fd >= 0) close(m->ready_fd);
    if (m->conn_fd >= 0) close(m->conn_fd);
    for (size_t i = 0; i < m->nstop; i++)
        close(m->stop_fds[i]);
    for (size_t i = 0; i < m->ls.n; i++)
        if (m->ls.v[i].fd >= 0 && !ls_has_fd(keep, m->ls.v[i].fd))
            close(m->ls.v[i].fd);
}

static _Noreturn void worker_child(master *m, const img *im, const char *path, uint64_t gen, const lset *ls,
                                   const mtad_listener *view, int slot)
{
    static const int sigs[] = { SIGCHLD, SIGHUP, SIGTERM, SIGUSR1, SIGUSR2 };
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        signal(sigs[i], SIG_DFL);
    signal(SIGINT, SIG_IGN);        /* ^C in the foreground: the master stops us */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    close_master_fds(m, ls);
    mlog_set_role("smtpd");
    strbuf err;
    sb_init(&err);
    if (priv_drop(&m->priv, &err) < 0) {
        mlog(LOG_CRIT, "%s", sb_str(&err));
        _exit(1);
    }
    m->stats[slot].pid = (uint64_t)getpid();
    worker_args a = {
        .im = im, .image_path = path, .generation = gen, .ls = view, .nls = ls->n,
        .queue_dir = m->queue_dir, .stats = &m->stats[slot],
    };
    _exit(smtpd_worker_main(&a));
}

/* Fork a worker serving im on ls; 0, or -1 with the reason in err. */
static int spawn(master *m, const img *im, const char *path, uint64_t gen, const lset *ls, strbuf *err)
{
    int slot = slot_alloc(m);
    if (slot < 0) {
        sb_addf(err, "all %d worker slots are taken by draining workers; retry when they finish",
                MTAD_STAT_SLOTS);
        return -1;
    }
    m->stats[slot].generation = gen;
    mtad_listener *view = ls_worker_view(ls);
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);     /* no master handler runs in the child */
    pid_t pid = fork();
    if (pid == 0)
        worker_child(m, im, path, gen, ls, view, slot);
    int e = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    free(view);
    if (pid < 0) {
        m->slot_used[slot] = 0;
        sb_addf(err, "cannot fork a worker: %s", strerror(e));
        return -1;
    }
    m->stats[slot].pid = (uint64_t)pid;
    xgrow(&m->w, &m->wcap, m->nw + 1, sizeof *m->w);
    m->w[m->nw++] = (mworker){ .pid = pid, .generation = gen, .slot = slot, .started_ms = now_ms() };
    return 0;
}

static int has_current_worker(const master *m)
{
    for (size_t i = 0; i < m->nw; i++)
        if (m->w[i].generation == m->generation && !m->w[i].draining)
            return 1;
    return 0;
}

static void describe_exit(int status, char *out, size_t n)
{
    if (WIFSIGNALED(status))
        snprintf(out, n, "killed by signal %d", WTERMSIG(status));
    else
        snprintf(out, n, "exit status %d", WEXITSTATUS(status));
}

/* A worker ended: expected (drained, stopped) or not (crash: replace it
 * on the current image, backing off when it keeps crashing). */
static void worker_ended(master *m, mworker w, int status)
{
    char how[64];
    describe_exit(status, how, sizeof how);
    m->slot_used[w.slot] = 0;
    /* a worker told to drain or stop before it set up its signal handling
     * dies of the signal: that is the end it was asked for */
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    int clean = (WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
                (w.draining && sig == WORKER_SIG_DRAIN) || (m->stopping && sig == WORKER_SIG_STOP);
    if (w.draining) {
        if (clean)
            mlog(LOG_INFO, "smtpd worker pid %ld of generation %llu finished draining", (long)w.pid,
                 (unsigned long long)w.generation);
        else
            mlog(LOG_WARNING, "smtpd worker pid %ld %s while draining", (long)w.pid, how);
        return;
    }
    if (m->stopping) {
        if (!clean)
            mlog(LOG_WARNING, "smtpd worker pid %ld %s while stopping", (long)w.pid, how);
        return;
    }
    mlog(LOG_WARNING, "smtpd worker pid %ld %s", (long)w.pid, how);
    if (w.generation != m->generation || has_current_worker(m) || m->restart_at)
        return;
    long long ran = now_ms() - w.started_ms;
    long long delay;
    if (ran >= HEALTHY_RUN_MS) {
        m->backoff_ms = 0;
        delay = 0;
    } else {
        m->backoff_ms = m->backoff_ms ? m->backoff_ms * 2 : BACKOFF_FIRST_MS;
        if (m->backoff_ms > BACKOFF_MAX_MS)
            m->backoff_ms = BACKOFF_MAX_MS;
        delay = m->backoff_ms;
        mlog(LOG_WARNING, "smtpd worker ran %lld.%03lld s; throttling: the next one starts in %lld s",
             ran / 1000, ran % 1000, delay / 1000);
    }
    m->restart_at = now_ms() + delay;
    if (m->restart_at == 0)
        m->restart_at = 1;
}

static void reap(master *m)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (size_t i = 0; i < m->nw; i++) {
            if (m->w[i].pid != pid)
                continue;
            mworker w = m->w[i];
            m->w[i] = m->w[--m->nw];
            worker_ended(m, w, status);
            break;
        }
    }
}

static void restart_due(master *m)
{
    if (!m->restart_at || now_ms() < m->restart_at || m->stopping)
        return;
    m->restart_at = 0;
    if (has_current_worker(m))
        return;
    strbuf err;
    sb_init(&err);
    if (spawn(m, &m->im, m->image_path, m->generation, &m->ls, &err) < 0) {
        mlog(LOG_WARNING, "%s; retrying in 1 s", sb_str(&err));
        m->restart_at = now_ms() + BACKOFF_FIRST_MS;
    } else {
        mlog(LOG_INFO, "smtpd worker pid %ld started (generation %llu)", (long)m->w[m->nw - 1].pid,
             (unsigned long long)m->generation);
    }
    sb_free(&err);
}

/* ---- reload -------------------------------------------------------------------------- */

/* Load and validate path; on success new sessions use it at once (a new
 * worker), sessions in flight finish on the old one (drained). On refusal
 * nothing changed. 0 or -1; the reply line in reply. */
static int reload(master *m, const char *path, strbuf *reply)
{
    if (!path || !*path)
        path = m->image_path;
    strbuf err;
    sb_init(&err);
    img nim;
    lset want;
    if (m->stopping) {
        sb_adds(&err, "the master is stopping");
        goto refused;
    }
    if (img_open(&nim, path, &err) < 0)
        goto refused;
    if (ls_plan(&nim, &want, &err) < 0) {
        img_close(&nim);
        goto refused;
    }
    if (ls_bind(&want, &m->ls, &err) < 0) {
        ls_free(&want);
        img_close(&nim);
        goto refused;
    }
    char *npath = realpath(path, NULL);
    if (!npath)
        npath = xstrdup(path);
    uint64_t gen = m->generation + 1;
    if (spawn(m, &nim, npath, gen, &want, &err) < 0) {
        ls_unbind_new(&want, &m->ls);
        ls_free(&want);
        img_close(&nim);
        free(npath);
        goto refused;
    }
    pid_t newpid = m->w[m->nw - 1].pid;
    /* the old generation drains; a pending restart of it is moot */
    for (size_t i = 0; i < m->nw; i++) {
        mworker *w = &m->w[i];
        if (w->generation != gen && !w->draining) {
            w->draining = 1;
            m->stats[w->slot].draining = 1;
            kill(w->pid, WORKER_SIG_DRAIN);
        }
    }
    m->restart_at = 0;
    m->backoff_ms = 0;
    for (size_t i = 0; i < m->ls.n; i++)
        if (!ls_has_fd(&want, m->ls.v[i].fd))
            mlog(LOG_INFO, "closed listener %s", m->ls.v[i].endpoint);
    for (size_t i = 0; i < want.n; i++)
        if (!ls_has_fd(&m->ls, want.v[i].fd))
            mlog(LOG_INFO, "listening on %s (service %s)", want.v[i].endpoint,
                 img_str(&nim, nim.services[want.v[i].service].name));
    ls_close_removed(&m->ls, &want);
    ls_free(&m->ls);
    m->ls = want;
    const img_param *qd = img_param_find(&nim, "queue_directory");
    if (!m->queue_from_opt && qd && strcmp(img_str(&nim, qd->text), m->queue_dir) != 0)
        mlog(LOG_WARNING, "the new image's queue_directory %s is not used until a restart; the queue stays %s",
             img_str(&nim, qd->text), m->queue_dir);
    img_close(&m->im);
    m->im = nim;
    free(m->image_path);
    m->image_path = npath;
    m->generation = gen;
    m->loaded = time(NULL);
    img_digest_hex(&m->im, 0, m->digest);
    mlog(LOG_INFO, "reload -- generation %llu, image %s, digest %.16s, worker pid %ld",
         (unsigned long long)gen, m->image_path, m->digest, (long)newpid);
    sb_addf(reply, "ok generation %llu digest %s", (unsigned long long)gen, m->digest);
    sb_free(&err);
    return 0;
refused:
    mlog(LOG_WARNING, "reload refused, generation %llu keeps serving: %s", (unsigned long long)m->generation,
         sb_str(&err));
    sb_addf(reply, "error: %s", sb_str(&err));
    sb_free(&err);
    return -1;
}

/* ---- stop ------------------------------------------------------------------------------ */

static void begin_stop(master *m, const char *why)
{
    if (m->stopping)
        return;
    m->stopping = 1;
    m->restart_at = 0;
    m->stop_deadline = now_ms() + STOP_GRACE_MS;
    mlog(LOG_INFO, "stopping (%s)", why);
    for (size_t i = 0; i < m->nw; i++)
        kill(m->w[i].pid, WORKER_SIG_STOP);
}

static void stop_overdue(master *m)
{
    if (!m->stopping || now_ms() < m->stop_deadline)
        return;
    if (m->killed) {                     /* gone or unkillable: leave */
        m->nw = 0;
        return;
    }
    for (size_t i = 0; i < m->nw; i++) {
        mlog(LOG_WARNING, "smtpd worker pid %ld did not stop within %d s; killing it", (long)m->w[i].pid,
             STOP_GRACE_MS / 1000);
        kill(m->w[i].pid, SIGKILL);
    }
    m->killed = 1;
    m->stop_deadline = now_ms() + KILL_GRACE_MS;
}

/* ---- control requests ---------------------------------------------------------------- */

static int may_control(const master *m, const ctl_conn *c)
{
    return c->uid == 0 || c->uid == geteuid();
}

static void serve_request(master *m, ctl_conn *c)
{
    const char *req = sb_str(&c->line);
    strbuf reply;
    sb_init(&reply);
    if (strcmp(req, "status json") == 0 || strcmp(req, "status") == 0 || strcmp(req, "status text") == 0) {
        sb_adds(&reply, "ok\n");
        status_render(m, strcmp(req, "status text") != 0, &reply);
    } else if (strcmp(req, "reload") == 0 || strncmp(req, "reload ", 7) == 0) {
        if (!may_control(m, c))
            sb_addf(&reply, "error: permission denied: only root or uid %ld may reload this master",
                    (long)geteuid());
        else
            reload(m, req[6] ? req + 7 : NULL, &reply);
    } else if (strcmp(req, "stop") == 0) {
        if (!may_control(m, c)) {
            sb_addf(&reply, "error: permission denied: only root or uid %ld may stop this master",
                    (long)geteuid());
        } else {
            char why[64];
            snprintf(why, sizeof why, "stop request from pid %ld", (long)c->pid);
            begin_stop(m, why);
            ctl_send(c, "ok stopping");
            /* the caller waits for this connection to close: at our exit */
            xgrow(&m->stop_fds, &m->stop_cap, m->nstop + 1, sizeof *m->stop_fds);
            m->stop_fds[m->nstop++] = c->fd;
            c->fd = -1;
            ctl_done(c);
            sb_free(&reply);
            return;
        }
    } else {
        sb_addf(&reply, "error: unknown request \"%.64s\" (status, reload, stop)", req);
    }
    ctl_send(c, sb_str(&reply));
    ctl_done(c);
    sb_free(&reply);
}

/* ---- signals ----------------------------------------------------------------------------- */

static int sig_write_fd = -1;

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    ssize_t w = write(sig_write_fd, &b, 1);
    (void)w;
    errno = saved;
}

static int setup_signals(master *m)
{
    if (pipe2(m->sig_fd, O_CLOEXEC | O_NONBLOCK) < 0)
        return -1;
    sig_write_fd = m->sig_fd[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

static void handle_signals(master *m)
{
    unsigned char buf[64];
    ssize_t n;
    while ((n = read(m->sig_fd[0], buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            switch (buf[i]) {
            case SIGCHLD:
                reap(m);
                break;
            case SIGTERM:
                begin_stop(m, "signal SIGTERM");
                break;
            case SIGINT:
                begin_stop(m, "signal SIGINT");
                break;
            case SIGHUP: {
                strbuf reply;
                sb_init(&reply);
                reload(m, NULL, &reply);        /* it logs either way */
                sb_free(&reply);
                break;
            }
            }
        }
    }
}

/* ---- the loop --------------------------------------------------------------------------- */

static void run(master *m)
{
    while (!(m->stopping && m->nw == 0)) {
        long long now = now_ms(), wake = -1;
        if (m->restart_at && !m->stopping)
            wake = m->restart_at;
        if (m->stopping)
            wake = m->stop_deadline;
        int timeout = wake < 0 ? -1 : wake <= now ? 0 : (int)(wake - now > INT_MAX ? INT_MAX : wake - now);
        struct pollfd p[2] = {
            { .fd = m->sig_fd[0], .events = POLLIN },
            { .fd = m->ctl_fd, .events = POLLIN },
        };
        int n = poll(p, 2, timeout);
        if (n < 0 && errno != EINTR) {
            mlog(LOG_ERR, "poll: %s", strerror(errno));
            sleep(1);
        }
        if (n > 0 && (p[0].revents & POLLIN))
            handle_signals(m);
        if (n > 0 && (p[1].revents & POLLIN)) {
            ctl_conn c;
            for (int i = 0; i < 16 && ctl_accept(m->ctl_fd, &c) == 0; i++) {
                m->conn_fd = c.fd;      /* a worker forked now must not keep it */
                serve_request(m, &c);
                m->conn_fd = -1;
            }
        }
        reap(m);               /* a SIGCHLD that raced the loop */
        restart_due(m);
        stop_overdue(m);
    }
}

/* ---- start -------------------------------------------------------------------------------- */

static int recover_queue(master *m)
{
    strbuf err;
    sb_init(&err);
    qstore *q = qs_open(m->queue_dir, &err);
    qs_recovery r = { 0, 0, 0 };
    if (!q || qs_recover(q, &r, &err) < 0) {
        start_failed(m, "queue %s: %s", m->queue_dir, sb_str(&err));
        if (q)
            qs_close(q);
        sb_free(&err);
        return -1;
    }
    qs_close(q);
    mlog(LOG_INFO, "queue %s: recovery kept %u, removed %u never acknowledged, moved %u to corrupt",
         m->queue_dir, r.kept, r.removed, r.corrupt);
    sb_free(&err);
    return 0;
}

static void cleanup(master *m)
{
    for (size_t i = 0; i < m->ls.n; i++)
        if (m->ls.v[i].fd >= 0)
            close(m->ls.v[i].fd);
    ls_free(&m->ls);
    if (m->ctl_fd >= 0) {
        close(m->ctl_fd);
        unlink(m->ctl_path);
    }
    if (m->lock_fd >= 0) {
        unlink(m->pid_path);
        close(m->lock_fd);
    }
    if (m->sig_fd[0] >= 0) {
        signal(SIGCHLD, SIG_DFL);
        close(m->sig_fd[0]);
        close(m->sig_fd[1]);
    }
    if (m->stats)
        munmap(m->stats, MTAD_STAT_SLOTS * sizeof *m->stats);
    if (m->im.base)
        img_close(&m->im);
    free(m->w);
    free(m->image_path);
    free(m->queue_dir);
    free(m->ctl_path);
    free(m->pid_path);
    /* last: `mtad stop` returns when these close */
    for (size_t i = 0; i < m->nstop; i++)
        close(m->stop_fds[i]);
    free(m->stop_fds);
}

/* Postfix's queue has maildrop/ and public/, ours never: refuse it rather
 * than recover (and so remove) Postfix's unfinished files as ours. */
static int is_postfix_queue(const char *dir)
{
    static const char *const marks[] = { "maildrop", "public" };
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++) {
        char p[4096];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, marks[i]);
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            return 1;
    }
    return 0;
}

/* The queue directory as an absolute path, created when missing. */
static char *queue_path(const char *dir, strbuf *err)
{
    if (mkdir_p(dir, 0755) < 0) {
        sb_addf(err, "%s: cannot create the queue directory: %s", dir, strerror(errno));
        return NULL;
    }
    char *abs = realpath(dir, NULL);
    if (!abs)
        sb_addf(err, "%s: %s", dir, strerror(errno));
    return abs;
}

int master_start(const master_opts *o)
{
    master mm, *m = &mm;
    memset(m, 0, sizeof *m);
    m->ctl_fd = m->lock_fd = m->ready_fd = m->conn_fd = m->sig_fd[0] = m->sig_fd[1] = -1;
    m->foreground = o->foreground;
    m->queue_from_opt = o->queue_dir && *o->queue_dir;
    strbuf err;
    sb_init(&err);
    int rc = 1;

    /* what can be refused at once, before going to the background */
    const char *image = mtad_image_path(o->image);
    if (img_open(&m->im, image, &err) < 0) {
        start_failed(m, "%s", sb_str(&err));
        goto out;
    }
    m->image_path = realpath(image, NULL);
    img_digest_hex(&m->im, 0, m->digest);
    char *qd = mtad_queue_dir(o->queue_dir, m->image_path, &err);
    if (!qd || !(m->queue_dir = queue_path(qd, &err))) {
        start_failed(m, "%s", sb_str(&err));
        free(qd);
        goto out;
    }
    free(qd);
    if (is_postfix_queue(m->queue_dir)) {
        start_failed(m, "%s is a Postfix queue (it has maildrop/ or public/); mtad keeps its own: "
                        "give -q DIR or set queue_directory", m->queue_dir);
        goto out;
    }
    m->ctl_path = mtad_ctl_path(m->queue_dir);
    m->pid_path = mtad_pid_path(m->queue_dir);
    char *piddir = mtad_pid_dir(m->queue_dir);
    int pd = mkdir(piddir, 0755);
    if (pd < 0 && errno != EEXIST) {
        start_failed(m, "%s: cannot create: %s", piddir, strerror(errno));
        free(piddir);
        goto out;
    }
    free(piddir);
    if (!m->foreground && daemonize(m) < 0) {
        start_failed(m, "cannot go to the background: %s", strerror(errno));
        goto out;
    }

    /* from here on the daemon (or the -f process) */
    if (setup_log(m) < 0) {
        start_failed(m, "cannot open the log: %s", strerror(errno));
        goto out;
    }
    if ((m->lock_fd = pidfile_lock(m->pid_path, m->queue_dir, &err)) < 0) {
        start_failed(m, "%s", sb_str(&err));
        goto out;
    }
    if (recover_queue(m) < 0)
        goto out;
    priv_plan(&m->im, &m->priv);
    if (priv_prepare_queue(&m->priv, m->queue_dir, &err) < 0) {
        start_failed(m, "%s", sb_str(&err));
        goto out;
    }
    lset want;
    if (ls_plan(&m->im, &want, &err) < 0) {
        start_failed(m, "%s", sb_str(&err));
        goto out;
    }
    if (ls_bind(&want, NULL, &err) < 0) {
        ls_free(&want);
        start_failed(m, "%s", sb_str(&err));
        goto out;
    }
    m->ls = want;
    if ((m->ctl_fd = ctl_listen(m->ctl_path, &err)) < 0) {
        start_failed(m, "%s", sb_str(&err));
        goto out;
    }
    m->stats = mmap(NULL, MTAD_STAT_SLOTS * sizeof *m->stats, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m->stats == MAP_FAILED) {
        m->stats = NULL;
        start_failed(m, "cannot map the stats page: %s", strerror(errno));
        goto out;
    }
    if (setup_signals(m) < 0) {
        start_failed(m, "cannot create a pipe: %s", strerror(errno));
        goto out;
    }
    pidfile_write(m->lock_fd, getpid());
    m->generation = 1;
    m->started = m->loaded = time(NULL);
    if (spawn(m, &m->im, m->image_path, m->generation, &m->ls, &err) < 0) {
        start_failed(m, "%s", sb_str(&err));
        goto out;
    }
    strbuf where;
    sb_init(&where);
    for (size_t i = 0; i < m->ls.n; i++)
        sb_addf(&where, "%s%s", i ? ", " : "", m->ls.v[i].endpoint);
    mlog(LOG_INFO, "daemon started -- image %s, digest %.16s, queue %s, listening on %s%s%s", m->image_path,
         m->digest, m->queue_dir, m->ls.n ? sb_str(&where) : "nothing (no inet smtpd service)",
         m->priv.drop ? ", workers run as " : "", m->priv.drop ? m->priv.user : "");
    if (m->ready_fd >= 0) {
        strbuf ok;
        sb_init(&ok);
        sb_addf(&ok, "ok mtad: master pid %ld started on %s, listening on %s", (long)getpid(), m->queue_dir,
                m->ls.n ? sb_str(&where) : "nothing");
        ssize_t w = write(m->ready_fd, sb_str(&ok), ok.len);
        (void)w;
        sb_free(&ok);
        close(m->ready_fd);
        m->ready_fd = -1;
    }
    sb_free(&where);
    run(m);
    mlog(LOG_INFO, "stopped");
    rc = 0;
out:
    cleanup(m);
    sb_free(&err);
    mlog_close();
    return rc;
}
