/* dbwrite.c: `postmap TYPE:FILE` for hash: and btree:: build FILE.db from
 * the source FILE with Berkeley DB, as Postfix's postmap does: keys
 * lowercased unless told otherwise, keys and values stored with a trailing
 * NUL (postmap's default) or without (-n), the first of duplicate keys
 * kept with a duplicate-key warning. The database is written to a
 * temporary file and renamed into place, so readers never see half of it
 * (except with -i, which adds the entries on standard input to the
 * existing database in place, creating it when missing).
 *
 * The source is streamed one logical line at a time straight into libdb,
 * so memory does not grow with the table: the database itself detects
 * duplicates (a put with DB_NOOVERWRITE fails), and the source is a sparse
 * srcset file that keeps only the lines diagnostics point at. The entry
 * that wins over a duplicate is found by a second pass over the source,
 * made only when there are duplicates (kvdups.h). */
#include "compiler/tables/postmap.h"
#include "compiler/tables/kvdups.h"
#include "compiler/tables/kvsrc.h"
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <db.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Postfix's berkeley_db_create_buffer_size: the cache postmap builds with. */
#define POSTMAP_DB_CACHE (16 * 1024 * 1024)
/* The element count hint of postmap's hash files (their meta page says
 * nelem = entries + 4096). */
#define POSTMAP_HASH_NELEM 4096

typedef struct build {
    DB           *db;
    const postmap_opts *po;
    diags        *d;
    int           file;
    const char   *target;
    int           err;       /* first libdb error: no more puts */
    strbuf        key, value;
    kvdups        dups;
} build;

static int put(DB *db, const char *key, const char *value, int nul, int *exists)
{
    DBT k, v;
    memset(&k, 0, sizeof k);
    memset(&v, 0, sizeof v);
    k.data = (void *)key;
    k.size = (u_int32_t)(strlen(key) + (nul ? 1 : 0));
    v.data = (void *)value;
    v.size = (u_int32_t)(strlen(value) + (nul ? 1 : 0));
    int rc = db->put(db, NULL, &k, &v, DB_NOOVERWRITE);
    *exists = rc == DB_KEYEXIST;
    return rc == DB_KEYEXIST ? 0 : rc;
}

/* The key as stored: lowercased in place unless -f (ASCII only, as
 * map_fold and Postfix's lowercase()). */
static const char *fold_key(build *b)
{
    const char *k = sb_str(&b->key);
    if (b->po->fold)
        map_fold_inplace(b->key.s);
    return k;
}

/* First pass: each logical line into the database. */
static void build_line(void *arg, kvstream *st, const kvsrc_line *l)
{
    build *b = arg;
    diags *d = b->d;
    size_t before = d->n;
    loc key_at;
    if (kv_split_line(b->file, l, &b->key, &b->value, &key_at, NULL, d) && !b->err) {
        const char *k = fold_key(b);
        int exists;
        int e = put(b->db, k, sb_str(&b->value), b->po->nul, &exists);
        if (e != 0) {
            diag_add(d, DIAG_MISSING_TABLE, LOC_NONE, "cannot write %s: %s", b->target,
                     db_strerror(e));
            b->err = e;
        } else if (exists) {
            kvdups_report(&b->dups, k, key_at);
        }
    }
    if (d->n > before)
        kvsrc_keep(st, l);
}

/* -i reads stdin; a pipe is spooled to a temporary file, so that the
 * duplicates' second pass can read it again. */
static FILE *stdin_source(void)
{
    if (fseek(stdin, 0, SEEK_CUR) == 0)
        return stdin;
    FILE *t = tmpfile();
    if (!t)
        return NULL;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
        if (fwrite(buf, 1, n, t) != n)
            break;
    if (ferror(stdin) || ferror(t) || fseek(t, 0, SEEK_SET) != 0) {
        fclose(t);
        return NULL;
    }
    return t;
}

int tables_postmap(const char *spec, const postmap_opts *po, diags *d)
{
    char *type, *name;
    if (tables_split_spec(spec, &type, &name) < 0) {
        diag *g = diag_add(d, DIAG_TABLE_SYNTAX, LOC_NONE,
                           "expecting \"type:name\" instead of \"%s\"", spec);
        diag_hint(g, "name the table as hash:FILE or btree:FILE");
        return -1;
    }
    int rc = -1, btree = strcmp(type, "btree") == 0;
    char *path = NULL, *tmp = NULL;
    FILE *fp = NULL;
    build b = { .po = po, .d = d };
    sb_init(&b.key);
    sb_init(&b.value);
    if (!btree && strcmp(type, "hash") != 0) {
        diag *g = diag_add(d, DIAG_UNKNOWN_MAP_TYPE, LOC_NONE,
                           "mtacc postmap builds hash: and btree: tables, not \"%s:\"", type);
        diag_hint(g, "%s", tables_type_supported(type)
                               ? "this type is read from its source text directly; it needs no postmap"
                               : "use hash: or btree:");
        goto out;
    }
    const char *shown = po->incremental ? "stdin" : name;
    fp = po->incremental ? stdin_source() : fopen(name, "rb");
    if (!fp) {
        diag *g = diag_add(d, DIAG_MISSING_TABLE, LOC_NONE, "cannot open source file %s: %s",
                           shown, strerror(errno));
        diag_hint(g, "%s", po->incremental
                               ? "with -i, give the entries on standard input"
                               : "give the path of the table's source text; postmap writes SOURCE.db");
        goto out;
    }
    long start = ftell(fp);
    b.file = src_add_sparse(d->src, shown);
    kvdups_init(&b.dups, d, b.file, po->fold);
    path = xmalloc(strlen(name) + 4);
    sprintf(path, "%s.db", name);
    b.target = path;
    if (!po->incremental) {
        tmp = xmalloc(strlen(path) + 32);
        sprintf(tmp, "%s.%ld.tmp", path, (long)getpid());
        unlink(tmp);
        b.target = tmp;
    }
    int e = db_create(&b.db, NULL, 0);
    if (e == 0) {
        b.db->set_cachesize(b.db, 0, POSTMAP_DB_CACHE, 0);
        if (!btree)   /* as postmap: its hash files start with room for 4096 */
            b.db->set_h_nelem(b.db, POSTMAP_HASH_NELEM);
        e = b.db->open(b.db, NULL, b.target, NULL, btree ? DB_BTREE : DB_HASH, DB_CREATE, 0644);
    }
    if (e != 0) {
        diag *g = diag_add(d, DIAG_MISSING_TABLE, LOC_NONE, "cannot create %s: %s", b.target,
                           db_strerror(e));
        diag_hint(g, "check that the directory of %s is writable", name);
        goto out;
    }
    if (kvsrc_stream(fp, b.file, d, 0, build_line, &b) != 0 && !b.err) {
        diag_add(d, DIAG_MISSING_TABLE, LOC_NONE, "cannot read %s: %s", shown, strerror(errno));
        b.err = EIO;
    }
    int ce = b.db->close(b.db, 0);
    b.db = NULL;
    kvdups_note_winners(&b.dups, fp, start < 0 ? 0 : start, path);
    if (!b.err && ce != 0) {
        diag_add(d, DIAG_MISSING_TABLE, LOC_NONE, "cannot write %s: %s", b.target, db_strerror(ce));
        b.err = ce;
    }
    if (b.err)
        goto out;
    if (tmp && rename(tmp, path) != 0) {
        diag_add(d, DIAG_MISSING_TABLE, LOC_NONE, "cannot rename %s to %s: %s", tmp, path,
                 strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (b.db)
        b.db->close(b.db, 0);
    if (fp && fp != stdin)
        fclose(fp);
    if (tmp && rc != 0)
        unlink(tmp);
    kvdups_free(&b.dups);
    sb_free(&b.key);
    sb_free(&b.value);
    free(tmp);
    free(path);
    free(type);
    free(name);
    return rc;
}
