/* access_permit.h: whether an access(5) table named by a restriction
 * (check_client_access hash:/etc/postfix/clients, ...) has an entry whose
 * action permits: OK, a number (Postfix reads it as OK), or a permit*
 * restriction. Tables mtacc cannot read (mysql:, missing files) count as
 * not permitting: the callers only report what the files show. */
#ifndef COMPILER_ACCESS_PERMIT_H
#define COMPILER_ACCESS_PERMIT_H
#include "compiler/config.h"

/* Does one action (the value of an entry) permit? */
int access_action_permits(const char *value);
/* Does some entry of table spec ("type:name") permit? */
int access_table_may_permit(config *c, const char *spec);

#endif
