/* rxtable.h: building regexp: and pcre: tables from their source text.
 * Parsing (compiler/grammar/rxtable.{l,y}) and Postfix's load-time rules
 * (which lines it skips, if/endif pairing) live in rxtable.c; the lint
 * checks (dialect, ReDoS, shadowing, anchoring, header actions) in
 * rxcheck.c. The result is a rule list for stdlib/maps (map_regexp_open,
 * map_pcre_open), with the source location of every kept rule. */
#ifndef TABLES_RXTABLE_H
#define TABLES_RXTABLE_H
#include "compiler/diag.h"
#include "stdlib/maps/rx.h"

typedef enum rxt_type { RXT_REGEXP, RXT_PCRE } rxt_type;

/* What a table is used for; decides which checks apply. */
typedef enum table_use {
    TABLE_USE_OTHER = 0,
    TABLE_USE_ACCESS,        /* smtpd_*_restrictions lookups, check_*_access */
    TABLE_USE_ADDRESS,       /* virtual, canonical, generic, relocated, aliases */
    TABLE_USE_TRANSPORT,     /* transport_maps, sender_dependent_*_transport */
    TABLE_USE_HEADER,        /* header_checks, mime_header_checks, nested_header_checks */
    TABLE_USE_BODY,          /* body_checks */
    TABLE_USE_SMTP_HEADER,   /* smtp_header_checks, smtp_mime/nested_header_checks */
    TABLE_USE_SMTP_BODY,     /* smtp_body_checks */
    TABLE_USE_MILTER_HEADER, /* milter_header_checks */
} table_use;

/* "access", "header", ... -> TABLE_USE_*; -1 if unknown. */
int         table_use_lookup(const char *name);
const char *table_use_name(table_use u);
/* The names, comma-separated, for usage messages. */
const char *table_use_names(void);

typedef struct rxt_rule {
    map_rx_rule r;          /* pattern, flags, result (owned strings) */
    loc   line_loc;         /* the logical line's first physical line */
    loc   pat_loc;          /* the pattern between its delimiters */
    loc   result_loc;       /* the result (empty when none) */
    unsigned pat_first;     /* logical offsets of the pattern and result */
    unsigned res_first;
    int   ngroups;
    int   implicit;         /* an ENDIF added at the end for an open IF */
    int   depth;            /* IF nesting of this rule */
    size_t parent;          /* index of the enclosing IF, (size_t)-1 at top */
} rxt_rule;

typedef struct rxtable {
    rxt_type  type;
    table_use use;
    int       file;         /* srcset id */
    rxt_rule *v;            /* the rules Postfix keeps, IF/ENDIF balanced */
    size_t    n, cap;
    /* the logical text and its map back to the file */
    char     *text;
    size_t    len;
    struct rxt_piece { unsigned loff, foff, len; } *pieces;
    size_t    npieces;
} rxtable;

/* Index of the ']' that closes the bracket expression at p[i] == '[', or n
 * when it is not closed ([:class:] and friends inside; backslash escapes
 * when `escapes`, as in PCRE). */
size_t rx_bracket_end(const char *p, size_t i, size_t n, int escapes);

/* The file location of logical-text bytes [first, last). */
loc rxtable_loc(const rxtable *t, unsigned first, unsigned last);

/* Parse srcset file `file` as a table of `type`, used as `use`; every
 * problem goes to d. */
void rxtable_load(rxtable *t, int file, rxt_type type, table_use use, diags *d);
/* Does rule r (of a pcre: table when pcre, else regexp:) match every
 * key? 2: every string; 1: every non-empty string; 0: not provably
 * (rxcheck.c). */
int rx_catch_all(int pcre, const map_rx_rule *r);
/* The lint checks on a loaded table (rxcheck.c). */
void rxtable_check(const rxtable *t, diags *d);
/* A lookup map of the kept rules; NULL and a reason in err on failure. */
map *rxtable_open(const rxtable *t, const char *name, strbuf *err);
void rxtable_free(rxtable *t);

#endif
