/* control.c: the control socket, both ends (see control.h). */
#include "runtime/control.h"
#include "runtime/paths.h"
#include "stdlib/util/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define CTL_MAX_REQUEST 8192
#define CTL_READ_MS     2000

static int set_path(struct sockaddr_un *sa, const char *path, strbuf *err)
{
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa->sun_path) {
        sb_addf(err, "%s: path too long for a socket (at most %zu bytes): choose a shorter queue directory",
                path, sizeof sa->sun_path - 1);
        return -1;
    }
    memcpy(sa->sun_path, path, strlen(path) + 1);
    return 0;
}

int ctl_listen(const char *path, strbuf *err)
{
    struct sockaddr_un sa;
    if (set_path(&sa, path, err) < 0)
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        sb_addf(err, "cannot create the control socket: %s", strerror(errno));
        return -1;
    }
    unlink(path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 64) < 0) {
        sb_addf(err, "%s: cannot listen: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    /* the peer's uid decides what it may do (SO_PEERCRED), not the mode */
    chmod(path, 0666);
    return fd;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is readable or the deadline passes: 1, 0 on timeout. */
static int wait_in(int fd, long long deadline)
{
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int n = poll(&p, 1, (int)(left > 1000000 ? 1000000 : left));
        if (n > 0)
            return 1;
        if (n < 0 && errno != EINTR)
            return 1;               /* let read report it */
    }
}

int ctl_accept(int lfd, ctl_conn *c)
{
    memset(c, 0, sizeof *c);
    sb_init(&c->line);
    c->fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c->fd < 0)
        return -1;
    struct ucred cred;
    socklen_t cl = sizeof cred;
    if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0) {
        ctl_done(c);
        return -1;
    }
    c->uid = cred.uid;
    c->pid = cred.pid;
    long long deadline = now_ms() + CTL_READ_MS;
    char buf[1024];
    while (c->line.len < CTL_MAX_REQUEST) {
        if (!wait_in(c->fd, deadline))
            break;
        ssize_t n = read(c->fd, buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            break;
        char *nl = memchr(buf, '\n', (size_t)n);
        sb_addn(&c->line, buf, nl ? (size_t)(nl - buf) : (size_t)n);
        if (nl)
            return 0;
    }
    if (c->line.len == 0) {
        ctl_done(c);
        return -1;
    }
    return 0;              /* a request without its newline still counts */
}

static void write_all(int fd, const char *s, size_t n)
{
    long long deadline = now_ms() + CTL_READ_MS;
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN) {
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            if (now_ms() > deadline || poll(&p, 1, 100) < 0)
                return;
            continue;
        }
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

void ctl_send(ctl_conn *c, const char *reply)
{
    size_t n = strlen(reply);
    write_all(c->fd, reply, n);
    if (n == 0 || reply[n - 1] != '\n')
        write_all(c->fd, "\n", 1);
}

void ctl_done(ctl_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    sb_free(&c->line);
}

int ctl_call(const char *queue_dir, const char *request, int timeout_s, strbuf *reply, strbuf *err)
{
    char *path = mtad_ctl_path(queue_dir);
    struct sockaddr_un sa;
    if (set_path(&sa, path, err) < 0) {
        free(path);
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        sb_addf(err, "cannot create a socket: %s", strerror(errno));
        free(path);
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        int e = errno;
        if (e == ENOENT || e == ECONNREFUSED || e == ENOTDIR)
            sb_addf(err, "no mtad master is running on %s (%s: %s)", queue_dir, path, strerror(e));
        else
            sb_addf(err, "%s: cannot connect: %s", path, strerror(e));
        close(fd);
        free(path);
        return -1;
    }
    free(path);
    size_t n = strlen(request);
    if (write(fd, request, n) != (ssize_t)n || write(fd, "\n", 1) != 1) {
        sb_addf(err, "cannot send the request: %s", strerror(errno));
        close(fd);
        return -1;
    }
    shutdown(fd, SHUT_WR);
    long long deadline = now_ms() + (long long)timeout_s * 1000;
    char buf[4096];
    for (;;) {
        if (!wait_in(fd, deadline)) {
            sb_addf(err, "the master did not answer within %d s", timeout_s);
            close(fd);
            return -1;
        }
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            sb_addf(err, "reading the master's reply: %s", strerror(errno));
            close(fd);
            return -1;
        }
        if (r == 0)
            break;
        sb_addn(reply, buf, (size_t)r);
    }
    close(fd);
    if (reply->len == 0) {
        sb_adds(err, "the master closed the connection without a reply");
        return -1;
    }
    return 0;
}
