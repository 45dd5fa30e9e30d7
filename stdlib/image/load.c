/* load.c: mapping an image and validating all of it before use (see
 * image.h). The order follows Lua's checkHeader: magic, version,
 * sentinel, record sizes, then sizes and the directory, the digest, and
 * last every record's strings, indexes and ranges. Each check that fails
 * says in one line what is wrong and where. */
#include "stdlib/image/image.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const size_t recsizes[IMG_SEC_COUNT] = IMG_RECSIZE;

static const char *const sec_names[IMG_SEC_COUNT] = {
    "?", "STRINGS", "U32", "FILES", "PARAMS", "SERVICES", "SVC_PARAMS", "TABLES",
    "HASH_ENTRIES", "HASH_SLOTS", "CIDR_RULES", "RX_RULES", "PROGRAMS", "INSNS", "CLASSES",
};

const char *img_sec_name(unsigned id)
{
    return id > 0 && id < IMG_SEC_COUNT ? sec_names[id] : "?";
}

typedef struct vctx {
    const img *im;
    strbuf    *err;
    int        bad;
} vctx;

static int fail(vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(vctx *v, const char *fmt, ...)
{
    if (!v->bad) {
        va_list ap;
        va_start(ap, fmt);
        char buf[512];
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        sb_adds(v->err, buf);
    }
    v->bad = 1;
    return -1;
}

/* ---- primitive checks --------------------------------------------------- */

/* A string offset: inside the pool and at the start of a string. */
static int str_ok(vctx *v, uint32_t off, const char *what, uint32_t rec)
{
    const img *im = v->im;
    if (off >= im->nstrings || (off > 0 && im->strings[off - 1] != 0))
        return fail(v, "%s %u: string offset %u is not the start of a string", what, rec, off);
    return 0;
}

static int list_ok(vctx *v, uint32_t first, uint32_t n, const char *what, uint32_t rec)
{
    if (first > v->im->nu32 || n > v->im->nu32 - first)
        return fail(v, "%s %u: list %u+%u is outside the U32 pool (%u)", what, rec, first, n,
                    v->im->nu32);
    return 0;
}

static int str_list_ok(vctx *v, uint32_t first, uint32_t n, const char *what, uint32_t rec)
{
    if (list_ok(v, first, n, what, rec) < 0)
        return -1;
    for (uint32_t i = 0; i < n; i++)
        if (str_ok(v, v->im->u32[first + i], what, rec) < 0)
            return -1;
    return 0;
}

static int index_list_ok(vctx *v, uint32_t first, uint32_t n, uint32_t limit, const char *what,
                         uint32_t rec, const char *of)
{
    if (list_ok(v, first, n, what, rec) < 0)
        return -1;
    for (uint32_t i = 0; i < n; i++)
        if (v->im->u32[first + i] >= limit)
            return fail(v, "%s %u: %s index %u out of range (%u)", what, rec, of,
                        v->im->u32[first + i], limit);
    return 0;
}

static int range_ok(vctx *v, uint32_t first, uint32_t n, uint32_t limit, const char *what,
                    uint32_t rec, const char *of)
{
    if (first > limit || n > limit - first)
        return fail(v, "%s %u: %s range %u+%u is outside %u records", what, rec, of, first, n,
                    limit);
    return 0;
}

static int src_ok(vctx *v, uint32_t file, const char *what, uint32_t rec)
{
    if (file > v->im->nfiles)
        return fail(v, "%s %u: file index %u out of range (%u)", what, rec, file, v->im->nfiles);
    return 0;
}

/* ---- header and directory ----------------------------------------------- */

static int check_header(vctx *v, img *im)
{
    if (im->size < IMG_HEADER_SIZE)
        return fail(v, "truncated: %zu bytes, shorter than the %u-byte header", im->size,
                    IMG_HEADER_SIZE);
    const img_header *h = (const img_header *)im->base;
    if (memcmp(h->magic, IMG_MAGIC, 8) != 0)
        return fail(v, "not a policy image (bad magic)");
    if (h->sentinel != IMG_SENTINEL)
        return fail(v, "byte order or corruption: sentinel is %#llx, expected %#llx",
                    (unsigned long long)h->sentinel, (unsigned long long)IMG_SENTINEL);
    if (h->version != IMG_VERSION)
        return fail(v, "format version %u, this program reads version %u", h->version,
                    IMG_VERSION);
    if (h->header_size != IMG_HEADER_SIZE)
        return fail(v, "header size %u, expected %u", h->header_size, IMG_HEADER_SIZE);
    if (h->file_size != im->size)
        return fail(v, "truncated or extended: the header says %llu bytes, the file has %zu",
                    (unsigned long long)h->file_size, im->size);
    for (int i = 0; i < 24; i++) {
        size_t want = i < IMG_SEC_COUNT ? recsizes[i] : 0;
        if (h->recsize[i] != want)
            return fail(v, "record size of section %d is %u, this program uses %zu (ABI mismatch)",
                        i, h->recsize[i], want);
    }
    if (h->nsections != IMG_SEC_COUNT - 1)
        return fail(v, "%u sections, expected %d", h->nsections, IMG_SEC_COUNT - 1);
    if (h->flags != 0)
        return fail(v, "unknown header flags %#x", h->flags);
    if (!memchr(h->compiler, 0, sizeof h->compiler) || !memchr(h->pcre2, 0, sizeof h->pcre2))
        return fail(v, "corrupt header: version strings are not terminated");
    uint64_t dir_end = IMG_HEADER_SIZE + (uint64_t)h->nsections * sizeof(img_section);
    if (dir_end > im->size)
        return fail(v, "truncated: the section directory ends at %llu, the file at %zu",
                    (unsigned long long)dir_end, im->size);
    im->hdr = h;
    im->dir = (const img_section *)(im->base + IMG_HEADER_SIZE);
    uint64_t prev_end = dir_end;
    for (uint32_t i = 0; i < h->nsections; i++) {
        const img_section *d = &im->dir[i];
        const char *name = img_sec_name(i + 1);
        if (d->id != i + 1)
            return fail(v, "section directory entry %u has id %u, expected %u", i, d->id, i + 1);
        if (d->offset % IMG_ALIGN)
            return fail(v, "section %s: offset %llu is not aligned", name,
                        (unsigned long long)d->offset);
        if (d->offset < prev_end)
            return fail(v, "section %s: offset %llu overlaps what comes before (%llu)", name,
                        (unsigned long long)d->offset, (unsigned long long)prev_end);
        if (d->offset > im->size || d->size > im->size - d->offset)
            return fail(v, "truncated: section %s ends at %llu, the file at %zu", name,
                        (unsigned long long)(d->offset + d->size), im->size);
        if ((uint64_t)d->count * recsizes[i + 1] != d->size)
            return fail(v, "section %s: %u records do not make %llu bytes", name, d->count,
                        (unsigned long long)d->size);
        prev_end = d->offset + d->size;
    }
    return 0;
}

static const void *sec(const img *im, enum img_sec id, uint32_t *count)
{
    const img_section *d = &im->dir[id - 1];
    *count = d->count;
    return im->base + d->offset;
}

static void bind_sections(img *im)
{
    im->strings = sec(im, IMG_SEC_STRINGS, &im->nstrings);
    im->u32 = sec(im, IMG_SEC_U32, &im->nu32);
    im->files = sec(im, IMG_SEC_FILES, &im->nfiles);
    im->params = sec(im, IMG_SEC_PARAMS, &im->nparams);
    im->services = sec(im, IMG_SEC_SERVICES, &im->nservices);
    im->svc_params = sec(im, IMG_SEC_SVC_PARAMS, &im->nsvc_params);
    im->tables = sec(im, IMG_SEC_TABLES, &im->ntables);
    im->hash_entries = sec(im, IMG_SEC_HASH_ENTRIES, &im->nhash_entries);
    im->hash_slots = sec(im, IMG_SEC_HASH_SLOTS, &im->nhash_slots);
    im->cidr_rules = sec(im, IMG_SEC_CIDR_RULES, &im->ncidr_rules);
    im->rx_rules = sec(im, IMG_SEC_RX_RULES, &im->nrx_rules);
    im->programs = sec(im, IMG_SEC_PROGRAMS, &im->nprograms);
    im->insns = sec(im, IMG_SEC_INSNS, &im->ninsns);
    im->classes = sec(im, IMG_SEC_CLASSES, &im->nclasses);
}

static int check_digest(vctx *v, const img *im)
{
    uint8_t d[32];
    sha256(im->base + IMG_DIGEST_FROM, im->size - IMG_DIGEST_FROM, d);
    if (memcmp(d, im->hdr->payload_sha256, 32) != 0)
        return fail(v, "corrupt: the SHA-256 of the contents does not match the header");
    return 0;
}

/* ---- records ------------------------------------------------------------ */

static int check_params(vctx *v, const img_param *p, uint32_t n, const char *what)
{
    const img *im = v->im;
    for (uint32_t i = 0; i < n; i++) {
        if (str_ok(v, p[i].name, what, i) < 0 || str_ok(v, p[i].text, what, i) < 0 ||
            src_ok(v, p[i].file, what, i) < 0)
            return -1;
        if (p[i].kind >= IMG_PK_COUNT)
            return fail(v, "%s %u: unknown kind %u", what, i, p[i].kind);
        if (p[i].kind == IMG_PK_LIST && str_list_ok(v, p[i].list, p[i].nlist, what, i) < 0)
            return -1;
        if (p[i].kind == IMG_PK_TABLES &&
            index_list_ok(v, p[i].list, p[i].nlist, im->ntables, what, i, "table") < 0)
            return -1;
        if (p[i].kind == IMG_PK_RESTRICTIONS &&
            (p[i].num < 0 || (uint64_t)p[i].num >= im->nprograms))
            return fail(v, "%s %u: program index %lld out of range (%u)", what, i,
                        (long long)p[i].num, im->nprograms);
        if (p[i].kind == IMG_PK_BOOL && p[i].num != 0 && p[i].num != 1)
            return fail(v, "%s %u: boolean value %lld", what, i, (long long)p[i].num);
    }
    return 0;
}

/* Names strictly ascending, so that binary search finds them. */
static int check_sorted(vctx *v, const img_param *p, uint32_t n, const char *what, uint32_t base)
{
    for (uint32_t i = 1; i < n; i++)
        if (strcmp(img_str(v->im, p[i - 1].name), img_str(v->im, p[i].name)) >= 0)
            return fail(v, "%s %u: parameters are not sorted by name", what, base + i);
    return 0;
}

static int check_services(vctx *v)
{
    const img *im = v->im;
    for (uint32_t i = 0; i < im->nservices; i++) {
        const img_service *s = &im->services[i];
        if (str_ok(v, s->name, "service", i) < 0 || str_ok(v, s->type, "service", i) < 0 ||
            str_ok(v, s->command, "service", i) < 0 ||
            str_list_ok(v, s->args, s->nargs, "service", i) < 0 ||
            range_ok(v, s->params, s->nparams, im->nsvc_params, "service", i, "parameter") < 0 ||
            src_ok(v, s->file, "service", i) < 0 ||
            check_sorted(v, im->svc_params + s->params, s->nparams, "service parameter",
                         s->params) < 0)
            return -1;
    }
    return 0;
}

static int check_hash_table(vctx *v, const img_table *t, uint32_t i)
{
    const img *im = v->im;
    if (range_ok(v, t->first, t->count, im->nhash_entries, "table", i, "entry") < 0 ||
        range_ok(v, t->slots, t->nslots, im->nhash_slots, "table", i, "slot") < 0)
        return -1;
    if (t->nslots == 0 || (t->nslots & (t->nslots - 1)) || t->nslots <= t->count)
        return fail(v, "table %u: %u slots for %u entries (needs a power of two above the count)",
                    i, t->nslots, t->count);
    uint32_t used = 0;
    for (uint32_t k = 0; k < t->nslots; k++) {
        uint32_t e = im->hash_slots[t->slots + k].index;
        if (e > t->count)
            return fail(v, "table %u: slot %u names entry %u of %u", i, k, e, t->count);
        used += e != 0;
    }
    if (used != t->count)   /* also guarantees an empty slot: every probe ends */
        return fail(v, "table %u: %u slots used for %u entries", i, used, t->count);
    for (uint32_t k = 0; k < t->count; k++) {
        const img_hash_entry *e = &im->hash_entries[t->first + k];
        if (str_ok(v, e->key, "hash entry", t->first + k) < 0 ||
            str_ok(v, e->value, "hash entry", t->first + k) < 0)
            return -1;
    }
    return 0;
}

/* IF/ENDIF must nest, and a CIDR IF's skip must land just after its ENDIF. */
static int check_cidr_table(vctx *v, const img_table *t, uint32_t i)
{
    const img *im = v->im;
    if (range_ok(v, t->first, t->count, im->ncidr_rules, "table", i, "rule") < 0)
        return -1;
    uint32_t *stack = xmalloc(((size_t)t->count + 1) * sizeof *stack), depth = 0;
    int r = 0;
    for (uint32_t k = 0; k < t->count && r == 0; k++) {
        const img_cidr_rule *c = &im->cidr_rules[t->first + k];
        if (c->op > IMG_RULE_ENDIF || (c->family != 4 && c->family != 6) ||
            c->prefix > (c->family == 4 ? 32 : 128) || c->negate > 1)
            r = fail(v, "table %u: cidr rule %u is malformed", i, k);
        else if (str_ok(v, c->result, "cidr rule", t->first + k) < 0)
            r = -1;
        else if (c->op == IMG_RULE_IF)
            stack[depth++] = k;
        else if (c->op == IMG_RULE_ENDIF && depth == 0)
            r = fail(v, "table %u: cidr rule %u: endif without if", i, k);
        else if (c->op == IMG_RULE_ENDIF) {
            const img_cidr_rule *open = &im->cidr_rules[t->first + stack[--depth]];
            if (open->skip != k + 1)
                r = fail(v, "table %u: cidr rule %u: skip %u, expected %u", i, stack[depth],
                         open->skip, k + 1);
        }
    }
    if (r == 0 && depth)
        r = fail(v, "table %u: cidr if without endif", i);
    free(stack);
    return r;
}

static int check_rx_table(vctx *v, const img_table *t, uint32_t i)
{
    const img *im = v->im;
    if (range_ok(v, t->first, t->count, im->nrx_rules, "table", i, "rule") < 0)
        return -1;
    long depth = 0;
    for (uint32_t k = 0; k < t->count; k++) {
        const img_rx_rule *r = &im->rx_rules[t->first + k];
        uint32_t at = t->first + k;
        if (r->op > IMG_RULE_ENDIF || r->negate > 1 || r->all_required > 1)
            return fail(v, "table %u: pattern rule %u is malformed", i, k);
        if (str_ok(v, r->pattern, "pattern rule", at) < 0 ||
            str_ok(v, r->result, "pattern rule", at) < 0 ||
            str_list_ok(v, r->lits, r->nlits, "pattern rule", at) < 0)
            return -1;
        depth += r->op == IMG_RULE_IF ? 1 : r->op == IMG_RULE_ENDIF ? -1 : 0;
        if (depth < 0)
            return fail(v, "table %u: pattern rule %u: endif without if", i, k);
    }
    if (depth)
        return fail(v, "table %u: pattern if without endif", i);
    return 0;
}

static int check_tables(vctx *v)
{
    const img *im = v->im;
    for (uint32_t i = 0; i < im->ntables; i++) {
        const img_table *t = &im->tables[i];
        if (str_ok(v, t->spec, "table", i) < 0 || str_ok(v, t->type, "table", i) < 0 ||
            str_ok(v, t->value, "table", i) < 0 || src_ok(v, t->file, "table", i) < 0)
            return -1;
        switch (t->kind) {
        case IMG_TK_HASH:
            if (check_hash_table(v, t, i) < 0)
                return -1;
            break;
        case IMG_TK_CIDR:
            if (check_cidr_table(v, t, i) < 0)
                return -1;
            break;
        case IMG_TK_REGEXP:
        case IMG_TK_PCRE:
            if (check_rx_table(v, t, i) < 0)
                return -1;
            break;
        case IMG_TK_UNION:
        case IMG_TK_PIPE:
            /* members come first: no cycles, no unbounded recursion */
            if (index_list_ok(v, t->first, t->count, i, "table", i, "member") < 0)
                return -1;
            break;
        case IMG_TK_STATIC:
        case IMG_TK_FAIL:
        case IMG_TK_ENVIRON:
        case IMG_TK_UNAVAILABLE:
        case IMG_TK_UNIX:
            break;
        default:
            return fail(v, "table %u: unknown kind %u", i, t->kind);
        }
    }
    return 0;
}

static int check_programs(vctx *v)
{
    const img *im = v->im;
    for (uint32_t i = 0; i < im->nprograms; i++) {
        const img_program *p = &im->programs[i];
        if (str_ok(v, p->name, "program", i) < 0 || src_ok(v, p->file, "program", i) < 0 ||
            range_ok(v, p->first, p->count, im->ninsns, "program", i, "instruction") < 0)
            return -1;
    }
    for (uint32_t i = 0; i < im->ninsns; i++) {
        const img_insn *x = &im->insns[i];
        if (x->op >= IMG_OP_COUNT)
            return fail(v, "instruction %u: unknown opcode %u", i, x->op);
        if (src_ok(v, x->file, "instruction", i) < 0)
            return -1;
        switch (img_op_operands(x->op)) {
        case IMG_OPND_TABLE:
            if (x->a >= im->ntables)
                return fail(v, "instruction %u: table index %u out of range (%u)", i, x->a,
                            im->ntables);
            break;
        case IMG_OPND_PROGRAM:
            if (x->a >= im->nprograms)
                return fail(v, "instruction %u: program index %u out of range (%u)", i, x->a,
                            im->nprograms);
            break;
        case IMG_OPND_DOMAIN:
        case IMG_OPND_SERVICE:
            if (str_ok(v, x->a, "instruction", i) < 0 || str_ok(v, x->b, "instruction", i) < 0)
                return -1;
            break;
        case IMG_OPND_WORD:
            if (str_ok(v, x->a, "instruction", i) < 0)
                return -1;
            break;
        default:
            break;
        }
    }
    return 0;
}

static int check_classes(vctx *v)
{
    const img *im = v->im;
    for (uint32_t i = 0; i < im->nclasses; i++) {
        const img_class *c = &im->classes[i];
        if (c->id >= IMG_CLASS_COUNT)
            return fail(v, "class %u: unknown id %u", i, c->id);
        if (str_list_ok(v, c->domains, c->ndomains, "class", i) < 0 ||
            index_list_ok(v, c->tables, c->ntables, im->ntables, "class", i, "table") < 0 ||
            index_list_ok(v, c->recipients, c->nrecipients, im->ntables, "class", i, "table") < 0 ||
            str_ok(v, c->transport, "class", i) < 0 || str_ok(v, c->nexthop, "class", i) < 0)
            return -1;
    }
    return 0;
}

static int validate(img *im, unsigned flags, strbuf *err)
{
    vctx v = { .im = im, .err = err };
    if (check_header(&v, im) < 0)
        return -1;
    if (!(flags & IMG_OPEN_NO_DIGEST) && check_digest(&v, im) < 0)
        return -1;
    bind_sections(im);
    if (im->nstrings == 0 || im->strings[0] != 0 || im->strings[im->nstrings - 1] != 0)
        return fail(&v, "section STRINGS does not start and end with a NUL");
    for (uint32_t i = 0; i < im->nfiles; i++)
        if (str_ok(&v, im->files[i].path, "file", i) < 0)
            return -1;
    if (check_params(&v, im->params, im->nparams, "parameter") < 0 ||
        check_sorted(&v, im->params, im->nparams, "parameter", 0) < 0 ||
        check_params(&v, im->svc_params, im->nsvc_params, "service parameter") < 0 ||
        check_services(&v) < 0 || check_tables(&v) < 0 || check_programs(&v) < 0 ||
        check_classes(&v) < 0)
        return -1;
    return 0;
}

/* ---- open and close ------------------------------------------------------ */

int img_open(img *im, const char *path, strbuf *err)
{
    memset(im, 0, sizeof *im);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        sb_addf(err, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        sb_addf(err, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    if ((uint64_t)st.st_size >= IMG_MAX_SIZE) {
        sb_addf(err, "%s: too large for an image (%lld bytes)", path, (long long)st.st_size);
        close(fd);
        return -1;
    }
    im->size = (size_t)st.st_size;
    if (im->size > 0) {
        void *p = mmap(NULL, im->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            sb_addf(err, "%s: cannot map: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        im->base = p;
        im->mapped = 1;
    } else {
        im->base = xmalloc(1);
    }
    close(fd);
    strbuf why;
    sb_init(&why);
    if (validate(im, 0, &why) < 0) {
        sb_addf(err, "%s: %s", path, sb_str(&why));
        sb_free(&why);
        img_close(im);
        return -1;
    }
    sb_free(&why);
    return 0;
}

int img_open_mem(img *im, const void *data, size_t size, unsigned flags, strbuf *err)
{
    memset(im, 0, sizeof *im);
    /* a private, aligned copy: records are read in place */
    unsigned char *copy = xmalloc(size ? size : 1);
    memcpy(copy, data, size);
    im->base = copy;
    im->size = size;
    if (validate(im, flags, err) < 0) {
        img_close(im);
        return -1;
    }
    return 0;
}

void img_close(img *im)
{
    if (im->base) {
        if (im->mapped)
            munmap((void *)im->base, im->size);
        else
            free((void *)im->base);
    }
    memset(im, 0, sizeof *im);
}

/* ---- lookups -------------------------------------------------------------- */

static const img_param *find_in(const img *im, const img_param *p, uint32_t n, const char *name)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, img_str(im, p[mid].name));
        if (c == 0)
            return &p[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const img_param *img_param_find(const img *im, const char *name)
{
    return find_in(im, im->params, im->nparams, name);
}

const img_param *img_service_param(const img *im, const img_service *s, const char *name)
{
    const img_param *p = find_in(im, im->svc_params + s->params, s->nparams, name);
    return p ? p : img_param_find(im, name);
}

void img_digest_hex(const img *im, int source, char out[65])
{
    sha256_hex(source ? im->hdr->source_sha256 : im->hdr->payload_sha256, out);
}

/* ---- names ------------------------------------------------------------------ */

const char *img_param_kind_name(unsigned kind)
{
    static const char *const n[IMG_PK_COUNT] = { "string", "bool", "int", "time", "list",
                                                 "tables", "restrictions" };
    return kind < IMG_PK_COUNT ? n[kind] : "?";
}

const char *img_table_kind_name(unsigned kind)
{
    static const char *const n[IMG_TK_COUNT] = { "hash", "cidr", "regexp", "pcre", "static",
                                                 "fail", "environ", "unionmap", "pipemap",
                                                 "unavailable", "unix" };
    return kind < IMG_TK_COUNT ? n[kind] : "?";
}

const char *img_class_name(unsigned id)
{
    static const char *const n[IMG_CLASS_COUNT] = { "local", "virtual_alias", "virtual_mailbox",
                                                    "relay", "default" };
    return id < IMG_CLASS_COUNT ? n[id] : "?";
}
