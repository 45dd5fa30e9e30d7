/* image_walk.h: touch every byte a reader of a validated image would
 * follow (strings, lists, ranges, parameter lookups, and every table
 * opened and asked its own first keys and a miss), so that a loader that
 * accepts a bad image shows up under ASan. Shared by test_image.c
 * and the loader's fuzz target. Returns a checksum to keep the reads. */
#ifndef TESTS_IMAGE_WALK_H
#define TESTS_IMAGE_WALK_H
#include "stdlib/image/image.h"
#include "stdlib/maps/map.h"
#include <string.h>

static size_t walk_lookup(map *m, const char *key)
{
    strbuf v, e;
    sb_init(&v);
    sb_init(&e);
    map_status st = map_lookup(m, key, &v, &e);
    size_t sum = (size_t)st + strlen(sb_str(&v)) + strlen(sb_str(&e));
    sb_free(&v);
    sb_free(&e);
    return sum;
}

/* Open table i and ask it a few keys (its own, an address, a miss). */
static size_t walk_table_map(const img *im, uint32_t i)
{
    strbuf err;
    sb_init(&err);
    map *m = img_table_map(im, i, &err);
    size_t sum = strlen(sb_str(&err));
    if (m) {
        const img_table *t = &im->tables[i];
        if (t->kind == IMG_TK_HASH)
            for (uint32_t k = 0; k < t->count && k < 3; k++)
                sum += walk_lookup(m, img_str(im, im->hash_entries[t->first + k].key));
        sum += walk_lookup(m, "192.0.2.1") + walk_lookup(m, "user@example.com");
        sum += walk_lookup(m, "Subject: hello");
        map_free(m);
    }
    sb_free(&err);
    return sum;
}

static size_t walk_str(const img *im, uint32_t off)
{
    return strlen(img_str(im, off));
}

static size_t walk_list(const img *im, uint32_t first, uint32_t n, int strings)
{
    size_t sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += strings ? walk_str(im, img_list_at(im, first, i)) : img_list_at(im, first, i);
    return sum;
}

static size_t walk_param(const img *im, const img_param *p)
{
    size_t sum = walk_str(im, p->name) + walk_str(im, p->text);
    if (p->kind == IMG_PK_LIST || p->kind == IMG_PK_TABLES)
        sum += walk_list(im, p->list, p->nlist, p->kind == IMG_PK_LIST);
    if (p->file)
        sum += walk_str(im, im->files[p->file - 1].path);
    return sum;
}

static size_t image_walk(const img *im)
{
    size_t sum = 0;
    for (uint32_t i = 0; i < im->nparams; i++) {
        sum += walk_param(im, &im->params[i]);
        sum += img_param_find(im, img_str(im, im->params[i].name)) == &im->params[i];
    }
    for (uint32_t i = 0; i < im->nservices; i++) {
        const img_service *s = &im->services[i];
        sum += walk_str(im, s->name) + walk_str(im, s->type) + walk_str(im, s->command);
        sum += walk_list(im, s->args, s->nargs, 1);
        for (uint32_t k = 0; k < s->nparams; k++)
            sum += walk_param(im, &im->svc_params[s->params + k]);
        sum += img_service_param(im, s, "myhostname") != NULL;
    }
    for (uint32_t i = 0; i < im->ntables; i++) {
        const img_table *t = &im->tables[i];
        sum += walk_str(im, t->spec) + walk_str(im, t->type) + walk_str(im, t->value);
        if (t->kind == IMG_TK_HASH) {
            for (uint32_t k = 0; k < t->count; k++)
                sum += walk_str(im, im->hash_entries[t->first + k].key) +
                       walk_str(im, im->hash_entries[t->first + k].value);
            for (uint32_t k = 0; k < t->nslots; k++)
                sum += im->hash_slots[t->slots + k].index;
        } else if (t->kind == IMG_TK_CIDR) {
            for (uint32_t k = 0; k < t->count; k++)
                sum += walk_str(im, im->cidr_rules[t->first + k].result);
        } else if (t->kind == IMG_TK_REGEXP || t->kind == IMG_TK_PCRE) {
            for (uint32_t k = 0; k < t->count; k++) {
                const img_rx_rule *r = &im->rx_rules[t->first + k];
                sum += walk_str(im, r->pattern) + walk_str(im, r->result);
                sum += walk_list(im, r->lits, r->nlits, 1);
            }
        } else if (t->kind == IMG_TK_UNION || t->kind == IMG_TK_PIPE) {
            sum += walk_list(im, t->first, t->count, 0);
        }
        if (t->kind != IMG_TK_ENVIRON)
            sum += walk_table_map(im, i);
    }
    for (uint32_t i = 0; i < im->nprograms; i++) {
        const img_program *p = &im->programs[i];
        sum += walk_str(im, p->name);
        for (uint32_t k = 0; k < p->count; k++) {
            const img_insn *x = &im->insns[p->first + k];
            sum += strlen(img_op_name(x->op));
            switch (img_op_operands(x->op)) {
            case IMG_OPND_TABLE: sum += walk_str(im, im->tables[x->a].spec); break;
            case IMG_OPND_PROGRAM: sum += walk_str(im, im->programs[x->a].name); break;
            case IMG_OPND_DOMAIN:
            case IMG_OPND_SERVICE: sum += walk_str(im, x->a) + walk_str(im, x->b); break;
            case IMG_OPND_WORD: sum += walk_str(im, x->a); break;
            default: break;
            }
            if (x->file)
                sum += walk_str(im, im->files[x->file - 1].path);
        }
    }
    for (uint32_t i = 0; i < im->nclasses; i++) {
        const img_class *c = &im->classes[i];
        sum += walk_list(im, c->domains, c->ndomains, 1) + walk_list(im, c->tables, c->ntables, 0);
        sum += walk_list(im, c->recipients, c->nrecipients, 0);
        sum += walk_str(im, c->transport) + walk_str(im, c->nexthop);
    }
    return sum;
}

#endif
