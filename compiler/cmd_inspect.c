/* cmd_inspect.c: `mtacc inspect FILE`: whether a policy image validates,
 * and its header, versions, digests, section sizes and counts. Exit 0
 * for a valid image, 1 for one the loader refuses, 2 for usage errors. */
#include "compiler/cmd.h"
#include "stdlib/image/image.h"
#include "stdlib/util/sha256.h"

#include <stdio.h>
#include <string.h>

static const char inspect_usage[] =
    "usage: mtacc inspect FILE\n"
    "  Validate the policy image FILE as mtad would, and print its header,\n"
    "  versions, digests, section sizes and counts.\n";

static void print_counts(const img *im)
{
    uint32_t set = 0, overrides = 0, svc_with = 0, entries = 0, rules = 0;
    for (uint32_t i = 0; i < im->nparams; i++)
        set += (im->params[i].flags & IMG_PF_SET) != 0;
    for (uint32_t i = 0; i < im->nservices; i++)
        svc_with += im->services[i].nparams > 0;
    for (uint32_t i = 0; i < im->nsvc_params; i++)
        overrides += (im->svc_params[i].flags & IMG_PF_OVERRIDE) != 0;
    for (uint32_t i = 0; i < im->ntables; i++) {
        const img_table *t = &im->tables[i];
        if (t->kind == IMG_TK_HASH)
            entries += t->count;
        else if (t->kind == IMG_TK_CIDR || t->kind == IMG_TK_REGEXP || t->kind == IMG_TK_PCRE)
            rules += t->count;
    }
    printf("counts:\n");
    printf("  parameters    %u (%u set in main.cf)\n", im->nparams, set);
    printf("  services      %u (%u with -o overrides: %u overrides, %u values changed)\n",
           im->nservices, svc_with, overrides, im->nsvc_params);
    printf("  tables        %u (%u exact-match entries, %u pattern and cidr rules)\n",
           im->ntables, entries, rules);
    printf("  programs      %u (%u instructions)\n", im->nprograms, im->ninsns);
    printf("  classes       %u\n", im->nclasses);
    printf("  source files  %u\n", im->nfiles);
    for (uint32_t i = 0; i < im->nfiles; i++) {
        char hex[65];
        sha256_hex(im->files[i].sha256, hex);
        printf("    %-40s %10u bytes  sha256 %.16s\n", img_str(im, im->files[i].path),
               im->files[i].size, hex);
    }
}

int cmd_inspect(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(inspect_usage, stdout);
        return 0;
    }
    if (argc != 2) {
        fputs(inspect_usage, stderr);
        return 2;
    }
    img im;
    strbuf err;
    sb_init(&err);
    if (img_open(&im, argv[1], &err) < 0) {
        printf("image:    %s\nvalid:    no: %s\n", argv[1], sb_str(&err));
        sb_free(&err);
        return 1;
    }
    sb_free(&err);
    char payload[65], source[65];
    img_digest_hex(&im, 0, payload);
    img_digest_hex(&im, 1, source);
    printf("image:    %s\n", argv[1]);
    printf("valid:    yes (magic, version, sentinel, sizes, digest, every offset and index)\n");
    printf("format:   version %u, little-endian, header %u bytes, %zu bytes in all\n",
           im.hdr->version, im.hdr->header_size, im.size);
    printf("compiler: %s\n", im.hdr->compiler);
    printf("pcre2:    %s\n", im.hdr->pcre2);
    printf("payload:  sha256 %s\n", payload);
    printf("sources:  sha256 %s\n", source);
    printf("sections:\n  %-13s %10s %10s %9s\n", "name", "offset", "bytes", "records");
    for (uint32_t i = 0; i < im.hdr->nsections; i++)
        printf("  %-13s %10llu %10llu %9u\n", img_sec_name(im.dir[i].id),
               (unsigned long long)im.dir[i].offset, (unsigned long long)im.dir[i].size,
               im.dir[i].count);
    print_counts(&im);
    img_close(&im);
    return fflush(stdout) ? 2 : 0;
}
