/* check_master.c: checks on master.cf services (id master-cf): field
 * values Postfix rejects, inet services marked private, duplicate
 * services, unknown daemon programs, -o values that are not name=value,
 * -o values cut at a space (the rest becomes a daemon argument), and
 * wakeup timers on daemons that do not take them. */
#include "compiler/checks.h"

#include <stdlib.h>
#include <string.h>

/* The daemons of Postfix 3.7 (/usr/lib/postfix/sbin, without master and
 * the scripts). */
static const char *const daemons[] = {
    "anvil", "bounce", "cleanup", "discard", "dnsblog", "error", "flush",
    "lmtp", "local", "nqmgr", "oqmgr", "pickup", "pipe", "postlogd",
    "postscreen", "proxymap", "qmgr", "qmqpd", "scache", "showq", "smtp",
    "smtpd", "spawn", "tlsmgr", "tlsproxy", "trivial-rewrite", "verify",
    "virtual",
};
#define NDAEMONS (sizeof daemons / sizeof *daemons)

/* Daemons that a wakeup timer triggers (trigger servers), and those that
 * man 5 master says require one. */
static const char *const wakeup_ok[] = { "pickup", "qmgr", "nqmgr", "oqmgr", "flush", "tlsmgr" };
static const char *const wakeup_needed[] = { "pickup", "qmgr", "nqmgr", "oqmgr", "flush" };

static int in_list(const char *s, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, v[i]) == 0)
            return 1;
    return 0;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    size_t d[41][41];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    }
    return d[la][lb];
}

static const char *const field_hint[MS_NFIELDS] = {
    [MS_TYPE]    = "the type is one of inet, unix, unix-dgram, fifo or pass",
    [MS_PRIVATE] = "write y, n or - (the default)",
    [MS_UNPRIV]  = "write y, n or - (the default)",
    [MS_CHROOT]  = "write y, n or - (the default)",
    [MS_WAKEUP]  = "write a number of seconds, optionally followed by '?', or - (no wakeup)",
    [MS_MAXPROC] = "write a number (0: no limit) or - (default_process_limit)",
};

static void check_fields(config *c, const master_service *sv)
{
    for (int f = 0; f < MS_NFIELDS; f++) {
        if (!(sv->bad_fields & (1u << f)))
            continue;
        diag *g = diag_add(&c->d, DIAG_MASTER_CF, sv->field[f].at,
                           "invalid %s field \"%s\"; Postfix refuses to start",
                           mastercf_field_name((enum ms_field)f), sv->field[f].text);
        if (field_hint[f])
            diag_hint(g, "%s", field_hint[f]);
    }
    if (strcmp(sv->field[MS_TYPE].text, "inet") == 0 && strcmp(sv->field[MS_PRIVATE].text, "y") == 0) {
        diag *g = diag_add(&c->d, DIAG_MASTER_CF, sv->field[MS_PRIVATE].at,
                           "an inet service cannot be private; master(8) stops with a fatal error");
        diag_hint(g, "write n or - in the private column of inet services");
    }
}

static void check_duplicate(config *c, size_t i)
{
    const mastercf *m = &c->master;
    const master_service *sv = &m->v[i];
    for (size_t j = i + 1; j < m->n; j++) {
        const master_service *o = &m->v[j];
        if (strcmp(o->field[MS_NAME].text, sv->field[MS_NAME].text) != 0
            || strcmp(o->field[MS_TYPE].text, sv->field[MS_TYPE].text) != 0)
            continue;
        unsigned line, col;
        src_linecol(&c->src, o->at.file, o->at.off, &line, &col);
        diag *g = diag_add_sev(&c->d, DIAG_MASTER_CF, SEV_WARNING, sv->field[MS_NAME].at,
                               "service \"%s/%s\" is defined again on line %u; this entry is ignored",
                               sv->field[MS_NAME].text, sv->field[MS_TYPE].text, line);
        diag_note_add(g, o->field[MS_NAME].at, "the later entry, which master(8) uses");
        diag_hint(g, "delete one of the two entries, or give one another name");
        return;
    }
}

static const char *base_command(const master_service *sv)
{
    return sv->field[MS_COMMAND].text;
}

static void check_command(config *c, const master_service *sv)
{
    const char *cmd = base_command(sv);
    if (strchr(cmd, '/') || in_list(cmd, daemons, NDAEMONS))
        return;
    diag *g = diag_add(&c->d, DIAG_MASTER_CF, sv->field[MS_COMMAND].at,
                       "\"%s\" is not a Postfix daemon; master(8) cannot start this service", cmd);
    const char *best = NULL;
    size_t bd = 3;
    for (size_t i = 0; i < NDAEMONS; i++) {
        size_t dd = edit_distance(cmd, daemons[i]);
        if (dd < bd) {
            bd = dd;
            best = daemons[i];
        }
    }
    if (best)
        diag_hint(g, "did you mean \"%s\"?", best);
    else
        diag_hint(g, "commands are Postfix daemons in daemon_directory; run other programs "
                     "through pipe(8) or spawn(8), or give an absolute path");
}

/* Does an argument look like the rest of a restriction list? */
static int looks_like_restriction(const char *w)
{
    static const char *const prefixes[] = {
        "permit", "reject", "defer", "check_", "warn_if_reject", "sleep",
    };
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (strncmp(w, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

static void check_options(config *c, const master_service *sv)
{
    for (size_t i = 0; i < sv->nbadopts; i++) {
        diag *g = diag_add(&c->d, DIAG_MASTER_CF, sv->badopts[i].w.at,
                           "-o \"%s\": %s; the daemon stops with a fatal error",
                           sv->badopts[i].w.text, sv->badopts[i].why);
        diag_hint(g, "write -o name=value, or -o { name = value } when the value has spaces");
    }
    /* -o name=a, b: "b" ends the options and becomes a daemon argument */
    for (size_t j = 1; j + 1 < sv->nshown; j++) {
        const ms_shown *v = &sv->shown[j], *next = &sv->shown[j + 1];
        if (v->kind != MS_ARG_VALUE || strcmp(sv->shown[j - 1].text, "-o") != 0
            || next->kind != MS_ARG_WORD || next->text[0] == '-')
            continue;
        size_t vl = strlen(v->text);
        int comma = vl && v->text[vl - 1] == ',';
        if (!comma && !looks_like_restriction(next->text))
            continue;
        const char *eq = strchr(v->text, '=');
        size_t nl = eq ? (size_t)(eq - v->text) : vl;
        diag *g = diag_add(&c->d, DIAG_MASTER_CF, next->at,
                           "\"%s\" is not part of the -o value before it: Postfix passes it to %s "
                           "as an argument and ignores the options after it",
                           next->text, sv->field[MS_COMMAND].text);
        diag_note_add(g, v->at, "the -o value ends at the space");
        diag_hint(g, "write -o { %.*s = ... } around a value with spaces, or separate "
                     "the list with commas only", (int)nl, v->text);
    }
}

static int wakeup_seconds(const char *w)
{
    if (w[0] == '-' || w[0] == '?' || !w[0])
        return 0;
    return atoi(w);
}

static void check_wakeup(config *c, const master_service *sv)
{
    const char *cmd = base_command(sv);
    if (strchr(cmd, '/') || !in_list(cmd, daemons, NDAEMONS) || (sv->bad_fields & (1u << MS_WAKEUP)))
        return;
    int secs = wakeup_seconds(sv->field[MS_WAKEUP].text);
    if (secs > 0 && !in_list(cmd, wakeup_ok, sizeof wakeup_ok / sizeof *wakeup_ok)) {
        diag *g = diag_add_sev(&c->d, DIAG_MASTER_CF, SEV_WARNING, sv->field[MS_WAKEUP].at,
                               "%s does not take wakeup requests; every %d seconds master(8) "
                               "sends it one that it reads as a client", cmd, secs);
        diag_hint(g, "write - in the wakeup column; only pickup, qmgr, flush and tlsmgr use a wakeup timer");
    } else if (secs == 0 && in_list(cmd, wakeup_needed, sizeof wakeup_needed / sizeof *wakeup_needed)) {
        diag *g = diag_add_sev(&c->d, DIAG_MASTER_CF, SEV_WARNING, sv->field[MS_WAKEUP].at,
                               "%s needs a wakeup timer (man 5 master)", cmd);
        diag_hint(g, "use the stock value: pickup 60, qmgr 300, flush 1000?");
    }
}

void check_master(config *c)
{
    const mastercf *m = &c->master;
    for (size_t i = 0; i < m->n; i++) {
        const master_service *sv = &m->v[i];
        check_fields(c, sv);
        check_duplicate(c, i);
        check_command(c, sv);
        check_options(c, sv);
        check_wakeup(c, sv);
    }
}
