/* dbwrite.c: `postmap TYPE:FILE` for hash: and btree:: build FILE.db from
 * the source FILE with Berkeley DB, as Postfix's postmap does: keys
 * lowercased unless told otherwise, keys and values stored with a trailing
 * NUL (postmap's default) or without (-n), the first of duplicate keys
 * kept with a duplicate-key warning. The database is written to a
 * temporary file and renamed into place, so readers never see half of it
 * (except with -i, which adds to the existing database in place). */
#include "compiler/tables/postmap.h"
#include "compiler/tables/kvsrc.h"
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <db.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static void fold_key(strbuf *out, const char *key, int fold)
{
    if (fold) {
        map_fold(out, key);
    } else {
        sb_clear(out);
        sb_adds(out, key);
    }
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
    DB *db = NULL;
    if (!btree && strcmp(type, "hash") != 0) {
        diag *g = diag_add(d, DIAG_UNKNOWN_MAP_TYPE, LOC_NONE,
                           "mtacc postmap builds hash: and btree: tables, not \"%s:\"", type);
        diag_hint(g, "%s", tables_type_supported(type)
                               ? "this type is read from its source text directly; it needs no postmap"
                               : "use hash: or btree:");
        goto out;
    }
    int file = src_read(d->src, name, name);
    if (file < 0) {
        diag *g = diag_add(d, DIAG_MISSING_TABLE, LOC_NONE, "cannot open source file %s: %s",
                           name, strerror(errno));
        diag_hint(g, "give the path of the table's source text; postmap writes SOURCE.db");
        goto out;
    }
    path = xmalloc(strlen(name) + 4);
    sprintf(path, "%s.db", name);
    const char *target = path;
    if (!po->incremental) {
        tmp = xmalloc(strlen(path) + 16);
        sprintf(tmp, "%s.%ld.tmp", path, (long)getpid());
        unlink(tmp);
        target = tmp;
    }
    int e = db_create(&db, NULL, 0);
    if (e == 0) {
        db->set_cachesize(db, 0, 16 * 1024 * 1024, 0);
        e = db->open(db, NULL, target, NULL, btree ? DB_BTREE : DB_HASH, DB_CREATE, 0644);
    }
    if (e != 0) {
        diag *g = diag_add(d, DIAG_MISSING_TABLE, LOC_NONE, "cannot create %s: %s", target,
                           db_strerror(e));
        diag_hint(g, "check that the directory of %s is writable", name);
        goto out;
    }
    kvsrc s;
    kvsrc_parse(&s, file, d);
    kv_list l = { 0 };
    kv_split(&l, &s, d);
    kvsrc_free(&s);   /* the entries keep what they need */
    strbuf k, k2;
    sb_init(&k);
    sb_init(&k2);
    e = 0;
    for (size_t i = 0; i < l.n && e == 0; i++) {
        const kv_entry *en = &l.v[i];
        fold_key(&k, en->key, po->fold);
        int exists;
        e = put(db, sb_str(&k), en->value, po->nul, &exists);
        if (e != 0) {
            diag_add(d, DIAG_MISSING_TABLE, LOC_NONE, "cannot write %s: %s", target, db_strerror(e));
            break;
        }
        if (exists) {
            diag *g = diag_add(d, DIAG_DUPLICATE_KEY, en->key_at,
                               "duplicate entry \"%s\": the first one wins, Postfix ignores this one",
                               sb_str(&k));
            /* duplicates are rare: find the first entry by a scan */
            size_t first = i;
            for (size_t j = 0; j < i; j++) {
                fold_key(&k2, l.v[j].key, po->fold);
                if (strcmp(sb_str(&k2), sb_str(&k)) == 0) {
                    first = j;
                    break;
                }
            }
            if (first < i)
                diag_note_add(g, l.v[first].key_at, "the entry that wins");
            else
                diag_note_add(g, LOC_NONE, "the entry that wins was already in %s", path);
            diag_hint(g, "remove one of the two entries%s",
                      po->fold ? " (keys are compared without regard to case)" : "");
        }
    }
    sb_free(&k);
    sb_free(&k2);
    kv_list_free(&l);
    int ce = db->close(db, 0);
    db = NULL;
    if (e == 0 && ce != 0) {
        diag_add(d, DIAG_MISSING_TABLE, LOC_NONE, "cannot write %s: %s", target, db_strerror(ce));
        e = ce;
    }
    if (e != 0)
        goto out;
    if (tmp && rename(tmp, path) != 0) {
        diag_add(d, DIAG_MISSING_TABLE, LOC_NONE, "cannot rename %s to %s: %s", tmp, path,
                 strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (db)
        db->close(db, 0);
    if (tmp && rc != 0)
        unlink(tmp);
    free(tmp);
    free(path);
    free(type);
    free(name);
    return rc;
}
