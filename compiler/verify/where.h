/* where.h: where a value the verifier's checks read from the image was
 * written: the setting of a parameter as a service sees it (its -o, else
 * main.cf), one word of that value followed through $name references,
 * and a word inside a table line. LOC_NONE when the value is a default
 * that nobody wrote. */
#ifndef COMPILER_VERIFY_WHERE_H
#define COMPILER_VERIFY_WHERE_H
#include "compiler/verify/verify.h"

/* The master.cf entry of an image service (NULL for NULL). */
const master_service *where_entry(const verify_ctx *v, const img_service *svc);
/* The -o of svc that sets name (the last one), or NULL. */
const ms_override *where_override(const verify_ctx *v, const img_service *svc, const char *name);
/* The value of name as svc sees it (svc NULL: main.cf): its -o, else the
 * main.cf setting; LOC_NONE when neither sets it. */
loc where_setting(const verify_ctx *v, const img_service *svc, const char *name);
/* The word `word` (compared without case, "!" ignored) of the value of
 * name as svc sees it: where it is written, or the "$other" reference it
 * came through; else the whole value (where_setting). */
loc where_word(const verify_ctx *v, const img_service *svc, const char *name, const char *word);
/* Where domain d is listed in the domain list `name` (mydestination,
 * relay_domains, ...) as svc sees it: its name (or the "$other" it came
 * through), else the line of a table in the list that has it as a key,
 * else the table's name in the list; else the whole value. dflt: the
 * parameter a default value comes from (virtual_alias_maps for
 * virtual_alias_domains), NULL: none. */
loc where_domain(verify_ctx *v, const img_service *svc, const char *name, const char *dflt,
                 const char *d);
/* The first bytes of the value of name as svc sees it, when the value is
 * written starting with `prefix` (a transport of "transport:nexthop");
 * else the whole value (where_setting). */
loc where_prefix(const verify_ctx *v, const img_service *svc, const char *name,
                 const char *prefix);
/* Narrow a location of a whole line (verify_line_loc) to `word` in it:
 * "word:" when the line has it, else the word alone, the last
 * occurrence (results come after keys and patterns). */
loc where_in_line(const verify_ctx *v, loc line, const char *word);

#endif
