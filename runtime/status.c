/* status.c: what `mtad status` shows, as text or JSON: the image (path,
 * digest, generation), uptime, listeners, workers with their counters
 * from the shared stats page, and the queue's messages per state. */
#include "runtime/master_state.h"
#include "runtime/qmgr/store.h"
#include "stdlib/util/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void uptime_text(long long s, char *out, size_t n)
{
    if (s >= 86400)
        snprintf(out, n, "%lldd%02lldh%02lldm", s / 86400, s % 86400 / 3600, s % 3600 / 60);
    else if (s >= 3600)
        snprintf(out, n, "%lldh%02lldm%02llds", s / 3600, s % 3600 / 60, s % 60);
    else if (s >= 60)
        snprintf(out, n, "%lldm%02llds", s / 60, s % 60);
    else
        snprintf(out, n, "%llds", s);
}

static const char *service_of(master *m, const lsock *l)
{
    return img_str(&m->im, m->im.services[l->service].name);
}

static void render_json(master *m, FILE *f, long long up, const unsigned *counts, const char *qerr)
{
    char src[65];
    img_digest_hex(&m->im, 1, src);
    uint64_t now_sessions = 0;
    fprintf(f, "{\n  \"pid\": %ld,\n  \"image\": ", (long)getpid());
    json_put_str(f, m->image_path);
    fprintf(f, ",\n  \"digest\": \"%s\",\n  \"source_digest\": \"%s\",\n  \"generation\": %llu,\n", m->digest,
            src, (unsigned long long)m->generation);
    fprintf(f, "  \"started\": %lld,\n  \"loaded\": %lld,\n  \"uptime\": %lld,\n  \"stopping\": %s,\n",
            (long long)m->started, (long long)m->loaded, up, m->stopping ? "true" : "false");
    fprintf(f, "  \"queue_directory\": ");
    json_put_str(f, m->queue_dir);
    fprintf(f, ",\n  \"listeners\": [");
    for (size_t i = 0; i < m->ls.n; i++) {
        fprintf(f, "%s\n    {\"endpoint\": ", i ? "," : "");
        json_put_str(f, m->ls.v[i].endpoint);
        fprintf(f, ", \"service\": ");
        json_put_str(f, service_of(m, &m->ls.v[i]));
        fprintf(f, "}");
    }
    fprintf(f, "%s],\n  \"workers\": [", m->ls.n ? "\n  " : "");
    for (size_t i = 0; i < m->nw; i++) {
        const mworker *w = &m->w[i];
        const mtad_stats *s = &m->stats[w->slot];
        now_sessions += s->sessions_now;
        fprintf(f,
                "%s\n    {\"pid\": %ld, \"generation\": %llu, \"draining\": %s, \"sessions_now\": %llu, "
                "\"sessions_total\": %llu, \"messages_accepted\": %llu, \"recipients_accepted\": %llu, "
                "\"rejects\": %llu, \"bytes_received\": %llu}",
                i ? "," : "", (long)w->pid, (unsigned long long)w->generation,
                w->draining ? "true" : "false", (unsigned long long)s->sessions_now,
                (unsigned long long)s->sessions_total, (unsigned long long)s->messages_accepted,
                (unsigned long long)s->recipients_accepted, (unsigned long long)s->rejects,
                (unsigned long long)s->bytes_received);
    }
    fprintf(f, "%s],\n  \"sessions_now\": %llu,\n  \"queue\": ", m->nw ? "\n  " : "",
            (unsigned long long)now_sessions);
    if (qerr) {
        fprintf(f, "{\"error\": ");
        json_put_str(f, qerr);
        fprintf(f, "}");
    } else {
        fprintf(f, "{");
        for (int st = 0; st < QS_NSTATES; st++)
            fprintf(f, "%s\"%s\": %u", st ? ", " : "", qs_state_name((enum qs_state)st), counts[st]);
        fprintf(f, "}");
    }
    fprintf(f, "\n}\n");
}

static void render_text(master *m, FILE *f, long long up, const unsigned *counts, const char *qerr)
{
    char upt[64];
    uptime_text(up, upt, sizeof upt);
    fprintf(f, "mtad master pid %ld, up %s%s\n", (long)getpid(), upt, m->stopping ? ", stopping" : "");
    fprintf(f, "image       %s\n", m->image_path);
    fprintf(f, "digest      %s\n", m->digest);
    fprintf(f, "generation  %llu\n", (unsigned long long)m->generation);
    fprintf(f, "queue       %s:", m->queue_dir);
    if (qerr) {
        fprintf(f, " %s\n", qerr);
    } else {
        for (int st = 0; st < QS_NSTATES; st++)
            fprintf(f, "%s %s %u", st ? "," : "", qs_state_name((enum qs_state)st), counts[st]);
        fprintf(f, "\n");
    }
    fprintf(f, "listeners%s\n", m->ls.n ? "" : "   none");
    for (size_t i = 0; i < m->ls.n; i++)
        fprintf(f, "  %-24s service %s\n", m->ls.v[i].endpoint, service_of(m, &m->ls.v[i]));
    uint64_t now_sessions = 0;
    fprintf(f, "workers%s\n", m->nw ? "" : "     none");
    for (size_t i = 0; i < m->nw; i++) {
        const mworker *w = &m->w[i];
        const mtad_stats *s = &m->stats[w->slot];
        now_sessions += s->sessions_now;
        fprintf(f, "  pid %-8ld generation %llu%s: %llu sessions now, %llu in all, %llu messages accepted\n",
                (long)w->pid, (unsigned long long)w->generation, w->draining ? " (draining)" : "",
                (unsigned long long)s->sessions_now, (unsigned long long)s->sessions_total,
                (unsigned long long)s->messages_accepted);
    }
    fprintf(f, "sessions    %llu now\n", (unsigned long long)now_sessions);
}

void status_render(master *m, int json, strbuf *out)
{
    unsigned counts[QS_NSTATES] = { 0 };
    strbuf qerr;
    sb_init(&qerr);
    int qok = qs_count_dir(m->queue_dir, counts, &qerr) == 0;   /* no store opened */
    long long up = (long long)(time(NULL) - m->started);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        sb_adds(out, "cannot render the status: out of memory\n");
        sb_free(&qerr);
        return;
    }
    if (json)
        render_json(m, f, up, counts, qok ? NULL : sb_str(&qerr));
    else
        render_text(m, f, up, counts, qok ? NULL : sb_str(&qerr));
    fclose(f);
    sb_addn(out, buf, len);
    free(buf);
    sb_free(&qerr);
}
