/* fiber.c: fibers on ucontext stacks and the pool of threads that runs
 * their blocking calls (fiber.h). Stacks are kept for reuse; only
 * decisions in progress hold one, never an idle session. Under
 * AddressSanitizer every switch is announced to it. */
#include "runtime/smtpd/fiber.h"
#include "stdlib/util/alloc.h"
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define FIBER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIBER_ASAN 1
#endif
#endif
#ifdef FIBER_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

#define STACK_SIZE (256 * 1024)
#define STACKS_KEPT 64

typedef struct smtpd_fiber {
    ucontext_t     ctx;
    void          *stack;            /* mmap'ed, a guard page below */
    void         (*fn)(void *), (*done)(void *);
    void          *arg;
    int            finished;
    smtpd_fibers  *owner;
    struct smtpd_fiber *next;        /* in the free list */
} smtpd_fiber;

struct smtpd_fibers {
    ucontext_t      loop;            /* where fibers return to */
    smtpd_fiber    *current;
    smtpd_fiber    *free_list;
    unsigned        nfree, busy;
    /* the pool */
    pthread_t      *th;
    unsigned        nth;
    pthread_mutex_t mu;
    pthread_cond_t  cv;
    offload_job    *todo, **todo_tail, *done;
    int             efd, quit;
#ifdef FIBER_ASAN
    const void     *loop_bottom;
    size_t          loop_size;
#endif
};

static smtpd_fibers *the_fibers;     /* the worker's (one per process) */
static __thread int thread_index = -1;

/* ---- the pool ----------------------------------------------------------- */

typedef struct { smtpd_fibers *f; int index; } thread_arg;

static void *pool_main(void *arg)
{
    thread_arg a = *(thread_arg *)arg;
    free(arg);
    smtpd_fibers *f = a.f;
    thread_index = a.index;
    pthread_mutex_lock(&f->mu);
    for (;;) {
        while (!f->todo && !f->quit)
            pthread_cond_wait(&f->cv, &f->mu);
        if (f->quit)
            break;
        offload_job *j = f->todo;
        f->todo = j->next;
        if (!f->todo)
            f->todo_tail = &f->todo;
        pthread_mutex_unlock(&f->mu);
        j->run(j);
        pthread_mutex_lock(&f->mu);
        j->next = f->done;
        f->done = j;
        uint64_t one = 1;
        ssize_t w = write(f->efd, &one, sizeof one);
        (void)w;
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

int offload_thread_index(void)
{
    return thread_index;
}

smtpd_fibers *fibers_new(unsigned threads)
{
    smtpd_fibers *f = xcalloc(1, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    f->todo_tail = &f->todo;
    f->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (f->efd < 0)
        fatal("eventfd: %s", strerror(errno));
    f->nth = threads;
    f->th = xcalloc(threads, sizeof *f->th);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    for (unsigned i = 0; i < threads; i++) {
        thread_arg *a = xmalloc(sizeof *a);
        a->f = f;
        a->index = (int)i;
        if (pthread_create(&f->th[i], &attr, pool_main, a) != 0)
            fatal("pthread_create: %s", strerror(errno));
    }
    pthread_attr_destroy(&attr);
    the_fibers = f;
    return f;
}

void fibers_free(smtpd_fibers *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    f->quit = 1;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    for (unsigned i = 0; i < f->nth; i++)
        pthread_join(f->th[i], NULL);
    for (smtpd_fiber *s = f->free_list, *n; s; s = n) {
        n = s->next;
        munmap(s->stack, STACK_SIZE);
        free(s);
    }
    close(f->efd);
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    free(f->th);
    if (the_fibers == f)
        the_fibers = NULL;
    free(f);
}

int fibers_fd(const smtpd_fibers *f)
{
    return f->efd;
}

unsigned fibers_busy(const smtpd_fibers *f)
{
    return f->busy;
}

/* ---- switching ------------------------------------------------------------ */

static void switch_to_fiber(smtpd_fibers *f, smtpd_fiber *fb)
{
    f->current = fb;
#ifdef FIBER_ASAN
    void *fake = NULL;
    __sanitizer_start_switch_fiber(&fake, (char *)fb->stack + getpagesize(),
                                   STACK_SIZE - (size_t)getpagesize());
    swapcontext(&f->loop, &fb->ctx);
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#else
    swapcontext(&f->loop, &fb->ctx);
#endif
    f->current = NULL;
}

static void switch_to_loop(smtpd_fibers *f, smtpd_fiber *fb, int last)
{
#ifdef FIBER_ASAN
    void *fake = NULL;
    __sanitizer_start_switch_fiber(last ? NULL : &fake, f->loop_bottom, f->loop_size);
    swapcontext(&fb->ctx, &f->loop);
    __sanitizer_finish_switch_fiber(fake, &f->loop_bottom, &f->loop_size);
#else
    (void)last;
    swapcontext(&fb->ctx, &f->loop);
#endif
}

static void trampoline(unsigned hi, unsigned lo)
{
    smtpd_fiber *fb = (smtpd_fiber *)(((uintptr_t)hi << 32) | (uintptr_t)lo);
    smtpd_fibers *f = fb->owner;
#ifdef FIBER_ASAN
    __sanitizer_finish_switch_fiber(NULL, &f->loop_bottom, &f->loop_size);
#endif
    fb->fn(fb->arg);
    fb->finished = 1;
    switch_to_loop(f, fb, 1);
}

static smtpd_fiber *fiber_get(smtpd_fibers *f)
{
    smtpd_fiber *fb = f->free_list;
    if (fb) {
        f->free_list = fb->next;
        f->nfree--;
        return fb;
    }
    fb = xcalloc(1, sizeof *fb);
    fb->stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                     -1, 0);
    if (fb->stack == MAP_FAILED)
        fatal("fiber stack: %s", strerror(errno));
    mprotect(fb->stack, (size_t)getpagesize(), PROT_NONE);   /* overflow traps */
    fb->owner = f;
    return fb;
}

static void fiber_put(smtpd_fibers *f, smtpd_fiber *fb)
{
    if (f->nfree >= STACKS_KEPT) {
        munmap(fb->stack, STACK_SIZE);
        free(fb);
        return;
    }
    fb->next = f->free_list;
    f->free_list = fb;
    f->nfree++;
}

static __attribute__((noinline)) void prepare(smtpd_fiber *fb)
{
    getcontext(&fb->ctx);
    fb->ctx.uc_stack.ss_sp = (char *)fb->stack + getpagesize();
    fb->ctx.uc_stack.ss_size = STACK_SIZE - (size_t)getpagesize();
    fb->ctx.uc_link = NULL;
    uintptr_t p = (uintptr_t)fb;
    makecontext(&fb->ctx, (void (*)(void))trampoline, 2, (unsigned)(p >> 32),
                (unsigned)(p & 0xffffffffu));
}

int fiber_run(smtpd_fibers *f, void (*fn)(void *), void (*done)(void *), void *arg)
{
    smtpd_fiber *fb = fiber_get(f);
    fb->fn = fn;
    fb->done = done;
    fb->arg = arg;
    fb->finished = 0;
    prepare(fb);
    switch_to_fiber(f, fb);
    if (fb->finished) {
        fiber_put(f, fb);
        return 1;
    }
    f->busy++;
    return 0;
}

void fiber_offload(offload_job *j)
{
    smtpd_fibers *f = the_fibers;
    if (!f || !f->current) {
        j->run(j);           /* not on a fiber: block here */
        return;
    }
    smtpd_fiber *fb = f->current;
    j->fiber = fb;
    pthread_mutex_lock(&f->mu);
    j->next = NULL;
    *f->todo_tail = j;
    f->todo_tail = &j->next;
    pthread_cond_signal(&f->cv);
    pthread_mutex_unlock(&f->mu);
    switch_to_loop(f, fb, 0);       /* back here once j has run */
}

void fibers_dispatch(smtpd_fibers *f)
{
    uint64_t v;
    ssize_t r = read(f->efd, &v, sizeof v);
    (void)r;
    pthread_mutex_lock(&f->mu);
    offload_job *list = f->done;
    f->done = NULL;
    pthread_mutex_unlock(&f->mu);
    while (list) {
        offload_job *j = list;
        list = j->next;
        smtpd_fiber *fb = j->fiber;
        switch_to_fiber(f, fb);     /* j belongs to the fiber: do not touch it after */
        if (fb->finished) {
            f->busy--;
            void (*done)(void *) = fb->done;
            void *arg = fb->arg;
            fiber_put(f, fb);
            if (done)
                done(arg);
        }
    }
}
