/* test_policy_client.c: the policy delegation client (stdlib/policy/
 * policy_client.h) piece by piece: the request text, reading replies, the
 * braced attributes of check_policy_service, and connections to
 * tests/tools/policy-server.py on a UNIX-domain socket in a temporary
 * directory: reuse, max_idle, max_ttl, request_limit, the sweep, a
 * connection the server closed, one connection per service, warnings,
 * and an overlong reply. (tests/policy-client.py runs the client through
 * the engine and compares it with Postfix.) */
#include "stdlib/policy/policy_client.h"
#include "stdlib/util/alloc.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failed;

static void check(int ok, const char *name)
{
    printf("%s policy_client %s\n", ok ? "PASS" : "FAIL", name);
    if (!ok)
        failed = 1;
}

static void sleep_s(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    nanosleep(&ts, NULL);
}

/* ---- the request --------------------------------------------------------------- */

static void test_request(void)
{
    pol_session s;
    memset(&s, 0, sizeof s);
    s.client_addr = "192.0.2.1";
    s.client_name = "mail.example.org";
    s.reverse_name = "unknown";
    s.client_port = "40000";
    s.helo = "mail.example.org";
    s.esmtp = 1;
    s.sasl_user = "joe";
    s.sasl_method = "PLAIN";
    s.ccert_subject = "Joe User";
    s.ccert_issuer = "CA=1+2";
    s.tls_protocol = "TLSv1.3";
    s.tls_keysize = 256;
    s.size = 12345;
    s.stress = 1;
    s.instance = "1.2.3.0";
    pol_policy_cfg cfg = { .endpoint = "inet:127.0.0.1:1", .policy_context = "sub\nmission" };
    pol_policy_query q = { .cfg = &cfg, .stage = POL_STAGE_RCPT, .sender = "a@example.org",
                           .recipient = "b@example.net", .etrn_domain = "" };
    strbuf out;
    sb_init(&out);
    pol_policy_request(&s, &q, &out);
    const char *want =
        "request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
        "client_address=192.0.2.1\nclient_name=mail.example.org\nclient_port=40000\n"
        "reverse_client_name=unknown\nserver_address=\nserver_port=\n"
        "helo_name=mail.example.org\nsender=a@example.org\nrecipient=b@example.net\n"
        "recipient_count=0\nqueue_id=\ninstance=1.2.3.0\nsize=12345\netrn_domain=\n"
        "stress=yes\nsasl_method=PLAIN\nsasl_username=joe\nsasl_sender=\n"
        "ccert_subject=Joe+20User\nccert_issuer=CA+3D1+2B2\nccert_fingerprint=\n"
        "ccert_pubkey_fingerprint=\nencryption_protocol=TLSv1.3\nencryption_cipher=\n"
        "encryption_keysize=256\npolicy_context=sub mission\n\n";
    check(strcmp(sb_str(&out), want) == 0, "request: every attribute, in Postfix's order");
    if (strcmp(sb_str(&out), want) != 0)
        fprintf(stderr, "got:\n%s", sb_str(&out));
    sb_clear(&out);
    q.stage = POL_STAGE_EHLO;
    pol_policy_request(&s, &q, &out);
    check(strstr(sb_str(&out), "protocol_state=EHLO\nprotocol_name=SMTP\n") != NULL,
          "request: EHLO is asked under protocol SMTP");
    sb_free(&out);
    check(strcmp(pol_stage_name(POL_STAGE_EOM), "END-OF-MESSAGE") == 0,
          "stage name END-OF-MESSAGE");
}

/* ---- the reply ----------------------------------------------------------------- */

static int action_of(const char *reply, strbuf *a)
{
    sb_clear(a);
    size_t n = pol_policy_reply_len(reply, strlen(reply));
    return n ? pol_policy_reply_action(reply, n, a) : -2;
}

static void test_reply(void)
{
    strbuf a;
    sb_init(&a);
    check(action_of("action=OK\n", &a) == -2, "reply: incomplete without the empty line");
    check(action_of("action=REJECT no\n\nmore", &a) == 0 && strcmp(sb_str(&a), "REJECT no") == 0,
          "reply: the action; what follows the empty line is not part of it");
    check(action_of("x=1\naction=DUNNO\naction=OK\n\n", &a) == 0 && strcmp(sb_str(&a), "DUNNO") == 0,
          "reply: the first action, other attributes ignored");
    check(action_of("garbage\naction=OK\n\n", &a) == 0, "reply: a line without '=' ignored");
    check(action_of("\n", &a) == -1, "reply: empty: no action");
    check(action_of("ACTION=OK\naction =OK\n\n", &a) == -1, "reply: names are exact");
    check(action_of("action=\n\n", &a) == 0 && a.len == 0, "reply: an empty action");
    sb_free(&a);
}

/* ---- attributes ------------------------------------------------------------------ */

static void test_attrs(void)
{
    pol_policy_cfg c;
    memset(&c, 0, sizeof c);
    strbuf err;
    sb_init(&err);
    int r = pol_policy_cfg_apply(&c, "{ timeout=10s, max_idle=2m, request_limit=0, try_limit=3,"
                                     " policy_context=sub, { default_action = 451 4.3.5 See x, y } }",
                                 &err);
    check(r == 0 && c.timeout == 10 && c.max_idle == 120 && c.try_limit == 3 &&
              strcmp(c.policy_context, "sub") == 0 &&
              strcmp(c.default_action, "451 4.3.5 See x, y") == 0,
          "attributes: times, numbers, a braced value with spaces and a comma");
    static const struct { const char *attrs, *why; } bad[] = {
        { "{ timeout }", "missing '='" },
        { "{ timeot=1s }", "did you mean \"timeout\"" },
        { "{ timeout=0 }", "bad timeout value" },
        { "{ try_limit=0 }", "bad try_limit value" },
        { "{ max_ttl=soon }", "bad max_ttl value" },
        { "{ policy_context=a b }", "missing '='" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sb_clear(&err);
        char name[128];
        snprintf(name, sizeof name, "attributes: %s refused", bad[i].attrs);
        check(pol_policy_cfg_apply(&c, bad[i].attrs, &err) < 0 && strstr(sb_str(&err), bad[i].why),
              name);
    }
    pol_policy_cfg_free(&c);
    sb_free(&err);
}

/* ---- connections ------------------------------------------------------------------ */

static pid_t start_server(const char *dir, const char *rules)
{
    char path[600], sock[600], log[600];
    snprintf(path, sizeof path, "%s/rules", dir);
    FILE *fp = fopen(path, "w");
    if (!fp || fputs(rules, fp) < 0 || fclose(fp) != 0)
        fatal("cannot write %s", path);
    snprintf(sock, sizeof sock, "%s/policy", dir);
    snprintf(log, sizeof log, "%s/log", dir);
    pid_t pid = fork();
    if (pid == 0) {
        execlp("python3", "python3", "tests/tools/policy-server.py", "--unix", sock, "--rules",
               path, "--log", log, "--lifetime", "60", (char *)NULL);
        _exit(127);
    }
    struct stat st;
    for (int i = 0; i < 200 && stat(sock, &st) != 0; i++)
        sleep_s(0.02);
    return pid;
}

/* One request on c; the action ("" after a failure, with why). */
static const char *ask(pol_policy_clients *c, const pol_policy_cfg *cfg, const char *rcpt,
                       strbuf *action)
{
    char req[256];
    int n = snprintf(req, sizeof req, "request=smtpd_access_policy\nrecipient=%s\n\n", rcpt);
    if (pol_policy_exchange(c, cfg, req, (size_t)n, action) < 0)
        return "";
    return sb_str(action);
}

static void warned(void *arg, const char *msg)
{
    int *n = arg;
    if (strstr(msg, "connect to "))
        (*n)++;
}

static void test_connections(const char *dir)
{
    char big[80000] = "* raw:action=";
    memset(big + strlen(big), 'x', 70000);
    strcpy(big + strlen(big), "\\n\\n\n");
    char rules[90000];
    snprintf(rules, sizeof rules, "recipient=last@x last:action=OK {conn}.{seq}\n"
                                  "recipient=big@x%s"
                                  "* action=OK {conn}.{seq}\n", big + 1);
    pid_t pid = start_server(dir, rules);
    char ep[600];
    snprintf(ep, sizeof ep, "unix:%s/policy", dir);
    pol_policy_cfg cfg = { .endpoint = ep, .attrs = "", .timeout = 5, .max_idle = 1,
                           .max_ttl = 100, .retry_delay = 1, .try_limit = 1 };
    pol_policy_clients *c = pol_policy_clients_new(NULL);
    strbuf a;
    sb_init(&a);
    pol_policy_stats st;
    ask(c, &cfg, "a@x", &a);
    ask(c, &cfg, "a@x", &a);
    check(strcmp(ask(c, &cfg, "a@x", &a), "OK 1.3") == 0, "reuse: three requests, one connection");
    long long due = pol_policy_clients_sweep(c);
    check(due > 0 && due <= 1000, "sweep: the connection is due within max_idle");
    sleep_s(1.1);
    check(strcmp(ask(c, &cfg, "a@x", &a), "OK 2.1") == 0, "max_idle=1s: a new connection after 1.1s");
    sleep_s(1.1);
    pol_policy_clients_sweep(c);
    pol_policy_clients_stats(c, &st);
    check(st.open == 0 && pol_policy_clients_sweep(c) == -1, "sweep: an idle connection closed");

    cfg.max_idle = 100;
    cfg.max_ttl = 1;
    const char *last = "";
    for (int i = 0; i < 4; i++) {
        last = ask(c, &cfg, "a@x", &a);
        sleep_s(0.35);
    }
    check(strcmp(last, "OK 4.1") == 0, "max_ttl=1s: a new connection after 1s in use");

    cfg.max_ttl = 100;
    cfg.request_limit = 2;   /* connection 4 has answered once */
    int ok = strcmp(ask(c, &cfg, "a@x", &a), "OK 4.2") == 0;
    ok = ok && strcmp(ask(c, &cfg, "a@x", &a), "OK 5.1") == 0;
    ok = ok && strcmp(ask(c, &cfg, "a@x", &a), "OK 5.2") == 0;
    pol_policy_clients_stats(c, &st);
    check(ok && st.open == 0, "request_limit=2: a connection closed after its second request");
    cfg.request_limit = 0;

    ask(c, &cfg, "last@x", &a);
    sleep_s(0.1);
    pol_policy_clients_stats(c, &st);
    unsigned long failures = st.failures;
    check(strcmp(ask(c, &cfg, "a@x", &a), "OK 7.1") == 0,
          "a connection the server closed is replaced, try_limit=1 suffices");
    pol_policy_clients_stats(c, &st);
    check(st.failures == failures, "  without a failed attempt");

    pol_policy_cfg other = cfg;
    other.attrs = "{ timeout=5s }";
    ask(c, &other, "a@x", &a);
    pol_policy_clients_stats(c, &st);
    check(st.open == 2, "one connection per check_policy_service (endpoint and attributes)");

    check(*ask(c, &cfg, "big@x", &a) == 0 && strstr(sb_str(&a), "reply too long"),
          "a reply over 64 KiB is refused");

    int warnings = 0;
    pol_policy_clients_set_warn(c, warned, &warnings);
    pol_policy_cfg gone = cfg;
    char missing[700];
    snprintf(missing, sizeof missing, "unix:%s/nothing", dir);
    gone.endpoint = missing;
    gone.try_limit = 2;
    check(*ask(c, &gone, "a@x", &a) == 0 && warnings == 2 && strstr(sb_str(&a), "No such file"),
          "no server: two warnings, the reason");
    pol_policy_clients_free(c);

    c = pol_policy_clients_new(dir);
    pol_policy_cfg rel = cfg;
    rel.endpoint = "unix:policy";
    check(strncmp(ask(c, &rel, "a@x", &a), "OK ", 3) == 0, "unix:NAME relative to the base dir");
    pol_policy_clients_free(c);
    sb_free(&a);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

int main(void)
{
    test_request();
    test_reply();
    test_attrs();
    char dir[] = "/tmp/test_policy_client.XXXXXX";
    if (!mkdtemp(dir))
        fatal("mkdtemp");
    test_connections(dir);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    return failed;
}
