/* test_expand.c: the expansion language against cases observed with
 * Postfix 3.7's `postconf -xh` (each expected value was printed by it). */
#include "compiler/expand.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <string.h>

static const char *const vars[][2] = {
    { "a", "A" }, { "e", "" }, { "n", "10" }, { "m", "9" }, { "x", "$e" },
    { "t04", "x  \t y" }, { "compatibility_level", "0" },
    { "t02", "$t03" }, { "t03", "$t02" },
    { "c0", "$c1" }, { "c1", "$c2" }, { "c2", "$c0" },
    { "d0", "$d1" }, { "d1", "$d2" }, { "d2", "$d3" }, { "d3", "$d4" }, { "d4", "$d5" },
    { "d5", "$d6" }, { "d6", "$d0" },
    { "e0", "$e1" }, { "e1", "$e2" }, { "e2", "$e3" }, { "e3", "$e4" }, { "e4", "$e0" },
    { "f0", "x${f1}" }, { "f1", "${f0?{$f0}}" },
};

static const char *lookup(void *ctx, const char *name)
{
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        if (strcmp(vars[i][0], name) == 0)
            return vars[i][1];
    return NULL;
}

static int failures;

static void check(const char *in, const char *want, const char *want_err)
{
    strbuf out;
    sb_init(&out);
    expand_error err;
    expand_status st = expand_text(in, lookup, NULL, &out, &err);
    int ok = want_err ? st != EXPAND_OK && strcmp(err.msg, want_err) == 0
                      : st == EXPAND_OK && strcmp(sb_str(&out), want) == 0;
    if (ok)
        printf("PASS expand %s\n", in);
    else {
        failures++;
        printf("FAIL expand %s: got [%s] err [%s], want [%s] err [%s]\n", in, sb_str(&out),
               err.msg ? err.msg : "", want ? want : "", want_err ? want_err : "");
    }
    expand_error_free(&err);
    sb_free(&out);
}

static void check_param(const char *name, const char *want_err, size_t loop_start, size_t nchain)
{
    strbuf out;
    sb_init(&out);
    expand_error err;
    expand_status st = expand_param(name, lookup, NULL, &out, &err);
    int ok = st == EXPAND_LOOP && strcmp(err.msg, want_err) == 0 && err.loop_start == loop_start &&
             err.nchain == nchain && strcmp(err.chain[nchain - 1], err.chain[loop_start]) == 0;
    if (ok)
        printf("PASS loop %s\n", name);
    else {
        failures++;
        printf("FAIL loop %s: got [%s] start %zu n %zu\n", name, err.msg ? err.msg : "",
               err.loop_start, err.nchain);
    }
    expand_error_free(&err);
    sb_free(&out);
}

struct refs { char buf[512]; };

static void on_ref(void *ctx, const char *name, size_t off, size_t len)
{
    struct refs *r = ctx;
    size_t n = strlen(r->buf);
    snprintf(r->buf + n, sizeof r->buf - n, "%s@%zu+%zu ", name, off, len);
}

static void check_scan(const char *in, const char *want, const char *want_err)
{
    struct refs r = { "" };
    expand_error err;
    expand_status st = expand_scan(in, on_ref, &r, &err);
    int ok = strcmp(r.buf, want) == 0 &&
             (want_err ? st != EXPAND_OK && strcmp(err.msg, want_err) == 0 : st == EXPAND_OK);
    if (ok)
        printf("PASS scan %s\n", in);
    else {
        failures++;
        printf("FAIL scan %s: got [%s] err [%s]\n", in, r.buf, err.msg ? err.msg : "");
    }
    expand_error_free(&err);
}

int main(void)
{
    /* plain and conditional forms */
    check("$$a $$$a", "$a $A", NULL);
    check("${a?yes} ${e?yes} ${a:no} ${e:no}", "yes   no", NULL);
    check("${a?{ y e s }} ${e:{ n o }}", " y e s   n o ", NULL);
    check("${a?{yes}:{no}} ${e?{yes}:{no}} ${e?{yes}:no} ${a?{yes} : {no} }", "yes no no yes", NULL);
    check("$(a) $(a?x) ${a}b $ab ${a}${a}", "A x Ab  AA", NULL);
    check("${ a }", "A", NULL);
    check("${a:}", "", NULL);
    check("${a?}", "", NULL);
    check("${x?yes:no} ${x:empty}", "yes:no ", NULL);
    check("$a{b} ${a}} }{", "A{b} A} }{", NULL);
    check("${a}${a?$a:x}", "AA:x", NULL);
    check("${a?${a}}", "A", NULL);
    check("${{$a}=={A}?{${a?{$a}}}}", "A", NULL);
    check("${a ? {x}} ${a?x y z} ${a?{x}:y z }", "x x y z x", NULL);
    check("${a?{}:{b}}c", "c", NULL);
    /* relational forms */
    check("${{$n} == {10} ? {eq} : {ne}} ${{$n} < {$m}?{lt}:{ge}} ${{abc}<{abd}?{lt}:{ge}}",
          "eq ge lt", NULL);
    check("${{$n} != {10} ? {ne} : {eq}} ${{$n} <= {10} ? {le} : {gt}} "
          "${{$n} >= {11} ? {ge} : {lt}} ${{$n}>{9}?{gt}:{le}}", "eq le lt gt", NULL);
    check("${{$compatibility_level} <level {2} ? {old} : {new}} ${{3.6} <level {3.10} ? {lt}:{ge}} "
          "${{2}==level{2.0}?{eq}:{ne}}", "old lt eq", NULL);
    check("${{2}<=level{2}?{y}:{n}} ${{2}>level{1}?{y}:{n}} ${{2}>=level{2}?{y}:{n}} "
          "${{2}!=level{2}?{y}:{n}} ${{2}==level{02}?{y}:{n}}", "y y y n y", NULL);
    check("${{x} == {x}}", "true", NULL);
    check("${{x} == {y}}x", "x", NULL);
    check("${{x} == {x} ? {y}}", "y", NULL);
    check("${{1}=={1}?yes:no}", "yes:no", NULL);
    check("${ {1} == {1} ? {y} : {n} }", "y", NULL);
    check("${{1}=={1}}x{y}", "truex{y}", NULL);
    check("${{01} == {1} ? {y} : {n}} ${{ 1} == {1} ? {y} : {n}}", "y n", NULL);
    check("${{} == {} ? {y} : {n}}", "y", NULL);
    check("${{$n} < {9a} ? {lt}:{ge}}", "lt", NULL);
    check("${{${a?{ x }}} == {x} ? {same}:{diff}}", "diff", NULL);
    check("${{x}=={x}?{$t04}} ${{$t04} == {x y} ? {eq}:{ne}}", "x  \t y ne", NULL);
    check("${a?{x}:}", "x", NULL);
    /* errors, worded as postconf words them */
    check("$$a $$$a $a$", NULL, "empty macro name: \"$$a $$$a $a$\"");
    check("$ {a}", NULL, "empty macro name: \"$ {a}\"");
    check("$-", NULL, "empty macro name: \"$-\"");
    check("${a", NULL, "truncated macro reference: \"${a\"");
    check("${a?{x} : {y} z}", NULL, "unexpected input at: \"...y}>>>z\"");
    check("${a?{x}:{y}:{z}}", NULL, "unexpected input at: \"...y}>>>:{z}\"");
    check("${a:{x}:{y}}", NULL, "unexpected input at: \"...x}>>>:{y}\"");
    check("${x?{a}b}", NULL, "\":\" expected at: \"...a}>>>b\"");
    check("${{x} === {x} ? {y} : {n}}", NULL,
          "\"==\" or \"!=\"\" or \"<\"\" or \"<=\"\" or \">=\"\" or \">\" expected at: "
          "\"...x}>>>=== {x} ? {y} : {n}\"");
    check("${{a} <level {b} ? {y} : {n}}", NULL, "malformed compatibility level syntax: \"a\"");
    check("${{} <level {1}?{y}:{n}}", NULL, "malformed compatibility level syntax: \"\"");
    check("${{99999999999999999999}>{1}?{y}:{n}}", NULL,
          "mac_exp_eval: bad conversion: 99999999999999999999");
    /* loops: postconf names the parameter it meets past its nesting limit */
    check_param("t02", "unreasonable macro call nesting: \"t02\"", 0, 3);
    check_param("c0", "unreasonable macro call nesting: \"c0\"", 0, 4);
    check_param("c1", "unreasonable macro call nesting: \"c1\"", 0, 4);
    check_param("d0", "unreasonable macro call nesting: \"d4\"", 0, 8);
    check_param("d3", "unreasonable macro call nesting: \"d0\"", 0, 8);
    check_param("e0", "unreasonable macro call nesting: \"e2\"", 0, 6);
    check_param("f0", "unreasonable macro call nesting: \"f0\"", 0, 3);
    check("x $t02", NULL, "unreasonable macro call nesting: \"t02\"");
    /* scanning visits every branch */
    check_scan("${a?$zz1:$zz2} ${{$zz3}=={x}?{$zz4}:{$zz5}} $zz6$zz7 ${zz8:$zz9} $$zz10",
               "a@0+14 zz1@4+4 zz2@9+4 zz3@18+4 zz4@30+4 zz5@37+4 zz6@44+4 zz7@48+4 "
               "zz8@53+11 zz9@59+4 ", NULL);
    check_scan("$myhostname, ${mydomain}", "myhostname@0+11 mydomain@13+11 ", NULL);
    check_scan("$ok ${x?{a}b}", "ok@0+3 x@4+9 ", "\":\" expected at: \"...a}>>>b\"");
    return failures ? 1 : 0;
}
