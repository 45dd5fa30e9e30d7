/* version.h: the version of mtacc and of the image format it writes. */
#ifndef COMPILER_VERSION_H
#define COMPILER_VERSION_H
#define MTACC_VERSION "0.1.0"
#define POSTFIX_REFERENCE_VERSION "3.7.11"
#endif
