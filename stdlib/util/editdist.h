/* editdist.h: "did you mean" support: Damerau-Levenshtein distance (optimal
 * string alignment: insert, delete, substitute, swap two neighbours) with a
 * cutoff, and a picker for the closest candidate. */
#ifndef UTIL_EDITDIST_H
#define UTIL_EDITDIST_H
#include <stddef.h>

/* Distance between a and b, or max+1 when it is larger than max (the
 * computation stops early then). Case-sensitive. */
size_t editdist(const char *a, const char *b, size_t max);

/* The candidate closest to name within the cutoff editdist_cutoff(name),
 * or NULL. Ties go to the earliest candidate; an exact match is returned. */
const char *suggest_best(const char *name, const char *const *candidates, size_t n);

/* The largest distance worth suggesting for a name: about a third of its
 * length, at least 1, at most 3. */
size_t editdist_cutoff(const char *name);

#endif
