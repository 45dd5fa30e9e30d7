/* policy.h: THE restriction evaluator. One SMTP session's decisions
 * (HELO, MAIL, RCPT, DATA, end of data, ETRN) made from a policy image's
 * restriction programs, as Postfix 3.7's smtpd makes them: the order of
 * the lists, smtpd_delay_reject, permit/reject/dunno, defer_if_permit,
 * defer_if_reject, warn_if_reject, restriction classes, every access(5)
 * action, and reply codes and texts byte for byte. `mtacc simulate` and
 * `mtacc test` call this offline; mtad's smtpd calls the very same code.
 *
 * DNS answers come through one resolver interface (dns.h): real lookups
 * at runtime, a fixture file offline. Tables come from the image. */
#ifndef POLICY_POLICY_H
#define POLICY_POLICY_H
#include "stdlib/image/image.h"
#include "stdlib/maps/lookup_order.h"
#include "stdlib/policy/dns.h"
#include "stdlib/util/strbuf.h"

/* The image as the evaluator uses it: tables opened on first use. */
typedef struct pol_image {
    const img *im;
    map      **maps;        /* per table, NULL until opened */
    char     **map_err;     /* why a table could not be opened */
    /* NULL: a table the image could not compile (mysql:, a missing file)
     * fails as it does at runtime; else it answers this for every key (the
     * verifier asks "what if it answered OK?") */
    const char *unavailable_answer;
} pol_image;

void pol_image_init(pol_image *pi, const img *im);
void pol_image_free(pol_image *pi);
/* The map of table i, or NULL (reason in *why). */
map *pol_image_map(pol_image *pi, uint32_t i, const char **why);

/* What a decision does, besides its reply. */
typedef enum pol_verdict {
    POL_NONE = 0,      /* no restriction decided: go on (the command is accepted) */
    POL_PERMIT,        /* accepted by a restriction (OK, permit_*) */
    POL_REJECT,        /* 5xx (or 4xx with soft_bounce) */
    POL_DEFER,         /* 4xx */
} pol_verdict;

/* Side effects of access actions that do not end the evaluation (or end
 * it with acceptance), recorded with the message by the caller. */
typedef enum pol_effect_kind {
    POL_FX_HOLD, POL_FX_DISCARD, POL_FX_FILTER, POL_FX_REDIRECT, POL_FX_PREPEND,
    POL_FX_BCC, POL_FX_WARN, POL_FX_INFO,
} pol_effect_kind;

typedef struct pol_effect {
    pol_effect_kind kind;
    char           *text;      /* FILTER transport:dest, REDIRECT addr, PREPEND header, WARN text ... */
} pol_effect;

/* Where a decision came from, for traces and logs. */
typedef struct pol_origin {
    uint32_t program;          /* PROGRAMS index, UINT32_MAX: none (a built-in check) */
    uint32_t insn;             /* index within the program */
    uint32_t table;            /* TABLES index of the entry that answered, UINT32_MAX: none */
    char    *key;              /* the lookup key that matched */
    uint32_t line;             /* its source line in the table (0: unknown) */
} pol_origin;

typedef struct pol_reply {
    pol_verdict verdict;
    int         code;          /* 250, 450, 554, ... */
    strbuf      text;          /* after the code: "5.7.1 <u@x>: Relay access denied" */
    pol_origin  origin;
    pol_effect *fx;
    size_t      nfx;
    strbuf      trace;         /* one line per restriction evaluated */
} pol_reply;

void pol_reply_init(pol_reply *r);
void pol_reply_clear(pol_reply *r);
void pol_reply_free(pol_reply *r);

/* The SMTP command a decision answers: the policy protocol's
 * protocol_state (under smtpd_delay_reject the client, HELO and sender
 * lists run at RCPT, and their stage is RCPT). */
typedef enum pol_stage {
    POL_STAGE_CONNECT, POL_STAGE_HELO, POL_STAGE_EHLO, POL_STAGE_MAIL, POL_STAGE_RCPT,
    POL_STAGE_DATA, POL_STAGE_EOM, POL_STAGE_VRFY, POL_STAGE_ETRN,
} pol_stage;
/* "CONNECT", "HELO", "EHLO", "MAIL", "RCPT", "DATA", "END-OF-MESSAGE", "VRFY", "ETRN" */
const char *pol_stage_name(pol_stage st);

/* One check_policy_service: its endpoint and settings, the
 * smtpd_policy_service_* parameters overridden by the attributes of its
 * "{ endpoint, name=value, ... }" form (policy_cfg.c). */
typedef struct pol_policy_cfg {
    const char *endpoint;      /* "inet:host:port", "unix:path" (borrowed) */
    const char *attrs;         /* "{ name=value, ... }" as the image keeps it, or "" (borrowed) */
    long long   timeout, max_idle, max_ttl, retry_delay;   /* seconds, >= 1 */
    long long   request_limit; /* requests per connection, 0: no limit */
    long long   try_limit;     /* attempts per request, >= 1 */
    char       *default_action, *policy_context;
} pol_policy_cfg;

/* A policy request besides the session: what the engine knows of the
 * command being decided. Strings are never NULL ("" when none). */
typedef struct pol_policy_query {
    const pol_policy_cfg *cfg;
    pol_stage             stage;
    const char           *sender;      /* MAIL FROM as Postfix keeps it (unquoted), "" */
    const char           *recipient;   /* at RCPT, and DATA/END-OF-MESSAGE with one recipient */
    const char           *etrn_domain; /* at ETRN */
    unsigned              recipient_count;   /* at DATA and END-OF-MESSAGE, else 0 */
} pol_policy_query;

/* A client and what it has said so far. Strings are borrowed; the client
 * fields (address, names) stay the same for the life of the session (the
 * evaluator remembers what it decided about them). */
#define POL_PARAM_CACHE 128
#define POL_PDMS_CACHE  16
#define POL_CLASS_CACHE 4
#define POL_LR_POOL     4
#define POL_MEMO        8

typedef struct pol_session {
    pol_image         *pi;
    const img_service *svc;          /* the smtpd service (its -o values), NULL: global */
    pol_dns           *dns;
    const char        *client_addr;  /* "192.0.2.1", "2001:db8::1" */
    const char        *client_name;  /* verified name, or "unknown" */
    const char        *reverse_name; /* unverified PTR name, or "unknown" */
    int                client_name_temp;  /* the name lookup failed temporarily */
    const char        *helo;         /* NULL: no HELO/EHLO yet */
    int                esmtp;
    const char        *sender;       /* NULL: no MAIL yet; "" for <> */
    const char        *sasl_user;    /* NULL: not authenticated */
    const char        *ccert_fingerprint;  /* NULL: no verified client certificate */
    int                tls;
    /* check_policy_service: ask the server q->cfg names about this
     * session at stage q->stage; 0 with its action in *action, -1 when no
     * answer came (the default action applies; *action may say why).
     * NULL: no server answers. The policy client (policy_client.h) speaks
     * the protocol; simulation answers from fixtures. */
    int              (*policy)(void *arg, const struct pol_session *s,
                               const struct pol_policy_query *q, strbuf *action);
    void              *policy_arg;
    /* what else the policy delegation protocol reports (the evaluator
     * itself does not look at these): NULL or 0 when unknown or none,
     * sent empty (numbers as 0). queue_id is known after the first
     * accepted RCPT, instance names the transaction for policy servers
     * (pol_policy_instance); pol_rset clears both. size: MAIL FROM SIZE=,
     * the message's size at the end of the message. */
    const char        *client_port, *server_addr, *server_port;
    const char        *queue_id, *instance;
    const char        *sasl_method, *sasl_sender;
    const char        *ccert_subject, *ccert_issuer, *ccert_pubkey_fingerprint;
    const char        *tls_protocol, *tls_cipher;
    int                tls_keysize;
    unsigned long long size;
    int                stress;       /* smtpd runs under stress (STRESS_README) */
    /* reject_unverified_*: what address verification knows of addr (the
     * verify(8) service at runtime, fixtures offline); NULL: nothing yet,
     * a probe is under way. reason: why an address bounces. */
    int              (*verify)(void *arg, const char *addr, strbuf *reason);
    void              *verify_arg;
    int                pipelined;    /* sent commands ahead without PIPELINING */
    int                trace;        /* record a trace in each reply (simulate, test) */
    unsigned           nrcpt;        /* recipients accepted so far */
    char              *first_rcpt;   /* the first of them (DATA stages) */
    /* the evaluator's memory between commands */
    lookup_params      lp;
    int                lp_ready;
    int                in_mail;      /* a MAIL FROM was accepted */
    int                access_denied; /* the client list rejected at connect time */
    int                pending_dip;  /* a defer_if_permit before RCPT (no delay_reject) */
    struct { const char *name; const img_param *p; } pcache[POL_PARAM_CACHE];
    struct { const char *name; int on; } pdms[POL_PDMS_CACHE];
    struct { const char *name, *addr; int on; } cmatch[POL_PDMS_CACHE];
    struct { char *domain; int cls; } ccache[POL_CLASS_CACHE];
    unsigned           ccache_next;
    /* the sender as parsed (for sender), and what HELO checks found (for helo) */
    char              *parsed_sender_for;
    void              *parsed_sender;     /* pol_addr (internal.h) */
    lookup_result      lr_pool[POL_LR_POOL];  /* lookup results reused across decisions */
    strbuf             keybuf;       /* the lookup key being built */
    unsigned           lr_ready, lr_used;
    char              *helo_checked_for;  /* copies: callers may reuse their buffers */
    int                helo_valid, helo_fqdn;
    /* access lookups whose key stays the same across RCPTs (client, HELO,
     * sender): the answer by table, context and key, compared by content */
    struct pol_memo {
        uint32_t    table;
        int         what;
        char       *subject;          /* the folded key, and the client address */
        map_status  status;
        strbuf      key, value;
    }                  memo[POL_MEMO];
    unsigned           memo_used, memo_next;
    int                discard;      /* DISCARD seen: this transaction is dropped */
    pol_reply          pending;      /* the defer_if_permit of pending_dip */
} pol_session;

void pol_session_init(pol_session *s, pol_image *pi, const img_service *svc, pol_dns *dns);
void pol_session_free(pol_session *s);

/* The value of a parameter in the session's service. pol_param takes a
 * string constant (it caches by address); pol_param_dyn any string. */
const img_param *pol_param(const pol_session *s, const char *name);
const img_param *pol_param_dyn(const pol_session *s, const char *name);
const char      *pol_param_str(const pol_session *s, const char *name);
long long        pol_param_num(const pol_session *s, const char *name);

/* The settings of check_policy_service endpoint with attributes attrs
 * (the image's operands) in the session's service: 0, or -1 with why in
 * err (an unknown attribute, a bad value). pol_policy_cfg_apply applies
 * attributes alone over c's values (for checks at build time). Both
 * leave c to pol_policy_cfg_free. */
int  pol_policy_cfg_init(pol_policy_cfg *c, const pol_session *s, const char *endpoint,
                         const char *attrs, strbuf *err);
int  pol_policy_cfg_apply(pol_policy_cfg *c, const char *attrs, strbuf *err);
void pol_policy_cfg_free(pol_policy_cfg *c);

/* An effect's name as logs and queue files write it: "hold", "discard",
 * "filter", "redirect", "prepend", "bcc", "warn", "info". */
const char *pol_effect_name(pol_effect_kind k);

/* The decisions at each command. The reply's verdict is POL_NONE or
 * POL_PERMIT when the command is accepted (r->code 250 then), else the
 * reject or defer with its code and text. */
void pol_connect(pol_session *s, pol_reply *r);
void pol_helo(pol_session *s, pol_reply *r);
void pol_mail(pol_session *s, pol_reply *r);
void pol_rcpt(pol_session *s, const char *rcpt, pol_reply *r);
/* DATA (354 when accepted), the end of the message (250 "2.0.0 Ok"; the
 * caller adds ": queued as ID"), RSET or the end of a transaction (the
 * sender, queue_id and instance are forgotten), and
 * ETRN (250 "Queuing started" for a domain of fast_flush_domains, else
 * 459; 503 inside a transaction, 501 for a domain that is no host name). */
void pol_data(pol_session *s, pol_reply *r);
void pol_end_of_data(pol_session *s, pol_reply *r);
void pol_rset(pol_session *s);
void pol_etrn(pol_session *s, const char *domain, pol_reply *r);

/* Does the session's client match the address list parameter param
 * (mynetworks syntax: networks, host names, .domains, /file, type:table;
 * smtpd_client_event_limit_exceptions, ...)? param must be a string
 * constant (answers are remembered by its address). */
int  pol_client_listed(pol_session *s, const char *param);

/* Does the session's client match local_header_rewrite_clients (cleanup
 * then adds missing headers: cnt_info.local_client)? */
int  pol_local_header_rewrite(pol_session *s);

/* Answers of the verify callback. */
enum pol_verify { POL_VERIFY_UNKNOWN = 0, POL_VERIFY_OK, POL_VERIFY_BOUNCE, POL_VERIFY_DEFER };

/* Can this evaluator run the restriction (enum img_op)? Every opcode of
 * this format version. */
int  pol_op_supported(unsigned op);

#endif
