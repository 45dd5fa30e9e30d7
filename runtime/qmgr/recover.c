/* recover.c: the queue after a crash, before anything serves it. A file
 * in incoming/ that its writer never marked complete was never
 * acknowledged: it goes. A marked file, or any file in active/, deferred/
 * or hold/, that does not decode (no end record, checksum, count or a
 * record wrong) was, or may have been, acknowledged: it moves to corrupt/
 * for a person to look at, never deleted. */
#include "runtime/qmgr/internal.h"
#include "stdlib/util/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Decode dir/id; 0, or the decoder's verdict with why. */
static int check_file(int dirfd, const char *id, strbuf *why)
{
    int fd = openat(dirfd, id, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        sb_addf(why, "cannot open: %s", strerror(errno));
        return QS_DEC_CORRUPT;
    }
    qs_file f;
    int rc = qr_read_fd(fd, &f, why);
    close(fd);
    if (rc == 0)
        qs_file_free(&f);
    return rc;
}

/* Into corrupt/ under its own name, or ID.N when that is taken. */
static int move_corrupt(qstore *q, enum qs_state st, const char *id)
{
    if (renameat2(q->dirfds[st], id, q->dirfds[QS_CORRUPT], id, RENAME_NOREPLACE) == 0)
        return 0;
    for (unsigned i = 1; errno == EEXIST && i < 1000; i++) {
        char name[QS_ID_MAX + 8];
        snprintf(name, sizeof name, "%s.%u", id, i);
        if (renameat2(q->dirfds[st], id, q->dirfds[QS_CORRUPT], name, RENAME_NOREPLACE) == 0)
            return 0;
    }
    return -1;
}

int qs_recover_report(qstore *q, qs_recovery *out, qs_report_fn report, void *arg,
                      strbuf *err)
{
    memset(out, 0, sizeof *out);
    static const enum qs_state scanned[] = { QS_INCOMING, QS_ACTIVE, QS_DEFERRED, QS_HOLD };
    unsigned changed = 0;
    for (size_t s = 0; s < sizeof scanned / sizeof *scanned; s++) {
        enum qs_state st = scanned[s];
        int dirfd = q->dirfds[st];
        char **ids;
        size_t n;
        if (qs_scan_fd(dirfd, &ids, &n) < 0) {
            sb_addf(err, "cannot read %s/%s: %s", q->dir, qs_state_name(st), strerror(errno));
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            struct stat sb;
            if (fstatat(dirfd, ids[i], &sb, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(sb.st_mode))
                continue;
            strbuf why;
            sb_init(&why);
            if (st == QS_INCOMING && !(sb.st_mode & S_IXUSR)) {
                if (unlinkat(dirfd, ids[i], 0) < 0 && errno != ENOENT) {
                    sb_addf(err, "cannot remove %s/incoming/%s: %s", q->dir, ids[i], strerror(errno));
                    sb_free(&why);
                    qs_ids_free(ids, n);
                    return -1;
                }
                out->removed++;
                changed |= 1u << st;
                if (report)
                    report(arg, ids[i], st, "removed", "never acknowledged");
            } else if (check_file(dirfd, ids[i], &why) != 0) {
                if (move_corrupt(q, st, ids[i]) < 0) {
                    sb_addf(err, "cannot move %s/%s/%s to corrupt: %s", q->dir,
                            qs_state_name(st), ids[i], strerror(errno));
                    sb_free(&why);
                    qs_ids_free(ids, n);
                    return -1;
                }
                out->corrupt++;
                changed |= 1u << st | 1u << QS_CORRUPT;
                if (report)
                    report(arg, ids[i], st, "corrupt", sb_str(&why));
            } else {
                out->kept++;
            }
            sb_free(&why);
        }
        qs_ids_free(ids, n);
    }
    for (int st = 0; st < QS_NSTATES; st++)
        if ((changed & (1u << st)) && fsync(q->dirfds[st]) < 0) {
            sb_addf(err, "fsync %s/%s: %s", q->dir, qs_state_name(st), strerror(errno));
            return -1;
        }
    return 0;
}

int qs_recover(qstore *q, qs_recovery *out, strbuf *err)
{
    return qs_recover_report(q, out, NULL, NULL, err);
}
