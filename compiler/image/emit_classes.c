/* emit_classes.c: the address classes of ADDRESS_CLASS_README as CLASSES
 * records: the domains of each class (names, and tables named in the
 * domain list), where its mail goes (transport and next hop) and which
 * tables list its valid recipients. Everything comes from the global
 * parameter values; the router in mtad reads these instead of parsing. */
#include "compiler/image/emit.h"
#include "compiler/tables/tables.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>
#include <string.h>

static const struct class_def {
    enum img_class_id id;
    const char *domains;      /* parameter listing the domains (NULL: none) */
    const char *transport;    /* parameter naming the transport (NULL: none) */
    const char *recipients;   /* parameter listing the recipient tables (NULL: none) */
} class_defs[] = {
    { IMG_CLASS_LOCAL, "mydestination", "local_transport", "local_recipient_maps" },
    { IMG_CLASS_VIRTUAL_ALIAS, "virtual_alias_domains", NULL, "virtual_alias_maps" },
    { IMG_CLASS_VIRTUAL_MAILBOX, "virtual_mailbox_domains", "virtual_transport",
      "virtual_mailbox_maps" },
    { IMG_CLASS_RELAY, "relay_domains", "relay_transport", "relay_recipient_maps" },
    { IMG_CLASS_DEFAULT, NULL, "default_transport", NULL },
};

static int is_table_word(const char *w)
{
    const char *colon = strchr(w, ':');
    if (!colon || colon == w || w[0] == '[')
        return 0;
    char *type = xstrndup(w, (size_t)(colon - w));
    int known = tables_type_known(type);
    free(type);
    return known;
}

static void add(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
    xgrow(v, cap, *n + 1, sizeof **v);
    (*v)[(*n)++] = x;
}

void emit_classes(emit_ctx *e)
{
    for (size_t k = 0; k < sizeof class_defs / sizeof *class_defs; k++) {
        const struct class_def *d = &class_defs[k];
        img_class rec;
        memset(&rec, 0, sizeof rec);
        rec.id = d->id;
        uint32_t *doms = NULL, *tabs = NULL;
        size_t nd = 0, capd = 0, nt = 0, capt = 0;
        char **w;
        size_t n;
        if (d->domains) {
            emit_split(emit_global_value(e, d->domains), &w, &n);
            for (size_t i = 0; i < n; i++) {
                if (is_table_word(w[i]))
                    add(&tabs, &nt, &capt, emit_table(e, w[i], LOC_NONE, EMIT_TABLE_POSTMAP));
                else
                    add(&doms, &nd, &capd, imgw_str(e->w, w[i]));
            }
            emit_split_free(w, n);
        }
        rec.domains = imgw_u32(e->w, doms, nd);
        rec.ndomains = (uint32_t)nd;
        rec.tables = imgw_u32(e->w, tabs, nt);
        rec.ntables = (uint32_t)nt;
        free(doms);
        free(tabs);
        const char *nexthop = "";
        char *transport = xstrdup(d->transport ? emit_global_value(e, d->transport) : "");
        char *colon = strchr(transport, ':');
        if (colon) {
            *colon = 0;
            nexthop = colon + 1;
        }
        if (d->id == IMG_CLASS_DEFAULT && !*nexthop)
            nexthop = emit_global_value(e, "relayhost");
        rec.transport = imgw_str(e->w, transport);
        rec.nexthop = imgw_str(e->w, nexthop);
        free(transport);
        uint32_t *rcpt = NULL;
        size_t nr = 0, capr = 0;
        if (d->recipients) {
            emit_split(emit_global_value(e, d->recipients), &w, &n);
            for (size_t i = 0; i < n; i++)
                add(&rcpt, &nr, &capr, emit_table(e, w[i], LOC_NONE, EMIT_TABLE_POSTMAP));
            emit_split_free(w, n);
        }
        rec.recipients = imgw_u32(e->w, rcpt, nr);
        rec.nrecipients = (uint32_t)nr;
        free(rcpt);
        imgw_append(e->w, IMG_SEC_CLASSES, &rec, 1);
    }
}
