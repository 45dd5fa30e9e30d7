/* build.h: the builders of each table type (internal to compiler/tables;
 * tables.h is the public entry point). Each takes the name after "type:"
 * and reports problems in d; NULL means the table cannot be used. */
#ifndef TABLES_BUILD_H
#define TABLES_BUILD_H
#include "compiler/tables/tables.h"
#include "stdlib/maps/cidr.h"
#include "stdlib/maps/memtab.h"

map *tables_build_cidr(const char *name, int file, diags *d);
/* The rules of cidr source file `file` (malloc'ed, *n of them). */
cidr_rule *tables_cidr_rules(int file, diags *d, size_t *n);
/* The Postfix 3.7 inline form of a file table, "{ {rule-1}, {rule-2} }",
 * as a srcset file whose lines are the rules; -1 after reporting bad
 * syntax at o->ref. */
int  tables_braced_source(const char *type, const char *name, const tables_opts *o, diags *d);
map *tables_build_texthash(const char *name, int file, unsigned flags, diags *d);
/* inline:{...}, static:..., unionmap:{...}, pipemap:{...}: the text is the
 * name itself; problems are reported at o->ref. */
map *tables_build_inline(const char *name, const tables_opts *o, diags *d);
/* The entries of inline:{...} as the table holds them (keys folded with
 * MAP_FL_FOLD_FIX, the last of duplicate keys wins); -1 after reporting. */
int  tables_inline_parse(const char *name, const tables_opts *o, diags *d, memtab *out);
map *tables_build_static(const char *name, const tables_opts *o, diags *d);
/* The value of static:NAME (malloc'ed); NULL after reporting. */
char *tables_static_value(const char *name, const tables_opts *o, diags *d);
map *tables_build_compose(const char *type, const char *name, const tables_opts *o,
                          diags *d);

/* "{ a, {b c}, d }" -> its elements ("a", "{b c}", "d"): separators are
 * commas and whitespace outside braces. Returns -1 when text is not one
 * braced group. Elements are malloc'ed; free with tables_strv_free. */
int  tables_split_braced(const char *text, char ***elems, size_t *n);
void tables_strv_free(char **v, size_t n);
/* Strip one pair of outer braces and the whitespace inside them. */
char *tables_unbrace(const char *elem);

#endif
