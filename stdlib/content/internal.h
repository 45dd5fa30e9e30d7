/* internal.h: what the files of stdlib/content share (content.h is the
 * interface): the context of one message, the MIME entity stack, the
 * checks tables and the settings read once from the image. */
#ifndef CONTENT_INTERNAL_H
#define CONTENT_INTERNAL_H
#include "stdlib/content/content.h"

/* Which table list a line goes to. */
typedef enum cnt_class {
    CNT_HEADER = 0,        /* header_checks: primary headers */
    CNT_MIME_HEADER,       /* mime_header_checks: Content-*, MIME-Version anywhere */
    CNT_NESTED_HEADER,     /* nested_header_checks: headers of attached messages */
    CNT_BODY,              /* body_checks */
    CNT_NCLASS,
    CNT_NONE = CNT_NCLASS, /* not inspected (non-MIME headers of a multipart part) */
} cnt_class;

/* Where the input is. */
typedef enum cnt_state {
    CNT_ST_PRIMARY = 0,    /* the message's own headers */
    CNT_ST_PART,           /* headers of a multipart part */
    CNT_ST_NESTED,         /* headers of an attached message (message/rfc822) */
    CNT_ST_BODY,
} cnt_state;

/* What the headers of an entity said its body is. */
typedef enum cnt_ctype { CNT_CT_OTHER = 0, CNT_CT_MULTIPART, CNT_CT_MESSAGE } cnt_ctype;

/* An open multipart entity: its boundary (without the leading "--"). */
typedef struct cnt_bound {
    char  *s;
    size_t len;
    int    digest;     /* multipart/digest: parts default to message/rfc822 */
} cnt_bound;

/* Headers cleanup looks for (bits of cnt_ctx.seen). */
enum {
    CNT_H_FROM = 1u << 0, CNT_H_DATE = 1u << 1, CNT_H_MSGID = 1u << 2, CNT_H_TO = 1u << 3,
    CNT_H_CC = 1u << 4, CNT_H_RESENT = 1u << 5, CNT_H_RFROM = 1u << 6, CNT_H_RDATE = 1u << 7,
    CNT_H_RMSGID = 1u << 8, CNT_H_RTO = 1u << 9, CNT_H_RCC = 1u << 10,
};

struct cnt_ctx {
    pol_image      *pi;
    const img      *im;
    const img_service *svc, *cleanup;   /* smtpd service, the cleanup service it names */
    cnt_info        info;
    cnt_out_fn      out;
    void           *out_arg;
    cnt_result      res;
    /* settings */
    const img_param *tables[CNT_NCLASS];   /* NULL: none configured */
    const img_param *drop;         /* message_drop_headers */
    int             checks;        /* any table configured and not switched off */
    int             mime;          /* MIME processing on */
    long long       header_limit, hop_limit, body_limit, nesting_limit, boundary_limit;
    int             add_headers;   /* add missing From/Date/Message-Id/To */
    unsigned char   strip[256], reject[256];
    int             have_strip, have_reject;
    /* state */
    cnt_state       state;
    cnt_ctype       ctype;         /* of the entity whose headers are being read */
    int             digest;        /* its multipart is multipart/digest */
    char           *pending_bound; /* boundary named by the entity's Content-Type */
    strbuf          hdr;           /* the logical header being collected */
    int             have_hdr, hdr_full, hdr_more;
    int             client_first;  /* cnt_begin_client: the next line is the client's first */
    cnt_bound      *bounds;
    size_t          nbounds, bcap;
    long long       body_off;      /* bytes of the current body segment so far */
    int             in_piece;      /* the current body line goes on (more) */
    unsigned        seen;
    long long       hops;
    int             stop_checks;   /* REJECT, DISCARD, PASS, REDIRECT or an error ended inspection */
    int             held;          /* HOLD seen (a second one does nothing) */
    int             ended;
    strbuf          value, err, tmp, line, key;
};

/* checks.c: the tables of one class for key; fills c->res on actions. */
typedef enum cnt_edit { CNT_KEEP = 0, CNT_DROP, CNT_REPLACED } cnt_edit;
/* Inspect one header (class: which tables) or body line; may PREPEND
 * (through out), and REPLACE into *repl (valid when CNT_REPLACED). */
cnt_edit cnt_inspect(cnt_ctx *c, cnt_class cls, const char *key, size_t len, strbuf *repl);
/* Settle the result as a reject/defer (the first one wins). */
void cnt_fail(cnt_ctx *c, pol_verdict v, int code, const char *text);

/* mime.c */
/* Parse a Content-Type header value into c->ctype / pending_bound / digest. */
void cnt_mime_content_type(cnt_ctx *c, const char *value, size_t len);
/* Is line a boundary of an open multipart? Returns 1 (next part), 2 (the
 * end of that multipart) or 0, and pops the entities it closes. */
int  cnt_mime_boundary(cnt_ctx *c, const char *line, size_t len);
void cnt_mime_push(cnt_ctx *c);
void cnt_mime_free(cnt_ctx *c);

/* addhdr.c: the headers cleanup adds at the end of the primary headers. */
void cnt_add_missing(cnt_ctx *c);

/* content.c: a parameter as the cleanup service sees it. */
const img_param *cnt_param(const cnt_ctx *c, const char *name);

/* emit */
static inline void cnt_emit(cnt_ctx *c, const char *s, size_t n, int more)
{
    if (c->out)
        c->out(c->out_arg, s, n, more);
}

#endif
