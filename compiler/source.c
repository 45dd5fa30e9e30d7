/* source.c: input files kept in memory with a line index. */
#include "compiler/source.h"
#include "stdlib/util/alloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void srcset_init(srcset *s)
{
    memset(s, 0, sizeof *s);
}

void srcset_free(srcset *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].path);
        free(s->v[i].text);
        free(s->v[i].line_start);
        for (size_t k = 0; k < s->v[i].nkept; k++)
            free(s->v[i].kept[k].text);
        free(s->v[i].kept);
    }
    free(s->v);
    srcset_init(s);
}

int src_add(srcset *s, const char *path, char *text, size_t len)
{
    xgrow(&s->v, &s->cap, s->n + 1, sizeof *s->v);
    src_file *f = &s->v[s->n];
    memset(f, 0, sizeof *f);
    f->path = xstrdup(path);
    f->text = text;
    f->len = len;
    size_t cap = 0;
    f->line_start = NULL;
    f->nlines = 0;
    xgrow(&f->line_start, &cap, 1, sizeof(size_t));
    f->line_start[f->nlines++] = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n' && i + 1 < len) {
            xgrow(&f->line_start, &cap, f->nlines + 1, sizeof(size_t));
            f->line_start[f->nlines++] = i + 1;
        }
    }
    return (int)s->n++;
}

int src_read(srcset *s, const char *fspath, const char *shown_path)
{
    FILE *fp = fopen(fspath, "rb");
    if (!fp)
        return -1;
    char *buf = NULL;
    size_t len = 0, cap = 0, got;
    do {
        xgrow(&buf, &cap, len + 65536 + 1, 1);
        got = fread(buf + len, 1, cap - len - 1, fp);
        len += got;
    } while (got > 0);
    int err = ferror(fp);
    fclose(fp);
    if (err) {
        free(buf);
        errno = EIO;
        return -1;
    }
    if (!buf)
        buf = xmalloc(1);
    buf[len] = 0;
    return src_add(s, shown_path, buf, len);
}

int src_add_sparse(srcset *s, const char *path)
{
    xgrow(&s->v, &s->cap, s->n + 1, sizeof *s->v);
    src_file *f = &s->v[s->n];
    memset(f, 0, sizeof *f);
    f->path = xstrdup(path);
    f->sparse = 1;
    return (int)s->n++;
}

/* The index of the first kept line >= line. */
static size_t kept_find(const src_file *f, unsigned line)
{
    size_t lo = 0, hi = f->nkept;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (f->kept[mid].line < line)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void src_keep_line(srcset *s, int file, unsigned line, size_t off, const char *text, size_t len)
{
    if (file < 0 || (size_t)file >= s->n || !s->v[file].sparse)
        return;
    src_file *f = &s->v[file];
    size_t i = kept_find(f, line);
    if (i < f->nkept && f->kept[i].line == line)
        return;
    xgrow(&f->kept, &f->capkept, f->nkept + 1, sizeof *f->kept);
    memmove(&f->kept[i + 1], &f->kept[i], (f->nkept - i) * sizeof *f->kept);
    f->kept[i] = (src_kept){ line, off, xstrndup(text, len), len };
    f->nkept++;
    if (line > f->nlines)
        f->nlines = line;
}

const src_file *src_get(const srcset *s, int id)
{
    if (id < 0 || (size_t)id >= s->n)
        return NULL;
    return &s->v[id];
}

void src_linecol(const srcset *s, int file, size_t off, unsigned *line, unsigned *col)
{
    const src_file *f = src_get(s, file);
    if (!f) {
        *line = *col = 0;
        return;
    }
    if (f->sparse) {   /* the last kept line starting at or before off */
        size_t lo = 0, hi = f->nkept;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (f->kept[mid].off <= off)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == 0) {
            *line = *col = 0;
            return;
        }
        *line = f->kept[lo - 1].line;
        *col = (unsigned)(off - f->kept[lo - 1].off) + 1;
        return;
    }
    size_t lo = 0, hi = f->nlines;   /* find the last line_start <= off */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (f->line_start[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    *line = (unsigned)lo + 1;
    *col = (unsigned)(off - f->line_start[lo]) + 1;
}

const char *src_line(const srcset *s, int file, unsigned line, size_t *len)
{
    const src_file *f = src_get(s, file);
    if (!f || line == 0 || line > f->nlines) {
        *len = 0;
        return "";
    }
    if (f->sparse) {
        size_t i = kept_find(f, line);
        if (i == f->nkept || f->kept[i].line != line) {
            *len = 0;
            return "";
        }
        size_t e = f->kept[i].len;
        if (e > 0 && f->kept[i].text[e - 1] == '\r')
            e--;
        *len = e;
        return f->kept[i].text;
    }
    size_t b = f->line_start[line - 1], e = b;
    while (e < f->len && f->text[e] != '\n')
        e++;
    if (e > b && f->text[e - 1] == '\r')
        e--;
    *len = e - b;
    return f->text + b;
}

size_t src_line_off(const srcset *s, int file, unsigned line)
{
    const src_file *f = src_get(s, file);
    if (!f || line == 0 || line > f->nlines)
        return 0;
    if (f->sparse) {
        size_t i = kept_find(f, line);
        return i < f->nkept && f->kept[i].line == line ? f->kept[i].off : 0;
    }
    return f->line_start[line - 1];
}

unsigned src_next_line(const srcset *s, int file, unsigned line)
{
    const src_file *f = src_get(s, file);
    if (!f)
        return 0;
    if (f->sparse) {
        size_t i = kept_find(f, line + 1);
        return i < f->nkept ? f->kept[i].line : 0;
    }
    return line < f->nlines ? line + 1 : 0;
}

loc loc_make(int file, size_t off, size_t len)
{
    return (loc){ file, (unsigned)off, (unsigned)len };
}

loc loc_join(loc a, loc b)
{
    if (a.file < 0)
        return b;
    if (b.file < 0 || b.file != a.file)
        return a;
    unsigned lo = a.off < b.off ? a.off : b.off;
    unsigned ea = a.off + a.len, eb = b.off + b.len;
    unsigned hi = ea > eb ? ea : eb;
    return (loc){ a.file, lo, hi - lo };
}
