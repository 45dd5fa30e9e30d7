/* access_permit.c: can an access(5) table answer "permit" to some key?
 * (see access_permit.h). The source text is read with the table parsers
 * of compiler/tables; problems in it are the table checks' to report. */
#include "compiler/access_permit.h"
#include "compiler/tables/build.h"
#include "compiler/tables/kvcollect.h"
#include "compiler/tables/rxtable.h"
#include "compiler/tables/tables.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int access_action_permits(const char *value)
{
    while (isspace((unsigned char)*value))
        value++;
    size_t n = strcspn(value, " \t,");
    if (n == 0)
        return 0;
    if (n == 2 && strncasecmp(value, "OK", 2) == 0)
        return 1;
    size_t digits = strspn(value, "0123456789");
    if (digits == n)
        return 1;   /* a number is OK to Postfix */
    return n >= 6 && strncasecmp(value, "permit", 6) == 0;
}

int access_table_may_permit(config *c, const char *spec)
{
    char *type, *name;
    if (tables_split_spec(spec, &type, &name) < 0)
        return 0;
    diags quiet;
    diags_init(&quiet, &c->src);
    tables_opts o = tables_opts_default();
    int found = 0;
    if (strcmp(type, "static") == 0) {
        char *v = tables_static_value(name, &o, &quiet);
        found = v && access_action_permits(v);
        free(v);
    } else if (strcmp(type, "inline") == 0) {
        memtab t;
        memtab_init(&t);
        if (tables_inline_parse(name, &o, &quiet, &t) == 0)
            for (size_t i = 0; i < t.n && !found; i++)
                found = access_action_permits(t.v[i].value);
        memtab_free(&t);
    } else {
        int external;
        char *file = config_table_file(c, type, name, &external);
        int sid = file ? src_read(&c->src, file, file) : -1;
        if (sid >= 0 && (strcmp(type, "regexp") == 0 || strcmp(type, "pcre") == 0)) {
            rxtable t;
            rxtable_load(&t, sid, strcmp(type, "pcre") == 0 ? RXT_PCRE : RXT_REGEXP,
                         TABLE_USE_ACCESS, &quiet);
            for (size_t i = 0; i < t.n && !found; i++)
                found = t.v[i].r.op == MAP_RX_MATCH && t.v[i].r.result &&
                        access_action_permits(t.v[i].r.result);
            rxtable_free(&t);
        } else if (sid >= 0) {
            kv_collected kv;
            kv_collect(&kv, sid, 0, &quiet);
            for (size_t i = 0; i < kv.t.n && !found; i++)
                found = access_action_permits(kv.t.v[i].value);
            kv_collected_free(&kv);
        }
        free(file);
    }
    diags_free(&quiet);
    free(type);
    free(name);
    return found;
}
