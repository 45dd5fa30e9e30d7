/* test_rx_sample.c: the verifier's regex sampler (compiler/verify/
 * rx_sample.c). Every sample it writes must match its pattern, as PCRE2
 * (and POSIX regcomp for ERE patterns) decide; patterns it cannot follow
 * (back-references, look-around) must be refused, not guessed. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "compiler/verify/rx_sample.h"

#include <pcre2.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

static int failed;

static void check(int ok, const char *what, const char *pattern)
{
    printf("%s %s: /%s/\n", ok ? "PASS" : "FAIL", what, pattern);
    if (!ok)
        failed = 1;
}

static int pcre_matches(const char *pattern, const char *subject)
{
    int err;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS,
                                   &err, &off, NULL);
    if (!re)
        return -1;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc = pcre2_match(re, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, NULL);
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return rc >= 0;
}

static int ere_matches(const char *pattern, const char *subject)
{
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
        return -1;
    int rc = regexec(&re, subject, 0, NULL, 0) == 0;
    regfree(&re);
    return rc;
}

int main(void)
{
    static const char *const pcre[] = {
        "^[a-z.]+@example\\.com$", "^(mx|mail)[0-9]*\\.example\\.com$", "\\.example\\.org$",
        "^postmaster@", "@(example|partner)\\.(com|net)$", "^[^@]+@example\\.com$",
        "^.*@(?:a|b)\\.example$", "(?i)^BOSS@EXAMPLE\\.COM$", "^\\d{3,}-\\w+\\s?x$",
        "^[[:alpha:]]+[[:digit:]]{2}$", "^a{2}b+c*d?$", "^(a(b(c)))$", "^$", ".",
        "^[^a-x0-]+$", "^x\\b", "[\\d.]+@host",
    };
    strbuf s;
    sb_init(&s);
    for (size_t i = 0; i < sizeof pcre / sizeof *pcre; i++) {
        int r = rx_sample(pcre[i], &s);
        check(r == 0 && pcre_matches(pcre[i], sb_str(&s)) == 1, "pcre sample matches", pcre[i]);
    }
    static const char *const ere[] = {
        "^[a-z.]+@example\\.com$", "(^|\\.)example\\.com$", "^mail[0-9]+\\.example\\.net$",
        "^[[:alnum:]_-]+@", "^(a|b|c)+$",
    };
    for (size_t i = 0; i < sizeof ere / sizeof *ere; i++) {
        int r = rx_sample(ere[i], &s);
        check(r == 0 && ere_matches(ere[i], sb_str(&s)) == 1, "regexp sample matches", ere[i]);
    }
    static const char *const refused[] = {
        "^(\\w+)@\\1\\.example$", "^(?=.*x)y", "^(?<!a)b", "a)b", "(a", "^x{1000}$",
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        check(rx_sample(refused[i], &s) < 0, "refused", refused[i]);
    sb_free(&s);
    return failed;
}
