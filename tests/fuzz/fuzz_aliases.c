/* fuzz_aliases.c: libFuzzer target for the aliases(5) grammar
 * (aliases.l/.y over kvtab logical lines): every entry is collected as
 * postalias stores it, diagnostics are printed (locations must stay in
 * range), and each stored key is looked up through the aliases order. */
#include "compiler/tables/aliases.h"
#include "stdlib/maps/lookup_order.h"
#include "stdlib/maps/types.h"
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
    int id = src_add(&src, "aliases", text, size);
    diags d;
    diags_init(&d, &src);
    memtab t;
    aliases_collect(&t, id, 1, &d, NULL);
    memtab copy;
    memtab_init(&copy);
    for (size_t i = 0; i < t.n; i++)
        memtab_put(&copy, t.v[i].key, t.v[i].value, 0);
    map *m = map_memtab_new("hash", "aliases", &copy, MAP_FL_FOLD_FIX);
    lookup_params p = lookup_params_default();
    p.recipient_delimiter = "+-";
    p.propagate_unmatched_extensions = "alias";
    lookup_result r;
    lookup_result_init(&r);
    for (size_t i = 0; i < t.n; i++) {
        if (lookup_aliases(&m, 1, &p, t.v[i].key, &r) != MAP_FOUND && !strchr(t.v[i].key, '@'))
            __builtin_trap();   /* every stored key finds itself (or a shorter form) */
    }
    lookup_result_free(&r);
    map_free(m);
    memtab_free(&t);
    diags_finish(&d);
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        diags_print(&d, FMT_TEXT, null);
        fclose(null);
    }
    diags_free(&d);
    srcset_free(&src);
    return 0;
}
