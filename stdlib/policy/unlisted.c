/* unlisted.c: is an address in a domain this host serves a known user?
 * reject_unlisted_recipient / reject_unlisted_sender, and the check
 * smtpd_reject_unlisted_recipient makes after the restrictions. A
 * virtual alias makes any address valid; then, by address class: local
 * (local_recipient_maps, alias tables looked up as local(8) does),
 * virtual alias, virtual mailbox (virtual_mailbox_maps), relay
 * (relay_recipient_maps, when set). ADDRESS_CLASS_README. */
#include "stdlib/policy/internal.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The open tables of a table-list parameter; -1 when one cannot be used. */
static int tables_of(pol_session *s, const char *param, map ***out, uint32_t **idx, size_t *n)
{
    const img_param *p = pol_param(s, param);
    *out = NULL;
    *idx = NULL;
    *n = 0;
    if (!p || p->kind != IMG_PK_TABLES || p->nlist == 0)
        return 0;
    const img *im = s->pi->im;
    *out = xcalloc(p->nlist, sizeof **out);
    *idx = xcalloc(p->nlist, sizeof **idx);
    for (uint32_t i = 0; i < p->nlist; i++) {
        const char *why;
        (*idx)[i] = img_list_at(im, p->list, i);
        (*out)[i] = pol_image_map(s->pi, (*idx)[i], &why);
        if (!(*out)[i])
            return -1;
    }
    *n = p->nlist;
    return 0;
}

static int in_list_param(pol_session *s, const char *param, uint32_t table)
{
    const img_param *p = pol_param(s, param);
    if (!p || p->kind != IMG_PK_TABLES)
        return 0;
    for (uint32_t i = 0; i < p->nlist; i++)
        if (img_list_at(s->pi->im, p->list, i) == table)
            return 1;
    return 0;
}

/* 1 found, 0 not, -1 a table failed. */
static int known(pol_session *s, const char *param, const char *addr, int local)
{
    map **maps;
    uint32_t *idx;
    size_t n;
    int r = tables_of(s, param, &maps, &idx, &n);
    const lookup_params *lp = pol_lookup_params(s);
    for (size_t i = 0; r == 0 && i < n; i++) {
        lookup_result lr;
        lookup_result_init(&lr);
        map_status st;
        if (local && in_list_param(s, "alias_maps", idx[i]))
            st = lookup_aliases(&maps[i], 1, lp, addr, &lr);
        else
            st = lookup_address(&maps[i], 1, lp, LK_VIRTUAL, addr, &lr);
        lookup_result_free(&lr);
        if (st == MAP_FOUND)
            r = 1;
        else if (st != MAP_NOTFOUND)
            r = -1;
    }
    free(maps);
    free(idx);
    return r;
}

static int has_tables(pol_session *s, const char *param)
{
    const img_param *p = pol_param(s, param);
    return p && p->kind == IMG_PK_TABLES && p->nlist > 0;
}

pol_flow pol_unlisted(pol_state *st, const char *addr, int sender)
{
    pol_session *s = st->s;
    const pol_addr *a = pol_parsed(st, addr);
    if (!a->addr[0])
        return POL_FLOW_DUNNO;
    /* the resolved address: user%host@local is user@host */
    size_t ll = strlen(a->rlocal), dl = strlen(a->rdomain);
    char *key = xmalloc(ll + dl + 2);
    memcpy(key, a->rlocal, ll);
    key[ll] = '@';
    memcpy(key + ll + 1, a->rdomain, dl + 1);
    if (!dl)
        key[ll] = 0;
    for (char *c = key; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    int cls = pol_domain_class(s, a->rdomain);
    const char *param = NULL, *table = NULL, *code_param = NULL;
    switch (cls) {
    case IMG_CLASS_LOCAL:
        param = "local_recipient_maps";
        table = "local recipient table";
        code_param = "unknown_local_recipient_reject_code";
        break;
    case IMG_CLASS_VIRTUAL_ALIAS:
        param = "virtual_alias_maps";
        table = "virtual alias table";
        code_param = "unknown_virtual_alias_reject_code";
        break;
    case IMG_CLASS_VIRTUAL_MAILBOX:
        param = "virtual_mailbox_maps";
        table = "virtual mailbox table";
        code_param = "unknown_virtual_mailbox_reject_code";
        break;
    case IMG_CLASS_RELAY:
        param = "relay_recipient_maps";
        table = "relay recipient table";
        code_param = "unknown_relay_recipient_reject_code";
        break;
    default:
        break;
    }
    pol_flow f = POL_FLOW_DUNNO;
    if (param && (cls == IMG_CLASS_VIRTUAL_ALIAS || has_tables(s, param))) {
        int found = known(s, "virtual_alias_maps", key, 0);
        if (found == 0 && cls != IMG_CLASS_VIRTUAL_ALIAS)
            found = known(s, param, key, cls == IMG_CLASS_LOCAL);
        if (found < 0) {
            /* Postfix's text has no "... rejected:" here */
            pol_reply_set(st->r, POL_DEFER, 451, "4.3.0 <%s>: Temporary lookup failure", addr);
            f = POL_FLOW_STOP;
        } else if (found == 0) {
            int code = (int)pol_param_num(s, code_param);
            char dsn[8], text[64];
            snprintf(dsn, sizeof dsn, "%c.1.%c", code >= 500 ? '5' : '4', sender ? '0' : '1');
            snprintf(text, sizeof text, "User unknown in %s", table);
            f = pol_reject_as(st, sender ? POL_CTX_SENDER : POL_CTX_RECIPIENT, code, dsn, addr, text);
        }
    }
    free(key);
    return f;
}
