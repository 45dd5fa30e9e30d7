/* unix.c: unix:passwd.byname and unix:group.byname, the host's user and
 * group databases (getpwnam, getgrnam), answering with the entry as a
 * passwd(5) / group(5) line, as Postfix's dict_unix does. The table is
 * the host's: it is asked where the lookup runs (mtad's host; offline,
 * the host running mtacc). */
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

typedef struct unix_map {
    map base;
    int group;     /* 0: passwd.byname, 1: group.byname */
} unix_map;

static map_status unix_lookup(map *m, const char *key, strbuf *value, strbuf *err)
{
    (void)err;
    unix_map *u = (unix_map *)m;
    if (!u->group) {
        struct passwd *pw = getpwnam(key);
        if (!pw)
            return MAP_NOTFOUND;
        sb_addf(value, "%s:%s:%ld:%ld:%s:%s:%s", pw->pw_name, pw->pw_passwd, (long)pw->pw_uid,
                (long)pw->pw_gid, pw->pw_gecos, pw->pw_dir, pw->pw_shell);
        return MAP_FOUND;
    }
    struct group *gr = getgrnam(key);
    if (!gr)
        return MAP_NOTFOUND;
    sb_addf(value, "%s:%s:%ld:", gr->gr_name, gr->gr_passwd, (long)gr->gr_gid);
    for (char **mem = gr->gr_mem; *mem; mem++)
        sb_addf(value, "%s%s", mem == gr->gr_mem ? "" : ",", *mem);
    return MAP_FOUND;
}

static void unix_free(map *m)
{
    free(m);
}

static const map_ops unix_ops = {
    .type = "unix", .caps = MAP_CAP_FIXED,
    .lookup = unix_lookup, .free = unix_free,
};

int map_unix_name_ok(const char *name)
{
    return strcmp(name, "passwd.byname") == 0 || strcmp(name, "group.byname") == 0;
}

map *map_unix_new(const char *name)
{
    if (!map_unix_name_ok(name))
        return NULL;
    unix_map *u = xcalloc(1, sizeof *u);
    map_base_init(&u->base, &unix_ops, "unix", name, 0);
    u->group = strcmp(name, "group.byname") == 0;
    return &u->base;
}
