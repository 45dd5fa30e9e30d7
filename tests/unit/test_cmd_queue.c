/* test_cmd_queue.c: `mtad queue list|show|count` (runtime/cmd_queue.c) on
 * a queue written by the store: what each prints in text and JSON, that
 * files still being written are passed over, and the exit status and the
 * one-line message of every error. */
#include "runtime/cmd_queue.h"
#include "runtime/qmgr/store.h"
#include "stdlib/util/alloc.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failed;

static void check(int ok, const char *name)
{
    printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    if (!ok)
        failed = 1;
}

typedef struct result {
    int   rc;
    char *out, *err;
} result;

/* Run `mtad queue ARGS...` (NULL-terminated) on dir. */
static result run(const char *dir, ...)
{
    char *argv[16];
    int argc = 0;
    argv[argc++] = "queue";
    va_list ap;
    va_start(ap, dir);
    for (char *a; argc < 15 && (a = va_arg(ap, char *));)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    result r;
    size_t no, ne;
    FILE *out = open_memstream(&r.out, &no), *err = open_memstream(&r.err, &ne);
    r.rc = mtad_cmd_queue_io(dir, argc, argv, out, err);
    fclose(out);
    fclose(err);
    return r;
}

static void result_free(result *r)
{
    free(r->out);
    free(r->err);
}

static int one_line(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && s[n - 1] == '\n' && !memchr(s, '\n', n - 1);
}

static int calls;

static void on_done(void *arg, int status, const char *why)
{
    calls += status == 0;
}

int main(void)
{
    char root[] = "/tmp/test_cmd_queue.XXXXXX";
    if (!mkdtemp(root))
        fatal("mkdtemp");
    strbuf dirb;
    sb_init(&dirb);
    sb_addf(&dirb, "%s/q", root);
    const char *dir = sb_str(&dirb);
    strbuf err;
    sb_init(&err);
    qstore *q = qs_open(dir, &err);

    qmsg *m = qs_msg_new(q, &err);
    char id1[16], id2[16], id3[16];
    snprintf(id1, sizeof id1, "%s", qs_msg_id(m));
    qs_msg_attr(m, "time", "1700000000");
    qs_msg_attr(m, "client_address", "192.0.2.1");
    qs_msg_sender(m, "alice@example.com");
    qs_msg_rcpt(m, "bob@example.org", "rfc822;Bob@example.org", QS_NOTIFY_SUCCESS | QS_NOTIFY_FAILURE);
    qs_msg_rcpt(m, "carol@example.org", NULL, 0);
    qs_msg_attr(m, "bcc", "archive@example.com");
    qs_msg_attr(m, "bcc", "audit@example.com");
    qs_msg_line(m, "Subject: \"hi\"", 13, 0);
    qs_msg_line(m, "", 0, 0);
    qs_msg_line(m, "body", 4, 0);
    qs_msg_commit(m, QS_INCOMING, on_done, NULL);

    m = qs_msg_new(q, &err);
    snprintf(id2, sizeof id2, "%s", qs_msg_id(m));
    qs_msg_attr(m, "time", "1700000100");
    qs_msg_sender(m, "");
    qs_msg_rcpt(m, "postmaster@example.org", NULL, QS_NOTIFY_NEVER);
    qs_msg_line(m, "x", 1, 0);
    qs_msg_commit(m, QS_HOLD, on_done, NULL);

    qmsg *unfinished = qs_msg_new(q, &err);   /* still being written */
    snprintf(id3, sizeof id3, "%s", qs_msg_id(unfinished));
    qs_msg_sender(unfinished, "late@example.com");

    for (int i = 0; i < 500 && calls < 2; i++) {
        struct pollfd p = { .fd = qs_event_fd(q), .events = POLLIN };
        if (poll(&p, 1, 10) > 0)
            qs_dispatch(q);
    }
    check(calls == 2, "setup_committed");

    /* a damaged file in deferred/ */
    strbuf bad;
    sb_init(&bad);
    sb_addf(&bad, "%s/deferred/0000000000AA", dir);
    FILE *fp = fopen(sb_str(&bad), "w");
    fputs("garbage", fp);
    fclose(fp);

    /* ---- count */
    result r = run(dir, "count", NULL);
    check(r.rc == 0 && strcmp(r.out, "incoming  2\nactive    0\ndeferred  1\nhold      1\ncorrupt   0\n"
                                     "total     4\n") == 0, "count_text");
    result_free(&r);
    r = run(dir, "count", "--format", "json", NULL);
    check(r.rc == 0 && strcmp(r.out, "{\"incoming\": 2, \"active\": 0, \"deferred\": 1, \"hold\": 1, "
                                     "\"corrupt\": 0, \"total\": 4}\n") == 0, "count_json");
    result_free(&r);

    /* ---- list */
    r = run(dir, "list", NULL);
    strbuf want;
    sb_init(&want);
    sb_addf(&want, "%s incoming 20 2023-11-14T22:13:20Z from=<alice@example.com> "
                   "to=<bob@example.org>,<carol@example.org>\n", id1);
    sb_addf(&want, "0000000000AA deferred - - unreadable: %s/deferred/0000000000AA: no end record "
                   "(its writer never finished)\n", dir);
    sb_addf(&want, "%s hold 2 2023-11-14T22:15:00Z from=<> to=<postmaster@example.org>\n", id2);
    check(r.rc == 0 && strcmp(r.out, sb_str(&want)) == 0, "list_text");
    if (strcmp(r.out, sb_str(&want)) != 0)
        printf("  got:\n%s  want:\n%s", r.out, sb_str(&want));
    check(!strstr(r.out, id3), "list_skips_unfinished");
    result_free(&r);

    r = run(dir, "list", "--format=json", NULL);
    sb_clear(&want);
    sb_addf(&want, "[\n  {\"id\": \"%s\", \"state\": \"incoming\", \"size\": 20, \"time\": 1700000000, "
                   "\"sender\": \"alice@example.com\", \"recipients\": [\"bob@example.org\", "
                   "\"carol@example.org\"]},\n", id1);
    sb_addf(&want, "  {\"id\": \"0000000000AA\", \"state\": \"deferred\", \"error\": "
                   "\"%s/deferred/0000000000AA: no end record (its writer never finished)\"},\n", dir);
    sb_addf(&want, "  {\"id\": \"%s\", \"state\": \"hold\", \"size\": 2, \"time\": 1700000100, "
                   "\"sender\": \"\", \"recipients\": [\"postmaster@example.org\"]}\n]\n", id2);
    check(r.rc == 0 && strcmp(r.out, sb_str(&want)) == 0, "list_json");
    if (strcmp(r.out, sb_str(&want)) != 0)
        printf("  got:\n%s  want:\n%s", r.out, sb_str(&want));
    result_free(&r);

    /* ---- show */
    r = run(dir, "show", id1, NULL);
    sb_clear(&want);
    sb_addf(&want, "id: %s\nstate: incoming\nsender: <alice@example.com>\n"
                   "recipient: <bob@example.org> orcpt=rfc822;Bob@example.org notify=success,failure\n"
                   "recipient: <carol@example.org>\n"
                   "attribute: time=1700000000\nattribute: client_address=192.0.2.1\n"
                   "attribute: bcc=archive@example.com\nattribute: bcc=audit@example.com\n\n"
                   "Subject: \"hi\"\n\nbody\n", id1);
    check(r.rc == 0 && strcmp(r.out, sb_str(&want)) == 0, "show_text");
    result_free(&r);

    r = run(dir, "show", "--format", "json", id1, NULL);
    sb_clear(&want);
    sb_addf(&want, "{\n  \"id\": \"%s\",\n  \"state\": \"incoming\",\n  \"sender\": \"alice@example.com\",\n"
                   "  \"recipients\": [\n"
                   "    {\"address\": \"bob@example.org\", \"orcpt\": \"rfc822;Bob@example.org\", "
                   "\"notify\": [\"success\", \"failure\"]},\n"
                   "    {\"address\": \"carol@example.org\", \"orcpt\": null, \"notify\": []}\n  ],\n"
                   "  \"attributes\": {\n    \"time\": \"1700000000\",\n"
                   "    \"client_address\": \"192.0.2.1\",\n"
                   "    \"bcc\": [\"archive@example.com\", \"audit@example.com\"]\n  },\n"
                   "  \"content\": \"Subject: \\\"hi\\\"\\n\\nbody\\n\"\n}\n", id1);
    check(r.rc == 0 && strcmp(r.out, sb_str(&want)) == 0, "show_json");
    if (strcmp(r.out, sb_str(&want)) != 0)
        printf("  got:\n%s  want:\n%s", r.out, sb_str(&want));
    result_free(&r);

    r = run(dir, "show", id2, "--format", "json", NULL);
    check(r.rc == 0 && strstr(r.out, "\"state\": \"hold\"") && strstr(r.out, "\"notify\": [\"never\"]")
          && strstr(r.out, "\"attributes\": {\n    \"time\": \"1700000100\"\n  }"), "show_json_hold");
    result_free(&r);

    /* ---- errors: one line on stderr, 1 not found/unreadable, 2 usage */
    r = run(dir, "show", "0123456789AB", NULL);
    check(r.rc == 1 && one_line(r.err) && strstr(r.err, "no message 0123456789AB") && !*r.out,
          "show_missing_exit_1");
    result_free(&r);
    r = run(dir, "show", "0000000000AA", NULL);
    check(r.rc == 1 && one_line(r.err) && strstr(r.err, "no end record"), "show_unreadable_exit_1");
    result_free(&r);
    r = run(dir, "show", "../etc/passwd", NULL);
    check(r.rc == 2 && one_line(r.err) && strstr(r.err, "not a queue id"), "show_bad_id_exit_2");
    result_free(&r);
    const char *usage_cases[][4] = {
        { NULL }, { "frobnicate", NULL }, { "show", NULL }, { "list", "--format", "xml", NULL },
        { "list", "--format", NULL }, { "count", "--verbose", NULL }, { "list", "extra", NULL },
    };
    int usage_ok = 1;
    for (size_t i = 0; i < sizeof usage_cases / sizeof *usage_cases; i++) {
        r = run(dir, usage_cases[i][0], usage_cases[i][1], usage_cases[i][2], usage_cases[i][3], NULL);
        if (r.rc != 2 || !one_line(r.err) || *r.out) {
            usage_ok = 0;
            printf("  case %zu: rc %d err %s", i, r.rc, r.err);
        }
        result_free(&r);
    }
    check(usage_ok, "usage_errors_exit_2_one_line");
    strbuf missing;
    sb_init(&missing);
    sb_addf(&missing, "%s/nonexistent", root);
    int missing_ok = 1;
    const char *subs[] = { "list", "count" };
    for (int i = 0; i < 2; i++) {
        r = run(sb_str(&missing), subs[i], NULL);
        missing_ok &= r.rc == 1 && one_line(r.err) && strstr(r.err, "nonexistent");
        result_free(&r);
    }
    r = run(sb_str(&missing), "show", id1, NULL);
    missing_ok &= r.rc == 1 && one_line(r.err);
    result_free(&r);
    check(missing_ok, "missing_queue_dir_exit_1");
    r = run(dir, "--help", NULL);
    check(r.rc == 0 && strstr(r.out, "mtad queue show ID"), "help");
    result_free(&r);

    qs_msg_abort(unfinished);
    qs_close(q);
    sb_free(&missing);
    sb_free(&want);
    sb_free(&bad);
    sb_free(&err);
    sb_free(&dirb);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", root);
    return failed;
}
