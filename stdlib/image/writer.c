/* writer.c: sections in memory (or spilled to a temporary file), the
 * string pool with interning, and the atomic write with its digests
 * (see writer.h). */
#include "stdlib/image/writer.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/sha256.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPILL_AT       (1u << 20)    /* bytes kept in memory before spilling */
#define INTERN_MAX_LEN 256           /* longer strings are stored as they come */
#define INTERN_MAX     (1u << 17)    /* interned strings at most */

typedef struct sec_buf {
    unsigned char *buf;        /* the part not yet spilled */
    size_t         len, cap;
    int            can_spill;
    int            fd;         /* spill file, -1 until the first spill */
    uint64_t       spilled;    /* bytes in the spill file */
    size_t         recsize;
} sec_buf;

typedef struct intern_slot {
    uint32_t hash, off;        /* off + 1; 0: empty */
    char    *copy;
} intern_slot;

typedef struct wfile {
    char    *path;
    uint32_t size;
    uint8_t  sha[32];
} wfile;

struct imgw {
    sec_buf      sec[IMG_SEC_COUNT];
    intern_slot *intern;
    size_t       nintern, capintern;   /* capintern: power of two */
    wfile       *files;
    size_t       nfiles, capfiles;
    char        *spill_dir;
    char        *compiler;
    int          overflow;             /* a section passed IMG_MAX_SIZE */
    int          io_error;             /* a spill write failed (errno kept) */
    int          io_errno;
};

static const size_t recsizes[IMG_SEC_COUNT] = IMG_RECSIZE;

static int spillable(enum img_sec s)
{
    return s == IMG_SEC_STRINGS || s == IMG_SEC_U32 || s == IMG_SEC_HASH_ENTRIES ||
           s == IMG_SEC_HASH_SLOTS || s == IMG_SEC_CIDR_RULES || s == IMG_SEC_RX_RULES;
}

imgw *imgw_new(const char *spill_dir)
{
    imgw *w = xcalloc(1, sizeof *w);
    for (int i = 1; i < IMG_SEC_COUNT; i++) {
        w->sec[i].fd = -1;
        w->sec[i].can_spill = spillable(i);
        w->sec[i].recsize = recsizes[i];
    }
    w->spill_dir = xstrdup(spill_dir && *spill_dir ? spill_dir : ".");
    w->compiler = xstrdup("mtacc");
    w->capintern = 1024;
    w->intern = xcalloc(w->capintern, sizeof *w->intern);
    imgw_append(w, IMG_SEC_STRINGS, "", 1);   /* offset 0 is "" */
    return w;
}

void imgw_free(imgw *w)
{
    if (!w)
        return;
    for (int i = 1; i < IMG_SEC_COUNT; i++) {
        free(w->sec[i].buf);
        if (w->sec[i].fd >= 0)
            close(w->sec[i].fd);
    }
    for (size_t i = 0; i < w->capintern; i++)
        free(w->intern[i].copy);
    free(w->intern);
    for (size_t i = 0; i < w->nfiles; i++)
        free(w->files[i].path);
    free(w->files);
    free(w->spill_dir);
    free(w->compiler);
    free(w);
}

void imgw_set_compiler(imgw *w, const char *version)
{
    free(w->compiler);
    w->compiler = xstrdup(version);
}

static uint64_t sec_total(const sec_buf *b)
{
    return b->spilled + b->len;
}

static int open_spill(imgw *w)
{
    int fd = open(w->spill_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
    size_t n = strlen(w->spill_dir) + 32;
    char *tmpl = xmalloc(n);
    snprintf(tmpl, n, "%s/.mtacc-spill-XXXXXX", w->spill_dir);
    fd = mkstemp(tmpl);
    if (fd >= 0)
        unlink(tmpl);
    free(tmpl);
    return fd;
}

static int write_all(int fd, const void *p, size_t n)
{
    const unsigned char *c = p;
    while (n > 0) {
        ssize_t k = write(fd, c, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

static void spill(imgw *w, sec_buf *b)
{
    if (w->io_error || b->len == 0)
        return;
    if (b->fd < 0 && (b->fd = open_spill(w)) < 0) {
        w->io_error = 1;
        w->io_errno = errno;
        return;
    }
    if (write_all(b->fd, b->buf, b->len) < 0) {
        w->io_error = 1;
        w->io_errno = errno;
        return;
    }
    b->spilled += b->len;
    b->len = 0;
}

/* Append bytes; returns the byte offset where they start. */
static uint64_t sec_add(imgw *w, sec_buf *b, const void *p, size_t n)
{
    uint64_t at = sec_total(b);
    if (n == 0)
        return at;
    if (at + n >= IMG_MAX_SIZE)
        w->overflow = 1;
    if (b->can_spill && b->len + n > SPILL_AT && !w->io_error)
        spill(w, b);
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        b->buf = xrealloc(b->buf, cap);
        b->cap = cap;
    }
    if (p)
        memcpy(b->buf + b->len, p, n);
    else
        memset(b->buf + b->len, 0, n);
    b->len += n;
    return at;
}

uint32_t imgw_append(imgw *w, enum img_sec sec, const void *rec, size_t n)
{
    sec_buf *b = &w->sec[sec];
    uint64_t at = sec_add(w, b, rec, n * b->recsize);
    return (uint32_t)(at / b->recsize);
}

void *imgw_at(imgw *w, enum img_sec sec, uint32_t idx)
{
    sec_buf *b = &w->sec[sec];
    if (b->can_spill || (uint64_t)(idx + 1) * b->recsize > b->len)
        panic("imgw_at: record %u of section %u is not in memory", idx, (unsigned)sec);
    return b->buf + (size_t)idx * b->recsize;
}

uint32_t imgw_count(const imgw *w, enum img_sec sec)
{
    return (uint32_t)(sec_total(&w->sec[sec]) / w->sec[sec].recsize);
}

uint32_t imgw_str_unique(imgw *w, const char *s, size_t len)
{
    sec_buf *b = &w->sec[IMG_SEC_STRINGS];
    uint64_t at = sec_add(w, b, s, len);
    sec_add(w, b, "", 1);
    return (uint32_t)at;
}

static void intern_grow(imgw *w)
{
    size_t cap = w->capintern * 2;
    intern_slot *v = xcalloc(cap, sizeof *v);
    for (size_t i = 0; i < w->capintern; i++) {
        if (!w->intern[i].off)
            continue;
        size_t j = w->intern[i].hash & (cap - 1);
        while (v[j].off)
            j = (j + 1) & (cap - 1);
        v[j] = w->intern[i];
    }
    free(w->intern);
    w->intern = v;
    w->capintern = cap;
}

uint32_t imgw_str(imgw *w, const char *s)
{
    size_t len = strlen(s);
    if (len == 0)
        return 0;
    if (len > INTERN_MAX_LEN)
        return imgw_str_unique(w, s, len);
    uint32_t h = img_hash(s, len);
    size_t j = h & (w->capintern - 1);
    for (; w->intern[j].off; j = (j + 1) & (w->capintern - 1))
        if (w->intern[j].hash == h && strcmp(w->intern[j].copy, s) == 0)
            return w->intern[j].off - 1;
    uint32_t off = imgw_str_unique(w, s, len);
    if (w->nintern < INTERN_MAX) {
        w->intern[j].hash = h;
        w->intern[j].off = off + 1;
        w->intern[j].copy = xstrdup(s);
        if (++w->nintern * 2 > w->capintern)
            intern_grow(w);
    }
    return off;
}

const char *imgw_str_get(imgw *w, uint32_t off, strbuf *tmp)
{
    sec_buf *b = &w->sec[IMG_SEC_STRINGS];
    if (off >= b->spilled)
        return (const char *)b->buf + (off - b->spilled);
    sb_clear(tmp);
    char chunk[256];
    uint64_t at = off;
    for (;;) {
        ssize_t k = pread(b->fd, chunk, sizeof chunk, (off_t)at);
        if (k <= 0)
            return "";   /* the spill file is ours; a failed read leaves io_error set elsewhere */
        char *nul = memchr(chunk, 0, (size_t)k);
        sb_addn(tmp, chunk, nul ? (size_t)(nul - chunk) : (size_t)k);
        if (nul)
            return sb_str(tmp);
        at += (uint64_t)k;
        if (at >= b->spilled) {   /* continues in memory */
            sb_adds(tmp, (const char *)b->buf);
            return sb_str(tmp);
        }
    }
}

uint32_t imgw_u32(imgw *w, const uint32_t *v, size_t n)
{
    return imgw_append(w, IMG_SEC_U32, v, n);
}

uint32_t imgw_file_find(const imgw *w, const char *path)
{
    for (size_t i = 0; i < w->nfiles; i++)
        if (strcmp(w->files[i].path, path) == 0)
            return (uint32_t)i + 1;
    return 0;
}

uint32_t imgw_file_digest(imgw *w, const char *path, const uint8_t sha256[32], uint64_t size)
{
    uint32_t have = imgw_file_find(w, path);
    if (have)
        return have;
    xgrow(&w->files, &w->capfiles, w->nfiles + 1, sizeof *w->files);
    wfile *f = &w->files[w->nfiles++];
    f->path = xstrdup(path);
    f->size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
    memcpy(f->sha, sha256, 32);
    img_file rec = { .path = imgw_str(w, path), .size = f->size };
    memcpy(rec.sha256, sha256, 32);
    imgw_append(w, IMG_SEC_FILES, &rec, 1);
    return (uint32_t)w->nfiles;
}

uint32_t imgw_file(imgw *w, const char *path, const void *content, size_t len)
{
    uint32_t have = imgw_file_find(w, path);
    if (have)
        return have;
    uint8_t sha[32];
    sha256(content, len, sha);
    return imgw_file_digest(w, path, sha, len);
}

int imgw_ok(const imgw *w, strbuf *err)
{
    if (w->overflow) {
        sb_addf(err, "the image would be larger than %llu bytes",
                (unsigned long long)IMG_MAX_SIZE);
        return 0;
    }
    if (w->io_error) {
        sb_addf(err, "cannot write a temporary file in %s: %s", w->spill_dir,
                strerror(w->io_errno));
        return 0;
    }
    return 1;
}

/* ---- writing ---------------------------------------------------------- */

typedef struct out {
    int        fd;
    uint64_t   pos;
    sha256_ctx sha;      /* over bytes from IMG_DIGEST_FROM */
    int        err;
} out;

static void out_put(out *o, const void *p, size_t n)
{
    if (o->err || n == 0)
        return;
    if (write_all(o->fd, p, n) < 0) {
        o->err = errno;
        return;
    }
    uint64_t from = o->pos, to = o->pos + n;
    if (to > IMG_DIGEST_FROM) {
        size_t skip = from < IMG_DIGEST_FROM ? (size_t)(IMG_DIGEST_FROM - from) : 0;
        sha256_update(&o->sha, (const unsigned char *)p + skip, n - skip);
    }
    o->pos = to;
}

static void out_pad(out *o)
{
    static const unsigned char zero[IMG_ALIGN];
    size_t r = (size_t)(o->pos % IMG_ALIGN);
    if (r)
        out_put(o, zero, IMG_ALIGN - r);
}

static void out_section(out *o, sec_buf *b)
{
    if (b->fd >= 0 && b->spilled > 0) {
        unsigned char *chunk = xmalloc(1u << 20);
        uint64_t at = 0;
        while (at < b->spilled && !o->err) {
            size_t want = b->spilled - at < (1u << 20) ? (size_t)(b->spilled - at) : (1u << 20);
            ssize_t k = pread(b->fd, chunk, want, (off_t)at);
            if (k <= 0) {
                o->err = k < 0 ? errno : EIO;
                break;
            }
            out_put(o, chunk, (size_t)k);
            at += (uint64_t)k;
        }
        free(chunk);
    }
    out_put(o, b->buf, b->len);
}

static uint64_t align_up(uint64_t v)
{
    return (v + IMG_ALIGN - 1) / IMG_ALIGN * IMG_ALIGN;
}

static void source_digest(const imgw *w, uint8_t out_sha[32])
{
    sha256_ctx c;
    sha256_init(&c);
    for (size_t i = 0; i < w->nfiles; i++) {
        sha256_update(&c, w->files[i].path, strlen(w->files[i].path) + 1);
        sha256_update(&c, w->files[i].sha, 32);
    }
    sha256_final(&c, out_sha);
}

static int fsync_dir(const char *path)
{
    char *copy = xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

int imgw_write(imgw *w, const char *path, strbuf *err, uint64_t *size_out)
{
    if (!imgw_ok(w, err))
        return -1;
    /* layout */
    img_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, IMG_MAGIC, 8);
    h.version = IMG_VERSION;
    h.header_size = IMG_HEADER_SIZE;
    h.sentinel = IMG_SENTINEL;
    source_digest(w, h.source_sha256);
    snprintf(h.compiler, sizeof h.compiler, "%s", w->compiler);
    snprintf(h.pcre2, sizeof h.pcre2, "%d.%d", PCRE2_MAJOR, PCRE2_MINOR);
    h.nsections = IMG_SEC_COUNT - 1;
    for (int i = 0; i < IMG_SEC_COUNT; i++)
        h.recsize[i] = (uint8_t)recsizes[i];
    img_section dir[IMG_SEC_COUNT - 1];
    uint64_t pos = align_up(IMG_HEADER_SIZE + sizeof dir);
    for (int i = 1; i < IMG_SEC_COUNT; i++) {
        sec_buf *b = &w->sec[i];
        img_section *d = &dir[i - 1];
        memset(d, 0, sizeof *d);
        d->id = (uint32_t)i;
        d->offset = pos;
        d->size = sec_total(b);
        d->count = (uint32_t)(d->size / b->recsize);
        pos = align_up(pos + d->size);
    }
    h.file_size = pos;
    if (pos >= IMG_MAX_SIZE) {
        sb_addf(err, "the image would be larger than %llu bytes",
                (unsigned long long)IMG_MAX_SIZE);
        return -1;
    }
    /* temporary file next to the target */
    size_t n = strlen(path) + 16;
    char *tmp = xmalloc(n);
    snprintf(tmp, n, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        sb_addf(err, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    fchmod(fd, 0644);
    out o = { .fd = fd };
    sha256_init(&o.sha);
    out_put(&o, &h, sizeof h);
    out_put(&o, dir, sizeof dir);
    out_pad(&o);
    for (int i = 1; i < IMG_SEC_COUNT; i++) {
        out_section(&o, &w->sec[i]);
        out_pad(&o);
    }
    sha256_final(&o.sha, h.payload_sha256);
    if (!o.err && pwrite(fd, h.payload_sha256, 32, 32) != 32)
        o.err = errno ? errno : EIO;
    if (!o.err && fsync(fd) < 0)
        o.err = errno;
    if (close(fd) < 0 && !o.err)
        o.err = errno;
    if (!o.err && rename(tmp, path) < 0)
        o.err = errno;
    if (o.err) {
        sb_addf(err, "cannot write %s: %s", path, strerror(o.err));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    fsync_dir(path);
    if (size_out)
        *size_out = pos;
    return 0;
}
