/* priv.h: who the SMTP workers run as. When the master runs as root and
 * the image's mail_owner names an existing user, the queue's state
 * directories (incoming, active, ...) and their files are given to that
 * user at start (the queue directory itself and pid/ keep their owner)
 * and every worker drops to it (setgroups, setgid, setuid) before it
 * serves; the master stays root to bind ports and reload. Otherwise everything runs as the invoking
 * user, so tests never need root. */
#ifndef RUNTIME_PRIV_H
#define RUNTIME_PRIV_H
#include "stdlib/image/image.h"
#include "stdlib/util/strbuf.h"
#include <sys/types.h>

typedef struct mtad_priv {
    int   drop;                 /* 1: workers become uid/gid */
    uid_t uid;
    gid_t gid;
    char  user[64];
} mtad_priv;

void priv_plan(const img *im, mtad_priv *p);
/* Give the state directories to the user and check, as that user, that
 * it can work there (a parent directory closed to it is the usual
 * mistake). */
int  priv_prepare_queue(const mtad_priv *p, const char *queue_dir, strbuf *err);
/* In a worker, before it serves. */
int  priv_drop(const mtad_priv *p, strbuf *err);

#endif
