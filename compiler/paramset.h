/* paramset.h: the set of parameter names Postfix knows for one
 * configuration, decided as postconf decides it:
 *   builtin  every name in the registry;
 *   service  "<service>" + a per-service suffix, for master.cf services
 *            whose command is a delivery agent (smtp, lmtp, local, virtual,
 *            pipe, error) or, for "_time_limit", pipe and spawn;
 *   user     a name defined in main.cf or by a master.cf -o, that is used
 *            as $name in any main.cf or -o value, listed in
 *            smtpd_restriction_classes, or prefixed by a database table
 *            name (ldap:name, mysql:name, ... -> name_*).
 * paramset_class() is the one "is this name used?" function, shared by
 * `mtacc postconf` ("unused parameter") and the unknown-parameter check. */
#ifndef COMPILER_PARAMSET_H
#define COMPILER_PARAMSET_H
#include "compiler/maincf.h"
#include "compiler/mastercf.h"
#include <stddef.h>

typedef enum ps_class { PS_UNKNOWN = 0, PS_BUILTIN, PS_SERVICE, PS_USER } ps_class;

/* A master.cf -o name=value override. */
typedef struct ps_override {
    const char *service;     /* "name/type" text, for messages */
    const char *name, *value;
    loc         name_loc, value_loc;
} ps_override;

/* One $name reference found in a main.cf or -o value. */
typedef struct ps_ref {
    char  *name;
    int    in_master;        /* 0: main.cf setting `setting`, 1: override `setting` */
    size_t setting;          /* index in maincf.v or in overrides */
    size_t off, len;         /* byte range in that value */
} ps_ref;

typedef struct ps_names {    /* a small hash set of names */
    char  **slot;
    size_t  cap, n;
} ps_names;

typedef struct paramset {
    const maincf  *main;
    ps_override   *ov;
    size_t         nov;
    ps_names       service_names;   /* service params of this master.cf */
    ps_names       user;
    ps_names       defined;         /* set in main.cf or by -o */
    ps_names       db_prefix;       /* "name_" of ldap:name etc. */
    ps_ref        *refs;
    size_t         nrefs, caprefs;
    /* postconf's warnings while reading values, in the order found: the
     * text after "warning: "; main_path / master_path are prefixed where
     * Postfix prefixes them. */
    char         **warnings;
    size_t         nwarnings, capwarnings;
    char         **db_files;        /* "type\0path" already reported */
    size_t         ndb, capdb;
} paramset;

/* Build from main.cf and (when not NULL) master.cf. The paths are only
 * used in warning texts ("DIR/main.cf: undefined parameter: x"). */
void paramset_build(paramset *ps, const maincf *m, const mastercf *mc,
                    const char *main_path, const char *master_path);
void paramset_free(paramset *ps);
ps_class paramset_class(const paramset *ps, const char *name);
/* 1 when name is set in main.cf or by a master.cf -o. */
int  paramset_defined(const paramset *ps, const char *name);
/* The default expression of a builtin or service parameter, or NULL. */
const char *paramset_default(const paramset *ps, const char *name);
/* Visit every known name (builtin, service, user) in no particular order. */
void paramset_each(const paramset *ps, int with_user,
                   void (*fn)(void *ctx, const char *name), void *ctx);

/* 1 for parameters whose value Postfix never expands (mailbox_command, ...). */
int  paramset_raw(const char *name);

/* Per-service suffixes that apply to a master.cf command (NULL-terminated
 * list of registry_service_at indexes is overkill: 1 = applies). */
int  paramset_service_suffix_applies(const char *command, const char *suffix);

#endif
