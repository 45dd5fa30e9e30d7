/* listen.h: the listening sockets of an image's smtpd services.
 *
 * Every master.cf service of type inet whose command is smtpd listens
 * ("pass" and unix services do not). Its name says where:
 *   "127.0.0.1:2525", "[::1]:2525", "mail.example.com:smtp"  that host
 *   "2525", "smtp"                     every inet_interfaces address
 * inet_interfaces "all" means the wildcard addresses and "loopback-only"
 * 127.0.0.1 and ::1, each for the families inet_protocols enables. Ports
 * are numbers or /etc/services names.
 *
 * The master keeps one fd per endpoint for its whole life: a reload plans
 * the new image's endpoints, reuses the fd of every endpoint it already
 * had (so an unchanged listener is never closed and no connection is ever
 * refused), binds the new ones, and closes the ones no longer wanted only
 * once the new worker runs. */
#ifndef RUNTIME_LISTEN_H
#define RUNTIME_LISTEN_H
#include "runtime/worker.h"
#include "stdlib/image/image.h"
#include "stdlib/util/strbuf.h"
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

/* listen(2) backlog; Postfix 3.7 has no parameter for it either (the
 * kernel caps it at net.core.somaxconn). */
#define LS_BACKLOG 1024

typedef struct lsock {
    int      fd;                    /* -1 until bound */
    struct sockaddr_storage addr;
    socklen_t alen;
    uint32_t service;               /* index into the image's services */
    char     endpoint[96];          /* "127.0.0.1:2525", "[::1]:2525" */
} lsock;

typedef struct lset {
    lsock *v;
    size_t n, cap;
} lset;

/* The endpoints im's smtpd services want, fds -1. 0, or -1 with a
 * one-line reason in err (bad port, unknown host, two services on one
 * endpoint). */
int  ls_plan(const img *im, lset *want, strbuf *err);
/* Give every endpoint of want a listening fd: the one old has for the same
 * address, else a new socket (SO_REUSEADDR, non-blocking, LS_BACKLOG).
 * On failure the sockets it bound are closed, old is untouched, and -1
 * comes back with the reason ("127.0.0.1:25: cannot bind: Permission
 * denied"). */
int  ls_bind(lset *want, const lset *old, strbuf *err);
/* Close the fds of want that old does not share (undoes ls_bind). */
void ls_unbind_new(lset *want, const lset *old);
/* Close the fds of old that want does not share (after a reload). */
void ls_close_removed(const lset *old, const lset *want);
/* Does s hold fd? */
int  ls_has_fd(const lset *s, int fd);
/* The worker's view: an array of s->n listeners (the caller frees it). */
mtad_listener *ls_worker_view(const lset *s);
/* Free the array; fds are not closed. */
void ls_free(lset *s);

#endif
