/* registry_data.h: the generated tables behind registry.h (private to
 * registry.c and registry_data.c). */
#ifndef COMPILER_REGISTRY_DATA_H
#define COMPILER_REGISTRY_DATA_H
#include "compiler/registry.h"

extern const param_def registry_globals[];      /* sorted by name (strcmp) */
extern const size_t    registry_nglobals;
extern const param_def registry_services[];     /* sorted by suffix */
extern const size_t    registry_nservices;

#endif
