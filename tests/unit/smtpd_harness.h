/* smtpd_harness.h: mtad's SMTP worker driven without its accept loop, for
 * tests/unit/test_smtpd_session.c and tests/fuzz/fuzz_smtpd.c: an image
 * built from a configuration written on the spot (harness_write_config),
 * a worker (smtpd_worker_init) over a queue in a temporary directory and
 * a resolver answering from a zone file (no network), and sessions on one end of
 * a socketpair whose other end plays the client. harness_settle runs
 * what the worker's loop would (the session's epoll events, the queue's
 * group commit, fibers, the end of an error sleep) until nothing is left
 * to do, and collects the replies. */
#ifndef TESTS_UNIT_SMTPD_HARNESS_H
#define TESTS_UNIT_SMTPD_HARNESS_H
#include "compiler/sim.h"
#include "runtime/log.h"
#include "runtime/smtpd/fiber.h"
#include "runtime/smtpd/smtpd.h"
#include "stdlib/policy/dns.h"
#include "stdlib/util/alloc.h"
#include "tests/unit/test_files.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

/* The services of harness_write_config, in listener order. */
enum { HARNESS_SMTP, HARNESS_BARE_REJECT, HARNESS_BARE_NORMALIZE, HARNESS_NSERVICES };

/* A configuration: access tables of each kind (hash, regexp, cidr) at
 * every stage, mynetworks, relay control, HELO and sender domain checks
 * answered by the zone file "zone", small limits (3 recipients, 2000
 * bytes, 512-byte lines, few errors), header and body checks; three
 * smtpd services differing in smtpd_forbid_bare_newline. */
static inline void harness_write_config(const char *dir)
{
    test_write_file(dir, "main.cf",
        "compatibility_level = 3.6\n"
        "myhostname = mx.example.com\n"
        "mydomain = example.com\n"
        "mydestination = $myhostname, example.com\n"
        "mynetworks = 127.0.0.0/8\n"
        "relay_domains = relay.example\n"
        "alias_maps =\n"
        "alias_database =\n"
        "local_recipient_maps = hash:users\n"
        "smtpd_client_restrictions = check_client_access cidr:clients\n"
        "smtpd_helo_restrictions = check_helo_access hash:helos,\n"
        "    warn_if_reject reject_unknown_helo_hostname\n"
        "smtpd_sender_restrictions = check_sender_access hash:senders, reject_non_fqdn_sender,\n"
        "    reject_unknown_sender_domain\n"
        "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n"
        "smtpd_recipient_restrictions = check_recipient_access regexp:rcpts,\n"
        "    permit_mynetworks, reject_unauth_destination\n"
        "smtpd_data_restrictions = reject_unauth_pipelining\n"
        "smtpd_end_of_data_restrictions = check_sender_access hash:eod\n"
        "smtpd_recipient_limit = 3\n"
        "message_size_limit = 2000\n"
        "line_length_limit = 512\n"
        "smtpd_soft_error_limit = 3\n"
        "smtpd_hard_error_limit = 8\n"
        "smtpd_junk_command_limit = 6\n"
        "header_checks = regexp:hc\n"
        "body_checks = regexp:bc\n");
    test_write_file(dir, "master.cf",
        "smtp inet n - n - - smtpd\n"
        "2525 inet n - n - - smtpd -o smtpd_forbid_bare_newline=reject\n"
        "  -o smtpd_forbid_bare_newline_exclusions=10.0.0.0/8\n"
        "2526 inet n - n - - smtpd -o smtpd_forbid_bare_newline=normalize\n"
        "  -o smtputf8_enable=no -o smtpd_discard_ehlo_keywords=pipelining,size\n");
    test_write_file(dir, "users", "alice x\nbob x\nblocked x\ndefer x\nprep x\n");
    test_write_file(dir, "clients",
        "192.0.2.66/32 REJECT client blocked by cidr\n10.0.0.0/8 OK\n");
    test_write_file(dir, "helos",
        "bad.example REJECT helo blocked by hash\nwarn.example WARN odd helo\n");
    test_write_file(dir, "senders",
        "spam@bad.example REJECT sender blocked by hash\n"
        "later.example 450 4.7.1 sender deferred by hash\n"
        "hold@example.org HOLD held by hash\n"
        "discard@example.org DISCARD\n"
        "filter@example.org FILTER smtp:[127.0.0.1]:10025\n"
        "redirect@example.org REDIRECT alice@example.com\n");
    test_write_file(dir, "rcpts",
        "/^blocked@/ REJECT recipient blocked by regexp\n"
        "/^defer@/ DEFER_IF_PERMIT recipient deferred by regexp\n"
        "/^prep@/ PREPEND X-Prepended: yes\n");
    test_write_file(dir, "eod", "late@example.org REJECT rejected at end of data\n");
    test_write_file(dir, "hc",
        "/^Subject: reject/ REJECT header rejected\n/^Subject: hold/ HOLD\n"
        "/^X-Drop:/ IGNORE\n/^Subject: discard/ DISCARD\n");
    test_write_file(dir, "zone",
        "example.org A 192.0.2.10\nexample.com MX 10 mx.example.com\nmx.example.com A 192.0.2.25\n"
        "c.example A 192.0.2.30\nclient.example.org A 198.51.100.7\nlater.example SERVFAIL\n");
    test_write_file(dir, "bc", "/^bodyreject/ REJECT body rejected\n/^bodyhold/ HOLD\n");
}

typedef struct harness_env {
    img            im;
    char           qdir[64];
    mtad_listener  ls[HARNESS_NSERVICES];
    worker_args    args;
    mtad_stats    *stats;               /* mmap'ed, as the master shares it */
    smtpd_worker   w;
} harness_env;

/* One client: the session and the socket end the client speaks on. */
typedef struct harness_conn {
    smtpd_session *s;                   /* valid (s->dead once closed) until harness_end */
    int            peer;
    strbuf         replies;             /* everything the server sent */
} harness_conn;

/* The resolver: confdir/zone (dns_fixture.c), asked as the worker asks
 * its own, from a pool thread while the session's fiber waits, so
 * decisions pause and resume as they do on the network. */
typedef struct harness_dns {
    pol_dns  base;
    pol_dns *zone;
} harness_dns;

typedef struct harness_dns_job {
    offload_job    j;
    pol_dns       *zone;
    const char    *name;
    int            type;
    pol_dns_rr    *rr;
    size_t         n;
    pol_dns_status st;
} harness_dns_job;

static inline void harness_dns_run(offload_job *oj)
{
    harness_dns_job *j = (harness_dns_job *)oj;
    j->st = pol_dns_query(j->zone, j->name, j->type, &j->rr, &j->n);
}

static inline pol_dns_status harness_dns_query(pol_dns *d, const char *name, int type,
                                               pol_dns_rr **rr, size_t *n)
{
    harness_dns_job j = {.j.run = harness_dns_run, .zone = ((harness_dns *)d)->zone,
                         .name = name, .type = type};
    fiber_offload(&j.j);
    *rr = j.rr;
    *n = j.n;
    return j.st;
}

static inline void harness_dns_free(pol_dns *d)
{
    pol_dns_free(((harness_dns *)d)->zone);
    free(d);
}

/* Build the image of confdir (written by harness_write_config), open a
 * queue in a new temporary directory and set the worker up. Log lines go
 * to log_path (NULL: nowhere). -1 on failure (said on stderr). */
static inline int harness_open(harness_env *e, const char *confdir, const char *log_path)
{
    static const char *const names[HARNESS_NSERVICES] = {"smtp", "2525", "2526"};
    memset(e, 0, sizeof *e);
    mlog_open(MLOG_FILE, log_path ? log_path : "/dev/null");
    if (sim_image_from_dir(confdir, "harness", &e->im) < 0)
        return -1;
    for (int i = 0; i < HARNESS_NSERVICES; i++) {
        const img_service *svc = sim_find_service(&e->im, names[i]);
        if (!svc) {
            fprintf(stderr, "harness: no service %s\n", names[i]);
            return -1;
        }
        e->ls[i].fd = -1;
        e->ls[i].service = (uint32_t)(svc - e->im.services);
        snprintf(e->ls[i].endpoint, sizeof e->ls[i].endpoint, "127.0.0.1:%s", names[i]);
    }
    /* a memory file system when there is one: every message is synced */
    snprintf(e->qdir, sizeof e->qdir, "%s/smtpd_harness.XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(e->qdir)) {
        fprintf(stderr, "harness: mkdtemp: %s\n", strerror(errno));
        return -1;
    }
    e->stats = mmap(NULL, sizeof *e->stats, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (e->stats == MAP_FAILED)
        fatal("mmap: %s", strerror(errno));
    e->args = (worker_args){.im = &e->im, .image_path = "harness", .generation = 1, .ls = e->ls,
                            .nls = HARNESS_NSERVICES, .queue_dir = e->qdir, .stats = e->stats};
    if (smtpd_worker_init(&e->w, &e->args) != 0)
        return -1;
    char zone[512];
    snprintf(zone, sizeof zone, "%s/zone", confdir);
    const char *zones[] = {zone};
    strbuf err;
    sb_init(&err);
    harness_dns *dns = xcalloc(1, sizeof *dns);
    dns->base.query = harness_dns_query;
    dns->base.free = harness_dns_free;
    dns->zone = pol_dns_fixture_new(zones, 1, &err);
    if (!dns->zone)
        fatal("harness: %s", sb_str(&err));
    sb_free(&err);
    pol_dns_free(e->w.dns);
    e->w.dns = &dns->base;
    /* the worker takes SIGINT through its signalfd; a harness stops on it */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    return 0;
}

/* Remove the queue's files (messages accepted so far); with dirs, its
 * directories too. */
static inline void harness_clean_queue_dirs(harness_env *e, int dirs)
{
    for (int st = 0; st < QS_NSTATES; st++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", e->qdir, qs_state_name((enum qs_state)st));
        DIR *d = opendir(path);
        if (!d)
            continue;
        for (struct dirent *de; (de = readdir(d));) {
            if (de->d_name[0] == '.')
                continue;
            char f[1024];
            snprintf(f, sizeof f, "%s/%s", path, de->d_name);
            unlink(f);
        }
        closedir(d);
        if (dirs)
            rmdir(path);
    }
}

static inline void harness_clean_queue(harness_env *e)
{
    harness_clean_queue_dirs(e, 0);
}

static inline void harness_close(harness_env *e)
{
    smtpd_worker_fini(&e->w);
    harness_clean_queue_dirs(e, 1);
    rmdir(e->qdir);
    munmap(e->stats, sizeof *e->stats);
    img_close(&e->im);
    mlog_close();
}

static inline int harness_alive(const harness_conn *c)
{
    return c->s && !c->s->dead;
}

/* Read what the server sent so far. */
static inline void harness_drain(harness_conn *c)
{
    char buf[4096];
    ssize_t n;
    while ((n = read(c->peer, buf, sizeof buf)) > 0)
        sb_addn(&c->replies, buf, (size_t)n);
}

/* Run what the worker's loop would run for c until nothing is left: its
 * epoll events (as smtpd_worker_main dispatches them), finished group
 * commits and offloaded calls, an error sleep's end (as its once-a-second
 * sweep does, without the wait). -1 if it does not come to rest. */
static inline int harness_settle(harness_env *e, harness_conn *c)
{
    smtpd_worker *w = &e->w;
    int idle_waits = 0;
    for (int round = 0; round < 100000; round++) {
        int progress = 0;
        size_t before = c->replies.len;
        harness_drain(c);
        progress |= c->replies.len != before;
        int waiting = w->commits || fibers_busy(w->fibers);
        struct pollfd p[2] = {{.fd = qs_event_fd(w->queue), .events = POLLIN},
                              {.fd = fibers_fd(w->fibers), .events = POLLIN}};
        if (poll(p, 2, waiting ? 1000 : 0) > 0) {
            if (p[0].revents & POLLIN)
                qs_dispatch(w->queue);
            if (p[1].revents & POLLIN)
                fibers_dispatch(w->fibers);
            progress = 1;
        } else if (waiting && ++idle_waits > 5) {
            return -1;       /* a commit or a blocking call that never ends */
        }
        struct epoll_event evs[8];
        int n = epoll_wait(w->ep, evs, 8, 0);
        for (int i = 0; i < n; i++) {
            smtpd_session *s = evs[i].data.ptr;
            if (s != c->s || s->dead)
                continue;    /* the worker's own sources: handled above */
            progress = 1;
            if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP) && s->out.len)
                smtpd_session_writable(s);
            else if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
                smtpd_session_readable(s);
        }
        if (harness_alive(c) && c->s->state == SS_SLEEP && !c->s->fiber_busy) {
            c->s->state = SS_CMD;
            c->s->deadline = time(NULL) + c->s->cfg->timeout;
            (void)smtpd_session_input(c->s);
            progress = 1;
        }
        if (!progress && !waiting)
            return 0;
    }
    return -1;
}

/* A client at addr (verified name: name, NULL "unknown") on service
 * HARNESS_*: the session starts as after the worker's name lookup; the
 * banner (or reject) is in c->replies. */
static inline int harness_connect(harness_env *e, harness_conn *c, int service, const char *addr,
                                  const char *name)
{
    int sv[2];
    memset(c, 0, sizeof *c);
    sb_init(&c->replies);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
        fatal("socketpair: %s", strerror(errno));
    c->peer = sv[1];
    c->s = smtpd_session_new(&e->w, &e->ls[service], sv[0]);
    snprintf(c->s->addr, sizeof c->s->addr, "%s", addr);
    c->s->name = xstrdup(name ? name : "unknown");
    c->s->reverse = xstrdup(name ? name : "unknown");
    smtpd_session_start(c->s);
    return harness_settle(e, c);
}

/* The client sends n bytes (all of them, as the server reads them, or
 * until the server closes). -1 if the session does not come to rest. */
static inline int harness_send(harness_env *e, harness_conn *c, const void *data, size_t n)
{
    const char *p = data;
    while (n && harness_alive(c)) {
        ssize_t k = write(c->peer, p, n);
        if (k < 0 && errno != EAGAIN && errno != EINTR)
            break;      /* the server closed */
        if (k > 0) {
            p += k;
            n -= (size_t)k;
        }
        if (harness_settle(e, c) != 0)
            return -1;
    }
    return 0;
}

enum harness_end { HARNESS_CLOSE, HARNESS_EOF, HARNESS_TIMEOUT };

/* End the client: the worker closes the session (HARNESS_CLOSE, as when
 * it stops), the client closes its side (HARNESS_EOF: the server must
 * end the session by itself), or smtpd_timeout passes. The last replies
 * are read; the socket and the session are gone after. -1 if the
 * session did not end as it should. */
static inline int harness_end(harness_env *e, harness_conn *c, enum harness_end how)
{
    int rc = harness_settle(e, c);
    if (harness_alive(c)) {
        if (how == HARNESS_EOF) {
            shutdown(c->peer, SHUT_WR);
            if (harness_settle(e, c) != 0 || harness_alive(c))
                rc = -1;
        }
        if (how == HARNESS_TIMEOUT && (c->s->state == SS_CMD || c->s->state == SS_DATA))
            smtpd_session_timeout(c->s);
        if (harness_alive(c))
            smtpd_close(c->s);
    }
    harness_drain(c);
    smtpd_reap(&e->w);
    c->s = NULL;
    close(c->peer);
    c->peer = -1;
    return rc;
}

static inline void harness_conn_free(harness_conn *c)
{
    sb_free(&c->replies);
}

/* Are the replies well formed: every line "DDD " or "DDD-", text
 * without NUL, ended by CRLF; the lines of one reply share their code?
 * (A lone CR inside a line, echoed from a client's parameter, frames
 * nothing and passes.) NULL, or what is wrong. */
static inline const char *harness_replies_bad(const char *r, size_t n)
{
    const char *prev = NULL;        /* the line before, when it said "DDD-" */
    while (n) {
        const char *eol = memchr(r, '\n', n);
        if (!eol)
            return "a reply line without an end";
        size_t len = (size_t)(eol - r);
        if (len < 5 || r[len - 1] != '\r')
            return "a reply line not ended by CRLF or shorter than a code";
        if (r[0] < '2' || r[0] > '5' || r[1] < '0' || r[1] > '9' || r[2] < '0' || r[2] > '9')
            return "a reply line without a code";
        if (r[3] != ' ' && r[3] != '-')
            return "a reply code not followed by ' ' or '-'";
        if (memchr(r, 0, len))
            return "a NUL inside a reply line";
        if (prev && memcmp(prev, r, 3) != 0)
            return "the lines of a reply with different codes";
        prev = r[3] == '-' ? r : NULL;
        n -= len + 1;
        r = eol + 1;
    }
    return prev ? "a multi-line reply without its last line" : NULL;
}

#endif
