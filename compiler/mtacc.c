/* mtacc.c: the mtacc command: dispatches subcommands. */
#include "compiler/cmd.h"
#include "compiler/version.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <string.h>

static const struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} subcommands[] = {
    { "check",    cmd_check,    "verify a configuration directory and report diagnostics" },
    { "build",    cmd_build,    "check a configuration and write its policy image" },
    { "inspect",  cmd_inspect,  "validate a policy image and print its header, digests and sizes" },
    { "disasm",   cmd_disasm,   "print a policy image back as text" },
    { "simulate", cmd_simulate, "run an SMTP session through the policy engine and show each decision" },
    { "test",     cmd_test,     "run policy test files (expected replies) against a configuration" },
    { "postconf", cmd_postconf, "print parameters and services as Postfix's postconf does" },
    { "query",    cmd_query,    "look a key up in tables as Postfix's postmap -q does" },
    { "postmap",  cmd_postmap,  "build a hash: or btree: database as Postfix's postmap does" },
    { "postalias", cmd_postalias, "look up or list aliases(5) entries as Postfix's postalias -q / -s does" },
    { "explain",  cmd_explain,  "explain a diagnostic id, with a wrong and a right example" },
    { "check-table", cmd_check_table, "check one table file as a table of KIND (access, header, ...)" },
};

static void usage(FILE *out)
{
    fprintf(out, "usage: mtacc COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof subcommands / sizeof *subcommands; i++)
        fprintf(out, "  %-12s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(out, "\n`mtacc COMMAND --help` describes a command's options; "
                 "man mtacc(1) has the details.\n");
}

int main(int argc, char **argv)
{
    progname = "mtacc";
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("mtacc %s (Postfix %s configuration language)\n", MTACC_VERSION,
               POSTFIX_REFERENCE_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof *subcommands; i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            return subcommands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "mtacc: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return 2;
}
