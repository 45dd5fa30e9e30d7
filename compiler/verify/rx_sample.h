/* rx_sample.h: a string a regular expression (POSIX ERE or PCRE, as
 * access tables write them) matches. */
#ifndef COMPILER_VERIFY_RX_SAMPLE_H
#define COMPILER_VERIFY_RX_SAMPLE_H
#include "stdlib/util/strbuf.h"

/* A short sample of pattern into out: 0, or -1 when the pattern uses
 * what the sampler does not follow (back-references, look-around). */
int rx_sample(const char *pattern, strbuf *out);

#endif
