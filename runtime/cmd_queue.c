/* cmd_queue.c: `mtad queue`: list the messages (one line each, like
 * postqueue -p), show one (envelope, attributes, content) or count them
 * per state; text for people, --format json for scripts. Files still
 * being written (incoming/ without the complete mark) are not messages
 * yet and are passed over. */
#include "runtime/cmd_queue.h"
#include "runtime/qmgr/store.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/json.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "usage: mtad queue list [--format text|json]\n"
    "       mtad queue show ID [--format text|json]\n"
    "       mtad queue count [--format text|json]\n";

/* appended to a usage error, which stays one line */
static const char brief[] = " (usage: mtad queue list|show ID|count [--format text|json])\n";

typedef struct qcmd {
    const char *dir;
    int         json;
    FILE       *out, *err;
} qcmd;

static const char *const notify_words[] = { "never", "success", "failure", "delay" };

/* ---- one message --------------------------------------------------------- */

/* Arrival: the "time" attribute, else the file's modification time; -1
 * when neither is known. */
static long long arrival(const qs_file *f, const char *path)
{
    for (size_t i = 0; i < f->nattrs; i++)
        if (strcmp(f->attrs[i].name, "time") == 0) {
            char *end;
            long long t = strtoll(f->attrs[i].value, &end, 10);
            if (end != f->attrs[i].value && !*end)
                return t;
        }
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_mtime : -1;
}

static void put_time(FILE *out, long long t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[32];
    if (t < 0 || !gmtime_r(&tt, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
        fputs("-", out);
    else
        fputs(buf, out);
}

static void list_line(qcmd *c, const char *id, enum qs_state st, const qs_file *f,
                      const char *path, const char *why, int first)
{
    FILE *o = c->out;
    if (c->json) {
        fputs(first ? "\n  {\"id\": " : ",\n  {\"id\": ", o);
        json_put_str(o, id);
        fprintf(o, ", \"state\": \"%s\"", qs_state_name(st));
        if (why) {
            fputs(", \"error\": ", o);
            json_put_str(o, why);
            fputs("}", o);
            return;
        }
        long long t = arrival(f, path);
        fprintf(o, ", \"size\": %zu, \"time\": ", f->content.len);
        if (t < 0)
            fputs("null", o);
        else
            fprintf(o, "%lld", t);
        fputs(", \"sender\": ", o);
        json_put_str(o, f->sender);
        fputs(", \"recipients\": [", o);
        for (size_t i = 0; i < f->nrcpts; i++) {
            fputs(i ? ", " : "", o);
            json_put_str(o, f->rcpts[i].addr);
        }
        fputs("]}", o);
        return;
    }
    fprintf(o, "%s %s ", id, qs_state_name(st));
    if (why) {
        fprintf(o, "- - unreadable: %s\n", why);
        return;
    }
    fprintf(o, "%zu ", f->content.len);
    put_time(o, arrival(f, path));
    fprintf(o, " from=<%s> to=", f->sender);
    for (size_t i = 0; i < f->nrcpts; i++)
        fprintf(o, "%s<%s>", i ? "," : "", f->rcpts[i].addr);
    fputc('\n', o);
}

static void show_text(qcmd *c, const qs_file *f)
{
    FILE *o = c->out;
    fprintf(o, "id: %s\nstate: %s\nsender: <%s>\n", f->id, qs_state_name(f->state), f->sender);
    for (size_t i = 0; i < f->nrcpts; i++) {
        const qs_rcpt *r = &f->rcpts[i];
        fprintf(o, "recipient: <%s>", r->addr);
        if (r->orcpt)
            fprintf(o, " orcpt=%s", r->orcpt);
        for (unsigned b = 0, n = 0; b < 4; b++)
            if (r->notify & (1u << b))
                fprintf(o, "%s%s", n++ ? "," : " notify=", notify_words[b]);
        fputc('\n', o);
    }
    for (size_t i = 0; i < f->nattrs; i++)
        fprintf(o, "attribute: %s=%s\n", f->attrs[i].name, f->attrs[i].value);
    fputc('\n', o);
    fwrite(f->content.s, 1, f->content.len, o);
}

static void show_json(qcmd *c, const qs_file *f)
{
    FILE *o = c->out;
    fputs("{\n  \"id\": ", o);
    json_put_str(o, f->id);
    fprintf(o, ",\n  \"state\": \"%s\",\n  \"sender\": ", qs_state_name(f->state));
    json_put_str(o, f->sender);
    fputs(",\n  \"recipients\": [", o);
    for (size_t i = 0; i < f->nrcpts; i++) {
        const qs_rcpt *r = &f->rcpts[i];
        fputs(i ? ",\n    {\"address\": " : "\n    {\"address\": ", o);
        json_put_str(o, r->addr);
        fputs(", \"orcpt\": ", o);
        if (r->orcpt)
            json_put_str(o, r->orcpt);
        else
            fputs("null", o);
        fputs(", \"notify\": [", o);
        for (unsigned b = 0, n = 0; b < 4; b++)
            if (r->notify & (1u << b))
                fprintf(o, "%s\"%s\"", n++ ? ", " : "", notify_words[b]);
        fputs("]}", o);
    }
    fputs(f->nrcpts ? "\n  ],\n  \"attributes\": {" : "],\n  \"attributes\": {", o);
    /* a name given once maps to its value, a repeated one to the list */
    int firstattr = 1;
    for (size_t i = 0; i < f->nattrs; i++) {
        const char *name = f->attrs[i].name;
        size_t seen = 0, count = 0;
        for (size_t j = 0; j < f->nattrs; j++)
            if (strcmp(f->attrs[j].name, name) == 0)
                seen += j < i, count++;
        if (seen)
            continue;
        fputs(firstattr ? "\n    " : ",\n    ", o);
        firstattr = 0;
        json_put_str(o, name);
        fputs(": ", o);
        if (count == 1) {
            json_put_str(o, f->attrs[i].value);
            continue;
        }
        fputc('[', o);
        for (size_t j = i, n = 0; j < f->nattrs; j++)
            if (strcmp(f->attrs[j].name, name) == 0) {
                fputs(n++ ? ", " : "", o);
                json_put_str(o, f->attrs[j].value);
            }
        fputc(']', o);
    }
    fputs(firstattr ? "},\n  \"content\": " : "\n  },\n  \"content\": ", o);
    json_put_strn(o, f->content.s, f->content.len);
    fputs("\n}\n", o);
}

/* ---- subcommands ----------------------------------------------------------- */

static char *path_of(const char *dir, enum qs_state st, const char *id)
{
    strbuf p;
    sb_init(&p);
    sb_addf(&p, "%s/%s/%s", dir, qs_state_name(st), id);
    return sb_take(&p);
}

static int queue_dir_ok(qcmd *c)
{
    struct stat sb;
    const char *why = stat(c->dir, &sb) < 0 ? strerror(errno)
                      : !S_ISDIR(sb.st_mode) ? "not a directory" : NULL;
    if (why)
        fprintf(c->err, "mtad queue: cannot open queue directory %s: %s\n", c->dir, why);
    return !why;
}

static int cmd_list(qcmd *c)
{
    if (!queue_dir_ok(c))
        return 1;
    int first = 1;
    if (c->json)
        fputc('[', c->out);
    for (int st = 0; st < QS_NSTATES; st++) {
        char **ids;
        size_t n;
        strbuf err;
        sb_init(&err);
        if (qs_list_ids(c->dir, st, &ids, &n, &err) < 0) {
            fprintf(c->err, "mtad queue: %s\n", sb_str(&err));
            sb_free(&err);
            return 1;
        }
        for (size_t i = 0; i < n; i++) {
            char *path = path_of(c->dir, st, ids[i]);
            struct stat sb;
            if (st == QS_INCOMING && stat(path, &sb) == 0 && !(sb.st_mode & S_IXUSR)) {
                free(path);   /* still being written */
                continue;
            }
            qs_file f;
            sb_clear(&err);
            int rc = qs_read(path, &f, &err);
            list_line(c, ids[i], st, &f, path, rc < 0 ? sb_str(&err) : NULL, first);
            first = 0;
            if (rc == 0)
                qs_file_free(&f);
            free(path);
        }
        qs_ids_free(ids, n);
        sb_free(&err);
    }
    if (c->json)
        fputs(first ? "]\n" : "\n]\n", c->out);
    return 0;
}

static int cmd_show(qcmd *c, const char *id)
{
    if (!qs_id_valid(id)) {
        fprintf(c->err, "mtad queue show: not a queue id: %s\n", id);
        return 2;
    }
    if (!queue_dir_ok(c))
        return 1;
    for (int st = 0; st < QS_NSTATES; st++) {
        char *path = path_of(c->dir, st, id);
        if (access(path, F_OK) != 0) {
            free(path);
            continue;
        }
        qs_file f;
        strbuf err;
        sb_init(&err);
        int rc = qs_read(path, &f, &err);
        free(path);
        if (rc < 0) {
            fprintf(c->err, "mtad queue show: %s\n", sb_str(&err));
            sb_free(&err);
            return 1;
        }
        sb_free(&err);
        if (c->json)
            show_json(c, &f);
        else
            show_text(c, &f);
        qs_file_free(&f);
        return 0;
    }
    fprintf(c->err, "mtad queue show: no message %s in %s\n", id, c->dir);
    return 1;
}

static int cmd_count(qcmd *c)
{
    unsigned counts[QS_NSTATES];
    strbuf err;
    sb_init(&err);
    if (qs_count_dir(c->dir, counts, &err) < 0) {
        fprintf(c->err, "mtad queue: %s\n", sb_str(&err));
        sb_free(&err);
        return 1;
    }
    unsigned total = 0;
    for (int st = 0; st < QS_NSTATES; st++) {
        total += counts[st];
        if (c->json)
            fprintf(c->out, "%s\"%s\": %u", st ? ", " : "{", qs_state_name(st), counts[st]);
        else
            fprintf(c->out, "%-9s %u\n", qs_state_name(st), counts[st]);
    }
    if (c->json)
        fprintf(c->out, ", \"total\": %u}\n", total);
    else
        fprintf(c->out, "%-9s %u\n", "total", total);
    return 0;
}

int mtad_cmd_queue_io(const char *queue_dir, int argc, char **argv, FILE *out, FILE *err)
{
    qcmd c = { .dir = queue_dir, .out = out, .err = err };
    const char *sub = NULL, *id = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *fmt = NULL;
        if (strcmp(a, "--format") == 0) {
            if (++i >= argc) {
                fprintf(err, "mtad queue: --format needs text or json%s", brief);
                return 2;
            }
            fmt = argv[i];
        } else if (strncmp(a, "--format=", 9) == 0) {
            fmt = a + 9;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, out);
            return 0;
        } else if (a[0] == '-') {
            fprintf(err, "mtad queue: unknown option %s%s", a, brief);
            return 2;
        } else if (!sub) {
            sub = a;
        } else if (!id && strcmp(sub, "show") == 0) {
            id = a;
        } else {
            fprintf(err, "mtad queue %s: unexpected argument %s%s", sub, a, brief);
            return 2;
        }
        if (fmt) {
            if (strcmp(fmt, "json") != 0 && strcmp(fmt, "text") != 0) {
                fprintf(err, "mtad queue: unknown format %s (text or json)%s", fmt, brief);
                return 2;
            }
            c.json = strcmp(fmt, "json") == 0;
        }
    }
    if (!sub) {
        fprintf(err, "mtad queue: list, show or count?%s", brief);
        return 2;
    }
    int rc;
    if (strcmp(sub, "list") == 0)
        rc = cmd_list(&c);
    else if (strcmp(sub, "count") == 0)
        rc = cmd_count(&c);
    else if (strcmp(sub, "show") == 0) {
        if (!id) {
            fprintf(err, "mtad queue show: which message? (a queue id)%s", brief);
            return 2;
        }
        rc = cmd_show(&c, id);
    } else {
        fprintf(err, "mtad queue: unknown command %s (list, show or count)%s", sub, brief);
        return 2;
    }
    if (fflush(out) != 0 && rc == 0) {
        fprintf(err, "mtad queue: write error: %s\n", strerror(errno));
        rc = 1;
    }
    return rc;
}

int mtad_cmd_queue(const char *queue_dir, int argc, char **argv)
{
    return mtad_cmd_queue_io(queue_dir, argc, argv, stdout, stderr);
}
