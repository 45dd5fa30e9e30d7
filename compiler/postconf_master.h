/* postconf_master.h: the master.cf views of `mtacc postconf`, byte for
 * byte what Postfix's `postconf -M`, `-F` and `-P` print (with -f: folded
 * lines). */
#ifndef COMPILER_POSTCONF_MASTER_H
#define COMPILER_POSTCONF_MASTER_H
#include "compiler/config.h"
#include <stdio.h>

/* mode 'M' (services), 'F' (service fields) or 'P' (-o parameters);
 * names: filters as postconf takes them: "name", "name/type",
 * "name/type/field" (-F), "name/type/parameter" (-P), "*" for any part.
 * Prints to out; warnings ("unmatched request") and fatal errors to
 * stderr. Returns 0, or 1 where postconf stops with a fatal error (no
 * master.cf, a service postconf rejects, a malformed filter). */
int postconf_master_print(const config *c, int mode, int fold, char **names, int nnames, FILE *out);

/* postconf's fatal message for a master.cf it rejects (bad field count,
 * a field value it does not accept), or NULL; malloc'ed. */
char *postconf_master_fatal_msg(const config *c, const char *master_path);

#endif
