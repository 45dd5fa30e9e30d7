/* blocking.h: the engine's network calls made through the fiber pool
 * (blocking.c). */
#ifndef SMTPD_BLOCKING_H
#define SMTPD_BLOCKING_H
#include "stdlib/policy/dns.h"
#include "stdlib/policy/policy_client.h"

/* A resolver whose queries, asked on a fiber, run on the pool's threads
 * (one real resolver per thread); server as for pol_dns_real_new. */
pol_dns  *smtpd_dns_new(const char *server, unsigned threads);
/* The pol_session.policy callback (arg: pol_policy_clients). */
int       smtpd_policy_ask(void *arg, const pol_session *s, const pol_policy_query *q,
                           strbuf *action);
long long smtpd_policy_sweep(pol_policy_clients *c);

#endif
