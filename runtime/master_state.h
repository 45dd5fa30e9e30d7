/* master_state.h: the running master, shared by master.c (life cycle,
 * reload, supervision) and status.c (what `mtad status` shows). */
#ifndef RUNTIME_MASTER_STATE_H
#define RUNTIME_MASTER_STATE_H
#include "runtime/listen.h"
#include "runtime/priv.h"
#include "runtime/worker.h"
#include "stdlib/image/image.h"
#include <sys/types.h>
#include <time.h>

/* Slots of the shared stats page: the current worker and the draining
 * ones; a reload is refused when none is free. */
#define MTAD_STAT_SLOTS 256

typedef struct mworker {
    pid_t     pid;
    uint64_t  generation;
    int       slot;             /* its mtad_stats in the shared page */
    int       draining;         /* told WORKER_SIG_DRAIN */
    long long started_ms;       /* monotonic */
} mworker;

typedef struct master {
    /* the image serving new sessions */
    img        im;
    char      *image_path;      /* absolute */
    uint64_t   generation;      /* 1 at start, +1 per accepted reload */
    char       digest[65];
    time_t     loaded;          /* wall clock of the last accepted (re)load */
    lset       ls;              /* its listeners: the master's own fds */
    /* where */
    char      *queue_dir;       /* absolute */
    int        queue_from_opt;  /* -q given: the image's queue_directory is not used */
    char      *ctl_path, *pid_path;
    int        ctl_fd, lock_fd, sig_fd[2], ready_fd;
    int        conn_fd;         /* the control connection being served */
    int        foreground;
    mtad_priv  priv;
    const char *log_name;       /* syslog_name when set in main.cf, else "mtad" */
    /* the workers */
    mtad_stats *stats;          /* MTAD_STAT_SLOTS, MAP_SHARED */
    unsigned char slot_used[MTAD_STAT_SLOTS];
    mworker   *w;
    size_t     nw, wcap;
    long long  restart_at;      /* monotonic ms of a pending restart, 0: none */
    long long  backoff_ms;
    /* life */
    time_t     started;
    int        stopping;
    int        killed;          /* SIGKILL sent after the stop deadline */
    long long  stop_deadline;
    int       *stop_fds;        /* `mtad stop` connections, closed at exit */
    size_t     nstop, stop_cap;
} master;

/* The status as JSON (json != 0) or text, appended to out. */
void status_render(master *m, int json, strbuf *out);

#endif
