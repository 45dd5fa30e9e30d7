/* queue_file.c: the queue file's records (doc/mta-queue.5), both ways:
 * a buffered writer that keeps the CRC and the record count as it goes,
 * and the decoder that trusts nothing before the end record checked out. */
#include "runtime/qmgr/internal.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/crc32c.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- writing --------------------------------------------------------------- */

void qfw_init(qfw *w, int fd)
{
    memset(w, 0, sizeof *w);
    w->fd = fd;
}

void qfw_free(qfw *w)
{
    free(w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
}

static int write_all(qfw *w, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            w->err = k < 0 ? errno : EIO;
            return -1;
        }
        p += k, n -= (size_t)k;
    }
    return 0;
}

static int flush(qfw *w)
{
    if (w->len && write_all(w, w->buf, w->len) < 0)
        return -1;
    w->len = 0;
    return 0;
}

/* Bytes into the file: buffered, or straight through when a piece is at
 * least a whole buffer. */
static int put(qfw *w, const void *p, size_t n)
{
    w->crc = crc32c(w->crc, p, n);
    w->off += n;
    if (w->len + n > QW_BUF_MAX && flush(w) < 0)
        return -1;
    if (n >= QW_BUF_MAX)
        return write_all(w, p, n);
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap < w->len + n)
            cap *= 2;
        w->buf = xrealloc(w->buf, cap > QW_BUF_MAX ? QW_BUF_MAX : cap);
        w->cap = cap > QW_BUF_MAX ? QW_BUF_MAX : cap;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
    return 0;
}

int qfw_record(qfw *w, int type, const void *a, size_t na,
               const void *b, size_t nb, const void *c, size_t nc)
{
    if (w->err)
        return -1;
    uint64_t len = (uint64_t)na + nb + nc;
    if (len > UINT32_MAX) {
        w->err = EFBIG;
        return -1;
    }
    unsigned char hdr[6];
    size_t h = 0;
    hdr[h++] = (unsigned char)type;
    do {   /* the length: base 128, low group first, high bit = more */
        hdr[h++] = (unsigned char)((len & 0x7f) | (len > 0x7f ? 0x80 : 0));
        len >>= 7;
    } while (len);
    if (put(w, hdr, h) < 0 || (na && put(w, a, na) < 0) || (nb && put(w, b, nb) < 0)
        || (nc && put(w, c, nc) < 0))
        return -1;
    w->nrec++;
    return 0;
}

static void le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

int qfw_finish(qfw *w)
{
    if (w->err)
        return -1;
    unsigned char end[QR_END_SIZE];
    end[0] = QR_END;
    end[1] = QR_END_PAYLOAD;
    le32(end + 2, w->nrec);
    le64(end + 6, w->off);
    le32(end + 14, w->crc);
    int rc = put(w, end, sizeof end) < 0 || flush(w) < 0 ? -1 : 0;
    qfw_free(w);
    return rc;
}

/* ---- reading --------------------------------------------------------------- */

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

int qr_attr_name_ok(const void *name, size_t n)
{
    const unsigned char *s = name;
    if (n == 0 || n > 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static char *dup_text(const unsigned char *p, size_t n)
{
    return memchr(p, 0, n) ? NULL : xstrndup((const char *)p, n);
}

static void file_init(qs_file *f)
{
    memset(f, 0, sizeof *f);
    f->state = QS_NSTATES;
    sb_init(&f->content);
}

void qs_file_free(qs_file *f)
{
    if (!f)
        return;
    free(f->id);
    free(f->sender);
    for (size_t i = 0; i < f->nrcpts; i++)
        free(f->rcpts[i].addr), free(f->rcpts[i].orcpt);
    free(f->rcpts);
    for (size_t i = 0; i < f->nattrs; i++)
        free(f->attrs[i].name), free(f->attrs[i].value);
    free(f->attrs);
    sb_free(&f->content);
    file_init(f);
}

/* One record's payload into f; NULL, or what is wrong with it. */
static const char *take(qs_file *f, int type, const unsigned char *p, size_t n,
                        size_t *cap_r, size_t *cap_a)
{
    switch (type) {
    case QR_ATTR: {
        const unsigned char *eq = memchr(p, '=', n);
        if (!eq || !qr_attr_name_ok(p, (size_t)(eq - p)))
            return "attribute record without a name";
        char *v = dup_text(eq + 1, n - (size_t)(eq - p) - 1);
        if (!v)
            return "NUL in an attribute value";
        xgrow(&f->attrs, cap_a, f->nattrs + 1, sizeof *f->attrs);
        f->attrs[f->nattrs].name = xstrndup((const char *)p, (size_t)(eq - p));
        f->attrs[f->nattrs++].value = v;
        return NULL;
    }
    case QR_SENDER:
        if (f->sender)
            return "a second sender record";
        if (!(f->sender = dup_text(p, n)))
            return "NUL in the sender";
        return NULL;
    case QR_RCPT: {
        if (n < 1 || p[0] > 15)
            return "recipient record without a valid notify byte";
        const unsigned char *a = p + 1, *nul = memchr(a, 0, n - 1);
        size_t na = nul ? (size_t)(nul - a) : n - 1;
        char *orcpt = NULL;
        if (nul && !(orcpt = dup_text(nul + 1, n - 1 - na - 1)))
            return "NUL in an orcpt";
        xgrow(&f->rcpts, cap_r, f->nrcpts + 1, sizeof *f->rcpts);
        f->rcpts[f->nrcpts].addr = xstrndup((const char *)a, na);
        f->rcpts[f->nrcpts].orcpt = orcpt;
        f->rcpts[f->nrcpts++].notify = p[0];
        return NULL;
    }
    case QR_LINE:
    case QR_MORE:
        sb_addn(&f->content, (const char *)p, n);
        if (type == QR_LINE)
            sb_addc(&f->content, '\n');
        return NULL;
    case QR_VERSION:
        return "a second version record";
    case QR_END:
        return "an end record before the end";
    default:
        return "unknown record type";
    }
}

int qs_decode_mem(const void *buf, size_t len, qs_file *out, strbuf *err)
{
    const unsigned char *p = buf;
    file_init(out);
    if (len < QR_END_SIZE || p[len - QR_END_SIZE] != QR_END
        || p[len - QR_END_SIZE + 1] != QR_END_PAYLOAD
        || get64(p + len - 12) != len - QR_END_SIZE) {
        sb_addf(err, "no end record (its writer never finished)");
        return QS_DEC_TORN;
    }
    size_t body = len - QR_END_SIZE;
    uint32_t nrec_end = get32(p + len - 16), crc_end = get32(p + len - 4);
    if (crc32c(0, p, body) != crc_end) {
        sb_addf(err, "checksum mismatch");
        return QS_DEC_CORRUPT;
    }
    const char *why = NULL;
    size_t off = 0, cap_r = 0, cap_a = 0;
    uint32_t nrec = 0;
    while (off < body && !why) {
        size_t at = off;
        int type = p[off++];
        uint64_t n = 0;
        int shift = 0;
        for (;;) {
            if (off >= body || shift > 28) {
                why = "bad record length";
                break;
            }
            unsigned char c = p[off++];
            n |= (uint64_t)(c & 0x7f) << shift;
            shift += 7;
            if (!(c & 0x80)) {
                if (c == 0 && shift > 7)
                    why = "bad record length";   /* not the shortest form */
                break;
            }
        }
        if (why)
            break;
        if (n > body - off) {
            why = "record runs past the end record";
            break;
        }
        if (nrec == 0) {
            if (type != QR_VERSION || n != 5 || memcmp(p + off, QR_MAGIC, 4) != 0)
                why = "no version record first";
            else if (p[off + 4] != QR_FORMAT)
                why = "unknown format version";
        } else {
            why = take(out, type, p + off, (size_t)n, &cap_r, &cap_a);
        }
        if (why) {
            sb_addf(err, "record %u at offset %zu: %s", nrec + 1, at, why);
            qs_file_free(out);
            return QS_DEC_CORRUPT;
        }
        off += (size_t)n;
        nrec++;
    }
    if (!why && nrec != nrec_end)
        why = "record count mismatch";
    if (!why && !out->sender)
        why = "no sender record";
    if (why) {
        sb_addf(err, "%s", why);
        qs_file_free(out);
        return QS_DEC_CORRUPT;
    }
    if (!out->content.s)
        sb_addn(&out->content, "", 0);
    return 0;
}

static enum qs_state state_of_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return QS_NSTATES;
    const char *end = slash;
    while (end > path && end[-1] == '/')
        end--;
    const char *start = end;
    while (start > path && start[-1] != '/')
        start--;
    for (int st = 0; st < QS_NSTATES; st++) {
        const char *name = qs_state_name(st);
        if (strlen(name) == (size_t)(end - start) && memcmp(start, name, (size_t)(end - start)) == 0)
            return st;
    }
    return QS_NSTATES;
}

int qr_read_fd(int fd, qs_file *out, strbuf *why)
{
    struct stat sb;
    file_init(out);
    const char *bad = fstat(fd, &sb) < 0 ? strerror(errno)
                      : !S_ISREG(sb.st_mode) ? "not a regular file" : NULL;
    if (bad) {
        sb_addf(why, "%s", bad);
        return QS_DEC_CORRUPT;
    }
    size_t len = (size_t)sb.st_size, got = 0;
    unsigned char *buf = xmalloc(len ? len : 1);
    while (got < len) {
        ssize_t k = read(fd, buf + got, len - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            sb_addf(why, "read: %s", strerror(errno));
            free(buf);
            return QS_DEC_CORRUPT;
        }
        if (k == 0)
            break;
        got += (size_t)k;
    }
    int rc = qs_decode_mem(buf, got, out, why);
    free(buf);
    return rc;
}

int qs_read(const char *path, qs_file *out, strbuf *err)
{
    file_init(out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        sb_addf(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    strbuf why;
    sb_init(&why);
    int rc = qr_read_fd(fd, out, &why);
    close(fd);
    if (rc < 0)
        sb_addf(err, "%s: %s", path, sb_str(&why));
    sb_free(&why);
    if (rc < 0)
        return -1;
    const char *base = strrchr(path, '/');
    out->id = xstrdup(base ? base + 1 : path);
    out->state = state_of_dir(path);
    return 0;
}
