/* table_answers.c: what an access table of the image can answer
 * (table_answers.h). Result kinds follow access(5) as the policy engine
 * applies them (stdlib/policy/eval.c: pol_access_result). */
#include "compiler/verify/table_answers.h"
#include "compiler/tables/rxtable.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

enum ta_kind ta_kind_of(const char *value)
{
    while (isspace((unsigned char)*value))
        value++;
    size_t wl = strcspn(value, " \t,");
    const char *rest = value + wl;
    while (isspace((unsigned char)*rest))
        rest++;
    if (wl == 0)
        return TA_OTHER;
    if (strspn(value, "0123456789") == wl)
        return wl == 3 && (value[0] == '4' || value[0] == '5') && *rest ? TA_REJECT
               : !*rest ? TA_PERMIT : TA_OTHER;
    static const char *const permit[] = { "OK", "permit" };
    static const char *const reject[] = { "REJECT", "DEFER", "reject", "defer" };
    static const char *const go_on[] = { "DUNNO", "DEFER_IF_REJECT", "DEFER_IF_PERMIT", "HOLD",
                                         "FILTER", "REDIRECT", "PREPEND", "BCC", "WARN", "INFO" };
    for (size_t i = 0; i < sizeof permit / sizeof *permit; i++)
        if (strlen(permit[i]) == wl && strncasecmp(value, permit[i], wl) == 0)
            return TA_PERMIT;
    if (wl == 7 && strncasecmp(value, "DISCARD", 7) == 0)
        return TA_DISCARD;
    for (size_t i = 0; i < sizeof reject / sizeof *reject; i++)
        if (strlen(reject[i]) == wl && strncasecmp(value, reject[i], wl) == 0)
            return TA_REJECT;
    for (size_t i = 0; i < sizeof go_on / sizeof *go_on; i++)
        if (strlen(go_on[i]) == wl && strncasecmp(value, go_on[i], wl) == 0)
            return TA_GO_ON;
    return TA_OTHER;
}

static int ends_list(const char *value, int warned)
{
    enum ta_kind k = ta_kind_of(value);
    return k == TA_PERMIT || k == TA_DISCARD || (k == TA_REJECT && !warned);
}

/* regexp/pcre: every rule up to the first catch-all ends the list. */
static int rx_all(const img *im, const img_table *tb, int warned, uint32_t *line)
{
    for (uint32_t i = 0; i < tb->count; i++) {
        const img_rx_rule *r = &im->rx_rules[tb->first + i];
        if (r->op != IMG_RULE_MATCH || r->negate)
            return 0;
        if (!ends_list(img_str(im, r->result), warned))
            return 0;
        map_rx_rule m = { .op = MAP_RX_MATCH, .pattern = img_str(im, r->pattern),
                          .flags = r->flags };
        if (rx_catch_all(tb->kind == IMG_TK_PCRE, &m)) {
            *line = r->line;
            return 1;
        }
    }
    return 0;
}

/* cidr (client addresses): every rule ends the list until 0.0.0.0/0 and
 * ::/0 have both been seen. */
static int cidr_all(const img *im, const img_table *tb, int warned, uint32_t *line)
{
    int v4 = 0, v6 = 0;
    for (uint32_t i = 0; i < tb->count && !(v4 && v6); i++) {
        const img_cidr_rule *r = &im->cidr_rules[tb->first + i];
        if (r->op != IMG_RULE_MATCH || r->negate)
            return 0;
        if (!ends_list(img_str(im, r->result), warned))
            return 0;
        if (r->prefix == 0) {
            v4 |= r->family == 4;
            v6 |= r->family == 6;
            *line = r->line;
        }
    }
    return v4 && v6;
}

int ta_answers_all(const img *im, uint32_t t, int client, int warned, uint32_t *line)
{
    *line = 0;
    if (t >= im->ntables)
        return 0;
    const img_table *tb = &im->tables[t];
    switch (tb->kind) {
    case IMG_TK_STATIC:
        return ends_list(img_str(im, tb->value), warned);
    case IMG_TK_REGEXP:
    case IMG_TK_PCRE:
        return rx_all(im, tb, warned, line);
    case IMG_TK_CIDR:
        return client && cidr_all(im, tb, warned, line);
    default:
        return 0;
    }
}

/* Rule i of a regexp, pcre or cidr table: 1 for a match rule, with its
 * result and line. */
static int match_rule(const img *im, const img_table *tb, uint32_t i, const char **result,
                      uint32_t *line)
{
    if (tb->kind == IMG_TK_CIDR) {
        const img_cidr_rule *r = &im->cidr_rules[tb->first + i];
        *result = img_str(im, r->result);
        *line = r->line;
        return r->op == IMG_RULE_MATCH;
    }
    const img_rx_rule *r = &im->rx_rules[tb->first + i];
    *result = img_str(im, r->result);
    *line = r->line;
    return r->op == IMG_RULE_MATCH;
}

int ta_permits_some(const img *im, uint32_t t, uint32_t *line)
{
    *line = 0;
    if (t >= im->ntables)
        return 0;
    const img_table *tb = &im->tables[t];
    const char *value;
    switch (tb->kind) {
    case IMG_TK_STATIC:
        return ta_kind_of(img_str(im, tb->value)) == TA_PERMIT;
    case IMG_TK_HASH:
        for (uint32_t i = 0; i < tb->count; i++) {
            const img_hash_entry *e = &im->hash_entries[tb->first + i];
            if (ta_kind_of(img_str(im, e->value)) == TA_PERMIT) {
                *line = e->line;
                return 1;
            }
        }
        return 0;
    case IMG_TK_REGEXP:
    case IMG_TK_PCRE:
    case IMG_TK_CIDR:
        for (uint32_t i = 0; i < tb->count; i++)
            if (match_rule(im, tb, i, &value, line) && ta_kind_of(value) == TA_PERMIT)
                return 1;
        *line = 0;
        return 0;
    default:
        return 0;
    }
}
