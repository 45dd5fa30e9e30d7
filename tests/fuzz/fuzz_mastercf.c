/* fuzz_mastercf.c: libFuzzer target for the master.cf scanner and parser,
 * the master-cf checks and the postconf -M/-F/-P views (locations must
 * stay in range, nothing may leak or crash). */
#include "compiler/checks.h"
#include "compiler/postconf_master.h"
#include "stdlib/util/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void in_range(loc l, size_t size)
{
    if (l.file >= 0 && (size_t)l.off + l.len > size)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    config c;
    memset(&c, 0, sizeof c);
    c.dir = xstrdup(".");
    srcset_init(&c.src);
    diags_init(&c.d, &c.src);
    maincf_parse(&c.main, -1, &c.d);
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    c.master_file = src_add(&c.src, "master.cf", text, size);
    mastercf_parse(&c.master, c.master_file, &c.d);
    for (size_t i = 0; i < c.master.n; i++) {
        const master_service *sv = &c.master.v[i];
        for (int f = 0; f < MS_NFIELDS; f++)
            in_range(sv->field[f].at, size);
        for (size_t j = 0; j < sv->nshown; j++)
            in_range(sv->shown[j].at, size);
        for (size_t j = 0; j < sv->noverrides; j++) {
            in_range(sv->overrides[j].name_loc, size);
            in_range(sv->overrides[j].value_loc, size);
        }
    }
    run_checks(&c);
    diags_finish(&c.d);
    FILE *null = fopen("/dev/null", "w");
    diags_print(&c.d, FMT_TEXT, null);
    FILE *err = stderr;
    stderr = null;
    postconf_master_print(&c, 'M', 1, NULL, 0, null);
    postconf_master_print(&c, 'F', 0, NULL, 0, null);
    postconf_master_print(&c, 'P', 1, NULL, 0, null);
    stderr = err;
    fclose(null);
    config_free(&c);
    return 0;
}
