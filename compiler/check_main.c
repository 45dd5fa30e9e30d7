/* check_main.c: checks on main.cf settings that need no other input:
 * duplicate-parameter. */
#include "compiler/checks.h"

#include <string.h>

void check_duplicates(config *c)
{
    const maincf *m = &c->main;
    for (size_t i = 0; i < m->n; i++) {
        /* report each earlier setting that a later one overrides */
        for (size_t j = i + 1; j < m->n; j++) {
            if (strcmp(m->v[i].name, m->v[j].name) != 0)
                continue;
            unsigned line, col;
            src_linecol(&c->src, m->v[j].name_loc.file, m->v[j].name_loc.off, &line, &col);
            diag *g = diag_add(&c->d, DIAG_DUPLICATE_PARAMETER, m->v[i].name_loc,
                               "\"%s\" is set again on line %u; this setting is ignored",
                               m->v[i].name, line);
            diag_note_add(g, m->v[j].name_loc, "the later setting, which Postfix uses");
            diag_hint(g, "delete one of the two settings, or merge their values");
            break;
        }
    }
}
