/* emit_services.c: master.cf entries as SERVICES records, with Postfix's
 * defaults for "-" applied (private y, unpriv y, chroot n, wakeup none,
 * maxproc $default_process_limit) and the parameter values each service
 * changes with -o (emit_service_params). */
#include "compiler/image/emit.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>
#include <string.h>

static int flag(const char *text, int dflt)
{
    return strcmp(text, "-") == 0 ? dflt : text[0] == 'y';
}

void emit_services(emit_ctx *e)
{
    const mastercf *m = &e->c->master;
    const char *limit = emit_global_value(e, "default_process_limit");
    for (size_t i = 0; i < m->n; i++) {
        const master_service *svc = &m->v[i];
        img_service s;
        memset(&s, 0, sizeof s);
        s.name = imgw_str(e->w, svc->field[MS_NAME].text);
        s.type = imgw_str(e->w, svc->field[MS_TYPE].text);
        s.command = imgw_str(e->w, svc->field[MS_COMMAND].text);
        uint32_t *args = xcalloc(svc->nargs + 1, sizeof *args);
        for (size_t k = 0; k < svc->nargs; k++)
            args[k] = imgw_str(e->w, svc->args[k].text);
        s.args = imgw_u32(e->w, args, svc->nargs);
        s.nargs = (uint32_t)svc->nargs;
        free(args);
        if (flag(svc->field[MS_PRIVATE].text, 1))
            s.flags |= IMG_SVC_PRIVATE;
        if (flag(svc->field[MS_UNPRIV].text, 1))
            s.flags |= IMG_SVC_UNPRIV;
        if (flag(svc->field[MS_CHROOT].text, 0))
            s.flags |= IMG_SVC_CHROOT;
        const char *wake = svc->field[MS_WAKEUP].text;
        if (strcmp(wake, "-") != 0) {
            s.wakeup = (uint32_t)strtoul(wake, NULL, 10);
            if (strchr(wake, '?'))
                s.flags |= IMG_SVC_WAKEUP_COND;
        }
        const char *maxproc = svc->field[MS_MAXPROC].text;
        s.maxproc = (uint32_t)strtoul(strcmp(maxproc, "-") == 0 && limit ? limit : maxproc,
                                      NULL, 10);
        s.params = emit_service_params(e, svc, &s.nparams);
        if (svc->at.file >= 0) {
            unsigned line, col;
            src_linecol(&e->c->src, svc->at.file, svc->at.off, &line, &col);
            s.file = emit_file(e, svc->at.file);
            s.line = line;
        }
        imgw_append(e->w, IMG_SEC_SERVICES, &s, 1);
    }
}
