/* kvsrc.c: logical lines of table source text (driving kvtab.{l,y}) and
 * the postmap(1) "key whitespace value" split. */
#include "compiler/tables/kvsrc.h"
#include "compiler/grammar/kvtab_scan.h"
#include "kvtab.tab.h"
#define YYSTYPE KVTYYSTYPE
#define YYLTYPE KVTYYLTYPE
#include "kvtab.lex.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>
#include <string.h>

void kvsrc_parse(kvsrc *out, int file, diags *d)
{
    memset(out, 0, sizeof *out);
    out->file = file;
    const src_file *f = src_get(d->src, file);
    if (!f)
        return;
    out->text = f->text;
    struct kvtab_scan ps = { .out = out, .d = d, .text = f->text };
    yyscan_t scanner;
    if (kvtyylex_init_extra(&ps, &scanner))
        fatal("cannot start the table scanner");
    YY_BUFFER_STATE buf = kvtyy_scan_bytes(f->text, (int)f->len, scanner);
    kvtyyparse(scanner, &ps);
    kvtyy_delete_buffer(buf, scanner);
    kvtyylex_destroy(scanner);
}

void kvsrc_free(kvsrc *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].text);
        free(s->v[i].pieces);
    }
    free(s->v);
    memset(s, 0, sizeof *s);
}

static void add_piece(kvsrc_line *l, const char *text, unsigned first, unsigned last)
{
    while (last > first && text[last - 1] == '\n')
        last--;
    l->text = xrealloc(l->text, l->len + (last - first) + 1);
    memcpy(l->text + l->len, text + first, last - first);
    l->pieces = xrealloc(l->pieces, (l->npieces + 1) * sizeof *l->pieces);
    l->pieces[l->npieces++] = (kvsrc_piece){ (unsigned)l->len, first, last - first };
    l->len += last - first;
    l->text[l->len] = 0;
}

kvsrc_line *kvsrc_start(kvsrc *s, unsigned first, unsigned last)
{
    xgrow(&s->v, &s->cap, s->n + 1, sizeof *s->v);
    kvsrc_line *l = &s->v[s->n++];
    memset(l, 0, sizeof *l);
    add_piece(l, s->text, first, last);
    return l;
}

void kvsrc_extend(kvsrc *s, kvsrc_line *l, unsigned first, unsigned last)
{
    add_piece(l, s->text, first, last);
}

void kvsrc_leading(kvsrc *s, diags *d, unsigned first, unsigned last)
{
    unsigned b = first, e = last;
    while (b < e && strchr(" \t\r\f\v", s->text[b]))
        b++;
    while (e > b && strchr(" \t\r\f\v\n", s->text[e - 1]))
        e--;
    diag *g = diag_add(d, DIAG_TABLE_SYNTAX, loc_make(s->file, b, e - b),
                       "a logical line must not start with whitespace; Postfix ignores this text");
    diag_hint(g, "remove the leading whitespace; only continuation lines start with whitespace");
}

loc kvsrc_loc(const kvsrc *s, const kvsrc_line *l, size_t voff, size_t len)
{
    for (size_t i = 0; i < l->npieces; i++) {
        const kvsrc_piece *p = &l->pieces[i];
        if (voff >= p->voff && voff < p->voff + p->len) {
            size_t in = voff - p->voff;
            size_t n = len < p->len - in ? len : p->len - in;
            return loc_make(s->file, p->soff + in, n);
        }
    }
    const kvsrc_piece *p = &l->pieces[l->npieces - 1];
    return loc_make(s->file, p->soff + p->len, 0);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\n';
}

void kv_split(kv_list *out, const kvsrc *s, diags *d)
{
    for (size_t i = 0; i < s->n; i++) {
        const kvsrc_line *l = &s->v[i];
        const char *t = l->text;
        size_t n = l->len, k = 0;
        while (k < n && !is_space(t[k])) {
            if (t[k] == '\\' && k + 1 < n)
                k++;
            k++;
        }
        size_t vb = k;
        while (vb < n && is_space(t[vb]))
            vb++;
        size_t ve = n;
        while (ve > vb && is_space(t[ve - 1]))
            ve--;
        loc line_at = kvsrc_loc(s, l, 0, k);
        if (vb >= ve) {
            diag *g = diag_add(d, DIAG_TABLE_SYNTAX, line_at,
                               "expected format: key whitespace value; Postfix ignores this line");
            diag_hint(g, "give \"%.*s\" a value, or remove the line", (int)k, t);
            continue;
        }
        if (k > 0 && t[k - 1] == ':') {
            diag *g = diag_add_sev(d, DIAG_TABLE_SYNTAX, SEV_WARNING, line_at,
                                   "record is in \"key: value\" format; is this an alias file?");
            diag_hint(g, "postmap tables use \"key value\"; the key here includes the ':'; "
                         "aliases(5) files are built with postalias");
        }
        xgrow(&out->v, &out->cap, out->n + 1, sizeof *out->v);
        kv_entry *e = &out->v[out->n++];
        e->key = xstrndup(t, k);
        e->value = xstrndup(t + vb, ve - vb);
        e->key_at = line_at;
        e->value_at = kvsrc_loc(s, l, vb, ve - vb);
        e->line_at = kvsrc_loc(s, l, 0, ve);
    }
}

void kv_list_free(kv_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].key);
        free(l->v[i].value);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}
