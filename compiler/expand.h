/* expand.h: Postfix's parameter expansion language ($name, ${name},
 * $(name), $$, ${name?value}, ${name:value}, ${name?{a}:{b}} and the
 * relational form ${{a} op {b} ? {x} : {y}} with op one of == != < <= > >=,
 * optionally suffixed with "level" for compatibility-level comparison).
 *
 * Two modes:
 *  - expand: evaluate a value, looking names up through a callback (raw,
 *    unexpanded values; NULL for "no such parameter", which expands to
 *    nothing). Named values are expanded recursively; a name that is
 *    already being expanded is an expansion loop.
 *  - scan: visit every $name reference in a value (both branches of every
 *    conditional, without looking anything up), with its byte range.
 * Errors carry Postfix's own wording, so `mtacc postconf` can print them. */
#ifndef COMPILER_EXPAND_H
#define COMPILER_EXPAND_H
#include "stdlib/util/strbuf.h"
#include <stddef.h>

/* The raw value of parameter `name`, or NULL when it has none. */
typedef const char *(*expand_lookup_fn)(void *ctx, const char *name);
/* One reference: the name, and the byte range of the whole reference
 * ("$name", "${name...}") in the scanned text. */
typedef void (*expand_ref_fn)(void *ctx, const char *name, size_t off, size_t len);

/* Postfix stops after this many nested named expansions. */
#define EXPAND_MAX_DEPTH 100

typedef enum expand_status {
    EXPAND_OK = 0,
    EXPAND_SYNTAX,      /* malformed expression: postconf warns msg, then
                           "fatal: macro processing error" */
    EXPAND_LOOP,        /* recursion (msg = "unreasonable macro call nesting: ...") */
    EXPAND_FATAL,       /* postconf stops with "fatal: msg" directly */
} expand_status;

typedef struct expand_error {
    expand_status status;
    char   *msg;        /* Postfix's message text, without "warning: " */
    size_t  off, len;   /* culprit in the top-level text (len 0: unknown) */
    int     in_top;     /* 1 when off/len point into the top-level text */
    /* EXPAND_LOOP: the names being expanded, outermost first, ending with
     * the name that repeats; chain[loop_start] is its first occurrence. */
    char  **chain;
    size_t  nchain, loop_start;
} expand_error;

/* Expand text into out (appended). Returns EXPAND_OK or fills err. */
expand_status expand_text(const char *text, expand_lookup_fn lookup, void *ctx,
                          strbuf *out, expand_error *err);
/* Expand the value of parameter `name` (as "$name" would), so that a loop
 * back to `name` itself is caught at the first repeat. */
expand_status expand_param(const char *name, expand_lookup_fn lookup, void *ctx,
                           strbuf *out, expand_error *err);
/* Visit the references in text. Stops at the first syntax error (err). */
expand_status expand_scan(const char *text, expand_ref_fn ref, void *ctx,
                          expand_error *err);
void expand_error_free(expand_error *err);

/* Postfix's compatibility-level syntax "major[.minor[.patch]]"; returns 0
 * and fills v[3], or -1. */
int expand_parse_level(const char *s, size_t n, long v[3]);

#endif
