/* config.c: reads a configuration directory (main.cf, master.cf). */
#include "compiler/config.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
