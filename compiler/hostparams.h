/* hostparams.h: defaults that Postfix computes from the host it runs on:
 * myhostname (gethostname, ".localdomain" appended when it has no dot),
 * mydomain (myhostname minus its first label), mynetworks (from the
 * interface addresses selected by inet_interfaces and inet_protocols, as
 * mynetworks_style says) and process_id. Each one depends on the
 * effective values of other parameters, read through the lookup callback
 * (already expanded values), so settings in main.cf and -o pin them. */
#ifndef COMPILER_HOSTPARAMS_H
#define COMPILER_HOSTPARAMS_H

/* The expanded value of a parameter (owned by the callee's ctx; valid
 * until the next call), or NULL. "NAME?set" asks for the expanded value
 * only when NAME is set explicitly (myhostname needs mydomain that way:
 * a host name without a dot gets ".$mydomain", or ".localdomain"). */
typedef const char *(*host_lookup_fn)(void *ctx, const char *name);

/* 1 when `name` is one of the host-computed parameters. */
int   host_param(const char *name);
/* The computed default of a host parameter (malloc'ed), or NULL. */
char *host_default(const char *name, host_lookup_fn lookup, void *ctx);

#endif
