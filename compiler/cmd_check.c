/* cmd_check.c: `mtacc check`: load, verify, print diagnostics.
 * Exit 0 clean (warnings allowed), 1 errors (or warnings with --Werror),
 * 2 usage or I/O problems. Writes nothing, needs no privileges. */
#include "compiler/checks.h"
#include "compiler/cmd.h"
#include "stdlib/util/alloc.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char check_usage[] =
    "usage: mtacc check [-c DIR] [--main FILE] [--master FILE]\n"
    "                   [--format text|json|sarif] [--Werror] [--allow ID]...\n"
    "  -c DIR          configuration directory (default: .)\n"
    "  --main FILE     check FILE in place of DIR/main.cf\n"
    "  --master FILE   check FILE in place of DIR/master.cf\n"
    "  --format FMT    text (default), json or sarif\n"
    "  --Werror        exit 1 on warnings too\n"
    "  --allow ID      do not report diagnostic ID (repeatable)\n";

int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        { "main", required_argument, 0, 'M' },
        { "master", required_argument, 0, 'm' },
        { "format", required_argument, 0, 'f' },
        { "Werror", no_argument, 0, 'W' },
        { "allow", required_argument, 0, 'a' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    config_opts co = { .dir = "." };
    diag_format fmt = FMT_TEXT;
    int werror = 0;
    unsigned char allowed[DIAG__COUNT] = { 0 };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': co.dir = optarg; break;
        case 'M': co.main_path = optarg; break;
        case 'm': co.master_path = optarg; break;
        case 'W': werror = 1; break;
        case 'f':
            if (strcmp(optarg, "text") == 0) fmt = FMT_TEXT;
            else if (strcmp(optarg, "json") == 0) fmt = FMT_JSON;
            else if (strcmp(optarg, "sarif") == 0) fmt = FMT_SARIF;
            else {
                fprintf(stderr, "mtacc check: unknown format \"%s\" (text, json or sarif)\n", optarg);
                return 2;
            }
            break;
        case 'a': {
            int id = diag_lookup(optarg);
            if (id < 0) {
                fprintf(stderr, "mtacc check: unknown diagnostic id \"%s\" (see mtacc explain --list)\n", optarg);
                return 2;
            }
            allowed[id] = 1;
            break;
        }
        case 'h': fputs(check_usage, stdout); return 0;
        default: fputs(check_usage, stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mtacc check: unexpected argument \"%s\"\n", argv[optind]);
        fputs(check_usage, stderr);
        return 2;
    }
    config c;
    config_load(&c, &co);
    memcpy(c.d.allowed, allowed, sizeof allowed);
    run_checks(&c);
    diags_finish(&c.d);
    diags_print(&c.d, fmt, stdout);
    size_t ne = diags_count(&c.d, SEV_ERROR), nw = diags_count(&c.d, SEV_WARNING);
    config_free(&c);
    if (fflush(stdout) != 0)
        return 2;
    return ne || (werror && nw) ? 1 : 0;
}
