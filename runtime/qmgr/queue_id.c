/* queue_id.c: new queue ids. An id is the time in microseconds modulo
 * 2^48, as 12 uppercase hex digits, made strictly increasing within the
 * process; a file is created with O_EXCL (another process may have taken
 * the same microsecond: then the next one is tried) and given up when the
 * name is in use in another state (a clock stepped back), so no rename
 * between states can ever meet a file of the same name. */
#include "runtime/qmgr/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ID_MASK ((UINT64_C(1) << 48) - 1)
#define ID_TRIES 10000

static _Atomic uint64_t last_id;

static uint64_t id_next(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t now = ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000) & ID_MASK;
    uint64_t prev = atomic_load(&last_id), next;
    do
        next = now > prev ? now : (prev + 1) & ID_MASK;
    while (!atomic_compare_exchange_weak(&last_id, &prev, next));
    return next;
}

int qs_id_valid(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'A' && s[n] <= 'F')))
            return 0;
    return n >= 10 && n <= QS_ID_MAX;
}

int qs_id_create(const int dirfds[QS_NSTATES], char id[QS_ID_MAX + 1])
{
    for (int tries = 0; tries < ID_TRIES; tries++) {
        snprintf(id, QS_ID_MAX + 1, "%012" PRIX64, id_next());
        int fd = openat(dirfds[QS_INCOMING], id, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            if (errno == EEXIST)
                continue;
            return -1;
        }
        int taken = 0;
        struct stat sb;
        for (int st = 0; st < QS_NSTATES && !taken; st++)
            taken = st != QS_INCOMING && fstatat(dirfds[st], id, &sb, AT_SYMLINK_NOFOLLOW) == 0;
        if (!taken)
            return fd;
        unlinkat(dirfds[QS_INCOMING], id, 0);
        close(fd);
    }
    errno = EEXIST;
    return -1;
}
