/* rx_tmpl.c: result templates of regexp:/pcre: tables: "$1", "${1}",
 * "$(1)" insert a matched group, "$$" a dollar (regexp_table(5), TEXT
 * SUBSTITUTION). Syntax as observed with postmap: a bare name is a run of
 * letters, digits and '_' and must be all digits; a bracketed name must be
 * all digits; "$0", "$" before a non-name character and unclosed brackets
 * make Postfix skip the rule. */
#include "stdlib/maps/rx.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/strbuf.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static int is_name_char(unsigned char c)
{
    return isalnum(c) || c == '_';
}

static int all_digits(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

static int group_number(const char *s, size_t n)
{
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        v = v * 10 + (s[i] - '0');
        if (v > 100000)
            return INT_MAX;   /* out of range for any pattern */
    }
    return (int)v;
}

static void add_seg(rx_tmpl *t, size_t *cap, int group, size_t off, size_t len)
{
    if (group < 0 && len == 0)
        return;
    if (group < 0 && t->nseg > 0 && t->seg[t->nseg - 1].group < 0 &&
        t->seg[t->nseg - 1].off + t->seg[t->nseg - 1].len == off) {
        t->seg[t->nseg - 1].len += len;
        return;
    }
    xgrow(&t->seg, cap, t->nseg + 1, sizeof *t->seg);
    t->seg[t->nseg++] = (rx_seg){ group, off, len };
}

rx_tmpl_err rx_tmpl_parse(rx_tmpl *t, const char *s, size_t *err_off, size_t *err_len)
{
    memset(t, 0, sizeof *t);
    strbuf lit;
    sb_init(&lit);
    sb_adds(&lit, "");
    size_t cap = 0;
    rx_tmpl_err e = RX_TMPL_OK;
    size_t i = 0, n = strlen(s);
    while (i < n) {
        if (s[i] != '$') {
            size_t j = i;
            while (j < n && s[j] != '$')
                j++;
            add_seg(t, &cap, -1, lit.len, j - i);
            sb_addn(&lit, s + i, j - i);
            i = j;
            continue;
        }
        t->has_dollar = 1;
        size_t start = i;
        char c = i + 1 < n ? s[i + 1] : 0;
        const char *name;
        size_t nlen, end;
        if (c == '$') {
            add_seg(t, &cap, -1, lit.len, 1);
            sb_addc(&lit, '$');
            i += 2;
            continue;
        } else if (c == '{' || c == '(') {
            char close = c == '{' ? '}' : ')';
            int depth = 1;
            size_t j = i + 2;
            for (; j < n; j++) {
                if (s[j] == c)
                    depth++;
                else if (s[j] == close && --depth == 0)
                    break;
            }
            if (j >= n) {
                e = RX_TMPL_TRUNCATED;
                end = n;
                goto fail;
            }
            name = s + i + 2;
            nlen = j - (i + 2);
            end = j + 1;
        } else if (is_name_char((unsigned char)c)) {
            size_t j = i + 1;
            while (j < n && is_name_char((unsigned char)s[j]))
                j++;
            name = s + i + 1;
            nlen = j - (i + 1);
            end = j;
        } else {
            e = RX_TMPL_EMPTY_NAME;
            end = i + 1;
            goto fail;
        }
        if (nlen == 0) {
            e = RX_TMPL_EMPTY_NAME;
            goto fail;
        }
        if (!all_digits(name, nlen)) {
            e = RX_TMPL_NONNUMERIC;
            goto fail;
        }
        int g = group_number(name, nlen);
        if (g == 0) {
            e = RX_TMPL_ZERO;
            goto fail;
        }
        add_seg(t, &cap, g, 0, 0);
        if (g > t->max_group)
            t->max_group = g;
        i = end;
        continue;
    fail:
        if (err_off)
            *err_off = start;
        if (err_len)
            *err_len = end - start;
        sb_free(&lit);
        rx_tmpl_free(t);
        return e;
    }
    t->text = sb_take(&lit);
    return RX_TMPL_OK;
}

void rx_tmpl_free(rx_tmpl *t)
{
    free(t->text);
    free(t->seg);
    memset(t, 0, sizeof *t);
}
