/* check_deprecated.c: deprecated, for parameters. A main.cf setting or
 * master.cf -o override whose name Postfix renamed, made obsolete, stopped
 * using or removed (compiler/deprecated.def) is reported with its
 * replacement and the version, and whether it still has an effect.
 * Restriction names are checked in the compiled image
 * (compiler/verify/deprecated.c). */
#include "compiler/checks.h"
#include "compiler/deprecated.h"
#include "compiler/registry.h"

#include <string.h>
#include <strings.h>

/* Is the replacement set where the old name is (main.cf, or the same
 * service's -o / main.cf for an override)? The obsolete switches are
 * ignored when their replacement is not empty ("this overrides the
 * obsolete parameters"); a renamed parameter is not read once its new
 * name is set at all. NULL when it is not set, else where. */
static const char *replacement_set(const config *c, const master_service *svc,
                                   const dep_entry *e)
{
    if (!*e->use || !registry_find(e->use) || strcmp(e->name, "sun_mailtool_compatibility") == 0)
        return NULL;
    int need_value = e->status == DEP_OBSOLETE;
    for (size_t i = svc ? svc->noverrides : 0; i-- > 0;)
        if (strcmp(svc->overrides[i].name, e->use) == 0)
            return !need_value || *svc->overrides[i].value ? "by -o on this service" : NULL;
    const cf_setting *s = maincf_find(&c->main, e->use);
    return s && (!need_value || *s->value) ? "in main.cf" : NULL;
}

static void report(config *c, const master_service *svc, const char *name, const char *value,
                   loc at)
{
    const dep_entry *e = dep_find(DEP_PARAM, name);
    if (!e)
        return;
    const char *set = replacement_set(c, svc, e);
    diag *g;
    switch (e->status) {
    case DEP_RENAMED:
        if (set) {
            g = diag_add(&c->d, DIAG_DEPRECATED, at,
                         "%s was renamed %s in Postfix %s; it has no effect, as %s is set %s",
                         name, e->use, e->since, e->use, set);
            diag_hint(g, "delete this setting");
        } else {
            g = diag_add(&c->d, DIAG_DEPRECATED, at, "%s was renamed %s in Postfix %s", name,
                         e->use, e->since);
            diag_hint(g, "rename it to %s (Postfix 3.7 still reads %s through the default of "
                      "%s)", e->use, name, e->use);
        }
        break;
    case DEP_OBSOLETE:
        g = diag_add(&c->d, DIAG_DEPRECATED, at, "%s is obsolete since Postfix %s: use %s%s%s",
                     name, e->since, e->use, set ? "; it has no effect, as that is set " : "",
                     set ? set : "");
        if (set)
            diag_hint(g, "delete the setting: %s decides", e->use);
        else if (*e->yes_value && strcasecmp(value, "yes") == 0)
            diag_hint(g, "replace it with \"%s = %s\"", e->use, e->yes_value);
        else if (*e->yes_value && strcasecmp(value, "no") == 0)
            diag_hint(g, "delete it; if a setting is needed, set %s", e->use);
        else if (strcmp(name, "maps_rbl_domains") == 0)
            diag_hint(g, "write \"reject_rbl_client DOMAIN\" for each domain in the restriction "
                      "lists, in place of reject_maps_rbl");
        else
            diag_hint(g, "replace it with %s", e->use);
        break;
    case DEP_IGNORED:
        g = diag_add(&c->d, DIAG_DEPRECATED, at, "Postfix ignores %s since version %s%s%s", name,
                     e->since, *e->use ? ": use " : "", e->use);
        diag_hint(g, "delete the setting%s%s", *e->use ? ", and set " : "", e->use);
        break;
    case DEP_REMOVED:
        g = diag_add(&c->d, DIAG_DEPRECATED, at,
                     "%s was replaced by %s in Postfix %s: Postfix 3.7 ignores it", name, e->use,
                     e->since);
        diag_hint(g, "use %s instead", e->use);
        break;
    }
}

void check_deprecated(config *c)
{
    for (size_t i = 0; i < c->main.n; i++)
        report(c, NULL, c->main.v[i].name, c->main.v[i].value, c->main.v[i].name_loc);
    for (size_t i = 0; i < c->master.n; i++) {
        const master_service *svc = &c->master.v[i];
        for (size_t k = 0; k < svc->noverrides; k++)
            report(c, svc, svc->overrides[k].name, svc->overrides[k].value,
                   svc->overrides[k].name_loc);
    }
}
