/* query_params.h: the parameter values the lookup orders need
 * (stdlib/maps/lookup_order.h), taken from command-line "-o name=value",
 * then DIR/main.cf (-c), then Postfix's defaults (host-computed ones such
 * as myhostname from this host), expanded as Postfix expands them. Also
 * decides which domains are local ($myorigin, $mydestination). */
#ifndef COMPILER_QUERY_PARAMS_H
#define COMPILER_QUERY_PARAMS_H
#include "compiler/config.h"
#include "stdlib/maps/lookup_order.h"

typedef struct query_params {
    lookup_params p;          /* points into the strings below */
    char        **oname, **ovalue;
    size_t        no;
    config        cfg;
    int           have_cfg;
    char        **vals;       /* expanded values kept alive for p */
    size_t        nvals;
    char        **local;      /* local domains, lowercased */
    size_t        nlocal;
} query_params;

/* dir may be NULL; o holds "name=value" strings. Returns 0, or -1 with a
 * message on stderr when an -o is not of that form. */
int  query_params_load(query_params *q, const char *dir, char *const *o, size_t no);
void query_params_free(query_params *q);

#endif
