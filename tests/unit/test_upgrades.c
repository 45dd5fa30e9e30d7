/* test_upgrades.c: the data of the upgrade checks against the rest of
 * the project: every deprecated parameter that Postfix 3.7 still accepts
 * is in the parameter registry or read by a default there (and every
 * removed one is neither: postconf calls it unused), every
 * replacement exists, every old restriction name is lowered by the image
 * (old_names.def) to an opcode; and the Postfix releases that
 * --target-version maps to compatibility levels. */
#include "compiler/checks.h"
#include "compiler/deprecated.h"
#include "compiler/registry.h"
#include "stdlib/image/image.h"

#include <stdio.h>
#include <string.h>

static int failures;

static void expect(int ok, const char *what, const char *name)
{
    printf("%s %s %s\n", ok ? "PASS" : "FAIL", what, name);
    failures += !ok;
}

static const char *old_restrictions[] = {
#define IMG_OLD(name, op, how, note) name,
#include "compiler/image/old_names.def"
#undef IMG_OLD
};

/* Does Postfix 3.7 know the name: a parameter of its own, or one that a
 * default still reads ($virtual_maps in virtual_alias_maps)? postconf
 * calls anything else an "unused parameter". */
static int known(const char *name)
{
    if (registry_find(name))
        return 1;
    size_t n = strlen(name);
    for (size_t i = 0; i < registry_count(); i++)
        for (const char *d = registry_at(i)->def; (d = strstr(d, name)); d += n)
            if (d > registry_at(i)->def && (d[-1] == '$' || d[-1] == '{') &&
                !(d[n] == '_' || (d[n] >= 'a' && d[n] <= 'z')))
                return 1;
    return 0;
}

int main(void)
{
    const dep_entry *e;
    for (unsigned i = 0; (e = dep_at(i)); i++) {
        if (e->kind == DEP_PARAM) {
            int k = known(e->name);
            expect(e->status == DEP_REMOVED ? !k : k,
                   e->status == DEP_REMOVED ? "removed parameter unknown to Postfix 3.7:"
                                            : "deprecated parameter known to Postfix 3.7:",
                   e->name);
            if (*e->use && strcmp(e->name, "maps_rbl_domains") != 0)
                expect(registry_find(e->use) != NULL, "replacement is a parameter:", e->use);
        } else {
            int old = 0;
            for (size_t k = 0; k < sizeof old_restrictions / sizeof *old_restrictions; k++)
                old |= strcmp(old_restrictions[k], e->name) == 0;
            expect(old, "old restriction name lowered by the image:", e->name);
            expect(img_op_lookup(e->use) >= 0, "replacement is a restriction:", e->use);
        }
    }
    for (size_t k = 0; k < sizeof old_restrictions / sizeof *old_restrictions; k++)
        expect(dep_find(DEP_RESTRICTION, old_restrictions[k]) != NULL,
               "old restriction name has a deprecated entry:", old_restrictions[k]);

    static const struct {
        const char *version, *level;
        int r;
    } cases[] = {
        { NULL, "3.6", 0 },   { "3.7", "3.6", 0 },  { "3.6", "3.6", 0 }, { "3.6.4", "3.6", 0 },
        { "3.5", "2", 0 },    { "3.0", "2", 0 },    { "2.11", "0", 0 },  { "3.7.11", "", -2 },
        { "3.8", "", -2 },    { "4", "", -2 },      { "x", "", -1 },     { "3.", "", -1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *level = "";
        int r = compat_target_level(cases[i].version, &level);
        char name[64];
        snprintf(name, sizeof name, "%s -> %s (%d)", cases[i].version ? cases[i].version : "default",
                 cases[i].level, cases[i].r);
        expect(r == cases[i].r && (r < 0 || strcmp(level, cases[i].level) == 0),
               "compat_target_level", name);
    }
    return failures ? 1 : 0;
}
