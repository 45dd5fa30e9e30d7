/* cidr.h: cidr: tables (cidr_table(5)): an ordered list of address
 * patterns, first match wins; "if PATTERN ... endif" blocks nest. The
 * compiler parses the source (compiler/tables/cidr_build.c) into rules. */
#ifndef MAPS_CIDR_H
#define MAPS_CIDR_H
#include "stdlib/maps/map.h"

typedef enum cidr_kind { CIDR_MATCH, CIDR_IF, CIDR_ENDIF } cidr_kind;

typedef struct cidr_rule {
    cidr_kind     kind;
    unsigned char family;      /* 4 or 6 */
    unsigned char negate;      /* !pattern */
    unsigned char prefix;      /* bits */
    unsigned char addr[16];    /* network, host bits zero */
    size_t        skip;        /* CIDR_IF: index just after the matching endif */
    char         *result;      /* CIDR_MATCH */
    unsigned      line;        /* source line, for provenance */
} cidr_rule;

/* Parse an address (no brackets, no prefix) as inet_pton does: IPv6 when it
 * contains ':'. Returns the family (4 or 6), 0 when it is not an address. */
int  cidr_parse_addr(const char *s, unsigned char addr[16]);
/* Does addr (of family) fall in the rule's network? */
int  cidr_rule_covers(const cidr_rule *r, int family, const unsigned char addr[16]);
/* The map takes over the rules array (and the result strings). */
map *map_cidr_new(const char *name, cidr_rule *rules, size_t n);

#endif
