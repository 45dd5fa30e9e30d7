/* where.c: locations of settings and of words in them, for the
 * verifier's checks (where.h). */
#include "compiler/verify/where.h"
#include "compiler/image/emit.h"
#include "stdlib/policy/internal.h"
#include "stdlib/util/pfvalue.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

const master_service *where_entry(const verify_ctx *v, const img_service *svc)
{
    if (!svc)
        return NULL;
    size_t i = (size_t)(svc - v->im.services);
    return i < v->c->master.n ? &v->c->master.v[i] : NULL;
}

const ms_override *where_override(const verify_ctx *v, const img_service *svc, const char *name)
{
    const master_service *e = where_entry(v, svc);
    for (size_t k = e ? e->noverrides : 0; k-- > 0;)
        if (strcmp(e->overrides[k].name, name) == 0)
            return &e->overrides[k];
    return NULL;
}

loc where_setting(const verify_ctx *v, const img_service *svc, const char *name)
{
    const ms_override *o = where_override(v, svc, name);
    if (o)
        return o->value_loc.len ? o->value_loc : o->name_loc;
    const cf_setting *s = maincf_find(&v->c->main, name);
    if (s)
        return s->value_loc.len ? s->value_loc : s->name_loc;
    return LOC_NONE;
}

/* Bytes [off, off+len) of a main.cf value (s) or of a -o value (o). */
static loc text_loc(const verify_ctx *v, const cf_setting *s, const ms_override *o, size_t off,
                    size_t len)
{
    if (s)
        return cf_value_loc(s, off, len);
    /* a -o value maps byte for byte when it is written as Postfix reads it */
    const src_file *f = src_get(&v->c->src, o->value_loc.file);
    size_t n = strlen(o->value);
    if (f && f->text && o->value_loc.off + n <= f->len &&
        memcmp(f->text + o->value_loc.off, o->value, n) == 0)
        return loc_make(o->value_loc.file, o->value_loc.off + off, len);
    return o->value_loc;
}

/* "$name", "${name}" or "$(name)": the name into out. */
static int ref_name(const char *w, size_t len, char *out, size_t outsz)
{
    if (len < 2 || w[0] != '$')
        return 0;
    size_t a = 1, b = len;
    if ((w[1] == '{' && w[len - 1] == '}') || (w[1] == '(' && w[len - 1] == ')')) {
        a = 2;
        b = len - 1;
    }
    if (a >= b || b - a >= outsz)
        return 0;
    for (size_t i = a; i < b; i++)
        if (!isalnum((unsigned char)w[i]) && w[i] != '_')
            return 0;
    memcpy(out, w + a, b - a);
    out[b - a] = 0;
    return 1;
}

/* Does the expanded value of name (as svc sees it) have the word? */
static int expanded_has(const verify_ctx *v, const img_service *svc, const char *name,
                        const char *word)
{
    const img_param *p = svc ? img_service_param(&v->im, svc, name) : img_param_find(&v->im, name);
    if (!p)
        return 0;
    const char *text = img_str(&v->im, p->text);
    size_t pos = 0, start, len, n = strlen(word);
    while (pf_word_next(text, &pos, &start, &len))
        if (len == n && strncasecmp(text + start, word, n) == 0)
            return 1;
    return 0;
}

/* The word in a main.cf value (s) or -o value (o): itself, or the first
 * "$name" whose expansion has it. */
static int search(const verify_ctx *v, const img_service *svc, const cf_setting *s,
                  const ms_override *o, const char *word, loc *out)
{
    const char *text = s ? s->value : o->value;
    size_t pos = 0, start, len, n = strlen(word);
    loc via = LOC_NONE;
    while (pf_word_next(text, &pos, &start, &len)) {
        const char *w = text + start;
        size_t wl = len;
        if (wl > 1 && w[0] == '!' && word[0] != '!') {
            w++;
            wl--;
        }
        if (wl == n && strncasecmp(w, word, n) == 0) {
            *out = text_loc(v, s, o, start, len);
            return 1;
        }
        char name[128];
        if (via.file < 0 && ref_name(w, wl, name, sizeof name) && expanded_has(v, svc, name, word))
            via = text_loc(v, s, o, start, len);
    }
    *out = via;
    return via.file >= 0;
}

loc where_word(const verify_ctx *v, const img_service *svc, const char *name, const char *word)
{
    const ms_override *o = where_override(v, svc, name);
    const cf_setting *s = o ? NULL : maincf_find(&v->c->main, name);
    loc at;
    if ((o || s) && search(v, svc, s, o, word, &at))
        return at;
    return where_setting(v, svc, name);
}

loc where_prefix(const verify_ctx *v, const img_service *svc, const char *name,
                 const char *prefix)
{
    const ms_override *o = where_override(v, svc, name);
    const cf_setting *s = o ? NULL : maincf_find(&v->c->main, name);
    const char *text = o ? o->value : s ? s->value : NULL;
    size_t n = strlen(prefix);
    if (text && n && strncmp(text, prefix, n) == 0)
        return text_loc(v, s, o, 0, n);
    return where_setting(v, svc, name);
}

static int word_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '-' || ch == '.';
}

loc where_in_line(const verify_ctx *v, loc line, const char *word)
{
    if (line.file < 0 || !*word)
        return line;
    unsigned ln, col;
    src_linecol(&v->c->src, line.file, line.off, &ln, &col);
    size_t len = 0;
    const char *text = src_line(&v->c->src, line.file, ln, &len);
    size_t n = strlen(word), best = len, bare = len;
    for (size_t i = 0; text && i + n <= len; i++) {
        if (memcmp(text + i, word, n) != 0 || (i > 0 && word_char(text[i - 1])))
            continue;
        if (i + n < len && text[i + n] == ':')
            best = i;
        else if (i + n == len || !word_char(text[i + n]))
            bare = i;
    }
    size_t at = best < len ? best : bare;
    if (at >= len)
        return line;
    return loc_make(line.file, src_line_off(&v->c->src, line.file, ln) + at, n);
}

/* Does table ti answer the key d? The entry line into *line (0: unknown). */
static int table_has(verify_ctx *v, uint32_t ti, const char *d, uint32_t *line)
{
    const img *im = &v->im;
    const img_table *t = &im->tables[ti];
    *line = 0;
    for (uint32_t e = 0; t->kind == IMG_TK_HASH && e < t->count; e++) {
        const img_hash_entry *h = &im->hash_entries[t->first + e];
        if (strcmp(img_str(im, h->key), d) == 0) {
            *line = h->line;
            return 1;
        }
    }
    const char *why;
    map *m = pol_image_map(&v->pi, ti, &why);
    strbuf val, err;
    sb_init(&val);
    sb_init(&err);
    int hit = m && map_lookup(m, d, &val, &err) == MAP_FOUND;
    sb_free(&val);
    sb_free(&err);
    return hit;
}

loc where_domain(verify_ctx *v, const img_service *svc, const char *name, const char *dflt,
                 const char *d)
{
    const img *im = &v->im;
    loc word = where_word(v, svc, name, d), whole = where_setting(v, svc, name);
    if (word.file >= 0 && (word.off != whole.off || word.len != whole.len))
        return word;
    const img_param *p = svc ? img_service_param(im, svc, name) : img_param_find(im, name);
    for (uint32_t i = 0; p && p->kind == IMG_PK_LIST && i < p->nlist; i++) {
        const char *spec = img_str(im, img_list_at(im, p->list, i));
        int ti = strchr(spec, ':') ? pol_table_index(&v->pi, spec) : -1;
        uint32_t line;
        if (ti < 0 || !table_has(v, (uint32_t)ti, d, &line))
            continue;
        const img_table *t = &im->tables[ti];
        if (line)
            return where_in_line(v, verify_line_loc(v, t->file, line), d);
        loc tw = where_word(v, svc, name, spec);
        if (tw.file < 0 && dflt)
            tw = where_word(v, svc, dflt, spec);
        if (tw.file >= 0)
            return tw;
    }
    if (word.file < 0 && dflt)
        return where_word(v, svc, dflt, d);
    return word.file >= 0 ? word : whole;
}
