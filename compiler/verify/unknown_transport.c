/* unknown_transport.c: unknown-transport. qmgr hands mail to a transport
 * by connecting to the unix service of that name in master.cf; when
 * there is none, the mail is deferred ("mail transport unavailable")
 * until it expires. Every transport the configuration names
 * (transport_refs.h) is looked up in master.cf, or in Postfix's stock
 * master.cf when there is none (services.h). A class transport left at
 * its default is a warning: the configuration did not name it, and only
 * mail of that class is stuck. */
#include "compiler/verify/services.h"
#include "compiler/verify/transport_refs.h"
#include "stdlib/util/editdist.h"

#include <stdlib.h>
#include <string.h>

/* Report `name` (used as `what`, at `at`) when master.cf lacks it. */
static void check_name(verify_ctx *v, const char *name, loc at, const char *what, int implicit,
                       void *arg)
{
    (void)arg;
    const img_service *svc;
    if (svc_transport_daemon(v, name, &svc))
        return;
    const img *im = &v->im;
    int master = v->c->master_file >= 0;
    /* a default nobody wrote matters only to mail of its class: a warning */
    diag *g = diag_add_sev(&v->c->d, DIAG_UNKNOWN_TRANSPORT, implicit ? SEV_WARNING : SEV_ERROR,
                           at, "%s names transport \"%s\", which %s: mail sent to it stays in "
                           "the queue (\"mail transport unavailable\") until it expires", what,
                           name, master ? "master.cf does not define"
                                        : "Postfix's stock master.cf does not define (there is "
                                          "no master.cf here)");
    const img_service *other = NULL;
    for (uint32_t i = 0; master && i < im->nservices; i++)
        if (strcmp(img_str(im, im->services[i].name), name) == 0)
            other = &im->services[i];
    if (other) {
        diag_note_add(g, verify_line_loc(v, other->file, other->line),
                      "\"%s\" is a service of type %s; a transport is a unix service", name,
                      img_str(im, other->type));
        diag_hint(g, "define \"%s\" as a unix service in master.cf", name);
        return;
    }
    size_t n;
    const char **names = svc_transport_names(v, &n);
    const char *best = suggest_best(name, names, n);
    if (best)
        diag_hint(g, "did you mean \"%s\"?", best);
    else
        diag_hint(g, "define it in master.cf (a unix service named \"%s\"), or name a "
                     "transport that master.cf defines", name);
    free(names);
}

void verify_unknown_transport(verify_ctx *v)
{
    transport_refs_each(v, check_name, NULL);
}
