/* fuzz_smtpd.c: libFuzzer target for mtad's SMTP session (runtime/smtpd):
 * arbitrary bytes from a client, through the worker's own code paths
 * (socket reads, command and message parsing, the policy engine, content
 * checks, the queue's group commit) under the configuration of
 * tests/unit/smtpd_harness.h, which needs no DNS.
 *
 * Input: byte 0 picks the service (bits 0-1: which
 * smtpd_forbid_bare_newline), the client address (bits 2-3: in
 * mynetworks, outside, rejected by the cidr table, excluded from the
 * bare newline rule), how the client ends (bits 4-5: the worker closes,
 * the client closes its side, a timeout) and whether the client has a
 * name (bit 6); byte 1 how the rest is cut into writes (0: one write,
 * else pieces of 1..byte1 bytes), so lines arrive in parts and commands
 * pipelined. The replies must be whole CRLF-ended lines with codes, the
 * session must come to rest after every write and end when told. */
#include "tests/unit/smtpd_harness.h"

#include <stdint.h>

static harness_env env;
static int show;     /* FUZZ_SMTPD_SHOW set: print each session's replies */

/* the queue's directory goes at exit (the worker itself is left up) */
static void remove_queue(void)
{
    harness_clean_queue_dirs(&env, 1);
    rmdir(env.qdir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char dir[] = "/tmp/fuzz_smtpd.XXXXXX";
    if (!mkdtemp(dir))
        fatal("mkdtemp");
    harness_write_config(dir);
    if (harness_open(&env, dir, getenv("FUZZ_SMTPD_LOG")) != 0)
        abort();
    atexit(remove_queue);
    show = getenv("FUZZ_SMTPD_SHOW") != NULL;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        abort();
    return 0;
}

static void fail(const char *why, const harness_conn *c)
{
    fprintf(stderr, "fuzz_smtpd: %s\nreplies:\n%.*s\n", why, (int)c->replies.len,
            c->replies.s ? c->replies.s : "");
    __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const addrs[] = {"127.0.0.1", "198.51.100.7", "192.0.2.66", "10.1.2.3"};
    if (size < 2)
        return 0;
    unsigned flags = data[0], cut = data[1];
    const char *p = (const char *)data + 2;
    size_t left = size - 2;
    harness_conn c;
    int service = (flags & 3) % HARNESS_NSERVICES;
    if (harness_connect(&env, &c, service, addrs[flags >> 2 & 3],
                        flags & 64 ? "client.example.org" : NULL) != 0)
        fail("the session does not come to rest after connecting", &c);
    unsigned rnd = cut * 2654435761u + 1;
    while (left && harness_alive(&c)) {
        size_t n = left;
        if (cut) {
            rnd = rnd * 1103515245u + 12345u;
            n = 1 + (rnd >> 16) % cut;
            if (n > left)
                n = left;
        }
        if (harness_send(&env, &c, p, n) != 0)
            fail("the session does not come to rest", &c);
        if (harness_alive(&c)) {
            const smtpd_session *s = c.s;
            if ((s->state != SS_CMD && s->state != SS_DATA) || s->fiber_busy || s->out.len)
                fail("a session at rest is neither reading commands nor a message", &c);
        }
        p += n;
        left -= n;
    }
    enum harness_end how = (flags >> 4 & 3) == 1 ? HARNESS_EOF
                           : (flags >> 4 & 3) == 2 ? HARNESS_TIMEOUT
                                                   : HARNESS_CLOSE;
    if (harness_end(&env, &c, how) != 0)
        fail("the session does not end when the client closes", &c);
    if (show)
        fprintf(stderr, "%.*s----\n", (int)c.replies.len, c.replies.s ? c.replies.s : "");
    const char *bad = harness_replies_bad(c.replies.s ? c.replies.s : "", c.replies.len);
    if (bad)
        fail(bad, &c);
    if (env.w.nsessions || env.w.commits || fibers_busy(env.w.fibers))
        fail("the worker holds on to a finished session", &c);
    harness_conn_free(&c);
    harness_clean_queue(&env);
    return 0;
}
