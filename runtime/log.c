/* log.c: mtad's log lines in Postfix's format (see log.h). */
#include "runtime/log.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static enum mlog_target target = MLOG_STDERR;
static int  log_fd = 2;
static char log_path[4096];
static char ident[128] = "mtad";
static char prefix[96] = "mtad";
static char host[256];

static int facility_of(const char *name)
{
    static const struct { const char *name; int fac; } tab[] = {
        {"mail", LOG_MAIL}, {"daemon", LOG_DAEMON}, {"user", LOG_USER},
        {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
        {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
        {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (name && strcasecmp(name, tab[i].name) == 0) return tab[i].fac;
    return LOG_MAIL;
}

int mlog_open(enum mlog_target t, const char *arg)
{
    mlog_close();
    target = t;
    if (gethostname(host, sizeof host) != 0) strcpy(host, "localhost");
    host[sizeof host - 1] = 0;
    char *dot = strchr(host, '.');     /* syslog shows the short name */
    if (dot) *dot = 0;
    if (t == MLOG_FILE) {
        snprintf(log_path, sizeof log_path, "%s", arg);
        log_fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (log_fd < 0) { target = MLOG_STDERR; log_fd = 2; return -1; }
    } else if (t == MLOG_SYSLOG) {
        openlog(ident, LOG_PID | LOG_NDELAY, facility_of(arg));
    } else {
        log_fd = 2;
    }
    return 0;
}

void mlog_set_name(const char *syslog_name, const char *role)
{
    snprintf(prefix, sizeof prefix, "%s", syslog_name && *syslog_name ? syslog_name : "mtad");
    snprintf(ident, sizeof ident, "%s/%s", prefix, role);
    if (target == MLOG_SYSLOG) {
        closelog();
        openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
    }
}

void mlog_set_role(const char *role)
{
    char name[96];
    snprintf(name, sizeof name, "%s", prefix);
    mlog_set_name(name, role);
}

void mlog_reopen(void)
{
    if (target != MLOG_FILE) return;
    int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) return;
    if (log_fd > 2) close(log_fd);
    log_fd = fd;
}

void mlog_close(void)
{
    if (target == MLOG_FILE && log_fd > 2) close(log_fd);
    if (target == MLOG_SYSLOG) closelog();
    target = MLOG_STDERR;
    log_fd = 2;
}

static const char *level_prefix(int prio)
{
    switch (prio) {
    case LOG_WARNING: return "warning: ";
    case LOG_ERR:     return "error: ";
    case LOG_CRIT: case LOG_ALERT: case LOG_EMERG: return "fatal: ";
    default:          return "";
    }
}

void mlog(int prio, const char *fmt, ...)
{
    char msg[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof msg)       /* mark, never silently cut */
        memcpy(msg + sizeof msg - 6, "[...]", 6);
    /* control characters would break line-oriented readers */
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20) *p = '?';
    int saved = errno;
    if (target == MLOG_SYSLOG) {
        syslog(prio, "%s%s", level_prefix(prio), msg);
    } else {
        char line[8192 + 512];
        char stamp[32];
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm);
        int len = snprintf(line, sizeof line, "%s %s %s[%ld]: %s%s\n", stamp, host[0] ? host : "localhost",
                           ident, (long)getpid(), level_prefix(prio), msg);
        if (len > (int)sizeof line - 1) len = (int)sizeof line - 1;
        ssize_t w = write(log_fd, line, (size_t)len);
        (void)w;
    }
    errno = saved;
}
