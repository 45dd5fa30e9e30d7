/* internal.h: what the files of stdlib/policy share (not for callers:
 * policy.h is the interface). */
#ifndef POLICY_INTERNAL_H
#define POLICY_INTERNAL_H
#include "stdlib/policy/policy.h"
#include <stdarg.h>

/* session.c */
void pol_reply_set(pol_reply *r, pol_verdict v, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void pol_reply_effect(pol_reply *r, pol_effect_kind k, const char *text);
void pol_trace(pol_session *s, pol_reply *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int  pol_param_bool(const pol_session *s, const char *name);
const lookup_params *pol_lookup_params(pol_session *s);
/* TABLES index of a spec as written (proxy: ignored), -1 if none. */
int  pol_table_index(const pol_image *pi, const char *spec);

/* template.c: reply templates with session macros */
typedef struct pol_macro {
    const char *name, *value;
} pol_macro;
void pol_expand(pol_session *s, const char *text, const pol_macro *m, size_t nm, strbuf *out);
/* Postfix's mac_expand: the value of a name (NULL: not defined; tmp may
 * hold it), appended to out with characters not in filter (NULL: all
 * allowed) replaced by '_'. Returns POL_EXP_* bits, 0 when all is well. */
typedef const char *(*pol_macro_fn)(void *ctx, const char *name, strbuf *tmp);
enum { POL_EXP_UNDEF = 1, POL_EXP_ERROR = 2 };
int  pol_mac_expand(const char *text, pol_macro_fn fn, void *ctx, const char *filter, strbuf *out);
/* smtpd's session macros: client, client_address, client_name,
 * reverse_client_name, client_port, helo_name, sender[_name|_domain],
 * recipient[_name|_domain] (rcpt: NULL outside RCPT), server_name,
 * localtime. NULL for any other name. */
const char *pol_session_macro(pol_session *s, const char *rcpt, const char *name, strbuf *tmp);
/* smtpd_reject_footer appended to a reject or defer reply (eval.c) */
void pol_footer(pol_session *s, const char *rcpt, pol_reply *r);

/* match.c: Postfix's match lists */
/* Does the client (name, addr) match a host/address list parameter
 * (mynetworks, permit_mx_backup_networks, ...)? -1: a table failed. */
int  pol_match_client(pol_session *s, const char *param, const char *name, const char *addr);
/* Does domain match a domain list parameter (relay_domains, ...)? */
int  pol_match_domain(pol_session *s, const char *param, const char *domain);
/* Is key in one of the tables a parameter lists? 1 yes, 0 no, -1 error. */
int  pol_table_list_has(pol_session *s, const char *param, const char *key);
/* Is addr one of this host's addresses (inet_interfaces, proxy_interfaces)? */
int  pol_own_address(pol_session *s, const char *addr);
/* The address class of a domain (enum img_class_id); IMG_CLASS_DEFAULT if none. */
int  pol_domain_class(pol_session *s, const char *domain);

/* addr.c: addresses as smtpd and trivial-rewrite see them */
typedef struct pol_addr {
    char *addr;        /* the address without <> and source route, quotes kept */
    char *local;       /* local part, unquoted */
    char *domain;      /* lowercase domain ("" if none) */
    char *echo;        /* as replies show it: unquoted, without source route */
    /* resolved as trivial-rewrite does: while the domain is local, user@host,
     * user%host (allow_percent_hack) and host!user (swap_bangpath) in the
     * local part are taken apart */
    char *rlocal, *rdomain;
    int   routed;      /* sender-specified routing left: @ % ! in the resolved local part */
} pol_addr;
void pol_addr_parse(pol_session *s, const char *in, pol_addr *a);
void pol_addr_free(pol_addr *a);
/* Is name a fully-qualified domain (has a dot, or an address literal)? */
int  pol_fqdn(const char *name);
/* Postfix's hostname/address-literal syntax check for HELO. */
int  pol_valid_helo(const char *name);

/* access.c: access(5) results */
typedef enum pol_ctx {
    POL_CTX_CLIENT, POL_CTX_HELO, POL_CTX_SENDER, POL_CTX_RECIPIENT, POL_CTX_ETRN,
    POL_CTX_DATA, POL_CTX_EOD,
    POL_CTX_REVERSE,   /* the unverified reverse client name */
} pol_ctx;
/* "Client host", "Helo command", "Sender address", "Recipient address", ... */
const char *pol_ctx_what(pol_ctx c);

/* eval.c */
typedef enum pol_flow { POL_FLOW_DUNNO = 0, POL_FLOW_OK, POL_FLOW_STOP } pol_flow;
typedef struct pol_state {
    pol_session *s;
    pol_reply   *r;
    pol_ctx      ctx;          /* the context of the restriction being evaluated */
    pol_ctx      list_ctx;     /* the top-level list being evaluated */
    pol_stage    stage;        /* the SMTP command being decided */
    const char  *rcpt;         /* RCPT stage: the recipient */
    const char  *etrn;         /* ETRN stage: the domain */
    pol_addr     rcpt_addr;
    int          warn_next;    /* warn_if_reject before this restriction */
    pol_reply    defer_if_permit, defer_if_reject;   /* saved, when set */
    int          have_dip, have_dir;
    int          depth;        /* class nesting */
    pol_addr     scratch;      /* an address parsed for one restriction */
    char         client_item[600];   /* "name[addr]", as pol_item gives it */
} pol_state;
/* The parsed form of addr: the recipient's or the sender's (parsed once)
 * when addr is that one, else parsed into st->scratch. */
const pol_addr *pol_parsed(pol_state *st, const char *addr);
/* Run program p; POL_FLOW_STOP: r holds a reject/defer. */
pol_flow pol_run_program(pol_state *st, uint32_t program);
/* An access(5) result text of table `table` for lookup item `item`:
 * the flow, with r filled when it stops. */
pol_flow pol_access_result(pol_state *st, const char *value, const char *item, uint32_t table,
                           const char *key);
/* A reject in the list's context: "<item>: Context rejected: text". */
pol_flow pol_reject(pol_state *st, int code, const char *dsn, const char *item, const char *text);
/* The same in the context of another list. */
pol_flow pol_reject_as(pol_state *st, pol_ctx ctx, int code, const char *dsn, const char *item,
                       const char *text);
/* The item a context reports: client name[addr], helo, sender, recipient. */
const char *pol_item(pol_state *st);
/* Remember a deferral for the end of the stage (defer_if_permit). */
void pol_defer_if_permit(pol_state *st, int code, const char *dsn, const char *item,
                         const char *text);
/* A DNS temporary failure, as the *_tempfail_action parameter says. */
pol_flow pol_tempfail(pol_state *st, const char *action_param, int code, const char *dsn,
                      const char *item, const char *text);

/* eval.c, for the restrictions of the other files: a reject or defer
 * with its whole text (warn_if_reject, defer_if_reject and soft_bounce
 * apply), a defer_if_reject "<item>: Context rejected: text", 451 4.3.5
 * Server configuration error, and whether the recipient is one this
 * host accepts (permit_auth_destination). */
pol_flow pol_stop(pol_state *st, int code, const char *dsn, const char *text);
void     pol_defer_if_reject(pol_state *st, int code, const char *dsn, const char *item,
                             const char *text);
pol_flow pol_config_error(pol_state *st, const char *why);
/* f, except that OK (not allowed from check_reverse_client_hostname_access
 * and the DNS server access checks) becomes a configuration error. */
pol_flow pol_refuse_ok(pol_state *st, pol_flow f, const char *what);
int      pol_auth_destination(pol_state *st);

/* dnsbl.c: reject_rbl_client, permit_dnswl_client, reject_rhsbl_{client,
 * reverse_client,helo,sender,recipient}, permit_rhswl_client (operands:
 * a = the list's domain, b = "=d.d.d.d" filter or ""). */
pol_flow pol_dnsxl_insn(pol_state *st, const img_insn *x);
/* A "d.d.d.d" filter (without '='): allow[i][v] for each octet i; -1 if
 * it does not parse. */
int pol_dnsxl_filter_parse(const char *pattern, unsigned char allow[4][256]);
/* smtpd_dsn_fix: an address status x.1.y in dsn (room for 16 bytes) made
 * to fit the class rejected ("Sender address", "Recipient address"; any
 * other class gets x.0.0); the first digit is left as it was. */
void pol_dsn_fix(char *dsn, const char *class);

/* dnsaccess.c: check_{client,reverse_client_hostname,helo,sender,
 * recipient}_{a,mx,ns}_access (a = the table). */
pol_flow pol_server_access_insn(pol_state *st, const img_insn *x);

/* unknown.c: reject_unknown_{helo_hostname,sender_domain,recipient_domain,
 * client_hostname,reverse_client_hostname} */
pol_flow pol_unknown_helo(pol_state *st);
pol_flow pol_unknown_domain(pol_state *st, const char *addr, int sender);
pol_flow pol_unknown_client(pol_state *st, int reverse);
/* permit_mx_backup (mxbackup.c) */
pol_flow pol_mx_backup(pol_state *st);
/* unlisted.c: reject_unlisted_recipient / _sender and the implicit
 * smtpd_reject_unlisted_recipient check */
pol_flow pol_unlisted(pol_state *st, const char *addr, int sender);

/* Is name a syntactically valid host name (not an address literal)? */
int  pol_valid_hostname(const char *name);

#endif
