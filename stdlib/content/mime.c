/* mime.c: the MIME structure cleanup follows while it reads a message:
 * Content-Type headers (multipart/... with its boundary, message/rfc822
 * whose body starts with the attached message's headers, multipart/digest
 * whose parts default to message/rfc822), and the stack of open
 * multipart entities whose boundary lines ("--b", "--b--") start a part
 * or end the entity. Limits: mime_nesting_limit (deeper multiparts are
 * not followed), mime_boundary_length_limit (longer boundaries compared
 * by their first bytes only). */
#include "stdlib/content/internal.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int is_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Skip white space and (comments). */
static const char *skip_cfws(const char *p, const char *e)
{
    for (;;) {
        while (p < e && is_ws(*p))
            p++;
        if (p < e && *p == '(') {
            int depth = 0;
            for (; p < e; p++) {
                if (*p == '\\' && p + 1 < e)
                    p++;
                else if (*p == '(')
                    depth++;
                else if (*p == ')' && --depth == 0) {
                    p++;
                    break;
                }
            }
            continue;
        }
        return p;
    }
}

static const char *token_end(const char *p, const char *e)
{
    while (p < e && !is_ws(*p) && !strchr("()<>@,;:\\\"/[]?=", *p))
        p++;
    return p;
}

void cnt_mime_content_type(cnt_ctx *c, const char *v, size_t len)
{
    const char *p = v, *e = v + len;
    p = skip_cfws(p, e);
    const char *t = p;
    p = token_end(p, e);
    size_t tl = (size_t)(p - t);
    p = skip_cfws(p, e);
    const char *st = p, *ste = p;
    if (p < e && *p == '/') {
        st = skip_cfws(p + 1, e);
        ste = token_end(st, e);
        p = ste;
    }
    size_t sl = (size_t)(ste - st);
    free(c->pending_bound);
    c->pending_bound = NULL;
    c->digest = 0;
    if (tl == 9 && strncasecmp(t, "multipart", 9) == 0) {
        c->ctype = CNT_CT_MULTIPART;
        c->digest = sl == 6 && strncasecmp(st, "digest", 6) == 0;
    } else if (tl == 7 && strncasecmp(t, "message", 7) == 0 &&
               ((sl == 6 && strncasecmp(st, "rfc822", 6) == 0) ||
                (sl == 6 && strncasecmp(st, "global", 6) == 0))) {
        c->ctype = CNT_CT_MESSAGE;
        return;
    } else {
        c->ctype = CNT_CT_OTHER;
        return;
    }
    /* parameters: ; name=value or ; name="quoted" */
    while (p < e) {
        p = skip_cfws(p, e);
        if (p >= e || *p != ';') {
            p++;
            continue;
        }
        p = skip_cfws(p + 1, e);
        const char *n = p;
        p = token_end(p, e);
        size_t nl = (size_t)(p - n);
        p = skip_cfws(p, e);
        if (p >= e || *p != '=')
            continue;
        p = skip_cfws(p + 1, e);
        strbuf val;
        sb_init(&val);
        if (p < e && *p == '"') {
            for (p++; p < e && *p != '"'; p++) {
                if (*p == '\\' && p + 1 < e)
                    p++;
                if (*p != '\n')
                    sb_addc(&val, *p);
            }
            if (p < e)
                p++;
        } else {
            const char *vs = p;
            p = token_end(p, e);
            sb_addn(&val, vs, (size_t)(p - vs));
        }
        if (nl == 8 && strncasecmp(n, "boundary", 8) == 0 && !c->pending_bound && val.len)
            c->pending_bound = sb_take(&val);
        sb_free(&val);
    }
}

void cnt_mime_push(cnt_ctx *c)
{
    if (c->nesting_limit > 0 && (long long)c->nbounds >= c->nesting_limit)
        return;
    xgrow(&c->bounds, &c->bcap, c->nbounds + 1, sizeof *c->bounds);
    size_t len = strlen(c->pending_bound);
    if (c->boundary_limit > 0 && (long long)len > c->boundary_limit)
        len = (size_t)c->boundary_limit;
    c->bounds[c->nbounds].s = c->pending_bound;
    c->bounds[c->nbounds].len = len;
    c->bounds[c->nbounds].digest = c->digest;
    c->nbounds++;
    c->pending_bound = NULL;
}

int cnt_mime_boundary(cnt_ctx *c, const char *line, size_t len)
{
    for (size_t i = c->nbounds; i-- > 0;) {
        const cnt_bound *b = &c->bounds[i];
        if (len - 2 < b->len || memcmp(line + 2, b->s, b->len) != 0)
            continue;
        int end = len - 2 >= b->len + 2 && line[b->len + 2] == '-' && line[b->len + 3] == '-';
        int digest = b->digest;
        /* entities inside the one whose boundary this is are over */
        for (size_t j = i + 1; j < c->nbounds; j++)
            free(c->bounds[j].s);
        c->nbounds = i + 1;
        if (end) {
            free(c->bounds[i].s);
            c->nbounds = i;
            return 2;
        }
        /* the part's default type: message/rfc822 in a digest */
        c->digest = digest;
        return 1;
    }
    return 0;
}

void cnt_mime_free(cnt_ctx *c)
{
    for (size_t i = 0; i < c->nbounds; i++)
        free(c->bounds[i].s);
    free(c->bounds);
    c->bounds = NULL;
    c->nbounds = c->bcap = 0;
}
