/* cmd_postalias.c: `mtacc postalias`: aliases(5) lookups as Postfix's
 * postalias(1) answers them.
 *   mtacc postalias [-c DIR] [--source] -q KEY|- TYPE:FILE...
 *   mtacc postalias --source -s TYPE:FILE...
 * -q prints the value of the first table that has KEY (exit 0) or nothing
 * (exit 1); with "-q -" each hit prints "key:<TAB>value" as postalias
 * does. Without --source, hash:/btree: tables are read from FILE.db (what
 * postalias wrote); with --source the alias file itself is parsed and
 * answers what postalias would have stored. -s (with --source) lists every
 * entry as "key:<TAB>value" in file order. */
#include "compiler/cmd.h"
#include "compiler/config.h"
#include "compiler/tables/aliases.h"
#include "stdlib/util/alloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char postalias_usage[] =
    "usage: mtacc postalias [-c DIR] [--source] -q KEY|- TYPE:FILE...\n"
    "       mtacc postalias --source -s TYPE:FILE...\n"
    "  -c DIR    configuration directory (DIR/main.cf must exist, as for postalias -c)\n"
    "  -q KEY    look KEY up; \"-q -\" reads keys from stdin, prints key:<TAB>value\n"
    "  -s        list every entry (needs --source)\n"
    "  --source  read the alias source FILE, not FILE.db\n";

static map_status pa_lookup(map **maps, size_t n, const char *key, strbuf *v, strbuf *err)
{
    for (size_t i = 0; i < n; i++) {
        map_status s = map_lookup(maps[i], key, v, err);
        if (s != MAP_NOTFOUND) {
            if (s != MAP_FOUND)
                fprintf(stderr, "mtacc postalias: %s:%s: %s\n", maps[i]->type, maps[i]->name,
                        sb_str(err));
            return s;
        }
    }
    return MAP_NOTFOUND;
}

static int pa_list(int argc, char **argv, diags *d)
{
    int rc = 0;
    for (int i = 0; i < argc; i++) {
        char *type, *name;
        if (tables_split_spec(argv[i], &type, &name) < 0) {
            fprintf(stderr, "mtacc postalias: bad table \"%s\"\n", argv[i]);
            rc = 1;
            continue;
        }
        int id = src_read(d->src, name, name);
        if (id < 0) {
            fprintf(stderr, "mtacc postalias: cannot open %s: %s\n", name, strerror(errno));
            rc = 1;
        } else {
            memtab t;
            aliases_collect(&t, id, 1, d, NULL);
            for (size_t j = 0; j < t.n; j++)
                printf("%s:\t%s\n", t.v[j].key, t.v[j].value);
            memtab_free(&t);
        }
        free(type);
        free(name);
    }
    return rc;
}

int cmd_postalias(int argc, char **argv)
{
    static const struct option opts[] = {
        { "source", no_argument, 0, 'S' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    const char *dir = NULL, *key = NULL;
    int source = 0, list = 0, ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "+c:q:sh", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': dir = optarg; break;
        case 'q': key = optarg; break;
        case 's': list = 1; break;
        case 'S': source = 1; break;
        case 'h': fputs(postalias_usage, stdout); return 0;
        default: fputs(postalias_usage, stderr); return 2;
        }
    }
    if ((!key && !list) || (key && list) || (list && !source) || optind >= argc) {
        fputs(postalias_usage, stderr);
        return 2;
    }
    if (dir && !config_require_main(dir, "postalias")) {
        return 2;
    }
    srcset src;
    srcset_init(&src);
    diags d;
    diags_init(&d, &src);
    int rc = 1;
    if (list) {
        rc = pa_list(argc - optind, argv + optind, &d);
    } else {
        size_t n = (size_t)(argc - optind);
        map **maps = xcalloc(n, sizeof *maps);
        int ok = 1;
        for (size_t i = 0; i < n; i++) {
            tables_opts o = tables_opts_default();
            maps[i] = source ? tables_open_aliases_source(argv[optind + i], &o, &d)
                             : tables_open(argv[optind + i], &o, &d);
            if (!maps[i])
                ok = 0;
        }
        strbuf v, err;
        sb_init(&v);
        sb_init(&err);
        if (ok && strcmp(key, "-") == 0) {
            char *line = NULL;
            size_t cap = 0;
            ssize_t len;
            while ((len = getline(&line, &cap, stdin)) >= 0) {
                if (len > 0 && line[len - 1] == '\n')
                    line[--len] = 0;
                map_status s = pa_lookup(maps, n, line, &v, &err);
                if (s == MAP_FOUND) {
                    printf("%s:\t%s\n", line, sb_str(&v));
                    rc = 0;
                } else if (s != MAP_NOTFOUND) {
                    rc = 1;
                    break;
                }
            }
            free(line);
        } else if (ok && pa_lookup(maps, n, key, &v, &err) == MAP_FOUND) {
            printf("%s\n", sb_str(&v));
            rc = 0;
        }
        sb_free(&v);
        sb_free(&err);
        for (size_t i = 0; i < n; i++)
            map_free(maps[i]);
        free(maps);
    }
    diags_finish(&d);
    diags_print(&d, FMT_TEXT, stderr);
    diags_free(&d);
    srcset_free(&src);
    if (fflush(stdout) != 0)
        return 2;
    return rc;
}
