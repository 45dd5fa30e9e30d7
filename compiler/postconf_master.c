/* postconf_master.c: postconf -M, -F and -P for master.cf. Observed
 * Postfix 3.7 layout: -M pads the seven fields to columns 0, 11, 17, 25,
 * 33, 41, 49 and 57 (at least one space); with -f a line is folded before
 * a word that would make it 80 columns or longer, each "-o value" pair
 * gets a line of its own and the word after it starts a new one. -F puts
 * a value on the next line when it does not fit after "name/type/field = ".
 * -P prints, per service, every -o parameter of all entries of that
 * name/type (later entries win), sorted, with whitespace in the value
 * collapsed; -f folds before a word that would pass column 80. */
#include "compiler/postconf_master.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/strbuf.h"

#include <stdlib.h>
#include <string.h>

#define FOLD_MF 79     /* -M, -F: longest line */
#define FOLD_F1 80     /* -F: longest "name/type/field = value" before the value moves down */
#define FOLD_P  80     /* -P: longest line */

typedef struct filter {
    char *part[3];     /* NULL: any */
    int   matched;
} filter;

static int part_ok(const char *p)
{
    return strchr(p, '*') == NULL || strcmp(p, "*") == 0;
}

/* Parse a filter; 0 with a message when postconf would stop. */
static int filter_parse(int mode, const char *name, filter *f)
{
    memset(f, 0, sizeof *f);
    int max = mode == 'M' ? 2 : 3;
    int n = 0;
    if (name[0] == '/')
        goto bad;
    for (const char *p = name; *p;) {
        const char *e = strchr(p, '/');
        if (!e)
            e = p + strlen(p);
        if (e > p) {
            if (n == max)
                goto bad;
            f->part[n++] = xstrndup(p, (size_t)(e - p));
            if (!part_ok(f->part[n - 1]))
                goto bad;
        }
        p = *e ? e + 1 : e;
    }
    if (n == 0)
        goto bad;
    for (int i = 0; i < n; i++) {
        if (strcmp(f->part[i], "*") == 0) {
            free(f->part[i]);
            f->part[i] = NULL;
        }
    }
    if (mode == 'F' && f->part[2]) {
        int ok = 0;
        for (int k = 0; k < MS_NFIELDS; k++)
            ok |= strcmp(f->part[2], mastercf_field_name((enum ms_field)k)) == 0;
        if (!ok) {
            fprintf(stderr, "mtacc postconf: fatal: invalid service attribute name: \"%s\"\n", f->part[2]);
            return 0;
        }
    }
    return 1;
bad:
    fprintf(stderr, "mtacc postconf: fatal: -%c option requires service_name[/type%s]\n", mode,
            mode == 'M' ? "" : mode == 'F' ? "[/field]" : "[/parameter]");
    return 0;
}

static void filter_free(filter *f)
{
    for (int i = 0; i < 3; i++)
        free(f->part[i]);
}

static int matches(const filter *f, const master_service *sv)
{
    return (!f->part[0] || strcmp(f->part[0], sv->field[MS_NAME].text) == 0)
        && (!f->part[1] || strcmp(f->part[1], sv->field[MS_TYPE].text) == 0);
}

/* ---- line folding ---------------------------------------------------- */

typedef struct folder {
    strbuf line;
    FILE  *out;
    int    fold;
    size_t limit;
    int    after_pair;
    int    fresh;      /* a folded line whose first word was empty */
} folder;

static void fl_flush(folder *w)
{
    fwrite(w->line.s ? w->line.s : "", 1, w->line.len, w->out);
    fputc('\n', w->out);
    sb_clear(&w->line);
}

static void fl_newline(folder *w, const char *word)
{
    fl_flush(w);
    w->fresh = 0;
    sb_adds(&w->line, "    ");
    sb_adds(&w->line, word);
}

/* Append a word after a separating space, folding when asked; braces
 * postconf added around a word do not count when it decides. */
static void fl_word_w(folder *w, const char *word, int wrapped)
{
    size_t len = strlen(word) - (wrapped ? 2 : 0);
    if (w->fresh) {            /* the blanks at a fold are dropped */
        sb_adds(&w->line, word);
        w->fresh = 0;
    } else if (w->fold && (w->after_pair || w->line.len + 1 + len > w->limit)) {
        fl_newline(w, word);
        w->fresh = !*word;
    } else {
        sb_addc(&w->line, ' ');
        sb_adds(&w->line, word);
    }
    w->after_pair = 0;
}

static void fl_word(folder *w, const char *word)
{
    fl_word_w(w, word, 0);
}

/* The command arguments after the command name. Up to the first word
 * that is not an option (or "--"), an option "-o..." or "-" takes the
 * next word with it, on a line of its own when folding. */
static void fl_args(folder *w, const master_service *sv)
{
    int opts = 1;
    for (size_t j = 0; j < sv->nshown; j++) {
        const ms_shown *a = &sv->shown[j];
        if (opts && (a->text[0] != '-' || strcmp(a->text, "--") == 0))
            opts = 0;
        if (opts && (a->text[1] == 'o' || a->text[1] == 0) && j + 1 < sv->nshown) {
            strbuf pair;
            sb_init(&pair);
            sb_adds(&pair, a->text);
            sb_addc(&pair, ' ');
            sb_adds(&pair, sv->shown[j + 1].text);
            if (w->fold) {
                fl_newline(w, sb_str(&pair));
                w->after_pair = 1;
            } else
                fl_word(w, sb_str(&pair));
            sb_free(&pair);
            j++;
        } else
            fl_word_w(w, a->text, a->wrapped);
    }
}

static void print_M(const master_service *sv, int fold, FILE *out)
{
    static const size_t stop[MS_COMMAND] = { 0, 11, 17, 25, 33, 41, 49 };
    folder w = { .out = out, .fold = fold, .limit = FOLD_MF };
    sb_init(&w.line);
    for (int f = 0; f < MS_COMMAND; f++) {
        if (f > 0) {
            do
                sb_addc(&w.line, ' ');
            while (w.line.len < stop[f]);
        }
        sb_adds(&w.line, sv->field[f].text);
    }
    do
        sb_addc(&w.line, ' ');
    while (w.line.len < 57);
    sb_adds(&w.line, sv->field[MS_COMMAND].text);
    fl_args(&w, sv);
    fl_flush(&w);
    sb_free(&w.line);
}

static void print_F(const master_service *sv, int field, int fold, FILE *out)
{
    folder w = { .out = out, .fold = fold, .limit = FOLD_MF };
    sb_init(&w.line);
    sb_addf(&w.line, "%s/%s/%s = ", sv->field[MS_NAME].text, sv->field[MS_TYPE].text,
            mastercf_field_name((enum ms_field)field));
    const char *first = sv->field[field].text;
    if (w.line.len + strlen(first) > FOLD_F1)
        fl_newline(&w, first);
    else
        sb_adds(&w.line, first);
    if (field == MS_COMMAND)
        fl_args(&w, sv);
    fl_flush(&w);
    sb_free(&w.line);
}

/* ---- -P: the -o parameters of each name/type ----------------------- */

typedef struct pparam {
    const char *name, *value;
} pparam;

static int pparam_cmp(const void *a, const void *b)
{
    return strcmp(((const pparam *)a)->name, ((const pparam *)b)->name);
}

static int same_service(const master_service *a, const master_service *b)
{
    return strcmp(a->field[MS_NAME].text, b->field[MS_NAME].text) == 0
        && strcmp(a->field[MS_TYPE].text, b->field[MS_TYPE].text) == 0;
}

/* All -o parameters of services named like sv, later entries winning,
 * sorted. postconf shows them with an entry only when that entry or an
 * earlier one of the same name/type has a -o parameter. */
static pparam *service_params(const mastercf *m, const master_service *sv, size_t *np)
{
    pparam *v = NULL;
    size_t n = 0;
    int seen = 0;
    for (size_t i = 0; i < m->n && &m->v[i] <= sv; i++)
        seen |= same_service(&m->v[i], sv) && m->v[i].noverrides > 0;
    *np = 0;
    if (!seen)
        return NULL;
    for (size_t i = 0; i < m->n; i++) {
        const master_service *o = &m->v[i];
        if (!same_service(o, sv))
            continue;
        for (size_t k = 0; k < o->noverrides; k++) {
            size_t j;
            for (j = 0; j < n && strcmp(v[j].name, o->overrides[k].name) != 0; j++)
                ;
            if (j == n)
                v = xrealloc(v, ++n * sizeof *v);
            v[j] = (pparam){ o->overrides[k].name, o->overrides[k].value };
        }
    }
    if (n)
        qsort(v, n, sizeof *v, pparam_cmp);
    *np = n;
    return v;
}

static void print_P(const master_service *sv, const pparam *p, int fold, FILE *out)
{
    folder w = { .out = out, .fold = fold, .limit = FOLD_P };
    sb_init(&w.line);
    sb_addf(&w.line, "%s/%s/%s", sv->field[MS_NAME].text, sv->field[MS_TYPE].text, p->name);
    fl_word(&w, "=");
    const char *s = p->value;
    while (*s) {
        size_t sp = strspn(s, " \t\r\n");
        s += sp;
        size_t len = strcspn(s, " \t\r\n");
        if (!len)
            break;
        char *word = xstrndup(s, len);
        fl_word(&w, word);
        free(word);
        s += len;
    }
    fl_flush(&w);
    sb_free(&w.line);
}

/* ---- the views -------------------------------------------------------- */

static void print_match(const config *c, const master_service *sv, int mode, int fold,
                        const filter *f, FILE *out)
{
    if (mode == 'M') {
        print_M(sv, fold, out);
    } else if (mode == 'F') {
        for (int k = 0; k < MS_NFIELDS; k++)
            if (!f || !f->part[2] || strcmp(f->part[2], mastercf_field_name((enum ms_field)k)) == 0)
                print_F(sv, k, fold, out);
    } else {
        size_t np;
        pparam *p = service_params(&c->master, sv, &np);
        for (size_t k = 0; k < np; k++)
            if (!f || !f->part[2] || strcmp(f->part[2], p[k].name) == 0)
                print_P(sv, &p[k], fold, out);
        free(p);
    }
}

/* Does filter f select anything of sv (for -P: a parameter)? */
static int selects(const config *c, const filter *f, const master_service *sv, int mode)
{
    if (!matches(f, sv))
        return 0;
    if (mode != 'P' || !f->part[2])
        return 1;
    size_t np;
    pparam *p = service_params(&c->master, sv, &np);
    int hit = 0;
    for (size_t k = 0; k < np; k++)
        hit |= strcmp(p[k].name, f->part[2]) == 0;
    free(p);
    return hit;
}

/* The logical line of an entry as Postfix joins it: continuation lines
 * appended without their newline, comment lines left out. */
static char *logical_text(const config *c, loc at)
{
    const src_file *f = src_get(&c->src, at.file);
    strbuf b;
    sb_init(&b);
    const char *p = f->text + at.off, *e = p + at.len;
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        const char *le = nl ? nl : e;
        const char *q = p;
        while (q < le && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (!(q < le && *q == '#') && q < le)
            sb_addn(&b, p, (size_t)(le - p));
        p = nl ? nl + 1 : e;
    }
    while (b.len && strchr(" \t\r", b.s[b.len - 1]))
        b.s[--b.len] = 0;
    return sb_take(&b);
}

char *postconf_master_fatal_msg(const config *c, const char *master_path)
{
    const mastercf *m = &c->master;
    /* the first bad entry in file order, as postconf stops there */
    loc first = LOC_NONE;
    const master_service *bad = NULL;
    for (size_t i = 0; i < m->nbad_lines; i++)
        if (first.file < 0 || m->bad_lines[i].off < first.off)
            first = m->bad_lines[i];
    for (size_t i = 0; i < m->n; i++)
        if (m->v[i].bad_fields && (first.file < 0 || m->v[i].at.off < first.off)) {
            bad = &m->v[i];
            first = bad->at;
            break;
        }
    if (first.file < 0)
        return NULL;
    strbuf b;
    sb_init(&b);
    if (!bad) {
        unsigned line, col;
        src_linecol(&c->src, first.file, first.off, &line, &col);
        sb_addf(&b, "file %s: line %u: bad field count", master_path, line);
        return sb_take(&b);
    }
    static const enum ms_field order[] = { MS_TYPE, MS_PRIVATE, MS_UNPRIV, MS_CHROOT,
                                           MS_WAKEUP, MS_MAXPROC };
    static const char *const names[] = { "type", "private", "unprivileged", "chroot",
                                         "wakeup", "process_limit" };
    for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
        if (!(bad->bad_fields & (1u << order[k])))
            continue;
        char *text = logical_text(c, bad->at);
        sb_addf(&b, "invalid %s field \"%s\" in \"%s\"", names[k], bad->field[order[k]].text, text);
        free(text);
        break;
    }
    return sb_take(&b);
}

int postconf_master_print(const config *c, int mode, int fold, char **names, int nnames, FILE *out)
{
    const mastercf *m = &c->master;
    if (m->file < 0) {
        fprintf(stderr, "mtacc postconf: fatal: cannot read master.cf in %s\n", c->dir);
        return 1;
    }
    if (mastercf_fatal(m)) {
        fprintf(stderr, "mtacc postconf: fatal: master.cf has a service Postfix rejects "
                        "(see mtacc check)\n");
        return 1;
    }
    filter *fs = nnames ? xcalloc((size_t)nnames, sizeof *fs) : NULL;
    int ok = 1;
    for (int i = 0; i < nnames && ok; i++)
        ok = filter_parse(mode, names[i], &fs[i]);
    if (ok) {
        for (size_t i = 0; i < m->n; i++) {
            const master_service *sv = &m->v[i];
            if (!nnames)
                print_match(c, sv, mode, fold, NULL, out);
            for (int k = 0; k < nnames; k++) {
                if (selects(c, &fs[k], sv, mode)) {
                    fs[k].matched = 1;
                    print_match(c, sv, mode, fold, &fs[k], out);
                }
            }
        }
        for (int k = 0; k < nnames; k++)
            if (!fs[k].matched)
                fprintf(stderr, "mtacc postconf: warning: unmatched request: \"%s\"\n", names[k]);
    }
    for (int i = 0; i < nnames; i++)
        filter_free(&fs[i]);
    free(fs);
    return ok ? 0 : 1;
}
