/* internal.h: what the files of the queue store share (not for callers;
 * they use store.h). The record layout is documented in mta-queue.5. */
#ifndef QMGR_INTERNAL_H
#define QMGR_INTERNAL_H
#include "runtime/qmgr/store.h"
#include <pthread.h>
#include <stdint.h>

/* ---- record codec (queue_file.c) --------------------------------------- */
enum {
    QR_VERSION = 'V',   /* first record: "MTAQ" and the format version byte */
    QR_ATTR    = 'A',   /* "name=value" */
    QR_SENDER  = 'S',   /* the envelope sender, "" for <> */
    QR_RCPT    = 'R',   /* notify byte, address, optionally NUL + orcpt */
    QR_LINE    = 'L',   /* a content line (or its last piece) */
    QR_MORE    = 'M',   /* a piece of a content line that goes on */
    QR_END     = 'E',   /* count, offset, CRC-32C: always the last 18 bytes */
};
#define QR_MAGIC        "MTAQ"
#define QR_FORMAT       1
#define QR_END_PAYLOAD  16                 /* u32 count, u64 offset, u32 crc */
#define QR_END_SIZE     (2 + QR_END_PAYLOAD)
#define QR_MAX_PIECE    (1u << 20)         /* longer line pieces are split */
#define QW_BUF_MAX      (64u * 1024)       /* one write(2) per this much */

/* A queue file being written: records go through a user-space buffer
 * (grown up to QW_BUF_MAX, then written out) while the CRC and the record
 * count follow every byte. After an error every call fails again. */
typedef struct qfw {
    int            fd;
    unsigned char *buf;
    size_t         len, cap;
    uint32_t       crc;          /* CRC-32C of every byte so far */
    uint32_t       nrec;         /* records so far */
    uint64_t       off;          /* bytes so far (written + buffered) */
    int            err;          /* errno of the first failure, or 0 */
} qfw;

void qfw_init(qfw *w, int fd);
/* One record whose payload is the concatenation of up to three parts
 * (NULL/0 for unused ones). 0, or -1 with w->err set. */
int  qfw_record(qfw *w, int type, const void *a, size_t na,
                const void *b, size_t nb, const void *c, size_t nc);
/* Append the end record and write everything out; frees the buffer. */
int  qfw_finish(qfw *w);
void qfw_free(qfw *w);

/* An attribute name: 1 to 32 of [a-z0-9_]. */
int  qr_attr_name_ok(const void *name, size_t n);

/* Decode a whole file held in memory. 0; QS_DEC_TORN when the file has
 * no end record (its writer never finished); QS_DEC_CORRUPT when the end
 * record is there but the checksum, the count or a record is wrong. */
enum { QS_DEC_TORN = -1, QS_DEC_CORRUPT = -2 };
/* Read an open queue file whole and decode it: 0 or a QS_DEC_ verdict
 * (an unreadable file counts as corrupt), why in why. */
int qr_read_fd(int fd, qs_file *out, strbuf *why);

/* ---- queue ids (queue_id.c) --------------------------------------------- */
#define QS_ID_MAX 12
/* Create incoming/ID with O_EXCL under a new id unused in every state;
 * the open fd, or -1 with errno set. id gets QS_ID_MAX+1 bytes. */
int qs_id_create(const int dirfds[QS_NSTATES], char id[QS_ID_MAX + 1]);

/* ---- scanning (scan.c) ------------------------------------------------- */
/* The queue ids in an open directory, sorted. 0, or -1 with errno set. */
int qs_scan_fd(int dirfd, char ***ids, size_t *n);

/* ---- the store (store.c, commit.c) --------------------------------------- */
struct qmsg {
    qstore       *q;
    char          id[QS_ID_MAX + 1];
    enum qs_state dir;           /* where the file is now */
    qfw           w;
    uint64_t      size;          /* content bytes, "\n" per finished line */
    int           have_sender;
    strbuf        why;           /* the first failure, "" when none */
    int           status;        /* for done: 0 or -1 */
    qs_done_fn    done;
    void         *arg;
    qmsg         *next;          /* in the pending or done list */
};

struct qstore {
    char           *dir;
    int             dirfds[QS_NSTATES];
    int             efd;             /* eventfd: a batch is done */
    enum qs_sync    sync;            /* syncfs per batch, or fsync per file */
    pthread_t       thread;
    pthread_mutex_t lock;
    pthread_cond_t  wake;            /* the committer: work or closing */
    qmsg           *pending, **pending_tail;   /* waiting for the next batch */
    qmsg           *done, **done_tail;         /* synced (or failed), not yet told */
    int             closing;
    int             started;         /* the thread, lock and cond exist */
    qs_stats        stats;
};

int  qs_committer_start(qstore *q, strbuf *err);
void qs_committer_stop(qstore *q);    /* waits for the batches, joins */
void qs_committer_free(qstore *q);    /* the lock and cond, after stop */
/* Hand a finished message to the committer (status 0), or a failed one
 * straight to the done list (status -1). Either way the event fd fires. */
void qs_commit_enqueue(qstore *q, qmsg *m);
void qs_done_enqueue(qstore *q, qmsg *m);

#endif
