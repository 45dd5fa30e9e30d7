/* limits.h: two numeric parameters in the wrong order, as the daemon
 * that reads them sees them (size_limits.c, queue_timing.c). The values
 * come from the image (sizes in bytes, times in seconds), for every
 * master.cf service that runs the daemon, with its -o values; services
 * that see the main.cf values share one report. A delivery agent that no
 * transport names never starts, and is not checked. */
#ifndef COMPILER_VERIFY_LIMITS_H
#define COMPILER_VERIFY_LIMITS_H
#include "compiler/verify/verify.h"

/* How a and b (the values of the two parameters) are wrong, as the
 * words between them in the message ("is smaller than"); NULL: fine. */
typedef const char *limit_bad_fn(long long a, long long b);

typedef struct limit_pair {
    const char   *daemon;       /* who reads them ("local", "qmgr", ...) */
    int           transport;    /* a delivery agent: only services that some
                                   transport of the configuration names */
    const char   *a, *b;        /* the parameters */
    diag_id       id;
    severity      sev;
    limit_bad_fn *bad;
    const char   *consequence;  /* after "a = x <relation> b = y: " */
    const char   *hint;
} limit_pair;

/* Check every pair of pairs[0..n). */
void limit_pairs_check(verify_ctx *v, const limit_pair *pairs, size_t n);

#endif
