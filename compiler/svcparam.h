/* svcparam.h: the parameter values one master.cf service sees (its -o
 * overrides, then main.cf, then the defaults), expanded as Postfix
 * expands them (compiler/paramenv.h), and where in the sources each value
 * is written. For checks that reason about one service at a time (TLS,
 * SASL, compatibility levels) without compiling an image. */
#ifndef COMPILER_SVCPARAM_H
#define COMPILER_SVCPARAM_H
#include "compiler/config.h"
#include "compiler/paramenv.h"
#include "stdlib/maps/memtab.h"

typedef struct svcparam {
    const config         *c;
    const master_service *svc;     /* NULL: main.cf alone (no service) */
    const char          **oname, **ovalue;
    size_t                no;
    param_env             env;
    memtab                cache;   /* expanded values asked so far */
} svcparam;

/* The context of service svc (NULL: main.cf alone). extra_name, when not
 * NULL, is one more override applied after the service's own (e.g.
 * compatibility_level set to the level of an upgrade). */
void svp_init(svcparam *p, const config *c, const master_service *svc,
              const char *extra_name, const char *extra_value);
void svp_free(svcparam *p);

/* The expanded value ("" for an unknown name); valid until svp_free. */
const char *svp_get(svcparam *p, const char *name);
/* yes/no (case-insensitive); anything else counts as no, as in Postfix's
 * boolean parser for a value it would reject (bad-value reports it). */
int         svp_bool(svcparam *p, const char *name);
/* 1 when the service's -o or main.cf sets name. */
int         svp_is_set(const svcparam *p, const char *name);
/* Where the value is written: the value of the service's -o, else of the
 * main.cf setting; a default that is exactly "$other" follows other.
 * LOC_NONE for a built-in default. */
loc         svp_where(const svcparam *p, const char *name);
/* The location of the service's name in master.cf (LOC_NONE without one). */
loc         svp_service_loc(const svcparam *p);
/* "smtp/inet" style name of the service for messages ("main.cf" without one). */
const char *svp_service_name(const svcparam *p, char *buf, size_t size);

/* The word within location at (a list) when it is written there
 * literally, else at itself. */
loc         svp_word_loc(const config *c, loc at, const char *word);

/* Diagnostics about a setting several services share (main.cf, or a
 * default) are reported once, with a note per service. */
typedef struct svp_once_entry {
    int         id;
    const char *key;
    loc         at;
    size_t index;      /* in diags.v */
} svp_once_entry;

typedef struct svp_once {
    svp_once_entry *v;
    size_t          n, cap;
} svp_once;

/* Is id (with key, a static string naming what is reported) reported at
 * `at` already? Then a note naming p's service is added to that record. */
int   svp_seen(svp_once *o, svcparam *p, diags *d, diag_id id, loc at, const char *key);
/* Remember g, just added for id/key at g->at, and note p's service on it. */
void  svp_remember(svp_once *o, svcparam *p, diags *d, diag *g, const char *key);
void  svp_once_free(svp_once *o);

#endif
