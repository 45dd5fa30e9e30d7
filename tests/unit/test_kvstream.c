/* test_kvstream.c: sparse source files (src_add_sparse, src_keep_line) and
 * streamed table sources (kvsrc_stream, kvsrc_keep): the same logical
 * lines as kvsrc_parse, and the lines a diagnostic needs kept, no more. */
#include "compiler/tables/kvsrc.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failed;

static void check(int ok, const char *name)
{
    printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    if (!ok)
        failed = 1;
}

static int line_is(const srcset *s, int f, unsigned line, const char *want)
{
    size_t len;
    const char *t = src_line(s, f, line, &len);
    return len == strlen(want) && memcmp(t, want, len) == 0;
}

static void test_sparse(void)
{
    srcset s;
    srcset_init(&s);
    int f = src_add_sparse(&s, "big");
    src_keep_line(&s, f, 40, 1000, "forty\r", 6);
    src_keep_line(&s, f, 3, 20, "three", 5);
    src_keep_line(&s, f, 40, 1000, "ignored", 7);   /* kept once */
    unsigned line, col;
    src_linecol(&s, f, 1004, &line, &col);
    check(line == 40 && col == 5, "sparse_linecol");
    src_linecol(&s, f, 22, &line, &col);
    check(line == 3 && col == 3, "sparse_linecol_earlier");
    check(line_is(&s, f, 40, "forty") && line_is(&s, f, 3, "three"), "sparse_line_text_cr");
    check(line_is(&s, f, 4, ""), "sparse_unkept_line_empty");
    check(src_next_line(&s, f, 0) == 3 && src_next_line(&s, f, 3) == 40
          && src_next_line(&s, f, 40) == 0, "sparse_next_line");
    check(src_line_off(&s, f, 40) == 1000 && src_line_off(&s, f, 5) == 0, "sparse_line_off");
    srcset_free(&s);
}

typedef struct seen {
    strbuf all;          /* the logical lines, one per "\n" */
    unsigned keep_line;  /* keep the logical line whose first piece is here */
} seen;

static void on_line(void *arg, kvstream *st, const kvsrc_line *l)
{
    seen *sn = arg;
    sb_addf(&sn->all, "%u:", l->pieces[0].line);
    sb_addn(&sn->all, l->text, l->len);
    sb_addc(&sn->all, '\n');
    if (l->pieces[0].line == sn->keep_line)
        kvsrc_keep(st, l);
}

static FILE *file_of(const char *text)
{
    FILE *fp = tmpfile();
    fputs(text, fp);
    rewind(fp);
    return fp;
}

static void test_stream(void)
{
    const char *text = "  leading\n"            /* 1 */
                       "# far comment\n"        /* 2 */
                       "\n"                     /* 3 */
                       "# mtacc: allow x -- y\n"/* 4 */
                       "a 1\n"                  /* 5 */
                       "# above b\n"            /* 6 */
                       "# also above b\n"       /* 7 */
                       "b 2\n"                  /* 8 */
                       "# inside b\n"           /* 9 */
                       "  more b\n"             /* 10 */
                       "c 3\n"                  /* 11 */
                       "  at eof";              /* 12, no newline */
    srcset s;
    srcset_init(&s);
    diags d;
    diags_init(&d, &s);
    int f = src_add_sparse(&s, "t");
    seen sn = { .keep_line = 8 };
    sb_init(&sn.all);
    FILE *fp = file_of(text);
    check(kvsrc_stream(fp, f, &d, 0, on_line, &sn) == 0, "stream_ok");
    check(strcmp(sb_str(&sn.all), "5:a 1\n8:b 2  more b\n11:c 3  at eof\n") == 0,
          "stream_logical_lines");
    check(d.n == 1 && d.v[0].id == DIAG_TABLE_SYNTAX && d.v[0].at.off == 2, "stream_leading");
    check(line_is(&s, f, 1, "  leading"), "stream_keeps_leading");
    check(line_is(&s, f, 4, "# mtacc: allow x -- y"), "stream_keeps_directives");
    check(line_is(&s, f, 6, "# above b") && line_is(&s, f, 7, "# also above b")
          && line_is(&s, f, 8, "b 2") && line_is(&s, f, 9, "# inside b")
          && line_is(&s, f, 10, "  more b"), "stream_keeps_line_and_comments_above");
    check(line_is(&s, f, 2, "") && line_is(&s, f, 5, "") && line_is(&s, f, 11, ""),
          "stream_keeps_nothing_else");
    unsigned line, col;
    src_linecol(&s, f, (size_t)(strstr(text, "more b") - text), &line, &col);
    check(line == 10 && col == 3, "stream_locations");

    /* the same logical lines as kvsrc_parse over the text in memory */
    int g = src_add(&s, "m", xstrdup(text), strlen(text));
    kvsrc k;
    kvsrc_parse(&k, g, &d);
    strbuf b;
    sb_init(&b);
    for (size_t i = 0; i < k.n; i++) {
        sb_addf(&b, "%u:", k.v[i].pieces[0].line);
        sb_addn(&b, k.v[i].text, k.v[i].len);
        sb_addc(&b, '\n');
    }
    check(strcmp(sb_str(&b), sb_str(&sn.all)) == 0, "stream_equals_parse");
    kvsrc_free(&k);
    sb_free(&b);

    /* a second, quiet pass reports nothing */
    size_t before = d.n;
    rewind(fp);
    sb_clear(&sn.all);
    kvsrc_stream(fp, f, &d, 1, on_line, &sn);
    check(d.n == before, "stream_quiet");
    fclose(fp);
    sb_free(&sn.all);
    diags_free(&d);
    srcset_free(&s);
}

int main(void)
{
    test_sparse();
    test_stream();
    return failed;
}
