/* test_dns_real.c: differential test of the real resolver
 * (stdlib/policy/dns_real.c) against the fixture resolver (dns_fixture.c).
 * For every zone file of the tests (tests/policy/dns-default.zone alone
 * and under each tests/policy/cases/ * /dns.zone, as the policy cases load
 * them; every tests/golden/ ** /zone*; tests/unit/dns_real.zone's corner
 * cases), tests/tools/fake-dns.py serves the zones on 127.0.0.1, once
 * chasing CNAMEs as a recursive server does and once not, and both
 * resolvers are asked for every name the zones list or name in records,
 * their parents (empty non-terminals), names below them, names under the
 * wildcards, case and trailing-dot variants and names the zones do not
 * have, in every type dns.h knows: status and records must be the same.
 * One PASS/FAIL line per zone set and mode.
 *
 * Then what a fixture cannot show: a server that never answers (TEMPFAIL
 * within the resolver's bound), nothing listening, answers refused,
 * truncated with no TCP, counting a record too many, with a 3-byte
 * address or an unreadable record (TEMPFAIL, and the server's other
 * answers still read), and the syntax of the server argument. */
#include "stdlib/policy/dns.h"
#include "stdlib/util/alloc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <ftw.h>
#include <glob.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FAKE_DNS     "tests/tools/fake-dns.py"
#define DEFAULT_ZONE "tests/policy/dns-default.zone"
#define EDGE_ZONE    "tests/unit/dns_real.zone"
#define MAX_SHOWN    10      /* differences printed per zone set */

static int failed;

static void check(int ok, const char *name)
{
    printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    if (!ok)
        failed = 1;
}

static const int types[] = {
    POL_DNS_A, POL_DNS_NS, POL_DNS_CNAME, POL_DNS_PTR, POL_DNS_MX, POL_DNS_TXT, POL_DNS_AAAA,
};
#define NTYPES (sizeof types / sizeof *types)

/* ---- the fake server -------------------------------------------------------- */

typedef struct fake {
    pid_t pid;
    int   in;       /* its standard input: closing it ends it */
    int   port;
} fake;

/* Start fake-dns.py with args (options, then zone files); its port. */
static int fake_start(fake *f, const char *const *args, size_t nargs)
{
    int in[2], out[2];
    if (pipe(in) < 0 || pipe(out) < 0)
        fatal("pipe");
    const char **argv = xcalloc(nargs + 5, sizeof *argv);
    size_t k = 0;
    argv[k++] = "python3";
    argv[k++] = FAKE_DNS;
    argv[k++] = "--lifetime";
    argv[k++] = "300";
    for (size_t i = 0; i < nargs; i++)
        argv[k++] = args[i];
    fflush(stdout);
    f->pid = fork();
    if (f->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    free(argv);
    close(in[0]);
    close(out[1]);
    f->in = in[1];
    FILE *fp = fdopen(out[0], "r");
    char line[64];
    f->port = fp && fgets(line, sizeof line, fp) ? atoi(line) : 0;
    if (fp)
        fclose(fp);
    return f->port > 0 ? 0 : -1;
}

static void fake_stop(fake *f)
{
    close(f->in);
    int st;
    waitpid(f->pid, &st, 0);
}

static pol_dns *real_for(int port)
{
    char server[32];
    snprintf(server, sizeof server, "127.0.0.1:%d", port);
    strbuf err;
    sb_init(&err);
    pol_dns *d = pol_dns_real_new(server, &err);
    if (!d)
        fatal("pol_dns_real_new(%s): %s", server, sb_str(&err));
    sb_free(&err);
    return d;
}

/* ---- the names to ask ------------------------------------------------------- */

typedef struct names {
    char  **v;
    size_t  n, cap;
} names;

static void add(names *ns, const char *name)
{
    for (size_t i = 0; i < ns->n; i++)
        if (strcmp(ns->v[i], name) == 0)
            return;
    xgrow(&ns->v, &ns->cap, ns->n + 1, sizeof *ns->v);
    ns->v[ns->n++] = xstrdup(name);
}

static void addf2(names *ns, const char *a, const char *b)
{
    char *s = xmalloc(strlen(a) + strlen(b) + 1);
    sprintf(s, "%s%s", a, b);
    add(ns, s);
    free(s);
}

/* A name of a zone, and the names around it. */
static void add_around(names *ns, const char *raw)
{
    char *name = pol_dns_name(raw, strlen(raw));
    add(ns, name);
    add(ns, raw);                         /* as written: case, trailing dot */
    addf2(ns, name, ".");
    char *up = xstrdup(name);
    for (char *p = up; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    add(ns, up);
    free(up);
    addf2(ns, "below.", name);            /* NXDOMAIN, or a wildcard's */
    if (strncmp(name, "*.", 2) == 0) {    /* names under the wildcard */
        addf2(ns, "x", name + 1);
        addf2(ns, "a.b", name + 1);
    }
    for (const char *dot = strchr(name, '.'); dot; dot = strchr(dot + 1, '.'))
        add(ns, dot + 1);                 /* parents: empty non-terminals, or not */
    free(name);
}

/* The names of a zone file: owners, and the host names in records. */
static void zone_names(names *ns, const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        fatal("cannot open %s", path);
    char line[4096];
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, ";#")] = 0;
        char *w[8];
        int nw = 0;
        for (char *save = NULL, *t = strtok_r(line, " \t\r\n", &save); t && nw < 8;
             t = strtok_r(NULL, " \t\r\n", &save))
            w[nw++] = t;
        if (nw == 0)
            continue;
        add_around(ns, w[0]);
        const char *type = nw >= 2 ? w[nw - 2] : "";
        if (strcasecmp(type, "CNAME") == 0 || strcasecmp(type, "NS") == 0 ||
            strcasecmp(type, "PTR") == 0 || (nw >= 3 && strcasecmp(w[nw - 3], "MX") == 0))
            add_around(ns, w[nw - 1]);
    }
    fclose(fp);
}

static void names_free(names *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        free(ns->v[i]);
    free(ns->v);
}

/* ---- comparing -------------------------------------------------------------- */

static const char *const status_names[] = { "FOUND", "NODATA", "NXDOMAIN", "TEMPFAIL" };

/* An answer as text: status, then each record. */
static void answer(pol_dns *d, const char *name, int type, strbuf *out)
{
    pol_dns_rr *rr;
    size_t n;
    pol_dns_status st = pol_dns_query(d, name, type, &rr, &n);
    sb_adds(out, status_names[st]);
    for (size_t i = 0; i < n; i++)
        sb_addf(out, " [%d %u \"%s\"]", rr[i].type, rr[i].pref, rr[i].data);
    pol_dns_rr_free(rr, n);
}

/* Ask both resolvers everything; the number of differences. */
static size_t compare_all(pol_dns *fixture, pol_dns *real, const names *ns, const char *label)
{
    size_t diffs = 0;
    strbuf a, b;
    sb_init(&a);
    sb_init(&b);
    for (size_t i = 0; i < ns->n; i++)
        for (size_t t = 0; t < NTYPES; t++) {
            sb_clear(&a);
            sb_clear(&b);
            answer(fixture, ns->v[i], types[t], &a);
            answer(real, ns->v[i], types[t], &b);
            if (strcmp(sb_str(&a), sb_str(&b)) == 0)
                continue;
            if (diffs++ < MAX_SHOWN)
                printf("  %s: \"%s\" type %d: fixture %s, real %s\n", label, ns->v[i], types[t],
                       sb_str(&a), sb_str(&b));
        }
    sb_free(&a);
    sb_free(&b);
    return diffs;
}

/* One zone set in one mode: served, asked, compared. */
static void differential(const char *const *zones, size_t nz, int chase, size_t *total)
{
    char label[512];
    snprintf(label, sizeof label, "real = fixture: %s%s (%s)", zones[nz - 1],
             nz > 1 ? " over the default zone" : "", chase ? "CNAMEs chased" : "not chased");
    strbuf err;
    sb_init(&err);
    pol_dns *fixture = pol_dns_fixture_new(zones, nz, &err);
    const char **args = xcalloc(nz + 1, sizeof *args);
    size_t na = 0;
    if (!chase)
        args[na++] = "--no-chase";
    for (size_t i = 0; i < nz; i++)
        args[na++] = zones[i];
    fake f;
    if (!fixture || fake_start(&f, args, na) < 0) {
        printf("FAIL %s: %s\n", label, fixture ? "fake-dns.py did not start" : sb_str(&err));
        failed = 1;
        pol_dns_free(fixture);
        free(args);
        sb_free(&err);
        return;
    }
    pol_dns *real = real_for(f.port);
    names ns = { 0 };
    for (size_t i = 0; i < nz; i++)
        zone_names(&ns, zones[i]);
    add(&ns, "nonexistent.invalid");
    add(&ns, "");
    add(&ns, "x234567890123456789012345678901234567890123456789012345678901234.invalid");
    size_t diffs = compare_all(fixture, real, &ns, zones[nz - 1]);
    *total += ns.n * NTYPES;
    char name[700];
    snprintf(name, sizeof name, "%s: %zu names x %zu types, %zu differ", label, ns.n,
             (size_t)NTYPES, diffs);
    check(diffs == 0, name);
    names_free(&ns);
    pol_dns_free(real);
    fake_stop(&f);
    pol_dns_free(fixture);
    free(args);
    sb_free(&err);
}

static char **golden;      /* tests/golden/ ** /zone* */
static size_t ngolden, capgolden;

static int golden_visit(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    if (flag == FTW_F && strncmp(path + ftw->base, "zone", 4) == 0) {
        xgrow(&golden, &capgolden, ngolden + 1, sizeof *golden);
        golden[ngolden++] = xstrdup(path);
    }
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_differential(void)
{
    size_t total = 0, sets = 0;
    glob_t cases;
    if (glob("tests/policy/cases/*/dns.zone", 0, NULL, &cases) != 0)
        cases.gl_pathc = 0;
    nftw("tests/golden", golden_visit, 16, FTW_PHYS);
    qsort(golden, ngolden, sizeof *golden, by_name);
    for (int chase = 1; chase >= 0; chase--) {
        const char *def[] = { DEFAULT_ZONE }, *edge[] = { EDGE_ZONE };
        differential(def, 1, chase, &total);
        differential(edge, 1, chase, &total);
        for (size_t i = 0; i < cases.gl_pathc; i++) {
            const char *z[] = { DEFAULT_ZONE, cases.gl_pathv[i] };
            differential(z, 2, chase, &total);
        }
        for (size_t i = 0; i < ngolden; i++) {
            const char *z[] = { golden[i] };
            differential(z, 1, chase, &total);
        }
        sets = 2 + cases.gl_pathc + ngolden;
    }
    printf("  %zu zone sets, 2 modes, %zu questions to each resolver\n", sets, total);
    check(cases.gl_pathc >= 10 && ngolden >= 1, "real = fixture: the zone files were found");
    globfree(&cases);
    for (size_t i = 0; i < ngolden; i++)
        free(golden[i]);
    free(golden);
}

/* ---- failures --------------------------------------------------------------- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What the resolver at port answers for name (type A), and how long it took. */
static pol_dns_status ask_timed(int port, const char *name, double *secs)
{
    pol_dns *d = real_for(port);
    pol_dns_rr *rr;
    size_t n;
    double t0 = now();
    pol_dns_status st = pol_dns_query(d, name, POL_DNS_A, &rr, &n);
    *secs = now() - t0;
    pol_dns_rr_free(rr, n);
    pol_dns_free(d);
    return st;
}

/* A UDP socket on 127.0.0.1 that reads nothing; its port. */
static int silent_socket(int *port)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 ||
        getsockname(s, (struct sockaddr *)&a, &al) < 0)
        fatal("cannot bind a UDP socket on 127.0.0.1");
    *port = ntohs(a.sin_port);
    return s;
}

static void test_dead_servers(void)
{
    int port;
    int s = silent_socket(&port);
    double secs;
    pol_dns_status st = ask_timed(port, "example.com", &secs);
    printf("  a server that never answers: %s after %.1f s\n", status_names[st], secs);
    check(st == POL_DNS_TEMPFAIL && secs < 10, "real: a server that never answers is a TEMPFAIL "
                                               "within 10 s");
    close(s);   /* now nothing listens there */
    st = ask_timed(port, "example.com", &secs);
    check(st == POL_DNS_TEMPFAIL && secs < 10, "real: no server listening is a TEMPFAIL");
}

static void test_bad_answers(void)
{
    static const char *const kinds[] = { "refused", "short", "badrdata", "garbage", "tc" };
    enum { NK = sizeof kinds / sizeof *kinds };
    char quirk[NK][64];
    const char *args[2 * NK + 1];
    size_t na = 0;
    for (size_t i = 0; i < NK; i++) {
        snprintf(quirk[i], sizeof quirk[i], "%s.quirk.example=%s", kinds[i], kinds[i]);
        args[na++] = "--quirk";
        args[na++] = quirk[i];
    }
    args[na++] = EDGE_ZONE;
    fake f;
    if (fake_start(&f, args, na) < 0) {
        check(0, "real: bad answers: fake-dns.py did not start");
        return;
    }
    for (size_t i = 0; i < NK; i++) {
        char name[64], label[120];
        snprintf(name, sizeof name, "%s.quirk.example", kinds[i]);
        double secs;
        pol_dns_status st = ask_timed(f.port, name, &secs);
        snprintf(label, sizeof label, "real: an answer \"%s\" is a TEMPFAIL (%s, %.1f s)",
                 kinds[i], status_names[st], secs);
        check(st == POL_DNS_TEMPFAIL && secs < 10, label);
    }
    pol_dns *d = real_for(f.port);
    strbuf a;
    sb_init(&a);
    answer(d, "fail.example", POL_DNS_A, &a);
    check(strcmp(sb_str(&a), "TEMPFAIL") == 0, "real: SERVFAIL is a TEMPFAIL");
    sb_clear(&a);
    answer(d, "big.example", POL_DNS_A, &a);
    check(strncmp(sb_str(&a), "FOUND", 5) == 0 && strstr(sb_str(&a), "192.0.2.139"),
          "real: an answer too large for UDP comes over TCP");
    sb_clear(&a);
    answer(d, "long.txt.example", POL_DNS_TXT, &a);
    check(strlen(sb_str(&a)) == strlen("FOUND [16 0 \"\"]") + 255,
          "real: TXT: the first character-string (255 bytes)");
    sb_clear(&a);
    answer(d, "txt.example", POL_DNS_TXT, &a);
    check(strstr(sb_str(&a), "\"caf   <b>\"") != NULL,
          "real: TXT: what is not printable ASCII as spaces, as Postfix reads it");
    sb_free(&a);
    pol_dns_free(d);
    fake_stop(&f);
}

static void test_server_syntax(void)
{
    static const char *const good[] = {
        "127.0.0.1", "127.0.0.1:5353", "[::1]:53", "::1", "[127.0.0.1]:53", "2001:db8::1",
    };
    static const char *const bad[] = {
        "", "x", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:53x",
        "[::1", "[::1]x", "[::1]:", "1.2.3.4:53:1", "localhost", "127.0.0.1 ",
    };
    strbuf err;
    sb_init(&err);
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        pol_dns *d = pol_dns_real_new(good[i], &err);
        char label[100];
        snprintf(label, sizeof label, "real: server \"%s\" taken", good[i]);
        check(d != NULL, label);
        pol_dns_free(d);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sb_clear(&err);
        pol_dns *d = pol_dns_real_new(bad[i], &err);
        char label[100];
        snprintf(label, sizeof label, "real: server \"%s\" refused", bad[i]);
        check(d == NULL && strstr(sb_str(&err), "expected IP") != NULL, label);
        pol_dns_free(d);
    }
    pol_dns *sys = pol_dns_real_new(NULL, &err);   /* set up only: never asked */
    check(sys != NULL, "real: the system's resolver configuration");
    pol_dns_free(sys);
    sb_free(&err);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (access(FAKE_DNS, R_OK) != 0) {
        printf("FAIL test_dns_real: run it from the top of the source tree (%s)\n", FAKE_DNS);
        return 1;
    }
    test_server_syntax();
    test_differential();
    test_bad_answers();
    test_dead_servers();
    return failed;
}
