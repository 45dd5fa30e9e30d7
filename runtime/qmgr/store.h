/* store.h: the durable queue under queue_directory (doc/mta-queue.5).
 *
 * One file per message, named by its queue id, in one of the states
 * incoming, active, deferred, hold, corrupt. A file is a sequence of
 * typed, length-prefixed records (envelope, content, effects) closed by
 * an end record carrying the count and a checksum of what precedes it;
 * a file without a valid end record was never acknowledged.
 *
 * Durability: qs_msg_commit hands the finished file to a committer
 * thread that fsyncs every file of its batch, then each directory that
 * gained an entry, and only then reports the batch done. Sessions that
 * finish while a batch is being synced form the next batch (group
 * commit), so many acceptances share one journal commit of the file
 * system. The event loop learns of done batches through qs_event_fd. */
#ifndef QMGR_STORE_H
#define QMGR_STORE_H
#include "stdlib/util/strbuf.h"
#include <stddef.h>
#include <stdint.h>

typedef struct qstore qstore;
typedef struct qmsg qmsg;

enum qs_state { QS_INCOMING, QS_ACTIVE, QS_DEFERRED, QS_HOLD, QS_CORRUPT, QS_NSTATES };
const char *qs_state_name(enum qs_state st);    /* "incoming", ... ("unknown") */

/* Open (creating the state directories, mode 0700) the queue under dir.
 * NULL with a one-line reason in err. Starts the committer thread. */
qstore *qs_open(const char *dir, strbuf *err);
/* Waits for pending commits, then runs their done callbacks (so call it
 * before freeing what their args point to) and frees the store. A store
 * does not survive fork(): open one in the process that uses it. */
void    qs_close(qstore *q);

/* How a batch reaches the disk. QS_SYNC_FS: one syncfs(2) of the queue's
 * file system per batch (one journal commit and one cache flush for the
 * whole batch); the default where the kernel reports writeback errors
 * through syncfs (Linux 5.8 and later) and every state directory is on
 * one file system. QS_SYNC_FILES: fsync(2) each file, then each directory
 * that gained an entry. */
enum qs_sync { QS_SYNC_FS, QS_SYNC_FILES };
void         qs_set_sync(qstore *q, enum qs_sync mode);
enum qs_sync qs_get_sync(const qstore *q);

/* After a crash, before serving (no other process writing the queue):
 * incoming files without a valid end record are removed (never
 * acknowledged); files whose end record is present but whose checksum or
 * records do not verify move to corrupt. A file its writer had marked
 * complete (qs_file_complete) is never removed: if it does not verify it
 * moves to corrupt, whatever byte was damaged. Counts what it did. */
typedef struct qs_recovery { unsigned removed, corrupt, kept; } qs_recovery;
int qs_recover(qstore *q, qs_recovery *out, strbuf *err);
/* The same, telling report (when not NULL) of every file it removed or
 * moved: action is "removed" or "corrupt", why says what was wrong. For
 * the log: "ID: moved to corrupt: checksum mismatch". */
typedef void (*qs_report_fn)(void *arg, const char *id, enum qs_state st,
                             const char *action, const char *why);
int qs_recover_report(qstore *q, qs_recovery *out, qs_report_fn report,
                      void *arg, strbuf *err);
/* Which files are finished: in incoming/ a file is complete once its
 * writer set the owner-execute bit (mode 0700), just before the fsync
 * that precedes the acknowledgement; a reader of incoming/ (the
 * scheduler, `mtad queue`) skips files without it. Files in the other
 * states are always complete. */
int qs_file_complete(int dirfd, const char *id);

/* Messages per state (a directory scan). */
int qs_count(qstore *q, unsigned counts[QS_NSTATES]);
/* The same without an open store (no thread, nothing created): for
 * `mtad queue`. 0, or -1 with why in err. */
int qs_count_dir(const char *dir, unsigned counts[QS_NSTATES], strbuf *err);
/* The queue ids in dir/STATE, sorted (oldest first: ids grow with time).
 * A missing state directory has none. 0, or -1 with why in err. */
int  qs_list_ids(const char *dir, enum qs_state st, char ***ids, size_t *n,
                 strbuf *err);
void qs_ids_free(char **ids, size_t n);
/* 1 when s looks like a queue id (10 to 12 uppercase hex digits). */
int  qs_id_valid(const char *s);

/* Counters of the committer, for tests and `mtad status`. */
typedef struct qs_stats {
    uint64_t batches;      /* group commits done */
    uint64_t synced;       /* messages made durable */
    uint64_t failed;       /* messages whose commit failed */
} qs_stats;
void qs_get_stats(qstore *q, qs_stats *out);

/* ---- writing one message ------------------------------------------------ */
/* Create incoming/ID; NULL with why in err (disk full, permission): the
 * caller answers 451 4.3.0. */
qmsg       *qs_msg_new(qstore *q, strbuf *err);
const char *qs_msg_id(const qmsg *m);   /* "4F2A1C3B9E" (uppercase hex, 10-12) */

/* Envelope and effect records, in any order, before or after content.
 * Names are short words documented in mta-queue.5: "time", "client_address",
 * "client_name", "reverse_client_name", "helo_name", "protocol",
 * "sasl_method", "sasl_username", "sasl_sender", "dsn_envid", "dsn_ret",
 * "size", "smtputf8", "8bitmime", "hold", "discard", "filter", "redirect",
 * "bcc", "warn", "info". Each returns 0 or -1 (write error: see qs_msg_error). */
int qs_msg_attr(qmsg *m, const char *name, const char *value);
int qs_msg_sender(qmsg *m, const char *sender);                 /* "" for <> */
/* DSN: orcpt as received ("rfc822;u@d") or NULL; notify a bit set of
 * QS_NOTIFY_*. */
enum { QS_NOTIFY_NEVER = 1, QS_NOTIFY_SUCCESS = 2, QS_NOTIFY_FAILURE = 4, QS_NOTIFY_DELAY = 8 };
int qs_msg_rcpt(qmsg *m, const char *rcpt, const char *orcpt, unsigned notify);
/* Content: one line without its end-of-line; more != 0 when the line goes
 * on in the next call (a line longer than line_length_limit). The first
 * call starts the content; headers and body are not told apart here. */
int qs_msg_line(qmsg *m, const char *line, size_t len, int more);
const char *qs_msg_error(const qmsg *m); /* why the last call failed, or NULL */
/* Bytes of content written so far (for message_size_limit): the length
 * qs_file.content will have, one "\n" per finished line. */
uint64_t qs_msg_size(const qmsg *m);

/* Finish: write the end record, move to hold/ when state is QS_HOLD, and
 * queue for the next group commit. done(arg, 0, NULL) runs from
 * qs_dispatch once data and directory entry are on disk, done(arg, -1,
 * why) if anything failed (the file is removed then: answer 451). The
 * message handle is freed either way after done returns. */
typedef void (*qs_done_fn)(void *arg, int status, const char *why);
void qs_msg_commit(qmsg *m, enum qs_state state, qs_done_fn done, void *arg);
/* Drop an unfinished message (rejected, client gone): unlink and free. */
void qs_msg_abort(qmsg *m);

/* The event loop polls this fd for reading and then calls qs_dispatch,
 * which runs the done callbacks of finished batches. */
int  qs_event_fd(const qstore *q);
void qs_dispatch(qstore *q);

/* ---- reading --------------------------------------------------------------- */
/* A queue file decoded (for `mtad queue`, tests and part 2's scheduler). */
typedef struct qs_rcpt { char *addr, *orcpt; unsigned notify; } qs_rcpt;
typedef struct qs_attr { char *name, *value; } qs_attr;
typedef struct qs_file {
    char     *id;
    enum qs_state state;
    char     *sender;
    qs_rcpt  *rcpts;   size_t nrcpts;
    qs_attr  *attrs;   size_t nattrs;
    strbuf    content;   /* every finished line followed by "\n" (a "more"
                            piece joins the next without) */
} qs_file;
/* Read state/ID (or any path). 0, or -1 with why (missing, truncated,
 * bad checksum) in err. id is the file's name, state that of its
 * directory (QS_NSTATES when the directory is not a state's). */
int  qs_read(const char *path, qs_file *out, strbuf *err);
void qs_file_free(qs_file *f);
/* Decode a file's bytes (qs_read uses it; the fuzzer calls it): 0, or
 * -1 when there is no end record (a writer that never finished), -2 when
 * the end record is there but the file does not verify; why in err.
 * id stays NULL and state QS_NSTATES. */
int  qs_decode_mem(const void *buf, size_t len, qs_file *out, strbuf *err);

#endif
