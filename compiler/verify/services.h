/* services.h: master.cf as the routing checks need it: which transports
 * it defines and what runs them, which daemons read a value (each with
 * its -o values), and where smtpd listens. A configuration without a
 * master.cf gets Postfix's stock one, as the Postfix it is installed
 * next to would; a master.cf without a qmgr service (Postfix cannot run
 * on it alone) is taken as entries added to the stock one. */
#ifndef COMPILER_VERIFY_SERVICES_H
#define COMPILER_VERIFY_SERVICES_H
#include "compiler/verify/verify.h"

/* Is master.cf a whole one (it has a qmgr service)? */
int svc_master_complete(const verify_ctx *v);

/* The daemon that runs transport `name` (a unix service of master.cf,
 * e.g. "smtp" for relay, "pipe" for a pipe(8) entry), without its
 * directory; NULL when master.cf defines no such transport. *svc: the
 * image service (NULL for the stock master.cf). */
const char *svc_transport_daemon(const verify_ctx *v, const char *name, const img_service **svc);
/* The transport names master.cf defines, for "did you mean" (*n set;
 * the array is malloc'ed, the strings are borrowed). */
const char **svc_transport_names(const verify_ctx *v, size_t *n);

/* Call fn for every service of master.cf that runs daemon (command
 * "qmgr", "local", ...; "qmgr" also matches nqmgr and oqmgr), and once
 * with NULL (the main.cf values) for the stock service when master.cf
 * is missing or not whole. */
typedef void svc_fn(verify_ctx *v, const img_service *svc, void *arg);
void svc_each_daemon(verify_ctx *v, const char *daemon, svc_fn *fn, void *arg);

/* Does an smtpd (or postscreen) of this host accept connections on TCP
 * port `port` at address addr (a literal; NULL: this host's name, taken
 * as one of its addresses other than loopback)? The service name's
 * address when it has one, else inet_interfaces. */
int svc_smtpd_listens(const verify_ctx *v, unsigned port, const char *addr);
/* The TCP port of a service or port name ("smtp", "submission", "2525");
 * 0 when unknown. */
unsigned svc_port(const char *name);

/* Does the smtpd service receive the mail other hosts send to this
 * host's MX (an inet service on port 25, or a pass service behind a
 * postscreen on port 25)? svc NULL: the stock smtp service. */
int svc_mx_facing(const verify_ctx *v, const img_service *svc);

/* Is every address the smtpd service listens on a loopback address (out
 * of reach of other hosts)? svc NULL: the stock smtp service. */
int svc_loopback_only(const img *im, const img_service *svc);
/* Call fn for every smtpd that takes SMTP connections (type inet, or pass
 * behind postscreen), or once with NULL (main.cf as Postfix's stock smtp
 * service sees it) when there is no master.cf. */
void svc_each_listener(verify_ctx *v, svc_fn *fn, void *arg);

#endif
