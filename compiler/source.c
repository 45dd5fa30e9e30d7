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
    }
    free(s->v);
    srcset_init(s);
}

int src_add(srcset *s, const char *path, char *text, size_t len)
{
    xgrow(&s->v, &s->cap, s->n + 1, sizeof *s->v);
    src_file *f = &s->v[s->n];
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
    size_t b = f->line_start[line - 1], e = b;
    while (e < f->len && f->text[e] != '\n')
        e++;
    if (e > b && f->text[e - 1] == '\r')
        e--;
    *len = e - b;
    return f->text + b;
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
