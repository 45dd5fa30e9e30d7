/* policy_client.c: connections to policy servers (see policy_client.h),
 * kept as Postfix keeps them: one per check_policy_service (endpoint and
 * attributes) per process, reused for the next request, closed after
 * max_idle without use, max_ttl after it was opened, request_limit
 * requests, or any failure. A request is tried up to try_limit times,
 * retry_delay apart; each attempt has timeout for connecting, sending
 * and the whole reply (Postfix times each read and write; a whole-attempt
 * deadline also bounds a server that answers a byte at a time).
 *
 * Two things differ from Postfix on purpose: a cached connection that
 * the server closed (or wrote to unasked) is replaced before it is used,
 * without costing an attempt; and a failed connection is always closed
 * (Postfix 3.7 with try_limit=1 keeps a timed-out one, and every later
 * request on it fails). Bytes after a reply's empty line are dropped, as
 * Postfix drops them.
 *
 * Blocking for now (mtad runs it in a worker): sockets are non-blocking
 * and every wait is a poll() with the attempt's deadline, but an inet
 * host name is resolved by getaddrinfo outside it, and retry_delay is
 * slept. pol_policy_clients_sweep gives an event loop its next timer. */
#include "stdlib/policy/policy_client.h"
#include "stdlib/util/alloc.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define REPLY_MAX 65536   /* a longer reply is a broken server */

typedef struct pol_conn {
    char     *endpoint, *attrs;   /* the check_policy_service it serves */
    int       fd;                 /* -1: not connected */
    long long opened, used;       /* monotonic milliseconds */
    long long max_idle, max_ttl;  /* milliseconds, as last used */
    long long requests;           /* answered on this connection */
} pol_conn;

struct pol_policy_clients {
    char             *base_dir;
    pol_conn         *v;
    size_t            n, cap;
    void            (*warn)(void *arg, const char *msg);
    void             *warn_arg;
    pol_policy_stats  st;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long long ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

pol_policy_clients *pol_policy_clients_new(const char *base_dir)
{
    pol_policy_clients *c = xcalloc(1, sizeof *c);
    c->base_dir = base_dir && *base_dir ? xstrdup(base_dir) : NULL;
    return c;
}

static void conn_close(pol_conn *k)
{
    if (k->fd >= 0)
        close(k->fd);
    k->fd = -1;
}

void pol_policy_clients_free(pol_policy_clients *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        conn_close(&c->v[i]);
        free(c->v[i].endpoint);
        free(c->v[i].attrs);
    }
    free(c->v);
    free(c->base_dir);
    free(c);
}

void pol_policy_clients_set_warn(pol_policy_clients *c, void (*warn)(void *, const char *),
                                 void *arg)
{
    c->warn = warn;
    c->warn_arg = arg;
}

void pol_policy_clients_stats(const pol_policy_clients *c, pol_policy_stats *st)
{
    *st = c->st;
    st->open = 0;
    for (size_t i = 0; i < c->n; i++)
        st->open += c->v[i].fd >= 0;
}

/* The connection slot of cfg's check_policy_service (made when new). */
static pol_conn *conn_get(pol_policy_clients *c, const pol_policy_cfg *cfg)
{
    const char *attrs = cfg->attrs ? cfg->attrs : "";
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].endpoint, cfg->endpoint) == 0 && strcmp(c->v[i].attrs, attrs) == 0)
            return &c->v[i];
    xgrow(&c->v, &c->cap, c->n + 1, sizeof *c->v);
    pol_conn *k = &c->v[c->n++];
    memset(k, 0, sizeof *k);
    k->endpoint = xstrdup(cfg->endpoint);
    k->attrs = xstrdup(attrs);
    k->fd = -1;
    return k;
}

/* When an open connection is to be closed (max_idle, max_ttl). */
static long long conn_due(const pol_conn *k)
{
    long long idle = k->used + k->max_idle, ttl = k->opened + k->max_ttl;
    return idle < ttl ? idle : ttl;
}

long long pol_policy_clients_sweep(pol_policy_clients *c)
{
    long long now = now_ms(), next = -1;
    for (size_t i = 0; i < c->n; i++) {
        pol_conn *k = &c->v[i];
        if (k->fd < 0)
            continue;
        long long due = conn_due(k);
        if (due <= now)
            conn_close(k);
        else if (next < 0 || due - now < next)
            next = due - now;
    }
    return next;
}

/* Wait until fd has events or the deadline passes: 1 ready, 0 timed
 * out, -1 error (errno). */
static int wait_fd(int fd, short events, long long deadline)
{
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = { .fd = fd, .events = events };
        int r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
        if (r != 0 || errno != EINTR)
            return r > 0 ? 1 : r;
    }
}

/* A non-blocking stream socket connected to sa by the deadline: the
 * descriptor, or -1 with errno. */
static int connect_addr(int family, const struct sockaddr *sa, socklen_t len, long long deadline)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int err = 0;
    if (connect(fd, sa, len) < 0) {
        err = errno;
        if (err == EINPROGRESS) {
            int w = wait_fd(fd, POLLOUT, deadline);
            socklen_t el = sizeof err;
            if (w == 0)
                err = ETIMEDOUT;
            else if (w < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
                err = errno;
        }
    }
    if (err) {
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

/* "host:port" (host may be "[v6]"): the descriptor, or -1 with why. */
static int connect_inet(const char *addr, long long deadline, strbuf *why)
{
    const char *colon = strrchr(addr, ':');
    if (!colon || colon == addr || !colon[1]) {
        sb_addf(why, "bad inet endpoint \"%s\" (expecting host:port)", addr);
        return -1;
    }
    char *host = xstrndup(addr, (size_t)(colon - addr));
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = 0;
    }
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
    int g = getaddrinfo(host, colon + 1, &hints, &res);
    free(host);
    if (g != 0) {
        sb_addf(why, "connect to %s: %s", addr, gai_strerror(g));
        return -1;
    }
    int fd = -1;
    errno = ECONNREFUSED;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next)
        fd = connect_addr(a->ai_family, a->ai_addr, a->ai_addrlen, deadline);
    if (fd < 0)
        sb_addf(why, "connect to %s: %s", addr, strerror(errno));
    freeaddrinfo(res);
    return fd;
}

/* A UNIX-domain socket path, relative ones under base_dir. */
static int connect_unix(const pol_policy_clients *c, const char *path, long long deadline,
                        strbuf *why)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int n = path[0] != '/' && c->base_dir
                ? snprintf(sun.sun_path, sizeof sun.sun_path, "%s/%s", c->base_dir, path)
                : snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
    if (!*path || n < 0 || (size_t)n >= sizeof sun.sun_path) {
        sb_addf(why, "connect to %s: %s", path, *path ? "path too long" : "empty path");
        return -1;
    }
    int fd = connect_addr(AF_UNIX, (struct sockaddr *)&sun, sizeof sun, deadline);
    if (fd < 0)
        sb_addf(why, "connect to %s: %s", sun.sun_path, strerror(errno));
    return fd;
}

/* Connect to "inet:host:port" or "unix:path" ("local:path" is the same). */
static int connect_endpoint(const pol_policy_clients *c, const char *ep, long long deadline,
                            strbuf *why)
{
    const char *colon = strchr(ep, ':');
    size_t tl = colon ? (size_t)(colon - ep) : 0;
    if (tl == 4 && strncmp(ep, "inet", 4) == 0)
        return connect_inet(colon + 1, deadline, why);
    if ((tl == 4 && strncmp(ep, "unix", 4) == 0) || (tl == 5 && strncmp(ep, "local", 5) == 0))
        return connect_unix(c, colon + 1, deadline, why);
    sb_addf(why, "unsupported policy service endpoint \"%s\" (inet:host:port or unix:path)", ep);
    return -1;
}

/* Send all of buf by the deadline: 0, or -1 with errno. */
static int send_all(int fd, const char *buf, size_t len, long long deadline)
{
    while (len > 0) {
        ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);
        if (w > 0) {
            buf += w;
            len -= (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
        int r = wait_fd(fd, POLLOUT, deadline);
        if (r <= 0) {
            if (r == 0)
                errno = ETIMEDOUT;
            return -1;
        }
    }
    return 0;
}

/* Read one whole reply into buf by the deadline: its length, or 0 with
 * why (timeout, end of input, too long). */
static size_t recv_reply(int fd, long long deadline, strbuf *buf, strbuf *why)
{
    char tmp[4096];
    for (;;) {
        size_t n = pol_policy_reply_len(sb_str(buf), buf->len);
        if (n)
            return n;
        if (buf->len > REPLY_MAX) {
            sb_adds(why, "reply too long");
            return 0;
        }
        ssize_t r = recv(fd, tmp, sizeof tmp, 0);
        if (r > 0) {
            sb_addn(buf, tmp, (size_t)r);
            continue;
        }
        if (r == 0) {
            sb_adds(why, buf->len ? "connection closed in the reply" : "connection closed");
            return 0;
        }
        if (errno != EAGAIN && errno != EINTR) {
            sb_adds(why, strerror(errno));
            return 0;
        }
        int w = wait_fd(fd, POLLIN, deadline);
        if (w <= 0) {
            sb_adds(why, w == 0 ? "timeout reading the reply" : strerror(errno));
            return 0;
        }
    }
}

/* Is a cached connection past its time, or closed (or written to) by
 * the server while it was idle? */
static int conn_stale(const pol_conn *k, long long now)
{
    if (conn_due(k) <= now)
        return 1;
    struct pollfd p = { .fd = k->fd, .events = POLLIN };
    return poll(&p, 1, 0) != 0;
}

/* One attempt on k: 0 with the action, or -1 with why. */
static int attempt(pol_policy_clients *c, pol_conn *k, const pol_policy_cfg *cfg,
                   const char *req, size_t len, strbuf *action, strbuf *why)
{
    long long now = now_ms(), deadline = now + cfg->timeout * 1000;
    if (k->fd >= 0 && conn_stale(k, now))
        conn_close(k);
    if (k->fd < 0) {
        if ((k->fd = connect_endpoint(c, cfg->endpoint, deadline, why)) < 0)
            return -1;
        c->st.connects++;
        k->opened = k->used = now;
        k->requests = 0;
    }
    k->max_idle = cfg->max_idle * 1000;
    k->max_ttl = cfg->max_ttl * 1000;
    strbuf reply;
    sb_init(&reply);
    int r = -1;
    if (send_all(k->fd, req, len, deadline) < 0) {
        sb_addf(why, "problem talking to server %s: %s", cfg->endpoint, strerror(errno));
    } else {
        sb_addf(why, "problem talking to server %s: ", cfg->endpoint);
        size_t n = recv_reply(k->fd, deadline, &reply, why);
        if (n && pol_policy_reply_action(reply.s, n, action) == 0)
            r = 0;
        else if (n)
            sb_adds(why, "missing attribute action in the reply");
    }
    sb_free(&reply);
    return r;
}

int pol_policy_exchange(pol_policy_clients *c, const pol_policy_cfg *cfg, const char *request,
                        size_t len, strbuf *action)
{
    pol_conn *k = conn_get(c, cfg);
    strbuf why;
    sb_init(&why);
    long long tries = cfg->try_limit > 0 ? cfg->try_limit : 1;
    for (long long i = 0; i < tries; i++) {
        if (i > 0)
            sleep_ms(cfg->retry_delay * 1000);
        sb_clear(&why);
        sb_clear(action);
        if (attempt(c, k, cfg, request, len, action, &why) == 0) {
            c->st.requests++;
            k->used = now_ms();
            if (++k->requests >= cfg->request_limit && cfg->request_limit > 0)
                conn_close(k);
            sb_free(&why);
            return 0;
        }
        conn_close(k);
        c->st.failures++;
        if (c->warn)
            c->warn(c->warn_arg, sb_str(&why));
    }
    sb_clear(action);
    sb_adds(action, sb_str(&why));
    sb_free(&why);
    return -1;
}

int pol_policy_ask(void *arg, const pol_session *s, const pol_policy_query *q, strbuf *action)
{
    strbuf req;
    sb_init(&req);
    pol_policy_request(s, q, &req);
    int r = pol_policy_exchange(arg, q->cfg, req.s, req.len, action);
    sb_free(&req);
    return r;
}
