/* table_refs.c: every table a configuration names, with its use (see
 * table_refs.h). */
#include "compiler/table_refs.h"
#include "compiler/tables/build.h"
#include "compiler/tables/tables.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct { const char *name; table_use use; } uses[] = {
    { "header_checks", TABLE_USE_HEADER },
    { "mime_header_checks", TABLE_USE_HEADER },
    { "nested_header_checks", TABLE_USE_HEADER },
    { "body_checks", TABLE_USE_BODY },
    { "smtp_header_checks", TABLE_USE_SMTP_HEADER },
    { "smtp_mime_header_checks", TABLE_USE_SMTP_HEADER },
    { "smtp_nested_header_checks", TABLE_USE_SMTP_HEADER },
    { "lmtp_header_checks", TABLE_USE_SMTP_HEADER },
    { "lmtp_mime_header_checks", TABLE_USE_SMTP_HEADER },
    { "lmtp_nested_header_checks", TABLE_USE_SMTP_HEADER },
    { "smtp_body_checks", TABLE_USE_SMTP_BODY },
    { "lmtp_body_checks", TABLE_USE_SMTP_BODY },
    { "milter_header_checks", TABLE_USE_MILTER_HEADER },
    { "virtual_alias_maps", TABLE_USE_ADDRESS },
    { "virtual_maps", TABLE_USE_ADDRESS },
    { "virtual_mailbox_maps", TABLE_USE_ADDRESS },
    { "canonical_maps", TABLE_USE_ADDRESS },
    { "sender_canonical_maps", TABLE_USE_ADDRESS },
    { "recipient_canonical_maps", TABLE_USE_ADDRESS },
    { "smtp_generic_maps", TABLE_USE_ADDRESS },
    { "lmtp_generic_maps", TABLE_USE_ADDRESS },
    { "relocated_maps", TABLE_USE_ADDRESS },
    { "transport_maps", TABLE_USE_TRANSPORT },
    { "sender_dependent_default_transport_maps", TABLE_USE_TRANSPORT },
    { "postscreen_access_list", TABLE_USE_ACCESS },
};

int table_refs_is_table_list(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, "_maps") == 0) ||
           (n > 7 && strcmp(name + n - 7, "_checks") == 0) ||
           (n > 12 && strcmp(name + n - 12, "_access_list") == 0);
}

int table_refs_is_restriction_list(const config *c, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(name, "smtpd_", 6) == 0 && n > 13 && strcmp(name + n - 13, "_restrictions") == 0)
        return 1;
    const cf_setting *classes = maincf_find(&c->main, "smtpd_restriction_classes");
    if (!classes)
        return 0;
    const char *sep = ", \t\r\n";
    char *copy = xstrdup(classes->value);
    int found = 0;
    for (char *save = NULL, *w = strtok_r(copy, sep, &save); w && !found; w = strtok_r(NULL, sep, &save))
        found = strcmp(w, name) == 0;
    free(copy);
    return found;
}

static table_use use_of(const config *c, const char *param)
{
    for (size_t i = 0; i < sizeof uses / sizeof *uses; i++)
        if (strcmp(uses[i].name, param) == 0)
            return uses[i].use;
    return table_refs_is_restriction_list(c, param) ? TABLE_USE_ACCESS : TABLE_USE_OTHER;
}

/* Scan one value for "type:name" words (braces group, as Postfix splits
 * table lists). s/whole map words back to the source. */
static void scan_value(const config *c, table_ref_fn *fn, void *arg, const char *param,
                       const char *v, const cf_setting *s, loc whole)
{
    table_use use = use_of(c, param);
    int all_tables = table_refs_is_table_list(param), after_check = 0, after_policy = 0;
    size_t i = 0, n = strlen(v);
    while (i < n) {
        while (i < n && strchr(", \t\r\n", v[i]))
            i++;
        size_t start = i;
        int depth = 0;
        while (i < n && (depth > 0 || !strchr(", \t\r\n", v[i]))) {
            if (v[i] == '{')
                depth++;
            else if (v[i] == '}' && depth > 0)
                depth--;
            i++;
        }
        if (i == start)
            continue;
        char *word = xstrndup(v + start, i - start);
        char *colon = strchr(word, ':');
        int table_slot = all_tables || after_check;
        int endpoint = after_policy;   /* check_policy_service names a server, not a table */
        size_t wl = strlen(word);
        after_check = strncmp(word, "check_", 6) == 0 && wl > 13 &&
                      strcmp(word + wl - 7, "_access") == 0;
        after_policy = strcasecmp(word, "check_policy_service") == 0;
        if (colon && colon != word && !strchr(word, '$') && !endpoint) {
            char *type = xstrndup(word, (size_t)(colon - word));
            if (table_slot || tables_type_known(type)) {
                loc at = s ? cf_value_loc(s, start, i - start) : whole;
                fn(arg, param, word, at, use);
            }
            free(type);
        }
        free(word);
    }
}

void table_refs_each(const config *c, table_ref_fn *fn, void *arg)
{
    for (size_t i = 0; i < c->main.n; i++) {
        const cf_setting *s = &c->main.v[i];
        if (maincf_find(&c->main, s->name) != s)
            continue;   /* overridden later in main.cf: Postfix never opens it */
        scan_value(c, fn, arg, s->name, s->value, s, s->value_loc);
    }
    for (size_t i = 0; i < c->master.n; i++) {
        const master_service *svc = &c->master.v[i];
        for (size_t k = 0; k < svc->noverrides; k++)
            scan_value(c, fn, arg, svc->overrides[k].name, svc->overrides[k].value, NULL,
                       svc->overrides[k].value_loc);
    }
}

/* Is want spec, or a member of the composite spec (recursively)? */
static int names(const char *spec, const char *want)
{
    if (strcmp(spec, want) == 0)
        return 1;
    const char *bare = spec;
    while (strncmp(bare, "proxy:", 6) == 0)
        bare += 6;
    if (strncmp(bare, "unionmap:", 9) != 0 && strncmp(bare, "pipemap:", 8) != 0)
        return 0;
    char **el;
    size_t n;
    if (tables_split_braced(strchr(bare, ':') + 1, &el, &n) < 0)
        return 0;
    int found = 0;
    for (size_t i = 0; i < n && !found; i++) {
        char *inner = el[i][0] == '{' ? tables_unbrace(el[i]) : xstrdup(el[i]);
        found = names(inner, want);
        free(inner);
    }
    tables_strv_free(el, n);
    return found;
}

struct access_arg {
    const char *want;
    int         found;
};

static void access_ref(void *arg, const char *param, const char *spec, loc at, table_use use)
{
    struct access_arg *a = arg;
    if (use == TABLE_USE_ACCESS && !a->found)
        a->found = names(spec, a->want);
}

int table_refs_is_access(const config *c, const char *spec)
{
    struct access_arg a = { spec, 0 };
    table_refs_each(c, access_ref, &a);
    return a.found;
}
