/* scan.c: what is in the queue: the ids in a state directory (sorted,
 * which is arrival order), counts per state, and whether a file is
 * complete. Names that are not queue ids are passed over. */
#include "runtime/qmgr/internal.h"
#include "stdlib/util/alloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int qs_scan_fd(int dirfd, char ***ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    int fd = dup(dirfd);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    rewinddir(d);
    size_t cap = 0;
    struct dirent *e;
    while ((errno = 0, e = readdir(d))) {
        if (!qs_id_valid(e->d_name))
            continue;
        xgrow(ids, &cap, *n + 1, sizeof **ids);
        (*ids)[(*n)++] = xstrdup(e->d_name);
    }
    int e_read = errno;
    closedir(d);
    if (e_read) {
        qs_ids_free(*ids, *n);
        *ids = NULL, *n = 0;
        errno = e_read;
        return -1;
    }
    if (*n)
        qsort(*ids, *n, sizeof **ids, cmp_str);
    return 0;
}

void qs_ids_free(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

int qs_list_ids(const char *dir, enum qs_state st, char ***ids, size_t *n, strbuf *err)
{
    *ids = NULL;
    *n = 0;
    strbuf path;
    sb_init(&path);
    sb_addf(&path, "%s/%s", dir, qs_state_name(st));
    int fd = open(sb_str(&path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0 && errno != ENOENT)
        rc = -1;
    else if (fd >= 0 && qs_scan_fd(fd, ids, n) < 0)
        rc = -1;
    if (rc < 0)
        sb_addf(err, "cannot read %s: %s", sb_str(&path), strerror(errno));
    if (fd >= 0)
        close(fd);
    sb_free(&path);
    return rc;
}

int qs_count_dir(const char *dir, unsigned counts[QS_NSTATES], strbuf *err)
{
    struct stat sb;
    const char *why = stat(dir, &sb) < 0 ? strerror(errno)
                      : !S_ISDIR(sb.st_mode) ? "not a directory" : NULL;
    if (why) {
        sb_addf(err, "cannot open queue directory %s: %s", dir, why);
        return -1;
    }
    for (int st = 0; st < QS_NSTATES; st++) {
        char **ids;
        size_t n;
        if (qs_list_ids(dir, st, &ids, &n, err) < 0)
            return -1;
        counts[st] = (unsigned)n;
        qs_ids_free(ids, n);
    }
    return 0;
}

int qs_count(qstore *q, unsigned counts[QS_NSTATES])
{
    for (int st = 0; st < QS_NSTATES; st++) {
        char **ids;
        size_t n;
        if (qs_scan_fd(q->dirfds[st], &ids, &n) < 0)
            return -1;
        counts[st] = (unsigned)n;
        qs_ids_free(ids, n);
    }
    return 0;
}

int qs_file_complete(int dirfd, const char *id)
{
    struct stat sb;
    return fstatat(dirfd, id, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode)
           && (sb.st_mode & S_IXUSR);
}
