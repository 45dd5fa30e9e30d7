/* pcre.c: the pcre: table type: PCRE2 (8-bit, JIT when available), as
 * pcre_table(5). Flags: i (caseless, default on), s (dotall, default on),
 * m (multiline), x (extended), A (anchored), E (dollar end only),
 * U (ungreedy); X is obsolete with PCRE2 and ignored. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "stdlib/maps/rx.h"
#include "stdlib/util/alloc.h"

#include <pcre2.h>
#include <stdlib.h>

typedef struct pcre_re {
    pcre2_code       *code;
    pcre2_match_data *md;
} pcre_re;

static void *pc_compile(const char *pattern, unsigned flags, int *ngroups, strbuf *err)
{
    uint32_t opt = 0;
    if (flags & MAP_RX_ICASE)
        opt |= PCRE2_CASELESS;
    if (flags & MAP_RX_DOTALL)
        opt |= PCRE2_DOTALL;
    if (flags & MAP_RX_MULTILINE)
        opt |= PCRE2_MULTILINE;
    if (flags & MAP_RX_EXTENDED)
        opt |= PCRE2_EXTENDED;
    if (flags & MAP_RX_ANCHORED)
        opt |= PCRE2_ANCHORED;
    if (flags & MAP_RX_DOLLAR_ENDONLY)
        opt |= PCRE2_DOLLAR_ENDONLY;
    if (flags & MAP_RX_UNGREEDY)
        opt |= PCRE2_UNGREEDY;
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opt, &ec, &eo, NULL);
    if (!code) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(ec, buf, sizeof buf);
        sb_addf(err, "error in regex at offset %zu: %s", (size_t)eo, (char *)buf);
        return NULL;
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);   /* falls back to the interpreter */
    uint32_t cap = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &cap);
    pcre_re *re = xmalloc(sizeof *re);
    re->code = code;
    re->md = pcre2_match_data_create_from_pattern(code, NULL);
    if (!re->md)
        fatal("out of memory");
    *ngroups = (int)cap;
    return re;
}

static int pc_exec(void *vre, const char *key, size_t len, long *ov, int nov, strbuf *err)
{
    pcre_re *re = vre;
    int rc = pcre2_match(re->code, (PCRE2_SPTR)key, len, 0, 0, re->md, NULL);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(rc, buf, sizeof buf);
        sb_addf(err, "matching error: %s", (char *)buf);
        return -1;
    }
    PCRE2_SIZE *v = pcre2_get_ovector_pointer(re->md);
    uint32_t have = pcre2_get_ovector_count(re->md);
    for (int i = 0; i < nov; i++) {
        if ((uint32_t)i < have && i < rc && v[2 * i] != PCRE2_UNSET) {
            ov[2 * i] = (long)v[2 * i];
            ov[2 * i + 1] = (long)v[2 * i + 1];
        } else {
            ov[2 * i] = ov[2 * i + 1] = -1;
        }
    }
    return 1;
}

static void pc_free(void *vre)
{
    pcre_re *re = vre;
    pcre2_match_data_free(re->md);
    pcre2_code_free(re->code);
    free(re);
}

static const rx_engine pcre_engine = {
    .compile = pc_compile, .exec = pc_exec, .free = pc_free, .dialect = RX_DIALECT_PCRE,
};

static const map_ops pcre_ops = {
    .type = "pcre", .caps = MAP_CAP_PATTERN, .lookup = map_rx_lookup, .free = map_rx_free,
};

map *map_pcre_open(const char *name, const map_rx_rule *rules, size_t n, strbuf *err)
{
    return map_rx_open(&pcre_ops, &pcre_engine, "pcre", name, rules, n, err);
}
