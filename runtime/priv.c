/* priv.c: the workers' user (see priv.h). */
#include "runtime/priv.h"

#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void priv_plan(const img *im, mtad_priv *p)
{
    memset(p, 0, sizeof *p);
    if (geteuid() != 0)
        return;
    const img_param *owner = img_param_find(im, "mail_owner");
    const char *name = owner ? img_str(im, owner->text) : "";
    struct passwd *pw = *name ? getpwnam(name) : NULL;
    if (!pw || pw->pw_uid == 0)
        return;
    p->drop = 1;
    p->uid = pw->pw_uid;
    p->gid = pw->pw_gid;
    snprintf(p->user, sizeof p->user, "%s", name);
}

/* nftw has no context argument */
static uid_t chown_uid;
static gid_t chown_gid;
static size_t pid_dir_len;
static const char *pid_dir;

static int chown_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag;
    if (strncmp(path, pid_dir, pid_dir_len) == 0 && (path[pid_dir_len] == 0 || path[pid_dir_len] == '/'))
        return 0;
    (void)ftw;
    if (lchown(path, chown_uid, chown_gid) < 0)
        return errno ? errno : -1;
    return 0;
}

int priv_prepare_queue(const mtad_priv *p, const char *queue_dir, strbuf *err)
{
    if (!p->drop)
        return 0;
    char piddir[4096];
    snprintf(piddir, sizeof piddir, "%s/pid", queue_dir);
    chown_uid = p->uid;
    chown_gid = p->gid;
    pid_dir = piddir;
    pid_dir_len = strlen(piddir);
    int rc = nftw(queue_dir, chown_one, 32, FTW_PHYS | FTW_MOUNT);
    if (rc != 0) {
        sb_addf(err, "%s: cannot give the queue to mail_owner %s: %s", queue_dir, p->user,
                rc > 0 ? strerror(rc) : strerror(errno));
        return -1;
    }
    /* can the user reach and write the queue? (ask as that user) */
    pid_t pid = fork();
    if (pid < 0) {
        sb_addf(err, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        strbuf e;
        sb_init(&e);
        if (priv_drop(p, &e) < 0)
            _exit(EPERM);
        _exit(access(queue_dir, R_OK | W_OK | X_OK) == 0 ? 0 : errno);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        sb_addf(err, "%s: not usable by mail_owner %s (uid %ld): %s; open its parent directories to that user"
                     " or run mtad as that user",
                queue_dir, p->user, (long)p->uid,
                WIFEXITED(status) ? strerror(WEXITSTATUS(status)) : "the check failed");
        return -1;
    }
    return 0;
}

int priv_drop(const mtad_priv *p, strbuf *err)
{
    if (!p->drop)
        return 0;
    if (setgroups(1, &p->gid) < 0 || setgid(p->gid) < 0 || setuid(p->uid) < 0) {
        sb_addf(err, "cannot become %s (uid %ld): %s", p->user, (long)p->uid, strerror(errno));
        return -1;
    }
    if (setuid(0) == 0) {            /* must be impossible now */
        sb_addf(err, "could drop to %s but regain root", p->user);
        return -1;
    }
    return 0;
}
