/* paramenv.h: the value of any parameter in one context, as Postfix's
 * programs see it: the context's overrides (a master.cf service's -o, or
 * command-line -o), then main.cf, then the host-computed default
 * (myhostname, mydomain, mynetworks, ...), then the built-in default;
 * expanded as Postfix expands it (compiler/expand.h). Used by the image
 * emitter (per service) and by `mtacc query`. */
#ifndef COMPILER_PARAMENV_H
#define COMPILER_PARAMENV_H
#include "compiler/expand.h"
#include "compiler/maincf.h"
#include "compiler/paramset.h"

typedef struct param_env {
    const maincf    *main;       /* may be NULL */
    const paramset  *ps;         /* defaults of service templates; NULL: registry only */
    const char *const *oname;    /* overrides, the last one wins */
    const char *const *ovalue;
    size_t           no;
    int              runtime_names; /* process_id and process_name belong to the
                                    program that will run: they expand to
                                    themselves ("$process_id") */
    char            *host_name[8], *host_value[8];   /* computed host defaults */
    size_t           nhost;
    int              depth;
    strbuf           scratch[4];
    int              nscratch;
} param_env;

void param_env_init(param_env *e, const maincf *m, const paramset *ps,
                    const char *const *oname, const char *const *ovalue, size_t no);
void param_env_free(param_env *e);

/* The value as set by an override or main.cf, unexpanded; NULL when unset. */
const char *param_env_set(const param_env *e, const char *name);
/* The unexpanded value (set or default); NULL for an unknown name.
 * An expand_lookup_fn for expand_text (ctx: the param_env). */
const char *param_env_raw(void *ctx, const char *name);
/* The expanded value of name, appended to out. Returns the expansion
 * status; err is filled (and must be freed) as expand_param does. */
expand_status param_env_expand(param_env *e, const char *name, strbuf *out, expand_error *err);

#endif
