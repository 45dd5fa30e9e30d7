/* pending_lower.c: TEMPORARY placeholder until lower.c lands (branch
 * img-lower): restriction lists become empty programs. Delete this file
 * when lower.c is merged. */
#include "compiler/image/emit.h"

#include <string.h>

int emit_is_restriction_list(const emit_ctx *e, const char *name)
{
    size_t n = strlen(name);
    return strncmp(name, "smtpd_", 6) == 0 && n > 13 && strcmp(name + n - 13, "_restrictions") == 0;
}

uint32_t emit_program(emit_ctx *e, const char *name, const char *value, loc at, const char *raw)
{
    img_program p;
    memset(&p, 0, sizeof p);
    p.name = imgw_str(e->w, name);
    p.first = imgw_count(e->w, IMG_SEC_INSNS);
    return imgw_append(e->w, IMG_SEC_PROGRAMS, &p, 1);
}
