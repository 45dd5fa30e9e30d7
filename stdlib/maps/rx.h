/* rx.h: the engine shared by the pattern tables regexp: (POSIX ERE) and
 * pcre: (PCRE2): an ordered list of rules with if/endif blocks, first
 * match wins, $n substitution in results, and a literal prefilter that
 * skips rules which cannot match a key without changing which rule wins.
 *
 * The rules come already cleaned by the builder (compiler/tables/rxtable.c)
 * or, later, by the image loader: rules Postfix would skip are gone, and
 * every IF has its ENDIF. Each type (regexp.c, pcre.c) supplies an
 * rx_engine that compiles and runs one pattern. */
#ifndef MAPS_RX_H
#define MAPS_RX_H
#include "stdlib/maps/map.h"
#include <stddef.h>

typedef enum map_rx_op { MAP_RX_MATCH, MAP_RX_IF, MAP_RX_ENDIF } map_rx_op;

/* Pattern options after the flag letters were applied (regexp_table(5),
 * pcre_table(5)); a type ignores the ones it does not have. */
enum map_rx_flags {
    MAP_RX_ICASE     = 1u << 0,   /* i (default on) */
    MAP_RX_MULTILINE = 1u << 1,   /* m */
    MAP_RX_EXTENDED  = 1u << 2,   /* regexp: x = ERE (default on); pcre: x = PCRE2_EXTENDED */
    MAP_RX_DOTALL    = 1u << 3,   /* pcre s (default on) */
    MAP_RX_ANCHORED  = 1u << 4,   /* pcre A */
    MAP_RX_DOLLAR_ENDONLY = 1u << 5, /* pcre E */
    MAP_RX_UNGREEDY  = 1u << 6,   /* pcre U */
};

typedef struct map_rx_rule {
    map_rx_op   op;
    int         negate;
    const char *pattern;   /* between the delimiters, backslashes kept */
    unsigned    flags;     /* enum map_rx_flags */
    const char *result;    /* MATCH: the result text as written ($n not expanded) */
    unsigned    line;      /* source line, for provenance */
    /* The prefilter literals when they are already known (an image stores
     * what rx_required_literals gave at build time): has_lits set, nlits
     * of them (0: none could be proven), all_required as it returns. When
     * has_lits is 0, map_rx_open computes them. */
    int                has_lits;
    const char *const *lits;
    size_t             nlits;
    int                all_required;
} map_rx_rule;

/* ---- result templates ----------------------------------------------- */

typedef enum rx_tmpl_err {
    RX_TMPL_OK = 0,
    RX_TMPL_EMPTY_NAME,    /* "$" at the end or before a non-name character, "${}" */
    RX_TMPL_TRUNCATED,     /* "${1" or "$(1" without the closing bracket */
    RX_TMPL_NONNUMERIC,    /* "$a", "$1x", "${1?x}" */
    RX_TMPL_ZERO,          /* "$0" */
} rx_tmpl_err;

typedef struct rx_seg {
    int    group;          /* -1: literal text; else the group index */
    size_t off, len;       /* literal: bytes of text */
} rx_seg;

typedef struct rx_tmpl {
    char   *text;          /* literal bytes, "$$" already reduced to "$" */
    rx_seg *seg;
    size_t  nseg;
    int     max_group;     /* highest $n, 0 if none */
    int     has_dollar;    /* any '$' at all */
} rx_tmpl;

/* Parse result text. On an error, *err_off and *err_len give the offending
 * macro inside s (for diagnostics) and tmpl is left empty. */
rx_tmpl_err rx_tmpl_parse(rx_tmpl *t, const char *s, size_t *err_off, size_t *err_len);
void        rx_tmpl_free(rx_tmpl *t);

/* ---- required literals (the prefilter) ------------------------------- */

typedef enum rx_dialect { RX_DIALECT_ERE, RX_DIALECT_PCRE } rx_dialect;

/* Literals (lowercase) that every string the pattern matches contains,
 * ASCII case-folded. With *all_required set, each of them occurs (the
 * pattern has one alternative: pick any); otherwise at least one of them
 * (one per top-level alternative). Returns the count; 0 when nothing could
 * be proven and the rule must always be tried. *lits is malloc'ed. */
size_t rx_required_literals(const char *pattern, unsigned flags, rx_dialect dialect,
                            char ***lits, int *all_required);

/* ---- the engine ------------------------------------------------------- */

typedef struct rx_engine {
    /* Compile; on failure NULL and a reason in err. *ngroups = subgroups. */
    void *(*compile)(const char *pattern, unsigned flags, int *ngroups, strbuf *err);
    /* Match key; ov receives 2 * nov offsets (-1 for unset groups).
     * Returns 1 on a match, 0 on none, -1 on a matching error (err). */
    int   (*exec)(void *re, const char *key, size_t len, long *ov, int nov, strbuf *err);
    void  (*free)(void *re);
    rx_dialect dialect;
} rx_engine;

/* Open a map of rules; NULL with a reason in err when a pattern does not
 * compile or the rules are malformed (the builder prevents both). */
map *map_rx_open(const map_ops *ops, const rx_engine *eng, const char *type,
                 const char *name, const map_rx_rule *rules, size_t n, strbuf *err);
map_status map_rx_lookup(map *m, const char *key, strbuf *value, strbuf *err);
void       map_rx_free(map *m);

/* Prefilter counters of one open map (for benchmarks and tests). */
typedef struct map_rx_stats {
    size_t rules, with_literal, literals;
    unsigned long long lookups, tried;   /* regex executions */
} map_rx_stats;
void map_rx_get_stats(map *m, map_rx_stats *st);
/* The source line of the rule that answered the last MAP_FOUND lookup of
 * a regexp: or pcre: map (0 for any other map). */
unsigned map_rx_last_line(map *m);
/* Turn the prefilter off (every rule tried in order), for comparisons. */
void map_rx_set_prefilter(map *m, int on);

/* The types (regexp.c, pcre.c). */
map *map_regexp_open(const char *name, const map_rx_rule *rules, size_t n, strbuf *err);
map *map_pcre_open(const char *name, const map_rx_rule *rules, size_t n, strbuf *err);

#endif
