/* editdist.c: Damerau-Levenshtein (optimal string alignment) with a cutoff,
 * over three rolling rows; and the closest-candidate picker. */
#include "stdlib/util/editdist.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>
#include <string.h>

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

size_t editdist(const char *a, const char *b, size_t max)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t diff = la > lb ? la - lb : lb - la;
    if (diff > max)
        return max + 1;
    /* rows i-2, i-1, i of the (la+1) x (lb+1) table */
    size_t *r2 = xcalloc(lb + 1, sizeof *r2);
    size_t *r1 = xcalloc(lb + 1, sizeof *r1);
    size_t *r0 = xcalloc(lb + 1, sizeof *r0);
    for (size_t j = 0; j <= lb; j++)
        r1[j] = j;
    size_t result;
    for (size_t i = 1; i <= la; i++) {
        r0[0] = i;
        size_t rowmin = r0[0];
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t v = min3(r1[j] + 1, r0[j - 1] + 1, r1[j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
                && r2[j - 2] + 1 < v)
                v = r2[j - 2] + 1;
            r0[j] = v;
            if (v < rowmin)
                rowmin = v;
        }
        if (rowmin > max) {          /* every later row is at least this */
            result = max + 1;
            goto out;
        }
        size_t *t = r2;
        r2 = r1;
        r1 = r0;
        r0 = t;
    }
    result = r1[lb] > max ? max + 1 : r1[lb];
out:
    free(r0);
    free(r1);
    free(r2);
    return result;
}

size_t editdist_cutoff(const char *name)
{
    size_t c = strlen(name) / 3;
    if (c < 1)
        c = 1;
    if (c > 3)
        c = 3;
    return c;
}

const char *suggest_best(const char *name, const char *const *candidates, size_t n)
{
    size_t best = editdist_cutoff(name) + 1;
    const char *pick = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t d = editdist(name, candidates[i], best - 1);
        if (d < best) {
            best = d;
            pick = candidates[i];
            if (d == 0)
                break;
        }
    }
    return pick;
}
