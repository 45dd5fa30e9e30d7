/* test_policy_session.c: what the evaluator remembers between commands
 * of one session (stdlib/policy): HELO syntax, the parsed sender and the
 * answers of client, HELO and sender access lookups. mtad's smtpd keeps
 * the HELO name and the sender in buffers it reuses, so what is
 * remembered must follow the content, not the address, of those strings:
 * each case changes a string in place and checks the next decision.
 * Also: check_reverse_client_hostname_access may not answer OK. */
#include "compiler/sim.h"
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
    "relay_domains = example.net\n"
    "mynetworks = 127.0.0.1\n"
    "alias_maps =\n"
    "alias_database =\n"
    "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n"
    "smtpd_recipient_restrictions = reject_invalid_helo_hostname,\n"
    "    check_client_access inline:{{10.0.0.1=REJECT bad client}},\n"
    "    check_helo_access inline:{{bad.example=REJECT bad helo}},\n"
    "    check_sender_access inline:{{bad@spam.example=REJECT bad sender}},\n"
    "    check_reverse_client_hostname_access inline:{{ok.example=OK}, {via.example=permit},\n"
    "        {no.example=REJECT bad rdns}, {skip.example=DUNNO}},\n"
    "    reject_non_fqdn_sender, permit_auth_destination, reject\n";

/* The RCPT code for rcpt in session s, after MAIL from the current sender. */
static int rcpt_code(pol_session *s, const char *rcpt, pol_reply *r)
{
    pol_reply_clear(r);
    pol_mail(s, r);
    if (r->code >= 400)
        return r->code;
    pol_reply_clear(r);
    s->nrcpt = 0;
    pol_rcpt(s, rcpt, r);
    return r->code;
}

/* A session of a client at addr that said HELO mail.example.org and
 * MAIL FROM bob@example.org. */
static void session_of(pol_session *s, pol_image *pi, pol_dns *dns, const char *addr)
{
    pol_session_init(s, pi, NULL, dns);
    s->client_addr = addr;
    s->helo = "mail.example.org";
    s->sender = "bob@example.org";
}

int main(void)
{
    char dir[] = "/tmp/test_policy_session.XXXXXX";
    if (!mkdtemp(dir))
        fatal("mkdtemp");
    test_write_file(dir, "main.cf", main_cf);
    test_write_file(dir, "master.cf", "smtp inet n - n - - smtpd\n");
    img im;
    if (sim_image_from_dir(dir, "test", &im) < 0)
        return 1;
    pol_image pi;
    pol_image_init(&pi, &im);
    pol_dns *dns = pol_dns_empty_new();
    pol_reply r;
    pol_reply_init(&r);

    /* one client; the HELO and sender buffers change in place */
    char helo[64], sender[64];
    pol_session s;
    pol_session_init(&s, &pi, NULL, dns);
    s.client_addr = "192.0.2.1";
    s.helo = helo;
    s.sender = sender;
    strcpy(helo, "mail.example.org");
    strcpy(sender, "bad@spam.example");
    check(rcpt_code(&s, "u@example.net", &r) == 554, "sender in the access table: rejected");
    check(strstr(sb_str(&r.text), "bad sender") != NULL, "  with the table's text");
    strcpy(sender, "good@spam.example");
    check(rcpt_code(&s, "u@example.net", &r) == 250, "same buffer, new sender: accepted");
    strcpy(sender, "bad@spam.example");
    check(rcpt_code(&s, "u@example.net", &r) == 554, "the first sender again: rejected");
    strcpy(sender, "nodomain");
    check(rcpt_code(&s, "u@example.net", &r) == 504,
          "same buffer, sender without domain: reject_non_fqdn_sender");
    strcpy(sender, "bob@example.org");
    strcpy(helo, "bad.example");
    check(rcpt_code(&s, "u@example.net", &r) == 554, "same buffer, HELO in the table: rejected");
    check(strstr(sb_str(&r.text), "bad helo") != NULL, "  with the table's text");
    strcpy(helo, "[192.0.2.300]");
    check(rcpt_code(&s, "u@example.net", &r) == 501,
          "same buffer, invalid HELO: reject_invalid_helo_hostname");
    strcpy(helo, "mail.example.org");
    check(rcpt_code(&s, "u@example.net", &r) == 250, "a valid HELO again: accepted");
    check(rcpt_code(&s, "u@example.com", &r) == 554, "a foreign recipient: relay denied");
    pol_session_free(&s);

    /* a client in the table, asked twice in one session */
    session_of(&s, &pi, dns, "10.0.0.1");
    check(rcpt_code(&s, "u@example.net", &r) == 554, "client in the table: rejected");
    check(rcpt_code(&s, "v@example.net", &r) == 554, "  and again from the memo");
    check(strstr(sb_str(&r.text), "bad client") != NULL, "  with the table's text");
    pol_session_free(&s);
    session_of(&s, &pi, dns, "10.0.0.2");
    check(rcpt_code(&s, "u@example.net", &r) == 250, "another client: accepted");
    pol_session_free(&s);

    /* check_reverse_client_hostname_access may not permit (Postfix: 451 4.3.5) */
    static const struct { const char *name; int code; const char *text; } rev[] = {
        { "ok.example", 451, "4.3.5 Server configuration error" },
        { "via.example", 451, "4.3.5 Server configuration error" },
        { "no.example", 554, "5.7.1 <no.example>: Unverified Client host rejected: bad rdns" },
        { "skip.example", 250, "2.1.5 Ok" },
    };
    for (size_t i = 0; i < sizeof rev / sizeof *rev; i++) {
        session_of(&s, &pi, dns, "192.0.2.7");
        s.reverse_name = rev[i].name;
        char name[160];
        snprintf(name, sizeof name, "reverse client name %s: %d %s", rev[i].name, rev[i].code,
                 rev[i].text);
        check(rcpt_code(&s, "u@example.net", &r) == rev[i].code &&
              strcmp(sb_str(&r.text), rev[i].text) == 0, name);
        pol_session_free(&s);
    }

    pol_reply_free(&r);
    pol_image_free(&pi);
    pol_dns_free(dns);
    img_close(&im);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    return failed;
}
