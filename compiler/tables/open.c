/* open.c: "type:name" -> an open table, for every type this project
 * serves; other Postfix types are recognised and refused with a clear
 * unknown-map-type diagnostic; proxy:X is X. */
#include "compiler/tables/build.h"
#include "compiler/tables/rxtable.h"
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef map *(*type_open)(const char *type, const char *name, const tables_opts *o,
                          diags *d);

static map *open_db(const char *type, const char *name, const tables_opts *o, diags *d);
static map *open_file(const char *type, const char *name, const tables_opts *o, diags *d);
static map *open_regex(const char *type, const char *name, const tables_opts *o, diags *d);
static map *open_inline(const char *type, const char *name, const tables_opts *o, diags *d)
{
    return tables_build_inline(name, o, d);
}
static map *open_static(const char *type, const char *name, const tables_opts *o, diags *d)
{
    return tables_build_static(name, o, d);
}
static map *open_fail(const char *type, const char *name, const tables_opts *o, diags *d)
{
    return map_fail_new(name);
}
static map *open_environ(const char *type, const char *name, const tables_opts *o, diags *d)
{
    return map_environ_new(name);
}
static map *open_unix(const char *type, const char *name, const tables_opts *o, diags *d)
{
    map *m = map_unix_new(name);
    if (!m) {
        diag *g = diag_add(d, DIAG_TABLE_SYNTAX, o->ref,
                           "unix:%s is not a table Postfix has", name);
        diag_hint(g, "write unix:passwd.byname or unix:group.byname");
    }
    return m;
}

/* The types served, in the order they are listed in messages. */
static const struct type_entry {
    const char *type;
    type_open   open;
} served[] = {
    { "hash", open_db },
    { "btree", open_db },
    { "texthash", open_file },
    { "cidr", open_file },
    { "regexp", open_regex },
    { "pcre", open_regex },
    { "inline", open_inline },
    { "static", open_static },
    { "fail", open_fail },
    { "environ", open_environ },
    { "unix", open_unix },
    { "unionmap", tables_build_compose },
    { "pipemap", tables_build_compose },
};

/* Postfix table types that this project does not serve. */
static const char *const unserved[] = {
    "cdb", "dbm", "sdbm", "lmdb", "ldap", "memcache", "mongodb", "mysql", "pgsql",
    "sqlite", "nis", "nisplus", "netinfo", "tcp", "socketmap", "randmap", "internal",
};

static const struct type_entry *find_served(const char *type)
{
    for (size_t i = 0; i < sizeof served / sizeof *served; i++)
        if (strcmp(served[i].type, type) == 0)
            return &served[i];
    return NULL;
}

int tables_type_known(const char *type)
{
    if (find_served(type) || strcmp(type, "proxy") == 0)
        return 1;
    for (size_t i = 0; i < sizeof unserved / sizeof *unserved; i++)
        if (strcmp(unserved[i], type) == 0)
            return 1;
    return 0;
}

int tables_type_supported(const char *type)
{
    return find_served(type) != NULL;
}

const char *tables_supported_list(void)
{
    static char buf[256];
    if (!buf[0]) {
        for (size_t i = 0; i < sizeof served / sizeof *served; i++) {
            if (i)
                strcat(buf, ", ");
            strcat(buf, served[i].type);
        }
    }
    return buf;
}

tables_opts tables_opts_default(void)
{
    return (tables_opts){ MAP_FL_FOLD_FIX | MAP_FL_TRY0NULL | MAP_FL_TRY1NULL, LOC_NONE, SEV_ERROR };
}

int tables_split_spec(const char *spec, char **type, char **name)
{
    while (strncmp(spec, "proxy:", 6) == 0)
        spec += 6;
    const char *colon = strchr(spec, ':');
    /* "inline:{...}" style names may contain ':' themselves; the type is
     * the part before the first ':' */
    if (!colon) {
        if (!*spec)
            return -1;
        *type = xstrdup("hash");
        *name = xstrdup(spec);
        return 0;
    }
    if (colon == spec || colon[1] == 0)
        return -1;
    *type = xstrndup(spec, (size_t)(colon - spec));
    *name = xstrdup(colon + 1);
    return 0;
}

map *tables_open(const char *spec, const tables_opts *o, diags *d)
{
    char *type, *name;
    if (tables_split_spec(spec, &type, &name) < 0) {
        diag *g = diag_add(d, DIAG_TABLE_SYNTAX, o->ref,
                           "expecting \"type:name\" instead of \"%s\"", spec);
        diag_hint(g, "name a table as type:name, e.g. hash:/etc/postfix/access");
        return NULL;
    }
    const struct type_entry *t = find_served(type);
    map *m = NULL;
    if (t) {
        m = t->open(type, name, o, d);
    } else {
        int known = 0;
        for (size_t i = 0; i < sizeof unserved / sizeof *unserved; i++)
            if (strcmp(unserved[i], type) == 0)
                known = 1;
        diag *g;
        if (known) {
            /* a real Postfix type: the configuration is fine for Postfix,
             * but this project cannot read or serve the table */
            g = diag_add_sev(d, DIAG_UNKNOWN_MAP_TYPE, SEV_WARNING, o->ref,
                             "table type \"%s\" (in \"%s\") is not supported by mtacc; its "
                             "content is not checked (supported: %s)", type, spec,
                             tables_supported_list());
            diag_hint(g, "convert the table to one of the supported types, e.g. "
                         "postmap it as hash:, or keep this lookup outside mtacc");
        } else {
            g = diag_add(d, DIAG_UNKNOWN_MAP_TYPE, o->ref,
                         "unknown table type \"%s\" (in \"%s\"); supported: %s", type, spec,
                         tables_supported_list());
            diag_hint(g, "check the spelling of the type before the ':'");
        }
    }
    free(type);
    free(name);
    return m;
}

static void report_missing(diags *d, const tables_opts *o, const char *type, const char *path,
                           int err)
{
    int db = strcmp(type, "hash") == 0 || strcmp(type, "btree") == 0;
    size_t srclen = strlen(path) - (db ? 3 : 0);
    char *src = xstrndup(path, srclen);
    diag *g;
    if (db && err == ENOENT && access(src, F_OK) == 0) {
        /* the source is there, the database was never built: normal in a
         * configuration kept under version control, fatal once deployed */
        g = diag_add_sev(d, DIAG_MISSING_TABLE, SEV_WARNING, o->ref,
                         "%s has not been built from %s: Postfix cannot use %s:%s until it is",
                         path, src, type, src);
        diag_hint(g, "run \"postmap %s:%s\" where the configuration is deployed", type, src);
    } else {
        g = diag_add_sev(d, DIAG_MISSING_TABLE, o->missing, o->ref, "cannot open %s (%s:%s): %s",
                         path, type, src, strerror(err));
        if (o->missing < SEV_ERROR)
            diag_note_add(g, LOC_NONE, "the file is outside the configuration directory and "
                                       "missing on this machine");
        if (db)
            diag_hint(g, "build the database with \"postmap %s:%s\", or fix the path", type, src);
        else
            diag_hint(g, "create the file or fix the path");
    }
    free(src);
}

static map *open_db(const char *type, const char *name, const tables_opts *o, diags *d)
{
    char *path = xmalloc(strlen(name) + 4);
    strcpy(path, name);
    strcat(path, ".db");
    strbuf err;
    sb_init(&err);
    map *m = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        report_missing(d, o, type, path, errno);
    } else {
        fclose(fp);
        m = map_db_open(type, name, path, o->flags, &err);
        if (!m) {
            diag *g = diag_add(d, DIAG_MISSING_TABLE, o->ref, "%s:%s: %s", type, name, sb_str(&err));
            diag_hint(g, "rebuild it with \"postmap %s:%s\"", type, name);
        }
    }
    sb_free(&err);
    free(path);
    return m;
}

static map *open_file(const char *type, const char *name, const tables_opts *o, diags *d)
{
    if (name[0] == '{' && strcmp(type, "cidr") == 0) {
        /* Postfix 3.7 inline form of pattern tables (not texthash) */
        int id = tables_braced_source(type, name, o, d);
        return id < 0 ? NULL : tables_build_cidr(name, id, d);
    }
    int id = src_read(d->src, name, name);
    if (id < 0) {
        report_missing(d, o, type, name, errno);
        return NULL;
    }
    if (strcmp(type, "cidr") == 0)
        return tables_build_cidr(name, id, d);
    return tables_build_texthash(name, id, o->flags, d);
}

/* regexp: and pcre: tables: rules as Postfix keeps them (rxtable.c), from a
 * file or inline. */
static map *open_regex(const char *type, const char *name, const tables_opts *o, diags *d)
{
    int id;
    if (name[0] == '{') {   /* the Postfix 3.7 inline form */
        if ((id = tables_braced_source(type, name, o, d)) < 0)
            return NULL;
    } else if ((id = src_read(d->src, name, name)) < 0) {
        report_missing(d, o, type, name, errno);
        return NULL;
    }
    rxtable t;
    rxtable_load(&t, id, strcmp(type, "pcre") == 0 ? RXT_PCRE : RXT_REGEXP, TABLE_USE_OTHER, d);
    strbuf err;
    sb_init(&err);
    map *m = rxtable_open(&t, name, &err);
    if (!m) {
        diag *g = diag_add(d, DIAG_BAD_REGEX, o->ref, "%s:%s: %s", type, name, sb_str(&err));
        diag_hint(g, "fix the table, see the diagnostics above");
    }
    sb_free(&err);
    rxtable_free(&t);
    return m;
}

/* The elements of the braced name of type:name, or -1 after reporting bad
 * syntax with a hint to write `form` (a format with the type). */
static int split_braced(const char *type, const char *name, const tables_opts *o, diags *d,
                        const char *form, char ***el, size_t *n)
{
    if (tables_split_braced(name, el, n) == 0 && *n > 0)
        return 0;
    diag *g = diag_add(d, DIAG_TABLE_SYNTAX, o->ref, "bad syntax in \"%s:%s\"", type, name);
    strbuf hint;
    sb_init(&hint);
    sb_addf(&hint, form, type);
    diag_hint(g, "write %s", sb_str(&hint));
    sb_free(&hint);
    tables_strv_free(*el, *n);
    return -1;
}

int tables_braced_source(const char *type, const char *name, const tables_opts *o, diags *d)
{
    /* { rule-1 }, { rule-2 } read as the lines of a file */
    char **el;
    size_t n;
    if (split_braced(type, name, o, d, "%s:{ { rule-1 }, { rule-2 } }", &el, &n) < 0)
        return -1;
    strbuf text;
    sb_init(&text);
    for (size_t i = 0; i < n; i++) {
        char *line = el[i][0] == '{' ? tables_unbrace(el[i]) : xstrdup(el[i]);
        sb_adds(&text, line);
        sb_addc(&text, '\n');
        free(line);
    }
    tables_strv_free(el, n);
    size_t len = text.len;
    char shown[64];
    snprintf(shown, sizeof shown, "%s:{...}", type);
    return src_add(d->src, shown, sb_take(&text), len);
}

map *tables_build_compose(const char *type, const char *name, const tables_opts *o, diags *d)
{
    char **el;
    size_t n;
    if (split_braced(type, name, o, d, "\"%s:{type:name, type:name...}\"", &el, &n) < 0)
        return NULL;
    map **members = xcalloc(n, sizeof *members);
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        char *spec = el[i][0] == '{' ? tables_unbrace(el[i]) : xstrdup(el[i]);
        members[i] = tables_open(spec, o, d);
        if (!members[i])
            ok = 0;
        free(spec);
    }
    tables_strv_free(el, n);
    if (!ok) {
        for (size_t i = 0; i < n; i++)
            map_free(members[i]);
        free(members);
        return NULL;
    }
    return strcmp(type, "unionmap") == 0 ? map_union_new(name, members, n)
                                         : map_pipe_new(name, members, n);
}
