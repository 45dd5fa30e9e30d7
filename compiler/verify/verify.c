/* verify.c: the scratch image the verifier's checks share, locations of
 * its instructions, and the order the checks run in. */
#include "compiler/verify/verify.h"
#include "compiler/image/emit.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int verify_open(verify_ctx *v, config *c)
{
    memset(v, 0, sizeof *v);
    v->c = c;
    char tmpdir[] = "/tmp/mtacc-verify.XXXXXX";
    if (!mkdtemp(tmpdir))
        return -1;
    /* emitting reports what it finds in table contents: the table checks
     * report those already, so they go to a scratch list */
    diags saved = c->d, scratch;
    diags_init(&scratch, &c->src);
    c->d = scratch;
    imgw *w = emit_image_files(c, tmpdir, &v->file_sid, &v->nfile_sid);
    scratch = c->d;
    c->d = saved;
    diags_free(&scratch);
    char path[64];
    snprintf(path, sizeof path, "%s/verify.img", tmpdir);
    strbuf err;
    sb_init(&err);
    int r = imgw_write(w, path, &err, NULL);
    imgw_free(w);
    if (r == 0)
        r = img_open(&v->im, path, &err);
    unlink(path);
    rmdir(tmpdir);
    sb_free(&err);
    if (r < 0) {
        free(v->file_sid);
        v->file_sid = NULL;
        return -1;
    }
    pol_image_init(&v->pi, &v->im);
    return 0;
}

void verify_close(verify_ctx *v)
{
    pol_image_free(&v->pi);
    img_close(&v->im);
    free(v->file_sid);
    memset(v, 0, sizeof *v);
}

/* The srcset id of FILES index f; a table file the checks have not read
 * is read now (its lines are what a diagnostic shows). */
static int sid_of(const verify_ctx *v, uint32_t f)
{
    if (f == 0 || f >= v->nfile_sid || f > v->im.nfiles)
        return -1;
    if (v->file_sid[f] < 0) {
        const char *shown = img_str(&v->im, v->im.files[f - 1].path);
        int external = 0;
        char *path = config_table_file(v->c, "hash", shown, &external);
        if (path)
            v->file_sid[f] = src_read(&v->c->src, path, path);
        free(path);
        if (v->file_sid[f] < 0)
            v->file_sid[f] = -2;   /* do not try again */
    }
    return v->file_sid[f] >= 0 ? v->file_sid[f] : -1;
}

loc verify_line_loc(const verify_ctx *v, uint32_t f, uint32_t line)
{
    int sid = sid_of(v, f);
    if (sid < 0 || line == 0)
        return LOC_NONE;
    size_t len = 0;
    src_line(&v->c->src, sid, line, &len);
    return loc_make(sid, src_line_off(&v->c->src, sid, line), len);
}

loc verify_insn_loc(const verify_ctx *v, const img_insn *x)
{
    int sid = sid_of(v, x->file);
    if (sid < 0 || x->line == 0)
        return LOC_NONE;
    size_t len = 0;
    const char *text = src_line(&v->c->src, sid, x->line, &len);
    size_t col = x->col > 0 ? x->col - 1 : 0;
    if (col > len)
        col = len;
    /* the word: up to white space, a comma or a brace, and a group in
     * braces inside it whole ("inline:{a=b, c=d}") */
    size_t end = col;
    int depth = 0;
    while (end < len) {
        char ch = text[end];
        if (ch == '{')
            depth++;
        else if (ch == '}' && depth > 0)
            depth--;
        else if (depth == 0 && strchr(" \t,{}", ch))
            break;
        end++;
    }
    return loc_make(sid, src_line_off(&v->c->src, sid, x->line) + col, end - col);
}

loc verify_program_loc(const verify_ctx *v, const img_program *p)
{
    return verify_line_loc(v, p->file, p->line);
}

void verify_checks(config *c)
{
    verify_ctx v;
    if (verify_open(&v, c) < 0)
        return;
    verify_unknown_restriction(&v);
    verify_restriction_argument(&v);
    verify_restriction_context(&v);
    verify_unreachable(&v);
    verify_whitelist_order(&v);
    verify_ineffective(&v);
    verify_no_relay(&v);
    verify_mx_backup(&v);
    verify_mynetworks(&v);
    verify_open_relay(&v);
    verify_class_clash(&v);
    verify_mail_loop(&v);
    verify_backscatter(&v);
    verify_masquerade(&v);
    verify_queue_timing(&v);
    verify_size_limits(&v);
    verify_soft_bounce(&v);
    verify_unknown_transport(&v);
    verify_deprecated(&v);
    verify_close(&v);
}
