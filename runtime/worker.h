/* worker.h: the contract between the mtad master and an SMTP worker.
 *
 * The master loads and validates an image, binds the listeners of its
 * smtpd services and forks one worker per image generation; the worker
 * inherits the mapped image and the listening sockets. On reload the
 * master forks a new worker on the new image, then tells the old one to
 * drain: it stops accepting (the master keeps its own copy of every
 * listening socket, so an unchanged listener is never closed) and exits
 * when its last session ends. */
#ifndef RUNTIME_WORKER_H
#define RUNTIME_WORKER_H
#include "stdlib/image/image.h"
#include <signal.h>
#include <stdint.h>

typedef struct mtad_listener {
    int      fd;                 /* listening socket (inherited) */
    uint32_t service;            /* index into im->services: its -o values apply */
    char     endpoint[96];       /* "127.0.0.1:2525", as logged */
} mtad_listener;

/* Counters a worker keeps in a page the master shares (MAP_SHARED), read
 * by `mtad status`. Each worker owns one slot; plain stores of aligned
 * 64-bit words, read without locks. */
typedef struct mtad_stats {
    uint64_t pid;
    uint64_t generation;         /* image generation it serves */
    uint64_t sessions_now, sessions_total;
    uint64_t messages_accepted, recipients_accepted;
    uint64_t rejects, bytes_received;
    uint64_t draining;           /* 1 once told to drain */
} mtad_stats;

typedef struct worker_args {
    const img           *im;        /* loaded and validated by the master */
    const char          *image_path;
    uint64_t             generation;
    const mtad_listener *ls;
    size_t               nls;
    const char          *queue_dir;
    mtad_stats          *stats;     /* this worker's slot */
} worker_args;

/* Signals the master sends a worker. */
#define WORKER_SIG_DRAIN SIGUSR1    /* stop accepting; exit after the last session */
#define WORKER_SIG_STOP  SIGTERM    /* finish pending commits, 421 to sessions, exit */

/* Serve until told to stop; returns the exit status. */
int smtpd_worker_main(const worker_args *a);

#endif
