/* config.c: reads a configuration directory (main.cf, master.cf). */
#include "compiler/config.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *config_path(const config *c, const char *name)
{
    if (strcmp(c->dir, ".") == 0)
        return xstrdup(name);
    strbuf b;
    sb_init(&b);
    sb_adds(&b, c->dir);
    if (b.len && b.s[b.len - 1] != '/')
        sb_addc(&b, '/');
    sb_adds(&b, name);
    return sb_take(&b);
}

static int load_file(config *c, const char *given, const char *name, int required)
{
    char *path = given ? xstrdup(given) : config_path(c, name);
    int id = src_read(&c->src, path, path);
    if (id < 0 && (required || errno != ENOENT))
        fatal("cannot read %s: %s", path, strerror(errno));
    free(path);
    return id;
}

void config_load(config *c, const config_opts *o)
{
    memset(c, 0, sizeof *c);
    c->dir = xstrdup(o->dir ? o->dir : ".");
    c->for_image = o->for_image;
    c->attacker = o->attacker;
    c->target_version = o->target_version;
    srcset_init(&c->src);
    diags_init(&c->d, &c->src);
    int mf = load_file(c, o->main_path, "main.cf", 1);
    maincf_parse(&c->main, mf, &c->d);
    c->master_file = load_file(c, o->master_path, "master.cf", o->master_path != NULL);
    mastercf_parse(&c->master, c->master_file, &c->d);
}

void config_free(config *c)
{
    maincf_free(&c->main);
    mastercf_free(&c->master);
    diags_free(&c->d);
    srcset_free(&c->src);
    free(c->dir);
}

/* Types whose name is a file this project reads. */
static int file_type(const char *type)
{
    static const char *const t[] = { "hash", "btree", "texthash", "cidr", "regexp", "pcre" };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (strcmp(t[i], type) == 0)
            return 1;
    return 0;
}

char *config_table_file(const config *c, const char *type, const char *path, int *external)
{
    *external = 0;
    if (!file_type(type) || path[0] == '{')
        return NULL;
    if (path[0] != '/')
        return config_path(c, path);
    if (strncmp(path, "/etc/postfix/", 13) == 0) {
        char *local = config_path(c, path + 13);
        char *db = xmalloc(strlen(local) + 4);
        sprintf(db, "%s.db", local);
        int here = access(local, F_OK) == 0 || access(db, F_OK) == 0;
        free(db);
        if (here)
            return local;
        free(local);
        return xstrdup(path);   /* meant to be in DIR, missing from both */
    }
    size_t dl = strlen(c->dir);
    *external = !(c->dir[0] == '/' && strncmp(path, c->dir, dl) == 0 && path[dl] == '/');
    return xstrdup(path);
}

int config_require_main(const char *dir, const char *cmd)
{
    char *p = xmalloc(strlen(dir) + 10);
    sprintf(p, "%s/main.cf", dir);
    FILE *fp = fopen(p, "r");
    if (!fp)
        fprintf(stderr, "mtacc %s: cannot open %s\n", cmd, p);
    else
        fclose(fp);
    free(p);
    return fp != NULL;
}
