/* rewrite_clients.c: does a client match local_header_rewrite_clients?
 * cleanup(8) adds missing headers (Message-Id:, Date:, From:, ...) and
 * rewrites header addresses to the local form only for such clients
 * (unless always_add_missing_headers). The list's words, as Postfix
 * takes them: permit_inet_interfaces, permit_mynetworks,
 * permit_sasl_authenticated, permit_tls_clientcerts,
 * permit_tls_all_clientcerts, check_address_map type:table (the client
 * address as the key; any answer but DUNNO matches). */
#include "stdlib/policy/internal.h"

#include <string.h>
#include <strings.h>

int pol_local_header_rewrite(pol_session *s)
{
    const img_param *p = pol_param(s, "local_header_rewrite_clients");
    if (!p || p->kind != IMG_PK_LIST || !s->client_addr || !*s->client_addr)
        return 0;
    const img *im = s->pi->im;
    for (uint32_t i = 0; i < p->nlist; i++) {
        const char *w = img_str(im, img_list_at(im, p->list, i));
        if (strcasecmp(w, "permit_inet_interfaces") == 0) {
            if (pol_own_address(s, s->client_addr))
                return 1;
        } else if (strcasecmp(w, "permit_mynetworks") == 0) {
            if (pol_match_client(s, "mynetworks", s->client_name, s->client_addr) == 1)
                return 1;
        } else if (strcasecmp(w, "permit_sasl_authenticated") == 0) {
            if (s->sasl_user && *s->sasl_user)
                return 1;
        } else if (strcasecmp(w, "permit_tls_all_clientcerts") == 0) {
            if (s->ccert_fingerprint)
                return 1;
        } else if (strcasecmp(w, "permit_tls_clientcerts") == 0) {
            if (s->ccert_fingerprint &&
                pol_table_list_has(s, "relay_clientcerts", s->ccert_fingerprint) == 1)
                return 1;
        } else if (strcasecmp(w, "check_address_map") == 0 && i + 1 < p->nlist) {
            const char *spec = img_str(im, img_list_at(im, p->list, ++i));
            int t = pol_table_index(s->pi, spec);
            const char *why;
            map *m = t >= 0 ? pol_image_map(s->pi, (uint32_t)t, &why) : NULL;
            if (!m)
                continue;
            strbuf v, e;
            sb_init(&v);
            sb_init(&e);
            int hit = map_lookup(m, s->client_addr, &v, &e) == MAP_FOUND &&
                      strcasecmp(sb_str(&v), "DUNNO") != 0;
            sb_free(&v);
            sb_free(&e);
            if (hit)
                return 1;
        }
    }
    return 0;
}
