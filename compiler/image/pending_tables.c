/* pending_tables.c: TEMPORARY placeholder until emit_tables.c lands (branch
 * img-tables): every table is recorded as unavailable, so an image built
 * now answers every lookup with a configuration error. Delete this file
 * when emit_tables.c is merged. */
#include "compiler/image/emit.h"
#include "stdlib/util/alloc.h"

#include <string.h>

uint32_t emit_table(emit_ctx *e, const char *spec, loc at, enum emit_table_src src)
{
    for (size_t i = 0; i < e->ntables; i++)
        if (strcmp(e->tables[i].name, spec) == 0)
            return e->tables[i].index;
    img_table t;
    memset(&t, 0, sizeof t);
    t.spec = imgw_str(e->w, spec);
    t.type = imgw_str(e->w, "");
    t.kind = IMG_TK_UNAVAILABLE;
    t.value = imgw_str(e->w, "tables are not compiled yet");
    uint32_t idx = imgw_append(e->w, IMG_SEC_TABLES, &t, 1);
    xgrow(&e->tables, &e->captables, e->ntables + 1, sizeof *e->tables);
    e->tables[e->ntables].name = xstrdup(spec);
    e->tables[e->ntables++].index = idx;
    return idx;
}
