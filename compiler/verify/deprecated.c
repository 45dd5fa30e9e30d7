/* deprecated.c: deprecated, for restrictions. The image marks every
 * instruction written with an old restriction name (IMG_IF_DEPRECATED,
 * compiler/image/old_names.def); each such word is reported once, where
 * it is written, with its replacement and the version
 * (compiler/deprecated.def). Parameters: compiler/check_deprecated.c. */
#include "compiler/deprecated.h"
#include "compiler/verify/verify.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int word_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_';
}

/* The old restriction name the instruction was written with: the word at
 * its location, or (when the location is the whole setting, for words
 * that came through $name) the first old name on that line. *at is
 * narrowed to the word. */
static const dep_entry *old_word(const verify_ctx *v, const img_insn *x, loc *at)
{
    if (at->file < 0)
        return NULL;
    const src_file *f = src_get(&v->c->src, at->file);
    if (!f || !f->text)
        return NULL;
    char *w = xstrndup(f->text + at->off, at->len);
    const dep_entry *e = dep_find(DEP_RESTRICTION, w);
    free(w);
    if (e)
        return e;
    size_t len;
    const char *line = src_line(&v->c->src, at->file, x->line, &len);
    size_t base = src_line_off(&v->c->src, at->file, x->line);
    for (unsigned i = 0; (e = dep_at(i)); i++) {
        if (e->kind != DEP_RESTRICTION)
            continue;
        size_t nl = strlen(e->name);
        for (size_t k = 0; k + nl <= len; k++)
            if (memcmp(line + k, e->name, nl) == 0 && (k == 0 || !word_char(line[k - 1])) &&
                (k + nl == len || !word_char(line[k + nl]))) {
                *at = loc_make(at->file, base + k, nl);
                return e;
            }
    }
    return NULL;
}

void verify_deprecated(verify_ctx *v)
{
    const img *im = &v->im;
    loc *done = NULL;
    size_t ndone = 0, capdone = 0;
    for (uint32_t i = 0; i < im->ninsns; i++) {
        const img_insn *x = &im->insns[i];
        if (!(x->flags & IMG_IF_DEPRECATED))
            continue;
        loc at = verify_insn_loc(v, x);
        const dep_entry *e = old_word(v, x, &at);
        if (!e)
            continue;
        int seen = 0;
        for (size_t k = 0; k < ndone && !seen; k++)
            seen = done[k].file == at.file && done[k].off == at.off;
        if (seen)
            continue;
        xgrow(&done, &capdone, ndone + 1, sizeof *done);
        done[ndone++] = at;
        diag *g;
        if (e->status == DEP_RENAMED) {
            g = diag_add(&v->c->d, DIAG_DEPRECATED, at, "%s was renamed %s in Postfix %s",
                         e->name, e->use, e->since);
            diag_hint(g, "write %s (the old name still works in Postfix 3.7)", e->use);
        } else {
            g = diag_add(&v->c->d, DIAG_DEPRECATED, at, "%s is obsolete since Postfix %s: use %s",
                         e->name, e->since, e->use);
            if (strcmp(e->name, "reject_maps_rbl") == 0)
                diag_hint(g, "write \"reject_rbl_client DOMAIN\" for each domain of "
                          "maps_rbl_domains");
            else if (strcmp(e->name, "reject_unknown_address") == 0)
                diag_hint(g, "write reject_unknown_sender_domain (and "
                          "reject_unknown_recipient_domain for recipients); Postfix 3.7 checks "
                          "the sender domain only");
            else if (strcmp(e->name, "permit_naked_ip_address") == 0)
                diag_hint(g, "permit your own clients with permit_mynetworks or "
                          "permit_sasl_authenticated; a naked IP address in HELO is no reason "
                          "to trust a client");
            else if (strcmp(e->name, "check_relay_domains") == 0)
                diag_hint(g, "write permit_mynetworks, reject_unauth_destination: "
                          "check_relay_domains also trusts clients by their host name");
            else
                diag_hint(g, "write %s", e->use);
        }
    }
    free(done);
}
