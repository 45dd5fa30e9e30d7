/* cmd_query.c: `mtacc query`: answer a lookup as `postmap -q` does.
 *   mtacc query [-c DIR] [-f] [-N|-n] [--check] [--access] -q KEY|- TYPE:NAME...
 * Prints the value of the first table that has the key and exits 0, exits
 * 1 when no table has it or a table fails (as postmap). With "-q -" every
 * stdin line is a key and each hit prints "key<TAB>value". Problems found
 * while building the tables go to stderr as diagnostics. The full lookup
 * orders of access(5), transport(5), ... (--as) plug in at query_one. */
#include "compiler/cmd.h"
#include "compiler/tables/tables.h"
#include "stdlib/maps/map.h"
#include "stdlib/util/alloc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char query_usage[] =
    "usage: mtacc query [-c DIR] [-f] [-N|-n] [--check] [--access] -q KEY|- TYPE:NAME...\n"
    "  -c DIR      configuration directory (DIR/main.cf must exist, as for postmap -c)\n"
    "  -q KEY      look KEY up; \"-q -\" reads one key per line from stdin\n"
    "  -f          do not lowercase keys (postmap -f)\n"
    "  -N          keys are stored with a trailing NUL (postmap -N)\n"
    "  -n          keys are stored without a trailing NUL (postmap -n)\n"
    "  --check     also run the table checks (missing-table, stale-table, ...)\n"
    "  --access    the tables are access(5) tables (adds numeric-access-result)\n";

typedef struct query_ctx {
    map  **maps;
    size_t n;
    strbuf value, err;
} query_ctx;

/* The plain postmap -q lookup: the first table that has the key. Returns
 * MAP_FOUND with the value in q->value, MAP_NOTFOUND, or an error. */
static map_status query_one(query_ctx *q, const char *key)
{
    for (size_t i = 0; i < q->n; i++) {
        map_status s = map_lookup(q->maps[i], key, &q->value, &q->err);
        if (s != MAP_NOTFOUND) {
            if (s != MAP_FOUND)
                fprintf(stderr, "mtacc query: %s:%s: %s\n", q->maps[i]->type, q->maps[i]->name,
                        sb_str(&q->err));
            return s;
        }
    }
    return MAP_NOTFOUND;
}

static int query_stream(query_ctx *q, FILE *in)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int found = 0;
    while ((len = getline(&line, &cap, in)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = 0;
        map_status s = query_one(q, line);
        if (s == MAP_FOUND) {
            printf("%s\t%s\n", line, sb_str(&q->value));
            found = 1;
        } else if (s != MAP_NOTFOUND) {
            free(line);
            return 1;
        }
    }
    free(line);
    return found ? 0 : 1;
}

int cmd_query(int argc, char **argv)
{
    static const struct option opts[] = {
        { "check", no_argument, 0, 'C' },
        { "access", no_argument, 0, 'A' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    const char *dir = NULL, *key = NULL;
    unsigned flags = MAP_FL_FOLD_FIX, nul = 0, use = TABLES_USE_ANY;
    int check = 0, ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "+c:q:fNnh", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': dir = optarg; break;
        case 'q': key = optarg; break;
        case 'f': flags &= ~MAP_FL_FOLD_FIX; break;
        case 'N': nul = MAP_FL_TRY1NULL; break;
        case 'n': nul = MAP_FL_TRY0NULL; break;
        case 'C': check = 1; break;
        case 'A': use |= TABLES_USE_ACCESS; break;
        case 'h': fputs(query_usage, stdout); return 0;
        default: fputs(query_usage, stderr); return 2;
        }
    }
    if (!key || optind >= argc) {
        fputs(query_usage, stderr);
        return 2;
    }
    if (dir) {
        char *p = xmalloc(strlen(dir) + 10);
        sprintf(p, "%s/main.cf", dir);
        FILE *fp = fopen(p, "r");
        if (!fp) {
            fprintf(stderr, "mtacc query: cannot open %s\n", p);
            free(p);
            return 2;
        }
        fclose(fp);
        free(p);
    }
    flags |= nul ? nul : MAP_FL_TRY0NULL | MAP_FL_TRY1NULL;

    srcset src;
    srcset_init(&src);
    diags d;
    diags_init(&d, &src);
    query_ctx q = { .n = (size_t)(argc - optind) };
    q.maps = xcalloc(q.n, sizeof *q.maps);
    sb_init(&q.value);
    sb_init(&q.err);
    int ok = 1;
    for (size_t i = 0; i < q.n; i++) {
        if (check)
            tables_check(argv[optind + i], LOC_NONE, use, &d);
        tables_opts o = tables_opts_default();
        o.flags = flags;
        /* with --check the table problems were reported already */
        diags scratch;
        diags_init(&scratch, &src);
        q.maps[i] = tables_open(argv[optind + i], &o, check ? &scratch : &d);
        if (check && !q.maps[i] && diags_count(&d, SEV_ERROR) == 0) {
            /* should not happen: the check reports every reason to fail */
            diags_finish(&scratch);
            diags_print(&scratch, FMT_TEXT, stderr);
        }
        diags_free(&scratch);
        if (!q.maps[i])
            ok = 0;
    }
    diags_finish(&d);
    diags_print(&d, FMT_TEXT, stderr);
    int rc = 1;
    if (ok) {
        if (strcmp(key, "-") == 0) {
            rc = query_stream(&q, stdin);
        } else {
            map_status s = query_one(&q, key);
            if (s == MAP_FOUND) {
                printf("%s\n", sb_str(&q.value));
                rc = 0;
            }
        }
    }
    for (size_t i = 0; i < q.n; i++)
        map_free(q.maps[i]);
    free(q.maps);
    sb_free(&q.value);
    sb_free(&q.err);
    diags_free(&d);
    srcset_free(&src);
    if (fflush(stdout) != 0)
        return 2;
    return rc;
}
