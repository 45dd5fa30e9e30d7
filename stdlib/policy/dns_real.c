/* dns_real.c: the resolver mtad uses at runtime (dns.h): glibc's stub
 * resolver on a res_state of its own (res_ninit: the name servers and
 * options of /etc/resolv.conf, or one server given as IP[:PORT]); each
 * query built with res_nmkquery, sent with res_nsend (UDP, then TCP when
 * the answer comes truncated) and read with ns_initparse/ns_parserr.
 *
 * The answers mean what the fixture resolver's mean (dns_fixture.c; the
 * differential test tests/unit/test_dns_real.c compares the two through
 * tests/tools/fake-dns.py): NXDOMAIN and NODATA as the server says them;
 * TEMPFAIL for every failure (SERVFAIL, REFUSED, no answer from any
 * server within TIMEOUT_S, TRIES times, a malformed answer); the records
 * of the asked type with CNAMEs followed: the chain the answer holds and,
 * when it ends at a CNAME without records (a server that does not chase
 * them), a new query for the target, at most MAX_CNAMES CNAMEs in all.
 * Records are read as Postfix 3.7's dns_get_rr reads them: the records
 * of the type in the answer section whatever their owner, addresses as
 * inet_ntop writes them, host names lowercase without the trailing dot,
 * a TXT record's first character-string (pol_dns_txt). */
#include "stdlib/policy/dns.h"
#include "stdlib/util/alloc.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_S   2        /* at most, per try and server */
#define TRIES       2        /* at most */
#define MAX_CNAMES  8        /* as many as the fixture resolver follows */
#define ANSWER_MAX  65536    /* the largest DNS message */

typedef struct real {
    pol_dns            base;
    struct __res_state rs;
    unsigned char     *answer;   /* ANSWER_MAX bytes */
} real;

/* ---- the server ------------------------------------------------------------- */

/* Split "IP", "IP:PORT", "[IP]" or "[IP]:PORT" into the host's text and
 * the port's (NULL: none); -1 if the brackets are wrong or the host long. */
static int split_server(const char *s, char host[INET6_ADDRSTRLEN + 1], const char **port)
{
    const char *h = s, *end, *colon = strchr(s, ':');
    *port = NULL;
    if (*s == '[') {
        h = s + 1;
        if (!(end = strchr(h, ']')) || (end[1] && end[1] != ':'))
            return -1;
        *port = end[1] ? end + 2 : NULL;
    } else if (colon && colon == strrchr(s, ':')) {   /* one colon: IPv4:PORT */
        end = colon;
        *port = colon + 1;
    } else {
        end = s + strlen(s);
    }
    size_t n = (size_t)(end - h);
    if (n == 0 || n > INET6_ADDRSTRLEN)
        return -1;
    memcpy(host, h, n);
    host[n] = 0;
    return 0;
}

/* A port number (1..65535) as text; 0 if it is none. */
static unsigned port_number(const char *p)
{
    size_t n = strlen(p);
    if (n == 0 || n > 5 || strspn(p, "0123456789") != n)
        return 0;
    unsigned long v = strtoul(p, NULL, 10);
    return v < 65536 ? (unsigned)v : 0;
}

/* The server as a socket address (port 53 unless it says another). */
static int parse_server(const char *s, struct sockaddr_storage *ss, strbuf *err)
{
    char host[INET6_ADDRSTRLEN + 1];
    const char *port;
    unsigned p = 53;
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    memset(ss, 0, sizeof *ss);
    int ok = split_server(s, host, &port) == 0 && (!port || (p = port_number(port)) > 0);
    if (ok && inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)p);
    } else if (ok && inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)p);
    } else {
        sb_addf(err, "DNS server \"%s\": expected IP, IP:PORT or [IPv6]:PORT", s);
        return -1;
    }
    return 0;
}

/* Ask only the server at ss: the state's one name server. An IPv6 one
 * lives in the extension where glibc's res_send looks for it (and
 * res_nclose frees it); so do those res_ninit read, freed here. */
static void use_server(res_state rs, const struct sockaddr_storage *ss)
{
    for (int i = 0; i < MAXNS; i++) {
        free(rs->_u._ext.nsaddrs[i]);
        rs->_u._ext.nsaddrs[i] = NULL;
    }
    rs->nscount = 1;
    rs->_u._ext.nscount = 0;     /* res_send takes the list anew */
    memset(&rs->nsaddr_list[0], 0, sizeof rs->nsaddr_list[0]);
    if (ss->ss_family == AF_INET) {
        memcpy(&rs->nsaddr_list[0], ss, sizeof(struct sockaddr_in));
    } else {
        rs->_u._ext.nsaddrs[0] = xmalloc(sizeof(struct sockaddr_in6));
        memcpy(rs->_u._ext.nsaddrs[0], ss, sizeof(struct sockaddr_in6));
    }
}

/* ---- one query -------------------------------------------------------------- */

/* Ask the servers. POL_DNS_FOUND here: *msg holds a NOERROR answer. A
 * name that no query can carry (a label over 63 bytes...) exists nowhere. */
static pol_dns_status ask(real *r, const char *name, int type, ns_msg *msg)
{
    unsigned char q[NS_PACKETSZ];
    int ql = res_nmkquery(&r->rs, ns_o_query, name, ns_c_in, type, NULL, 0, NULL, q, sizeof q);
    if (ql < 0)
        return POL_DNS_NXDOMAIN;
    int len = res_nsend(&r->rs, q, ql, r->answer, ANSWER_MAX);
    if (len < 0 || len > ANSWER_MAX || ns_initparse(r->answer, len, msg) < 0 ||
        ns_msg_getflag(*msg, ns_f_tc))
        return POL_DNS_TEMPFAIL;
    switch (ns_msg_getflag(*msg, ns_f_rcode)) {
    case ns_r_noerror: return POL_DNS_FOUND;
    case ns_r_nxdomain: return POL_DNS_NXDOMAIN;
    default: return POL_DNS_TEMPFAIL;
    }
}

/* A host name in a record's data, as the resolvers give it. */
static char *host_name(const ns_msg *msg, const unsigned char *at)
{
    char buf[NS_MAXDNAME];
    if (dn_expand(ns_msg_base(*msg), ns_msg_end(*msg), at, buf, sizeof buf) < 0)
        return NULL;
    return pol_dns_name(buf, strlen(buf));
}

/* The data of record x (of a type dns.h knows) into *out; -1 if it is
 * malformed. */
static int read_rr(const ns_msg *msg, const ns_rr *x, pol_dns_rr *out)
{
    const unsigned char *d = ns_rr_rdata(*x);
    size_t len = ns_rr_rdlen(*x);
    int type = ns_rr_type(*x);
    char addr[INET6_ADDRSTRLEN];
    out->type = type;
    out->pref = 0;
    out->data = NULL;
    switch (type) {
    case POL_DNS_A:
    case POL_DNS_AAAA: {
        int af = type == POL_DNS_A ? AF_INET : AF_INET6;
        if (len == (af == AF_INET ? 4u : 16u) && inet_ntop(af, d, addr, sizeof addr))
            out->data = xstrdup(addr);
        break;
    }
    case POL_DNS_MX:
        if (len >= 3) {
            out->pref = ns_get16(d);
            out->data = host_name(msg, d + 2);
        }
        break;
    case POL_DNS_NS:
    case POL_DNS_CNAME:
    case POL_DNS_PTR:
        out->data = host_name(msg, d);
        break;
    case POL_DNS_TXT:
        if (len >= 1)
            out->data = pol_dns_txt(d + 1, d[0] < len ? d[0] : len - 1);
        break;
    }
    return out->data ? 0 : -1;
}

/* The records of type in the answer section appended to *rr, the target
 * of its last CNAME in *cname (else NULL), the CNAMEs counted in *ncname.
 * -1 if the answer is malformed. */
static int read_answer(ns_msg *msg, int type, pol_dns_rr **rr, size_t *n, size_t *cap,
                       char **cname, unsigned *ncname)
{
    *cname = NULL;
    for (int i = 0; i < ns_msg_count(*msg, ns_s_an); i++) {
        ns_rr x;
        if (ns_parserr(msg, ns_s_an, i, &x) < 0 || ns_rr_class(x) != ns_c_in)
            return -1;
        int t = ns_rr_type(x);
        if (t != type && t != ns_t_cname)
            continue;
        pol_dns_rr one;
        if (read_rr(msg, &x, &one) < 0)
            return -1;
        if (t == type) {
            xgrow(rr, cap, *n + 1, sizeof **rr);
            (*rr)[(*n)++] = one;
        } else {
            free(*cname);
            *cname = one.data;
            (*ncname)++;
        }
    }
    return 0;
}

static pol_dns_status real_query(pol_dns *d, const char *qname, int type, pol_dns_rr **rr,
                                 size_t *n)
{
    real *r = (real *)d;
    *rr = NULL;
    *n = 0;
    size_t cap = 0;
    unsigned ncname = 0;
    char *name = pol_dns_name(qname, strlen(qname));
    pol_dns_status st;
    for (;;) {
        ns_msg msg;
        char *cname = NULL;
        st = ask(r, name, type, &msg);
        if (st == POL_DNS_FOUND && read_answer(&msg, type, rr, n, &cap, &cname, &ncname) < 0)
            st = POL_DNS_TEMPFAIL;
        free(name);
        name = cname;
        if (st != POL_DNS_FOUND)
            break;
        /* records past MAX_CNAMES CNAMEs do not count */
        if (ncname > MAX_CNAMES || (*n == 0 && (!name || type == POL_DNS_CNAME)))
            st = POL_DNS_NODATA;
        if (*n > 0 || st == POL_DNS_NODATA)
            break;
    }
    free(name);
    if (st != POL_DNS_FOUND) {
        pol_dns_rr_free(*rr, *n);
        *rr = NULL;
        *n = 0;
    }
    return st;
}

/* ---- the resolver ----------------------------------------------------------- */

static void real_free(pol_dns *d)
{
    real *r = (real *)d;
    res_nclose(&r->rs);
    free(r->answer);
    free(r);
}

pol_dns *pol_dns_real_new(const char *server, strbuf *err)
{
    struct sockaddr_storage ss;
    if (server && parse_server(server, &ss, err) < 0)
        return NULL;
    real *r = xcalloc(1, sizeof *r);
    if (res_ninit(&r->rs) < 0) {
        sb_adds(err, "cannot set up the resolver (/etc/resolv.conf)");
        free(r);
        return NULL;
    }
    if (r->rs.retrans <= 0 || r->rs.retrans > TIMEOUT_S)
        r->rs.retrans = TIMEOUT_S;
    if (r->rs.retry <= 0 || r->rs.retry > TRIES)
        r->rs.retry = TRIES;
    if (server)
        use_server(&r->rs, &ss);
    r->answer = xmalloc(ANSWER_MAX);
    r->base.query = real_query;
    r->base.free = real_free;
    return &r->base;
}
