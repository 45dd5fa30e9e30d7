/* registry.c: lookups in the generated parameter table (registry_data.c):
 * binary search by name, and the closest name for a typo. */
#include "compiler/registry.h"
#include "compiler/registry_data.h"
#include "stdlib/util/editdist.h"

#include <string.h>

size_t registry_count(void)
{
    return registry_nglobals;
}

const param_def *registry_at(size_t i)
{
    return i < registry_nglobals ? &registry_globals[i] : NULL;
}

const param_def *registry_find(const char *name)
{
    size_t lo = 0, hi = registry_nglobals;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, registry_globals[mid].name);
        if (c == 0)
            return &registry_globals[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

size_t registry_service_count(void)
{
    return registry_nservices;
}

const param_def *registry_service_at(size_t i)
{
    return i < registry_nservices ? &registry_services[i] : NULL;
}

const char *registry_suggest(const char *name)
{
    size_t best = editdist_cutoff(name) + 1;
    const char *pick = NULL;
    for (size_t i = 0; i < registry_nglobals; i++) {
        const char *cand = registry_globals[i].name;
        size_t d = editdist(name, cand, best - 1);
        if (d < best) {
            best = d;
            pick = cand;
        }
    }
    return best == 0 ? NULL : pick;
}

const param_def *registry_find_service(const char *name)
{
    size_t nl = strlen(name);
    for (size_t k = 0; k < registry_service_count(); k++) {
        const param_def *s = registry_service_at(k);
        size_t sl = strlen(s->name);
        if (nl > sl && strcmp(name + nl - sl, s->name) == 0)
            return s;
    }
    return NULL;
}
