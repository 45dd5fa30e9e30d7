/* check_cli.h: the options `mtacc check` and `mtacc build` share (-c,
 * --main, --master, --format, --Werror, --allow) and the run of the
 * checks with their report. */
#ifndef COMPILER_CHECK_CLI_H
#define COMPILER_CHECK_CLI_H
#include "compiler/config.h"
#include <stdio.h>

typedef struct check_cli {
    config_opts   co;
    diag_format   fmt;
    int           werror;
    unsigned char allowed[DIAG__COUNT];
    const char   *output;       /* build: -o FILE */
} check_cli;

/* Parse argv for command cmd; with_output accepts -o FILE. Returns -1 to
 * go on, or the exit status (0 after --help, 2 on a usage error). */
int  check_cli_parse(check_cli *o, int argc, char **argv, const char *cmd, const char *usage,
                     int with_output);
/* Load the configuration and run every check; the diagnostics stay in c. */
void check_cli_load(const check_cli *o, config *c);
/* Print the diagnostics to out; returns 1 when they should stop the
 * command (errors, or warnings with --Werror), else 0. */
int  check_cli_report(const check_cli *o, config *c, FILE *out);

#endif
