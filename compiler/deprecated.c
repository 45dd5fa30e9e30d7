/* deprecated.c: the table of compiler/deprecated.def (see deprecated.h). */
#include "compiler/deprecated.h"

#include <string.h>

static const dep_entry entries[] = {
#define DEP(kind, name, use, yes, since, status) \
    { DEP_##kind, name, use, yes, since, DEP_##status },
#include "compiler/deprecated.def"
#undef DEP
};

const dep_entry *dep_find(dep_kind kind, const char *name)
{
    for (size_t i = 0; i < sizeof entries / sizeof *entries; i++)
        if (entries[i].kind == kind && strcmp(entries[i].name, name) == 0)
            return &entries[i];
    return NULL;
}

const dep_entry *dep_at(unsigned i)
{
    return i < sizeof entries / sizeof *entries ? &entries[i] : NULL;
}
