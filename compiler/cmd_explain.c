/* cmd_explain.c: `mtacc explain ID` and `mtacc explain --list`. */
#include "compiler/cmd.h"
#include "compiler/diag.h"

#include <stdio.h>
#include <string.h>

int cmd_explain(int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "--help") == 0) {
        fputs("usage: mtacc explain ID\n       mtacc explain --list\n", argc == 2 ? stdout : stderr);
        return argc == 2 ? 0 : 2;
    }
    if (strcmp(argv[1], "--list") == 0) {
        for (int i = 0; i < DIAG__COUNT; i++) {
            const diag_info *in = diag_info_of((diag_id)i);
            printf("%-22s %-7s %s\n", in->name, severity_name(in->sev), in->summary);
        }
        return 0;
    }
    int id = diag_lookup(argv[1]);
    if (id < 0) {
        fprintf(stderr, "mtacc explain: unknown diagnostic id \"%s\"; `mtacc explain --list` lists them\n", argv[1]);
        return 2;
    }
    const diag_info *in = diag_info_of((diag_id)id);
    printf("%s (%s by default): %s\n\n%s", in->name, severity_name(in->sev), in->summary, in->explain);
    return 0;
}
