/* sim.h: what `mtacc simulate` and `mtacc test` share: an image from a
 * configuration directory (compiled in memory), the smtpd service a
 * session runs in, the client of a session with its fixtures, and the
 * restriction that decided a reply. */
#ifndef COMPILER_SIM_H
#define COMPILER_SIM_H
#include "stdlib/policy/policy.h"

/* Check and compile DIR into a temporary image and open it; -1 after
 * reporting (diagnostics or the reason) on stderr as "mtacc CMD: ...". */
int  sim_image_from_dir(const char *dir, const char *cmd, img *im);
/* The smtpd service called name; NULL name: "smtp", else the first inet
 * smtpd. NULL when there is none. */
const img_service *sim_find_service(const img *im, const char *name);
/* A simulated client and the fixtures that answer for it. */
typedef struct sim_client {
    const char        *addr;
    const char        *name;         /* verified name; NULL: from DNS (PTR confirmed by A) */
    const char        *sasl_user, *ccert_fingerprint;
    const char *const *policy;       /* "endpoint=action": policy server answers */
    size_t             npolicy;
    struct pol_policy_clients *live; /* asks the servers without an answer; NULL: unreachable */
    const char *const *verify;       /* "address=ok|bounce[:reason]|defer" */
    size_t             nverify;
    char              *verified, *reverse;   /* set by sim_session_start */
} sim_client;

/* Start a traced session of client c in service svc (NULL: global):
 * names from DNS unless given, fixtures answering check_policy_service
 * (others asked through c->live, else unreachable) and address
 * verification (others being probed). */
void sim_session_start(pol_session *s, pol_image *pi, const img_service *svc, pol_dns *dns,
                       sim_client *c);
void sim_client_free(sim_client *c);

/* The instruction that decided a reply, or NULL (a built-in check). */
const img_insn *sim_decided_insn(const img *im, const pol_reply *r);

#endif
