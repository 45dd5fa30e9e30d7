/* cmd_check_table.c: `mtacc check-table KIND TYPE:FILE`: check one table
 * file as a table used for KIND (access, header, transport, ...), the way
 * `mtacc check` checks it when a configuration references it; useful while
 * editing a single table. With -q KEY (or -q - for keys on stdin) it then
 * looks KEY up and prints what `postmap -q` prints, with its exit status;
 * diagnostics then go to stderr.
 * Exit (without -q): 0 clean, 1 errors (or warnings with --Werror), 2 usage
 * or I/O problems. Types: regexp: and pcre:. */
#include "compiler/cmd.h"
#include "compiler/tables/rxtable.h"
#include "stdlib/util/alloc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: mtacc check-table [--format text|json|sarif] [--Werror] [-q KEY|-] KIND TYPE:FILE\n"
    "  KIND            what the table is used for: %s\n"
    "  TYPE:FILE       regexp:FILE or pcre:FILE\n"
    "  --format FMT    text (default), json or sarif\n"
    "  --Werror        exit 1 on warnings too\n"
    "  -q KEY          then look KEY up and print the result as postmap -q does\n"
    "                  (exit 0 found, 1 not found); -q - reads keys from stdin\n"
    "  --no-prefilter  with -q -: try every rule in order (for benchmarks)\n";

static int query(map *m, const char *key, int show_key)
{
    strbuf v, e;
    sb_init(&v);
    sb_init(&e);
    map_status st = map_lookup(m, key, &v, &e);
    if (st == MAP_FOUND) {
        if (show_key)
            printf("%s\t%s\n", key, sb_str(&v));
        else
            printf("%s\n", sb_str(&v));
    }
    sb_free(&v);
    sb_free(&e);
    return st == MAP_FOUND;
}

int cmd_check_table(int argc, char **argv)
{
    static const struct option opts[] = {
        { "format", required_argument, 0, 'f' },
        { "Werror", no_argument, 0, 'W' },
        { "no-prefilter", no_argument, 0, 'P' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    diag_format fmt = FMT_TEXT;
    int werror = 0, prefilter = 1, ch;
    const char *key = NULL;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "q:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'q': key = optarg; break;
        case 'W': werror = 1; break;
        case 'P': prefilter = 0; break;
        case 'f':
            if (strcmp(optarg, "text") == 0) fmt = FMT_TEXT;
            else if (strcmp(optarg, "json") == 0) fmt = FMT_JSON;
            else if (strcmp(optarg, "sarif") == 0) fmt = FMT_SARIF;
            else {
                fprintf(stderr, "mtacc check-table: unknown format \"%s\" (text, json or sarif)\n", optarg);
                return 2;
            }
            break;
        case 'h': printf(usage, table_use_names()); return 0;
        default: fprintf(stderr, usage, table_use_names()); return 2;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, usage, table_use_names());
        return 2;
    }
    int use = table_use_lookup(argv[optind]);
    if (use < 0) {
        fprintf(stderr, "mtacc check-table: unknown table kind \"%s\" (%s)\n", argv[optind], table_use_names());
        return 2;
    }
    const char *spec = argv[optind + 1];
    rxt_type type;
    const char *path;
    if (strncmp(spec, "regexp:", 7) == 0) {
        type = RXT_REGEXP;
        path = spec + 7;
    } else if (strncmp(spec, "pcre:", 5) == 0) {
        type = RXT_PCRE;
        path = spec + 5;
    } else {
        fprintf(stderr, "mtacc check-table: \"%s\": only regexp:FILE and pcre:FILE tables are supported\n", spec);
        return 2;
    }
    srcset src;
    srcset_init(&src);
    int id = src_read(&src, path, path);
    if (id < 0) {
        fprintf(stderr, "mtacc check-table: cannot read %s: %m\n", path);
        srcset_free(&src);
        return key ? 1 : 2;
    }
    diags d;
    diags_init(&d, &src);
    rxtable t;
    rxtable_load(&t, id, type, (table_use)use, &d);
    int rc;
    if (key) {
        /* the lookup: diagnostics of the load only, to stderr */
        diags_finish(&d);
        diags_print(&d, fmt, stderr);
        strbuf err;
        sb_init(&err);
        map *m = rxtable_open(&t, path, &err);
        if (!m) {
            fprintf(stderr, "mtacc check-table: %s: %s\n", path, sb_str(&err));
            rc = 2;
        } else if (strcmp(key, "-") == 0) {
            map_rx_set_prefilter(m, prefilter);
            int found = 0;
            char *line = NULL;
            size_t cap = 0;
            ssize_t n;
            while ((n = getline(&line, &cap, stdin)) >= 0) {
                while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                    line[--n] = 0;
                found |= query(m, line, 1);
            }
            free(line);
            rc = found ? 0 : 1;
        } else {
            rc = query(m, key, 0) ? 0 : 1;
        }
        map_free(m);
        sb_free(&err);
    } else {
        rxtable_check(&t, &d);
        diags_finish(&d);
        diags_print(&d, fmt, stdout);
        size_t ne = diags_count(&d, SEV_ERROR), nw = diags_count(&d, SEV_WARNING);
        rc = ne || (werror && nw) ? 1 : 0;
    }
    rxtable_free(&t);
    diags_free(&d);
    srcset_free(&src);
    if (fflush(stdout) != 0)
        return 2;
    return rc;
}
