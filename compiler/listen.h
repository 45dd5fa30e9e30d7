/* listen.h: where a master.cf inet service listens, from its name
 * ("smtp", "25", "127.0.0.1:smtp", "[::1]:2525") and inet_interfaces. */
#ifndef COMPILER_LISTEN_H
#define COMPILER_LISTEN_H

/* Is every address the service listens on a loopback address? The host
 * part of the name wins; without one, every inet_interfaces entry must
 * be loopback (loopback-only, localhost, 127.x.y.z, ::1). */
int listen_loopback_only(const char *service_name, const char *inet_interfaces);
/* Does the service listen on the SMTP port (smtp or 25)? */
int listen_smtp_port(const char *service_name);

#endif
