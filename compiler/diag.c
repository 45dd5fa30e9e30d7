/* diag.c: collecting, suppressing, sorting and printing diagnostics. */
#include "compiler/diag.h"
#include "compiler/version.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/json.h"
#include "stdlib/util/strbuf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const diag_info infos[DIAG__COUNT] = {
#define D(e, name, sev, summary, explain) { name, sev, summary, explain },
#include "compiler/diag_ids.def"
#undef D
};

const diag_info *diag_info_of(diag_id id)
{
    return &infos[id];
}

int diag_lookup(const char *name)
{
    for (int i = 0; i < DIAG__COUNT; i++)
        if (strcmp(infos[i].name, name) == 0)
            return i;
    return -1;
}

const char *severity_name(severity s)
{
    return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "note";
}

void diags_init(diags *d, srcset *src)
{
    memset(d, 0, sizeof *d);
    d->src = src;
}

void diags_free(diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].msg);
        free(d->v[i].hint);
        for (int k = 0; k < d->v[i].nnotes; k++)
            free(d->v[i].notes[k].msg);
    }
    free(d->v);
    d->v = NULL;
    d->n = d->cap = 0;
}

static char *vformat(const char *fmt, va_list ap)
{
    strbuf b;
    sb_init(&b);
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    xgrow(&b.s, &b.cap, (size_t)n + 1, 1);
    vsnprintf(b.s, (size_t)n + 1, fmt, ap);
    return b.s;
}

static diag *vadd(diags *d, diag_id id, severity sev, loc at, const char *fmt, va_list ap)
{
    xgrow(&d->v, &d->cap, d->n + 1, sizeof *d->v);
    diag *g = &d->v[d->n];
    memset(g, 0, sizeof *g);
    g->id = id;
    g->sev = sev;
    g->at = at;
    g->msg = vformat(fmt, ap);
    g->seq = (unsigned)d->n++;
    return g;
}

diag *diag_add(diags *d, diag_id id, loc at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag *g = vadd(d, id, infos[id].sev, at, fmt, ap);
    va_end(ap);
    return g;
}

diag *diag_add_sev(diags *d, diag_id id, severity sev, loc at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag *g = vadd(d, id, sev, at, fmt, ap);
    va_end(ap);
    return g;
}

void diag_note_add(diag *g, loc at, const char *fmt, ...)
{
    if (g->nnotes >= DIAG_MAX_NOTES)
        return;
    va_list ap;
    va_start(ap, fmt);
    g->notes[g->nnotes].at = at;
    g->notes[g->nnotes].msg = vformat(fmt, ap);
    g->nnotes++;
    va_end(ap);
}

void diag_hint(diag *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    free(g->hint);
    g->hint = vformat(fmt, ap);
    va_end(ap);
}

/* ---- suppressions ------------------------------------------------------ */

/* If line `line` of file is "# mtacc: allow ID[, ID] [-- reason]", say
 * whether it names id. Returns 0 when the line is not such a comment. */
static int allow_comment_names(const srcset *src, int file, unsigned line, const char *id)
{
    size_t len;
    const char *s = src_line(src, file, line, &len), *e = s + len;
    while (s < e && isspace((unsigned char)*s))
        s++;
    if (s == e || *s != '#')
        return 0;
    s++;
    while (s < e && isspace((unsigned char)*s))
        s++;
    if ((size_t)(e - s) < 12 || strncmp(s, "mtacc:", 6) != 0)
        return 0;
    s += 6;
    while (s < e && isspace((unsigned char)*s))
        s++;
    if ((size_t)(e - s) < 5 || strncmp(s, "allow", 5) != 0)
        return 0;
    s += 5;
    size_t idlen = strlen(id);
    while (s < e) {
        while (s < e && (isspace((unsigned char)*s) || *s == ','))
            s++;
        if (e - s >= 2 && s[0] == '-' && s[1] == '-')
            break;
        const char *w = s;
        while (s < e && !isspace((unsigned char)*s) && *s != ',')
            s++;
        if ((size_t)(s - w) == idlen && memcmp(w, id, idlen) == 0)
            return 1;
    }
    return 0;
}

static int is_comment_line(const srcset *src, int file, unsigned line)
{
    size_t len;
    const char *s = src_line(src, file, line, &len), *e = s + len;
    while (s < e && isspace((unsigned char)*s))
        s++;
    return s < e && *s == '#';
}

static int suppressed(const diags *d, const diag *g)
{
    if (d->allowed[g->id])
        return 1;
    if (g->at.file < 0)
        return 0;
    unsigned line, col;
    src_linecol(d->src, g->at.file, g->at.off, &line, &col);
    for (unsigned l = line; l > 1 && is_comment_line(d->src, g->at.file, l - 1); l--)
        if (allow_comment_names(d->src, g->at.file, l - 1, infos[g->id].name))
            return 1;
    return 0;
}

/* Report "# mtacc: allow" comments without a reason or with unknown ids. */
static void check_allow_comments(diags *d)
{
    size_t nfiles = d->src->n;
    /* diags_finish may run more than once (mtacc build: before and after
     * emitting); each file is scanned once */
    size_t first = d->allow_scanned;
    d->allow_scanned = nfiles;
    for (size_t f = first; f < nfiles; f++) {
        for (unsigned line = src_next_line(d->src, (int)f, 0); line;
             line = src_next_line(d->src, (int)f, line)) {
            size_t len;
            const char *s = src_line(d->src, (int)f, line, &len), *e = s + len;
            size_t base = src_line_off(d->src, (int)f, line);   /* file offset of s */
            const char *p = s;
            while (p < e && isspace((unsigned char)*p))
                p++;
            if (p == e || *p != '#')
                continue;
            p++;
            while (p < e && isspace((unsigned char)*p))
                p++;
            if ((size_t)(e - p) < 6 || strncmp(p, "mtacc:", 6) != 0)
                continue;
            const char *dir = p;
            p += 6;
            while (p < e && isspace((unsigned char)*p))
                p++;
            if ((size_t)(e - p) < 5 || strncmp(p, "allow", 5) != 0) {
                size_t off = base + (size_t)(dir - s);
                diag *g = diag_add(d, DIAG_SUPPRESSION, loc_make((int)f, off, (size_t)(e - dir)),
                                   "unknown mtacc directive");
                diag_hint(g, "write \"# mtacc: allow ID -- reason\"");
                continue;
            }
            p += 5;
            int have_reason = 0, nids = 0;
            while (p < e) {
                while (p < e && (isspace((unsigned char)*p) || *p == ','))
                    p++;
                if (e - p >= 2 && p[0] == '-' && p[1] == '-') {
                    const char *r = p + 2;
                    while (r < e && isspace((unsigned char)*r))
                        r++;
                    have_reason = r < e;
                    break;
                }
                const char *w = p;
                while (p < e && !isspace((unsigned char)*p) && *p != ',')
                    p++;
                if (p == w)
                    break;
                nids++;
                char *id = xstrndup(w, (size_t)(p - w));
                if (diag_lookup(id) < 0)
                    diag_add(d, DIAG_SUPPRESSION,
                             loc_make((int)f, base + (size_t)(w - s), (size_t)(p - w)),
                             "\"%s\" is not a diagnostic id; nothing is suppressed", id);
                free(id);
            }
            if (nids == 0) {
                diag *g = diag_add(d, DIAG_SUPPRESSION,
                                   loc_make((int)f, base + (size_t)(dir - s), (size_t)(e - dir)),
                                   "\"mtacc: allow\" names no diagnostic id");
                diag_hint(g, "write \"# mtacc: allow ID -- reason\"");
            } else if (!have_reason) {
                diag *g = diag_add(d, DIAG_SUPPRESSION,
                                   loc_make((int)f, base + (size_t)(dir - s), (size_t)(e - dir)),
                                   "suppression without a reason");
                diag_hint(g, "say why after \" -- \", e.g. \"# mtacc: allow ID -- reviewed, see ticket 42\"");
            }
        }
    }
}

static int diag_cmp(const void *a, const void *b)
{
    const diag *x = a, *y = b;
    if (x->at.file != y->at.file)
        return x->at.file < y->at.file ? -1 : 1;
    if (x->at.off != y->at.off)
        return x->at.off < y->at.off ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void diags_finish(diags *d)
{
    check_allow_comments(d);
    size_t k = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (suppressed(d, &d->v[i])) {
            free(d->v[i].msg);
            free(d->v[i].hint);
            for (int n = 0; n < d->v[i].nnotes; n++)
                free(d->v[i].notes[n].msg);
            continue;
        }
        d->v[k++] = d->v[i];
    }
    d->n = k;
    if (d->n > 1)
        qsort(d->v, d->n, sizeof *d->v, diag_cmp);
}

size_t diags_count(const diags *d, severity s)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++)
        n += d->v[i].sev == s;
    return n;
}

/* ---- text -------------------------------------------------------------- */

static void put_where(const diags *d, loc at, FILE *out)
{
    if (at.file < 0) {
        fputs("mtacc: ", out);
        return;
    }
    unsigned line, col;
    src_linecol(d->src, at.file, at.off, &line, &col);
    fprintf(out, "%s:%u:%u: ", src_get(d->src, at.file)->path, line, col);
}

/* The source line with a caret line under the range (clipped to the line). */
static void put_excerpt(const diags *d, loc at, FILE *out)
{
    if (at.file < 0)
        return;
    unsigned line, col;
    src_linecol(d->src, at.file, at.off, &line, &col);
    size_t len;
    const char *s = src_line(d->src, at.file, line, &len);
    fprintf(out, "%5u | ", line);
    for (size_t i = 0; i < len; i++)
        fputc(s[i] == 0 ? ' ' : s[i], out);
    fputs("\n      | ", out);
    size_t start = col - 1 < len ? col - 1 : len;
    for (size_t i = 0; i < start; i++)
        fputc(s[i] == '\t' ? '\t' : ' ', out);
    fputc('^', out);
    size_t span = at.len;
    for (size_t i = 1; i < span && start + i < len; i++)
        fputc('~', out);
    fputc('\n', out);
}

static void print_text(const diags *d, FILE *out)
{
    for (size_t i = 0; i < d->n; i++) {
        const diag *g = &d->v[i];
        put_where(d, g->at, out);
        fprintf(out, "%s[%s]: %s\n", severity_name(g->sev), infos[g->id].name, g->msg);
        put_excerpt(d, g->at, out);
        for (int k = 0; k < g->nnotes; k++) {
            if (g->notes[k].at.file < 0) {
                fprintf(out, "      = note: %s\n", g->notes[k].msg);
                continue;
            }
            put_where(d, g->notes[k].at, out);
            fprintf(out, "note: %s\n", g->notes[k].msg);
            put_excerpt(d, g->notes[k].at, out);
        }
        if (g->hint)
            fprintf(out, "      = hint: %s\n", g->hint);
    }
    size_t ne = diags_count(d, SEV_ERROR), nw = diags_count(d, SEV_WARNING);
    if (ne || nw)
        fprintf(out, "%zu error%s, %zu warning%s\n", ne, ne == 1 ? "" : "s", nw, nw == 1 ? "" : "s");
}

/* ---- JSON -------------------------------------------------------------- */

static void json_where(const diags *d, loc at, FILE *out)
{
    unsigned line = 0, col = 0;
    if (at.file >= 0)
        src_linecol(d->src, at.file, at.off, &line, &col);
    fputs("\"file\": ", out);
    if (at.file >= 0)
        json_put_str(out, src_get(d->src, at.file)->path);
    else
        fputs("null", out);
    fprintf(out, ", \"line\": %u, \"column\": %u", line, col);
}

static void print_json(const diags *d, FILE *out)
{
    fputs("{\n  \"diagnostics\": [", out);
    for (size_t i = 0; i < d->n; i++) {
        const diag *g = &d->v[i];
        fputs(i ? ",\n    {" : "\n    {", out);
        fputs("\"id\": ", out);
        json_put_str(out, infos[g->id].name);
        fprintf(out, ", \"severity\": \"%s\", ", severity_name(g->sev));
        json_where(d, g->at, out);
        fputs(", \"message\": ", out);
        json_put_str(out, g->msg);
        if (g->nnotes) {
            fputs(", \"notes\": [", out);
            for (int k = 0; k < g->nnotes; k++) {
                fputs(k ? ", {" : "{", out);
                json_where(d, g->notes[k].at, out);
                fputs(", \"message\": ", out);
                json_put_str(out, g->notes[k].msg);
                fputc('}', out);
            }
            fputc(']', out);
        }
        if (g->hint) {
            fputs(", \"hint\": ", out);
            json_put_str(out, g->hint);
        }
        fputc('}', out);
    }
    fprintf(out, "%s],\n  \"errors\": %zu,\n  \"warnings\": %zu\n}\n", d->n ? "\n  " : "",
            diags_count(d, SEV_ERROR), diags_count(d, SEV_WARNING));
}

/* ---- SARIF 2.1.0 -------------------------------------------------------- */

static void sarif_location(const diags *d, loc at, FILE *out)
{
    unsigned line, col, eline, ecol;
    src_linecol(d->src, at.file, at.off, &line, &col);
    src_linecol(d->src, at.file, at.off + at.len, &eline, &ecol);
    if (eline != line || at.len == 0)
        eline = line, ecol = col + 1;
    fputs("{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ", out);
    json_put_str(out, src_get(d->src, at.file)->path);
    fprintf(out, "}, \"region\": {\"startLine\": %u, \"startColumn\": %u, "
                 "\"endLine\": %u, \"endColumn\": %u}}", line, col, eline, ecol);
}

static const char *sarif_level(severity s)
{
    return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "note";
}

static void print_sarif(const diags *d, FILE *out)
{
    fputs("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
          "  \"version\": \"2.1.0\",\n  \"runs\": [{\n"
          "    \"tool\": {\"driver\": {\"name\": \"mtacc\", \"version\": \"" MTACC_VERSION "\",\n"
          "      \"informationUri\": \"https://example.invalid/mtacc\",\n"
          "      \"rules\": [", out);
    for (int i = 0; i < DIAG__COUNT; i++) {
        fputs(i ? ",\n        {" : "\n        {", out);
        fputs("\"id\": ", out);
        json_put_str(out, infos[i].name);
        fputs(", \"shortDescription\": {\"text\": ", out);
        json_put_str(out, infos[i].summary);
        fputs("}, \"fullDescription\": {\"text\": ", out);
        json_put_str(out, infos[i].explain);
        fprintf(out, "}, \"defaultConfiguration\": {\"level\": \"%s\"}}", sarif_level(infos[i].sev));
    }
    fputs("]}},\n    \"results\": [", out);
    for (size_t i = 0; i < d->n; i++) {
        const diag *g = &d->v[i];
        fputs(i ? ",\n      {" : "\n      {", out);
        fputs("\"ruleId\": ", out);
        json_put_str(out, infos[g->id].name);
        fprintf(out, ", \"ruleIndex\": %d, \"level\": \"%s\", \"message\": {\"text\": ",
                (int)g->id, sarif_level(g->sev));
        json_put_str(out, g->msg);
        fputc('}', out);
        if (g->at.file >= 0) {
            fputs(", \"locations\": [", out);
            sarif_location(d, g->at, out);
            fputs("}]", out);
        }
        int nrel = 0;
        for (int k = 0; k < g->nnotes; k++) {
            if (g->notes[k].at.file < 0)
                continue;
            fputs(nrel ? ", " : ", \"relatedLocations\": [", out);
            sarif_location(d, g->notes[k].at, out);
            fprintf(out, ", \"id\": %d, \"message\": {\"text\": ", nrel);
            json_put_str(out, g->notes[k].msg);
            fputs("}}", out);
            nrel++;
        }
        if (nrel)
            fputc(']', out);
        int nprops = 0;
        for (int k = 0; k < g->nnotes; k++) {
            if (g->notes[k].at.file >= 0)
                continue;
            fputs(nprops ? ", " : ", \"properties\": {\"notes\": [", out);
            json_put_str(out, g->notes[k].msg);
            nprops++;
        }
        if (nprops)
            fputc(']', out);
        if (g->hint) {
            fputs(nprops ? ", \"hint\": " : ", \"properties\": {\"hint\": ", out);
            json_put_str(out, g->hint);
            nprops++;
        }
        if (nprops)
            fputc('}', out);
        fputc('}', out);
    }
    fprintf(out, "%s]\n  }]\n}\n", d->n ? "\n    " : "");
}

void diags_print(const diags *d, diag_format fmt, FILE *out)
{
    if (fmt == FMT_JSON)
        print_json(d, out);
    else if (fmt == FMT_SARIF)
        print_sarif(d, out);
    else
        print_text(d, out);
}
