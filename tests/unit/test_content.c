/* test_content.c: stdlib/content on messages built here: folded headers
 * matched as one string, long lines in pieces (more = 1), MIME routing
 * (mime_header_checks, nested_header_checks, boundaries), every action of
 * header_checks(5), the limits (header_size_limit, hopcount_limit,
 * body_checks_size_limit), the missing headers, and a table that cannot
 * be used. The differential cases (tests/content.sh) hold the reference
 * answers of Postfix; these pin the API's behaviour in detail. */
#include "compiler/sim.h"
#include "stdlib/content/content.h"
#include "stdlib/util/alloc.h"
#include "tests/unit/test_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failed;

static void check(int ok, const char *name)
{
    test_check(&failed, ok, name);
}

static const char main_cf[] =
    "compatibility_level = 3.6\n"
    "myhostname = mx.example.com\n"
    "mydestination = $myhostname\n"
    "mynetworks = 127.0.0.1\n"
    "alias_maps =\n"
    "alias_database =\n"
    "header_checks = pcre:hc\n"
    "mime_header_checks = pcre:mhc\n"
    "nested_header_checks = pcre:nhc\n"
    "body_checks = pcre:bc\n"
    "header_size_limit = 100\n"
    "hopcount_limit = 4\n"
    "body_checks_size_limit = 30\n"
    "undisclosed_recipients_header = To: undisclosed-recipients:;\n";

static const char hc[] =
    "/^Subject: fold\\n\\tme$/ REPLACE Subject: unfolded\n"
    "/^Subject: reject$/ REJECT\n"
    "/^Subject: soft$/ REJECT 4.7.0 later\n"
    "/^Subject: hold/ HOLD why\n"
    "/^Subject: discard/ DISCARD\n"
    "/^Subject: filter/ FILTER smtp:[10.0.0.1]\n"
    "/^Subject: redirect/ REDIRECT x@example.net\n"
    "/^Subject: bcc/ BCC y@example.net\n"
    "/^Subject: warn/ WARN w\n"
    "/^Subject: info/ INFO i\n"
    "/^Subject: pass/ PASS\n"
    "/^Subject: strip/ STRIP\n"
    "/^X-Ignore:/ IGNORE\n"
    "/^X-Prepend:/ PREPEND X-Before: 1\n"
    "/^X-Dunno:/ DUNNO\n"
    "/^X-Reject:/ REJECT late\n"
    "/^X-Long: (.*)/ REPLACE X-L: $1\n";
static const char mhc[] = "/^Content-Type: text/ PREPEND X-MHC: yes\n";
static const char nhc[] = "/^Subject: inner/ PREPEND X-NHC: yes\n";
static const char bc[] =
    "/^body reject/ REJECT body no\n"
    "/^replace me/ REPLACE replaced\n"
    "/^drop me/ IGNORE\n"
    "/^piece/ PREPEND [piece]\n"
    "/^--b$/ PREPEND [boundary]\n"
    "/^late/ REJECT too late\n";

static pol_image pi;
static const img_service *svc;
static strbuf out;

static void collect(void *arg, const char *line, size_t len, int more)
{
    (void)arg;
    sb_addn(&out, line, len);
    sb_addc(&out, more ? '+' : '\n');
}

/* Run text (lines separated by \n) through a new context. */
static cnt_ctx *run_msg(const char *text, int local)
{
    static const char *const rcpts[] = { "r@example.net" };
    cnt_info info = {
        .queue_id = "QID", .sender = "s@example.org", .rcpts = rcpts, .nrcpts = 1,
        .client_name = "c.example", .client_addr = "192.0.2.1", .local_client = local,
        .arrival = 1700000000,
    };
    sb_clear(&out);
    cnt_ctx *c = cnt_new(&pi, svc, &info, collect, NULL);
    while (*text) {
        size_t l = strcspn(text, "\n");
        cnt_line(c, text, l, 0);
        text += l + (text[l] == '\n');
    }
    cnt_end(c);
    return c;
}

static int has_fx(const cnt_result *r, pol_effect_kind k, const char *text)
{
    for (size_t i = 0; i < r->nfx; i++)
        if (r->fx[i].kind == k && strcmp(r->fx[i].text, text) == 0)
            return 1;
    return 0;
}

static int out_has(const char *s)
{
    return strstr(sb_str(&out), s) != NULL;
}

static void actions(void)
{
    cnt_ctx *c = run_msg("Subject: fold\n\tme\nFrom: a@b\n\nbody\n", 0);
    check(out_has("Subject: unfolded\nFrom: a@b\n\nbody\n"),
          "folded header matched as one string with \\n, replaced whole");
    cnt_free(c);
    c = run_msg("Subject: reject\n\nbody\n", 0);
    const cnt_result *r = cnt_result_of(c);
    check(r->verdict == POL_REJECT && r->code == 550 &&
          strcmp(sb_str((strbuf *)&r->text), "5.7.1 message content rejected") == 0,
          "REJECT: 550 5.7.1 message content rejected");
    check(r->stage && strcmp(r->stage, "header") == 0 && r->line == 2 &&
          strcmp(sb_str((strbuf *)&r->matched), "Subject: reject") == 0,
          "  the matched header and the rule's line");
    cnt_free(c);
    c = run_msg("Subject: soft\n\nbody\n", 0);
    r = cnt_result_of(c);
    check(r->verdict == POL_DEFER && r->code == 451 &&
          strcmp(sb_str((strbuf *)&r->text), "4.7.0 later") == 0, "REJECT 4.7.0 text: 451");
    cnt_free(c);
    c = run_msg("Subject: hold\nX-Reject: 1\n\nbody\n", 0);
    r = cnt_result_of(c);
    check(has_fx(r, POL_FX_HOLD, "why") && r->verdict == POL_REJECT,
          "HOLD goes on inspecting (a later REJECT counts)");
    cnt_free(c);
    c = run_msg("Subject: discard\nX-Reject: 1\n\nbody\n", 0);
    r = cnt_result_of(c);
    check(has_fx(r, POL_FX_DISCARD, "") && r->verdict == POL_NONE, "DISCARD ends inspection");
    cnt_free(c);
    c = run_msg("Subject: redirect\nX-Reject: 1\n\nbody reject\n", 0);
    r = cnt_result_of(c);
    check(has_fx(r, POL_FX_REDIRECT, "x@example.net") && r->verdict == POL_NONE,
          "REDIRECT ends inspection");
    cnt_free(c);
    c = run_msg("Subject: pass\nX-Reject: 1\n\nbody reject\n", 0);
    check(cnt_result_of(c)->verdict == POL_NONE, "PASS ends inspection");
    cnt_free(c);
    c = run_msg("Subject: filter\nSubject: bcc\nSubject: warn\nSubject: info\n\nbody\n", 0);
    r = cnt_result_of(c);
    check(has_fx(r, POL_FX_FILTER, "smtp:[10.0.0.1]") && has_fx(r, POL_FX_BCC, "y@example.net")
          && has_fx(r, POL_FX_WARN, "w") && has_fx(r, POL_FX_INFO, "i") && r->nlog == 4,
          "FILTER, BCC, WARN, INFO: effects, logged");
    cnt_free(c);
    c = run_msg("Subject: strip\nX-Ignore: 1\nX-Prepend: 1\nX-Dunno: 1\n\nbody\n", 0);
    check(strcmp(sb_str(&out), "X-Before: 1\nX-Prepend: 1\nX-Dunno: 1\n\nbody\n") == 0,
          "STRIP and IGNORE drop, PREPEND puts a line before, DUNNO keeps");
    cnt_free(c);
    c = run_msg("Subject: x\n\nreplace me\ndrop me\nbody reject\n", 0);
    r = cnt_result_of(c);
    check(out_has("\nreplaced\nbody reject\n") && r->verdict == POL_REJECT && r->code == 550 &&
          strcmp(r->stage, "body") == 0, "body REPLACE, IGNORE and REJECT");
    cnt_free(c);
}

static void structure(void)
{
    cnt_ctx *c = run_msg("From: a@b\nnot a header\nX: 1\n", 0);
    check(strcmp(sb_str(&out), "From: a@b\n\nnot a header\nX: 1\n") == 0,
          "a non-header line ends the headers after an empty line");
    cnt_free(c);
    c = run_msg("X-Spaced : v\n\nb\n", 0);
    check(out_has("X-Spaced: v\n"), "\"Name : value\" stored as \"Name: value\"");
    cnt_free(c);
    c = run_msg("Bcc: x@y\nReturn-Path: <a@b>\nContent-Length: 3\nSubject: s\n\nb\n", 0);
    check(strcmp(sb_str(&out), "Subject: s\n\nb\n") == 0, "message_drop_headers dropped");
    cnt_free(c);

    /* long lines in pieces */
    sb_clear(&out);
    cnt_info info = { .queue_id = "Q", .sender = "", .client_name = "", .client_addr = "" };
    c = cnt_new(&pi, svc, &info, collect, NULL);
    cnt_line(c, "X-Long: aaaa", 12, 1);
    cnt_line(c, "bbbb", 4, 0);
    cnt_line(c, "", 0, 0);
    cnt_line(c, "piece one", 9, 1);
    cnt_line(c, "piece two", 9, 0);
    cnt_end(c);
    check(strcmp(sb_str(&out), "X-L: aaaabbbb\n\n[piece]\npiece one+[piece]\npiece two\n") == 0,
          "pieces: joined in a header, inspected one by one in the body");
    cnt_free(c);
    /* header_size_limit 100: later lines of a long header dropped, output cut */
    char big[400];
    snprintf(big, sizeof big, "X-Other: %0120d\n\tcontinued\n\nb\n", 7);
    c = run_msg(big, 0);
    size_t hl = strcspn(sb_str(&out), "\n");
    check(hl == 100 && !out_has("continued"), "header_size_limit: cut at 100, excess dropped");
    cnt_free(c);
    c = run_msg("Received: a\nReceived: b\nReceived: c\n\nb\n", 0);
    check(cnt_result_of(c)->verdict == POL_NONE, "3 hops under hopcount_limit 4");
    cnt_free(c);
    c = run_msg("Received: a\nReceived: b\nReceived: c\nReceived: d\n\nb\n", 0);
    const cnt_result *r = cnt_result_of(c);
    check(r->code == 554 && strcmp(sb_str((strbuf *)&r->text), "5.4.0 Error: too many hops") == 0,
          "4 hops: 554 5.4.0 Error: too many hops");
    cnt_free(c);
    c = run_msg("S: 1\n\n0123456789\n0123456789\n0123456789\nlate\n", 0);
    check(cnt_result_of(c)->verdict == POL_NONE, "body_checks_size_limit: later lines unchecked");
    cnt_free(c);
}

static void mime(void)
{
    cnt_ctx *c = run_msg("Content-Type: multipart/mixed; boundary=b\nSubject: s\n\n"
                         "pre\n--b\nContent-Type: text/plain\nSubject: inner\n\ntext\n"
                         "--b\nContent-Type: message/rfc822\n\nSubject: inner\n"
                         "Content-Type: text/html\n\nhtml\n--b--\nlate\n", 0);
    const char *want =
        "Content-Type: multipart/mixed; boundary=b\nSubject: s\n\npre\n"
        "[boundary]\n--b\nX-MHC: yes\nContent-Type: text/plain\nSubject: inner\n\ntext\n"
        "[boundary]\n--b\nContent-Type: message/rfc822\n\nX-NHC: yes\nSubject: inner\n"
        "X-MHC: yes\nContent-Type: text/html\n\nhtml\n--b--\nlate\n";
    check(strcmp(sb_str(&out), want) == 0,
          "MIME: part headers to mime_header_checks, attached message to nested_header_checks");
    check(cnt_result_of(c)->verdict == POL_REJECT, "  the epilogue is body");
    cnt_free(c);
}

static void missing(void)
{
    cnt_ctx *c = run_msg("Subject: s\n\nb\n", 1);
    check(strstr(sb_str(&out), "Subject: s\nMessage-Id: <") &&
          out_has("@mx.example.com>\nDate: ") && out_has("\nFrom: s@example.org\n"
                                                         "To: undisclosed-recipients:;\n\nb\n") &&
          cnt_result_of(c)->headers_added == 4,
          "local client: Message-Id, Date, From, To added in this order");
    cnt_free(c);
    c = run_msg("Subject: s\n\nb\n", 0);
    check(strcmp(sb_str(&out), "Subject: s\n\nb\n") == 0, "remote client: nothing added");
    cnt_free(c);
    c = run_msg("Resent-From: x@y\nTo: t@u\n\nb\n", 1);
    check(out_has("Resent-Message-Id: <") && out_has("Resent-Date: ") &&
          !out_has("undisclosed"), "Resent- forms; To: present");
    cnt_free(c);
}

int main(void)
{
    char dir[] = "/tmp/test_content.XXXXXX";
    if (!mkdtemp(dir))
        fatal("mkdtemp");
    test_write_file(dir, "main.cf", main_cf);
    test_write_file(dir, "master.cf", "smtp inet n - n - - smtpd\ncleanup unix n - n - 0 cleanup\n"
                                 "bad inet n - n - - smtpd\n  -o cleanup_service_name=badclean\n"
                                 "badclean unix n - n - 0 cleanup\n"
                                 "  -o header_checks=ldap:/nonexistent.cf\n");
    test_write_file(dir, "hc", hc);
    test_write_file(dir, "mhc", mhc);
    test_write_file(dir, "nhc", nhc);
    test_write_file(dir, "bc", bc);
    img im;
    if (sim_image_from_dir(dir, "test", &im) < 0)
        return 1;
    pol_image_init(&pi, &im);
    sb_init(&out);
    svc = sim_find_service(&im, "smtp");
    actions();
    structure();
    mime();
    missing();
    svc = sim_find_service(&im, "bad");
    cnt_ctx *c = run_msg("Subject: s\n\nb\n", 0);
    const cnt_result *r = cnt_result_of(c);
    check(r->verdict == POL_DEFER && r->code == 451 &&
          strcmp(sb_str((strbuf *)&r->text), "4.3.0 Error: queue file write error") == 0,
          "a table that cannot be used (the cleanup service's -o): 451 4.3.0");
    cnt_free(c);
    sb_free(&out);
    pol_image_free(&pi);
    img_close(&im);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        failed = 1;
    return failed;
}
