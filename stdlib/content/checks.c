/* checks.c: header_checks(5) as cleanup applies it to one logical header
 * or body line: the class's tables asked in order (the first that answers
 * wins), and the action carried out: REJECT (550 "5.7.1 message content
 * rejected", or the text; a 4.x.x status gives 451), DISCARD, PASS and
 * REDIRECT (inspection ends: Postfix 3.7 inspects nothing after a
 * REDIRECT, the oracle shows), HOLD (once), FILTER (the last one counts), BCC,
 * WARN, INFO (effects), IGNORE and STRIP (the line goes), PREPEND and
 * REPLACE (a header's text must be "name: value", else cleanup warns and
 * keeps the line), DUNNO and OK (nothing). Anything else (DEFER, ...) is
 * an unknown command: cleanup logs a warning and goes on. A table that
 * cannot be opened or looked up defers the message: 451 4.3.0. */
#include "stdlib/content/internal.h"
#include "stdlib/maps/rx.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const class_param[CNT_NCLASS] = {
    "header_checks", "mime_header_checks", "nested_header_checks", "body_checks",
};

void cnt_fail(cnt_ctx *c, pol_verdict v, int code, const char *text)
{
    c->stop_checks = 1;
    if (c->res.verdict != POL_NONE)
        return;
    c->res.verdict = v;
    c->res.code = code;
    sb_clear(&c->res.text);
    sb_adds(&c->res.text, text);
}

static void add_log(cnt_ctx *c, const char *action, cnt_class cls, const char *line, size_t len,
                    const char *text)
{
    cnt_result *r = &c->res;
    r->log = xrealloc(r->log, (r->nlog + 1) * sizeof *r->log);
    cnt_log *l = &r->log[r->nlog++];
    l->action = xstrdup(action);
    l->where = xstrdup(cls == CNT_BODY ? "body" : "header");
    l->line = xstrndup(line, len);
    l->text = xstrdup(text);
}

static void add_fx(cnt_ctx *c, pol_effect_kind k, const char *text)
{
    cnt_result *r = &c->res;
    for (size_t i = 0; i < r->nfx; i++) {
        pol_effect *f = &r->fx[i];
        if (f->kind != k)
            continue;
        if (k == POL_FX_FILTER || k == POL_FX_REDIRECT) {    /* the last one counts */
            free(f->text);
            memmove(f, f + 1, (r->nfx - i - 1) * sizeof *f);
            r->nfx--;
            break;
        }
        if ((k == POL_FX_BCC || k == POL_FX_HOLD || k == POL_FX_DISCARD) &&
            (k != POL_FX_BCC || strcmp(f->text, text) == 0))
            return;
    }
    r->fx = xrealloc(r->fx, (r->nfx + 1) * sizeof *r->fx);
    r->fx[r->nfx].kind = k;
    r->fx[r->nfx].text = xstrdup(text);
    r->nfx++;
}

/* Does text start with an enhanced status code "d.d.d"? Its length. */
static size_t dsn_len(const char *t)
{
    const char *p = t;
    if (*p != '2' && *p != '4' && *p != '5')
        return 0;
    p++;
    for (int part = 0; part < 2; part++) {
        if (*p++ != '.')
            return 0;
        int n = 0;
        while (isdigit((unsigned char)*p) && n < 3)
            p++, n++;
        if (n == 0)
            return 0;
    }
    return *p == 0 || *p == ' ' || *p == '\t' ? (size_t)(p - t) : 0;
}

static int valid_header_text(const char *t)
{
    const char *p = t;
    while ((unsigned char)*p > ' ' && (unsigned char)*p < 127 && *p != ':')
        p++;
    if (p == t)
        return 0;
    while (*p == ' ' || *p == '\t')
        p++;
    return *p == ':';
}

static void decided(cnt_ctx *c, cnt_class cls, const char *line, size_t len, uint32_t table,
                    uint32_t rule)
{
    c->res.stage = cls == CNT_BODY ? "body" : "header";
    sb_clear(&c->res.matched);
    sb_addn(&c->res.matched, line, len);
    c->res.table = table;
    c->res.line = rule;
}

/* Carry out action value (of table `table`, rule line `rule`). */
static cnt_edit act(cnt_ctx *c, cnt_class cls, const char *line, size_t len, char *value,
                    uint32_t table, uint32_t rule, strbuf *repl)
{
    char *cmd = value;
    while (*cmd == ' ' || *cmd == '\t')
        cmd++;
    size_t cl = 0;
    while (cmd[cl] && cmd[cl] != ' ' && cmd[cl] != '\t')
        cl++;
    const char *text = cmd + cl;
    while (*text == ' ' || *text == '\t')
        text++;
#define IS(w) (cl == sizeof(w) - 1 && strncasecmp(cmd, w, cl) == 0)
    int header = cls != CNT_BODY;
    if (IS("REJECT")) {
        strbuf t;
        sb_init(&t);
        size_t d = dsn_len(text);
        if (!*text)
            sb_adds(&t, "5.7.1 message content rejected");
        else if (d)
            sb_adds(&t, text);
        else
            sb_addf(&t, "5.7.1 %s", text);
        int soft = t.s[0] == '4';
        add_log(c, "reject", cls, line, len, sb_str(&t));
        if (c->res.verdict == POL_NONE)
            decided(c, cls, line, len, table, rule);
        cnt_fail(c, soft ? POL_DEFER : POL_REJECT, soft ? 451 : 550, sb_str(&t));
        sb_free(&t);
        return CNT_KEEP;
    }
    if (IS("HOLD") && c->held)
        return CNT_KEEP;
    if (IS("WARN") || IS("INFO") || IS("HOLD") || IS("DISCARD") || IS("PASS") ||
        IS("STRIP")) {
        c->held |= IS("HOLD");
        int warn = IS("WARN"), info = IS("INFO"), hold = IS("HOLD"), discard = IS("DISCARD");
        int strip = IS("STRIP");
        add_log(c, warn ? "warning" : info ? "info" : hold ? "hold" : discard ? "discard"
                : strip ? "strip" : "pass", cls, line, len, text);
        if (warn || info || hold || discard)
            add_fx(c, warn ? POL_FX_WARN : info ? POL_FX_INFO : hold ? POL_FX_HOLD
                   : POL_FX_DISCARD, text);
        if (discard || IS("PASS"))
            c->stop_checks = 1;
        return strip ? CNT_DROP : CNT_KEEP;
    }
    if (IS("FILTER") || IS("REDIRECT") || IS("BCC")) {
        int filter = IS("FILTER"), redirect = IS("REDIRECT");
        add_log(c, filter ? "filter" : redirect ? "redirect" : "bcc", cls, line, len, text);
        add_fx(c, filter ? POL_FX_FILTER : redirect ? POL_FX_REDIRECT : POL_FX_BCC, text);
        if (redirect)
            c->stop_checks = 1;
        return CNT_KEEP;
    }
    if (IS("DUNNO") || IS("OK"))
        return CNT_KEEP;
    if (IS("IGNORE"))
        return CNT_DROP;
    if (IS("PREPEND") || IS("REPLACE")) {
        int prepend = IS("PREPEND");
        if (header && !valid_header_text(text)) {
            sb_addf(&c->res.warnings, "bad %s header text \"%s\" in %s map -- "
                    "need \"headername: headervalue\"\n", prepend ? "PREPEND" : "REPLACE",
                    text, class_param[cls]);
            return CNT_KEEP;
        }
        add_log(c, prepend ? "prepend" : "replace", cls, line, len, text);
        if (prepend) {
            cnt_emit(c, text, strlen(text), 0);
            return CNT_KEEP;
        }
        sb_clear(repl);
        sb_adds(repl, text);
        return CNT_REPLACED;
    }
#undef IS
    sb_addf(&c->res.warnings, "unknown command in %s map: %s\n", class_param[cls], cmd);
    return CNT_KEEP;
}

cnt_edit cnt_inspect(cnt_ctx *c, cnt_class cls, const char *line, size_t len, strbuf *repl)
{
    const img_param *p = c->tables[cls];
    const img *im = c->im;
    sb_clear(&c->key);
    sb_addn(&c->key, line, len);
    for (uint32_t i = 0; i < p->nlist; i++) {
        uint32_t t = img_list_at(im, p->list, i);
        const char *why = NULL;
        map *m = pol_image_map(c->pi, t, &why);
        map_status st = MAP_ERR_CONFIG;
        sb_clear(&c->value);
        sb_clear(&c->err);
        if (m)
            st = map_lookup(m, sb_str(&c->key), &c->value, &c->err);
        if (st == MAP_NOTFOUND)
            continue;
        if (st != MAP_FOUND) {
            sb_addf(&c->res.warnings, "%s map lookup problem -- message not accepted, "
                    "try again later (%s: %s)\n", class_param[cls],
                    img_str(im, im->tables[t].spec), m ? sb_str(&c->err) : why ? why : "");
            if (c->res.verdict == POL_NONE)
                decided(c, cls, line, len, t, UINT32_MAX);
            cnt_fail(c, POL_DEFER, 451, "4.3.0 Error: queue file write error");
            return CNT_KEEP;
        }
        char *v = sb_take(&c->value);
        cnt_edit e = act(c, cls, line, len, v, t, map_rx_last_line(m), repl);
        free(v);
        return e;
    }
    return CNT_KEEP;
}
