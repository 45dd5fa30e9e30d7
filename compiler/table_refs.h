/* table_refs.h: the lookup tables a configuration names: every "type:name"
 * word of the main.cf values Postfix uses and of master.cf -o overrides,
 * in a table list (*_maps, *_checks, *_access_list), after a
 * check_*_access restriction, or of a known table type anywhere, with the
 * kind of use its parameter implies (access, address, header, ...). The
 * checks (check_tables.c) and the image compiler both walk them. */
#ifndef COMPILER_TABLE_REFS_H
#define COMPILER_TABLE_REFS_H
#include "compiler/config.h"
#include "compiler/tables/rxtable.h"

/* Called once per reference, in configuration order (the same table can
 * be named more than once); spec as written, at: where it is written. */
typedef void table_ref_fn(void *arg, const char *param, const char *spec, loc at,
                          table_use use);
void table_refs_each(const config *c, table_ref_fn *fn, void *arg);

/* Is every "x:y" word of parameter `name` a table (*_maps, *_checks,
 * *_access_list)? */
int  table_refs_is_table_list(const char *name);
/* Is `name` a restriction list (smtpd_*_restrictions or a restriction
 * class of smtpd_restriction_classes), whose tables are access tables? */
int  table_refs_is_restriction_list(const config *c, const char *name);

/* Is spec (as written) used as an access(5) table, directly or as a
 * member of a unionmap:/pipemap: that is? */
int  table_refs_is_access(const config *c, const char *spec);

#endif
