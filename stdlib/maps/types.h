/* types.h: constructors of the table types (the lookup side). Each type
 * lives in its own file; the compiler (compiler/tables/) parses the source
 * text and hands the parsed data over, the runtime will do the same from
 * its image. Every constructor copies the name; the caller keeps it. */
#ifndef MAPS_TYPES_H
#define MAPS_TYPES_H
#include "stdlib/maps/map.h"
#include "stdlib/maps/memtab.h"

/* static:VALUE: every key finds VALUE. */
map *map_static_new(const char *name, const char *value);
/* fail:NAME: every lookup fails (a configuration error). */
map *map_fail_new(const char *name);
/* unix:passwd.byname, unix:group.byname: the host's users and groups.
 * NULL for another name (map_unix_name_ok says which are valid). */
int  map_unix_name_ok(const char *name);
map *map_unix_new(const char *name);
/* environ:NAME: keys are environment variable names. */
map *map_environ_new(const char *name);
/* texthash: and inline:: an in-memory table, which the map takes over
 * (*t is left empty). Keys are stored folded when flags has MAP_FL_FOLD_FIX. */
map *map_memtab_new(const char *type, const char *name, memtab *t, unsigned flags);
/* hash: / btree:: the Berkeley DB file path (NAME.db). NULL with a reason
 * in err when it cannot be opened. */
map *map_db_open(const char *type, const char *name, const char *path, unsigned flags,
                 strbuf *err);
/* Call fn for every stored record of a hash:/btree: map (raw bytes, NULs
 * as stored) until it returns non-zero. Returns that value, or -1 with err. */
int  map_db_each(map *m, int (*fn)(void *arg, const char *k, size_t klen, const char *v,
                                   size_t vlen),
                 void *arg, strbuf *err);
/* unionmap:{...}: every member is asked; the results are joined with ",".
 * pipemap:{...}: the result of one member is the key of the next.
 * Both take over the members and the array. */
map *map_union_new(const char *name, map **members, size_t n);
map *map_pipe_new(const char *name, map **members, size_t n);

/* Lowercase ASCII letters (Postfix's fixed-string key folding). */
void map_fold(strbuf *out, const char *key);
void map_fold_inplace(char *s);
/* Fill the common part of a new map. */
void map_base_init(map *m, const map_ops *ops, const char *type, const char *name,
                   unsigned flags);

#endif
