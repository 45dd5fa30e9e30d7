/* policy_client.h: the client side of Postfix's policy delegation
 * protocol (SMTPD_POLICY_README), which check_policy_service speaks: a
 * request of name=value lines ended by an empty line, a reply of
 * name=value lines ("action=...") ended by an empty line, over a
 * connection kept open for the next request.
 *
 * pol_policy_ask is the pol_session.policy callback that mtad (and
 * `mtacc simulate --policy-live`) installs: it formats the request
 * (policy_proto.c) and exchanges it over a cached connection
 * (policy_client.c) with Postfix's retry, timeout and reuse settings.
 * Blocking, with poll() deadlines; one caller at a time per clients set. */
#ifndef POLICY_POLICY_CLIENT_H
#define POLICY_POLICY_CLIENT_H
#include "stdlib/policy/policy.h"

/* ---- the protocol's messages (policy_proto.c) ----------------------------- */

/* The request Postfix 3.7's smtpd sends for session s and query q, in
 * its order, ended by the empty line. Unknown values are sent empty
 * (numbers as 0); ccert_subject and ccert_issuer as xtext; a newline in a
 * value becomes a space. */
void   pol_policy_request(const pol_session *s, const pol_policy_query *q, strbuf *out);
/* The length of the whole reply at the start of buf (through its empty
 * line), 0 while it is incomplete. */
size_t pol_policy_reply_len(const char *buf, size_t n);
/* The action of a whole reply: the first "action" attribute (other
 * attributes and lines without '=' are ignored, as Postfix does). 0, or
 * -1 when the reply has no action. */
int    pol_policy_reply_action(const char *reply, size_t n, strbuf *action);
/* A new transaction's instance attribute as Postfix makes it
 * ("pid.seconds.microseconds.seq" in hex) into buf. */
void   pol_policy_instance(char *buf, size_t n, unsigned seq);

/* ---- connections (policy_client.c) --------------------------------------- */

typedef struct pol_policy_clients pol_policy_clients;

/* A set of policy server connections, one per check_policy_service
 * (endpoint and attributes, as Postfix keys them), for one process.
 * base_dir: what a relative "unix:private/name" is relative to (Postfix:
 * the queue_directory); NULL: the current directory. */
pol_policy_clients *pol_policy_clients_new(const char *base_dir);
void pol_policy_clients_free(pol_policy_clients *c);
/* Called with each failed attempt's warning ("connect to X: ...",
 * "problem talking to server X: ..."), for the log. */
void pol_policy_clients_set_warn(pol_policy_clients *c,
                                 void (*warn)(void *arg, const char *msg), void *arg);

/* The pol_session.policy callback (arg: a pol_policy_clients). */
int  pol_policy_ask(void *arg, const pol_session *s, const pol_policy_query *q, strbuf *action);
/* Send a formatted request to the server cfg names: up to try_limit
 * attempts, retry_delay apart, each within timeout (connect, send and
 * the whole reply). 0 with the reply's action, or -1 with why in action. */
int  pol_policy_exchange(pol_policy_clients *c, const pol_policy_cfg *cfg, const char *request,
                         size_t len, strbuf *action);
/* Close the connections idle for max_idle or open for max_ttl; the
 * milliseconds until the next one is due, -1 when none is open. (An
 * event loop calls this; pol_policy_exchange checks on its own.) */
long long pol_policy_clients_sweep(pol_policy_clients *c);

typedef struct pol_policy_stats {
    unsigned long connects;    /* connections opened */
    unsigned long requests;    /* requests answered */
    unsigned long failures;    /* failed attempts */
    unsigned      open;        /* connections open now */
} pol_policy_stats;
void pol_policy_clients_stats(const pol_policy_clients *c, pol_policy_stats *st);

#endif
