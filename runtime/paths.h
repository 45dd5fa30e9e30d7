/* paths.h: where mtad finds its image, its queue and, under the queue,
 * the master's pid file and control socket. The commands (client side)
 * and the master agree through these. */
#ifndef RUNTIME_PATHS_H
#define RUNTIME_PATHS_H
#include "stdlib/util/strbuf.h"

/* The image when -i is not given and $MTAD_IMAGE is unset. */
#define MTAD_DEFAULT_IMAGE "/var/lib/mtad/policy.img"

/* -i IMAGE, else $MTAD_IMAGE, else MTAD_DEFAULT_IMAGE. */
const char *mtad_image_path(const char *opt_image);
/* The queue directory: -q DIR, else the image's queue_directory (the image
 * is opened to read it). Malloc'ed; NULL with a one-line reason in err. */
char *mtad_queue_dir(const char *opt_queue, const char *image, strbuf *err);
/* QUEUE/pid (mode 0755, root's or the invoking user's). */
char *mtad_pid_dir(const char *queue_dir);
/* QUEUE/pid/master.pid: the master's pid, flock'ed while it runs (the name
 * Postfix uses, so a Postfix master on the same queue is seen too). */
char *mtad_pid_path(const char *queue_dir);
/* QUEUE/pid/mtad.ctl: the control socket. */
char *mtad_ctl_path(const char *queue_dir);

#endif
