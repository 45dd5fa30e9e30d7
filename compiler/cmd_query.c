/* cmd_query.c: `mtacc query`: answer a lookup as `postmap -q` does.
 *   mtacc query [-c DIR] [-o NAME=VALUE]... [-f] [-N|-n] [--check] [--access]
 *               [--as ORDER] [-i IMAGE] -q KEY|- TYPE:NAME...
 * With -i, the tables are those compiled into a policy image (mtacc
 * build), found by their spec as the configuration names them; no file
 * is read. Prints the value of the first table that has the key and exits 0, exits
 * 1 when no table has it or a table fails (as postmap). With "-q -" every
 * stdin line is a key and each hit prints "key<TAB>value". Problems found
 * while building the tables go to stderr as diagnostics.
 * --as applies the full lookup order of access(5), transport(5), ...
 * (stdlib/maps/lookup_order.h) and prints
 *   FORM<TAB>MATCHED-KEY<TAB>TYPE:NAME<TAB>VALUE
 * (with "-q -": KEY<TAB> before it). */
#include "compiler/cmd.h"
#include "compiler/config.h"
#include "compiler/query_params.h"
#include "compiler/tables/aliases.h"
#include "compiler/tables/tables.h"
#include "stdlib/image/image.h"
#include "stdlib/maps/lookup_order.h"
#include "stdlib/maps/map.h"
#include "stdlib/util/alloc.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char query_usage[] =
    "usage: mtacc query [-c DIR] [-o NAME=VALUE]... [-f] [-N|-n] [--check] [--access]\n"
    "                   [--as ORDER] [--source] [-i IMAGE] -q KEY|- TYPE:NAME...\n"
    "  -c DIR      configuration directory (DIR/main.cf must exist, as for postmap -c)\n"
    "  -o N=V      a parameter value for --as (over DIR/main.cf and the defaults)\n"
    "  --as ORDER  apply a Postfix lookup order and show the key form that matched:\n"
    "              access-client, access-sender, access-recipient, transport,\n"
    "              virtual, canonical, relocated, aliases\n"
    "  --source    read the tables from their aliases(5) source text, not FILE.db\n"
    "  -i IMAGE    look up in the tables compiled into IMAGE (mtacc build), named\n"
    "              TYPE:NAME as the configuration names them; no file is read\n"
    "  -q KEY      look KEY up; \"-q -\" reads one key per line from stdin\n"
    "  -f          do not lowercase keys (postmap -f)\n"
    "  -N          keys are stored with a trailing NUL (postmap -N)\n"
    "  -n          keys are stored without a trailing NUL (postmap -n)\n"
    "  --check     also run the table checks (missing-table, stale-table, ...)\n"
    "  --access    the tables are access(5) tables (adds numeric-access-result)\n";

typedef enum query_as {
    AS_NONE = 0, AS_ACCESS_CLIENT, AS_ACCESS_SENDER, AS_ACCESS_RECIPIENT, AS_TRANSPORT,
    AS_VIRTUAL, AS_CANONICAL, AS_RELOCATED, AS_ALIASES,
} query_as;

static const char *const as_names[] = {
    [AS_ACCESS_CLIENT] = "access-client", [AS_ACCESS_SENDER] = "access-sender",
    [AS_ACCESS_RECIPIENT] = "access-recipient", [AS_TRANSPORT] = "transport",
    [AS_VIRTUAL] = "virtual", [AS_CANONICAL] = "canonical", [AS_RELOCATED] = "relocated",
    [AS_ALIASES] = "aliases",
};

typedef struct query_ctx {
    map  **maps;
    size_t n;
    strbuf value, err;
    query_as as;
    const lookup_params *params;
    lookup_result res;
} query_ctx;

static int is_ip(const char *s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* --as access-client: "name[addr]" (as Postfix logs a client), an
 * address, or a hostname. */
static map_status query_client(query_ctx *q, const char *key)
{
    size_t len = strlen(key);
    const char *lb = strchr(key, '[');
    if (lb && len > 0 && key[len - 1] == ']') {
        char *name = xstrndup(key, (size_t)(lb - key));
        char *addr = xstrndup(lb + 1, len - (size_t)(lb - key) - 2);
        map_status s = lookup_access_client(q->maps, q->n, q->params, name, addr, &q->res);
        free(name);
        free(addr);
        return s;
    }
    if (is_ip(key))
        return lookup_access_addr(q->maps, q->n, q->params, key, &q->res);
    return lookup_access_domain(q->maps, q->n, q->params, key, &q->res);
}

/* A full lookup order; the answer is in q->res. */
static map_status query_as_order(query_ctx *q, const char *key)
{
    const lookup_params *p = q->params;
    switch (q->as) {
    case AS_ACCESS_CLIENT: return query_client(q, key);
    case AS_ACCESS_SENDER:
    case AS_ACCESS_RECIPIENT: return lookup_access_mail(q->maps, q->n, p, key, &q->res);
    case AS_TRANSPORT: return lookup_transport(q->maps, q->n, p, key, &q->res);
    case AS_VIRTUAL: return lookup_address(q->maps, q->n, p, LK_VIRTUAL, key, &q->res);
    case AS_CANONICAL: return lookup_address(q->maps, q->n, p, LK_CANONICAL, key, &q->res);
    case AS_RELOCATED: return lookup_address(q->maps, q->n, p, LK_RELOCATED, key, &q->res);
    case AS_ALIASES: return lookup_aliases(q->maps, q->n, p, key, &q->res);
    case AS_NONE: break;
    }
    return MAP_NOTFOUND;
}

/* One --as answer: FORM<TAB>MATCHED-KEY<TAB>TYPE:NAME<TAB>VALUE */
static void print_as(query_ctx *q)
{
    map *m = q->maps[q->res.table];
    printf("%s\t%s\t%s:%s\t%s\n", lookup_form_name(q->res.form), sb_str(&q->res.key), m->type,
           m->name, sb_str(&q->res.value));
}

/* The plain postmap -q lookup: the first table that has the key. Returns
 * MAP_FOUND with the value in q->value, MAP_NOTFOUND, or an error. */
static map_status query_one(query_ctx *q, const char *key)
{
    if (q->as != AS_NONE) {
        map_status s = query_as_order(q, key);
        if (s != MAP_FOUND && s != MAP_NOTFOUND) {
            map *m = q->maps[q->res.table];
            fprintf(stderr, "mtacc query: %s:%s: %s\n", m->type, m->name, sb_str(&q->res.err));
        }
        return s;
    }
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

/* One key of "-q -": 1 printed, 0 not found, -1 a table failed. */
static int query_line(query_ctx *q, const char *line)
{
    map_status s = query_one(q, line);
    if (s == MAP_FOUND) {
        if (q->as != AS_NONE) {
            printf("%s\t", line);
            print_as(q);
        } else {
            printf("%s\t%s\n", line, sb_str(&q->value));
        }
        return 1;
    }
    return s == MAP_NOTFOUND ? 0 : -1;
}

/* "-q -" without --as reads keys in batches and asks each table for the
 * keys still unanswered at once (map_lookup_batch), so that tables which
 * can overlap their memory accesses do; the answers and the output are
 * those of one key at a time, which a batch falls back to when a table
 * fails. */
#define QUERY_BATCH 64

typedef struct qbatch {
    char      *line[QUERY_BATCH];
    size_t     cap[QUERY_BATCH];
    strbuf     res[QUERY_BATCH], val[QUERY_BATCH];
    int        found[QUERY_BATCH];
    const char *keys[QUERY_BATCH];
    size_t     at[QUERY_BATCH];
    map_status st[QUERY_BATCH];
} qbatch;

/* 1 some key printed, 0 none, -1 a table failed. */
static int query_batch(query_ctx *q, qbatch *b, size_t n)
{
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        b->found[i] = 0;
        b->keys[np] = b->line[i];
        b->at[np++] = i;
    }
    for (size_t t = 0; t < q->n && np > 0; t++) {
        size_t got = map_lookup_batch(q->maps[t], b->keys, np, b->st, b->val, &q->err);
        if (got < np) {   /* a table failed: one key at a time, as without batches */
            int any = 0;
            for (size_t i = 0; i < n; i++) {
                int r = query_line(q, b->line[i]);
                if (r < 0)
                    return -1;
                any |= r;
            }
            return any;
        }
        size_t k = 0;
        for (size_t j = 0; j < np; j++) {
            if (b->st[j] == MAP_FOUND) {
                strbuf tmp = b->res[b->at[j]];
                b->res[b->at[j]] = b->val[j];
                b->val[j] = tmp;
                b->found[b->at[j]] = 1;
            } else {
                b->keys[k] = b->keys[j];
                b->at[k++] = b->at[j];
            }
        }
        np = k;
    }
    int any = 0;
    for (size_t i = 0; i < n; i++)
        if (b->found[i]) {   /* printf("%s\t%s\n"), without parsing a format */
            fputs_unlocked(b->line[i], stdout);
            putc_unlocked('\t', stdout);
            fputs_unlocked(sb_str(&b->res[i]), stdout);
            putc_unlocked('\n', stdout);
            any = 1;
        }
    return any;
}

static int query_stream(query_ctx *q, FILE *in)
{
    int found = 0, rc = 0;
    if (q->as != AS_NONE) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while (rc >= 0 && (len = getline(&line, &cap, in)) >= 0) {
            if (len > 0 && line[len - 1] == '\n')
                line[--len] = 0;
            if ((rc = query_line(q, line)) > 0)
                found = 1;
        }
        free(line);
        return rc < 0 || !found;
    }
    qbatch *b = xcalloc(1, sizeof *b);
    for (size_t i = 0; i < QUERY_BATCH; i++) {
        sb_init(&b->res[i]);
        sb_init(&b->val[i]);
    }
    for (int eof = 0; !eof && rc >= 0;) {
        size_t n = 0;
        ssize_t len;
        while (n < QUERY_BATCH && (len = getline(&b->line[n], &b->cap[n], in)) >= 0) {
            if (len > 0 && b->line[n][len - 1] == '\n')
                b->line[n][--len] = 0;
            n++;
        }
        eof = n < QUERY_BATCH;
        if (n > 0 && (rc = query_batch(q, b, n)) > 0)
            found = 1;
    }
    for (size_t i = 0; i < QUERY_BATCH; i++) {
        free(b->line[i]);
        sb_free(&b->res[i]);
        sb_free(&b->val[i]);
    }
    free(b);
    return rc < 0 || !found;
}

/* The map of the table of the image named spec (the first with it). */
static map *image_map(const img *im, const char *spec, unsigned flags, strbuf *err)
{
    sb_clear(err);
    for (uint32_t i = 0; i < im->ntables; i++)
        if (strcmp(img_str(im, im->tables[i].spec), spec) == 0) {
            map *m = img_table_map(im, i, err);
            if (m && !(flags & MAP_FL_FOLD_FIX))   /* -f */
                m->flags &= ~MAP_FL_FOLD_FIX;
            return m;
        }
    sb_addf(err, "no table \"%s\" in the image", spec);
    return NULL;
}

int cmd_query(int argc, char **argv)
{
    static const struct option opts[] = {
        { "check", no_argument, 0, 'C' },
        { "access", no_argument, 0, 'A' },
        { "as", required_argument, 0, 'a' },
        { "source", no_argument, 0, 'S' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    const char *dir = NULL, *key = NULL, *image = NULL;
    unsigned flags = MAP_FL_FOLD_FIX, nul = 0, use = TABLES_USE_ANY;
    int check = 0, source = 0, ch;
    query_as as = AS_NONE;
    char **ov = xcalloc((size_t)argc + 1, sizeof *ov);
    size_t nov = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "+c:q:o:i:fNnh", opts, NULL)) != -1) {
        switch (ch) {
        case 'o': ov[nov++] = optarg; break;
        case 'S': source = 1; break;
        case 'a':
            for (size_t i = 1; i < sizeof as_names / sizeof *as_names; i++)
                if (strcmp(optarg, as_names[i]) == 0)
                    as = (query_as)i;
            if (as == AS_NONE) {
                fprintf(stderr, "mtacc query: unknown lookup order \"%s\" for --as\n", optarg);
                fputs(query_usage, stderr);
                free(ov);
                return 2;
            }
            break;
        case 'c': dir = optarg; break;
        case 'i': image = optarg; break;
        case 'q': key = optarg; break;
        case 'f': flags &= ~MAP_FL_FOLD_FIX; break;
        case 'N': nul = MAP_FL_TRY1NULL; break;
        case 'n': nul = MAP_FL_TRY0NULL; break;
        case 'C': check = 1; break;
        case 'A': use |= TABLES_USE_ACCESS; break;
        case 'h': fputs(query_usage, stdout); free(ov); return 0;
        default: fputs(query_usage, stderr); free(ov); return 2;
        }
    }
    if (!key || optind >= argc) {
        fputs(query_usage, stderr);
        free(ov);
        return 2;
    }
    if (image && (nul || check || source || use != TABLES_USE_ANY)) {
        fprintf(stderr, "mtacc query: -N, -n, --check, --access and --source do not apply to "
                        "the tables of an image (-i)\n");
        free(ov);
        return 2;
    }
    if (dir && !config_require_main(dir, "query")) {
        free(ov);
        return 2;
    }
    query_params qp;
    if (query_params_load(&qp, as != AS_NONE ? dir : NULL, ov, nov) < 0) {
        query_params_free(&qp);
        free(ov);
        return 2;
    }
    free(ov);
    flags |= nul ? nul : MAP_FL_TRY0NULL | MAP_FL_TRY1NULL;

    srcset src;
    srcset_init(&src);
    diags d;
    diags_init(&d, &src);
    query_ctx q = { .n = (size_t)(argc - optind), .as = as, .params = &qp.p };
    lookup_result_init(&q.res);
    q.maps = xcalloc(q.n, sizeof *q.maps);
    sb_init(&q.value);
    sb_init(&q.err);
    int ok = 1;
    img im;
    int opened = 0;
    if (image) {
        strbuf err;
        sb_init(&err);
        if (img_open(&im, image, &err) < 0) {
            fprintf(stderr, "mtacc query: %s\n", sb_str(&err));
            ok = 0;
        } else {
            opened = 1;
        }
        for (size_t i = 0; ok && i < q.n; i++) {
            q.maps[i] = image_map(&im, argv[optind + i], flags, &err);
            if (!q.maps[i]) {
                fprintf(stderr, "mtacc query: %s: %s\n", image, sb_str(&err));
                ok = 0;
            }
        }
        sb_free(&err);
    }
    for (size_t i = 0; !image && i < q.n; i++) {
        if (check)
            tables_check(argv[optind + i], LOC_NONE, use, &d);
        tables_opts o = tables_opts_default();
        o.flags = flags;
        /* with --check the table problems were reported already */
        diags scratch;
        diags_init(&scratch, &src);
        q.maps[i] = source ? tables_open_aliases_source(argv[optind + i], &o, &d)
                           : tables_open(argv[optind + i], &o, check ? &scratch : &d);
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
                if (as != AS_NONE)
                    print_as(&q);
                else
                    printf("%s\n", sb_str(&q.value));
                rc = 0;
            }
        }
    }
    for (size_t i = 0; i < q.n; i++)
        map_free(q.maps[i]);
    free(q.maps);
    if (opened)
        img_close(&im);
    sb_free(&q.value);
    sb_free(&q.err);
    lookup_result_free(&q.res);
    query_params_free(&qp);
    diags_free(&d);
    srcset_free(&src);
    if (fflush(stdout) != 0)
        return 2;
    return rc;
}
