/* listen.c: listening addresses of master.cf services (see listen.h). */
#include "compiler/listen.h"

#include <stdio.h>
#include <string.h>

static int loopback_word(const char *w, size_t l)
{
    return (l > 4 && strncmp(w, "127.", 4) == 0) || (l == 3 && strncmp(w, "::1", 3) == 0) ||
           (l == 5 && strncmp(w, "[::1]", 5) == 0) || (l == 9 && strncmp(w, "localhost", 9) == 0);
}

int listen_loopback_only(const char *service_name, const char *inet_interfaces)
{
    const char *colon = strrchr(service_name, ':');
    if (colon && colon > service_name)
        return loopback_word(service_name, (size_t)(colon - service_name));
    if (strcmp(inet_interfaces, "loopback-only") == 0)
        return 1;
    int any = 0;
    for (const char *w = inet_interfaces; *w;) {
        w += strspn(w, ", \t");
        size_t l = strcspn(w, ", \t");
        if (!l)
            break;
        if (!loopback_word(w, l))
            return 0;
        any = 1;
        w += l;
    }
    return any;
}

int listen_smtp_port(const char *service_name)
{
    const char *colon = strrchr(service_name, ':');
    const char *port = colon ? colon + 1 : service_name;
    return strcmp(port, "smtp") == 0 || strcmp(port, "25") == 0;
}
