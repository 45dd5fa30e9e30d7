/* cmd_postconf.c: `mtacc postconf`: Postfix's postconf views (in progress).
 * For now only the master.cf views: -M, -F, -P with -f and filters. */
#include "compiler/cmd.h"
#include "compiler/config.h"
#include "compiler/postconf_master.h"

#include <stdio.h>
#include <unistd.h>

/* ---- master.cf views (postconf_master.c); the main.cf views come later ---- */
int cmd_postconf(int argc, char **argv)
{
    config_opts co = { .dir = "." };
    int mode = 0, fold = 0, ch;
    optind = 1;
    while ((ch = getopt(argc, argv, "c:MFPf")) != -1) {
        switch (ch) {
        case 'c': co.dir = optarg; break;
        case 'M': case 'F': case 'P': mode = ch; break;
        case 'f': fold = 1; break;
        default:
            fputs("usage: mtacc postconf [-c DIR] -M|-F|-P [-f] [service...]\n", stderr);
            return 2;
        }
    }
    if (!mode) {
        fputs("mtacc postconf: only -M, -F and -P are built yet\n", stderr);
        return 2;
    }
    config c;
    config_load(&c, &co);
    int rc = postconf_master_print(&c, mode, fold, argv + optind, argc - optind, stdout);
    config_free(&c);
    return rc;
}
