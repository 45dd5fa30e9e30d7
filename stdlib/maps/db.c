/* db.c: hash: and btree: through Berkeley DB, reading the NAME.db files
 * that Postfix's postmap (or mtacc postmap) writes. Keys are folded when
 * MAP_FL_FOLD_FIX is set; MAP_FL_TRY1NULL / MAP_FL_TRY0NULL say whether
 * keys are stored with a trailing NUL (postmap's default), without it
 * (postmap -n), or either. As in Postfix, the first form that hits fixes
 * the form for the following lookups. */
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <db.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct map_db {
    map    base;
    DB    *db;
    strbuf kbuf;
} map_db;

static int db_get(map_db *d, const char *key, size_t klen, strbuf *value, strbuf *err,
                  int *status)
{
    DBT k, v;
    memset(&k, 0, sizeof k);
    memset(&v, 0, sizeof v);
    k.data = (void *)key;
    k.size = (u_int32_t)klen;
    int rc = d->db->get(d->db, NULL, &k, &v, 0);
    if (rc == DB_NOTFOUND)
        return 0;
    if (rc != 0) {
        sb_addf(err, "error reading %s:%s: %s", d->base.type, d->base.name, db_strerror(rc));
        *status = MAP_ERR_TEMP;
        return -1;
    }
    size_t n = v.size;
    if (n > 0 && ((char *)v.data)[n - 1] == 0)
        n--;
    sb_addn(value, v.data, n);
    if (!value->s)
        sb_adds(value, "");
    return 1;
}

static map_status db_lookup(map *m, const char *key, strbuf *value, strbuf *err)
{
    map_db *d = (map_db *)m;
    if (m->flags & MAP_FL_FOLD_FIX) {
        map_fold(&d->kbuf, key);
        key = d->kbuf.s;
    }
    size_t len = strlen(key);
    int status = MAP_NOTFOUND, r;
    if (m->flags & MAP_FL_TRY1NULL) {
        if ((r = db_get(d, key, len + 1, value, err, &status)) < 0)
            return status;
        if (r > 0) {
            m->flags &= ~MAP_FL_TRY0NULL;
            return MAP_FOUND;
        }
    }
    if (m->flags & MAP_FL_TRY0NULL) {
        if ((r = db_get(d, key, len, value, err, &status)) < 0)
            return status;
        if (r > 0) {
            m->flags &= ~MAP_FL_TRY1NULL;
            return MAP_FOUND;
        }
    }
    return MAP_NOTFOUND;
}

static void db_free(map *m)
{
    map_db *d = (map_db *)m;
    if (d->db)
        d->db->close(d->db, 0);
    sb_free(&d->kbuf);
    free(d);
}

static const map_ops hash_ops = {
    .type = "hash", .caps = MAP_CAP_FIXED | MAP_CAP_FOLD,
    .lookup = db_lookup, .free = db_free,
};
static const map_ops btree_ops = {
    .type = "btree", .caps = MAP_CAP_FIXED | MAP_CAP_FOLD,
    .lookup = db_lookup, .free = db_free,
};

map *map_db_open(const char *type, const char *name, const char *path, unsigned flags,
                 strbuf *err)
{
    int btree = strcmp(type, "btree") == 0;
    DB *db;
    int rc = db_create(&db, NULL, 0);
    if (rc != 0) {
        sb_addf(err, "cannot create a Berkeley DB handle: %s", db_strerror(rc));
        return NULL;
    }
    rc = db->open(db, NULL, path, NULL, btree ? DB_BTREE : DB_HASH, DB_RDONLY, 0);
    if (rc != 0) {
        sb_addf(err, "open database %s: %s", path,
                rc == EINVAL ? "not a Berkeley DB file of this type (Invalid argument)"
                             : db_strerror(rc));
        db->close(db, 0);
        return NULL;
    }
    if (!(flags & (MAP_FL_TRY0NULL | MAP_FL_TRY1NULL)))
        flags |= MAP_FL_TRY0NULL | MAP_FL_TRY1NULL;
    map_db *d = xcalloc(1, sizeof *d);
    map_base_init(&d->base, btree ? &btree_ops : &hash_ops, type, name, flags);
    d->db = db;
    sb_init(&d->kbuf);
    return &d->base;
}

int map_db_each(map *m, int (*fn)(void *arg, const char *k, size_t klen, const char *v,
                                  size_t vlen),
                void *arg, strbuf *err)
{
    map_db *d = (map_db *)m;
    DBC *cur;
    int rc = d->db->cursor(d->db, NULL, &cur, 0);
    if (rc != 0) {
        sb_addf(err, "cannot read %s: %s", m->name, db_strerror(rc));
        return -1;
    }
    DBT k, v;
    memset(&k, 0, sizeof k);
    memset(&v, 0, sizeof v);
    int stop = 0;
    while (!stop && (rc = cur->get(cur, &k, &v, DB_NEXT)) == 0)
        stop = fn(arg, k.data, k.size, v.data, v.size);
    cur->close(cur);
    if (rc != 0 && rc != DB_NOTFOUND) {
        sb_addf(err, "cannot read %s: %s", m->name, db_strerror(rc));
        return -1;
    }
    return stop;
}
