/* master.h: the mtad master process: loads the image, binds the smtpd
 * listeners, forks and supervises one SMTP worker per image generation,
 * serves the control socket (reload, status, stop). */
#ifndef RUNTIME_MASTER_H
#define RUNTIME_MASTER_H

typedef struct master_opts {
    const char *image;          /* -i (NULL: $MTAD_IMAGE or the default) */
    const char *queue_dir;      /* -q (NULL: the image's queue_directory) */
    int         foreground;     /* -f: no daemon, log to stderr */
} master_opts;

/* `mtad start`. In the background it returns (with 0) only once the
 * master listens, or prints why it could not start and returns 1. In the
 * foreground it returns when the master stops. */
int master_start(const master_opts *o);

#endif
