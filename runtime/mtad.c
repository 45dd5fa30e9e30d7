/* mtad.c: the mtad command: start the master, or talk to the running one
 * over its control socket (stop, reload, status), or look at the queue. */
#include "compiler/version.h"
#include "runtime/cmd_queue.h"
#include "runtime/control.h"
#include "runtime/master.h"
#include "runtime/paths.h"
#include "runtime/pidfile.h"
#include "stdlib/image/format.h"
#include "stdlib/util/alloc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { OPT_I = 1, OPT_Q = 2, OPT_F = 4, OPT_FORMAT = 8 };

typedef struct opts {
    const char *image, *queue, *format;
    int foreground;
    int argc;                    /* the command's name and what is not our option */
    char **argv;                 /* (mtad queue's arguments) */
} opts;

static int cmd_start(const opts *o);
static int cmd_stop(const opts *o);
static int cmd_reload(const opts *o);
static int cmd_status(const opts *o);
static int cmd_queue(const opts *o);

static const struct command {
    const char *name;
    int       (*run)(const opts *o);
    unsigned    takes;           /* OPT_* */
    const char *synopsis, *summary, *details;
} commands[] = {
    { "start", cmd_start, OPT_I | OPT_Q | OPT_F, "[-i IMAGE] [-q QUEUE] [-f]",
      "start the master: load and validate the image, listen, serve",
      "  -f        stay in the foreground and log to stderr (^C stops)\n"
      "Without -f the master goes to the background and logs to maillog_file, or to\n"
      "syslog; the command returns once it listens, or prints why it could not start.\n" },
    { "stop", cmd_stop, OPT_I | OPT_Q, "[-i IMAGE] [-q QUEUE]",
      "stop the master: sessions end, pending commits finish; waits until it is gone", "" },
    { "reload", cmd_reload, OPT_I | OPT_Q, "[-i IMAGE] [-q QUEUE]",
      "switch the running master to an image atomically (refused: the old one keeps serving)",
      "Without -i (and without $MTAD_IMAGE) the master reads its current image file again.\n"
      "New sessions use the new image at once; sessions in flight finish on the old one.\n" },
    { "status", cmd_status, OPT_I | OPT_Q | OPT_FORMAT, "[-i IMAGE] [-q QUEUE] [--format text|json]",
      "show the image, generation, uptime, listeners, workers, sessions and queue", "" },
    { "queue", cmd_queue, OPT_I | OPT_Q, "[-i IMAGE] [-q QUEUE] ARGS...",
      "list and show the messages of the queue (mtad queue --help)", "" },
};

static void usage(FILE *out)
{
    fprintf(out, "usage: mtad COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nCommon options:\n"
                 "  -i IMAGE  the policy image (default $MTAD_IMAGE, else %s)\n"
                 "  -q QUEUE  the queue directory (default: the image's queue_directory)\n"
                 "\n`mtad COMMAND --help` describes a command; man mtad(8) has the details.\n",
            MTAD_DEFAULT_IMAGE);
}

static void command_usage(const struct command *c, FILE *out)
{
    fprintf(out, "usage: mtad %s %s\n%s.\n\n", c->name, c->synopsis, c->summary);
    if (c->takes & OPT_I)
        fprintf(out, "  -i IMAGE  the policy image (default $MTAD_IMAGE, else %s)\n", MTAD_DEFAULT_IMAGE);
    if (c->takes & OPT_Q)
        fprintf(out, "  -q QUEUE  the queue directory (default: the image's queue_directory);\n"
                     "            the control socket is QUEUE/pid/mtad.ctl\n");
    if (c->takes & OPT_FORMAT)
        fprintf(out, "  --format  text (default) or json\n");
    fputs(c->details, out);
}

/* 0, 1 when --help was asked (printed), -1 on a usage error (printed).
 * What is not an option of ours is collected in o->argv after the
 * command's name (mtad queue's own arguments; an error elsewhere). */
static int parse(const struct command *c, int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    o->format = "text";
    o->argv = xcalloc((size_t)argc + 1, sizeof *o->argv);
    o->argv[o->argc++] = argv[0];
    int is_queue = c->run == cmd_queue, opts_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (opts_done || a[0] != '-' || !a[1]) {
            o->argv[o->argc++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            opts_done = 1;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            if (is_queue) {       /* mtad queue describes itself */
                o->argv[o->argc++] = argv[i];
                continue;
            }
            command_usage(c, stdout);
            return 1;
        }
        int needs = strcmp(a, "-i") == 0 ? OPT_I : strcmp(a, "-q") == 0 ? OPT_Q
                  : strcmp(a, "--format") == 0 && !is_queue ? OPT_FORMAT : 0;
        if (strncmp(a, "--format=", 9) == 0 && (c->takes & OPT_FORMAT)) {
            o->format = a + 9;
        } else if (strcmp(a, "-f") == 0 && (c->takes & OPT_F)) {
            o->foreground = 1;
        } else if (needs && (c->takes & needs)) {
            if (i + 1 >= argc) {
                fprintf(stderr, "mtad %s: %s needs a value\n", c->name, a);
                return -1;
            }
            const char *val = argv[++i];
            if (needs == OPT_I) o->image = val;
            else if (needs == OPT_Q) o->queue = val;
            else o->format = val;
        } else if (is_queue) {
            o->argv[o->argc++] = argv[i];       /* mtad queue's own options */
            if (strcmp(a, "--format") == 0 && i + 1 < argc)
                o->argv[o->argc++] = argv[++i];
        } else {
            fprintf(stderr, "mtad %s: unknown option \"%s\"\n", c->name, a);
            command_usage(c, stderr);
            return -1;
        }
    }
    if (o->argc > 1 && !is_queue) {
        fprintf(stderr, "mtad %s: unexpected argument \"%s\"\n", c->name, o->argv[1]);
        command_usage(c, stderr);
        return -1;
    }
    if (strcmp(o->format, "text") != 0 && strcmp(o->format, "json") != 0) {
        fprintf(stderr, "mtad %s: --format is text or json, not \"%s\"\n", c->name, o->format);
        return -1;
    }
    return 0;
}

/* The queue of the master to talk to: -q, else the image's. */
static char *queue_of(const opts *o)
{
    strbuf err;
    sb_init(&err);
    char *q = mtad_queue_dir(o->queue, mtad_image_path(o->image), &err);
    if (!q)
        fprintf(stderr, "mtad: %s%s\n", sb_str(&err),
                o->queue || o->image ? "" : " (give -i IMAGE or -q QUEUE)");
    sb_free(&err);
    return q;
}

/* Send request to the master of o's queue; the reply's body (after "ok")
 * in body, a refusal printed after what (e.g. "reload refused: "). The
 * queue directory in *queue (the caller frees it) when queue is not NULL.
 * Exit status. */
static int call(const opts *o, const char *request, int timeout_s, const char *what, strbuf *body,
                char **queue)
{
    char *q = queue_of(o);
    if (!q)
        return 1;
    strbuf reply, err;
    sb_init(&reply);
    sb_init(&err);
    int rc = 1;
    if (ctl_call(q, request, timeout_s, &reply, &err) < 0) {
        fprintf(stderr, "mtad: %s\n", sb_str(&err));
    } else {
        const char *r = sb_str(&reply);
        if (strncmp(r, "ok", 2) == 0 && (r[2] == '\n' || r[2] == ' ' || r[2] == 0)) {
            sb_adds(body, r[2] ? r + 3 : "");
            rc = 0;
        } else {
            size_t n = strcspn(r, "\n");
            fprintf(stderr, "mtad: %s%.*s\n", what, (int)n, strncmp(r, "error: ", 7) == 0 ? r + 7 : r);
        }
    }
    sb_free(&reply);
    sb_free(&err);
    if (queue)
        *queue = q;
    else
        free(q);
    return rc;
}

static int cmd_start(const opts *o)
{
    master_opts mo = { .image = o->image, .queue_dir = o->queue, .foreground = o->foreground };
    return master_start(&mo);
}

static int cmd_stop(const opts *o)
{
    strbuf body;
    sb_init(&body);
    char *q = NULL;
    /* the master closes the connection as it exits: workers get 10 s, then SIGKILL */
    int rc = call(o, "stop", 60, "", &body, &q);
    if (rc == 0) {
        char *pid = mtad_pid_path(q);
        struct timespec tick = { 0, 20 * 1000 * 1000 };
        for (int i = 0; i < 250 && pidfile_held(pid); i++)
            nanosleep(&tick, NULL);
        if (pidfile_held(pid)) {
            fprintf(stderr, "mtad: the master on %s did not exit\n", q);
            rc = 1;
        } else {
            printf("mtad: master on %s stopped\n", q);
        }
        free(pid);
    }
    sb_free(&body);
    free(q);
    return rc;
}

static int cmd_reload(const opts *o)
{
    strbuf req, body;
    sb_init(&req);
    sb_init(&body);
    sb_adds(&req, "reload");
    const char *image = o->image ? o->image : getenv("MTAD_IMAGE");
    if (image && *image) {
        /* the master runs in /: send an absolute path */
        char *abs = realpath(image, NULL);
        char cwd[PATH_MAX];
        if (abs)
            sb_addf(&req, " %s", abs);
        else if (image[0] != '/' && getcwd(cwd, sizeof cwd))
            sb_addf(&req, " %s/%s", cwd, image);
        else
            sb_addf(&req, " %s", image);
        free(abs);
    }
    int rc = call(o, sb_str(&req), 120, "reload refused: ", &body, NULL);
    if (rc == 0)
        printf("mtad: reloaded: %s\n", sb_str(&body));
    sb_free(&req);
    sb_free(&body);
    return rc;
}

static int cmd_status(const opts *o)
{
    strbuf body;
    sb_init(&body);
    int rc = call(o, strcmp(o->format, "json") == 0 ? "status json" : "status text", 30, "", &body, NULL);
    if (rc == 0)
        fputs(sb_str(&body), stdout);
    sb_free(&body);
    return rc;
}

static int cmd_queue(const opts *o)
{
    for (int i = 1; i < o->argc; i++)       /* its help needs no queue */
        if (strcmp(o->argv[i], "--help") == 0 || strcmp(o->argv[i], "-h") == 0)
            return mtad_cmd_queue("", o->argc, o->argv);
    char *q = queue_of(o);
    if (!q)
        return 1;
    int rc = mtad_cmd_queue(q, o->argc, o->argv);      /* argv[0] is "queue" */
    free(q);
    return rc;
}

int main(int argc, char **argv)
{
    progname = "mtad";
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("mtad %s (policy image format %u)\n", MTACC_VERSION, IMG_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        const struct command *c = &commands[i];
        if (strcmp(argv[1], c->name) != 0)
            continue;
        opts o;
        int p = parse(c, argc - 1, argv + 1, &o);
        int rc = p > 0 ? 0 : p < 0 ? 2 : c->run(&o);
        free(o.argv);
        return rc;
    }
    fprintf(stderr, "mtad: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return 2;
}
