/* cmd_disasm.c: `mtacc disasm FILE`: a policy image back as text: the
 * parameters set by the configuration (all of them with --all), the
 * services with the values their -o overrides change, the tables with
 * every entry or rule, the restriction programs instruction by
 * instruction, and the address classes; each with the file:line it came
 * from. The output depends only on the image, so golden tests and the
 * fixed-point test (build twice, same text) use it. */
#include "compiler/cmd.h"
#include "stdlib/image/image.h"

#include <stdio.h>
#include <string.h>

static const char disasm_usage[] =
    "usage: mtacc disasm [--all] FILE\n"
    "  Print the policy image FILE as text. --all: every parameter, not only\n"
    "  those the configuration sets.\n";

/* "main.cf:12" or "-" */
static void src(const img *im, uint32_t file, uint32_t line, char *out, size_t n)
{
    if (!file)
        snprintf(out, n, "-");
    else if (!line)
        snprintf(out, n, "%s", img_str(im, im->files[file - 1].path));
    else
        snprintf(out, n, "%s:%u", img_str(im, im->files[file - 1].path), line);
}

static void print_quoted(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            printf("\\x%02x", (unsigned char)*s);
        else
            putchar(*s);
    }
    putchar('"');
}

/* Two lines: "first name = value", then "indent  file:line kind typed". */
static void print_param(const img *im, const img_param *p, const char *first,
                        const char *indent)
{
    char at[512];
    src(im, p->file, p->line, at, sizeof at);
    printf("%s%s = %s\n", first, img_str(im, p->name), img_str(im, p->text));
    printf("%s    %s %s", indent, at, img_param_kind_name(p->kind));
    switch (p->kind) {
    case IMG_PK_BOOL:
    case IMG_PK_INT:
        printf(" %lld", (long long)p->num);
        break;
    case IMG_PK_TIME:
        printf(" %llds", (long long)p->num);
        break;
    case IMG_PK_RESTRICTIONS:
        printf(" program %lld", (long long)p->num);
        break;
    case IMG_PK_LIST:
        for (uint32_t i = 0; i < p->nlist; i++) {
            putchar(' ');
            print_quoted(img_str(im, img_list_at(im, p->list, i)));
        }
        break;
    case IMG_PK_TABLES:
        for (uint32_t i = 0; i < p->nlist; i++)
            printf(" #%u", img_list_at(im, p->list, i));
        break;
    default:
        break;
    }
    if (p->flags & IMG_PF_USER)
        printf(" (user-defined)");
    putchar('\n');
}

static void print_params(const img *im, int all)
{
    uint32_t set = 0;
    for (uint32_t i = 0; i < im->nparams; i++)
        set += (im->params[i].flags & IMG_PF_SET) != 0;
    printf("parameters: %u, %u set%s\n", im->nparams, set, all ? "" : " (shown; --all for every one)");
    for (uint32_t i = 0; i < im->nparams; i++)
        if (all || (im->params[i].flags & IMG_PF_SET))
            print_param(im, &im->params[i], "  ", "  ");
}

static void print_services(const img *im)
{
    printf("\nservices: %u\n", im->nservices);
    for (uint32_t i = 0; i < im->nservices; i++) {
        const img_service *s = &im->services[i];
        char at[512];
        src(im, s->file, s->line, at, sizeof at);
        printf("  %s/%s %s  private=%c unpriv=%c chroot=%c wakeup=%u%s maxproc=%u  %s",
               img_str(im, s->name), img_str(im, s->type), img_str(im, s->command),
               s->flags & IMG_SVC_PRIVATE ? 'y' : 'n', s->flags & IMG_SVC_UNPRIV ? 'y' : 'n',
               s->flags & IMG_SVC_CHROOT ? 'y' : 'n', s->wakeup,
               s->flags & IMG_SVC_WAKEUP_COND ? "?" : "", s->maxproc, at);
        for (uint32_t k = 0; k < s->nargs; k++)
            printf(k ? " %s" : "\n    args: %s", img_str(im, img_list_at(im, s->args, k)));
        putchar('\n');
        for (uint32_t k = 0; k < s->nparams; k++) {
            const img_param *p = &im->svc_params[s->params + k];
            print_param(im, p, p->flags & IMG_PF_OVERRIDE ? "    -o " : "       ", "       ");
        }
    }
}

static void print_rule_src(const img *im, const img_table *t, uint32_t line)
{
    if (t->file && line)
        printf("%s:%u", img_str(im, im->files[t->file - 1].path), line);
    else
        printf("-");
}

static const char *const rule_ops[] = { "", "if ", "endif" };

static void print_table(const img *im, uint32_t i)
{
    const img_table *t = &im->tables[i];
    printf("  #%u %s  %s", i, img_str(im, t->spec), img_table_kind_name(t->kind));
    if (t->file)
        printf("  from %s", img_str(im, im->files[t->file - 1].path));
    switch (t->kind) {
    case IMG_TK_HASH:
        printf(", %u entries, %u slots\n", t->count, t->nslots);
        for (uint32_t k = 0; k < t->count; k++) {
            const img_hash_entry *e = &im->hash_entries[t->first + k];
            printf("    ");
            print_rule_src(im, t, e->line);
            printf("  ");
            print_quoted(img_str(im, e->key));
            printf(" => ");
            print_quoted(img_str(im, e->value));
            putchar('\n');
        }
        break;
    case IMG_TK_CIDR:
        printf(", %u rules\n", t->count);
        for (uint32_t k = 0; k < t->count; k++) {
            const img_cidr_rule *r = &im->cidr_rules[t->first + k];
            printf("    ");
            print_rule_src(im, t, r->line);
            printf("  %s", rule_ops[r->op < 3 ? r->op : 0]);
            if (r->op != IMG_RULE_ENDIF) {
                char a[64] = "";
                const unsigned char *b = r->addr;
                if (r->family == 4)
                    snprintf(a, sizeof a, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
                else
                    for (int j = 0; j < 16; j += 2)
                        snprintf(a + strlen(a), sizeof a - strlen(a), "%s%x", j ? ":" : "",
                                 (unsigned)(b[j] << 8 | b[j + 1]));
                printf("%s%s/%u", r->negate ? "!" : "", a, r->prefix);
            }
            if (r->op == IMG_RULE_MATCH) {
                printf(" => ");
                print_quoted(img_str(im, r->result));
            }
            putchar('\n');
        }
        break;
    case IMG_TK_REGEXP:
    case IMG_TK_PCRE:
        printf(", %u rules\n", t->count);
        for (uint32_t k = 0; k < t->count; k++) {
            const img_rx_rule *r = &im->rx_rules[t->first + k];
            printf("    ");
            print_rule_src(im, t, r->line);
            printf("  %s", rule_ops[r->op < 3 ? r->op : 0]);
            if (r->op != IMG_RULE_ENDIF)
                printf("%s/%s/ flags=%#x", r->negate ? "!" : "", img_str(im, r->pattern),
                       r->flags);
            if (r->op == IMG_RULE_MATCH) {
                printf(" => ");
                print_quoted(img_str(im, r->result));
            }
            if (r->nlits) {
                printf("  [%s", r->all_required ? "all of" : "any of");
                for (uint32_t j = 0; j < r->nlits; j++) {
                    putchar(' ');
                    print_quoted(img_str(im, img_list_at(im, r->lits, j)));
                }
                putchar(']');
            }
            putchar('\n');
        }
        break;
    case IMG_TK_UNION:
    case IMG_TK_PIPE:
        printf(", members");
        for (uint32_t k = 0; k < t->count; k++)
            printf(" #%u", img_list_at(im, t->first, k));
        putchar('\n');
        break;
    case IMG_TK_STATIC:
    case IMG_TK_UNAVAILABLE:
        printf(": ");
        print_quoted(img_str(im, t->value));
        putchar('\n');
        break;
    default:
        putchar('\n');
        break;
    }
}

static void print_operands(const img *im, const img_insn *x)
{
    switch (img_op_operands(x->op)) {
    case IMG_OPND_TABLE:
        printf(" #%u %s", x->a, img_str(im, im->tables[x->a].spec));
        break;
    case IMG_OPND_DOMAIN:
        printf(" %s%s", img_str(im, x->a), img_str(im, x->b));
        break;
    case IMG_OPND_SECONDS:
        printf(" %us", x->a);
        break;
    case IMG_OPND_SERVICE:
        printf(" %s", img_str(im, x->a));
        if (*img_str(im, x->b))
            printf(" %s", img_str(im, x->b));
        break;
    case IMG_OPND_PROGRAM:
        printf(" program %u (%s)", x->a, img_str(im, im->programs[x->a].name));
        break;
    case IMG_OPND_WORD:
        printf(" ");
        print_quoted(img_str(im, x->a));
        break;
    default:
        break;
    }
}

static void print_programs(const img *im)
{
    printf("\nprograms: %u, %u instructions\n", im->nprograms, im->ninsns);
    for (uint32_t i = 0; i < im->nprograms; i++) {
        const img_program *p = &im->programs[i];
        char at[512];
        src(im, p->file, p->line, at, sizeof at);
        printf("  program %u %s  %s\n", i, img_str(im, p->name), at);
        for (uint32_t k = 0; k < p->count; k++) {
            const img_insn *x = &im->insns[p->first + k];
            char where[512];
            src(im, x->file, x->line, where, sizeof where);
            if (x->file && x->line && x->col)
                snprintf(where + strlen(where), sizeof where - strlen(where), ":%u", x->col);
            printf("    %3u  %-24s %s", k, where, img_op_name(x->op));
            print_operands(im, x);
            if (x->flags & IMG_IF_DEPRECATED)
                printf("  (old name)");
            putchar('\n');
        }
    }
}

static void print_classes(const img *im)
{
    printf("\nclasses: %u\n", im->nclasses);
    for (uint32_t i = 0; i < im->nclasses; i++) {
        const img_class *c = &im->classes[i];
        printf("  %s: transport ", img_class_name(c->id));
        print_quoted(img_str(im, c->transport));
        printf(" nexthop ");
        print_quoted(img_str(im, c->nexthop));
        printf("\n    domains");
        for (uint32_t k = 0; k < c->ndomains; k++) {
            putchar(' ');
            print_quoted(img_str(im, img_list_at(im, c->domains, k)));
        }
        for (uint32_t k = 0; k < c->ntables; k++)
            printf(" #%u", img_list_at(im, c->tables, k));
        printf("\n    recipients");
        for (uint32_t k = 0; k < c->nrecipients; k++)
            printf(" #%u", img_list_at(im, c->recipients, k));
        putchar('\n');
    }
}

int cmd_disasm(int argc, char **argv)
{
    int all = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(disasm_usage, stdout);
            return 0;
        } else if (strcmp(argv[i], "--all") == 0) {
            all = 1;
        } else if (!path && argv[i][0] != '-') {
            path = argv[i];
        } else {
            fputs(disasm_usage, stderr);
            return 2;
        }
    }
    if (!path) {
        fputs(disasm_usage, stderr);
        return 2;
    }
    img im;
    strbuf err;
    sb_init(&err);
    if (img_open(&im, path, &err) < 0) {
        fprintf(stderr, "mtacc disasm: %s\n", sb_str(&err));
        sb_free(&err);
        return 1;
    }
    sb_free(&err);
    printf("# policy image format %u, written by %s, pcre2 %s\n", im.hdr->version,
           im.hdr->compiler, im.hdr->pcre2);
    printf("# source files:");
    for (uint32_t i = 0; i < im.nfiles; i++)
        printf(" %s", img_str(&im, im.files[i].path));
    printf("\n\n");
    print_params(&im, all);
    print_services(&im);
    printf("\ntables: %u\n", im.ntables);
    for (uint32_t i = 0; i < im.ntables; i++)
        print_table(&im, i);
    print_programs(&im);
    print_classes(&im);
    img_close(&im);
    return fflush(stdout) ? 2 : 0;
}
