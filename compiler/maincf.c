/* maincf.c: runs the main.cf scanner and parser over one source file. */
#include "compiler/maincf.h"
#include "compiler/grammar/maincf_scan.h"
#include "maincf.tab.h"
#define YYSTYPE MCFYYSTYPE
#define YYLTYPE MCFYYLTYPE
#include "maincf.lex.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>
#include <string.h>

void maincf_parse(maincf *m, int file, diags *d)
{
    memset(m, 0, sizeof *m);
    m->file = file;
    const src_file *f = src_get(d->src, file);
    if (!f)
        return;
    struct maincf_scan ps = { .m = m, .d = d, .text = f->text };
    yyscan_t scanner;
    if (mcfyylex_init_extra(&ps, &scanner))
        fatal("cannot start the main.cf scanner");
    ps.scanner = scanner;
    YY_BUFFER_STATE buf = mcfyy_scan_bytes(f->text, (int)f->len, scanner);
    mcfyyparse(scanner, &ps);
    mcfyy_delete_buffer(buf, scanner);
    mcfyylex_destroy(scanner);
}

void maincf_free(maincf *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].name);
        free(m->v[i].value);
        free(m->v[i].pieces);
    }
    free(m->v);
    memset(m, 0, sizeof *m);
    m->file = -1;
}

loc cf_value_loc(const cf_setting *s, size_t voff, size_t len)
{
    for (size_t i = 0; i < s->npieces; i++) {
        const cf_piece *p = &s->pieces[i];
        if (voff >= p->voff && voff < p->voff + p->len) {
            size_t in = voff - p->voff;
            size_t n = len < p->len - in ? len : p->len - in;
            return loc_make(s->value_loc.file, p->soff + in, n);
        }
    }
    return loc_make(s->value_loc.file, s->value_loc.off + s->value_loc.len, 0);
}

const cf_setting *maincf_find(const maincf *m, const char *name)
{
    for (size_t i = m->n; i-- > 0;)
        if (strcmp(m->v[i].name, name) == 0)
            return &m->v[i];
    return NULL;
}
