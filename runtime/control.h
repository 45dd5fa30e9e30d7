/* control.h: the master's control socket (QUEUE/pid/mtad.ctl).
 *
 * One request line per connection, one reply, then the master closes:
 *   "status json" | "status text"   -> "ok\n" + the status
 *   "reload" | "reload PATH"        -> "ok generation N digest HEX"
 *   "stop"                          -> "ok stopping", and the connection
 *                                      stays open until the master exits
 * A refusal is one line "error: reason". The master reads the peer's
 * credentials (SO_PEERCRED): only root and the master's own uid may
 * reload or stop; anyone who can reach the socket may ask for status. */
#ifndef RUNTIME_CONTROL_H
#define RUNTIME_CONTROL_H
#include "stdlib/util/strbuf.h"
#include <sys/types.h>

/* ---- master side -------------------------------------------------------- */
/* Bind and listen on path (a stale socket is replaced: the caller holds the
 * pid file lock). The fd, or -1 with the reason in err. */
int ctl_listen(const char *path, strbuf *err);

typedef struct ctl_conn {
    int    fd;
    uid_t  uid;             /* the peer's */
    pid_t  pid;
    strbuf line;            /* the request, without its newline */
} ctl_conn;

/* Accept one connection and read its request (bounded wait). 0, or -1
 * when there was nothing to serve (the caller just goes on). */
int  ctl_accept(int lfd, ctl_conn *c);
/* Write the reply (a newline is added when missing). */
void ctl_send(ctl_conn *c, const char *reply);
/* Close the connection and free the line. */
void ctl_done(ctl_conn *c);

/* ---- command side ---------------------------------------------------------- */
/* Send request to the master of queue_dir and read its reply until the
 * master closes, waiting at most timeout_s. 0, or -1 with a one-line
 * reason in err ("no mtad master is running on /q (...)"). */
int ctl_call(const char *queue_dir, const char *request, int timeout_s, strbuf *reply, strbuf *err);

#endif
