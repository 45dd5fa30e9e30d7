/* fuzz_kvtab.c: libFuzzer target for the table-source grammar (kvtab.l/.y)
 * and what is built on it: postmap key/value entries, texthash and cidr
 * tables, with lookups and diagnostic printing (locations must stay in
 * range). The first byte chooses the table type. */
#include "compiler/tables/build.h"
#include "compiler/tables/kvsrc.h"
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int kind = data[0] % 3;
    data++, size--;
    srcset src;
    srcset_init(&src);
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    int id = src_add(&src, "table", text, size);
    diags d;
    diags_init(&d, &src);
    strbuf v, e;
    sb_init(&v);
    sb_init(&e);
    if (kind == 0) {
        kvsrc s;
        kvsrc_parse(&s, id, &d);
        kv_list l = { 0 };
        kv_split(&l, &s, &d);
        for (size_t i = 0; i < l.n; i++) {
            loc a = l.v[i].line_at;
            if (a.off + a.len > size)
                __builtin_trap();
        }
        kv_list_free(&l);
        kvsrc_free(&s);
    } else {
        map *m = kind == 1 ? tables_build_texthash("table", id, MAP_FL_FOLD_FIX, &d)
                           : tables_build_cidr("table", id, &d);
        const char *keys[] = { "1.2.3.4", "::1", "2001:db8::1", "example.com", "", "a" };
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
            map_lookup(m, keys[i], &v, &e);
        map_free(m);
    }
    diags_finish(&d);
    FILE *null = fopen("/dev/null", "w");
    diags_print(&d, FMT_TEXT, null);
    diags_print(&d, FMT_JSON, null);
    fclose(null);
    sb_free(&v);
    sb_free(&e);
    diags_free(&d);
    srcset_free(&src);
    return 0;
}
