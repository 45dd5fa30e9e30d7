/* peer.c: the client's names, looked up off the event loop. As Postfix's
 * smtpd does (smtpd_peername_lookup): the PTR name of the address, and
 * that name counts as verified when its own addresses include the client
 * address. getnameinfo/getaddrinfo block, so they run on the fiber pool's
 * threads (fiber.h); the event loop never waits on DNS to greet a
 * client. */
#include "runtime/smtpd/fiber.h"
#include "runtime/smtpd/smtpd.h"
#include "stdlib/util/alloc.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* lookups that wait for a slow name server run side by side, as
 * Postfix's one-process-per-client smtpd runs them */
typedef struct peer_job {
    offload_job j;
    const char *addr;
    char       *name, *reverse;
    int         temp;
} peer_job;

static int to_sockaddr(const char *addr, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        *len = sizeof *v4;
        return 0;
    }
    if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        *len = sizeof *v6;
        return 0;
    }
    return -1;
}

/* Does name resolve to addr? */
static int forward_confirms(const char *name, const char *addr, int *temp)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(name, NULL, &hints, &res);
    if (rc != 0) {
        if (rc == EAI_AGAIN)
            *temp = 1;
        return 0;
    }
    int ok = 0;
    for (struct addrinfo *a = res; a && !ok; a = a->ai_next) {
        char text[INET6_ADDRSTRLEN];
        if (getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof text, NULL, 0, NI_NUMERICHOST) == 0)
            ok = strcasecmp(text, addr) == 0;
    }
    freeaddrinfo(res);
    return ok;
}

static void lookup(peer_job *j)
{
    struct sockaddr_storage ss;
    socklen_t len;
    char host[NI_MAXHOST];
    if (to_sockaddr(j->addr, &ss, &len) != 0)
        return;
    int rc = getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, NULL, 0, NI_NAMEREQD);
    if (rc != 0) {
        j->temp = rc == EAI_AGAIN;
        return;
    }
    for (char *p = host; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p += 'a' - 'A';
    size_t n = strlen(host);
    while (n && host[n - 1] == '.')
        host[--n] = 0;
    j->reverse = xstrdup(host);
    if (forward_confirms(host, j->addr, &j->temp))
        j->name = xstrdup(host);
}


static void peer_run(offload_job *oj)
{
    lookup((peer_job *)oj);
}

/* On a fiber: the names come from a pool thread, then the banner. */
static void lookup_unit(void *arg)
{
    smtpd_session *s = arg;
    peer_job j = {.j.run = peer_run, .addr = s->addr};
    fiber_offload(&j.j);
    s->name = j.name ? j.name : xstrdup("unknown");
    s->reverse = j.reverse ? j.reverse : xstrdup("unknown");
    s->name_temp = j.temp;
}

static void lookup_done(void *arg)
{
    smtpd_session *s = arg;
    s->fiber_busy = 0;
    smtpd_session_start(s);
}

void smtpd_peer_lookup(smtpd_worker *w, smtpd_session *s)
{
    if (fiber_run(w->fibers, lookup_unit, lookup_done, s))
        smtpd_session_start(s);
    else
        s->fiber_busy = 1;
}
