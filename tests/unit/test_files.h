/* test_files.h: what unit tests and fuzz targets that build an image from
 * a configuration written on the spot share: writing a file into the
 * configuration directory, and the PASS/FAIL line of one check. */
#ifndef TESTS_UNIT_TEST_FILES_H
#define TESTS_UNIT_TEST_FILES_H
#include "stdlib/util/alloc.h"

#include <stdio.h>

/* Write text to dir/name, or exit. */
static inline void test_write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0)
        fatal("cannot write %s", path);
}

/* "PASS name" or "FAIL name"; *failed set on a failure. */
static inline void test_check(int *failed, int ok, const char *name)
{
    printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    if (!ok)
        *failed = 1;
}

#endif
