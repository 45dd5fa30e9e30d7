/* cmd_build.c: `mtacc build`: check the configuration, emit the image,
 * and write it atomically only when nothing stops it. Exit 0 written,
 * 1 diagnostics stopped it (nothing written), 2 usage or I/O problems. */
#include "compiler/check_cli.h"
#include "compiler/cmd.h"
#include "compiler/image/emit.h"
#include "stdlib/util/alloc.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>

static const char build_usage[] =
    "usage: mtacc build [-c DIR] -o FILE [--main FILE] [--master FILE]\n"
    "                   [--format text|json|sarif] [--Werror] [--allow ID]...\n"
    "                   [--attacker ADDR] [--target-version VERSION]\n"
    "  -c DIR          configuration directory (default: .)\n"
    "  -o FILE         write the policy image to FILE (atomically)\n"
    "  --main FILE     use FILE in place of DIR/main.cf\n"
    "  --master FILE   use FILE in place of DIR/master.cf\n"
    "  --format FMT    diagnostics as text (default), json or sarif\n"
    "  --Werror        refuse to build on warnings too\n"
    "  --allow ID      do not report diagnostic ID (repeatable)\n"
    "  --attacker ADDR the relay checks play the untrusted client from ADDR\n"
    "  --target-version VERSION\n"
    "                  compat-level reports what upgrading to this Postfix\n"
    "                  release changes (default: 3.7)\n";

int cmd_build(int argc, char **argv)
{
    check_cli o;
    int r = check_cli_parse(&o, argc, argv, "build", build_usage, 1);
    if (r >= 0)
        return r;
    o.co.for_image = 1;
    config c;
    check_cli_load(&o, &c);
    imgw *w = NULL;
    diags_finish(&c.d);   /* suppressions apply before deciding */
    if (diags_count(&c.d, SEV_ERROR) == 0 && !(o.werror && diags_count(&c.d, SEV_WARNING))) {
        char *copy = xstrdup(o.output);
        w = emit_image(&c, dirname(copy));
        free(copy);
    }
    int stop = check_cli_report(&o, &c, stdout);
    int status = stop;
    if (!stop && w) {
        strbuf err;
        sb_init(&err);
        uint64_t size = 0;
        if (imgw_write(w, o.output, &err, &size) < 0) {
            fprintf(stderr, "mtacc build: %s\n", sb_str(&err));
            status = 2;
        } else if (o.fmt == FMT_TEXT) {
            printf("mtacc build: wrote %s (%llu bytes)\n", o.output, (unsigned long long)size);
        }
        sb_free(&err);
    } else if (o.fmt == FMT_TEXT) {
        printf("mtacc build: %s not written\n", o.output);
    }
    imgw_free(w);
    config_free(&c);
    if (fflush(stdout) != 0)
        return 2;
    return status;
}
