/* cmd_postmap.c: `mtacc postmap [-N|-n] [-f] [-i] TYPE:FILE...`: build
 * FILE.db for hash:/btree: tables exactly as Postfix's postmap would, so
 * Postfix (and mtacc query) read it. Warnings (duplicate keys, lines
 * without a value) are printed as diagnostics; exit 0 when every database
 * was written, 1 otherwise, 2 on usage errors. */
#include "compiler/cmd.h"
#include "compiler/tables/postmap.h"
#include "stdlib/util/alloc.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char postmap_usage[] =
    "usage: mtacc postmap [-N|-n] [-f] [-i] TYPE:FILE...\n"
    "  -N   store keys with a trailing NUL (the default, as postmap)\n"
    "  -n   store keys without a trailing NUL\n"
    "  -f   do not lowercase keys\n"
    "  -i   read entries from standard input and add them to FILE.db\n"
    "  TYPE is hash or btree; a FILE without TYPE: is hash:FILE\n";

int cmd_postmap(int argc, char **argv)
{
    static const struct option opts[] = {
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    postmap_opts po = { .fold = 1, .nul = 1, .incremental = 0 };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "+Nnfih", opts, NULL)) != -1) {
        switch (ch) {
        case 'N': po.nul = 1; break;
        case 'n': po.nul = 0; break;
        case 'f': po.fold = 0; break;
        case 'i': po.incremental = 1; break;
        case 'h': fputs(postmap_usage, stdout); return 0;
        default: fputs(postmap_usage, stderr); return 2;
        }
    }
    if (optind >= argc) {
        fputs(postmap_usage, stderr);
        return 2;
    }
    srcset src;
    srcset_init(&src);
    diags d;
    diags_init(&d, &src);
    int rc = 0;
    for (int i = optind; i < argc; i++)
        if (tables_postmap(argv[i], &po, &d) != 0)
            rc = 1;
    diags_finish(&d);
    diags_print(&d, FMT_TEXT, stderr);
    diags_free(&d);
    srcset_free(&src);
    return rc;
}
