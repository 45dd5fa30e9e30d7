/* sim_message.c: `mtacc simulate --message FILE`: the message's content
 * run through stdlib/content (cleanup's processing, the code mtad runs)
 * after the Received: header smtpd would put first, as smtpd feeds it
 * (lines split at line_length_limit), and the outcome printed: the reply
 * cleanup gives at the end of the data, what decided it, the effects
 * (HOLD, FILTER, ...), every logged action, and the edited message. */
#include "compiler/sim_message.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void collect(void *arg, const char *line, size_t len, int more)
{
    sim_message *m = arg;
    sb_addn(&m->out, line, len);
    if (!more)
        sb_addc(&m->out, '\n');
}

/* Feed one input line, in pieces of at most limit bytes. */
static void feed(cnt_ctx *c, const char *s, size_t len, size_t limit)
{
    while (limit > 0 && len > limit) {
        cnt_line(c, s, limit, 1);
        s += limit;
        len -= limit;
    }
    cnt_line(c, s, len, 0);
}

int sim_message_run(sim_message *m, pol_session *s, const char *const *rcpts, size_t nrcpts,
                    time_t arrival, const char *queue_id)
{
    FILE *f = fopen(m->path, "rb");
    if (!f) {
        fprintf(stderr, "mtacc simulate: %s: %s\n", m->path, strerror(errno));
        return -1;
    }
    sb_init(&m->out);
    cnt_info info = {
        .queue_id = queue_id, .sender = s->sender ? s->sender : "", .rcpts = rcpts,
        .nrcpts = nrcpts, .client_name = s->client_name ? s->client_name : "",
        .client_addr = s->client_addr ? s->client_addr : "",
        .local_client = pol_local_header_rewrite(s), .arrival = arrival,
    };
    m->c = cnt_new(s->pi, s->svc, &info, collect, m);
    /* smtpd's Received: header, then the client's lines */
    const char *proto = !s->helo ? "SMTP" : s->tls && s->sasl_user ? "ESMTPSA"
                        : s->tls ? "ESMTPS" : s->sasl_user ? "ESMTPA" : "ESMTP";
    strbuf rec;
    sb_init(&rec);
    cnt_received(&info, s->helo, pol_param_str(s, "myhostname"), pol_param_str(s, "mail_name"),
                 proto, &rec);
    for (const char *p = sb_str(&rec);;) {
        size_t l = strcspn(p, "\n");
        cnt_line(m->c, p, l, 0);
        if (!p[l])
            break;
        p += l + 1;
    }
    sb_free(&rec);
    cnt_begin_client(m->c);
    long long lim = pol_param_num(s, "line_length_limit");
    size_t limit = lim > 0 ? (size_t)lim : 0;
    strbuf line;
    sb_init(&line);
    int ch, any = 0;
    while ((ch = getc(f)) != EOF) {
        any = 1;
        if (ch != '\n') {
            sb_addc(&line, (char)ch);
            continue;
        }
        if (line.len && line.s[line.len - 1] == '\r')
            line.len--;
        feed(m->c, sb_str(&line), line.len, limit);
        sb_clear(&line);
    }
    if (line.len || !any)
        feed(m->c, sb_str(&line), line.len, limit);
    sb_free(&line);
    fclose(f);
    cnt_end(m->c);
    return 0;
}

void sim_message_reply(const sim_message *m, pol_reply *r)
{
    const cnt_result *res = cnt_result_of(m->c);
    if (res->verdict == POL_NONE)
        return;
    r->verdict = res->verdict;
    r->code = res->code;
    sb_clear(&r->text);
    sb_adds(&r->text, sb_str((strbuf *)&res->text));
}

static void table_src(const img *im, uint32_t t, const char **spec, const char **file)
{
    *spec = *file = NULL;
    if (t == UINT32_MAX || t >= im->ntables)
        return;
    *spec = img_str(im, im->tables[t].spec);
    if (im->tables[t].file)
        *file = img_str(im, im->files[im->tables[t].file - 1].path);
}

/* A folded header on one line, its line breaks shown as \n. */
static void put_oneline(const char *s)
{
    for (; *s; s++)
        if (*s == '\n')
            fputs("\\n", stdout);
        else
            putchar(*s);
}

static void put_lines_json(const char *s)
{
    printf("[");
    int first = 1;
    while (*s) {
        size_t l = strcspn(s, "\n");
        char *one = xstrndup(s, l);
        printf("%s", first ? "" : ", ");
        json_put_str(stdout, one);
        free(one);
        first = 0;
        s += l + (s[l] == '\n');
    }
    printf("]");
}

void sim_message_print(const sim_message *m, const img *im, int json)
{
    const cnt_result *r = cnt_result_of(m->c);
    const char *spec, *file;
    table_src(im, r->table, &spec, &file);
    if (json) {
        printf(", \"content\": {\"code\": ");
        if (r->verdict == POL_NONE)
            printf("null, \"text\": null");
        else {
            printf("%d, \"text\": ", r->code);
            json_put_str(stdout, sb_str((strbuf *)&r->text));
        }
        printf(", \"decided_by\": ");
        if (r->stage) {
            printf("{\"stage\": \"%s\", \"line\": ", r->stage);
            json_put_str(stdout, sb_str((strbuf *)&r->matched));
            printf(", \"table\": ");
            if (spec)
                json_put_str(stdout, spec);
            else
                printf("null");
            printf(", \"file\": ");
            if (file)
                json_put_str(stdout, file);
            else
                printf("null");
            printf(", \"rule_line\": %u}", r->line == UINT32_MAX ? 0 : r->line);
        } else {
            printf("null");
        }
        printf(", \"effects\": [");
        for (size_t i = 0; i < r->nfx; i++) {
            printf("%s{\"kind\": \"%s\", \"text\": ", i ? ", " : "", pol_effect_name(r->fx[i].kind));
            json_put_str(stdout, r->fx[i].text);
            printf("}");
        }
        printf("], \"log\": [");
        for (size_t i = 0; i < r->nlog; i++) {
            const cnt_log *l = &r->log[i];
            printf("%s{\"action\": \"%s\", \"where\": \"%s\", \"line\": ", i ? ", " : "",
                   l->action, l->where);
            json_put_str(stdout, l->line);
            printf(", \"text\": ");
            json_put_str(stdout, l->text);
            printf("}");
        }
        printf("], \"warnings\": ");
        put_lines_json(sb_str((strbuf *)&r->warnings));
        printf(", \"headers_added\": %u", r->headers_added);
        if (m->show) {
            printf(", \"message\": ");
            put_lines_json(sb_str((strbuf *)&m->out));
        }
        printf("}");
        return;
    }
    if (r->verdict != POL_NONE)
        printf("CONTENT: %d %s\n", r->code, sb_str((strbuf *)&r->text));
    else
        printf("CONTENT: accepted\n");
    if (r->stage) {
        printf("  decided by %s ", r->stage);
        put_oneline(sb_str((strbuf *)&r->matched));
        if (spec)
            printf(" in %s", spec);
        if (file && r->line != UINT32_MAX && r->line)
            printf(" at %s:%u", file, r->line);
        printf("\n");
    }
    for (size_t i = 0; i < r->nlog; i++) {
        const cnt_log *l = &r->log[i];
        printf("  %s: %s ", l->action, l->where);
        put_oneline(l->line);
        printf("%s%s\n", *l->text ? ": " : "", l->text);
    }
    for (size_t i = 0; i < r->nfx; i++)
        printf("  effect %s%s%s\n", pol_effect_name(r->fx[i].kind), *r->fx[i].text ? " " : "",
               r->fx[i].text);
    const char *w = sb_str((strbuf *)&r->warnings);
    while (*w) {
        size_t l = strcspn(w, "\n");
        printf("  warning: %.*s\n", (int)l, w);
        w += l + (w[l] == '\n');
    }
    if (m->show) {
        printf("MESSAGE:\n");
        const char *s = sb_str((strbuf *)&m->out);
        while (*s) {
            size_t l = strcspn(s, "\n");
            printf("  > %.*s\n", (int)l, s);
            s += l + (s[l] == '\n');
        }
    }
}

void sim_message_free(sim_message *m)
{
    cnt_free(m->c);
    m->c = NULL;
    sb_free(&m->out);
}
