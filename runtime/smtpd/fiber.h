/* fiber.h: a session's decision that may wait on the network runs on a
 * fiber (its own small stack), so the event loop never waits for it.
 * When the decision needs a DNS answer or a policy server, the blocking
 * call is handed to a pool thread (offload) and the fiber yields; the
 * loop resumes it when the answer is in. The policy engine itself stays
 * single-threaded: only the blocking calls run elsewhere. */
#ifndef SMTPD_FIBER_H
#define SMTPD_FIBER_H
#include <stddef.h>

/* A blocking call to run on a pool thread: run() there, then the fiber
 * that asked goes on. */
typedef struct offload_job {
    void (*run)(struct offload_job *j);   /* on a pool thread */
    struct offload_job *next;
    struct smtpd_fiber *fiber;            /* who waits */
} offload_job;

typedef struct smtpd_fibers smtpd_fibers;

/* The fibers and the pool of one worker; poll fd() and call dispatch(). */
smtpd_fibers *fibers_new(unsigned threads);
void          fibers_free(smtpd_fibers *f);
int           fibers_fd(const smtpd_fibers *f);
void          fibers_dispatch(smtpd_fibers *f);
unsigned      fibers_busy(const smtpd_fibers *f);   /* suspended fibers */

/* Run fn(arg) on a fiber. 1: it finished; 0: it is waiting, and
 * done(arg) runs (from fibers_dispatch) when it has finished. */
int fiber_run(smtpd_fibers *f, void (*fn)(void *), void (*done)(void *), void *arg);
/* Inside a fiber: run j->run on a pool thread and wait for it. Outside
 * one: run it here (blocking). */
void fiber_offload(offload_job *j);
/* The pool thread's index (0..threads-1), for per-thread state; -1 on
 * the loop's thread. */
int  offload_thread_index(void);

#endif
