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
} cnt_result;

/* A context for one message under service svc's parameters (-o values). */
cnt_ctx *cnt_new(pol_image *pi, const img_service *svc, const cnt_info *info,
                 cnt_out_fn out, void *out_arg);
/* One piece of content, without end-of-line; more as for cnt_out_fn. */
void cnt_line(cnt_ctx *c, const char *line, size_t len, int more);
/* End of the message: flushes, adds missing headers, settles the result. */
void cnt_end(cnt_ctx *c);
const cnt_result *cnt_result_of(const cnt_ctx *c);
void cnt_free(cnt_ctx *c);

#endif
