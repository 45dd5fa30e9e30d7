/* pidfile.h: QUEUE/pid/master.pid, flock'ed by the running master so that
 * two masters never share a queue. The lock lives as long as the master's
 * fd (workers close their copy), so a master killed with -9 leaves no
 * stale lock behind. */
#ifndef RUNTIME_PIDFILE_H
#define RUNTIME_PIDFILE_H
#include "stdlib/util/strbuf.h"
#include <sys/types.h>

/* Open and lock path (created 0644). The fd, or -1: another process holds
 * it (err: "a master (pid 42) is already running on QUEUE") or the file
 * cannot be opened. */
int  pidfile_lock(const char *path, const char *queue_dir, strbuf *err);
/* Write pid into the locked file (Postfix's format: "%10d\n"). */
void pidfile_write(int fd, pid_t pid);
/* Does a live process hold the lock of path? */
int  pidfile_held(const char *path);

#endif
