/* cmd_check.c: `mtacc check`: load, verify, print diagnostics.
 * Exit 0 clean (warnings allowed), 1 errors (or warnings with --Werror),
 * 2 usage or I/O problems. Writes nothing, needs no privileges. */
#include "compiler/check_cli.h"
#include "compiler/cmd.h"

#include <stdio.h>

static const char check_usage[] =
    "usage: mtacc check [-c DIR] [--main FILE] [--master FILE]\n"
    "                   [--format text|json|sarif] [--Werror] [--allow ID]...\n"
    "                   [--attacker ADDR] [--target-version VERSION]\n"
    "  -c DIR          configuration directory (default: .)\n"
    "  --main FILE     check FILE in place of DIR/main.cf\n"
    "  --master FILE   check FILE in place of DIR/master.cf\n"
    "  --format FMT    text (default), json or sarif\n"
    "  --Werror        exit 1 on warnings too\n"
    "  --allow ID      do not report diagnostic ID (repeatable)\n"
    "  --attacker ADDR the relay checks play the untrusted client from ADDR\n"
    "                  (default: public addresses outside mynetworks)\n"
    "  --target-version VERSION\n"
    "                  compat-level reports what upgrading to this Postfix\n"
    "                  release changes (default: 3.7)\n";

int cmd_check(int argc, char **argv)
{
    check_cli o;
    int r = check_cli_parse(&o, argc, argv, "check", check_usage, 0);
    if (r >= 0)
        return r;
    config c;
    check_cli_load(&o, &c);
    int stop = check_cli_report(&o, &c, stdout);
    config_free(&c);
    if (fflush(stdout) != 0)
        return 2;
    return stop;
}
