/* log.h: mtad's log, in Postfix's line format so pflogsumm and fail2ban
 * filters read it unchanged:
 *
 *   Nov 22 07:43:33 HOST mtad/smtpd[4242]: 4F2A1C3B9E: client=host[192.0.2.1]
 *
 * The prefix before "/" is the image's syslog_name when set (else "mtad"),
 * the part after it names the process (master, smtpd, qmgr). Lines go to
 * syslog (facility from syslog_facility) or are appended to a file, or to
 * stderr in the foreground. One write(2) per line, so processes sharing a
 * file never interleave within a line. */
#ifndef RUNTIME_LOG_H
#define RUNTIME_LOG_H
#include <syslog.h>

enum mlog_target { MLOG_STDERR, MLOG_SYSLOG, MLOG_FILE };

/* Where lines go: MLOG_FILE appends to path (opened O_APPEND), MLOG_SYSLOG
 * uses facility ("mail", "local0", ...). 0, or -1 with errno set. */
int  mlog_open(enum mlog_target t, const char *path_or_facility);
/* "mtad" (or the syslog_name) and the process's role ("smtpd"). */
void mlog_set_name(const char *syslog_name, const char *role);
/* One line; prio is a syslog priority (LOG_INFO, LOG_WARNING, LOG_ERR).
 * Warnings and errors get Postfix's "warning: " / "error: " / "fatal: "
 * prefixes. */
void mlog(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Keep the name, change the role (a forked worker: "smtpd"). */
void mlog_set_role(const char *role);
/* Re-open after fork or rotation (file target). */
void mlog_reopen(void);
void mlog_close(void);

#endif
