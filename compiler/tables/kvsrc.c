/* kvsrc.c: logical lines of table source text (driving kvtab.{l,y}), read
 * whole from memory or streamed from a file, and the postmap(1) "key
 * whitespace value" split. */
#include "compiler/tables/kvsrc.h"
#include "compiler/grammar/kvtab_scan.h"
#include "kvtab.tab.h"
#define YYSTYPE KVTYYSTYPE
#define YYLTYPE KVTYYLTYPE
#include "kvtab.lex.h"
#include "stdlib/util/alloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- called by the scanner and parser ---------------------------------- */

void kvtab_token(struct kvtab_scan *ps, kvtab_tok *val, const char *text, size_t len)
{
    /* the parser may read one token ahead: keep the last two */
    strbuf *b = &ps->tok[ps->ntok++ & 1];
    sb_clear(b);
    sb_addn(b, text, len);
    val->p = b->s;
    val->n = (unsigned)len;
}

static void drop_comments(struct kvtab_scan *ps, unsigned from, unsigned to)
{
    /* drop comments with from <= line < to; they are sorted by line */
    size_t k = 0;
    for (size_t i = 0; i < ps->ncm; i++)
        if (ps->cm[i].line < from || ps->cm[i].line >= to)
            ps->cm[k++] = ps->cm[i];
    ps->ncm = k;
    if (k == 0)
        sb_clear(&ps->ctext);
}

void kvtab_comment_line(struct kvtab_scan *ps, const char *text, size_t len, unsigned line,
                        unsigned off)
{
    if (!ps->sparse)
        return;
    while (len > 0 && text[len - 1] == '\n')
        len--;
    if (memmem(text, len, "mtacc:", 6)) {   /* a directive: always shown to diags_finish */
        src_keep_line(ps->d->src, ps->file, line, off, text, len);
        return;
    }
    if (ps->ncm == 0)
        sb_clear(&ps->ctext);
    xgrow(&ps->cm, &ps->capcm, ps->ncm + 1, sizeof *ps->cm);
    ps->cm[ps->ncm++] = (kvtab_comment){ line, off, (unsigned)len, ps->ctext.len };
    sb_addn(&ps->ctext, text, len);
}

void kvtab_blank_line(struct kvtab_scan *ps)
{
    /* a blank line ends every walk up through comments: the comments
     * between the last line of the pending logical line and here are
     * above nothing a diagnostic can point at */
    if (ps->sparse && ps->ncm > 0)
        drop_comments(ps, ps->last_piece + 1, ~0u);
}

static void add_piece(struct kvtab_scan *ps, const kvtab_tok *t, const kvtab_span *at)
{
    kvsrc_line *l = &ps->cur;
    size_t n = t->n;
    while (n > 0 && t->p[n - 1] == '\n')
        n--;
    xgrow(&l->text, &ps->textcap, l->len + n + 1, 1);
    memcpy(l->text + l->len, t->p, n);
    xgrow(&l->pieces, &ps->piececap, l->npieces + 1, sizeof *l->pieces);
    l->pieces[l->npieces++] = (kvsrc_piece){ (unsigned)l->len, at->first, (unsigned)n, at->line };
    l->len += n;
    l->text[l->len] = 0;
}

void kvtab_begin(struct kvtab_scan *ps, const kvtab_tok *t, const kvtab_span *at)
{
    ps->cur.len = 0;
    ps->cur.npieces = 0;
    add_piece(ps, t, at);
}

void kvtab_extend(struct kvtab_scan *ps, const kvtab_tok *t, const kvtab_span *at)
{
    add_piece(ps, t, at);
}

void kvtab_end(struct kvtab_scan *ps, int leading)
{
    kvsrc_line *l = &ps->cur;
    if (leading && !ps->quiet) {
        /* text before the first logical line: Postfix ignores it */
        const kvsrc_piece *p = &l->pieces[0];
        const char *t = l->text;
        unsigned b = 0, e = p->len;
        while (b < e && strchr(" \t\r\f\v", t[b]))
            b++;
        while (e > b && strchr(" \t\r\f\v\n", t[e - 1]))
            e--;
        diag *g = diag_add(ps->d, DIAG_TABLE_SYNTAX, loc_make(ps->file, p->soff + b, e - b),
                           "a logical line must not start with whitespace; Postfix ignores this text");
        diag_hint(g, "remove the leading whitespace; only continuation lines start with whitespace");
        if (ps->sparse)
            kvsrc_keep(ps, l);
    }
    ps->emit(ps, l, leading);
    if (ps->sparse && ps->ncm > 0)   /* no later line can need comments above this one */
        drop_comments(ps, 0, l->pieces[l->npieces - 1].line);
}

/* ---- drivers ----------------------------------------------------------- */

static void scan_free(struct kvtab_scan *ps)
{
    free(ps->cur.text);
    free(ps->cur.pieces);
    sb_free(&ps->tok[0]);
    sb_free(&ps->tok[1]);
    free(ps->cm);
    sb_free(&ps->ctext);
}

static void collect(struct kvtab_scan *ps, kvsrc_line *l, int leading)
{
    if (leading)
        return;
    kvsrc *out = ps->arg;
    xgrow(&out->v, &out->cap, out->n + 1, sizeof *out->v);
    out->v[out->n++] = *l;   /* take the buffers */
    memset(l, 0, sizeof *l);
    ps->textcap = ps->piececap = 0;
}

void kvsrc_parse(kvsrc *out, int file, diags *d)
{
    memset(out, 0, sizeof *out);
    out->file = file;
    const src_file *f = src_get(d->src, file);
    if (!f || !f->text)
        return;
    struct kvtab_scan ps = { .lineno = 1, .d = d, .file = file, .emit = collect, .arg = out };
    yyscan_t scanner;
    if (kvtyylex_init_extra(&ps, &scanner))
        fatal("cannot start the table scanner");
    YY_BUFFER_STATE buf = kvtyy_scan_bytes(f->text, (int)f->len, scanner);
    kvtyyparse(scanner, &ps);
    kvtyy_delete_buffer(buf, scanner);
    kvtyylex_destroy(scanner);
    scan_free(&ps);
}

struct stream_arg {
    kvstream_fn *fn;
    void        *arg;
};

static void stream_line(struct kvtab_scan *ps, kvsrc_line *l, int leading)
{
    struct stream_arg *sa = ps->arg;
    if (!leading)
        sa->fn(sa->arg, ps, l);
}

int kvsrc_stream(FILE *fp, int file, diags *d, int quiet, kvstream_fn *fn, void *arg)
{
    struct stream_arg sa = { fn, arg };
    struct kvtab_scan ps = { .lineno = 1, .d = d, .file = file, .emit = stream_line, .arg = &sa,
                             .sparse = 1, .quiet = quiet };
    yyscan_t scanner;
    if (kvtyylex_init_extra(&ps, &scanner))
        fatal("cannot start the table scanner");
    kvtyyset_in(fp, scanner);
    kvtyyparse(scanner, &ps);
    kvtyylex_destroy(scanner);
    scan_free(&ps);
    if (ferror(fp)) {
        errno = EIO;
        return -1;
    }
    return 0;
}

void kvsrc_keep(kvstream *st, const kvsrc_line *l)
{
    srcset *src = st->d->src;
    for (size_t i = 0; i < st->ncm; i++) {
        const kvtab_comment *c = &st->cm[i];
        src_keep_line(src, st->file, c->line, c->off, st->ctext.s + c->at, c->len);
    }
    for (size_t i = 0; i < l->npieces; i++) {
        const kvsrc_piece *p = &l->pieces[i];
        src_keep_line(src, st->file, p->line, p->soff, l->text + p->voff, p->len);
    }
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

/* ---- locations and the key/value split ---------------------------------- */

loc kvline_loc(int file, const kvsrc_line *l, size_t voff, size_t len)
{
    for (size_t i = 0; i < l->npieces; i++) {
        const kvsrc_piece *p = &l->pieces[i];
        if (voff >= p->voff && voff < p->voff + p->len) {
            size_t in = voff - p->voff;
            size_t n = len < p->len - in ? len : p->len - in;
            return loc_make(file, p->soff + in, n);
        }
    }
    const kvsrc_piece *p = &l->pieces[l->npieces - 1];
    return loc_make(file, p->soff + p->len, 0);
}

loc kvsrc_loc(const kvsrc *s, const kvsrc_line *l, size_t voff, size_t len)
{
    return kvline_loc(s->file, l, voff, len);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\n';
}

/* The key is t[0, *k), the value t[*vb, *ve); returns 0 for a line that is
 * skipped (reported in d unless d is NULL). */
static int split(int file, const kvsrc_line *l, size_t *k_, size_t *vb_, size_t *ve_,
                 diags *d)
{
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
    *k_ = k, *vb_ = vb, *ve_ = ve;
    if (vb >= ve) {
        if (d) {
            diag *g = diag_add(d, DIAG_TABLE_SYNTAX, kvline_loc(file, l, 0, k),
                               "expected format: key whitespace value; Postfix ignores this line");
            diag_hint(g, "give \"%.*s\" a value, or remove the line", (int)k, t);
        }
        return 0;
    }
    if (d && k > 0 && t[k - 1] == ':') {
        diag *g = diag_add_sev(d, DIAG_TABLE_SYNTAX, SEV_WARNING, kvline_loc(file, l, 0, k),
                               "record is in \"key: value\" format; is this an alias file?");
        diag_hint(g, "postmap tables use \"key value\"; the key here includes the ':'; "
                     "aliases(5) files are built with postalias");
    }
    return 1;
}

void kv_split(kv_list *out, const kvsrc *s, diags *d)
{
    for (size_t i = 0; i < s->n; i++) {
        const kvsrc_line *l = &s->v[i];
        size_t k, vb, ve;
        if (!split(s->file, l, &k, &vb, &ve, d))
            continue;
        xgrow(&out->v, &out->cap, out->n + 1, sizeof *out->v);
        kv_entry *e = &out->v[out->n++];
        e->key = xstrndup(l->text, k);
        e->value = xstrndup(l->text + vb, ve - vb);
        e->key_at = kvsrc_loc(s, l, 0, k);
        e->value_at = kvsrc_loc(s, l, vb, ve - vb);
        e->line_at = kvsrc_loc(s, l, 0, ve);
    }
}

int kv_split_line(int file, const kvsrc_line *l, strbuf *key, strbuf *value, loc *key_at,
                  loc *value_at, diags *d)
{
    size_t k, vb, ve;
    if (!split(file, l, &k, &vb, &ve, d))
        return 0;
    sb_clear(key);
    sb_addn(key, l->text, strnlen(l->text, k));
    sb_clear(value);
    sb_addn(value, l->text + vb, strnlen(l->text + vb, ve - vb));
    *key_at = kvline_loc(file, l, 0, k);
    if (value_at)
        *value_at = kvline_loc(file, l, vb, ve - vb);
    return 1;
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
