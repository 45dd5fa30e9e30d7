/* pidfile.c: the master's locked pid file (see pidfile.h). */
#include "runtime/pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static pid_t read_pid(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    return (pid_t)strtol(buf, NULL, 10);
}

int pidfile_lock(const char *path, const char *queue_dir, strbuf *err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        sb_addf(err, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno == EWOULDBLOCK) {
            pid_t pid = read_pid(fd);
            if (pid > 0)
                sb_addf(err, "a master (pid %ld) is already running on %s", (long)pid, queue_dir);
            else
                sb_addf(err, "a master is already running on %s (%s is locked)", queue_dir, path);
        } else {
            sb_addf(err, "%s: cannot lock: %s", path, strerror(errno));
        }
        close(fd);
        return -1;
    }
    return fd;
}

void pidfile_write(int fd, pid_t pid)
{
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%10ld\n", (long)pid);
    if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) == n)
        fsync(fd);
}

int pidfile_held(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int held = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
    close(fd);
    return held;
}
