/* test_lower.c: restriction lists lowered to programs (compiler/image/
 * lower.c), read back from a built image: every opcode by its name (in
 * any case), the older names Postfix 3.7 accepts, brace groups, DNS list
 * filters, sleep, policy services, classes (a class that calls itself,
 * classes changed by -o, names shadowed by built-ins), tables named alone,
 * unknown words and missing operands, and the file:line:col of words
 * written on continuation lines, through $name and in master.cf -o. */
#include "compiler/image/emit.h"
#include "stdlib/image/image.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *name, const char *got, const char *want)
{
    printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    if (!ok)
        printf("  got:  %s\n  want: %s\n", got, want);
    failures += !ok;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0)
        fatal("cannot write %s", path);
}

/* A configuration built into an image and opened. */
typedef struct built {
    img im;
} built;

static void build(built *b, const char *main_cf, const char *master_cf)
{
    static int n;
    char dir[64], path[128];
    snprintf(dir, sizeof dir, "conf%d", ++n);
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/main.cf", dir);
    write_file(path, main_cf);
    snprintf(path, sizeof path, "%s/master.cf", dir);
    write_file(path, master_cf ? master_cf : "");
    snprintf(path, sizeof path, "%s/access", dir);
    write_file(path, "example.com OK\n");
    config c;
    config_opts co = { .dir = dir, .for_image = 1 };
    config_load(&c, &co);
    imgw *w = emit_image(&c, ".");
    strbuf err;
    sb_init(&err);
    snprintf(path, sizeof path, "%s.img", dir);
    if (imgw_write(w, path, &err, NULL) < 0 || img_open(&b->im, path, &err) < 0)
        fatal("%s", sb_str(&err));
    sb_free(&err);
    imgw_free(w);
    config_free(&c);
}

/* The program of a restriction parameter, globally or in service svc. */
static const img_program *program(const img *im, const char *svc, const char *name)
{
    const img_param *p = img_param_find(im, name);
    for (uint32_t i = 0; svc && i < im->nservices; i++)
        if (strcmp(img_str(im, im->services[i].name), svc) == 0)
            p = img_service_param(im, &im->services[i], name);
    if (!p || p->kind != IMG_PK_RESTRICTIONS)
        return NULL;
    return &im->programs[p->num];
}

/* The instructions as "name operands" joined by "; " (old names marked
 * with '!'); with where = 1, each as line:col instead. */
static char *render(const img *im, const img_program *p, int where)
{
    strbuf s;
    sb_init(&s);
    if (!p)
        return xstrdup("(no program)");
    for (uint32_t k = 0; k < p->count; k++) {
        const img_insn *x = &im->insns[p->first + k];
        if (k)
            sb_adds(&s, "; ");
        if (where) {
            sb_addf(&s, "%s:%u:%u", x->file ? img_str(im, im->files[x->file - 1].path) : "-",
                    x->line, x->col);
            continue;
        }
        sb_addf(&s, "%s%s", x->flags & IMG_IF_DEPRECATED ? "!" : "", img_op_name(x->op));
        switch (img_op_operands(x->op)) {
        case IMG_OPND_TABLE:
            sb_addf(&s, " %s", img_str(im, im->tables[x->a].spec));
            break;
        case IMG_OPND_DOMAIN:
            sb_addf(&s, " [%s][%s]", img_str(im, x->a), img_str(im, x->b));
            break;
        case IMG_OPND_SECONDS:
            sb_addf(&s, " %u", x->a);
            break;
        case IMG_OPND_SERVICE:
            sb_addf(&s, " [%s][%s]", img_str(im, x->a), img_str(im, x->b));
            break;
        case IMG_OPND_PROGRAM:
            sb_addf(&s, " %s#%u", img_str(im, im->programs[x->a].name), x->a);
            break;
        case IMG_OPND_WORD:
            sb_addf(&s, " \"%s\"", img_str(im, x->a));
            break;
        }
    }
    return s.s ? sb_take(&s) : xstrdup("");
}

static void expect(const img *im, const char *svc, const char *name, int where,
                   const char *test, const char *want)
{
    char *got = render(im, program(im, svc, name), where);
    check(strcmp(got, want) == 0, test, got, want);
    free(got);
}

#define BASE "myhostname = mx.example.com\nmydestination = localhost\nalias_maps =\n"

/* Every opcode of opcodes.def, written by its name with an operand of its
 * kind, lowers to that opcode; upper case too. */
static void test_every_opcode(void)
{
    for (int upper = 0; upper < 2; upper++) {
        strbuf v, want;
        sb_init(&v);
        sb_init(&want);
        sb_adds(&v, BASE "smtpd_client_restrictions =");
        for (unsigned op = 0; op < IMG_OP_COUNT; op++) {
            const char *name = img_op_name(op);
            if (name[0] == '(')
                continue;
            char *w = xstrdup(name);
            for (char *p = w; upper && *p; p++)
                *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
            sb_addf(&v, " %s", w);
            free(w);
            if (want.len)
                sb_adds(&want, "; ");
            int old = op == IMG_OP_CHECK_RELAY_DOMAINS || op == IMG_OP_PERMIT_NAKED_IP_ADDRESS;
            sb_addf(&want, "%s%s", old ? "!" : "", name);
            switch (img_op_operands(op)) {
            case IMG_OPND_TABLE:
                sb_adds(&v, " hash:access");
                sb_adds(&want, " hash:access");
                break;
            case IMG_OPND_DOMAIN:
                sb_adds(&v, " list.example");
                sb_adds(&want, " [list.example][]");
                break;
            case IMG_OPND_SECONDS:
                sb_adds(&v, " 3");
                sb_adds(&want, " 3");
                break;
            case IMG_OPND_SERVICE:
                sb_adds(&v, " unix:private/policy");
                sb_adds(&want, " [unix:private/policy][]");
                break;
            }
        }
        sb_adds(&v, "\n");
        built b;
        build(&b, v.s, NULL);
        expect(&b.im, NULL, "smtpd_client_restrictions", 0,
               upper ? "every opcode by its name in upper case" : "every opcode by its name",
               want.s);
        img_close(&b.im);
        sb_free(&v);
        sb_free(&want);
    }
}

static void test_old_names(void)
{
    built b;
    build(&b, BASE
          "maps_rbl_domains = zen.example, bl.example=127.0.0.4\n"
          "smtpd_client_restrictions = reject_unknown_client, reject_invalid_hostname,\n"
          " reject_non_fqdn_hostname, Reject_Unknown_Hostname, check_recipient_maps,\n"
          " reject_rbl rbl.example, reject_unknown_address, reject_maps_rbl,\n"
          " check_relay_domains, permit_naked_ip_address\n", NULL);
    expect(&b.im, NULL, "smtpd_client_restrictions", 0, "older names: current opcode, marked",
           "!reject_unknown_client_hostname; !reject_invalid_helo_hostname; "
           "!reject_non_fqdn_helo_hostname; !reject_unknown_helo_hostname; "
           "!reject_unlisted_recipient; !reject_rbl_client [rbl.example][]; "
           "!reject_unknown_sender_domain; "
           "!reject_rbl_client [zen.example][]; !reject_rbl_client [bl.example][=127.0.0.4]; "
           "!check_relay_domains; !permit_naked_ip_address");
    img_close(&b.im);

    build(&b, BASE "smtpd_client_restrictions = reject_maps_rbl, permit\n", NULL);
    expect(&b.im, NULL, "smtpd_client_restrictions", 0,
           "reject_maps_rbl with no maps_rbl_domains: one empty domain",
           "!reject_rbl_client [][]; permit");
    img_close(&b.im);
}

static void test_operands(void)
{
    built b;
    build(&b, BASE
          "smtpd_recipient_restrictions =\n"
          " check_policy_service { inet:127.0.0.1:9998, timeout=10s, default_action=DUNNO },\n"
          " check_policy_service {unix:private/p}, check_policy_service inet:h:1,\n"
          " check_client_access inline:{ {1.2.3.4=REJECT go away}, x=y },\n"
          " reject_rbl_client zen.example=127.0.0.[2..11], permit_dnswl_client wl.example,\n"
          " reject_rhsbl_sender dbl.example=127.0.1.[2..99], sleep 00, sleep 4294967297,\n"
          " reject_rhsbl_client permit, reject_rbl_client\n", NULL);
    expect(&b.im, NULL, "smtpd_recipient_restrictions", 0, "operands: services, braces, filters",
           "check_policy_service [inet:127.0.0.1:9998][{ timeout=10s, default_action=DUNNO }]; "
           "check_policy_service [unix:private/p][]; check_policy_service [inet:h:1][]; "
           "check_client_access inline:{ {1.2.3.4=REJECT go away}, x=y }; "
           "reject_rbl_client [zen.example][=127.0.0.[2..11]]; "
           "permit_dnswl_client [wl.example][]; "
           "reject_rhsbl_sender [dbl.example][=127.0.1.[2..99]]; sleep 0; sleep 1; "
           "reject_rhsbl_client [permit][]; reject_rbl_client [][]");
    img_close(&b.im);

    /* what Postfix answers 451 4.3.5 for: the word fails, nothing is dropped */
    build(&b, BASE
          "smtpd_recipient_restrictions = bogus, check_client_access permit, sleep 1s,\n"
          " sleep -1, check_policy_service permit, check_policy_service { },\n"
          " { permit }, permit_mynetworks}, check_sender_access\n"
          "smtpd_sender_restrictions = check_sender_access { hash:access, reject\n", NULL);
    expect(&b.im, NULL, "smtpd_recipient_restrictions", 0, "unknown words and bad operands",
           "(unknown) \"bogus\"; (unknown) \"check_client_access\"; permit; "
           "(unknown) \"sleep\"; (unknown) \"1s\"; (unknown) \"sleep\"; (unknown) \"-1\"; "
           "(unknown) \"check_policy_service\"; permit; (unknown) \"check_policy_service\"; "
           "(unknown) \"{ }\"; (unknown) \"{ permit }\"; (unknown) \"permit_mynetworks}\"; "
           "(unknown) \"check_sender_access\"");
    expect(&b.im, NULL, "smtpd_sender_restrictions", 0, "an unclosed brace runs to the end",
           "check_sender_access { hash:access, reject");
    img_close(&b.im);
}

static void test_tables_alone(void)
{
    built b;
    build(&b, BASE
          "smtpd_restriction_classes = cls\n"
          "cls = hash:access\n"
          "smtpd_client_restrictions = hash:access, cls\n"
          "smtpd_helo_restrictions = hash:access\n"
          "smtpd_sender_restrictions = hash:access\n"
          "smtpd_relay_restrictions = hash:access, reject_unauth_destination\n"
          "smtpd_recipient_restrictions = hash:access\n"
          "smtpd_etrn_restrictions = hash:access\n"
          "smtpd_data_restrictions = hash:access\n"
          "smtpd_end_of_data_restrictions = hash:access\n", NULL);
    const char *lists[][2] = {
        { "smtpd_client_restrictions", "check_client_access hash:access; (class) cls#" },
        { "smtpd_helo_restrictions", "check_helo_access hash:access" },
        { "smtpd_sender_restrictions", "check_sender_access hash:access" },
        { "smtpd_relay_restrictions", "check_recipient_access hash:access; reject_unauth_destination" },
        { "smtpd_recipient_restrictions", "check_recipient_access hash:access" },
        { "smtpd_etrn_restrictions", "check_etrn_access hash:access" },
        { "smtpd_data_restrictions", "(unknown) \"hash:access\"" },
        { "smtpd_end_of_data_restrictions", "(unknown) \"hash:access\"" },
        { "cls", "(table) hash:access" },
    };
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        char name[128];
        snprintf(name, sizeof name, "a table alone in %s", lists[i][0]);
        char *got = render(&b.im, program(&b.im, NULL, lists[i][0]), 0);
        /* the class index varies: compare up to '#' */
        char *hash = strchr(got, '#');
        if (hash)
            hash[1] = 0;
        check(strcmp(got, lists[i][1]) == 0, name, got, lists[i][1]);
        free(got);
    }
    img_close(&b.im);
}

static void test_classes(void)
{
    built b;
    build(&b, BASE
          "smtpd_restriction_classes = strict, selfref, ping, pong, Upper, permit, empty,\n"
          "   undefined, loose, mynetworks\n"
          "mynetworks = 127.0.0.0/8\n"
          "smtpd_client_restrictions = mynetworks\n"
          "strict = reject_unknown_sender_domain, reject\n"
          "selfref = permit_mynetworks, selfref\n"
          "ping = pong\n"
          "pong = ping\n"
          "Upper = reject\n"
          "permit = reject\n"
          "empty =\n"
          "loose = $strict\n"
          "smtpd_recipient_restrictions = strict, selfref, ping, upper, Upper, permit,\n"
          "   empty, undefined, loose\n",
          "smtp inet n - y - - smtpd\n"
          "submission inet n - y - - smtpd\n"
          "  -o strict=permit_sasl_authenticated,reject\n");
    const img *im = &b.im;
    const img_program *r = program(im, NULL, "smtpd_recipient_restrictions");
    int ok = r && r->count == 9;
    char *got = render(im, r, 0);
    const char *want = "(class) strict; (class) selfref; (class) ping; (unknown) \"upper\"; "
                       "(class) Upper; permit; (unknown) \"empty\"; (unknown) \"undefined\"; "
                       "(class) loose";
    /* drop the "#index" suffixes for this comparison */
    char *p = got, *q = got;
    while (*p) {
        if (*p == '#')
            while (*p && *p != ';')
                p++;
        else
            *q++ = *p++;
    }
    *q = 0;
    check(strcmp(got, want) == 0, "class names: case matters, built-ins first, empty fails",
          got, want);
    free(got);
    if (ok) {
        const img_insn *x = &im->insns[r->first];
        const img_program *self = &im->programs[x[1].a];
        const img_insn *y = &im->insns[self->first + self->count - 1];
        check(y->op == IMG_OP_CALL && y->a == x[1].a, "a class that names itself calls itself",
              img_op_name(y->op), "(class) to its own program");
        const img_program *ping = &im->programs[x[2].a];
        const img_program *pong = &im->programs[im->insns[ping->first].a];
        check(im->insns[pong->first].op == IMG_OP_CALL && im->insns[pong->first].a == x[2].a,
              "classes that name each other call each other", "", "");
    }
    expect(im, NULL, "loose", 0, "a class through $name", "reject_unknown_sender_domain; reject");
    const img_param *mn = img_param_find(im, "mynetworks");
    check(mn && mn->kind == IMG_PK_LIST, "a class named after a parameter keeps its type",
          mn ? img_param_kind_name(mn->kind) : "none", "list");
    char *cl = render(im, program(im, NULL, "smtpd_client_restrictions"), 0);
    const img_program *callee = NULL;
    const img_program *cp = program(im, NULL, "smtpd_client_restrictions");
    if (cp && cp->count == 1 && im->insns[cp->first].op == IMG_OP_CALL)
        callee = &im->programs[im->insns[cp->first].a];
    char *body = render(im, callee, 0);
    check(callee && strcmp(body, "(unknown) \"127.0.0.0/8\"") == 0,
          "a class named after a parameter is called with its value", cl,
          "(class) mynetworks -> (unknown) \"127.0.0.0/8\"");
    free(cl);
    free(body);
    char *glob = render(im, program(im, NULL, "strict"), 0);
    char *sub = render(im, program(im, "submission", "strict"), 0);
    check(strcmp(glob, "reject_unknown_sender_domain; reject") == 0 &&
          strcmp(sub, "permit_sasl_authenticated; reject") == 0,
          "a class changed by -o", sub, "permit_sasl_authenticated; reject");
    free(glob);
    free(sub);
    /* the submission service's recipient list calls its own strict */
    const img_program *sr = program(im, "submission", "smtpd_recipient_restrictions");
    const img_program *ss = program(im, "submission", "strict");
    int calls = sr && ss && sr != r && sr->count > 0 &&
                im->insns[sr->first].op == IMG_OP_CALL &&
                &im->programs[im->insns[sr->first].a] == ss;
    check(calls, "a list whose class -o changes is lowered again for the service",
          calls ? "yes" : "no", "yes");
    img_close(&b.im);
}

static void test_provenance(void)
{
    built b;
    build(&b, BASE
          "extra = permit_sasl_authenticated, reject_rbl_client zen.example\n"
          "none =\n"
          "smtpd_relay_restrictions = permit_mynetworks,\n"
          "    $extra, ${none} reject_unauth_destination\n"
          "smtpd_recipient_restrictions = check_sender_access hash:access,\n"
          "\tcheck_policy_service { inet:127.0.0.1:9998,\n"
          "\t  timeout=10s }, reject\n"
          "# the comment\n"
          "smtpd_helo_restrictions = permit_mynetworks,\n"
          "    reject_invalid_helo_hostname,$unknown_thing reject\n",
          "smtp inet n - y - - smtpd\n"
          "submission inet n - y - - smtpd\n"
          "  -o smtpd_client_restrictions=permit_sasl_authenticated,reject\n"
          "  -o { smtpd_sender_restrictions = reject_non_fqdn_sender, permit }\n");
    expect(&b.im, NULL, "smtpd_recipient_restrictions", 1, "columns on continuation lines",
           "main.cf:8:32; main.cf:9:2; main.cf:10:19");
    expect(&b.im, NULL, "smtpd_relay_restrictions", 1, "columns through $name",
           "main.cf:6:28; main.cf:7:5; main.cf:7:5; main.cf:7:21");
    expect(&b.im, NULL, "smtpd_helo_restrictions", 1, "$name of an unknown parameter",
           "main.cf:12:27; main.cf:13:5; main.cf:13:49");
    expect(&b.im, "submission", "smtpd_client_restrictions", 1, "columns in master.cf -o",
           "master.cf:3:32; master.cf:3:58");
    expect(&b.im, "submission", "smtpd_sender_restrictions", 1, "columns in -o { }",
           "master.cf:4:36; master.cf:4:60");
    img_close(&b.im);
}

int main(void)
{
    char tmpl[] = "/tmp/test_lower.XXXXXX";
    if (!mkdtemp(tmpl))
        fatal("mkdtemp");
    if (chdir(tmpl) < 0)
        fatal("chdir");
    test_every_opcode();
    test_old_names();
    test_operands();
    test_tables_alone();
    test_classes();
    test_provenance();
    if (chdir("/") < 0)
        fatal("chdir");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpl);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpl);
    return failures ? 1 : 0;
}
