/* aliases.c: aliases(5) entries as postalias(1) stores them (driving
 * compiler/grammar/aliases.{l,y} over the logical lines of kvsrc). */
#include "compiler/tables/aliases.h"
#include "compiler/tables/kvcollect.h"
#include "compiler/grammar/aliases_scan.h"
#include "compiler/tables/kvsrc.h"
#include "aliases.tab.h"
#define YYSTYPE ALSYYSTYPE
#define YYLTYPE ALSYYLTYPE
#include "aliases.lex.h"
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void al_tokens_add(al_tokens *t, al_kind k, char *text, unsigned first, unsigned last)
{
    xgrow(&t->v, &t->cap, t->n + 1, sizeof *t->v);
    t->v[t->n++] = (al_token){ k, text, first, last };
}

void al_tokens_free(al_tokens *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].text);
    free(t->v);
    memset(t, 0, sizeof *t);
}

static int is_word(al_kind k)
{
    return k == AL_ATOM || k == AL_QSTRING || k == AL_COMMENT || k == AL_DOMLIT;
}

/* Does an atom need quotes to read back as one atom? */
static int needs_quote(const char *s)
{
    for (; *s; s++)
        if (strchr("()<>@,;:.!%|[]\"\\", *s) || (unsigned char)*s <= ' ' || *s == 0x7f)
            return 1;
    return 0;
}

static void add_quoted(strbuf *out, const char *s)
{
    sb_addc(out, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            sb_addc(out, '\\');
        sb_addc(out, *s);
    }
    sb_addc(out, '"');
}

void aliases_externalize(const al_tokens *t, int quote, strbuf *out)
{
    sb_adds(out, "");
    for (size_t i = 0; i < t->n; i++) {
        const al_token *k = &t->v[i];
        if (i > 0) {
            const al_token *p = &t->v[i - 1];
            if (p->kind != AL_COMMA &&
                ((k->kind == AL_OP && strcmp(k->text, "<") == 0) ||
                 (is_word(p->kind) && is_word(k->kind))))
                sb_addc(out, ' ');
        }
        switch (k->kind) {
        case AL_ATOM:
            if (quote && needs_quote(k->text))
                add_quoted(out, k->text);
            else
                sb_adds(out, k->text);
            break;
        case AL_QSTRING:
            if (quote)
                add_quoted(out, k->text);
            else
                sb_adds(out, k->text);
            break;
        case AL_DOMLIT:
            sb_addc(out, '[');
            sb_adds(out, k->text);
            sb_addc(out, ']');
            break;
        case AL_COMMA:
            sb_adds(out, ", ");
            break;
        default:
            sb_adds(out, k->text);
            break;
        }
    }
}

al_status aliases_parse_entry(const char *line, size_t len, int fold, strbuf *key,
                              strbuf *value, unsigned *err_off, unsigned *err_len)
{
    al_tokens name = { 0 }, val = { 0 };
    struct aliases_scan ps = { .name = &name, .value = &val };
    sb_init(&ps.buf);
    yyscan_t scanner;
    if (alsyylex_init_extra(&ps, &scanner))
        fatal("cannot start the aliases scanner");
    YY_BUFFER_STATE buf = alsyy_scan_bytes(line, (int)len, scanner);
    alsyyparse(scanner, &ps);
    alsyy_delete_buffer(buf, scanner);
    alsyylex_destroy(scanner);
    sb_free(&ps.buf);
    al_status st = AL_OK;
    *err_off = 0;
    *err_len = (unsigned)len;
    if (ps.bad || val.n == 0) {
        st = AL_NEED_PAIR;
        if (ps.bad && ps.err_at.last > ps.err_at.first) {
            *err_off = ps.err_at.first;
            *err_len = ps.err_at.last - ps.err_at.first;
        }
    } else {
        for (size_t i = 0; i < name.n; i++)
            if (name.v[i].kind == AL_AT) {
                st = AL_NOT_LOCAL;
                *err_off = name.v[i].first;
                *err_len = 1;
                break;
            }
    }
    if (st == AL_OK) {
        sb_clear(key);
        aliases_externalize(&name, 0, key);
        if (fold)
            for (size_t i = 0; i < key->len; i++)
                if (key->s[i] >= 'A' && key->s[i] <= 'Z')
                    key->s[i] = (char)(key->s[i] - 'A' + 'a');
        sb_clear(value);
        aliases_externalize(&val, 1, value);
    }
    al_tokens_free(&name);
    al_tokens_free(&val);
    return st;
}

void aliases_collect(memtab *out, int file, int fold, diags *d, unsigned **lines)
{
    memtab_init(out);
    kvsrc s;
    kvsrc_parse(&s, file, d);
    strbuf key, value;
    sb_init(&key);
    sb_init(&value);
    loc *at = NULL;
    size_t nat = 0, capat = 0;
    for (size_t i = 0; i < s.n; i++) {
        const kvsrc_line *l = &s.v[i];
        unsigned eo, el;
        al_status st = aliases_parse_entry(l->text, l->len, fold, &key, &value, &eo, &el);
        if (st == AL_NEED_PAIR) {
            diag *g = diag_add(d, DIAG_TABLE_SYNTAX, kvsrc_loc(&s, l, 0, l->len),
                               "expecting \"name: value\"; postalias skips this line");
            diag_hint(g, "write the alias as name: address, address...");
            continue;
        }
        if (st == AL_NOT_LOCAL) {
            diag *g = diag_add(d, DIAG_TABLE_SYNTAX, kvsrc_loc(&s, l, eo, el),
                               "an alias name must be local (no '@' or '%%'); postalias skips "
                               "this line");
            diag_hint(g, "put domain addresses in virtual_alias_maps, or quote the name");
            continue;
        }
        size_t first;
        if (memtab_get(out, sb_str(&key), &first)) {
            diag *g = diag_add(d, DIAG_DUPLICATE_KEY, kvsrc_loc(&s, l, 0, l->len),
                               "duplicate alias \"%s\": the first one wins, Postfix ignores "
                               "this one", sb_str(&key));
            diag_note_add(g, at[first], "the entry that wins");
            diag_hint(g, "merge the two entries into one");
            continue;
        }
        memtab_put(out, sb_str(&key), sb_str(&value), 0);
        xgrow(&at, &capat, nat + 1, sizeof *at);
        at[nat++] = kvsrc_loc(&s, l, 0, l->len);
    }
    /* postalias adds "@" for sendmail's alias-database-complete check */
    int added = memtab_put(out, "@", "@", 0);
    if (lines) {
        *lines = xcalloc(out->n + 1, sizeof **lines);
        for (size_t i = 0; i < nat; i++)
            src_linecol(d->src, file, at[i].off, &(*lines)[i], &(unsigned){ 0 });
        if (added)
            (*lines)[out->n - 1] = 0;
    }
    free(at);
    sb_free(&key);
    sb_free(&value);
    kvsrc_free(&s);
}

map *tables_open_aliases_source(const char *spec, const tables_opts *o, diags *d)
{
    char *type, *name;
    if (tables_split_spec(spec, &type, &name) < 0) {
        diag *g = diag_add(d, DIAG_TABLE_SYNTAX, o->ref,
                           "expecting \"type:name\" instead of \"%s\"", spec);
        diag_hint(g, "name a table as type:name, e.g. hash:/etc/aliases");
        return NULL;
    }
    map *m = NULL;
    int id = src_read(d->src, name, name);
    if (id < 0) {
        diag *g = diag_add(d, DIAG_MISSING_TABLE, o->ref, "cannot open %s: %s", name,
                           strerror(errno));
        diag_hint(g, "create the file or fix the path");
    } else if (aliases_source_is_postmap(name)) {
        kv_collected c;
        kv_collect(&c, id, (o->flags & MAP_FL_FOLD_FIX) != 0, d);
        m = map_memtab_new(type, name, &c.t, o->flags & MAP_FL_FOLD_FIX);
        kv_collected_free(&c);
    } else {
        memtab t;
        aliases_collect(&t, id, (o->flags & MAP_FL_FOLD_FIX) != 0, d, NULL);
        m = map_memtab_new(type, name, &t, o->flags & MAP_FL_FOLD_FIX);
    }
    free(type);
    free(name);
    return m;
}

int aliases_source_is_postmap(const char *file)
{
    FILE *fp = fopen(file, "r");
    if (!fp)
        return 0;
    char line[4096];
    int entries = 0, colon = 0;
    while (fgets(line, sizeof line, fp) && !colon) {
        if (line[0] == '#' || line[0] == ' ' || line[0] == '\t' || line[0] == '\n')
            continue;
        size_t key = strcspn(line, " \t\n");
        entries++;
        colon = memchr(line, ':', key) != NULL;
    }
    fclose(fp);
    return entries > 0 && !colon;
}
