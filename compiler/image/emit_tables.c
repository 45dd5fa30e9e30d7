/* emit_tables.c: every table a configuration names, compiled into the
 * image once per spec (stdlib/image/format.h TABLES and the sections
 * behind it), so that the runtime answers lookups from the image alone
 * (stdlib/image/maps.c) exactly as the tables compiler/tables builds:
 *   hash:, btree:   from the source text when it exists, as postmap (or,
 *                   for alias_maps, postalias) would store it; otherwise
 *                   from the .db file
 *   texthash:, inline:{...}      the same hash index
 *   cidr:           rules with their if/endif skips
 *   regexp:, pcre:  the rules Postfix keeps, with their prefilter literals
 *   static:, fail:, environ:     as they are
 *   unionmap:, pipemap:          the members first, then a list of them
 *   anything else (types not served, missing files) is UNAVAILABLE with
 *   a one-line reason.
 * Files are found as the checks find them (config_table_file) and
 * recorded in FILES under the name the configuration gives them.
 *
 * The checks have reported on every table already, except (for `mtacc
 * build`, config.for_image) hash:/btree: tables with a source: those are
 * read here, streamed in bounded memory (emit_hash.h), and their
 * table-syntax, duplicate-key and numeric-access-result problems are
 * reported here. Everything else is read again quietly. */
#include "compiler/image/emit.h"
#include "compiler/image/emit_hash.h"
#include "compiler/table_refs.h"
#include "compiler/tables/aliases.h"
#include "compiler/tables/build.h"
#include "compiler/tables/kvdups.h"
#include "compiler/tables/kvsrc.h"
#include "compiler/tables/rxtable.h"
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/sha256.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The table being compiled. */
typedef struct tab {
    emit_ctx   *e;
    const char *spec;
    const char *type, *name;   /* after proxy: unwrapping */
    loc         at;
    enum emit_table_src src;
    img_table   rec;
    diags       quiet;         /* what the checks reported already */
} tab;

static void unavailable(tab *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void unavailable(tab *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s;
    if (vasprintf(&s, fmt, ap) < 0)
        fatal("out of memory");
    va_end(ap);
    for (char *p = s; *p; p++)   /* one line */
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    t->rec.kind = IMG_TK_UNAVAILABLE;
    t->rec.value = imgw_str(t->e->w, s);
    free(s);
}

/* Unavailable for the first problem reported on the table (in
 * t->quiet), the worst first. */
static void unavailable_for_syntax(tab *t)
{
    const diags *d = &t->quiet;
    for (int sev = SEV_ERROR; sev >= SEV_NOTE; sev--)
        for (size_t i = 0; i < d->n; i++)
            if ((int)d->v[i].sev == sev) {
                unavailable(t, "%s", d->v[i].msg);
                return;
            }
    unavailable(t, "bad syntax in \"%s:%s\"", t->type, t->name);
}

/* ---- files ---------------------------------------------------------------- */

/* Read a whole file into the srcset and FILES. Returns the srcset id, or
 * -1 (errno). */
static int read_whole(tab *t, const char *path)
{
    srcset *src = &t->e->c->src;
    int id = src_read(src, path, path);
    if (id < 0)
        return -1;
    const src_file *f = src_get(src, id);
    t->rec.file = imgw_file(t->e->w, t->name, f->text, f->len);
    return id;
}

/* ---- exact-match tables ---------------------------------------------------- */

/* A postmap(1) source streamed into the index. */
typedef struct stream {
    tab      *t;
    emit_hash h;
    diags    *d;           /* where problems go: c->d or the quiet set */
    int       file;        /* sparse srcset file */
    int       fold, access;
    kvdups    dups;
    strbuf    key, value;
} stream;

static void stream_line(void *arg, kvstream *st, const kvsrc_line *l)
{
    stream *s = arg;
    size_t before = s->d->n;
    loc key_at, value_at;
    if (kv_split_line(s->file, l, &s->key, &s->value, &key_at, &value_at, s->d)) {
        if (s->fold)
            map_fold_inplace(s->key.s);
        const char *k = sb_str(&s->key), *v = sb_str(&s->value);
        if (!emit_hash_add(&s->h, k, strlen(k), v, l->pieces[0].line, NULL))
            kvdups_report(&s->dups, k, key_at);
        else if (s->access)
            tables_check_access_result(v, value_at, s->d);
    }
    if (s->d->n > before)
        kvsrc_keep(st, l);
}

/* hash:/btree:/texthash: from the source file at path. report: the
 * checks left this table to us. */
static void emit_source(tab *t, const char *path, int report)
{
    emit_ctx *e = t->e;
    uint8_t sha[32];
    uint64_t size, lines;
    FILE *fp = NULL;
    if (sha256_file(path, sha, &size, &lines) < 0 || !(fp = fopen(path, "rb"))) {
        unavailable(t, "cannot read %s: %s", t->name, strerror(errno));
        return;
    }
    t->rec.file = imgw_file_digest(e->w, t->name, sha, size);
    stream s = { .t = t, .d = report ? &e->c->d : &t->quiet, .fold = 1 };
    s.file = src_add_sparse(&e->c->src, path);
    s.access = report && table_refs_is_access(e->c, t->spec);
    sb_init(&s.key);
    sb_init(&s.value);
    kvdups_init(&s.dups, s.d, s.file, s.fold);
    emit_hash_init(&s.h, e->w, lines);
    int rc = kvsrc_stream(fp, s.file, s.d, 0, stream_line, &s);
    int rerr = errno;
    kvdups_note_winners(&s.dups, fp, 0, NULL);
    fclose(fp);
    emit_hash_finish(&s.h, &t->rec);
    if (rc < 0)
        unavailable(t, "cannot read %s: %s", t->name, strerror(rerr));
    kvdups_free(&s.dups);
    sb_free(&s.key);
    sb_free(&s.value);
}

/* An in-memory table (inline:, aliases) into the index. */
static void emit_memtab(tab *t, const memtab *m, const unsigned *lines)
{
    emit_hash h;
    emit_hash_init(&h, t->e->w, m->n);
    for (size_t i = 0; i < m->n; i++)
        emit_hash_add(&h, m->v[i].key, strlen(m->v[i].key), m->v[i].value,
                      lines ? lines[i] : 0, NULL);
    emit_hash_finish(&h, &t->rec);
}

static char *strip_nul(const char *p, size_t n)
{
    if (n > 0 && p[n - 1] == 0)
        n--;
    return xstrndup(p, n);
}

static int db_record(void *arg, const char *k, size_t klen, const char *v, size_t vlen)
{
    char *key = strip_nul(k, klen), *val = strip_nul(v, vlen);
    emit_hash_add(arg, key, strlen(key), val, 0, NULL);
    free(key);
    free(val);
    return 0;
}

/* hash:/btree: without a source: the records of NAME.db as stored. */
static void emit_dbfile(tab *t, const char *file)
{
    char *db = xmalloc(strlen(file) + 4);
    sprintf(db, "%s.db", file);
    char *shown = xmalloc(strlen(t->name) + 4);
    sprintf(shown, "%s.db", t->name);
    strbuf err;
    sb_init(&err);
    uint8_t sha[32];
    uint64_t size;
    map *m = NULL;
    if (sha256_file(db, sha, &size, NULL) < 0) {
        unavailable(t, "cannot open %s (%s:%s): %s", shown, t->type, t->name, strerror(errno));
    } else if (!(m = map_db_open(t->type, t->name, db, 0, &err))) {
        unavailable(t, "%s:%s: %s", t->type, t->name, sb_str(&err));
    } else {
        t->rec.file = imgw_file_digest(t->e->w, shown, sha, size);
        emit_hash h;
        emit_hash_init(&h, t->e->w, 0);
        int rc = map_db_each(m, db_record, &h, &err);
        emit_hash_finish(&h, &t->rec);
        if (rc < 0)
            unavailable(t, "%s", sb_str(&err));
        map_free(m);
    }
    sb_free(&err);
    free(shown);
    free(db);
}

static void emit_db(tab *t)
{
    config *c = t->e->c;
    int external;
    char *file = config_table_file(c, t->type, t->name, &external);
    if (!file) {
        unavailable(t, "cannot open %s.db (%s:%s): not a file name", t->name, t->type, t->name);
        return;
    }
    if (access(file, F_OK) != 0) {
        emit_dbfile(t, file);
    } else if (t->src == EMIT_TABLE_ALIASES && !aliases_source_is_postmap(file)) {
        diags *d = c->for_image ? &c->d : &t->quiet;
        int id = read_whole(t, file);
        if (id < 0) {
            unavailable(t, "cannot read %s: %s", t->name, strerror(errno));
        } else {
            memtab m;
            unsigned *lines;
            aliases_collect(&m, id, 1, d, &lines);
            emit_memtab(t, &m, lines);
            memtab_free(&m);
            free(lines);
        }
    } else {
        emit_source(t, file, c->for_image);
    }
    t->rec.flags = MAP_FL_FOLD_FIX;
    free(file);
}

static void emit_texthash(tab *t)
{
    int external;
    char *file = config_table_file(t->e->c, t->type, t->name, &external);
    if (!file)
        unavailable(t, "cannot open %s (%s:%s): not a file name", t->name, t->type, t->name);
    else if (access(file, F_OK) != 0)
        unavailable(t, "cannot open %s (%s:%s): %s", t->name, t->type, t->name, strerror(errno));
    else
        emit_source(t, file, 0);
    t->rec.flags = MAP_FL_FOLD_FIX;
    free(file);
}

static void emit_inline(tab *t)
{
    tables_opts o = tables_opts_default();
    o.ref = t->at;
    memtab m;
    if (tables_inline_parse(t->name, &o, &t->quiet, &m) < 0) {
        unavailable_for_syntax(t);
        return;
    }
    emit_memtab(t, &m, NULL);
    memtab_free(&m);
    t->rec.flags = MAP_FL_FOLD_FIX;
}

/* ---- rule tables ------------------------------------------------------------ */

/* The srcset id of the rules of a cidr:, regexp: or pcre: table: its
 * file, or the Postfix 3.7 inline form; -1 when unavailable. */
static int rule_source(tab *t)
{
    int id;
    if (t->name[0] == '{') {
        tables_opts o = tables_opts_default();
        o.ref = t->at;
        if ((id = tables_braced_source(t->type, t->name, &o, &t->quiet)) < 0)
            unavailable_for_syntax(t);
        return id;
    }
    int external;
    char *file = config_table_file(t->e->c, t->type, t->name, &external);
    if ((id = read_whole(t, file)) < 0)
        unavailable(t, "cannot open %s (%s:%s): %s", t->name, t->type, t->name,
                    strerror(errno));
    free(file);
    return id;
}

static void emit_cidr(tab *t)
{
    int id = rule_source(t);
    if (id < 0)
        return;
    size_t n;
    cidr_rule *v = tables_cidr_rules(id, &t->quiet, &n);
    /* An IF without ENDIF runs to the end (its skip is n): the image has
     * every IF closed, so ENDIFs are added there; an ENDIF takes the
     * family of its IF. */
    size_t *open = xmalloc((n + 1) * sizeof *open), depth = 0, nopen;
    for (size_t i = 0; i < n; i++) {
        if (v[i].kind == CIDR_IF)
            open[depth++] = i;
        else if (v[i].kind == CIDR_ENDIF && depth > 0)
            v[i].family = v[open[--depth]].family;
    }
    nopen = depth;
    v = xrealloc(v, (n + nopen + 1) * sizeof *v);
    while (depth > 0) {
        cidr_rule *end = &v[n++];
        memset(end, 0, sizeof *end);
        end->kind = CIDR_ENDIF;
        end->family = v[open[--depth]].family;
        v[open[depth]].skip = n;
    }
    free(open);
    imgw *w = t->e->w;
    t->rec.kind = IMG_TK_CIDR;
    t->rec.first = imgw_count(w, IMG_SEC_CIDR_RULES);
    t->rec.count = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        const cidr_rule *r = &v[i];
        img_cidr_rule ir = {
            .op = r->kind == CIDR_IF ? IMG_RULE_IF : r->kind == CIDR_ENDIF ? IMG_RULE_ENDIF
                                                                           : IMG_RULE_MATCH,
            .family = r->family, .negate = r->negate, .prefix = r->prefix,
            .skip = (uint32_t)r->skip, .result = r->result ? imgw_str(w, r->result) : 0,
            .line = r->line,
        };
        memcpy(ir.addr, r->addr, 16);
        imgw_append(w, IMG_SEC_CIDR_RULES, &ir, 1);
        free(r->result);
    }
    free(v);
}

static void emit_rx(tab *t)
{
    int pcre = strcmp(t->type, "pcre") == 0;
    int id = rule_source(t);
    if (id < 0)
        return;
    rxtable rt;
    rxtable_load(&rt, id, pcre ? RXT_PCRE : RXT_REGEXP, TABLE_USE_OTHER, &t->quiet);
    imgw *w = t->e->w;
    t->rec.kind = pcre ? IMG_TK_PCRE : IMG_TK_REGEXP;
    t->rec.first = imgw_count(w, IMG_SEC_RX_RULES);
    t->rec.count = (uint32_t)rt.n;
    uint32_t *lits = NULL;
    size_t caplits = 0;
    for (size_t i = 0; i < rt.n; i++) {
        const map_rx_rule *r = &rt.v[i].r;
        img_rx_rule ir = {
            .op = r->op == MAP_RX_IF ? IMG_RULE_IF : r->op == MAP_RX_ENDIF ? IMG_RULE_ENDIF
                                                                            : IMG_RULE_MATCH,
            .negate = (uint8_t)r->negate, .flags = r->flags,
            .pattern = r->pattern ? imgw_str(w, r->pattern) : 0,
            .result = r->result ? imgw_str(w, r->result) : 0, .line = r->line,
        };
        if (r->op != MAP_RX_ENDIF) {
            char **v;
            int all;
            size_t n = rx_required_literals(r->pattern, r->flags,
                                            pcre ? RX_DIALECT_PCRE : RX_DIALECT_ERE, &v, &all);
            if (n <= UINT16_MAX) {   /* more: none stored, the rule is always tried */
                xgrow(&lits, &caplits, n + 1, sizeof *lits);
                for (size_t k = 0; k < n; k++)
                    lits[k] = imgw_str(w, v[k]);
                ir.nlits = (uint16_t)n;
                ir.lits = n ? imgw_u32(w, lits, n) : 0;
                ir.all_required = (uint32_t)all;
            }
            for (size_t k = 0; k < n; k++)
                free(v[k]);
            free(v);
        }
        imgw_append(w, IMG_SEC_RX_RULES, &ir, 1);
    }
    free(lits);
    rxtable_free(&rt);
}

/* ---- the rest ---------------------------------------------------------------- */

static void emit_static(tab *t)
{
    tables_opts o = tables_opts_default();
    o.ref = t->at;
    char *v = tables_static_value(t->name, &o, &t->quiet);
    if (!v) {
        unavailable_for_syntax(t);
        return;
    }
    t->rec.kind = IMG_TK_STATIC;
    t->rec.value = imgw_str(t->e->w, v);
    free(v);
}

static void emit_fail(tab *t)
{
    t->rec.kind = IMG_TK_FAIL;
}

static void emit_environ(tab *t)
{
    t->rec.kind = IMG_TK_ENVIRON;
}

static void emit_unix(tab *t)
{
    if (!map_unix_name_ok(t->name)) {
        unavailable(t, "unix:%s is not a table Postfix has (passwd.byname, group.byname)", t->name);
        return;
    }
    t->rec.kind = IMG_TK_UNIX;
    t->rec.value = imgw_str(t->e->w, t->name);
}

static void emit_compose(tab *t)
{
    char **el;
    size_t n;
    if (tables_split_braced(t->name, &el, &n) < 0 || n == 0) {
        unavailable(t, "bad syntax in \"%s:%s\"", t->type, t->name);
        tables_strv_free(el, n);
        return;
    }
    uint32_t *members = xcalloc(n, sizeof *members);
    const char *bad = NULL;
    for (size_t i = 0; i < n; i++) {
        char *inner = el[i][0] == '{' ? tables_unbrace(el[i]) : xstrdup(el[i]);
        members[i] = emit_table(t->e, inner, t->at, t->src);
        const img_table *m = imgw_at(t->e->w, IMG_SEC_TABLES, members[i]);
        if (m->kind == IMG_TK_UNAVAILABLE && !bad) {
            /* as tables_open: a composite is usable only when every member is */
            strbuf tmp;
            sb_init(&tmp);
            unavailable(t, "%s: %s", inner, imgw_str_get(t->e->w, m->value, &tmp));
            sb_free(&tmp);
            bad = "";
        }
        free(inner);
    }
    if (!bad) {
        t->rec.kind = strcmp(t->type, "unionmap") == 0 ? IMG_TK_UNION : IMG_TK_PIPE;
        t->rec.first = imgw_u32(t->e->w, members, n);
        t->rec.count = (uint32_t)n;
    }
    free(members);
    tables_strv_free(el, n);
}

static const struct {
    const char *type;
    void (*emit)(tab *t);
} emitters[] = {
    { "hash", emit_db },
    { "btree", emit_db },
    { "texthash", emit_texthash },
    { "inline", emit_inline },
    { "cidr", emit_cidr },
    { "regexp", emit_rx },
    { "pcre", emit_rx },
    { "static", emit_static },
    { "fail", emit_fail },
    { "environ", emit_environ },
    { "unix", emit_unix },
    { "unionmap", emit_compose },
    { "pipemap", emit_compose },
};

/* The key a table is known by in e->tables: its spec, marked when its
 * source is read as aliases(5); with `bare`, without proxy: (the same
 * table under another name). */
static char *table_key(const char *spec, enum emit_table_src src, int bare)
{
    while (bare && strncmp(spec, "proxy:", 6) == 0)
        spec += 6;
    size_t n = strlen(spec);
    char *k = xmalloc(n + 3);
    k[0] = src == EMIT_TABLE_ALIASES ? 'a' : 'p';
    k[1] = bare ? 'b' : 's';
    memcpy(k + 2, spec, n + 1);
    return k;
}

static int find_table(const emit_ctx *e, const char *key, uint32_t *index)
{
    for (size_t i = 0; i < e->ntables; i++)
        if (strcmp(e->tables[i].name, key) == 0) {
            *index = e->tables[i].index;
            return 1;
        }
    return 0;
}

static void add_named(emit_ctx *e, char *key, uint32_t index)
{
    xgrow(&e->tables, &e->captables, e->ntables + 1, sizeof *e->tables);
    e->tables[e->ntables++] = (emit_named){ key, index };
}

uint32_t emit_table(emit_ctx *e, const char *spec, loc at, enum emit_table_src src)
{
    if (emit_is_alias_table(e, spec))   /* an alias database, whoever names it */
        src = EMIT_TABLE_ALIASES;
    char *key = table_key(spec, src, 0), *bare = table_key(spec, src, 1);
    uint32_t idx;
    if (find_table(e, key, &idx)) {
        free(key);
        free(bare);
        return idx;
    }
    if (find_table(e, bare, &idx)) {
        /* "proxy:hash:x" after "hash:x" (or the other way round): the same
         * table, compiled once, under the name this reference gives it */
        img_table copy = *(const img_table *)imgw_at(e->w, IMG_SEC_TABLES, idx);
        copy.spec = imgw_str(e->w, spec);
        idx = imgw_append(e->w, IMG_SEC_TABLES, &copy, 1);
        add_named(e, key, idx);
        free(bare);
        return idx;
    }
    tab t = { .e = e, .spec = spec, .at = at, .src = src };
    diags_init(&t.quiet, &e->c->src);
    t.rec.spec = imgw_str(e->w, spec);
    char *type = NULL, *name = NULL;
    if (tables_split_spec(spec, &type, &name) < 0) {
        t.rec.type = imgw_str(e->w, "");
        unavailable(&t, "expecting \"type:name\" instead of \"%s\"", spec);
    } else {
        t.type = type;
        t.name = name;
        t.rec.type = imgw_str(e->w, type);
        void (*fn)(tab *) = NULL;
        for (size_t i = 0; i < sizeof emitters / sizeof *emitters; i++)
            if (strcmp(emitters[i].type, type) == 0)
                fn = emitters[i].emit;
        if (fn)
            fn(&t);
        else if (tables_type_known(type))
            unavailable(&t, "table type \"%s\" is not supported by mtacc", type);
        else
            unavailable(&t, "unknown table type \"%s\"", type);
    }
    idx = imgw_append(e->w, IMG_SEC_TABLES, &t.rec, 1);
    add_named(e, key, idx);
    add_named(e, bare, idx);
    diags_free(&t.quiet);
    free(type);
    free(name);
    return idx;
}
