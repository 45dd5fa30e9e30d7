/* session.c: one SMTP client of the worker: its buffers, the reading of
 * command and message lines (CRLF or bare LF, overlong lines), replies
 * (batched while pipelined commands are pending), time limits, and the
 * connect/disconnect and reject log lines in Postfix's format. */
#include "runtime/log.h"
#include "runtime/smtpd/blocking.h"
#include "runtime/smtpd/fiber.h"
#include "runtime/smtpd/smtpd.h"
#include "stdlib/util/alloc.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Input waiting beyond this while the client does not read our replies
 * stops the reading (a pipelining flood cannot grow memory). */
#define OUT_HIGH 65536

static void sockname(int fd, int peer, char *addr, size_t an, char *port, size_t pn)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int rc = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
                  : getsockname(fd, (struct sockaddr *)&ss, &len);
    snprintf(addr, an, "unknown");
    snprintf(port, pn, "0");
    if (rc != 0)
        return;
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, addr, (socklen_t)an);
        snprintf(port, pn, "%u", ntohs(a->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, addr, (socklen_t)an);
        /* an IPv4 client on an IPv6 socket is shown as IPv4, as Postfix does */
        if (strncmp(addr, "::ffff:", 7) == 0 && strchr(addr + 7, '.'))
            memmove(addr, addr + 7, strlen(addr + 7) + 1);
        snprintf(port, pn, "%u", ntohs(a->sin6_port));
    }   /* other families (no unix-domain smtpd listeners yet) stay "unknown" */
}

smtpd_session *smtpd_session_new(smtpd_worker *w, const mtad_listener *l, int fd)
{
    smtpd_session *s = xcalloc(1, sizeof *s);
    s->w = w;
    s->l = l;
    s->fd = fd;
    s->cfg = &w->gen.cfgs[l->service];
    s->state = SS_LOOKUP;
    sb_init(&s->out);
    sockname(fd, 1, s->addr, sizeof s->addr, s->port, sizeof s->port);
    sockname(fd, 0, s->server_addr, sizeof s->server_addr, s->server_port, sizeof s->server_port);
    s->deadline = time(NULL) + s->cfg->timeout;
    /* link */
    s->next = w->sessions.next;
    s->prev = &w->sessions;
    w->sessions.next->prev = s;
    w->sessions.next = s;
    w->nsessions++;
    w->args->stats->sessions_now = w->nsessions;
    w->args->stats->sessions_total++;
    return s;
}

/* How many sessions of this worker come from addr (the connection count
 * limit; the worker sees all of its own clients). */
static unsigned from_same(const smtpd_session *s)
{
    unsigned n = 0;
    for (const smtpd_session *o = s->w->sessions.next; o != &s->w->sessions; o = o->next)
        if (o != s && strcmp(o->addr, s->addr) == 0)
            n++;
    return n;
}

/* The banner, or the client restrictions' reject in its place. */
static void connect_unit(void *arg)
{
    smtpd_session *s = arg;
    pol_reply r;
    pol_reply_init(&r);
    pol_connect(&s->pol, &r);
    if (r.code != 220)
        smtpd_log_reject(s, "CONNECT", &r, NULL);
    smtpd_reply_pol(s, &r);
    pol_reply_free(&r);
}

static void connect_finish(smtpd_session *s)
{
    if (smtpd_flush(s) < 0 || (s->closing_after && !s->out.len)) {
        smtpd_close(s);
        return;
    }
    smtpd_watch(s);
}

static void connect_done(void *arg)
{
    smtpd_session *s = arg;
    s->fiber_busy = 0;
    connect_finish(s);
}

void smtpd_session_start(smtpd_session *s)
{
    smtpd_worker *w = s->w;
    if (!s->name)
        s->name = xstrdup("unknown");
    if (!s->reverse)
        s->reverse = xstrdup("unknown");
    snprintf(s->peer, sizeof s->peer, "%s[%s]", s->name, s->addr);
    mlog(LOG_INFO, "connect from %s", s->peer);
    pol_session *p = &s->pol;
    pol_session_init(p, &w->gen.pi, s->cfg->svc, w->dns);
    p->client_addr = s->addr;
    p->client_name = s->name;
    p->reverse_name = s->reverse;
    p->client_name_temp = s->name_temp;
    p->client_port = s->port;
    p->server_addr = s->server_addr;
    p->server_port = s->server_port;
    p->policy = smtpd_policy_ask;
    p->policy_arg = w->policy;
    s->state = SS_CMD;
    s->deadline = time(NULL) + s->cfg->timeout;
    s->bare_mode = s->cfg->bare_newline;
    if (s->bare_mode != SMTPD_BARE_ALLOW &&
        pol_client_listed(p, "smtpd_forbid_bare_newline_exclusions"))
        s->bare_mode = SMTPD_BARE_ALLOW;
    unsigned others = s->cfg->conn_limit > 0 ? from_same(s) : 0;
    if (s->cfg->conn_limit > 0 && others >= (unsigned long long)s->cfg->conn_limit &&
        !pol_client_listed(p, "smtpd_client_event_limit_exceptions")) {
        mlog(LOG_WARNING, "Connection concurrency limit exceeded: %u from %s for service %s",
             others + 1, s->peer, s->l->endpoint);
        smtpd_reply(s, "421 4.7.0 %s Error: too many connections from %s", s->cfg->myhostname,
                    s->addr);
        s->closing_after = 1;
    } else if (w->stopping) {
        smtpd_reply(s, "421 4.3.2 %s Service shutting down, closing transmission channel",
                    s->cfg->myhostname);
        s->closing_after = 1;
    } else if (!fiber_run(w->fibers, connect_unit, connect_done, s)) {
        s->fiber_busy = 1;   /* the client restrictions wait on the network */
        return;
    }
    connect_finish(s);
}

void smtpd_reply(smtpd_session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char buf[4096];
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    sb_addn(&s->out, buf, (size_t)n);
    sb_adds(&s->out, "\r\n");
}

/* A reply from the engine: its text may span lines ("\n"), each sent as
 * "code-text" but the last "code text". */
void smtpd_reply_pol(smtpd_session *s, const pol_reply *r)
{
    const char *t = r->text.s ? r->text.s : "";
    for (;;) {
        size_t n = strcspn(t, "\n");
        sb_addf(&s->out, "%d%c%.*s\r\n", r->code, t[n] ? '-' : ' ', (int)n, t);
        if (!t[n])
            break;
        t += n + 1;
    }
}

int smtpd_flush(smtpd_session *s)
{
    while (s->out.len) {
        ssize_t n = send(s->fd, s->out.s, s->out.len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            return -1;
        }
        memmove(s->out.s, s->out.s + n, s->out.len - (size_t)n);
        s->out.len -= (size_t)n;
        s->out.s[s->out.len] = 0;
    }
    if (!s->out.len && s->out.cap > 4096)
        sb_free(&s->out);   /* an idle session keeps no buffers */
    return 0;
}

/* The disconnect line's counts, in Postfix's order and form: "rcpt=2"
 * when all succeeded, "rcpt=1/2" when not. Indexes follow commands.c. */
static const struct { const char *name; int id; } count_order[] = {
    {"helo", 1}, {"ehlo", 0}, {"starttls", 12}, {"auth", 11}, {"mail", 2}, {"rcpt", 3},
    {"data", 4}, {"bdat", 5}, {"rset", 6}, {"noop", 7}, {"vrfy", 8}, {"etrn", 9},
    {"quit", 10}, {"xclient", 13}, {"xforward", 14}, {"unknown", 15},
};

static void put_count(char *buf, size_t n, size_t *off, const char *name, unsigned ok,
                      unsigned total)
{
    if (*off >= n)
        return;
    if (ok == total && total > 0)   /* a session without commands: "commands=0/0" */
        *off += (size_t)snprintf(buf + *off, n - *off, " %s=%u", name, total);
    else
        *off += (size_t)snprintf(buf + *off, n - *off, " %s=%u/%u", name, ok, total);
}

void smtpd_close(smtpd_session *s)
{
    if (s->peer[0]) {
        char counts[512];
        size_t off = 0;
        counts[0] = 0;
        for (size_t i = 0; i < sizeof count_order / sizeof count_order[0]; i++)
            if (s->count[count_order[i].id])
                put_count(counts, sizeof counts, &off, count_order[i].name,
                          s->ok[count_order[i].id], s->count[count_order[i].id]);
        put_count(counts, sizeof counts, &off, "commands", s->nok, s->ncommands);
        mlog(LOG_INFO, "disconnect from %s%s", s->peer, counts);
    }
    smtpd_session_free(s);
}

void smtpd_session_free(smtpd_session *s)
{
    smtpd_worker *w = s->w;
    if (s->dead)
        return;
    smtpd_reset(s);
    if (s->pol.pi)
        pol_session_free(&s->pol);
    close(s->fd);   /* also leaves epoll */
    s->prev->next = s->next;
    s->next->prev = s->prev;
    w->nsessions--;
    w->args->stats->sessions_now = w->nsessions;
    /* events for s may still wait in the current batch: free it after */
    s->dead = 1;
    s->next = w->dead;
    w->dead = s;
}

void smtpd_reap(smtpd_worker *w)
{
    for (smtpd_session *s = w->dead, *n; s; s = n) {
        n = s->next;
        free(s->in);
        sb_free(&s->out);
        free(s->name);
        free(s->reverse);
        free(s->helo);
        free(s);
    }
    w->dead = NULL;
}

/* A decision's log line: "NOQUEUE: reject: RCPT from host[addr]: 554
 * 5.7.1 ...; from=<s> to=<r> proto=ESMTP helo=<h>" (code 0: none, as for
 * "hold: ... <r>: text; from=..."); from= and helo= only when known. */
static void log_decision(smtpd_session *s, const char *what, const char *stage, int code,
                         const char *text, const char *rcpt)
{
    char tail[2048];
    size_t off = 0;
    tail[0] = 0;
    if (s->sender)
        off += (size_t)snprintf(tail + off, sizeof tail - off, " from=<%s>", s->sender);
    if (rcpt && off < sizeof tail)
        off += (size_t)snprintf(tail + off, sizeof tail - off, " to=<%s>", rcpt);
    if (off < sizeof tail)
        off += (size_t)snprintf(tail + off, sizeof tail - off, " proto=%s", s->esmtp ? "ESMTP" : "SMTP");
    if (s->helo && off < sizeof tail)
        snprintf(tail + off, sizeof tail - off, " helo=<%s>", s->helo);
    char codebuf[16] = "";
    if (code)
        snprintf(codebuf, sizeof codebuf, "%d ", code);
    mlog(LOG_INFO, "%s: %s: %s from %s: %s%s;%s", s->queue_id[0] ? s->queue_id : "NOQUEUE", what,
         stage, s->peer, codebuf, text, tail);
}

void smtpd_log_reject(smtpd_session *s, const char *stage, const pol_reply *r, const char *rcpt)
{
    log_decision(s, "reject", stage, r->code, r->text.s ? r->text.s : "", rcpt);
}

/* WARN and INFO results, and HOLD/DISCARD/FILTER/REDIRECT/BCC as Postfix
 * logs them ("NOQUEUE: hold: RCPT from ...: <r>: Recipient address
 * triggers HOLD action; from=..."). */
void smtpd_log_fx(smtpd_session *s, const char *stage, const pol_reply *r, const char *rcpt)
{
    for (size_t i = 0; i < r->nfx; i++)
        log_decision(s, pol_effect_name(r->fx[i].kind), stage, 0,
                     r->fx[i].text ? r->fx[i].text : "", rcpt);
}

void smtpd_session_timeout(smtpd_session *s)
{
    mlog(LOG_INFO, "timeout after %s from %s", s->last_cmd ? s->last_cmd : "CONNECT", s->peer);
    smtpd_reply(s, "421 4.4.2 %s Error: timeout exceeded", s->cfg->myhostname);
    smtpd_flush(s);
    smtpd_close(s);
}

/* Append what the socket has to the session's input. 0: got bytes or
 * nothing yet; -1: the client closed or failed. */
static int fill(smtpd_session *s)
{
    smtpd_worker *w = s->w;
    for (int rounds = 0; rounds < 4; rounds++) {
        ssize_t n = recv(s->fd, w->rbuf, w->rbuf_cap, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            return -1;
        }
        if (n == 0)
            return -1;
        if (s->in_len + (size_t)n > s->in_cap) {
            size_t cap = s->in_cap ? s->in_cap : 1024;
            while (cap < s->in_len + (size_t)n)
                cap *= 2;
            s->in = xrealloc(s->in, cap);
            s->in_cap = cap;
        }
        memcpy(s->in + s->in_len, w->rbuf, (size_t)n);
        s->in_len += (size_t)n;
        w->args->stats->bytes_received += (uint64_t)n;
        if ((size_t)n < w->rbuf_cap)
            return 0;
    }
    return 0;
}

static void lost(smtpd_session *s)
{
    mlog(LOG_INFO, "lost connection after %s from %s", s->last_cmd ? s->last_cmd : "CONNECT",
         s->peer);
    smtpd_close(s);
}

void smtpd_session_readable(smtpd_session *s)
{
    if (fill(s) < 0) {
        /* the client closed its side: what it sent is still answered
         * when whole (a QUIT after the message), then the session ends */
        s->peer_eof = 1;
        if (s->state == SS_COMMIT || s->state == SS_SLEEP) {
            smtpd_watch(s);
            return;
        }
        (void)smtpd_session_input(s);
        return;
    }
    s->deadline = time(NULL) + s->cfg->timeout;
    (void)smtpd_session_input(s);
}

void smtpd_session_writable(smtpd_session *s)
{
    if (smtpd_flush(s) < 0) {
        lost(s);
        return;
    }
    if (!s->out.len && s->closing_after) {
        smtpd_close(s);
        return;
    }
    if (s->state == SS_CMD && s->in_len)
        (void)smtpd_session_input(s);
    else
        smtpd_watch(s);
}

/* The unparsed input is s->in[s->in_off .. s->in_len): lines are taken
 * by moving in_off, and what is left moves to the front once per
 * round of parsing (compact), not once per line. */
static void consume(smtpd_session *s, size_t n)
{
    s->in_off += n;
}

static void compact(smtpd_session *s)
{
    if (!s->in_off)
        return;
    memmove(s->in, s->in + s->in_off, s->in_len - s->in_off);
    s->in_len -= s->in_off;
    s->in_off = 0;
}

/* A command, or the end of a message, is decided on a fiber: if it
 * waits on the network, the session pauses (fiber_busy) and goes on in
 * unit_done. */
static void command_unit(void *arg)
{
    smtpd_session *s = arg;
    smtpd_command(s, s->unit_line, s->unit_len);
}

static void eod_unit(void *arg)
{
    smtpd_end_of_data(arg);
}

static void unit_done(void *arg)
{
    smtpd_session *s = arg;
    free(s->unit_line);
    s->unit_line = NULL;
    s->fiber_busy = 0;
    (void)smtpd_session_input(s);
}

/* 1: the unit finished; 0: it waits (the session is paused) */
static int run_unit(smtpd_session *s, void (*fn)(void *))
{
    if (fiber_run(s->w->fibers, fn, unit_done, s))
        return 1;
    s->fiber_busy = 1;
    smtpd_watch(s);
    return 0;
}

/* Parse and act on buffered input while the state allows: commands one
 * by one (replies collect and go out together), message lines in DATA.
 * Stops at SS_COMMIT/SS_SLEEP (resumed later) and when the client is not
 * reading its replies. */
int smtpd_session_input(smtpd_session *s)
{
    size_t limit = (size_t)s->cfg->line_limit;
    if (s->fiber_busy)
        return 0;
    while (s->in_len > s->in_off && s->out.len < OUT_HIGH && !s->closing_after &&
           (s->state == SS_CMD || s->state == SS_DATA)) {
        char *in = s->in + s->in_off;
        size_t left = s->in_len - s->in_off;
        char *nl = memchr(in, '\n', left);
        size_t len = nl ? (size_t)(nl - in) : left;
        if (s->state == SS_DATA) {
            if (!nl && len < limit)
                break;                     /* wait for the rest of the line */
            int more = 0, crlf = 0;
            size_t take = len, eat = len + (nl != NULL);
            if (len > limit || !nl) {      /* a piece of a long line */
                take = eat = limit;
                more = 1;
            } else if (take && in[take - 1] == '\r') {
                take--;
                crlf = 1;
            }
            /* a CR that ends a piece belongs to the next piece's CRLF */
            if (more && in[take - 1] == '\r') {
                take--;
                eat--;
            }
            int end = smtpd_data_line(s, in, take, more, crlf);
            consume(s, eat);
            if (end && !run_unit(s, eod_unit)) {
                compact(s);
                return 0;
            }
            continue;
        }
        /* commands */
        if (s->discarding) {
            if (!nl) {
                consume(s, left);
                break;
            }
            consume(s, len + 1);
            s->discarding = 0;
            continue;
        }
        if (!nl) {
            if (len <= limit)
                break;
            /* too long a command: the first line_length_limit bytes are
             * the command, the rest up to the end of line is dropped */
            s->unit_line = xstrndup(in, limit);
            s->unit_len = limit;
            s->discarding = 1;
            consume(s, left);
            if (!run_unit(s, command_unit)) {
                compact(s);
                return 0;
            }
            free(s->unit_line);
            s->unit_line = NULL;
            continue;
        }
        size_t cl = len;
        if (cl && in[cl - 1] == '\r')
            cl--;
        else if (s->bare_mode == SMTPD_BARE_REJECT) {
            mlog(LOG_INFO, "bare <LF> received from %s", s->peer);
            smtpd_reply(s, "%d 5.5.2 Error: bare <LF> received", s->cfg->bare_reject_code);
            s->errors++;
            consume(s, len + 1);
            continue;
        }
        /* an overlong command is cut at line_length_limit and the rest
         * dropped, as Postfix's smtpd does */
        char *line = xstrndup(in, cl > limit ? limit : cl);
        consume(s, len + 1);
        /* more input after this command without PIPELINING being offered */
        s->pol.pipelined = !s->esmtp && s->in_len > s->in_off;
        s->unit_line = line;
        s->unit_len = cl > limit ? limit : cl;
        if (!run_unit(s, command_unit)) {
            compact(s);
            return 0;
        }
        free(line);
        s->unit_line = NULL;
    }
    compact(s);
    if (s->in_len == 0 && s->in_cap) {
        free(s->in);   /* idle sessions hold no input buffer */
        s->in = NULL;
        s->in_cap = 0;
    }
    if (s->state == SS_SLEEP) {
        smtpd_watch(s);
        return 0;      /* the reply waits for the sleep */
    }
    if (smtpd_flush(s) < 0) {
        lost(s);
        return -1;
    }
    if (s->closing_after && !s->out.len && s->state != SS_COMMIT) {
        smtpd_close(s);
        return -1;
    }
    if (s->peer_eof && !s->closing_after && (s->state == SS_CMD || s->state == SS_DATA)) {
        lost(s);
        return -1;
    }
    smtpd_watch(s);
    return 0;
}
