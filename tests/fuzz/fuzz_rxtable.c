/* fuzz_rxtable.c: libFuzzer target for regexp:/pcre: table sources: the
 * logical-line reader, the scanner and parser, Postfix's load rules, the
 * lint checks, diagnostic printing, and lookups on the result (locations
 * must stay in range; the map must open whenever the builder kept rules). */
#include "compiler/tables/rxtable.h"
#include "stdlib/util/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int pcre = data[0] & 1;
    table_use use = (table_use)((data[0] >> 1) % 9);
    data++;
    size--;
    /* glibc's regcomp expands counted repetition ({255}{255}...) in memory
     * and time, for Postfix too; keep such inputs out of the time limit */
    if (!pcre) {
        int braces = 0, run = 0;
        for (size_t i = 0; i < size; i++) {
            braces += data[i] == '{';
            run = strchr("*+?", data[i]) && data[i] ? run + 1 : 0;
            if (braces > 2 || run > 3)   /* and stacked quantifiers a+++++ */
                return 0;
        }
    }
    srcset src;
    srcset_init(&src);
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    int id = src_add(&src, "table", text, size);
    diags d;
    diags_init(&d, &src);
    rxtable t;
    rxtable_load(&t, id, pcre ? RXT_PCRE : RXT_REGEXP, use, &d);
    rxtable_check(&t, &d);
    for (size_t i = 0; i < d.n; i++)
        if (d.v[i].at.file >= 0 && d.v[i].at.off + d.v[i].at.len > size)
            __builtin_trap();
    strbuf err, v, e;
    sb_init(&err);
    sb_init(&v);
    sb_init(&e);
    map *m = rxtable_open(&t, "table", &err);
    if (!m)
        __builtin_trap();
    static const char *const keys[] = { "", "a", "Subject: hello", "user@example.com", "x\ny" };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        map_lookup(m, keys[i], &v, &e);
        map_rx_set_prefilter(m, (int)(i & 1));
    }
    map_free(m);
    sb_free(&err);
    sb_free(&v);
    sb_free(&e);
    diags_finish(&d);
    FILE *null = fopen("/dev/null", "w");
    diags_print(&d, FMT_TEXT, null);
    fclose(null);
    rxtable_free(&t);
    diags_free(&d);
    srcset_free(&src);
    return 0;
}
