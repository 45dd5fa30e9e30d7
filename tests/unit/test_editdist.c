/* test_editdist.c: Damerau-Levenshtein distance with cutoff, and the
 * closest-candidate picker. */
#include "stdlib/util/editdist.h"

#include <stdio.h>
#include <string.h>

static int failed;

static void check(int ok, const char *name)
{
    printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    if (!ok)
        failed = 1;
}

int main(void)
{
    check(editdist("", "", 3) == 0, "empty");
    check(editdist("abc", "abc", 3) == 0, "equal");
    check(editdist("abc", "", 5) == 3, "delete_all");
    check(editdist("", "abcd", 5) == 4, "insert_all");
    check(editdist("kitten", "sitting", 5) == 3, "kitten_sitting");
    check(editdist("ab", "ba", 3) == 1, "transposition_is_one");
    check(editdist("abcdef", "abdcef", 3) == 1, "transposition_inside");
    check(editdist("ca", "abc", 5) == 3, "osa_not_unrestricted");
    check(editdist("abc", "xyz", 1) == 2, "cutoff_reports_max_plus_one");
    check(editdist("a", "abcdefgh", 2) == 3, "cutoff_by_length");
    check(editdist("Myhostname", "myhostname", 3) == 1, "case_sensitive");
    check(editdist_cutoff("ab") == 1 && editdist_cutoff("abcdefghi") == 3
          && editdist_cutoff("abcdefghijklmnopqrstuvwxyz") == 3, "cutoff_rule");

    const char *c[] = { "relayhost", "relay_domains", "relay_transport", "mydomain" };
    const char *b = suggest_best("relay_domain", c, 4);
    check(b && strcmp(b, "relay_domains") == 0, "suggest_closest");
    b = suggest_best("relayhsot", c, 4);
    check(b && strcmp(b, "relayhost") == 0, "suggest_swap");
    check(suggest_best("zzzzzzzz", c, 4) == NULL, "suggest_none");
    check(suggest_best("x", c, 0) == NULL, "suggest_no_candidates");
    const char *t[] = { "abd", "abe" };
    b = suggest_best("abc", t, 2);
    check(b && strcmp(b, "abd") == 0, "suggest_tie_first");
    return failed;
}
