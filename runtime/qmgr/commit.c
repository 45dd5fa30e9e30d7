/* commit.c: group commit. One thread per store takes every message
 * committed since its last round as one batch and makes it durable with
 * one syncfs of the queue's file system (or, QS_SYNC_FILES, starts their
 * writeback together, fsyncs each file and then, once, each directory
 * that gained an entry); the event loop learns through an eventfd that the batch is
 * done and runs the callbacks in qs_dispatch. Messages committed while a
 * batch syncs form the next one, so under load one journal commit of the
 * file system serves many acceptances. No callback runs on this thread. */
#include "runtime/qmgr/internal.h"
#include "stdlib/util/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void fail(qmsg *m, const char *what, int e)
{
    if (m->status == 0)
        sb_addf(&m->why, "%s %s/%s/%s: %s", what, m->q->dir, qs_state_name(m->dir), m->id,
                strerror(e));
    m->status = -1;
}

/* One syncfs for the batch: every file's data and directory entry, and
 * every other change on the file system, reach the disk in one journal
 * commit; a writeback error anywhere fails the whole batch (its clients
 * get 451 and retry; nothing acknowledged is lost). */
static int sync_fs(qstore *q, qmsg *batch)
{
    if (syncfs(q->dirfds[QS_INCOMING]) == 0)
        return 0;
    int e = errno;
    for (qmsg *m = batch; m; m = m->next)
        fail(m, "syncfs for", e);
    return -1;
}

static void sync_batch(qstore *q, qmsg *batch, enum qs_sync mode)
{
    unsigned dirs = 0;
    if (mode == QS_SYNC_FS) {
        sync_fs(q, batch);
        goto close_files;
    }
    /* Writeback of every file first, so that their blocks are allocated
     * in the same journal transaction and the first fsync commits it for
     * all: the later ones find their data on its way and little to do. */
    for (qmsg *m = batch; m; m = m->next)
        sync_file_range(m->w.fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    for (qmsg *m = batch; m; m = m->next) {
        if (fsync(m->w.fd) < 0)
            fail(m, "fsync", errno);
        dirs |= 1u << m->dir;
    }
    for (int st = 0; st < QS_NSTATES; st++) {
        if (!(dirs & (1u << st)) || fsync(q->dirfds[st]) == 0)
            continue;
        int e = errno;
        for (qmsg *m = batch; m; m = m->next)
            if (m->dir == (enum qs_state)st)
                fail(m, "fsync the directory of", e);
    }
close_files:
    for (qmsg *m = batch; m; m = m->next) {
        close(m->w.fd);
        m->w.fd = -1;
        if (m->status < 0)
            unlinkat(q->dirfds[m->dir], m->id, 0);
    }
}

static void signal_loop(qstore *q)
{
    uint64_t one = 1;
    while (write(q->efd, &one, sizeof one) < 0 && errno == EINTR)
        ;
}

/* Append a list to the done list; the caller holds the lock. */
static void done_append(qstore *q, qmsg *list)
{
    for (qmsg *m = list; m; m = m->next) {
        if (m->status == 0)
            q->stats.synced++;
        else
            q->stats.failed++;
    }
    *q->done_tail = list;
    while (*q->done_tail)
        q->done_tail = &(*q->done_tail)->next;
}

static void *committer(void *arg)
{
    qstore *q = arg;
    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (!q->pending && !q->closing)
            pthread_cond_wait(&q->wake, &q->lock);
        if (!q->pending)
            break;
        qmsg *batch = q->pending;
        enum qs_sync mode = q->sync;
        q->pending = NULL;
        q->pending_tail = &q->pending;
        pthread_mutex_unlock(&q->lock);
        sync_batch(q, batch, mode);
        pthread_mutex_lock(&q->lock);
        done_append(q, batch);
        q->stats.batches++;
        signal_loop(q);
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

int qs_committer_start(qstore *q, strbuf *err)
{
    q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (q->efd < 0) {
        sb_addf(err, "eventfd: %s", strerror(errno));
        return -1;
    }
    q->pending_tail = &q->pending;
    q->done_tail = &q->done;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->wake, NULL);
    int e = pthread_create(&q->thread, NULL, committer, q);
    if (e) {
        sb_addf(err, "cannot start the queue committer: %s", strerror(e));
        pthread_cond_destroy(&q->wake);
        pthread_mutex_destroy(&q->lock);
        return -1;
    }
    q->started = 1;
    return 0;
}

void qs_committer_stop(qstore *q)
{
    pthread_mutex_lock(&q->lock);
    q->closing = 1;
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
    pthread_join(q->thread, NULL);
}

void qs_committer_free(qstore *q)
{
    if (!q->started)
        return;
    pthread_cond_destroy(&q->wake);
    pthread_mutex_destroy(&q->lock);
    q->started = 0;
}

void qs_commit_enqueue(qstore *q, qmsg *m)
{
    m->next = NULL;
    pthread_mutex_lock(&q->lock);
    *q->pending_tail = m;
    q->pending_tail = &m->next;
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
}

void qs_done_enqueue(qstore *q, qmsg *m)
{
    m->next = NULL;
    pthread_mutex_lock(&q->lock);
    done_append(q, m);
    signal_loop(q);
    pthread_mutex_unlock(&q->lock);
}

int qs_event_fd(const qstore *q)
{
    return q->efd;
}

void qs_dispatch(qstore *q)
{
    uint64_t n;
    while (read(q->efd, &n, sizeof n) < 0 && errno == EINTR)
        ;
    pthread_mutex_lock(&q->lock);
    qmsg *list = q->done;
    q->done = NULL;
    q->done_tail = &q->done;
    pthread_mutex_unlock(&q->lock);
    while (list) {
        qmsg *m = list;
        list = m->next;
        if (m->done)
            m->done(m->arg, m->status, m->status ? sb_str(&m->why) : NULL);
        sb_free(&m->why);
        free(m);
    }
}

void qs_get_stats(qstore *q, qs_stats *out)
{
    pthread_mutex_lock(&q->lock);
    *out = q->stats;
    pthread_mutex_unlock(&q->lock);
}
