/* cmd_postconf.c: `mtacc postconf`: Postfix's postconf views (in progress). */
#include "compiler/cmd.h"
#include <stdio.h>

int cmd_postconf(int argc, char **argv)
{
    fputs("mtacc postconf: not built yet\n", stderr);
    return 2;
}
