/* fuzz_content.c: libFuzzer target for stdlib/content: arbitrary bytes
 * as message lines (split at \n; lines over 64 bytes in pieces with
 * more = 1, as smtpd splits at line_length_limit) through cnt_* under a
 * small configuration with every class of checks, MIME processing, small
 * limits and missing headers. The first byte picks the client kind and
 * where the client's data starts. The output must come in whole lines
 * and the result must be consistent. */
#include "compiler/sim.h"
#include "stdlib/content/content.h"
#include "stdlib/util/alloc.h"
#include "tests/unit/test_files.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pol_image pi;
static img im;
static const img_service *svc;


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char dir[] = "/tmp/fuzz_content.XXXXXX";
    if (!mkdtemp(dir))
        fatal("mkdtemp");
    test_write_file(dir, "main.cf",
               "compatibility_level = 3.6\nmyhostname = mx.example.com\n"
               "mydestination = $myhostname\nmynetworks = 127.0.0.1\nalias_maps =\n"
               "alias_database =\nheader_checks = pcre:hc\nmime_header_checks = regexp:mhc\n"
               "nested_header_checks = pcre:nhc\nbody_checks = pcre:bc\n"
               "header_size_limit = 200\nhopcount_limit = 5\nbody_checks_size_limit = 300\n"
               "mime_nesting_limit = 4\nmime_boundary_length_limit = 20\n"
               "message_strip_characters = \\177\nmessage_reject_characters = \\001\n"
               "undisclosed_recipients_header = To: undisclosed-recipients:;\n");
    test_write_file(dir, "master.cf", "smtp inet n - n - - smtpd\n");
    test_write_file(dir, "hc", "/^Subject: r/ REJECT\n/^Subject: h/ HOLD x\n/^Subject: d/ DISCARD\n"
                          "/^X-R: (.*)/ REPLACE X-S: $1\n/^X-P:/ PREPEND X-Q: 1\n"
                          "/^X-I:/ IGNORE\n/^X-F:/ FILTER smtp:x\n/^X-D:/ REDIRECT a@b\n"
                          "/^X-B:/ BCC c@d\n/^X-T:/ STRIP\n/^X-W:/ WARN\n/^X-A:/ PASS\n");
    test_write_file(dir, "mhc", "/^Content-Type: a/ REJECT 4.1.1 mime\n/^Content-T/ PREPEND X-M: 1\n");
    test_write_file(dir, "nhc", "/^Subject:/ PREPEND X-N: 1\n/^X-Z:/ REJECT nested\n");
    test_write_file(dir, "bc", "/^r/ REJECT\n/^p/ PREPEND [p]\n/^e (.*)/ REPLACE $1\n/^i/ IGNORE\n"
                          "/^--/ WARN boundary\n");
    if (sim_image_from_dir(dir, "fuzz", &im) < 0)
        abort();
    pol_image_init(&pi, &im);
    svc = sim_find_service(&im, "smtp");
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        abort();
    return 0;
}

static void out(void *arg, const char *line, size_t len, int more)
{
    size_t *n = arg;
    if (memchr(line, '\n', len))
        __builtin_trap();   /* output lines never hold an end-of-line */
    *n += len + !more;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const rcpts[] = { "r@example.net", "s@example.net" };
    if (size == 0)
        return 0;
    unsigned flags = data[0];
    const char *p = (const char *)data + 1, *e = (const char *)data + size;
    cnt_info info = {
        .queue_id = "QID", .sender = flags & 2 ? "" : "s@example.org", .rcpts = rcpts,
        .nrcpts = 1 + (flags >> 2 & 1), .client_name = "c.example", .client_addr = "192.0.2.1",
        .local_client = flags & 1, .arrival = 1700000000,
    };
    size_t bytes = 0;
    cnt_ctx *c = cnt_new(&pi, svc, &info, out, &bytes);
    if (flags & 8)
        cnt_begin_client(c);
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(e - p);
        while (len > 64) {
            cnt_line(c, p, 64, 1);
            p += 64;
            len -= 64;
        }
        cnt_line(c, p, len, 0);
        p += len + (nl != NULL);
    }
    cnt_end(c);
    const cnt_result *r = cnt_result_of(c);
    if ((r->verdict == POL_NONE) != (r->code == 0))
        __builtin_trap();
    if (r->verdict != POL_NONE && r->code / 100 != 4 && r->code / 100 != 5)
        __builtin_trap();
    cnt_free(c);
    return 0;
}
