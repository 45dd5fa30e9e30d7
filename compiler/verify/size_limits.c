/* size_limits.c: size-limits. The delivery agents refuse to start when a
 * mailbox may not hold the largest message (when a transport of the
 * configuration runs them at all): local(8) with
 * mailbox_size_limit, virtual(8) with virtual_mailbox_limit, below
 * message_size_limit or limited while messages are not (0); the mail for
 * them stays in the queue. Two softer pairs Postfix itself warns about
 * and works around: smtpd's queue_minfree below 1.5 times
 * message_size_limit, and qmgr's qmgr_message_recipient_limit below
 * qmgr_message_active_limit. */
#include "compiler/verify/limits.h"

static const char *mailbox_bad(long long box, long long msg)
{
    if (box == 0)
        return NULL;
    if (msg == 0)
        return "is a limit, but";
    return box < msg ? "is smaller than" : NULL;
}

static const char *minfree_bad(long long minfree, long long msg)
{
    return minfree > 0 && msg > 0 && (double)minfree / 1.5 < (double)msg
               ? "is less than 1.5 times" : NULL;
}

static const char *smaller_bad(long long a, long long b)
{
    return a < b ? "is smaller than" : NULL;
}

static const limit_pair pairs[] = {
    { "local", 1, "mailbox_size_limit", "message_size_limit", DIAG_SIZE_LIMITS, SEV_ERROR,
      mailbox_bad,
      "local(8) stops at start-up (\"main.cf configuration error\"), so local mail stays "
      "in the queue",
      "make mailbox_size_limit at least message_size_limit (both non-zero), or set it to 0 "
      "(no limit)" },
    { "virtual", 1, "virtual_mailbox_limit", "message_size_limit", DIAG_SIZE_LIMITS, SEV_ERROR,
      mailbox_bad,
      "virtual(8) stops at start-up (\"main.cf configuration error\"), so mail for virtual "
      "mailboxes stays in the queue",
      "make virtual_mailbox_limit at least message_size_limit (both non-zero), or set it "
      "to 0 (no limit)" },
    { "smtpd", 0, "queue_minfree", "message_size_limit", DIAG_SIZE_LIMITS, SEV_WARNING,
      minfree_bad,
      "smtpd may accept a message it has no room to queue (it logs \"should be at least "
      "1.5*message_size_limit\")",
      "set queue_minfree to at least 1.5 times message_size_limit, or to 0" },
    { "qmgr", 0, "qmgr_message_recipient_limit", "qmgr_message_active_limit", DIAG_SIZE_LIMITS,
      SEV_WARNING, smaller_bad,
      "qmgr logs a warning and raises the recipient limit to the active limit",
      "make qmgr_message_recipient_limit at least qmgr_message_active_limit" },
};

void verify_size_limits(verify_ctx *v)
{
    limit_pairs_check(v, pairs, sizeof pairs / sizeof *pairs);
}
