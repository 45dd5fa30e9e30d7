/* content.c: one message's content as cleanup(8) reads it: lines told
 * into headers (folded into logical headers, each joined with "\n") and
 * body lines, the end of the primary headers (missing headers added, an
 * empty line put before a body that did not start with one), MIME entity
 * changes, and the edited content sent on through the output callback.
 * The checks themselves are in checks.c, MIME parsing in mime.c. */
#include "stdlib/content/internal.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const img_param *cnt_param(const cnt_ctx *c, const char *name)
{
    return c->cleanup ? img_service_param(c->im, c->cleanup, name) : img_param_find(c->im, name);
}

static long long cnum(const cnt_ctx *c, const char *name, long long dflt)
{
    const img_param *p = cnt_param(c, name);
    return p ? p->num : dflt;
}

static int list_has(const img *im, const img_param *p, const char *word)
{
    if (!p || p->kind != IMG_PK_LIST)
        return 0;
    for (uint32_t i = 0; i < p->nlist; i++)
        if (strcasecmp(img_str(im, img_list_at(im, p->list, i)), word) == 0)
            return 1;
    return 0;
}

/* The cleanup service smtpd hands its mail to: master.cf's entry named by
 * cleanup_service_name (a unix service running cleanup). */
static const img_service *cleanup_service(const img *im, const img_service *svc)
{
    const img_param *p = svc ? img_service_param(im, svc, "cleanup_service_name")
                             : img_param_find(im, "cleanup_service_name");
    const char *name = p ? img_str(im, p->text) : "cleanup";
    for (uint32_t i = 0; i < im->nservices; i++) {
        const img_service *s = &im->services[i];
        if (strcmp(img_str(im, s->name), name) == 0 && strcmp(img_str(im, s->type), "unix") == 0)
            return s;
    }
    return NULL;
}

/* message_strip_characters / message_reject_characters: Postfix's
 * escapes (\a \b \f \n \r \t \v \\ and octal \ooo; \x is just x, as the
 * oracle shows) unescaped into a set. */
static int char_set(const char *v, unsigned char set[256])
{
    int any = 0;
    memset(set, 0, 256);
    for (const char *p = v; *p; p++) {
        unsigned c = (unsigned char)*p;
        if (c == '\\' && p[1]) {
            p++;
            switch (*p) {
            case 'a': c = '\a'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'v': c = '\v'; break;
            default:
                if (*p >= '0' && *p <= '7') {
                    c = (unsigned)(*p - '0');
                    for (int n = 1; n < 3 && p[1] >= '0' && p[1] <= '7'; n++)
                        c = c * 8 + (unsigned)(*++p - '0');
                } else {
                    c = (unsigned char)*p;
                }
            }
        }
        set[c & 0xff] = 1;
        any = 1;
    }
    return any;
}

cnt_ctx *cnt_new(pol_image *pi, const img_service *svc, const cnt_info *info,
                 cnt_out_fn out, void *out_arg)
{
    cnt_ctx *c = xcalloc(1, sizeof *c);
    c->pi = pi;
    c->im = pi->im;
    c->svc = svc;
    c->cleanup = cleanup_service(c->im, svc);
    c->info = *info;
    c->out = out;
    c->out_arg = out_arg;
    sb_init(&c->res.text);
    sb_init(&c->res.matched);
    sb_init(&c->res.warnings);
    c->res.table = c->res.line = UINT32_MAX;
    sb_init(&c->hdr);
    sb_init(&c->value);
    sb_init(&c->err);
    sb_init(&c->tmp);
    sb_init(&c->line);
    sb_init(&c->key);

    static const char *const names[CNT_NCLASS] = {
        "header_checks", "mime_header_checks", "nested_header_checks", "body_checks",
    };
    const img_param *ro = svc ? img_service_param(c->im, svc, "receive_override_options")
                              : img_param_find(c->im, "receive_override_options");
    int off = list_has(c->im, ro, "no_header_body_checks");
    for (int i = 0; i < CNT_NCLASS; i++) {
        const img_param *p = cnt_param(c, names[i]);
        if (!off && p && p->kind == IMG_PK_TABLES && p->nlist > 0) {
            c->tables[i] = p;
            c->checks = 1;
        }
    }
    c->mime = !cnum(c, "disable_mime_input_processing", 0);
    c->header_limit = cnum(c, "header_size_limit", 102400);
    c->hop_limit = cnum(c, "hopcount_limit", 50);
    c->body_limit = cnum(c, "body_checks_size_limit", 51200);
    c->nesting_limit = cnum(c, "mime_nesting_limit", 100);
    c->boundary_limit = cnum(c, "mime_boundary_length_limit", 2048);
    c->add_headers = info->local_client || cnum(c, "always_add_missing_headers", 0);
    c->drop = cnt_param(c, "message_drop_headers");
    const img_param *sp = cnt_param(c, "message_strip_characters");
    const img_param *rp = cnt_param(c, "message_reject_characters");
    c->have_strip = sp && char_set(img_str(c->im, sp->text), c->strip);
    c->have_reject = rp && char_set(img_str(c->im, rp->text), c->reject);
    return c;
}

void cnt_begin_client(cnt_ctx *c)
{
    c->client_first = 1;
}

/* The length of a header name if line starts a header ("name:" with
 * printable non-space characters, optionally spaces before the colon),
 * else 0. */
static size_t header_name(const char *s, size_t len, size_t *colon)
{
    size_t i = 0;
    while (i < len && (unsigned char)s[i] > ' ' && (unsigned char)s[i] < 127 && s[i] != ':')
        i++;
    size_t name = i;
    if (name == 0)
        return 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i >= len || s[i] != ':')
        return 0;
    *colon = i;
    return name;
}

static int name_is(const char *h, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(h, name, n) == 0;
}

/* Append to the header being collected. header_size_limit: a line (or
 * piece of one) is taken whole while the header is shorter than the
 * limit, and dropped after that; what is stored is cut at the limit
 * (flush_header). The checks see what was taken. */
static void hdr_add(cnt_ctx *c, const char *s, size_t n, int newline)
{
    if (c->hdr_full || (c->header_limit > 0 && (long long)c->hdr.len >= c->header_limit)) {
        c->hdr_full = 1;
        return;
    }
    if (newline)
        sb_addc(&c->hdr, '\n');
    sb_addn(&c->hdr, s, n);
}

static void emit_header(cnt_ctx *c, const char *s, size_t n)
{
    for (;;) {
        const char *nl = memchr(s, '\n', n);
        size_t l = nl ? (size_t)(nl - s) : n;
        cnt_emit(c, s, l, 0);
        if (!nl)
            return;
        s += l + 1;
        n -= l + 1;
    }
}

static unsigned seen_bit(const char *h, size_t n)
{
    static const struct { const char *name; unsigned bit; } t[] = {
        { "From", CNT_H_FROM }, { "Date", CNT_H_DATE }, { "Message-Id", CNT_H_MSGID },
        { "To", CNT_H_TO }, { "Cc", CNT_H_CC }, { "Resent-From", CNT_H_RFROM | CNT_H_RESENT },
        { "Resent-Date", CNT_H_RDATE | CNT_H_RESENT },
        { "Resent-Message-Id", CNT_H_RMSGID | CNT_H_RESENT },
        { "Resent-To", CNT_H_RTO | CNT_H_RESENT }, { "Resent-Cc", CNT_H_RCC | CNT_H_RESENT },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (name_is(h, n, t[i].name))
            return t[i].bit;
    if (n > 7 && strncasecmp(h, "Resent-", 7) == 0)
        return CNT_H_RESENT;
    return 0;
}

static int dropped(const cnt_ctx *c, const char *h, size_t n)
{
    const img_param *p = c->drop;
    if (!p || p->kind != IMG_PK_LIST)
        return 0;
    for (uint32_t i = 0; i < p->nlist; i++)
        if (name_is(h, n, img_str(c->im, img_list_at(c->im, p->list, i))))
            return 1;
    return 0;
}

/* The logical header in c->hdr is complete: inspect, edit, emit. */
static void flush_header(cnt_ctx *c)
{
    if (!c->have_hdr)
        return;
    c->have_hdr = 0;
    c->hdr_full = 0;
    c->hdr_more = 0;
    const char *h = sb_str(&c->hdr);
    size_t colon = 0, n = header_name(h, c->hdr.len, &colon);
    int is_mime = (n > 8 && strncasecmp(h, "Content-", 8) == 0) || name_is(h, n, "MIME-Version");
    cnt_class cls = is_mime ? CNT_MIME_HEADER
                    : c->state == CNT_ST_PRIMARY ? CNT_HEADER
                    : c->state == CNT_ST_NESTED ? CNT_NESTED_HEADER : CNT_NONE;
    if (c->mime && name_is(h, n, "Content-Type"))
        cnt_mime_content_type(c, h + colon + 1, c->hdr.len - colon - 1);
    int primary = c->state == CNT_ST_PRIMARY;
    if (primary && name_is(h, n, "Received"))
        c->hops++;
    cnt_edit e = CNT_KEEP;
    strbuf *repl = &c->tmp;
    if (cls != CNT_NONE && c->tables[cls] && !c->stop_checks)
        e = cnt_inspect(c, cls, h, c->hdr.len, repl);
    if (e == CNT_DROP)
        return;
    if (e == CNT_REPLACED) {
        h = sb_str(repl);
        n = header_name(h, repl->len, &colon);
    }
    size_t hlen = e == CNT_REPLACED ? repl->len : c->hdr.len;
    if (c->header_limit > 0 && (long long)hlen > c->header_limit)
        hlen = (size_t)c->header_limit;
    if (primary) {
        c->seen |= seen_bit(h, n);
        if (dropped(c, h, n))
            return;
    }
    emit_header(c, h, hlen);
}

/* The headers of the current entity end at line (empty, or a line that
 * is no header). */
static void end_headers(cnt_ctx *c, int empty)
{
    flush_header(c);
    if (c->state == CNT_ST_PRIMARY) {
        if (c->hops >= c->hop_limit && c->hop_limit > 0)
            cnt_fail(c, POL_REJECT, 554, "5.4.0 Error: too many hops");
        cnt_add_missing(c);
        if (!empty)
            cnt_emit(c, "", 0, 0);
    }
    c->body_off = 0;
    c->state = CNT_ST_BODY;
    if (!c->mime)
        return;
    if (c->ctype == CNT_CT_MULTIPART && c->pending_bound) {
        cnt_mime_push(c);
    } else if (c->ctype == CNT_CT_MESSAGE && empty) {
        c->state = CNT_ST_NESTED;
    }
    c->ctype = CNT_CT_OTHER;
    c->digest = 0;
    free(c->pending_bound);
    c->pending_bound = NULL;
}

static void body_line(cnt_ctx *c, const char *s, size_t len, int more)
{
    int start = !c->in_piece;
    c->in_piece = more;
    int bound = 0;
    if (start && c->mime && c->nbounds && len >= 2 && s[0] == '-' && s[1] == '-')
        bound = cnt_mime_boundary(c, s, len);
    cnt_edit e = CNT_KEEP;
    if (c->tables[CNT_BODY] && !c->stop_checks && len > 0 && c->body_off < c->body_limit)
        e = cnt_inspect(c, CNT_BODY, s, len, &c->tmp);
    c->body_off += (long long)len + !more;
    if (e == CNT_REPLACED)
        cnt_emit(c, c->tmp.s, c->tmp.len, more);
    else if (e == CNT_KEEP)
        cnt_emit(c, s, len, more);
    if (bound == 1) {
        c->state = CNT_ST_PART;
        c->ctype = c->digest ? CNT_CT_MESSAGE : CNT_CT_OTHER;
    }
    if (bound)
        c->body_off = 0;
}

static void header_line(cnt_ctx *c, const char *s, size_t len, int more)
{
    if (c->hdr_more) {                       /* a long line goes on */
        hdr_add(c, s, len, 0);
        c->hdr_more = more;
        return;
    }
    if (c->have_hdr && len > 0 && (s[0] == ' ' || s[0] == '\t')) {
        hdr_add(c, s, len, 1);
        c->hdr_more = more;
        return;
    }
    size_t colon, n = header_name(s, len, &colon);
    if (n == 0) {
        end_headers(c, len == 0 && !more);
        if (len > 0 || more)
            body_line(c, s, len, more);
        else
            cnt_emit(c, "", 0, 0);
        return;
    }
    flush_header(c);
    sb_clear(&c->hdr);
    c->have_hdr = 1;
    /* "Name : value" is kept as "Name: value" */
    sb_addn(&c->hdr, s, n);
    sb_addn(&c->hdr, s + colon, len - colon);
    c->hdr_more = more;
}

void cnt_line(cnt_ctx *c, const char *line, size_t len, int more)
{
    if (c->ended)
        return;
    if (c->have_reject) {
        for (size_t i = 0; i < len; i++)
            if (c->reject[(unsigned char)line[i]]) {
                cnt_fail(c, POL_REJECT, 550, "5.7.1 disallowed character");
                break;
            }
    }
    if (c->have_strip) {
        sb_clear(&c->line);
        for (size_t i = 0; i < len; i++)
            if (!c->strip[(unsigned char)line[i]])
                sb_addc(&c->line, line[i]);
        line = sb_str(&c->line);
        len = c->line.len;
    }
    if (c->client_first) {
        c->client_first = 0;
        const char *f = line + (len > 0 && line[0] == '>');
        if (c->state == CNT_ST_PRIMARY && (size_t)(f - line) + 5 <= len &&
            strncmp(f, "From ", 5) == 0) {
            sb_clear(&c->tmp);
            sb_adds(&c->tmp, "X-Mailbox-Line: ");
            sb_addn(&c->tmp, line, len);
            char *copy = sb_take(&c->tmp);
            header_line(c, copy, strlen(copy), more);
            free(copy);
            return;
        }
        if (len > 0 && (line[0] == ' ' || line[0] == '\t'))
            cnt_line(c, "", 0, 0);
    }
    if (c->state == CNT_ST_BODY)
        body_line(c, line, len, more);
    else
        header_line(c, line, len, more);
}

void cnt_end(cnt_ctx *c)
{
    if (c->ended)
        return;
    if (c->state != CNT_ST_BODY) {
        int primary = c->state == CNT_ST_PRIMARY;
        flush_header(c);
        if (primary) {
            if (c->hops >= c->hop_limit && c->hop_limit > 0)
                cnt_fail(c, POL_REJECT, 554, "5.4.0 Error: too many hops");
            cnt_add_missing(c);
        }
    }
    c->ended = 1;
}

const cnt_result *cnt_result_of(const cnt_ctx *c)
{
    return &c->res;
}

void cnt_free(cnt_ctx *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->res.nfx; i++)
        free(c->res.fx[i].text);
    free(c->res.fx);
    for (size_t i = 0; i < c->res.nlog; i++) {
        free(c->res.log[i].action);
        free(c->res.log[i].where);
        free(c->res.log[i].line);
        free(c->res.log[i].text);
    }
    free(c->res.log);
    sb_free(&c->res.text);
    sb_free(&c->res.matched);
    sb_free(&c->res.warnings);
    sb_free(&c->hdr);
    sb_free(&c->value);
    sb_free(&c->err);
    sb_free(&c->tmp);
    sb_free(&c->line);
    sb_free(&c->key);
    cnt_mime_free(c);
    free(c->pending_bound);
    free(c);
}
