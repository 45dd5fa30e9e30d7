/* peer.c: the client's names, looked up off the event loop. As Postfix's
 * smtpd does (smtpd_peername_lookup): the PTR name of the address, and
 * that name counts as verified when its own addresses include the client
 * address. getnameinfo/getaddrinfo block, so a few threads run them and
 * hand results back through an eventfd; the event loop never waits on
 * DNS to greet a client. */
#include "runtime/smtpd/smtpd.h"
#include "stdlib/util/alloc.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define PEER_THREADS 4

typedef struct peer_job {
    struct peer_job *next;
    smtpd_session   *s;          /* NULL once the session went away */
    char             addr[64];
    char            *name, *reverse;
    int              temp;
} peer_job;

struct smtpd_peer_pool {
    pthread_mutex_t mu;
    pthread_cond_t  cv;
    peer_job       *todo, **todo_tail, *done;
    peer_job       *busy[PEER_THREADS];   /* what each thread works on */
    pthread_t       th[PEER_THREADS];
    int             efd, quit;
};

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

static void *thread_main(void *arg)
{
    smtpd_peer_pool *p = arg;
    int me = -1;
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < PEER_THREADS; i++)
        if (pthread_equal(p->th[i], pthread_self()))
            me = i;
    for (;;) {
        while (!p->todo && !p->quit)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->quit)
            break;
        peer_job *j = p->todo;
        p->todo = j->next;
        if (!p->todo)
            p->todo_tail = &p->todo;
        if (me >= 0)
            p->busy[me] = j;
        pthread_mutex_unlock(&p->mu);
        lookup(j);
        pthread_mutex_lock(&p->mu);
        if (me >= 0)
            p->busy[me] = NULL;
        j->next = p->done;
        p->done = j;
        uint64_t one = 1;
        ssize_t w = write(p->efd, &one, sizeof one);
        (void)w;
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

smtpd_peer_pool *smtpd_peer_pool_new(void)
{
    smtpd_peer_pool *p = xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->todo_tail = &p->todo;
    p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (p->efd < 0)
        fatal("eventfd: %s", strerror(errno));
    pthread_mutex_lock(&p->mu);   /* threads look for their slot once started */
    for (int i = 0; i < PEER_THREADS; i++)
        if (pthread_create(&p->th[i], NULL, thread_main, p) != 0)
            fatal("pthread_create: %s", strerror(errno));
    pthread_mutex_unlock(&p->mu);
    return p;
}

static void job_free(peer_job *j)
{
    free(j->name);
    free(j->reverse);
    free(j);
}

void smtpd_peer_pool_free(smtpd_peer_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < PEER_THREADS; i++)
        pthread_join(p->th[i], NULL);
    for (peer_job *j = p->todo, *n; j; j = n) {
        n = j->next;
        job_free(j);
    }
    for (peer_job *j = p->done, *n; j; j = n) {
        n = j->next;
        job_free(j);
    }
    close(p->efd);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}

int smtpd_peer_fd(const smtpd_peer_pool *p)
{
    return p->efd;
}

void smtpd_peer_lookup(smtpd_peer_pool *p, smtpd_session *s)
{
    peer_job *j = xcalloc(1, sizeof *j);
    j->s = s;
    snprintf(j->addr, sizeof j->addr, "%s", s->addr);
    pthread_mutex_lock(&p->mu);
    *p->todo_tail = j;
    p->todo_tail = &j->next;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void smtpd_peer_forget(smtpd_peer_pool *p, smtpd_session *s)
{
    pthread_mutex_lock(&p->mu);
    for (peer_job *j = p->todo; j; j = j->next)
        if (j->s == s)
            j->s = NULL;
    for (peer_job *j = p->done; j; j = j->next)
        if (j->s == s)
            j->s = NULL;
    for (int i = 0; i < PEER_THREADS; i++)
        if (p->busy[i] && p->busy[i]->s == s)
            p->busy[i]->s = NULL;
    pthread_mutex_unlock(&p->mu);
}

void smtpd_peer_dispatch(smtpd_peer_pool *p)
{
    uint64_t v;
    ssize_t r = read(p->efd, &v, sizeof v);
    (void)r;
    pthread_mutex_lock(&p->mu);
    peer_job *list = p->done;
    p->done = NULL;
    pthread_mutex_unlock(&p->mu);
    for (peer_job *j = list, *n; j; j = n) {
        n = j->next;
        smtpd_session *s = j->s;
        if (s) {
            s->name = j->name ? j->name : xstrdup("unknown");
            s->reverse = j->reverse ? j->reverse : xstrdup("unknown");
            s->name_temp = j->temp;
            j->name = j->reverse = NULL;
            smtpd_session_start(s);
        }
        job_free(j);
    }
}
