/* blocking.c: the policy engine's calls that wait on the network, made
 * through the fiber pool (fiber.h): DNS queries (each pool thread has its
 * own resolver, as one resolver serves one thread) and policy server
 * exchanges (one at a time per process, as the connection set allows).
 * The engine sees an ordinary pol_dns and policy callback. */
#include "runtime/smtpd/blocking.h"
#include "runtime/smtpd/fiber.h"
#include "stdlib/util/alloc.h"
#include <pthread.h>
#include <stdlib.h>

typedef struct fiber_dns {
    pol_dns   base;
    char     *server;          /* NULL: /etc/resolv.conf */
    pol_dns  *local;           /* the loop thread's */
    pol_dns **per_thread;
    unsigned  nthreads;
} fiber_dns;

typedef struct dns_job {
    offload_job     j;
    fiber_dns      *d;
    const char     *name;
    int             type;
    pol_dns_rr     *rr;
    size_t          n;
    pol_dns_status  st;
} dns_job;

static pol_dns *resolver_new(const char *server)
{
    strbuf err;
    sb_init(&err);
    pol_dns *d = pol_dns_real_new(server, &err);
    sb_free(&err);
    return d ? d : pol_dns_empty_new();
}

static void dns_run(offload_job *oj)
{
    dns_job *j = (dns_job *)oj;
    int i = offload_thread_index();
    pol_dns **slot = i < 0 || (unsigned)i >= j->d->nthreads ? &j->d->local : &j->d->per_thread[i];
    if (!*slot)
        *slot = resolver_new(j->d->server);
    j->rr = NULL;
    j->n = 0;
    j->st = pol_dns_query(*slot, j->name, j->type, &j->rr, &j->n);
}

static pol_dns_status fdns_query(pol_dns *d, const char *name, int type, pol_dns_rr **rr, size_t *n)
{
    dns_job j = {.j.run = dns_run, .d = (fiber_dns *)d, .name = name, .type = type};
    fiber_offload(&j.j);
    *rr = j.rr;
    *n = j.n;
    return j.st;
}

static void fdns_free(pol_dns *d)
{
    fiber_dns *f = (fiber_dns *)d;
    if (f->local)
        pol_dns_free(f->local);
    for (unsigned i = 0; i < f->nthreads; i++)
        if (f->per_thread[i])
            pol_dns_free(f->per_thread[i]);
    free(f->per_thread);
    free(f->server);
    free(f);
}

pol_dns *smtpd_dns_new(const char *server, unsigned threads)
{
    fiber_dns *f = xcalloc(1, sizeof *f);
    f->base.query = fdns_query;
    f->base.free = fdns_free;
    f->server = server && *server ? xstrdup(server) : NULL;
    f->nthreads = threads;
    f->per_thread = xcalloc(threads ? threads : 1, sizeof *f->per_thread);
    return &f->base;
}

/* ---- policy servers ------------------------------------------------------- */

static pthread_mutex_t policy_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct policy_job {
    offload_job               j;
    pol_policy_clients       *clients;
    const pol_session        *s;
    const pol_policy_query   *q;
    strbuf                   *action;
    int                       rc;
} policy_job;

static void policy_run(offload_job *oj)
{
    policy_job *j = (policy_job *)oj;
    pthread_mutex_lock(&policy_lock);
    j->rc = pol_policy_ask(j->clients, j->s, j->q, j->action);
    pthread_mutex_unlock(&policy_lock);
}

int smtpd_policy_ask(void *arg, const pol_session *s, const pol_policy_query *q, strbuf *action)
{
    policy_job j = {.j.run = policy_run, .clients = arg, .s = s, .q = q, .action = action};
    fiber_offload(&j.j);
    return j.rc;
}

long long smtpd_policy_sweep(pol_policy_clients *c)
{
    pthread_mutex_lock(&policy_lock);
    long long next = pol_policy_clients_sweep(c);
    pthread_mutex_unlock(&policy_lock);
    return next;
}
