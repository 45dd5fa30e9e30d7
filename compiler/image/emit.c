/* emit.c: the driver of image emission (see emit.h): source files first
 * (main.cf, master.cf), then parameters (which pull in the tables and
 * restriction programs they name), services, address classes. */
#include "compiler/image/emit.h"
#include "compiler/version.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *emit_display_path(const emit_ctx *e, const char *path)
{
    const char *dir = e->c->dir;
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    if (strcmp(dir, ".") != 0 && strncmp(path, dir, dl) == 0 && path[dl] == '/')
        return xstrdup(path + dl + 1);
    if (strncmp(path, "./", 2) == 0)
        return xstrdup(path + 2);
    return xstrdup(path);
}

uint32_t emit_file(emit_ctx *e, int sid)
{
    if (sid < 0)
        return 0;
    if ((size_t)sid >= e->nfile_index) {
        size_t n = (size_t)sid + 16;
        e->file_index = xrealloc(e->file_index, n * sizeof *e->file_index);
        memset(e->file_index + e->nfile_index, 0, (n - e->nfile_index) * sizeof *e->file_index);
        e->nfile_index = n;
    }
    if (e->file_index[sid])
        return e->file_index[sid];
    const src_file *f = src_get(&e->c->src, sid);
    char *shown = emit_display_path(e, f->path);
    uint32_t idx;
    if (!f->sparse) {
        idx = imgw_file(e->w, shown, f->text, f->len);
    } else {
        uint8_t sha[32];
        uint64_t size = 0;
        if (sha256_file(f->path, sha, &size, NULL) < 0)
            memset(sha, 0, sizeof sha);
        idx = imgw_file_digest(e->w, shown, sha, size);
    }
    free(shown);
    e->file_index[sid] = idx;
    return idx;
}

static void named_free(emit_named *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].name);
    free(v);
}

imgw *emit_image(config *c, const char *spill_dir)
{
    return emit_image_files(c, spill_dir, NULL, NULL);
}

imgw *emit_image_files(config *c, const char *spill_dir, int **file_sid, size_t *n)
{
    emit_ctx e;
    memset(&e, 0, sizeof e);
    e.c = c;
    e.w = imgw_new(spill_dir);
    imgw_set_compiler(e.w, "mtacc " MTACC_VERSION);
    emit_file(&e, c->main.file);
    emit_file(&e, c->master_file);
    emit_params(&e);
    emit_services(&e);
    emit_classes(&e);
    emit_params_free(&e);
    named_free(e.tables, e.ntables);
    named_free(e.programs, e.nprograms);
    if (file_sid) {
        size_t nf = imgw_count(e.w, IMG_SEC_FILES) + 1;
        *file_sid = xmalloc(nf * sizeof **file_sid);
        for (size_t i = 0; i < nf; i++)
            (*file_sid)[i] = -1;
        for (size_t sid = 0; sid < e.nfile_index; sid++)
            if (e.file_index[sid] && e.file_index[sid] < nf)
                (*file_sid)[e.file_index[sid]] = (int)sid;
        *n = nf;
    }
    free(e.file_index);
    return e.w;
}
