/* test_queue_store.c: the durable queue store (runtime/qmgr, mta-queue.5):
 * the record round trip, ids unique across threads and processes, group
 * commit really batching, recovery of torn and damaged files, hold and
 * abort, and the failure paths that must answer done(-1). */
#include "runtime/qmgr/internal.h"
#include "runtime/qmgr/store.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/crc32c.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int failed;

static void check(int ok, const char *name)
{
    printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    if (!ok)
        failed = 1;
}

static char root[64];

static char *qdir(const char *name)
{
    strbuf b;
    sb_init(&b);
    sb_addf(&b, "%s/%s", root, name);
    return sb_take(&b);
}

static char *path_in(const char *dir, const char *state, const char *id)
{
    strbuf b;
    sb_init(&b);
    sb_addf(&b, "%s/%s/%s", dir, state, id);
    return sb_take(&b);
}

static int exists(const char *dir, const char *state, const char *id)
{
    char *p = path_in(dir, state, id);
    int ok = access(p, F_OK) == 0;
    free(p);
    return ok;
}

/* ---- done callbacks ----------------------------------------------------- */

typedef struct outcome {
    int      calls, ok, bad;
    char     why[256];
    pthread_t thread;   /* who ran the last callback */
} outcome;

static void on_done(void *arg, int status, const char *why)
{
    outcome *o = arg;
    o->calls++;
    if (status == 0)
        o->ok++;
    else {
        o->bad++;
        snprintf(o->why, sizeof o->why, "%s", why ? why : "(null)");
    }
    o->thread = pthread_self();
}

/* Poll the event fd and dispatch until want callbacks ran (or 20 s). */
static int wait_calls(qstore *q, outcome *o, int want)
{
    for (int i = 0; i < 2000 && o->calls < want; i++) {
        struct pollfd p = { .fd = qs_event_fd(q), .events = POLLIN };
        if (poll(&p, 1, 10) > 0)
            qs_dispatch(q);
    }
    return o->calls == want;
}

/* ---- CRC-32C --------------------------------------------------------------- */

static void test_crc(void)
{
    check(crc32c(0, "123456789", 9) == 0xE3069283u, "crc32c_check_value");
    check(crc32c_sw(0, "123456789", 9) == 0xE3069283u, "crc32c_table_check_value");
    unsigned char buf[1000];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 131 + 7);
    uint32_t whole = crc32c(0, buf, sizeof buf);
    uint32_t parts = crc32c(crc32c(crc32c(0, buf, 3), buf + 3, 500), buf + 503, 497);
    check(whole == parts && whole == crc32c_sw(0, buf, sizeof buf), "crc32c_incremental_and_table_agree");
}

/* ---- round trip ------------------------------------------------------------- */

static const char *const attr_names[] = {
    "time", "client_address", "client_name", "reverse_client_name", "helo_name",
    "protocol", "sasl_method", "sasl_username", "sasl_sender", "dsn_envid", "dsn_ret",
    "size", "smtputf8", "8bitmime", "hold", "discard", "filter", "redirect", "bcc",
    "warn", "info",
};
#define NATTRS (sizeof attr_names / sizeof *attr_names)

static void test_round_trip(void)
{
    char *dir = qdir("rt");
    strbuf err;
    sb_init(&err);
    qstore *q = qs_open(dir, &err);
    check(q != NULL, "open_creates_queue");
    if (!q) {
        printf("  %s\n", sb_str(&err));
        return;
    }
    struct stat sb;
    int modes_ok = 1;
    for (int st = 0; st < QS_NSTATES; st++) {
        char *p = path_in(dir, qs_state_name(st), "");
        modes_ok &= stat(p, &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & 0777) == 0700;
        free(p);
    }
    check(modes_ok, "state_dirs_0700");

    qmsg *m = qs_msg_new(q, &err);
    check(m != NULL, "msg_new");
    if (!m)
        return;
    char id[QS_ID_MAX + 1];
    snprintf(id, sizeof id, "%s", qs_msg_id(m));
    check(qs_id_valid(id) && strlen(id) >= 10 && strlen(id) <= 12, "id_is_uppercase_hex_10_12");
    int rc = 0;
    /* every documented attribute, a repeated one, values with odd bytes */
    for (size_t i = 0; i < NATTRS; i++) {
        char v[64];
        snprintf(v, sizeof v, "v-%zu = x\ty", i);
        rc |= qs_msg_attr(m, attr_names[i], v);
    }
    rc |= qs_msg_attr(m, "bcc", "second@example.org");
    rc |= qs_msg_attr(m, "info", "");
    rc |= qs_msg_sender(m, "");
    rc |= qs_msg_rcpt(m, "a@example.com", NULL, 0);
    rc |= qs_msg_rcpt(m, "b@example.com", "rfc822;B@Example.COM", QS_NOTIFY_SUCCESS | QS_NOTIFY_FAILURE);
    rc |= qs_msg_rcpt(m, "c@example.com", "", QS_NOTIFY_NEVER);
    rc |= qs_msg_rcpt(m, "", NULL, QS_NOTIFY_DELAY);
    /* content: ordinary, empty, a line in three pieces, a NUL byte, a
     * piece longer than one record holds, an effect in between */
    strbuf want;
    sb_init(&want);
    const char *l1 = "Subject: round trip";
    rc |= qs_msg_line(m, l1, strlen(l1), 0);
    sb_adds(&want, l1), sb_addc(&want, '\n');
    rc |= qs_msg_line(m, "", 0, 0);
    sb_addc(&want, '\n');
    rc |= qs_msg_line(m, "abc", 3, 1);
    rc |= qs_msg_attr(m, "warn", "between pieces");
    rc |= qs_msg_line(m, "def", 3, 1);
    rc |= qs_msg_line(m, "ghi", 3, 0);
    sb_adds(&want, "abcdefghi\n");
    rc |= qs_msg_line(m, "nul\0byte", 8, 0);
    sb_addn(&want, "nul\0byte\n", 9);
    size_t big = QR_MAX_PIECE + QR_MAX_PIECE / 2 + 17;
    char *long_line = xmalloc(big);
    for (size_t i = 0; i < big; i++)
        long_line[i] = (char)('a' + i % 26);
    rc |= qs_msg_line(m, long_line, big, 0);
    sb_addn(&want, long_line, big), sb_addc(&want, '\n');
    free(long_line);
    rc |= qs_msg_line(m, ".", 1, 0);
    sb_adds(&want, ".\n");
    check(rc == 0 && qs_msg_error(m) == NULL, "records_written");
    check(qs_msg_size(m) == want.len, "msg_size_counts_content");

    outcome o = { 0 };
    qs_msg_commit(m, QS_INCOMING, on_done, &o);
    check(wait_calls(q, &o, 1) && o.ok == 1, "commit_done_ok");
    check(pthread_equal(o.thread, pthread_self()), "callback_on_dispatching_thread");
    char *p = path_in(dir, "incoming", id);
    check(stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0700, "committed_file_marked_complete");
    check(qs_file_complete(q->dirfds[QS_INCOMING], id), "qs_file_complete");

    qs_file f;
    sb_clear(&err);
    rc = qs_read(p, &f, &err);
    check(rc == 0, "read_back");
    if (rc != 0) {
        printf("  %s\n", sb_str(&err));
    } else {
        check(strcmp(f.id, id) == 0 && f.state == QS_INCOMING, "read_id_and_state");
        check(strcmp(f.sender, "") == 0, "read_null_sender");
        int attrs_ok = f.nattrs == NATTRS + 3;
        for (size_t i = 0; attrs_ok && i < NATTRS; i++) {
            char v[64];
            snprintf(v, sizeof v, "v-%zu = x\ty", i);
            attrs_ok = strcmp(f.attrs[i].name, attr_names[i]) == 0 && strcmp(f.attrs[i].value, v) == 0;
        }
        attrs_ok = attrs_ok && strcmp(f.attrs[NATTRS].name, "bcc") == 0
                   && strcmp(f.attrs[NATTRS].value, "second@example.org") == 0
                   && strcmp(f.attrs[NATTRS + 1].name, "info") == 0 && !f.attrs[NATTRS + 1].value[0]
                   && strcmp(f.attrs[NATTRS + 2].value, "between pieces") == 0;
        check(attrs_ok, "read_attributes_in_order");
        int rcpts_ok = f.nrcpts == 4
            && !strcmp(f.rcpts[0].addr, "a@example.com") && !f.rcpts[0].orcpt && f.rcpts[0].notify == 0
            && !strcmp(f.rcpts[1].addr, "b@example.com") && f.rcpts[1].orcpt
            && !strcmp(f.rcpts[1].orcpt, "rfc822;B@Example.COM")
            && f.rcpts[1].notify == (QS_NOTIFY_SUCCESS | QS_NOTIFY_FAILURE)
            && f.rcpts[2].orcpt && !f.rcpts[2].orcpt[0] && f.rcpts[2].notify == QS_NOTIFY_NEVER
            && !f.rcpts[3].addr[0] && f.rcpts[3].notify == QS_NOTIFY_DELAY;
        check(rcpts_ok, "read_recipients_with_dsn");
        check(f.content.len == want.len && memcmp(f.content.s, want.s, want.len) == 0,
              "read_content_long_lines_pieces_nul");
        qs_file_free(&f);
    }
    free(p);
    sb_free(&want);

    /* a message without content */
    m = qs_msg_new(q, &err);
    qs_msg_sender(m, "s@example.com");
    qs_msg_rcpt(m, "r@example.com", NULL, 0);
    snprintf(id, sizeof id, "%s", qs_msg_id(m));
    check(qs_msg_size(m) == 0, "empty_content_size_zero");
    qs_msg_commit(m, QS_INCOMING, on_done, &o);
    check(wait_calls(q, &o, 2) && o.ok == 2, "empty_content_commit");
    p = path_in(dir, "incoming", id);
    rc = qs_read(p, &f, &err);
    check(rc == 0 && f.content.len == 0 && f.content.s && !strcmp(f.sender, "s@example.com")
          && f.nrcpts == 1 && f.nattrs == 0, "read_empty_content");
    if (rc == 0)
        qs_file_free(&f);
    free(p);

    /* hold: lands in hold/, not in incoming/ */
    m = qs_msg_new(q, &err);
    qs_msg_sender(m, "s@example.com");
    qs_msg_rcpt(m, "r@example.com", NULL, 0);
    qs_msg_attr(m, "hold", "header_checks line 3");
    qs_msg_line(m, "x", 1, 0);
    snprintf(id, sizeof id, "%s", qs_msg_id(m));
    qs_msg_commit(m, QS_HOLD, on_done, &o);
    check(wait_calls(q, &o, 3) && o.ok == 3, "hold_commit");
    check(exists(dir, "hold", id) && !exists(dir, "incoming", id), "hold_lands_in_hold");
    p = path_in(dir, "hold", id);
    rc = qs_read(p, &f, &err);
    check(rc == 0 && f.state == QS_HOLD, "hold_reads_as_hold");
    if (rc == 0)
        qs_file_free(&f);
    free(p);

    /* abort: the file goes */
    m = qs_msg_new(q, &err);
    qs_msg_sender(m, "s@example.com");
    snprintf(id, sizeof id, "%s", qs_msg_id(m));
    int was_there = exists(dir, "incoming", id);
    qs_msg_abort(m);
    check(was_there && !exists(dir, "incoming", id), "abort_removes_file");

    unsigned counts[QS_NSTATES];
    check(qs_count(q, counts) == 0 && counts[QS_INCOMING] == 2 && counts[QS_HOLD] == 1
          && counts[QS_ACTIVE] == 0 && counts[QS_CORRUPT] == 0, "count_per_state");
    unsigned counts2[QS_NSTATES];
    check(qs_count_dir(dir, counts2, &err) == 0 && !memcmp(counts, counts2, sizeof counts),
          "count_dir_agrees");

    /* misuse fails the commit, it does not write a bad file */
    m = qs_msg_new(q, &err);
    qs_msg_rcpt(m, "r@example.com", NULL, 0);
    snprintf(id, sizeof id, "%s", qs_msg_id(m));
    qs_msg_commit(m, QS_INCOMING, on_done, &o);
    check(wait_calls(q, &o, 4) && o.bad == 1 && strstr(o.why, "sender") && !exists(dir, "incoming", id),
          "commit_without_sender_fails");
    m = qs_msg_new(q, &err);
    check(qs_msg_attr(m, "Bad Name", "x") == -1 && qs_msg_error(m) != NULL
          && qs_msg_sender(m, "s@x") == -1, "bad_attr_name_is_sticky_error");
    qs_msg_abort(m);

    qs_close(q);
    sb_free(&err);
    free(dir);
}

/* ---- group commit ----------------------------------------------------------- */

static qmsg *small_msg(qstore *q, int n)
{
    strbuf err;
    sb_init(&err);
    qmsg *m = qs_msg_new(q, &err);
    if (!m) {
        printf("  qs_msg_new: %s\n", sb_str(&err));
        sb_free(&err);
        return NULL;
    }
    sb_free(&err);
    char buf[64];
    snprintf(buf, sizeof buf, "%d", n);
    qs_msg_attr(m, "info", buf);
    qs_msg_sender(m, "sender@example.com");
    qs_msg_rcpt(m, "rcpt@example.com", NULL, 0);
    for (int i = 0; i < 20; i++) {
        const char *line = "The quick brown fox jumps over the lazy dog, and so on, and so on.";
        qs_msg_line(m, line, strlen(line), 0);
    }
    return m;
}

static void test_group_commit(void)
{
    char *dir = qdir("group");
    strbuf err;
    sb_init(&err);
    qstore *q = qs_open(dir, &err);
    enum { N = 200 };
    qmsg *ms[N];
    int made = 0;
    for (int i = 0; i < N; i++)
        made += (ms[i] = small_msg(q, i)) != NULL;
    check(made == N, "group_200_created");
    outcome o = { 0 };
    for (int i = 0; i < N; i++)
        if (ms[i])
            qs_msg_commit(ms[i], QS_INCOMING, on_done, &o);
    check(o.calls == 0, "no_callback_before_dispatch");
    check(wait_calls(q, &o, N) && o.ok == N, "group_all_done");
    qs_stats st;
    qs_get_stats(q, &st);
    printf("  %d messages in %llu batches\n", N, (unsigned long long)st.batches);
    check(st.batches >= 1 && st.batches <= N / 10 && st.synced == N, "group_commit_batches");
    unsigned counts[QS_NSTATES];
    check(qs_count(q, counts) == 0 && counts[QS_INCOMING] == N, "group_all_on_disk");

    /* close with commits still pending: they finish and are told */
    outcome o2 = { 0 };
    for (int i = 0; i < 20; i++) {
        qmsg *m = small_msg(q, i);
        if (m)
            qs_msg_commit(m, QS_INCOMING, on_done, &o2);
    }
    qs_close(q);
    check(o2.calls == 20 && o2.ok == 20, "close_finishes_pending_commits");
    sb_free(&err);
    free(dir);
}

/* ---- concurrent writers -------------------------------------------------------- */

typedef struct writer {
    qstore  *q;
    int      base, n;
    outcome *o;
} writer;

static void *write_many(void *arg)
{
    writer *w = arg;
    for (int i = 0; i < w->n; i++) {
        qmsg *m = small_msg(w->q, w->base + i);
        if (m)
            qs_msg_commit(m, QS_INCOMING, on_done, w->o);
    }
    return NULL;
}

/* Every message 0..n-1 is in incoming/ exactly once and decodes. */
static int all_present(const char *dir, int n)
{
    char **ids;
    size_t nids;
    strbuf err;
    sb_init(&err);
    if (qs_list_ids(dir, QS_INCOMING, &ids, &nids, &err) < 0)
        return 0;
    char *seen = xcalloc((size_t)n, 1);
    int ok = nids == (size_t)n;
    for (size_t i = 0; ok && i < nids; i++) {
        char *p = path_in(dir, "incoming", ids[i]);
        qs_file f;
        if (qs_read(p, &f, &err) == 0) {
            int k = f.nattrs ? atoi(f.attrs[0].value) : -1;
            ok = k >= 0 && k < n && !seen[k]++;
            qs_file_free(&f);
        } else {
            ok = 0;
        }
        free(p);
    }
    free(seen);
    qs_ids_free(ids, nids);
    sb_free(&err);
    return ok;
}

static void test_concurrent(void)
{
    /* threads sharing one store */
    char *dir = qdir("threads");
    strbuf err;
    sb_init(&err);
    qstore *q = qs_open(dir, &err);
    enum { T = 4, PER = 50 };
    pthread_t th[T];
    writer w[T];
    outcome o = { 0 };
    for (int i = 0; i < T; i++) {
        w[i] = (writer){ .q = q, .base = i * PER, .n = PER, .o = &o };
        pthread_create(&th[i], NULL, write_many, &w[i]);
    }
    for (int i = 0; i < T; i++)
        pthread_join(th[i], NULL);
    check(wait_calls(q, &o, T * PER) && o.ok == T * PER, "threads_all_done");
    qs_close(q);
    check(all_present(dir, T * PER), "threads_ids_unique_all_readable");
    free(dir);

    /* processes, each with its own store on the same queue */
    dir = qdir("procs");
    enum { P = 4 };
    pid_t pids[P];
    for (int i = 0; i < P; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            strbuf e;
            sb_init(&e);
            qstore *cq = qs_open(dir, &e);
            if (!cq)
                _exit(3);
            outcome co = { 0 };
            writer cw = { .q = cq, .base = i * PER, .n = PER, .o = &co };
            write_many(&cw);
            int ok = wait_calls(cq, &co, PER) && co.ok == PER;
            qs_close(cq);
            _exit(ok ? 0 : 4);
        }
    }
    int all_ok = 1;
    for (int i = 0; i < P; i++) {
        int status;
        all_ok &= pids[i] > 0 && waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status)
                  && WEXITSTATUS(status) == 0;
    }
    check(all_ok, "processes_all_committed");
    check(all_present(dir, P * PER), "processes_ids_unique_all_readable");
    sb_free(&err);
    free(dir);
}

/* ---- recovery --------------------------------------------------------------------- */

static unsigned char *file_bytes(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    *len = (size_t)ftell(fp);
    rewind(fp);
    unsigned char *b = xmalloc(*len + 1);
    if (fread(b, 1, *len, fp) != *len) {
        free(b);
        b = NULL;
    }
    fclose(fp);
    return b;
}

static void put_file(const char *dir, const char *state, const char *id, const void *b,
                     size_t n, mode_t mode)
{
    char *p = path_in(dir, state, id);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, b, n) != (ssize_t)n)
        fatal("cannot write %s", p);
    fchmod(fd, mode);
    close(fd);
    free(p);
}

static size_t files_in(const char *dir, const char *state)
{
    char *p = path_in(dir, state, "");
    DIR *d = opendir(p);
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    free(p);
    return n;
}

static void test_recovery(void)
{
    char *dir = qdir("recover");
    strbuf err;
    sb_init(&err);
    qstore *q = qs_open(dir, &err);
    qmsg *m = small_msg(q, 1);
    char id[QS_ID_MAX + 1];
    snprintf(id, sizeof id, "%s", qs_msg_id(m));
    qs_msg_attr(m, "bcc", "archive@example.com");
    outcome o = { 0 };
    qs_msg_commit(m, QS_INCOMING, on_done, &o);
    wait_calls(q, &o, 1);
    char *p = path_in(dir, "incoming", id);
    size_t len = 0;
    unsigned char *good = file_bytes(p, &len);
    free(p);
    check(good && len > QR_END_SIZE, "recovery_sample");
    if (!good)
        return;

    qs_recovery r;
    check(qs_recover(q, &r, &err) == 0 && r.kept == 1 && r.removed == 0 && r.corrupt == 0
          && exists(dir, "incoming", id), "recover_keeps_finished");

    /* a writer that died at any byte: no mark, not acknowledged, removed */
    size_t bad_decode = 0;
    for (size_t k = 0; k < len; k++) {
        char tid[32];
        snprintf(tid, sizeof tid, "A%011zX", k);
        put_file(dir, "incoming", tid, good, k, 0600);
        qs_file f;
        strbuf why;
        sb_init(&why);
        int rc = qs_decode_mem(good, k, &f, &why);
        bad_decode += rc == QS_DEC_TORN;
        if (rc == 0)
            qs_file_free(&f);
        sb_free(&why);
    }
    check(bad_decode == len, "every_truncation_has_no_end_record");
    check(qs_recover(q, &r, &err) == 0 && r.removed == len && r.corrupt == 0 && r.kept == 1
          && files_in(dir, "incoming") == 1, "recover_removes_every_truncation");

    /* the same truncations marked complete (acknowledged, then damaged):
     * never removed, moved to corrupt */
    for (size_t k = 0; k < len; k++) {
        char tid[32];
        snprintf(tid, sizeof tid, "B%011zX", k);
        put_file(dir, k % 2 ? "incoming" : "deferred", tid, good, k, 0700);
    }
    check(qs_recover(q, &r, &err) == 0 && r.corrupt == len && r.removed == 0
          && files_in(dir, "corrupt") == len && files_in(dir, "deferred") == 0,
          "recover_moves_truncated_acknowledged_to_corrupt");

    /* one byte changed, anywhere (the end record too): corrupt */
    unsigned char *copy = xmalloc(len);
    size_t undetected = 0;
    for (size_t k = 0; k < len; k++) {
        memcpy(copy, good, len);
        copy[k] ^= (unsigned char)(1u << (k % 8));
        char tid[32];
        snprintf(tid, sizeof tid, "C%011zX", k);
        put_file(dir, k % 3 == 0 ? "active" : k % 3 == 1 ? "incoming" : "hold", tid, copy, len, 0700);
        qs_file f;
        strbuf why;
        sb_init(&why);
        int rc = qs_decode_mem(copy, len, &f, &why);
        undetected += rc == 0;
        if (rc == 0)
            qs_file_free(&f);
        sb_free(&why);
    }
    free(copy);
    check(undetected == 0, "every_flipped_bit_detected");
    check(qs_recover(q, &r, &err) == 0 && r.corrupt == len && r.removed == 0 && r.kept == 1,
          "recover_moves_flipped_to_corrupt");

    /* a name already in corrupt/ is not overwritten */
    put_file(dir, "deferred", "C00000000000", good, len - 1, 0600);
    check(qs_recover(q, &r, &err) == 0 && r.corrupt == 1 && exists(dir, "corrupt", "C00000000000.1"),
          "corrupt_name_taken_gets_suffix");

    /* the decoder says why */
    strbuf why;
    sb_init(&why);
    qs_file f;
    check(qs_decode_mem("", 0, &f, &why) == QS_DEC_TORN && strstr(sb_str(&why), "end record"),
          "decode_empty_is_torn");
    sb_free(&why);
    free(good);
    qs_close(q);
    sb_free(&err);
    free(dir);
}

/* ---- failures ------------------------------------------------------------------------ */

static void test_failures(void)
{
    char *dir = qdir("fail");
    strbuf err;
    sb_init(&err);
    qstore *q = qs_open(dir, &err);
    outcome o = { 0 };

    /* the fd closed under the writer: the write at commit fails */
    qmsg *m = small_msg(q, 1);
    char id[QS_ID_MAX + 1];
    snprintf(id, sizeof id, "%s", qs_msg_id(m));
    int fd = m->w.fd;
    close(fd);
    qs_msg_commit(m, QS_INCOMING, on_done, &o);
    check(wait_calls(q, &o, 1) && o.bad == 1 && strstr(o.why, "write") && strstr(o.why, id),
          "write_error_gives_done_minus_1");
    check(!exists(dir, "incoming", id), "write_error_removes_file");

    /* fsync fails (the fd made a pipe's): the committer reports it */
    qs_set_sync(q, QS_SYNC_FILES);
    m = small_msg(q, 2);
    snprintf(id, sizeof id, "%s", qs_msg_id(m));
    int pfd[2];
    if (pipe(pfd) == 0) {
        dup2(pfd[1], m->w.fd);
        qs_msg_commit(m, QS_INCOMING, on_done, &o);
        check(wait_calls(q, &o, 2) && o.bad == 2 && strstr(o.why, "fsync"), "fsync_error_gives_done_minus_1");
        check(!exists(dir, "incoming", id), "fsync_error_removes_file");
        close(pfd[0]);
        close(pfd[1]);
    }
    qs_stats st;
    qs_get_stats(q, &st);
    check(st.failed == 2, "failures_counted");

    /* the incoming directory gone: qs_msg_new says why */
    char *inc = path_in(dir, "incoming", "");
    rmdir(inc);
    sb_clear(&err);
    m = qs_msg_new(q, &err);
    check(m == NULL && strstr(sb_str(&err), "cannot create"), "msg_new_error");
    if (m)
        qs_msg_abort(m);
    free(inc);
    qs_close(q);

    /* a read-only queue (only meaningful when not root) */
    if (geteuid() != 0) {
        char *ro = qdir("ro");
        q = qs_open(ro, &err);
        char *p = path_in(ro, "incoming", "");
        chmod(p, 0500);
        sb_clear(&err);
        m = qs_msg_new(q, &err);
        check(m == NULL && err.len, "read_only_queue_refuses");
        chmod(p, 0700);
        free(p);
        qs_close(q);
        free(ro);
    }

    /* qs_open on something that is not a directory */
    char *notdir = qdir("plainfile");
    FILE *fp = fopen(notdir, "w");
    if (fp)
        fclose(fp);
    sb_clear(&err);
    q = qs_open(notdir, &err);
    check(q == NULL && err.len && !strchr(sb_str(&err), '\n'), "open_error_one_line");
    qs_close(q);
    free(notdir);
    sb_free(&err);
    free(dir);
}

static void cleanup(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", root);
}

int main(void)
{
    snprintf(root, sizeof root, "%s", "/tmp/test_queue_store.XXXXXX");
    if (!mkdtemp(root))
        fatal("mkdtemp");
    test_crc();
    test_round_trip();
    test_group_commit();
    test_concurrent();
    test_recovery();
    test_failures();
    cleanup();
    return failed;
}
