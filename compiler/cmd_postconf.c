/* cmd_postconf.c: `mtacc postconf`: Postfix's postconf views of main.cf
 * parameters, byte for byte (stdout, stderr wording, exit status):
 *   mtacc postconf [-c DIR] [-n | -d] [-x] [-h | -H] [-f] [-o name=value]... [NAME...]
 * -M, -F and -P (master.cf views) go to postconf_master_print() when that
 * module is built in (compiler/postconf_master.h). */
#include "compiler/cmd.h"
#include "compiler/config.h"
#include "compiler/expand.h"
#include "compiler/hostparams.h"
#include "compiler/paramset.h"
#include "compiler/registry.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/strbuf.h"

#include "compiler/postconf_master.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char postconf_usage[] =
    "usage: mtacc postconf [-c DIR] [-n | -d] [-x] [-h | -H] [-f] [-M | -F | -P]\n"
    "                      [-o name=value]... [NAME...]\n";

typedef struct pc_env {
    paramset     *ps;
    const maincf *m;
    char        **oname, **ovalue;      /* command-line -o */
    size_t        no;
    const char   *dir;
    int           have_c;
    int           defaults_only;
    char         *host_value[8];        /* computed host defaults, by name */
    char         *host_name[8];
    size_t        nhost;
    strbuf        scratch[4];           /* expanded values handed to hostparams */
    int           nscratch;
} pc_env;

static const char *raw_value(void *vctx, const char *name);
static const char *set_value(const struct pc_env *e, const char *name);

/* Expanded value of name, for the host-default computations. */
static const char *expanded_value(void *vctx, const char *name)
{
    pc_env *e = vctx;
    size_t nl = strlen(name);
    if (nl > 4 && strcmp(name + nl - 4, "?set") == 0) {
        char *base = xstrndup(name, nl - 4);
        int set = !e->defaults_only && set_value(e, base);
        const char *r = set ? expanded_value(vctx, base) : NULL;
        free(base);
        return r;
    }
    strbuf *b = &e->scratch[e->nscratch++ % 4];
    sb_clear(b);
    expand_error err;
    expand_param(name, raw_value, e, b, &err);
    expand_error_free(&err);
    return sb_str(b);
}

static const char *host_value(pc_env *e, const char *name)
{
    for (size_t i = 0; i < e->nhost; i++)
        if (strcmp(e->host_name[i], name) == 0)
            return e->host_value[i];
    char *v = host_default(name, expanded_value, e);
    if (!v || e->nhost >= sizeof e->host_value / sizeof *e->host_value) {
        free(v);
        return NULL;
    }
    e->host_name[e->nhost] = xstrdup(name);
    e->host_value[e->nhost++] = v;
    return v;
}

static const char *set_value(const pc_env *e, const char *name)
{
    for (size_t i = e->no; i-- > 0;)
        if (strcmp(e->oname[i], name) == 0)
            return e->ovalue[i];
    const cf_setting *s = maincf_find(e->m, name);
    if (s)
        return s->value;
    if (e->have_c && strcmp(name, "config_directory") == 0)
        return e->dir;
    return NULL;
}

/* The unexpanded value of a parameter: set, default, or host-computed. */
static const char *raw_value(void *vctx, const char *name)
{
    pc_env *e = vctx;
    if (!e->defaults_only) {
        const char *v = set_value(e, name);
        if (v)
            return v;
    }
    if (host_param(name)) {
        const char *v = host_value(e, name);
        if (v)
            return v;
    }
    return paramset_default(e->ps, name);
}

/* stdout stays buffered, as in postconf: warnings reach a shared pipe first. */
static void print_warning(const char *msg)
{
    fprintf(stderr, "postconf: warning: %s\n", msg);
}

static _Noreturn void postconf_fatal(const char *msg)
{
    fprintf(stderr, "postconf: fatal: %s\n", msg);
    exit(1);
}

/* postconf refuses to run with an inet_protocols word it does not know. */
static void check_inet_protocols(pc_env *e)
{
    const char *v = expanded_value(e, "inet_protocols");
    char *copy = xstrdup(v);
    for (char *save = NULL, *w = strtok_r(copy, ", \t\r\n", &save); w;
         w = strtok_r(NULL, ", \t\r\n", &save)) {
        if (strcmp(w, "all") != 0 && strcmp(w, "ipv4") != 0 && strcmp(w, "ipv6") != 0) {
            fprintf(stderr, "postconf: fatal: unknown inet_protocols value \"%s\" in \"%s\"\n", w, v);
            exit(1);
        }
    }
    free(copy);
}

/* postconf's warning for master.cf text before the first entry that
 * starts with whitespace (the logical line, shortened to 30 bytes). */
static void warn_master_orphan(const config *c, const char *master_path)
{
    const src_file *f = src_get(&c->src, c->master.file);
    if (!f)
        return;
    strbuf b;
    sb_init(&b);
    const char *p = f->text, *e = f->text + f->len;
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        const char *le = nl ? nl : e;
        const char *q = p;
        while (q < le && strchr(" \t\r\f\v", *q))
            q++;
        if (q < le && *q != '#') {
            if (q == p)
                break;   /* the first entry: no orphan text before it */
            sb_addn(&b, p, (size_t)(le - p));
        }
        p = nl ? nl + 1 : e;
    }
    while (b.len && strchr(" \t\r", b.s[b.len - 1]))
        b.s[--b.len] = 0;
    if (b.len > 30)
        fprintf(stderr, "postconf: warning: %s: logical line must not start with whitespace: \"%.30s...\"\n",
                master_path, b.s);
    else if (b.len)
        fprintf(stderr, "postconf: warning: %s: logical line must not start with whitespace: \"%s\"\n",
                master_path, b.s);
    sb_free(&b);
}

/* Whitespace runs become one space, as postconf prints values. */
static void normalize(const char *v, strbuf *out)
{
    int sp = 0;
    for (const char *p = v; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v') {
            sp = out->len > 0;
            continue;
        }
        if (sp)
            sb_addc(out, ' ');
        sp = 0;
        sb_addc(out, *p);
    }
    if (!out->s)
        sb_adds(out, "");
}

enum { SHOW_NAME = 1, SHOW_VALUE = 2 };

/* Long lines folded at word boundaries as postconf -f does. */
static void print_line(const char *name, const char *value, int show, int fold, FILE *out)
{
    strbuf line;
    sb_init(&line);
    if (show == (SHOW_NAME | SHOW_VALUE))
        sb_addf(&line, "%s =%s%s", name, *value ? " " : "", value);
    else if (show == SHOW_NAME)
        sb_adds(&line, name);
    else
        sb_adds(&line, value);
    if (!fold || line.len <= 80) {
        fprintf(out, "%s\n", line.s);
        sb_free(&line);
        return;
    }
    /* fold: break at the last space before column 80, continue with 4 spaces */
    const char *p = line.s;
    size_t width = 80, col_start = 0;
    while (strlen(p) + col_start > width) {
        const char *brk = NULL;
        for (const char *q = p; *q && (size_t)(q - p) + col_start <= width; q++)
            if (*q == ' ')
                brk = q;
        if (!brk) {
            brk = strchr(p + (width > col_start ? width - col_start : 0), ' ');
            if (!brk)
                break;
        }
        fprintf(out, "%.*s\n    ", (int)(brk - p), p);
        p = brk + 1;
        col_start = 4;
    }
    fprintf(out, "%s\n", p);
    sb_free(&line);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct name_list {
    char  **v;
    size_t  n, cap;
} name_list;

static void list_add(void *ctx, const char *name)
{
    name_list *l = ctx;
    xgrow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = (char *)name;
}

static void list_sort_unique(name_list *l)
{
    qsort(l->v, l->n, sizeof *l->v, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++)
        if (k == 0 || strcmp(l->v[k - 1], l->v[i]) != 0)
            l->v[k++] = l->v[i];
    l->n = k;
}

static void print_param(pc_env *e, const char *name, int expand, int show, int fold)
{
    const char *v = raw_value(e, name);
    strbuf x, n;
    sb_init(&x);
    sb_init(&n);
    if (!v)
        v = "";
    if (expand && !paramset_raw(name)) {
        expand_error err;
        expand_status st = expand_text(v, raw_value, e, &x, &err);
        if (st == EXPAND_FATAL)
            postconf_fatal(err.msg);
        if (st != EXPAND_OK) {
            print_warning(err.msg);
            postconf_fatal("macro processing error");
        }
        v = sb_str(&x);
    }
    normalize(v, &n);
    print_line(name, n.s, show, fold, stdout);
    sb_free(&x);
    sb_free(&n);
}

/* Postfix reads main.cf as logical lines (continuation lines appended
 * without their newline) and stops at one without "=". Returns the fatal
 * message, or NULL. */
/* "name = value": the name runs to whitespace or "="; then "=" must follow. */
static char *bad_line(strbuf *line, const char *path, unsigned lineno)
{
    const char *p = line->s;
    while (*p && *p != '=' && *p != ' ' && *p != '\t')
        p++;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '=')
        return NULL;
    while (line->len && (line->s[line->len - 1] == ' ' || line->s[line->len - 1] == '\t' ||
                         line->s[line->len - 1] == '\r'))
        line->s[--line->len] = 0;
    strbuf m;
    sb_init(&m);
    sb_addf(&m, "%s, line %u: missing '=' after attribute name: \"%s\"", path, lineno, line->s);
    return sb_take(&m);
}

static char *maincf_fatal(const char *text, size_t len, const char *path)
{
    const char *p = text, *end = text + len;
    strbuf line;
    sb_init(&line);
    unsigned start = 0;
    char *msg = NULL;
    for (unsigned n = 1;; n++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *q = p;
        while (q < le && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        int blank = q == le, comment = q < le && *q == '#';
        if (!blank && !comment) {
            if (q == p || line.len == 0) {       /* a new logical line */
                if (line.len && (msg = bad_line(&line, path, start)))
                    break;
                sb_clear(&line);
                start = n;
            }
            sb_addn(&line, p, (size_t)(le - p));
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    if (!msg && line.len)
        msg = bad_line(&line, path, start);
    sb_free(&line);
    return msg;
}

static char *join_path(const char *dir, const char *file)
{
    strbuf b;
    sb_init(&b);
    sb_addf(&b, "%s/%s", dir, file);
    return sb_take(&b);
}

int cmd_postconf(int argc, char **argv)
{
    const char *dir = NULL;
    int nflag = 0, dflag = 0, xflag = 0, hflag = 0, Hflag = 0, fflag = 0, master_mode = 0;
    pc_env e = { 0 };
    size_t ocap = 0;
    int ch;
    optind = 1;
    while ((ch = getopt(argc, argv, "c:dfhHnxo:MFPv")) != -1) {
        switch (ch) {
        case 'c': dir = optarg; break;
        case 'd': dflag = 1; break;
        case 'f': fflag = 1; break;
        case 'h': hflag = 1; break;
        case 'H': Hflag = 1; break;
        case 'n': nflag = 1; break;
        case 'x': xflag = 1; break;
        case 'v': break;
        case 'M': case 'F': case 'P': master_mode = ch; break;
        case 'o': {
            const char *eq = strchr(optarg, '=');
            if (!eq) {
                fprintf(stderr, "postconf: fatal: -o option requires parameter=value, not: %s\n", optarg);
                return 1;
            }
            size_t cap1 = ocap, cap2 = ocap;
            xgrow(&e.oname, &cap1, e.no + 1, sizeof *e.oname);
            xgrow(&e.ovalue, &cap2, e.no + 1, sizeof *e.ovalue);
            ocap = cap1;
            e.oname[e.no] = xstrndup(optarg, (size_t)(eq - optarg));
            e.ovalue[e.no++] = xstrdup(eq + 1);
            break;
        }
        default:
            fputs(postconf_usage, stderr);
            return 2;
        }
    }
    if (nflag && dflag) {
        fputs("postconf: fatal: specify one of -d and -n\n", stderr);
        return 1;
    }
    const char *cfdir = dir ? dir : "/etc/postfix";
    char *main_path = join_path(cfdir, "main.cf");
    char *master_path = join_path(cfdir, "master.cf");
    if (access(main_path, R_OK) != 0) {
        fprintf(stderr, "postconf: fatal: open %s: %s\n", main_path, strerror(errno));
        return 1;
    }
    config c;
    config_opts co = { .dir = cfdir };
    config_load(&c, &co);

    const src_file *mf = src_get(&c.src, c.main.file);
    char *mfatal = mf && !dflag ? maincf_fatal(mf->text, mf->len, main_path) : NULL;
    if (!mfatal) {
        warn_master_orphan(&c, master_path);
        mfatal = postconf_master_fatal_msg(&c, master_path);
    }
    if (mfatal) {
        fprintf(stderr, "postconf: fatal: %s\n", mfatal);
        free(mfatal);
        config_free(&c);
        free(main_path);
        free(master_path);
        return 1;
    }


    paramset ps;
    /* master.cf services: plugged in with the master.cf model (config.h) */
    paramset_build(&ps, &c.main, &c.master, main_path, master_path);
    e.ps = &ps;
    e.m = &c.main;
    e.dir = cfdir;
    e.have_c = dir != NULL;
    e.defaults_only = dflag;
    for (int i = 0; i < 4; i++)
        sb_init(&e.scratch[i]);

    if (!dflag)
        check_inet_protocols(&e);

    int rc = 0;
    if (master_mode) {
        rc = postconf_master_print(&c, master_mode, fflag, argv + optind, argc - optind, stdout);
        goto done_rc;
    }

    int show = hflag ? SHOW_VALUE : Hflag ? SHOW_NAME : SHOW_NAME | SHOW_VALUE;
    if (!dflag)
        for (size_t i = 0; i < ps.nwarnings; i++)
            print_warning(ps.warnings[i]);

    if (optind < argc) {
        for (int i = optind; i < argc; i++) {
            const char *name = argv[i];
            ps_class k = paramset_class(&ps, name);
            if (k == PS_UNKNOWN || (dflag && k == PS_USER)) {
                strbuf w;
                sb_init(&w);
                sb_addf(&w, "%s: unknown parameter", name);
                print_warning(w.s);
                sb_free(&w);
                continue;
            }
            if (nflag && !set_value(&e, name))
                continue;
            print_param(&e, name, xflag, show, fflag);
        }
    } else {
        name_list l = { 0 };
        if (nflag) {
            for (size_t i = 0; i < c.main.n; i++)
                if (paramset_class(&ps, c.main.v[i].name) != PS_UNKNOWN)
                    list_add(&l, c.main.v[i].name);
            for (size_t i = 0; i < e.no; i++)
                if (paramset_class(&ps, e.oname[i]) != PS_UNKNOWN)
                    list_add(&l, e.oname[i]);
            if (e.have_c)
                list_add(&l, "config_directory");
        } else {
            paramset_each(&ps, !dflag, list_add, &l);
        }
        list_sort_unique(&l);
        for (size_t i = 0; i < l.n; i++)
            print_param(&e, l.v[i], xflag, show, fflag);
        free(l.v);
    }

    if (!dflag) {
        /* "unused parameter": main.cf settings (last one of each name) and
         * -o name=value from the command line, then master.cf -o */
        for (size_t i = 0; i < c.main.n; i++) {
            const cf_setting *s = &c.main.v[i];
            if (maincf_find(&c.main, s->name) != s || paramset_class(&ps, s->name) != PS_UNKNOWN)
                continue;
            int overridden = 0;
            for (size_t j = 0; j < e.no; j++)
                overridden |= strcmp(e.oname[j], s->name) == 0;
            if (overridden)
                continue;
            strbuf w;
            sb_init(&w);
            sb_addf(&w, "%s: unused parameter: %s=%s", main_path, s->name, s->value);
            print_warning(w.s);
            sb_free(&w);
        }
        for (size_t i = 0; i < e.no; i++) {
            int later = 0;
            for (size_t j = i + 1; j < e.no; j++)
                later |= strcmp(e.oname[j], e.oname[i]) == 0;
            if (later || paramset_class(&ps, e.oname[i]) != PS_UNKNOWN)
                continue;
            strbuf w;
            sb_init(&w);
            sb_addf(&w, "%s: unused parameter: %s=%s", main_path, e.oname[i], e.ovalue[i]);
            print_warning(w.s);
            sb_free(&w);
        }
        for (size_t i = 0; i < ps.nov; i++) {
            if (paramset_class(&ps, ps.ov[i].name) != PS_UNKNOWN)
                continue;
            strbuf w;
            sb_init(&w);
            sb_addf(&w, "%s: unused parameter: %s=%s", master_path, ps.ov[i].name, ps.ov[i].value);
            print_warning(w.s);
            sb_free(&w);
        }
    }

    rc = fflush(stdout) == 0 ? 0 : 1;
done_rc:
    for (size_t i = 0; i < e.nhost; i++)
        free(e.host_value[i]), free(e.host_name[i]);
    for (int i = 0; i < 4; i++)
        sb_free(&e.scratch[i]);
    for (size_t i = 0; i < e.no; i++) {
        free(e.oname[i]);
        free(e.ovalue[i]);
    }
    free(e.oname);
    free(e.ovalue);
    paramset_free(&ps);
    config_free(&c);
    free(main_path);
    free(master_path);
    return rc;
}
