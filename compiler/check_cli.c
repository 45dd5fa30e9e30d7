/* check_cli.c: options and report shared by check and build (see
 * check_cli.h). */
#include "compiler/check_cli.h"
#include "compiler/checks.h"

#include <getopt.h>
#include <string.h>

int check_cli_parse(check_cli *o, int argc, char **argv, const char *cmd, const char *usage,
                    int with_output)
{
    static const struct option opts[] = {
        { "main", required_argument, 0, 'M' },
        { "master", required_argument, 0, 'm' },
        { "format", required_argument, 0, 'f' },
        { "Werror", no_argument, 0, 'W' },
        { "allow", required_argument, 0, 'a' },
        { "attacker", required_argument, 0, 'A' },
        { "target-version", required_argument, 0, 'T' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    memset(o, 0, sizeof *o);
    o->co.dir = ".";
    o->fmt = FMT_TEXT;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, with_output ? "c:o:h" : "c:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': o->co.dir = optarg; break;
        case 'o': o->output = optarg; break;
        case 'M': o->co.main_path = optarg; break;
        case 'm': o->co.master_path = optarg; break;
        case 'W': o->werror = 1; break;
        case 'A': o->co.attacker = optarg; break;
        case 'T': {
            const char *level;
            int r = compat_target_level(optarg, &level);
            if (r < 0) {
                fprintf(stderr, r == -1 ? "mtacc %s: --target-version \"%s\" is not a Postfix "
                                          "release (such as 3.6)\n"
                                        : "mtacc %s: --target-version \"%s\" is newer than "
                                          "Postfix 3.7, whose compatibility levels mtacc knows\n",
                        cmd, optarg);
                return 2;
            }
            o->co.target_version = optarg;
            break;
        }
        case 'f':
            if (strcmp(optarg, "text") == 0) o->fmt = FMT_TEXT;
            else if (strcmp(optarg, "json") == 0) o->fmt = FMT_JSON;
            else if (strcmp(optarg, "sarif") == 0) o->fmt = FMT_SARIF;
            else {
                fprintf(stderr, "mtacc %s: unknown format \"%s\" (text, json or sarif)\n", cmd,
                        optarg);
                return 2;
            }
            break;
        case 'a': {
            int id = diag_lookup(optarg);
            if (id < 0) {
                fprintf(stderr, "mtacc %s: unknown diagnostic id \"%s\" (see mtacc explain --list)\n",
                        cmd, optarg);
                return 2;
            }
            o->allowed[id] = 1;
            break;
        }
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mtacc %s: unexpected argument \"%s\"\n", cmd, argv[optind]);
        fputs(usage, stderr);
        return 2;
    }
    if (with_output && !o->output) {
        fprintf(stderr, "mtacc %s: missing -o FILE (where to write the image)\n", cmd);
        fputs(usage, stderr);
        return 2;
    }
    return -1;
}

void check_cli_load(const check_cli *o, config *c)
{
    config_load(c, &o->co);
    memcpy(c->d.allowed, o->allowed, sizeof o->allowed);
    run_checks(c);
}

int check_cli_report(const check_cli *o, config *c, FILE *out)
{
    diags_finish(&c->d);
    diags_print(&c->d, o->fmt, out);
    size_t ne = diags_count(&c->d, SEV_ERROR), nw = diags_count(&c->d, SEV_WARNING);
    return ne || (o->werror && nw) ? 1 : 0;
}
