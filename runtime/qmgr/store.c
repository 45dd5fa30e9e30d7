/* store.c: the queue store's front: opening the state directories, and
 * writing one message (records through queue_file.c's writer) up to the
 * point where commit.c's thread makes it durable. */
#include "runtime/qmgr/internal.h"
#include "stdlib/util/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

static const char *const state_names[QS_NSTATES] = {
    [QS_INCOMING] = "incoming", [QS_ACTIVE] = "active", [QS_DEFERRED] = "deferred",
    [QS_HOLD] = "hold", [QS_CORRUPT] = "corrupt",
};

const char *qs_state_name(enum qs_state st)
{
    return (unsigned)st < QS_NSTATES ? state_names[st] : "unknown";
}

static int mkdir_0700(int at, const char *path, strbuf *err, const char *shown)
{
    if (mkdirat(at, path, 0700) < 0 && errno != EEXIST) {
        sb_addf(err, "cannot create %s: %s", shown, strerror(errno));
        return -1;
    }
    return 0;
}

static void store_free(qstore *q)
{
    qs_committer_free(q);
    for (int st = 0; st < QS_NSTATES; st++)
        if (q->dirfds[st] >= 0)
            close(q->dirfds[st]);
    if (q->efd >= 0)
        close(q->efd);
    free(q->dir);
    free(q);
}

/* syncfs reports writeback errors from Linux 5.8 on; it covers the
 * state directories when they share one file system. */
static int syncfs_usable(const qstore *q)
{
    struct utsname u;
    unsigned major = 0, minor = 0;
    if (uname(&u) != 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2 ||
        major < 5 || (major == 5 && minor < 8))
        return 0;
    struct stat first, st;
    for (int i = 0; i < QS_NSTATES; i++) {
        if (fstat(q->dirfds[i], i ? &st : &first) != 0)
            return 0;
        if (i && st.st_dev != first.st_dev)
            return 0;
    }
    return 1;
}

void qs_set_sync(qstore *q, enum qs_sync mode)
{
    pthread_mutex_lock(&q->lock);
    q->sync = mode;
    pthread_mutex_unlock(&q->lock);
}

enum qs_sync qs_get_sync(const qstore *q)
{
    return q->sync;
}

qstore *qs_open(const char *dir, strbuf *err)
{
    qstore *q = xcalloc(1, sizeof *q);
    q->dir = xstrdup(dir);
    q->efd = -1;
    for (int st = 0; st < QS_NSTATES; st++)
        q->dirfds[st] = -1;
    if (mkdir_0700(AT_FDCWD, dir, err, dir) < 0) {
        store_free(q);
        return NULL;
    }
    int top = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (top < 0) {
        sb_addf(err, "cannot open %s: %s", dir, strerror(errno));
        store_free(q);
        return NULL;
    }
    for (int st = 0; st < QS_NSTATES; st++) {
        strbuf shown;
        sb_init(&shown);
        sb_addf(&shown, "%s/%s", dir, state_names[st]);
        int bad = mkdir_0700(top, state_names[st], err, sb_str(&shown)) < 0;
        if (!bad && (q->dirfds[st] = openat(top, state_names[st],
                                            O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
            sb_addf(err, "cannot open %s: %s", sb_str(&shown), strerror(errno));
            bad = 1;
        }
        if (bad) {
            sb_free(&shown);
            close(top);
            store_free(q);
            return NULL;
        }
        sb_free(&shown);
    }
    q->sync = syncfs_usable(q) ? QS_SYNC_FS : QS_SYNC_FILES;
    close(top);
    if (qs_committer_start(q, err) < 0) {
        store_free(q);
        return NULL;
    }
    return q;
}

void qs_close(qstore *q)
{
    if (!q)
        return;
    qs_committer_stop(q);
    qs_dispatch(q);
    store_free(q);
}

/* ---- one message ------------------------------------------------------------ */

qmsg *qs_msg_new(qstore *q, strbuf *err)
{
    qmsg *m = xcalloc(1, sizeof *m);
    m->q = q;
    m->dir = QS_INCOMING;
    sb_init(&m->why);
    int fd = qs_id_create(q->dirfds, m->id);
    if (fd < 0) {
        sb_addf(err, "cannot create a queue file in %s/incoming: %s", q->dir, strerror(errno));
        free(m);
        return NULL;
    }
    qfw_init(&m->w, fd);
    static const char version[5] = { 'M', 'T', 'A', 'Q', QR_FORMAT };
    qfw_record(&m->w, QR_VERSION, version, sizeof version, NULL, 0, NULL, 0);
    return m;
}

const char *qs_msg_id(const qmsg *m)
{
    return m->id;
}

const char *qs_msg_error(const qmsg *m)
{
    return m->why.len ? m->why.s : NULL;
}

uint64_t qs_msg_size(const qmsg *m)
{
    return m->size;
}

/* The outcome of a write: a failure is remembered and every later call
 * fails the same way. */
static int wrote(qmsg *m, int rc)
{
    if (rc < 0 && !m->why.len)
        sb_addf(&m->why, "write %s/%s/%s: %s", m->q->dir, qs_state_name(m->dir), m->id,
                strerror(m->w.err ? m->w.err : EIO));
    return m->why.len ? -1 : 0;
}

static int misuse(qmsg *m, const char *what)
{
    if (!m->why.len)
        sb_addf(&m->why, "%s", what);
    return -1;
}

int qs_msg_attr(qmsg *m, const char *name, const char *value)
{
    if (m->why.len)
        return -1;
    if (!qr_attr_name_ok(name, strlen(name)))
        return misuse(m, "bad queue attribute name");
    return wrote(m, qfw_record(&m->w, QR_ATTR, name, strlen(name), "=", 1, value, strlen(value)));
}

int qs_msg_sender(qmsg *m, const char *sender)
{
    if (m->why.len)
        return -1;
    if (m->have_sender)
        return misuse(m, "the sender was given twice");
    m->have_sender = 1;
    return wrote(m, qfw_record(&m->w, QR_SENDER, sender, strlen(sender), NULL, 0, NULL, 0));
}

int qs_msg_rcpt(qmsg *m, const char *rcpt, const char *orcpt, unsigned notify)
{
    if (m->why.len)
        return -1;
    if (notify > 15)
        return misuse(m, "bad recipient notify bits");
    unsigned char nb = (unsigned char)notify;
    size_t no = orcpt ? strlen(orcpt) + 1 : 0;   /* with the NUL before it */
    char *tail = NULL;
    if (orcpt) {
        tail = xmalloc(no);
        tail[0] = 0;
        memcpy(tail + 1, orcpt, no - 1);
    }
    int rc = qfw_record(&m->w, QR_RCPT, &nb, 1, rcpt, strlen(rcpt), tail, no);
    free(tail);
    return wrote(m, rc);
}

int qs_msg_line(qmsg *m, const char *line, size_t len, int more)
{
    if (m->why.len)
        return -1;
    do {   /* an over-long piece goes as several "more" records */
        size_t n = len > QR_MAX_PIECE ? QR_MAX_PIECE : len;
        int type = n < len || more ? QR_MORE : QR_LINE;
        if (wrote(m, qfw_record(&m->w, type, line, n, NULL, 0, NULL, 0)) < 0)
            return -1;
        line += n, len -= n;
        m->size += n + (type == QR_LINE);
    } while (len);
    return 0;
}

static void msg_unlink(qmsg *m)
{
    unlinkat(m->q->dirfds[m->dir], m->id, 0);
}

void qs_msg_abort(qmsg *m)
{
    if (!m)
        return;
    qfw_free(&m->w);
    close(m->w.fd);
    msg_unlink(m);
    sb_free(&m->why);
    free(m);
}

void qs_msg_commit(qmsg *m, enum qs_state state, qs_done_fn done, void *arg)
{
    m->done = done;
    m->arg = arg;
    if (state != QS_INCOMING && state != QS_HOLD)
        misuse(m, "a message is committed into incoming or hold only");
    else if (!m->have_sender)
        misuse(m, "no sender");
    if (!m->why.len)
        wrote(m, qfw_finish(&m->w));
    /* the mark that the file is complete (qs_file_complete) */
    if (!m->why.len && fchmod(m->w.fd, 0700) < 0)
        sb_addf(&m->why, "chmod %s/incoming/%s: %s", m->q->dir, m->id, strerror(errno));
    if (!m->why.len && state == QS_HOLD) {
        if (renameat2(m->q->dirfds[QS_INCOMING], m->id, m->q->dirfds[QS_HOLD], m->id,
                      RENAME_NOREPLACE) < 0)
            sb_addf(&m->why, "rename %s/incoming/%s to hold: %s", m->q->dir, m->id, strerror(errno));
        else
            m->dir = QS_HOLD;
    }
    if (m->why.len) {
        qfw_free(&m->w);
        close(m->w.fd);
        m->w.fd = -1;
        msg_unlink(m);
        m->status = -1;
        qs_done_enqueue(m->q, m);
    } else {
        qs_commit_enqueue(m->q, m);
    }
}
