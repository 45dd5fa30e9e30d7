/* transport_refs.h: every transport a configuration names, with where it
 * is named. Transports are the first part of "transport:nexthop" values:
 *   - the class transports (default, relay, local, virtual), local(8)'s
 *     mailbox and fallback transports, content_filter, best_mx_transport
 *     and the address_verify_ ones, in main.cf and in -o values; a class
 *     transport left at its default counts when its class has domains;
 *   - the results of transport tables (transport_maps,
 *     sender_dependent_default_transport_maps, mailbox/fallback_transport_maps
 *     and their address_verify_ versions);
 *   - FILTER actions of access and header/body check tables.
 * Results made at lookup time ($1, ${...}) and empty transports (":host",
 * the class's own) are left out. */
#ifndef COMPILER_VERIFY_TRANSPORT_REFS_H
#define COMPILER_VERIFY_TRANSPORT_REFS_H
#include "compiler/verify/verify.h"

/* name: the transport; at: where it is named (a default: the setting that
 * gives its class domains); what: the use, for messages ("content_filter
 * of service \"submission\"", "a result of hash:/etc/postfix/transport");
 * implicit: a default value nobody wrote. */
typedef void transport_ref_fn(verify_ctx *v, const char *name, loc at, const char *what,
                              int implicit, void *arg);
void transport_refs_each(verify_ctx *v, transport_ref_fn *fn, void *arg);

#endif
