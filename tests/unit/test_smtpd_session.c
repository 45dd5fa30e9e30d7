/* test_smtpd_session.c: scripted SMTP sessions against mtad's worker
 * (runtime/smtpd) through tests/unit/smtpd_harness.h, checking the exact
 * replies: banner, EHLO keywords, MAIL and RCPT, a recipient rejected by
 * an access table with the table's text, DATA with dot-stuffing queued
 * (the queue file holds the unstuffed message after the Received:
 * header), overlong commands cut, pipelined commands answered in order
 * (also behind decisions that wait on DNS), bare newlines refused, a
 * client that hangs up, QUIT. */
#include "tests/unit/smtpd_harness.h"

static int failed;

static void check(int ok, const char *name)
{
    test_check(&failed, ok, name);
}

/* Send what and check that the replies to it are exactly want. */
static void expect(harness_env *e, harness_conn *c, const char *what, size_t n, const char *want,
                   const char *name)
{
    size_t before = c->replies.len;
    int rc = harness_send(e, c, what, n);
    const char *got = c->replies.s ? c->replies.s + before : "";
    int ok = rc == 0 && strcmp(got, want) == 0;
    if (!ok)
        fprintf(stderr, "%s: want\n%s-- got\n%s--\n", name, want, got);
    check(ok, name);
}

static void say(harness_env *e, harness_conn *c, const char *what, const char *want,
                const char *name)
{
    expect(e, c, what, strlen(what), want, name);
}

static const char ehlo_reply[] =
    "250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 2000\r\n250-VRFY\r\n250-ETRN\r\n"
    "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250 SMTPUTF8\r\n";

/* The message of the DATA test, as queued: the client's lines unstuffed. */
static const char message_sent[] =
    "Subject: dots\r\n\r\n..leading dot\r\n...\r\n.\r\n";
static const char message_body[] = "Subject: dots\n\n.leading dot\n..\n";

static void queued_message(harness_env *e, const char *replies)
{
    const char *p = strstr(replies, "250 2.0.0 Ok: queued as ");
    char id[32] = "";
    if (p)
        sscanf(p + 24, "%31[0-9A-F]", id);
    check(qs_id_valid(id), "data: 250 names a queue id");
    char path[600];
    snprintf(path, sizeof path, "%s/incoming/%s", e->qdir, id);
    qs_file f;
    strbuf err;
    sb_init(&err);
    int rc = qs_read(path, &f, &err);
    check(rc == 0, "data: the queue file reads back");
    if (rc != 0) {
        fprintf(stderr, "qs_read %s: %s\n", path, sb_str(&err));
        sb_free(&err);
        return;
    }
    sb_free(&err);
    /* the Received: header (its first line, then continuation lines),
     * then the client's message as it meant it */
    const char *content = sb_str(&f.content), *p2 = content;
    check(strncmp(content, "Received: from client.example.org (client.example.org [198.51.100.7])\n",
                  70) == 0,
          "data: the Received: header comes first");
    do
        p2 += strcspn(p2, "\n") + 1;
    while (*p2 == '\t' || *p2 == ' ');
    check(strcmp(p2, message_body) == 0,
          "data: the message after it unstuffed, without the end-of-data line");
    check(f.sender && strcmp(f.sender, "bob@example.org") == 0 && f.nrcpts == 1 &&
              strcmp(f.rcpts[0].addr, "alice@example.com") == 0,
          "data: the envelope holds the sender and the accepted recipient only");
    qs_file_free(&f);
}

/* The queue file of the message a "250 ... queued as ID" reply names;
 * 0, or -1 with a failed check. */
static int read_queued(harness_env *e, const char *replies, const char *state, qs_file *f)
{
    const char *p = strstr(replies, "250 2.0.0 Ok: queued as ");
    char id[32] = "", path[600];
    if (p)
        sscanf(p + 24, "%31[0-9A-F]", id);
    snprintf(path, sizeof path, "%s/%s/%s", e->qdir, state, id);
    strbuf err;
    sb_init(&err);
    int rc = qs_read(path, f, &err);
    sb_free(&err);
    return rc;
}

/* A header PREPENDed by an access decision goes before smtpd's
 * Received: header, as Postfix's smtpd writes it (recorded against a
 * private Postfix 3.7). */
static void prepended(harness_env *e)
{
    harness_conn c;
    harness_connect(e, &c, HARNESS_SMTP, "198.51.100.7", "client.example.org");
    size_t before = c.replies.len;
    static const char cmds[] = "EHLO client.example.org\r\nMAIL FROM:<bob@example.org>\r\n"
                               "RCPT TO:<prep@example.com>\r\nDATA\r\n";
    static const char msg[] = "Subject: p\r\n\r\nbody\r\n.\r\n";
    harness_send(e, &c, cmds, strlen(cmds));
    harness_send(e, &c, msg, strlen(msg));
    qs_file f;
    int rc = read_queued(e, c.replies.s + before, "incoming", &f);
    static const char head[] = "X-Prepended: yes\nReceived: from client.example.org ";
    check(rc == 0 && strncmp(sb_str(&f.content), head, strlen(head)) == 0,
          "prepend: the access table's header comes first, then Received:");
    if (rc == 0) {
        int attr = 0;
        for (size_t i = 0; i < f.nattrs; i++)
            attr |= strcmp(f.attrs[i].name, "prepend") == 0;
        check(!attr, "prepend: it is in the message, not kept beside it");
        qs_file_free(&f);
    } else {
        fprintf(stderr, "prepend: replies\n%s", c.replies.s + before);
    }
    harness_end(e, &c, HARNESS_CLOSE);
    harness_conn_free(&c);
    harness_clean_queue(e);
}

/* One client through a whole transaction and the parsing corner cases. */
static void scripted(harness_env *e)
{
    harness_conn c;
    int rc = harness_connect(e, &c, HARNESS_SMTP, "198.51.100.7", "client.example.org");
    check(rc == 0 && c.replies.s && strcmp(c.replies.s, "220 mx.example.com ESMTP Postfix\r\n") == 0,
          "banner: 220 with myhostname");
    say(e, &c, "EHLO client.example.org\r\n", ehlo_reply, "ehlo: the keywords, SIZE with the limit");
    say(e, &c, "MAIL FROM:<bob@example.org>\r\n", "250 2.1.0 Ok\r\n", "mail: accepted");
    say(e, &c, "RCPT TO:<alice@example.com>\r\n", "250 2.1.5 Ok\r\n", "rcpt: a local user accepted");
    say(e, &c, "RCPT TO:<blocked@example.com>\r\n",
        "554 5.7.1 <blocked@example.com>: Recipient address rejected: recipient blocked by regexp\r\n",
        "rcpt: rejected by the regexp table with its text");
    say(e, &c, "DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n", "data: 354");
    size_t before = c.replies.len;
    harness_send(e, &c, message_sent, strlen(message_sent));
    /* the reply names the queue id: compare its form, then the file */
    const char *got = c.replies.s + before;
    check(strncmp(got, "250 2.0.0 Ok: queued as ", 24) == 0 && strlen(got) > 26 &&
              strchr(got, '\n') == got + strlen(got) - 1 && got[strlen(got) - 2] == '\r',
          "data: 250 2.0.0 Ok: queued as ID");
    if (strncmp(got, "250 2.0.0 Ok: queued as ", 24) == 0)
        queued_message(e, got);
    harness_clean_queue(e);

    /* an overlong command: the first line_length_limit bytes are the
     * command, the rest of its line is dropped, the next one answered */
    char longline[1200];
    snprintf(longline, sizeof longline, "NOOP %01000d\r\nRSET\r\n", 0);
    say(e, &c, longline, "250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n", "overlong: cut, the rest dropped (one write)");
    before = c.replies.len;
    for (size_t off = 0; off < strlen(longline); off += 100)
        harness_send(e, &c, longline + off, strlen(longline + off) < 100 ? strlen(longline + off) : 100);
    check(strcmp(c.replies.s + before, "250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n") == 0,
          "overlong: cut, the rest dropped (in pieces)");
    char overlong_mail[1200];
    snprintf(overlong_mail, sizeof overlong_mail, "MAIL FROM:<%0600d@example.org>\r\nNOOP\r\n", 0);
    say(e, &c, overlong_mail, "501 5.1.7 Bad sender address syntax\r\n250 2.0.0 Ok\r\n",
        "overlong: a MAIL cut inside its address");

    /* pipelined: one write, the replies in order */
    say(e, &c,
        "MAIL FROM:<bob@example.org>\r\nRCPT TO:<x@elsewhere.example>\r\n"
        "RCPT TO:<bob@example.com>\r\nRSET\r\nNOOP\r\n",
        "250 2.1.0 Ok\r\n554 5.7.1 <x@elsewhere.example>: Relay access denied\r\n"
        "250 2.1.5 Ok\r\n250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n",
        "pipelining: answered in order");
    /* a command in pieces, bare LF allowed on this service */
    say(e, &c, "NO", "", "pieces: no reply to half a command");
    say(e, &c, "OP\n", "250 2.0.0 Ok\r\n", "pieces: the whole command answered, bare LF ends it");
    say(e, &c, "QUIT\r\n", "221 2.0.0 Bye\r\n", "quit: 221");
    check(!harness_alive(&c), "quit: the session ends");
    check(harness_end(e, &c, HARNESS_CLOSE) == 0 && e->w.nsessions == 0, "quit: nothing left");
    harness_conn_free(&c);
}

/* The service with smtpd_forbid_bare_newline = reject, decisions that
 * wait on DNS, a client of the cidr table, a client hanging up. */
static void others(harness_env *e)
{
    harness_conn c;
    harness_connect(e, &c, HARNESS_BARE_REJECT, "198.51.100.7", NULL);
    say(e, &c, "NOOP\n", "550 5.5.2 Error: bare <LF> received\r\n", "bare newline: refused");
    say(e, &c, "HELO c.example\r\n", "250 mx.example.com\r\n", "bare newline: HELO");
    say(e, &c, "MAIL FROM:<bob@example.org>\r\n", "250 2.1.0 Ok\r\n", "bare newline: MAIL");
    say(e, &c, "RCPT TO:<alice@example.com>\r\n", "250 2.1.5 Ok\r\n", "bare newline: RCPT");
    say(e, &c, "DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n", "bare newline: DATA");
    say(e, &c, "Subject: x\n\r\n.\n\r\n.\r\n", "550 5.5.2 Error: bare <LF> received\r\n",
        "bare newline: only CRLF.CRLF ends the message, refused at its end");
    harness_end(e, &c, HARNESS_CLOSE);
    harness_conn_free(&c);

    harness_connect(e, &c, HARNESS_SMTP, "198.51.100.7", NULL);
    /* decisions that wait on DNS (answered from a pool thread) pause
     * the session; what was pipelined behind them is answered after */
    say(e, &c,
        "MAIL FROM:<x@nowhere.example>\r\nRCPT TO:<alice@example.com>\r\nRSET\r\n"
        "MAIL FROM:<bob@example.org>\r\nRCPT TO:<bob@example.com>\r\nRSET\r\n",
        "250 2.1.0 Ok\r\n"
        "450 4.1.8 <x@nowhere.example>: Sender address rejected: Domain not found\r\n"
        "250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok\r\n",
        "dns: a sender domain that does not exist, the next transaction in order");
    harness_end(e, &c, HARNESS_CLOSE);
    harness_conn_free(&c);

    harness_connect(e, &c, HARNESS_SMTP, "192.0.2.66", NULL);
    say(e, &c, "HELO c.example\r\nMAIL FROM:<bob@example.org>\r\nRCPT TO:<alice@example.com>\r\n",
        "250 mx.example.com\r\n250 2.1.0 Ok\r\n"
        "554 5.7.1 <unknown[192.0.2.66]>: Client host rejected: client blocked by cidr\r\n",
        "cidr: the client rejected at RCPT with the table's text");
    say(e, &c, "MAIL FROM:<bob@example.org>\r\n", "503 5.5.1 Error: nested MAIL command\r\n",
        "cidr: the transaction goes on");
    check(harness_end(e, &c, HARNESS_EOF) == 0, "eof: the session ends when the client hangs up");
    check(e->w.nsessions == 0 && e->stats->sessions_now == 0, "eof: the worker counts it gone");
    harness_conn_free(&c);
}

int main(void)
{
    char dir[] = "/tmp/test_smtpd_session.XXXXXX";
    if (!mkdtemp(dir))
        fatal("mkdtemp");
    harness_write_config(dir);
    harness_env e;
    if (harness_open(&e, dir, getenv("TEST_SMTPD_LOG")) != 0)
        return 1;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    scripted(&e);
    prepended(&e);
    others(&e);
    harness_close(&e);
    return failed;
}
