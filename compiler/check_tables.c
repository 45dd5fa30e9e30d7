/* check_tables.c: finds every lookup table the configuration names (in
 * main.cf values and master.cf -o overrides) and runs the table checks on
 * each one once: missing-table, stale-table, table-syntax, duplicate-key,
 * unknown-map-type, numeric-access-result, and the regexp/pcre checks with
 * the kind of use (access, address, header, ...) the parameter implies. */
#include "compiler/checks.h"
#include "compiler/tables/build.h"
#include "compiler/tables/rxtable.h"
#include "compiler/tables/tables.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/strbuf.h"

#include <string.h>
#include <stdlib.h>
#include <unistd.h>

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

/* Parameters whose every "x:y" word is a table reference. */
static int is_table_list(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, "_maps") == 0) ||
           (n > 7 && strcmp(name + n - 7, "_checks") == 0) ||
           (n > 12 && strcmp(name + n - 12, "_access_list") == 0);
}

/* Is name a restriction list (its tables are access tables)? */
static int is_restriction_list(const config *c, const char *name)
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
    return is_restriction_list(c, param) ? TABLE_USE_ACCESS : TABLE_USE_OTHER;
}

typedef struct seen_set {
    char  **v;
    size_t  n, cap;
} seen_set;

static int seen_add(seen_set *s, const char *spec, table_use use)
{
    strbuf k;
    sb_init(&k);
    sb_addf(&k, "%d:%s", (int)use, spec);
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], k.s) == 0) {
            sb_free(&k);
            return 0;
        }
    xgrow(&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = sb_take(&k);
    return 1;
}

/* Types whose name is a file this project reads. */
static int file_type(const char *type)
{
    static const char *const t[] = { "hash", "btree", "texthash", "cidr", "regexp", "pcre" };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (strcmp(t[i], type) == 0)
            return 1;
    return 0;
}

/* Where to read the file of "type:path": relative names and names under
 * /etc/postfix/ are taken from the directory being checked (when the file
 * is there); other absolute names are files of this machine. NULL when the
 * type names no file. *external is set for a file outside DIR. */
static char *table_file(const config *c, const char *type, const char *path, int *external)
{
    *external = 0;
    if (!file_type(type) || path[0] == '{')
        return NULL;
    if (path[0] != '/')
        return config_path(c, path);
    if (strncmp(path, "/etc/postfix/", 13) == 0) {
        char *local = config_path(c, path + 13);
        char *db = xmalloc(strlen(local) + 4);
        sprintf(db, "%s.db", local);
        int here = access(local, F_OK) == 0 || access(db, F_OK) == 0;
        free(db);
        if (here)
            return local;
        free(local);
        return xstrdup(path);   /* meant to be in DIR, missing from both */
    }
    size_t dl = strlen(c->dir);
    *external = !(c->dir[0] == '/' && strncmp(path, c->dir, dl) == 0 && path[dl] == '/');
    return xstrdup(path);
}

static void check_one(config *c, seen_set *seen, const char *spec, loc at, table_use use)
{
    if (!seen_add(seen, spec, use))
        return;
    const char *bare = spec;
    while (strncmp(bare, "proxy:", 6) == 0)
        bare += 6;
    const char *colon = strchr(bare, ':');
    char *type = colon ? xstrndup(bare, (size_t)(colon - bare)) : xstrdup("hash");
    char **el;
    size_t nel;
    if ((strcmp(type, "unionmap") == 0 || strcmp(type, "pipemap") == 0) && colon[1] == '{' &&
        tables_split_braced(colon + 1, &el, &nel) == 0) {
        /* each component is a table of its own, read from where it lives */
        for (size_t i = 0; i < nel; i++) {
            char *inner = el[i][0] == '{' ? tables_unbrace(el[i]) : xstrdup(el[i]);
            check_one(c, seen, inner, at, use);
            free(inner);
        }
        tables_strv_free(el, nel);
        free(type);
        return;
    }
    int external;
    char *file = table_file(c, type, colon ? colon + 1 : bare, &external);
    strbuf real;
    sb_init(&real);
    if (file)
        sb_addf(&real, "%s:%s", type, file);
    else
        sb_adds(&real, spec);
    if (c->for_image && file && (strcmp(type, "hash") == 0 || strcmp(type, "btree") == 0) &&
        access(file, F_OK) == 0) {
        /* compiled into the image from this source, which reports its content */
    } else if (file && (strcmp(type, "regexp") == 0 || strcmp(type, "pcre") == 0)) {
        int id = src_read(&c->src, file, file);
        if (id >= 0) {
            rxtable t;
            rxtable_load(&t, id, strcmp(type, "pcre") == 0 ? RXT_PCRE : RXT_REGEXP, use, &c->d);
            rxtable_check(&t, &c->d);
            rxtable_free(&t);
        } else {
            diag *g = diag_add_sev(&c->d, DIAG_MISSING_TABLE, external ? SEV_WARNING : SEV_ERROR,
                                   at, "cannot read the table %s (%s)", file, spec);
            diag_hint(g, "create the file or fix the path");
        }
    } else {
        unsigned u = use == TABLE_USE_ACCESS ? TABLES_USE_ACCESS : TABLES_USE_ANY;
        tables_check(real.s, at, u | (external ? TABLES_USE_EXTERNAL : 0), &c->d);
    }
    sb_free(&real);
    free(file);
    free(type);
}

/* Scan one value for "type:name" words (braces group, as Postfix splits
 * table lists) and check each table. voff/val_loc map words back to the
 * source. */
static void scan_value(config *c, seen_set *seen, const char *param, const char *v,
                       const cf_setting *s, loc whole)
{
    table_use use = use_of(c, param);
    int all_tables = is_table_list(param), after_check = 0;
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
        size_t wl = strlen(word);
        after_check = strncmp(word, "check_", 6) == 0 && wl > 13 &&
                      strcmp(word + wl - 7, "_access") == 0;
        if (colon && colon != word && !strchr(word, '$')) {
            char *type = xstrndup(word, (size_t)(colon - word));
            if (table_slot || tables_type_known(type)) {
                loc at = s ? cf_value_loc(s, start, i - start) : whole;
                check_one(c, seen, word, at, use);
            }
            free(type);
        }
        free(word);
    }
}

void check_tables(config *c)
{
    seen_set seen = { 0 };
    for (size_t i = 0; i < c->main.n; i++) {
        const cf_setting *s = &c->main.v[i];
        if (maincf_find(&c->main, s->name) != s)
            continue;   /* overridden later in main.cf: Postfix never opens it */
        scan_value(c, &seen, s->name, s->value, s, s->value_loc);
    }
    for (size_t i = 0; i < c->master.n; i++) {
        const master_service *svc = &c->master.v[i];
        for (size_t k = 0; k < svc->noverrides; k++)
            scan_value(c, &seen, svc->overrides[k].name, svc->overrides[k].value, NULL,
                       svc->overrides[k].value_loc);
    }
    for (size_t i = 0; i < seen.n; i++)
        free(seen.v[i]);
    free(seen.v);
}
