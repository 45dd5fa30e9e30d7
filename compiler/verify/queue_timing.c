/* queue_timing.c: queue-timing. qmgr's times that contradict each other:
 * bounce_queue_lifetime beyond maximal_queue_lifetime (qmgr warns and
 * cuts it), minimal_backoff_time beyond maximal_backoff_time (every
 * retry waits the minimum), queue_run_delay beyond minimal_backoff_time
 * (deferred mail waits for the next scan, not the backoff), and a
 * delay_warning_time that is only reached after the message expired. */
#include "compiler/verify/limits.h"

static const char *larger_bad(long long a, long long b)
{
    return a > b ? "is larger than" : NULL;
}

static const char *warning_bad(long long warn, long long life)
{
    return warn > 0 && life > 0 && warn >= life ? "is not shorter than" : NULL;
}

static const limit_pair pairs[] = {
    { "qmgr", 0, "bounce_queue_lifetime", "maximal_queue_lifetime", DIAG_QUEUE_TIMING,
      SEV_WARNING, larger_bad,
      "qmgr logs a warning and uses maximal_queue_lifetime for bounces too",
      "make bounce_queue_lifetime at most maximal_queue_lifetime" },
    { "qmgr", 0, "minimal_backoff_time", "maximal_backoff_time", DIAG_QUEUE_TIMING, SEV_WARNING,
      larger_bad,
      "every deferred message waits minimal_backoff_time and the maximum never applies",
      "make minimal_backoff_time at most maximal_backoff_time" },
    { "qmgr", 0, "queue_run_delay", "minimal_backoff_time", DIAG_QUEUE_TIMING, SEV_WARNING,
      larger_bad,
      "deferred mail is retried only when the queue is scanned, later than its backoff "
      "time says",
      "make queue_run_delay at most minimal_backoff_time" },
    { "qmgr", 0, "delay_warning_time", "maximal_queue_lifetime", DIAG_QUEUE_TIMING, SEV_WARNING,
      warning_bad,
      "a message is returned as undeliverable before the delay warning is due, so the "
      "warning is never sent",
      "make delay_warning_time shorter than maximal_queue_lifetime, or 0 to send no "
      "warnings" },
};

void verify_queue_timing(verify_ctx *v)
{
    limit_pairs_check(v, pairs, sizeof pairs / sizeof *pairs);
}
