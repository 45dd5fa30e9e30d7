/* content.h: a message's content as Postfix's cleanup(8) processes it,
 * one line at a time while the client sends it: headers told from body,
 * MIME structure followed, header_checks / mime_header_checks /
 * nested_header_checks / body_checks applied (every action of
 * header_checks(5)), header edits made (REPLACE, PREPEND, IGNORE), the
 * limits of cleanup kept (header_size_limit, hopcount_limit, ...), and
 * the headers cleanup adds when missing (Message-ID, Date, From, ...) as
 * Postfix 3.7 adds them. The edited content comes out line by line
 * through a callback, ready to be stored.
 *
 * mtad's smtpd feeds it what the client sends (after dot-unstuffing, with
 * its own Received: header first); `mtacc simulate --message` feeds a
 * file. Same code, same verdict. */
#ifndef CONTENT_CONTENT_H
#define CONTENT_CONTENT_H
#include "stdlib/policy/policy.h"
#include <stddef.h>
#include <time.h>

typedef struct cnt_ctx cnt_ctx;

/* What cleanup knows of the message besides its content. Strings
 * borrowed, never NULL ("" when unknown). */
typedef struct cnt_info {
    const char *queue_id;
    const char *sender;            /* envelope sender, "" for <> */
    const char *const *rcpts;      /* envelope recipients */
    size_t      nrcpts;
    const char *client_name, *client_addr;   /* "" for a local submission */
    int         local_client;      /* matches local_header_rewrite_clients */
    time_t      arrival;
} cnt_info;

/* One output line (without end-of-line); more: it goes on in the next
 * call (a piece of a line longer than line_length_limit). */
typedef void (*cnt_out_fn)(void *arg, const char *line, size_t len, int more);

/* One action as cleanup logs it: "QUEUEID: ACTION: WHERE LINE from
 * CLIENT; from=<> to=<> ...: TEXT". */
typedef struct cnt_log {
    char *action;      /* "reject", "warning", "info", "hold", "discard", "filter",
                          "redirect", "bcc", "replace", "prepend", "strip", "pass" */
    char *where;       /* "header", "body" */
    char *line;        /* the header or body line that matched (whole) */
    char *text;        /* the action's text ("" if none) */
} cnt_log;

/* The outcome, complete after cnt_end. */
typedef struct cnt_result {
    pol_verdict  verdict;        /* POL_NONE: accept; POL_REJECT / POL_DEFER with code, text */
    int          code;           /* 550, 451, ... */
    strbuf       text;           /* "5.7.1 message content rejected" ... */
    pol_effect  *fx;             /* HOLD, DISCARD, FILTER, REDIRECT, BCC, WARN, INFO, PREPEND */
    size_t       nfx;
    /* what decided (for the log line "reject: header Subject: ...; from=<> to=<>") */
    const char  *stage;          /* "header", "body", or NULL */
    strbuf       matched;        /* the header or body line that matched (truncated for logs) */
    uint32_t     table, line;    /* TABLES index and source line of the rule, or UINT32_MAX */
    cnt_log     *log;            /* every action taken, in order */
    size_t       nlog;
    strbuf       warnings;       /* configuration problems cleanup logs as warnings, one
                                    per line ("unknown command in header_checks map: ...") */
    unsigned     headers_added;  /* how many headers cleanup added (Message-Id, Date, ...) */
} cnt_result;

/* A context for one message under service svc's parameters (-o values):
 * smtpd's service; the checks and limits come from the cleanup service it
 * names (cleanup_service_name), as in Postfix, where smtpd's own -o
 * header_checks= has no effect; smtpd's receive_override_options
 * no_header_body_checks turns the checks off. svc NULL: global values. */
cnt_ctx *cnt_new(pol_image *pi, const img_service *svc, const cnt_info *info,
                 cnt_out_fn out, void *out_arg);
/* Where the client's own content starts (after smtpd's Received:
 * header): its first line gets smtpd's treatment (a "From " or ">From "
 * line becomes an X-Mailbox-Line: header; a line that starts with space
 * or tab is preceded by an empty line, so it cannot continue Received:). */
void cnt_begin_client(cnt_ctx *c);
/* One piece of content, without end-of-line; more as for cnt_out_fn. */
void cnt_line(cnt_ctx *c, const char *line, size_t len, int more);
/* End of the message: flushes, adds missing headers, settles the result. */
void cnt_end(cnt_ctx *c);
const cnt_result *cnt_result_of(const cnt_ctx *c);
void cnt_free(cnt_ctx *c);

/* received.c: a date as cleanup writes it in headers ("Sun,  2 Nov 2026
 * 07:47:35 +0000 (UTC)", the local zone), and smtpd's Received: header
 * for info (lines separated by "\n"); helo NULL or "": none was sent;
 * protocol "SMTP", "ESMTP", "ESMTPS", "ESMTPSA" ... */
void cnt_date(time_t t, strbuf *out);
void cnt_received(const cnt_info *info, const char *helo, const char *myhostname,
                  const char *mail_name, const char *protocol, strbuf *out);

#endif
