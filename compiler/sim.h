/* sim.h: what `mtacc simulate` and `mtacc test` share: an image from a
 * configuration directory (compiled in memory), the smtpd service a
 * session runs in, and the client's names from DNS. */
#ifndef COMPILER_SIM_H
#define COMPILER_SIM_H
#include "stdlib/policy/policy.h"

/* Check and compile DIR into a temporary image and open it; -1 after
 * reporting (diagnostics or the reason) on stderr as "mtacc CMD: ...". */
int  sim_image_from_dir(const char *dir, const char *cmd, img *im);
/* The smtpd service called name; NULL name: "smtp", else the first inet
 * smtpd. NULL when there is none. */
const img_service *sim_find_service(const img *im, const char *name);
/* The client's verified name (PTR confirmed by A) and PTR name, malloc'ed
 * or NULL; *temp when a lookup failed temporarily. */
void sim_client_names(pol_dns *dns, const char *addr, char **verified, char **reverse, int *temp);

/* The verify fixture answer for addr among "addr=ok|bounce[:reason]|defer"
 * strings (enum pol_verify); POL_VERIFY_UNKNOWN when none names it. */
int  sim_verify_answer(const char *const *v, size_t n, const char *addr, strbuf *reason);

#endif
