/* regexp.c: the regexp: table type: POSIX regular expressions through the
 * C library's regcomp/regexec, as regexp_table(5). Flags: i (case-
 * insensitive, default on), x (extended syntax, default on), m (REG_NEWLINE). */
#include "stdlib/maps/rx.h"
#include "stdlib/util/alloc.h"

#include <regex.h>
#include <stdlib.h>

static void *rx_compile(const char *pattern, unsigned flags, int *ngroups, strbuf *err)
{
    regex_t *re = xmalloc(sizeof *re);
    int cf = 0;
    if (flags & MAP_RX_EXTENDED)
        cf |= REG_EXTENDED;
    if (flags & MAP_RX_ICASE)
        cf |= REG_ICASE;
    if (flags & MAP_RX_MULTILINE)
        cf |= REG_NEWLINE;
    int rc = regcomp(re, pattern, cf);
    if (rc != 0) {
        char buf[256];
        regerror(rc, re, buf, sizeof buf);
        sb_adds(err, buf);
        free(re);
        return NULL;
    }
    *ngroups = (int)re->re_nsub;
    return re;
}

static int rx_exec(void *vre, const char *key, size_t len, long *ov, int nov, strbuf *err)
{
    regex_t *re = vre;
    regmatch_t pm[nov > 0 ? nov : 1];
    int rc = regexec(re, key, (size_t)nov, pm, 0);
    if (rc == REG_NOMATCH)
        return 0;
    if (rc != 0) {
        char buf[256];
        regerror(rc, re, buf, sizeof buf);
        sb_adds(err, buf);
        return -1;
    }
    for (int i = 0; i < nov; i++) {
        ov[2 * i] = pm[i].rm_so;
        ov[2 * i + 1] = pm[i].rm_eo;
    }
    (void)len;
    return 1;
}

static void rx_free(void *vre)
{
    regfree(vre);
    free(vre);
}

static const rx_engine regexp_engine = {
    .compile = rx_compile, .exec = rx_exec, .free = rx_free, .dialect = RX_DIALECT_ERE,
};

static const map_ops regexp_ops = {
    .type = "regexp", .caps = MAP_CAP_PATTERN, .lookup = map_rx_lookup, .free = map_rx_free,
};

map *map_regexp_open(const char *name, const map_rx_rule *rules, size_t n, strbuf *err)
{
    return map_rx_open(&regexp_ops, &regexp_engine, "regexp", name, rules, n, err);
}
