/* fuzz_maincf.c: libFuzzer target for the main.cf scanner and parser,
 * including diagnostic printing (locations must stay in range). */
#include "compiler/maincf.h"
#include "stdlib/util/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    srcset src;
    srcset_init(&src);
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    int id = src_add(&src, "main.cf", text, size);
    diags d;
    diags_init(&d, &src);
    maincf m;
    maincf_parse(&m, id, &d);
    for (size_t i = 0; i < m.n; i++) {
        loc l = cf_value_loc(&m.v[i], 0, strlen(m.v[i].value));
        if (l.off + l.len > size)
            __builtin_trap();
    }
    diags_finish(&d);
    FILE *null = fopen("/dev/null", "w");
    diags_print(&d, FMT_TEXT, null);
    diags_print(&d, FMT_JSON, null);
    fclose(null);
    maincf_free(&m);
    diags_free(&d);
    srcset_free(&src);
    return 0;
}
