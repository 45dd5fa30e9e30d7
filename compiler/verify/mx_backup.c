/* mx_backup.c: mx-backup-unrestricted. permit_mx_backup in a list some
 * smtpd service runs (with its -o values) while that service's
 * permit_mx_backup_networks is empty: any domain whose DNS names this host
 * as an MX is relayed. (open-relay shows such a relay as a session when it
 * is reachable by an untrusted client.) */
#include "compiler/verify/lists.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void verify_mx_backup(verify_ctx *v)
{
    const img *im = &v->im;
    const img_service **svcs;
    size_t n = vl_services(v, &svcs);
    unsigned char *mark = xcalloc(im->nprograms + 1, 1);
    for (size_t s = 0; s < n; s++) {
        const img_param *nets = vl_param(im, svcs[s], "permit_mx_backup_networks");
        if (nets && *img_str(im, nets->text))
            continue;
        memset(mark, 0, im->nprograms + 1);
        vl_reach_service(im, svcs[s], mark);
        for (uint32_t i = 0; i < im->nprograms; i++) {
            const img_program *p = &im->programs[i];
            for (uint32_t k = 0; mark[i] && k < p->count; k++) {
                const img_insn *x = &im->insns[p->first + k];
                loc at = verify_insn_loc(v, x);
                if (x->op != IMG_OP_PERMIT_MX_BACKUP ||
                    !vl_once(v, DIAG_MX_BACKUP_UNRESTRICTED, at))
                    continue;
                char label[300];
                vl_service_label(im, svcs[s], label, sizeof label);
                diag *g = diag_add(&v->c->d, DIAG_MX_BACKUP_UNRESTRICTED, at,
                                   "permit_mx_backup without permit_mx_backup_networks (%s): "
                                   "mail for any domain whose DNS names this host as an MX is "
                                   "accepted and relayed", label);
                if (nets && nets->file)
                    diag_note_add(g, verify_line_loc(v, nets->file, nets->line),
                                  "permit_mx_backup_networks is empty here");
                diag_hint(g, "set permit_mx_backup_networks to the networks of the primary MX "
                             "hosts of the domains you back up, or list those domains in "
                             "relay_domains instead");
            }
        }
    }
    free(mark);
    free(svcs);
}
