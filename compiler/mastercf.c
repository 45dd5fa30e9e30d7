/* mastercf.c: runs the master.cf scanner and parser over one source file
 * and turns each logical line into a service: the eight fields, and the
 * command arguments normalised the way Postfix's postconf shows them
 * (option clusters split, -o values in braces parsed as name = value,
 * brace groups of other arguments unwrapped). */
#include "compiler/mastercf.h"
#include "compiler/grammar/mastercf_scan.h"
#include "mastercf.tab.h"
#define YYSTYPE MSCYYSTYPE
#define YYLTYPE MSCYYLTYPE
#include "mastercf.lex.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_names[MS_NFIELDS] = {
    "service", "type", "private", "unprivileged", "chroot", "wakeup",
    "process_limit", "command",
};

const char *mastercf_field_name(enum ms_field f)
{
    return f < MS_NFIELDS ? field_names[f] : "?";
}

static int all_digits(const char *s)
{
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

int mastercf_field_ok(enum ms_field f, const char *t)
{
    switch (f) {
    case MS_TYPE:
        return !strcmp(t, "inet") || !strcmp(t, "unix") || !strcmp(t, "unix-dgram")
            || !strcmp(t, "fifo") || !strcmp(t, "pass");
    case MS_PRIVATE: case MS_UNPRIV: case MS_CHROOT:
        return !strcmp(t, "y") || !strcmp(t, "n") || !strcmp(t, "-");
    case MS_WAKEUP: {
        /* digits or "-", optionally followed by one '?'; "?" alone passes */
        size_t n = strlen(t);
        char *c = xstrndup(t, n && t[n - 1] == '?' ? n - 1 : n);
        int ok = !strcmp(c, "-") || all_digits(c);
        free(c);
        return ok;
    }
    case MS_MAXPROC:
        return !strcmp(t, "-") || (*t && all_digits(t));
    default:
        return 1;
    }
}

int mastercf_fatal(const mastercf *m)
{
    if (m->nbad_lines)
        return 1;
    for (size_t i = 0; i < m->n; i++)
        if (m->v[i].bad_fields)
            return 1;
    return 0;
}

static int is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* whitespace that makes postconf wrap an argument in braces again */
static int has_sep(const char *s)
{
    return strpbrk(s, " \t\r\n") != NULL;
}

static char *trimmed(const char *b, const char *e)
{
    while (b < e && is_blank((unsigned char)*b))
        b++;
    while (e > b && is_blank((unsigned char)e[-1]))
        e--;
    return xstrndup(b, (size_t)(e - b));
}

int mastercf_split_nameval(const char *text, char **name, char **value, const char **why)
{
    const char *p = text;
    while (*p && is_blank((unsigned char)*p))
        p++;
    const char *nb = p;
    while (*p && !is_blank((unsigned char)*p) && *p != '=')
        p++;
    const char *ne = p;
    if (ne == nb) {
        *why = "missing parameter name";
        return 0;
    }
    while (*p && is_blank((unsigned char)*p))
        p++;
    if (*p != '=') {
        *why = "missing '=' after the parameter name";
        return 0;
    }
    *name = xstrndup(nb, (size_t)(ne - nb));
    *value = trimmed(p + 1, p + strlen(p));
    return 1;
}

/* ---- words of one logical line ------------------------------------------ */

void mastercf_word_end(struct mastercf_scan *ps, unsigned end)
{
    xgrow(&ps->words, &ps->capwords, ps->nwords + 1, sizeof *ps->words);
    ms_rawword *w = &ps->words[ps->nwords++];
    w->text = sb_dup(&ps->word);
    w->at = loc_make(ps->m->file, ps->word_start, end - ps->word_start);
    sb_clear(&ps->word);
}

typedef struct tok {
    char *text;
    loc   at;
} tok;

typedef struct toklist {
    tok   *v;
    size_t n, cap;
} toklist;

static void tok_insert(toklist *l, size_t at, char *text, loc where)
{
    xgrow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
    memmove(&l->v[at + 1], &l->v[at], (l->n - at) * sizeof *l->v);
    l->v[at] = (tok){ text, where };
    l->n++;
}

/* The location of bytes [b, e) of a word's text; exact when the word did
 * not span a line break, else the whole word. */
static loc sub_loc(loc at, size_t textlen, size_t b, size_t e)
{
    if (textlen != at.len || e > textlen || b > e)
        return at;
    return loc_make(at.file, at.off + b, e - b);
}

/* Remove the braces of a "{ ... }" word as Postfix does: the text between
 * '{' and its matching '}', without the blanks at either end. */
static char *brace_strip(struct mastercf_scan *ps, const tok *t)
{
    const char *s = t->text;
    int depth = 0;
    const char *close = NULL;
    for (const char *c = s; *c; c++) {
        if (*c == '{')
            depth++;
        else if (*c == '}' && --depth == 0) {
            close = c;
            break;
        }
    }
    if (!close) {
        diag *g = diag_add(ps->d, DIAG_SYNTAX, sub_loc(t->at, strlen(s), 0, 1),
                           "missing '}' for this '{'");
        diag_hint(g, "close the group with '}' on the same logical line");
        return trimmed(s + 1, s + strlen(s));
    }
    if (close[1]) {
        size_t b = (size_t)(close + 1 - s);
        diag *g = diag_add(ps->d, DIAG_SYNTAX, sub_loc(t->at, strlen(s), b, strlen(s)),
                           "text after '}' is ignored by Postfix");
        diag_hint(g, "put a space after '}', or move the text inside the braces");
    }
    return trimmed(s + 1, close);
}

static char *wrap(const char *s)
{
    if (!has_sep(s))
        return xstrdup(s);
    size_t n = strlen(s);
    char *r = xmalloc(n + 3);
    r[0] = '{';
    memcpy(r + 1, s, n);
    r[n + 1] = '}';
    r[n + 2] = 0;
    return r;
}

static void add_shown(master_service *sv, char *text, loc at, ms_argkind kind)
{
    sv->shown = xrealloc(sv->shown, (sv->nshown + 1) * sizeof *sv->shown);
    sv->shown[sv->nshown++] = (ms_shown){ text, at, kind, 0 };
}

/* A later argument: postconf wraps it in braces when it has whitespace. */
static void add_shown_wrapped(master_service *sv, const char *text, loc at)
{
    add_shown(sv, wrap(text), at, MS_ARG_WORD);
    sv->shown[sv->nshown - 1].wrapped = has_sep(text);
}

static void add_arg(master_service *sv, const char *text, loc at)
{
    sv->args = xrealloc(sv->args, (sv->nargs + 1) * sizeof *sv->args);
    sv->args[sv->nargs++] = (ms_word){ xstrdup(text), at };
}

/* Find [name, value] of an override inside the source text of a word. */
static void locate_nameval(ms_override *o, const tok *v)
{
    size_t tl = strlen(v->text);
    const char *n = strstr(v->text, o->name);
    if (!n) {
        o->name_loc = o->value_loc = v->at;
        return;
    }
    size_t nb = (size_t)(n - v->text);
    o->name_loc = sub_loc(v->at, tl, nb, nb + strlen(o->name));
    const char *eq = strchr(n + strlen(o->name), '=');
    const char *val = eq && *o->value ? strstr(eq + 1, o->value) : NULL;
    if (val) {
        size_t vb = (size_t)(val - v->text);
        o->value_loc = sub_loc(v->at, tl, vb, vb + strlen(o->value));
    } else {
        size_t vb = eq ? (size_t)(eq + 1 - v->text) : tl;
        o->value_loc = sub_loc(v->at, tl, vb, vb);
    }
}

/* The value of "-o" or "-" at l->v[i]. */
static void option_value(struct mastercf_scan *ps, master_service *sv, const tok *opt, const tok *v)
{
    int is_o = strcmp(opt->text, "-o") == 0;
    char *content = v->text[0] == '{' ? brace_strip(ps, v) : xstrdup(v->text);
    char *shown = NULL;
    if (is_o) {
        char *name, *value;
        const char *why;
        if (mastercf_split_nameval(content, &name, &value, &why)) {
            size_t n = strlen(name) + strlen(value) + 2;
            char *nv = xmalloc(n);
            snprintf(nv, n, "%s=%s", name, value);
            shown = v->text[0] == '{' ? wrap(nv) : xstrdup(v->text);
            free(nv);
            sv->overrides = xrealloc(sv->overrides, (sv->noverrides + 1) * sizeof *sv->overrides);
            ms_override *o = &sv->overrides[sv->noverrides++];
            o->name = name;
            o->value = value;
            o->at = loc_join(opt->at, v->at);
            locate_nameval(o, v);
        } else {
            sv->badopts = xrealloc(sv->badopts, (sv->nbadopts + 1) * sizeof *sv->badopts);
            sv->badopts[sv->nbadopts++] = (ms_badopt){ { xstrdup(content), v->at }, why };
        }
    }
    if (!shown)
        shown = v->text[0] == '{' ? wrap(content) : xstrdup(v->text);
    add_shown(sv, shown, v->at, MS_ARG_VALUE);
    if (!is_o) {
        add_arg(sv, opt->text, opt->at);
        add_arg(sv, content, v->at);
    }
    free(content);
}

/* Postfix's option normalisation of the arguments after the command. */
static void normalise_args(struct mastercf_scan *ps, master_service *sv, toklist *l)
{
    size_t i = 0;
    while (i < l->n) {
        tok *t = &l->v[i];
        if (t->text[0] == '-' && strcmp(t->text, "--") != 0) {
            size_t len = strlen(t->text);
            char *p = len > 2 ? strchr(t->text + 2, 'o') : NULL;
            if (p) {   /* "-xoy" -> "-x" "-oy" */
                size_t at = (size_t)(p - t->text);
                char *rest = xmalloc(len - at + 2);
                rest[0] = '-';
                memcpy(rest + 1, p, len - at + 1);
                loc rl = sub_loc(t->at, len, at, len);
                *p = 0;
                t->at = sub_loc(t->at, len, 0, at);
                tok_insert(l, i + 1, rest, rl);
                t = &l->v[i];
            }
            len = strlen(t->text);
            if (strncmp(t->text, "-o", 2) == 0 && len > 2) {   /* "-ox" -> "-o" "x" */
                loc rl = sub_loc(t->at, len, 2, len);
                char *rest = xstrdup(t->text + 2);
                t->text[2] = 0;
                t->at = sub_loc(t->at, len, 0, 2);
                tok_insert(l, i + 1, rest, rl);
                t = &l->v[i];
            }
        }
        if (t->text[0] == '{') {
            char *s = brace_strip(ps, t);
            free(t->text);
            t->text = s;
        }
        if (t->text[0] != '-' || strcmp(t->text, "--") == 0)
            break;
        if ((strcmp(t->text, "-o") == 0 || strcmp(t->text, "-") == 0) && i + 1 < l->n) {
            add_shown(sv, xstrdup(t->text), t->at, MS_ARG_OPTION);
            option_value(ps, sv, t, &l->v[i + 1]);
            i += 2;
            continue;
        }
        add_shown(sv, xstrdup(t->text), t->at, MS_ARG_WORD);
        add_arg(sv, t->text, t->at);
        i++;
    }
    if (i < l->n) {   /* the first non-option: braces already removed */
        add_shown(sv, xstrdup(l->v[i].text), l->v[i].at, MS_ARG_WORD);
        add_arg(sv, l->v[i].text, l->v[i].at);
        i++;
    }
    for (; i < l->n; i++) {
        tok *t = &l->v[i];
        if (t->text[0] == '{') {
            char *s = brace_strip(ps, t);
            add_shown_wrapped(sv, s, t->at);
            add_arg(sv, s, t->at);
            free(s);
        } else {
            add_shown_wrapped(sv, t->text, t->at);
            add_arg(sv, t->text, t->at);
        }
    }
}

static void free_words(struct mastercf_scan *ps)
{
    for (size_t i = 0; i < ps->nwords; i++)
        free(ps->words[i].text);
    ps->nwords = 0;
}

void mastercf_line_end(struct mastercf_scan *ps, int orphan, unsigned first, unsigned last)
{
    mastercf *m = ps->m;
    loc line = loc_make(m->file, first, last > first ? last - first : 0);
    if (orphan) {
        diag *g = diag_add(ps->d, DIAG_SYNTAX, loc_make(m->file, first, 0),
                           "a service must not start with whitespace; Postfix ignores this line");
        diag_hint(g, "remove the leading whitespace, or comment the line out with '#'");
        free_words(ps);
        return;
    }
    if (ps->nwords < MS_NFIELDS) {
        loc at = ps->nwords ? ps->words[ps->nwords - 1].at : line;
        loc after = loc_make(m->file, at.off + at.len, 0);
        diag *g = diag_add(ps->d, DIAG_SYNTAX, after,
                           "missing field \"%s\": a service has 8 fields, this one has %zu",
                           field_names[ps->nwords], ps->nwords);
        diag_hint(g, "write name, type, private, unpriv, chroot, wakeup, maxproc and "
                     "command, using '-' for a default; Postfix refuses to start otherwise");
        m->bad_lines = xrealloc(m->bad_lines, (m->nbad_lines + 1) * sizeof *m->bad_lines);
        m->bad_lines[m->nbad_lines++] = line;
        free_words(ps);
        return;
    }
    xgrow(&m->v, &m->cap, m->n + 1, sizeof *m->v);
    master_service *sv = &m->v[m->n++];
    memset(sv, 0, sizeof *sv);
    sv->at = line;
    for (int f = 0; f < MS_NFIELDS; f++) {
        sv->field[f] = (ms_word){ ps->words[f].text, ps->words[f].at };
        ps->words[f].text = NULL;
        if (!mastercf_field_ok((enum ms_field)f, sv->field[f].text))
            sv->bad_fields |= 1u << f;
    }
    toklist l = { 0 };
    for (size_t i = MS_NFIELDS; i < ps->nwords; i++) {
        tok_insert(&l, l.n, ps->words[i].text, ps->words[i].at);
        ps->words[i].text = NULL;
    }
    normalise_args(ps, sv, &l);
    for (size_t i = 0; i < l.n; i++)
        free(l.v[i].text);
    free(l.v);
    free_words(ps);
}

void mastercf_parse(mastercf *m, int file, diags *d)
{
    memset(m, 0, sizeof *m);
    m->file = file;
    const src_file *f = src_get(d->src, file);
    if (!f)
        return;
    struct mastercf_scan ps = { .m = m, .d = d, .text = f->text };
    sb_init(&ps.word);
    yyscan_t scanner;
    if (mscyylex_init_extra(&ps, &scanner))
        fatal("cannot start the master.cf scanner");
    ps.scanner = scanner;
    YY_BUFFER_STATE buf = mscyy_scan_bytes(f->text, (int)f->len, scanner);
    mscyyparse(scanner, &ps);
    mscyy_delete_buffer(buf, scanner);
    mscyylex_destroy(scanner);
    free_words(&ps);
    free(ps.words);
    sb_free(&ps.word);
}

static void word_free(ms_word *w)
{
    free(w->text);
}

void mastercf_free(mastercf *m)
{
    for (size_t i = 0; i < m->n; i++) {
        master_service *sv = &m->v[i];
        for (int f = 0; f < MS_NFIELDS; f++)
            word_free(&sv->field[f]);
        for (size_t j = 0; j < sv->nargs; j++)
            word_free(&sv->args[j]);
        free(sv->args);
        for (size_t j = 0; j < sv->noverrides; j++) {
            free(sv->overrides[j].name);
            free(sv->overrides[j].value);
        }
        free(sv->overrides);
        for (size_t j = 0; j < sv->nshown; j++)
            free(sv->shown[j].text);
        free(sv->shown);
        for (size_t j = 0; j < sv->nbadopts; j++)
            word_free(&sv->badopts[j].w);
        free(sv->badopts);
    }
    free(m->v);
    free(m->bad_lines);
    memset(m, 0, sizeof *m);
    m->file = -1;
}

const master_service *mastercf_find(const mastercf *m, const char *name, const char *type)
{
    for (size_t i = m->n; i-- > 0;)   /* master(8) uses the last entry */
        if (strcmp(m->v[i].field[MS_NAME].text, name) == 0
            && strcmp(m->v[i].field[MS_TYPE].text, type) == 0)
            return &m->v[i];
    return NULL;
}
