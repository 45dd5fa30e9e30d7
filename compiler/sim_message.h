/* sim_message.h: `mtacc simulate --message FILE`: a message's content
 * through stdlib/content after a simulated session (sim_message.c). */
#ifndef COMPILER_SIM_MESSAGE_H
#define COMPILER_SIM_MESSAGE_H
#include "stdlib/content/content.h"

typedef struct sim_message {
    const char *path;      /* the message file (LF or CRLF lines, not dot-stuffed) */
    int         show;      /* print the message as cleanup would store it */
    cnt_ctx    *c;
    strbuf      out;       /* the edited message, "\n" after each line */
} sim_message;

/* Feed smtpd's Received: header and the file to a new content context for
 * session s (its sender, client, helo) and the accepted recipients; -1
 * after reporting when the file cannot be read. */
int  sim_message_run(sim_message *m, pol_session *s, const char *const *rcpts, size_t nrcpts,
                     time_t arrival, const char *queue_id);
/* The end-of-data reply becomes cleanup's reject or defer, if any. */
void sim_message_reply(const sim_message *m, pol_reply *r);
/* Text lines "CONTENT: ..." or a JSON member ', "content": {...}'. */
void sim_message_print(const sim_message *m, const img *im, int json);
void sim_message_free(sim_message *m);

#endif
