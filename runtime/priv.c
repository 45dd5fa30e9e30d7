/* priv.c: the workers' user (see priv.h). */
#include "runtime/priv.h"
#include "runtime/qmgr/store.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
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

/* The state directories and their files go to the user; the queue
 * directory itself stays with its owner (as Postfix's does with root), so
 * a mistaken -q never hands anything else over. */
static int chown_state_dir(const mtad_priv *p, const char *path, strbuf *err)
{
    if (lchown(path, p->uid, p->gid) < 0) {
        sb_addf(err, "%s: cannot give it to mail_owner %s: %s", path, p->user, strerror(errno));
        return -1;
    }
    DIR *d = opendir(path);
    if (!d) {
        sb_addf(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (fchownat(dirfd(d), e->d_name, p->uid, p->gid, AT_SYMLINK_NOFOLLOW) < 0) {
            sb_addf(err, "%s/%s: cannot give it to mail_owner %s: %s", path, e->d_name, p->user,
                    strerror(errno));
            rc = -1;
        }
    }
    closedir(d);
    return rc;
}

int priv_prepare_queue(const mtad_priv *p, const char *queue_dir, strbuf *err)
{
    if (!p->drop)
        return 0;
    char path[4096];
    for (int st = 0; st < QS_NSTATES; st++) {
        snprintf(path, sizeof path, "%s/%s", queue_dir, qs_state_name((enum qs_state)st));
        if (chown_state_dir(p, path, err) < 0)
            return -1;
    }
    /* can the user reach and write the queue? (ask as that user) */
    snprintf(path, sizeof path, "%s/%s", queue_dir, qs_state_name(QS_INCOMING));
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
        _exit(access(path, R_OK | W_OK | X_OK) == 0 ? 0 : errno);
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
