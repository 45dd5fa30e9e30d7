/* policy_proto.c: the messages of Postfix's policy delegation protocol
 * (see policy_client.h): the request smtpd sends, reading the reply, the
 * instance attribute, and the protocol_state names. The attributes and
 * their order are those a Postfix 3.7 smtpd was recorded sending
 * (tests/policy-client/postfix-requests.jsonl); SMTPD_POLICY_README lists
 * the same attributes in another order. */
#include "stdlib/policy/policy_client.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

const char *pol_stage_name(pol_stage st)
{
    static const char *const names[] = {
        [POL_STAGE_CONNECT] = "CONNECT", [POL_STAGE_HELO] = "HELO", [POL_STAGE_EHLO] = "EHLO",
        [POL_STAGE_MAIL] = "MAIL", [POL_STAGE_RCPT] = "RCPT", [POL_STAGE_DATA] = "DATA",
        [POL_STAGE_EOM] = "END-OF-MESSAGE", [POL_STAGE_VRFY] = "VRFY", [POL_STAGE_ETRN] = "ETRN",
    };
    return (unsigned)st < sizeof names / sizeof *names ? names[st] : "UNKNOWN";
}

/* name=value and a newline; NULL is empty; a newline in the value (which
 * the protocol cannot carry) becomes a space. */
static void put(strbuf *out, const char *name, const char *value)
{
    sb_adds(out, name);
    sb_addc(out, '=');
    for (const char *p = value ? value : ""; *p; p++)
        sb_addc(out, *p == '\n' ? ' ' : *p);
    sb_addc(out, '\n');
}

static void put_num(strbuf *out, const char *name, unsigned long long value)
{
    sb_addf(out, "%s=%llu\n", name, value);
}

/* RFC 3461 xtext, as Postfix encodes certificate names: '+', '=' and
 * bytes outside '!'..'~' as +XX. */
static void put_xtext(strbuf *out, const char *name, const char *value)
{
    sb_adds(out, name);
    sb_addc(out, '=');
    for (const unsigned char *p = (const unsigned char *)(value ? value : ""); *p; p++) {
        if (*p == '+' || *p == '=' || *p < '!' || *p > '~')
            sb_addf(out, "+%02X", *p);
        else
            sb_addc(out, (char)*p);
    }
    sb_addc(out, '\n');
}

/* smtpd's protocol name: SMTP until an EHLO has been accepted. */
static const char *protocol_name(const pol_session *s, pol_stage st)
{
    if (st == POL_STAGE_CONNECT || st == POL_STAGE_HELO || st == POL_STAGE_EHLO)
        return "SMTP";
    return s->esmtp ? "ESMTP" : "SMTP";
}

void pol_policy_request(const pol_session *s, const pol_policy_query *q, strbuf *out)
{
    put(out, "request", "smtpd_access_policy");
    put(out, "protocol_state", pol_stage_name(q->stage));
    put(out, "protocol_name", protocol_name(s, q->stage));
    put(out, "client_address", s->client_addr);
    put(out, "client_name", s->client_name);
    put(out, "client_port", s->client_port);
    put(out, "reverse_client_name", s->reverse_name);
    put(out, "server_address", s->server_addr);
    put(out, "server_port", s->server_port);
    put(out, "helo_name", s->helo);
    put(out, "sender", q->sender);
    put(out, "recipient", q->recipient);
    put_num(out, "recipient_count", q->recipient_count);
    put(out, "queue_id", s->queue_id);
    put(out, "instance", s->instance);
    put_num(out, "size", s->size);
    put(out, "etrn_domain", q->etrn_domain);
    put(out, "stress", s->stress ? "yes" : "");
    put(out, "sasl_method", s->sasl_user ? s->sasl_method : NULL);
    put(out, "sasl_username", s->sasl_user);
    put(out, "sasl_sender", s->sasl_sender);
    put_xtext(out, "ccert_subject", s->ccert_subject);
    put_xtext(out, "ccert_issuer", s->ccert_issuer);
    put(out, "ccert_fingerprint", s->ccert_fingerprint);
    put(out, "ccert_pubkey_fingerprint", s->ccert_pubkey_fingerprint);
    put(out, "encryption_protocol", s->tls_protocol);
    put(out, "encryption_cipher", s->tls_cipher);
    put_num(out, "encryption_keysize", s->tls_keysize > 0 ? (unsigned long long)s->tls_keysize : 0);
    put(out, "policy_context", q->cfg->policy_context);
    sb_addc(out, '\n');
}

size_t pol_policy_reply_len(const char *buf, size_t n)
{
    if (n >= 1 && buf[0] == '\n')
        return 1;   /* an empty reply */
    const char *end = memmem(buf, n, "\n\n", 2);
    return end ? (size_t)(end - buf) + 2 : 0;
}

int pol_policy_reply_action(const char *reply, size_t n, strbuf *action)
{
    for (const char *p = reply, *end = reply + n; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (l >= 7 && memcmp(p, "action=", 7) == 0) {
            sb_addn(action, p + 7, l - 7);   /* may be empty: Postfix goes on (DUNNO) */
            return 0;
        }
        p += l + 1;
    }
    return -1;
}

void pol_policy_instance(char *buf, size_t n, unsigned seq)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    snprintf(buf, n, "%x.%lx.%lx.%x", (unsigned)getpid(), (unsigned long)tv.tv_sec,
             (unsigned long)tv.tv_usec, seq);
}
