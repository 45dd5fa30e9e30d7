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
    const char  *rcpt;         /* RCPT stage: the recipient */
    pol_addr     rcpt_addr;
    int          warn_next;    /* warn_if_reject before this restriction */
    pol_reply    defer_if_permit, defer_if_reject;   /* saved, when set */
    int          have_dip, have_dir;
    int          depth;        /* class nesting */
} pol_state;
/* Run program p; POL_FLOW_STOP: r holds a reject/defer. */
pol_flow pol_run_program(pol_state *st, uint32_t program);
/* An access(5) result text of table `table` for lookup item `item`:
 * the flow, with r filled when it stops. */
pol_flow pol_access_result(pol_state *st, const char *value, const char *item, uint32_t table,
                           const char *key);
/* A reject in the list's context: "<item>: Context rejected: text". */
pol_flow pol_reject(pol_state *st, int code, const char *dsn, const char *item, const char *text);
/* The item a context reports: client name[addr], helo, sender, recipient. */
const char *pol_item(pol_state *st);
/* Remember a deferral for the end of the stage (defer_if_permit). */
void pol_defer_if_permit(pol_state *st, int code, const char *dsn, const char *item,
                         const char *text);
/* A DNS temporary failure, as the *_tempfail_action parameter says. */
pol_flow pol_tempfail(pol_state *st, const char *action_param, int code, const char *dsn,
                      const char *item, const char *text);

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
