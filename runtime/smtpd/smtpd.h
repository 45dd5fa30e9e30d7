/* smtpd.h: what the files of mtad's SMTP worker share: the worker (one
 * event loop, many sessions), a session, and the per-service settings
 * read once from the image. Prefix smtpd_. */
#ifndef SMTPD_SMTPD_H
#define SMTPD_SMTPD_H
#include "runtime/qmgr/store.h"
#include "runtime/worker.h"
#include "stdlib/content/content.h"
#include "stdlib/policy/policy.h"
#include "stdlib/policy/policy_client.h"
#include "stdlib/util/strbuf.h"
#include <stdint.h>
#include <time.h>

/* The settings of one smtpd service (its -o values applied). */
typedef struct smtpd_cfg {
    const img_service *svc;
    const char *myhostname, *mail_name;
    long long   line_limit;          /* line_length_limit */
    long long   size_limit;          /* message_size_limit, 0: none */
    long long   rcpt_limit;          /* smtpd_recipient_limit */
    long long   timeout;             /* smtpd_timeout, seconds */
    long long   soft_errors, hard_errors, error_sleep;   /* smtpd_*_error_limit, _sleep_time */
    long long   junk_limit;          /* smtpd_junk_command_limit */
    long long   conn_limit;          /* smtpd_client_connection_count_limit, 0: none */
    int         vrfy_disabled;       /* disable_vrfy_command */
    int         smtputf8;            /* smtputf8_enable */
    int         peername_lookup;     /* smtpd_peername_lookup */
    int         ehlo_off;            /* SMTPD_EHLO_* of smtpd_discard_ehlo_keywords */
    int         bare_newline;        /* smtpd_forbid_bare_newline: SMTPD_BARE_* */
    int         bare_reject_code;    /* smtpd_forbid_bare_newline_reject_code */
} smtpd_cfg;

enum {
    SMTPD_EHLO_PIPELINING = 1, SMTPD_EHLO_SIZE = 2, SMTPD_EHLO_VRFY = 4, SMTPD_EHLO_ETRN = 8,
    SMTPD_EHLO_ENHANCED = 16, SMTPD_EHLO_8BITMIME = 32, SMTPD_EHLO_DSN = 64,
    SMTPD_EHLO_SMTPUTF8 = 128, SMTPD_EHLO_SILENT = 256,
};

enum { SMTPD_BARE_ALLOW, SMTPD_BARE_NORMALIZE, SMTPD_BARE_REJECT };

/* What one image generation needs at run time. */
typedef struct smtpd_gen {
    const img  *im;
    pol_image   pi;
    smtpd_cfg  *cfgs;                /* per service index (only smtpd ones filled) */
} smtpd_gen;

typedef enum smtpd_state {
    SS_LOOKUP,                       /* resolving the client's name */
    SS_CMD,                          /* reading commands */
    SS_DATA,                         /* reading the message */
    SS_COMMIT,                       /* waiting for the queue's group commit */
    SS_SLEEP,                        /* error sleep before the next reply */
} smtpd_state;

typedef struct smtpd_rcpt { char *addr, *orcpt; unsigned notify; } smtpd_rcpt;

typedef struct smtpd_worker smtpd_worker;

typedef struct smtpd_session {
    struct smtpd_session *prev, *next;   /* every session of the worker */
    smtpd_worker     *w;
    const smtpd_cfg  *cfg;
    const mtad_listener *l;
    int               fd;
    smtpd_state       state;
    time_t            deadline;          /* smtpd_timeout for the current read or write */
    time_t            wake;              /* SS_SLEEP: when to go on */
    int               closing_after;     /* close once the output is written */
    int               peer_eof;          /* the client sends nothing more */
    int               dead;              /* closed; freed after the event batch */
    int               fiber_busy;        /* a decision waits on the network (fiber.h) */
    char             *unit_line;         /* the command that decision answers */
    size_t            unit_len;
    unsigned          ev_mask;           /* the epoll events registered */
    int               ev_added;
    /* the client */
    char              addr[64], port[8], server_addr[64], server_port[8];
    char             *name, *reverse;    /* verified and PTR names ("unknown") */
    int               name_temp;
    char              peer[320];         /* "name[addr]" for logs */
    pol_session       pol;
    /* input: unparsed bytes (freed when empty), output: replies not yet written */
    char             *in;
    size_t            in_len, in_cap, in_off;   /* in_off: parsed up to here */
    strbuf            out;
    int               discarding;        /* dropping the rest of an overlong command line */
    /* the protocol */
    char             *helo;
    int               esmtp;
    unsigned          errors, junk;
    unsigned          count[16], ok[16]; /* per command: sent, succeeded (disconnect line) */
    unsigned          ncommands, nok;
    const char       *last_cmd;          /* "RCPT", for "lost connection after RCPT" */
    /* the transaction */
    char             *sender;
    smtpd_rcpt       *rcpts;
    size_t            nrcpts, rcpts_cap;
    char             *envid, *ret, *body;
    int               smtputf8;
    unsigned long long declared_size;
    pol_effect       *fx;                /* effects of the access decisions */
    size_t            nfx;
    qmsg             *msg;
    char              queue_id[16];
    char              instance[64];
    unsigned          transactions;
    /* DATA */
    cnt_ctx          *cnt;
    int               in_line;           /* the last piece had no end of line yet */
    unsigned long long data_size;
    int               too_big, write_failed, in_body;
    int               bare_mode;         /* SMTPD_BARE_*, after the exclusions */
    int               bare_lf;           /* a line of the message ended in a bare LF */
    int               crlf_before;       /* the line before ended in CRLF */
    char             *msgid;
} smtpd_session;

struct smtpd_worker {
    const worker_args *args;
    smtpd_gen          gen;
    pol_dns           *dns;
    pol_policy_clients *policy;
    qstore            *queue;
    int                ep;               /* epoll */
    int                sigfd;
    int                draining, stopping;
    smtpd_session      sessions;         /* list head */
    size_t             nsessions;
    unsigned           seq;              /* instance counter */
    char              *rbuf;             /* the shared read buffer */
    size_t             rbuf_cap;
    struct smtpd_fibers *fibers;
    unsigned           commits;          /* messages waiting for the group commit */
    smtpd_session     *dead;             /* closed sessions, freed after the batch */
};

/* worker.c */
/* Set a worker up for a (the queue, the pools, epoll with the listeners
 * whose fd is not -1) without serving: smtpd_worker_main's first half,
 * for harnesses that make their own sessions; they may replace w->dns
 * (pol_dns_free the old one). -1 (logged) when the queue does not open.
 * fini frees it all once no session is left (smtpd_close each). */
int  smtpd_worker_init(smtpd_worker *w, const worker_args *a);
void smtpd_worker_fini(smtpd_worker *w);
void smtpd_watch(smtpd_session *s);          /* (re)arm epoll for s's state */
/* session.c */
smtpd_session *smtpd_session_new(smtpd_worker *w, const mtad_listener *l, int fd);
void smtpd_session_start(smtpd_session *s);  /* after the name lookup: banner */
void smtpd_session_readable(smtpd_session *s);
void smtpd_session_writable(smtpd_session *s);
/* Parse what is buffered and reply. -1: the session is gone (freed). */
int  smtpd_session_input(smtpd_session *s);
void smtpd_session_free(smtpd_session *s);   /* unlinks now, frees at smtpd_reap */
void smtpd_reap(smtpd_worker *w);
void smtpd_session_timeout(smtpd_session *s);
void smtpd_reply(smtpd_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void smtpd_reply_pol(smtpd_session *s, const pol_reply *r);
int  smtpd_flush(smtpd_session *s);          /* -1: the client is gone */
void smtpd_close(smtpd_session *s);          /* log the disconnect, free */
void smtpd_log_reject(smtpd_session *s, const char *stage, const pol_reply *r, const char *rcpt);
void smtpd_log_fx(smtpd_session *s, const char *stage, const pol_reply *r, const char *rcpt);
/* commands.c */
void smtpd_command(smtpd_session *s, char *line, size_t len);
void smtpd_data_counted(smtpd_session *s, int ok);   /* DATA's outcome, for the disconnect line */
void smtpd_reset(smtpd_session *s);          /* end the transaction */
/* data.c */
void smtpd_data_start(smtpd_session *s);
/* one line (or piece) of the message; returns 1 at the end of data,
 * where the caller runs smtpd_end_of_data */
int  smtpd_data_line(smtpd_session *s, const char *line, size_t len, int more, int crlf);
void smtpd_end_of_data(smtpd_session *s);
/* config.c */
void smtpd_cfg_load(smtpd_cfg *c, const img *im, const img_service *svc);
/* peer.c: the client's names, looked up on the fiber pool, then
 * smtpd_session_start */
void smtpd_peer_lookup(smtpd_worker *w, smtpd_session *s);

#endif
