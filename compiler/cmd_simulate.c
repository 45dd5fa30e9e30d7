/* cmd_simulate.c: `mtacc simulate`: one SMTP session run through the
 * policy engine (stdlib/policy, the code mtad's smtpd runs), from a
 * configuration directory (compiled in memory) or an image: the reply at
 * each stage and, per recipient (and for DATA, the end of the message and
 * ETRN when asked), the reply with the restriction and the file:line that
 * decided, and a trace. */
#include "compiler/cmd.h"
#include "compiler/sim.h"
#include "compiler/sim_message.h"
#include "stdlib/policy/policy.h"
#include "stdlib/policy/policy_client.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/json.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char simulate_usage[] =
    "usage: mtacc simulate (-c DIR | -i IMAGE) [--service NAME] --client IP\n"
    "                      [--client-name NAME] [--helo NAME] [--sender ADDR]\n"
    "                      --rcpt ADDR [--rcpt ADDR]... [--data]\n"
    "                      [--message FILE [--show-message] [--time SECONDS]]\n"
    "                      [--etrn DOMAIN | --etrn-now DOMAIN]\n"
    "                      [--sasl-user USER]\n"
    "                      [--tls-cert-fingerprint FP]\n"
    "                      [--dns FILE... | --dns-server IP[:PORT]]\n"
    "                      [--policy ENDPOINT=ACTION]... [--policy-live]\n"
    "                      [--verify ADDR=STATUS]...\n"
    "                      [--format text|json]\n"
    "  -c DIR          compile the configuration in DIR (nothing is written)\n"
    "  -i IMAGE        use a policy image built by mtacc build\n"
    "  --service NAME  the master.cf smtpd service (default: smtp, else the first inet smtpd)\n"
    "  --client IP     the client address\n"
    "  --client-name N its verified host name (default: from --dns PTR and A records,\n"
    "                  else \"unknown\")\n"
    "  --helo NAME     the EHLO name (none: the client sends no HELO/EHLO)\n"
    "  --sender ADDR   MAIL FROM address (\"<>\" or \"\" for the null sender)\n"
    "  --rcpt ADDR     a RCPT TO address (repeatable)\n"
    "  --data          then DATA and, if that gets 354, the end of a message\n"
    "  --message FILE  then DATA with the message in FILE (LF or CRLF lines), run\n"
    "                  through cleanup's content processing (header_checks,\n"
    "                  body_checks, MIME, limits, missing headers) after smtpd's\n"
    "                  Received: header; the end-of-data reply is cleanup's\n"
    "  --show-message  also print the message as it would be queued\n"
    "  --time SECONDS  the arrival time (seconds since 1970) for Received:, Date:\n"
    "                  and Message-Id: (default: now; the zone is the local one)\n"
    "  --etrn DOMAIN   then (after RSET or the message) ETRN DOMAIN\n"
    "  --etrn-now D    then ETRN D without RSET (in the transaction, if one is open)\n"
    "  --sasl-user U   the client authenticated as U\n"
    "  --tls-cert-fingerprint FP  the client presented a verified certificate\n"
    "  --dns FILE      answer DNS queries from this zone file (repeatable; later\n"
    "                  files replace the names they list); default: no name exists\n"
    "  --dns-server S  ask the DNS server S (IP, IP:PORT or [IPv6]:PORT) instead,\n"
    "                  as mtad would ask its resolver\n"
    "  --policy E=A    the policy server at endpoint E (as check_policy_service names\n"
    "                  it) answers action A; servers without an answer are unreachable\n"
    "  --policy-live   ask the policy servers without an --policy answer over the\n"
    "                  network, as mtad does (unix:NAME relative to queue_directory)\n"
    "  --verify A=S    address verification knows A: ok, bounce[:reason] or defer;\n"
    "                  other addresses are being probed (not verified yet)\n"
    "  --format FMT    text (default) or json\n";

typedef struct sim_opts {
    const char *dir, *image, *service, *client, *client_name, *helo, *sender, *sasl, *ccert;
    const char **rcpt;
    size_t      nrcpt;
    const char **dns;
    size_t      ndns;
    const char *dns_server;   /* the real resolver, asking this server */
    const char **policy;      /* "endpoint=action" */
    size_t      npolicy;
    int         policy_live;  /* ask the other policy servers for real */
    const char **verify;      /* "address=status" */
    size_t      nverify;
    int         json;
    int         data;         /* send DATA and a message after the recipients */
    const char *message;      /* the message's file (implies data) */
    int         show_message;
    long long   time;         /* arrival time, -1: now */
    const char *etrn;         /* then ETRN this domain */
    int         etrn_now;     /* without RSET before it */
} sim_opts;

static void put_reply_json(const char *name, const pol_reply *r)
{
    printf("\"%s\": {\"code\": %d, \"text\": ", name, r->code);
    json_put_str(stdout, sb_str((strbuf *)&r->text));
    printf("}");
}

static void decided_by(const img *im, const pol_reply *r, char *restriction, size_t rn,
                       const char **file, unsigned *line)
{
    const img_insn *x = sim_decided_insn(im, r);
    *file = x && x->file ? img_str(im, im->files[x->file - 1].path) : NULL;
    *line = x && x->file ? x->line : 0;
    snprintf(restriction, rn, "%s", x ? img_op_name(x->op) : "");
}

/* One decided reply: JSON fields code, text, decided_by and trace (after
 * the caller's opening), or text lines "LABEL: code text", the deciding
 * restriction with its file:line, and the trace. */
static void put_decision(const sim_opts *o, const img *im, const char *label, const pol_reply *r)
{
    char restriction[128];
    const char *file;
    unsigned line;
    decided_by(im, r, restriction, sizeof restriction, &file, &line);
    const char *text = sb_str((strbuf *)&r->text), *trace = sb_str((strbuf *)&r->trace);
    if (o->json) {
        printf("\"code\": %d, \"text\": ", r->code);
        json_put_str(stdout, text);
        printf(", \"decided_by\": ");
        if (*restriction) {
            printf("{\"file\": ");
            if (file)
                json_put_str(stdout, file);
            else
                printf("null");
            printf(", \"line\": %u, \"restriction\": ", line);
            json_put_str(stdout, restriction);
            printf("}");
        } else {
            printf("null");
        }
        printf(", \"trace\": ");
        json_put_str(stdout, trace);
        printf("}");
        return;
    }
    printf("%s: %d %s\n", label, r->code, text);
    if (*restriction && file)
        printf("  decided by %s at %s:%u\n", restriction, file, line);
    else if (*restriction)
        printf("  decided by %s (a default setting)\n", restriction);
    while (*trace) {
        size_t l = strcspn(trace, "\n");
        printf("  | %.*s\n", (int)l, trace);
        trace += l + (trace[l] == '\n');
    }
}

/* DATA, the message's end and ETRN as the options ask, after the
 * recipients (rcpts: those accepted). 0, or -1 when the message cannot
 * be read. */
static int later_stages(const sim_opts *o, const img *im, pol_session *s, pol_reply *r,
                        const char *const *rcpts, size_t nrcpts)
{
    sim_message msg = { .path = o->message, .show = o->show_message };
    int ran = 0;
    if (o->data) {
        pol_reply_clear(r);
        sb_clear(&r->trace);
        pol_data(s, r);
        if (o->json)
            printf(", \"data\": {");
        put_decision(o, im, "DATA", r);
        if (r->code == 354) {
            pol_reply_clear(r);
            sb_clear(&r->trace);
            pol_end_of_data(s, r);
            if (r->code == 250 && o->message) {
                if (sim_message_run(&msg, s, rcpts, nrcpts,
                                    o->time >= 0 ? (time_t)o->time : time(NULL),
                                    "QUEUEID") < 0)
                    return -1;
                ran = 1;
                sim_message_reply(&msg, r);
            }
            if (r->code == 250)
                sb_adds(&r->text, ": queued as QUEUEID");   /* mtad names the queue file */
            if (o->json)
                printf(", \"end_of_data\": {");
            put_decision(o, im, "END-OF-DATA", r);
            if (ran) {
                sim_message_print(&msg, im, o->json);
                sim_message_free(&msg);
            }
        } else if (o->json) {
            printf(", \"end_of_data\": null");
        }
    }
    if (o->etrn) {
        if (!o->etrn_now)
            pol_rset(s);   /* ETRN comes after the transaction (RSET or the end of DATA) */
        pol_reply_clear(r);
        sb_clear(&r->trace);
        pol_etrn(s, o->etrn, r);
        char label[300];
        snprintf(label, sizeof label, "ETRN %s", o->etrn);
        if (o->json) {
            printf(", \"etrn\": {\"domain\": ");
            json_put_str(stdout, o->etrn);
            printf(", ");
        }
        put_decision(o, im, label, r);
    }
    return 0;
}

static int run(const sim_opts *o, const img *im, pol_dns *dns)
{
    const img_service *svc = sim_find_service(im, o->service);
    if (o->service && !svc) {
        fprintf(stderr, "mtacc simulate: no service \"%s\" in master.cf\n", o->service);
        return 2;
    }
    pol_image pi;
    pol_image_init(&pi, im);
    sim_client c = {
        .addr = o->client, .name = o->client_name, .sasl_user = o->sasl,
        .ccert_fingerprint = o->ccert, .policy = o->policy, .npolicy = o->npolicy,
        .verify = o->verify, .nverify = o->nverify,
    };
    pol_session s;
    sim_session_start(&s, &pi, svc, dns, &c);
    if (o->policy_live)
        c.live = pol_policy_clients_new(pol_param_str(&s, "queue_directory"));
    char instance[64];   /* the transaction's name for policy servers */
    pol_policy_instance(instance, sizeof instance, 0);
    pol_reply banner, helo, mail, rc;
    pol_reply_init(&banner);
    pol_reply_init(&helo);
    pol_reply_init(&mail);
    pol_reply_init(&rc);
    pol_connect(&s, &banner);
    if (o->helo) {
        s.helo = o->helo;
        s.esmtp = 1;
        pol_helo(&s, &helo);
    }
    /* no MAIL FROM when only ETRN is asked */
    int send_mail = o->sender || o->nrcpt || o->data;
    const char *sender = o->sender ? o->sender : "";
    if (strcmp(sender, "<>") == 0)
        sender = "";
    if (send_mail) {
        s.sender = sender;
        pol_mail(&s, &mail);
    }
    if (o->json) {
        printf("{");
        put_reply_json("banner", &banner);
        printf(", ");
        if (o->helo)
            put_reply_json("helo", &helo);
        else
            printf("\"helo\": null");
        printf(", ");
        if (send_mail)
            put_reply_json("mail", &mail);
        else
            printf("\"mail\": null");
        printf(", \"rcpt\": [");
    } else {
        printf("CONNECT from %s[%s]: %d %s\n", s.client_name, s.client_addr, banner.code,
               sb_str(&banner.text));
        if (o->helo)
            printf("EHLO %s: %d %s\n", o->helo, helo.code, sb_str(&helo.text));
        if (send_mail)
            printf("MAIL FROM:<%s>: %d %s\n", sender, mail.code, sb_str(&mail.text));
    }
    const char **accepted = xcalloc(o->nrcpt + 1, sizeof *accepted);
    size_t naccepted = 0;
    for (size_t i = 0; i < o->nrcpt; i++) {
        pol_reply_clear(&rc);
        sb_clear(&rc.trace);
        s.instance = instance;
        pol_rcpt(&s, o->rcpt[i], &rc);
        if (rc.code / 100 == 2)
            accepted[naccepted++] = o->rcpt[i];
        if (s.nrcpt && !s.queue_id)
            s.queue_id = "QUEUEID";   /* smtpd opens the queue file at the first recipient */
        char label[600];
        snprintf(label, sizeof label, "RCPT TO:<%s>", o->rcpt[i]);
        if (o->json) {
            printf("%s{\"address\": ", i ? ", " : "");
            json_put_str(stdout, o->rcpt[i]);
            printf(", ");
        }
        put_decision(o, im, label, &rc);
    }
    if (o->json)
        printf("]");
    int status = later_stages(o, im, &s, &rc, accepted, naccepted) < 0 ? 2 : 0;
    free(accepted);
    if (o->json && status == 0)
        printf("}\n");
    pol_reply_free(&banner);
    pol_reply_free(&helo);
    pol_reply_free(&mail);
    pol_reply_free(&rc);
    pol_session_free(&s);
    pol_image_free(&pi);
    pol_policy_clients_free(c.live);
    sim_client_free(&c);
    return status;
}

int cmd_simulate(int argc, char **argv)
{
    static const struct option opts[] = {
        { "service", required_argument, 0, 's' },
        { "client", required_argument, 0, 'C' },
        { "client-name", required_argument, 0, 'N' },
        { "helo", required_argument, 0, 'H' },
        { "sender", required_argument, 0, 'S' },
        { "rcpt", required_argument, 0, 'R' },
        { "sasl-user", required_argument, 0, 'U' },
        { "tls-cert-fingerprint", required_argument, 0, 'T' },
        { "dns", required_argument, 0, 'D' },
        { "dns-server", required_argument, 0, 'd' },
        { "policy", required_argument, 0, 'P' },
        { "policy-live", no_argument, 0, 'L' },
        { "verify", required_argument, 0, 'V' },
        { "format", required_argument, 0, 'f' },
        { "data", no_argument, 0, 'A' },
        { "message", required_argument, 0, 'M' },
        { "show-message", no_argument, 0, 'm' },
        { "time", required_argument, 0, 't' },
        { "etrn", required_argument, 0, 'E' },
        { "etrn-now", required_argument, 0, 'e' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    sim_opts o;
    memset(&o, 0, sizeof o);
    o.time = -1;
    o.rcpt = xcalloc((size_t)argc + 1, sizeof *o.rcpt);
    o.dns = xcalloc((size_t)argc + 1, sizeof *o.dns);
    o.policy = xcalloc((size_t)argc + 1, sizeof *o.policy);
    o.verify = xcalloc((size_t)argc + 1, sizeof *o.verify);
    int ch, status = 2;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:i:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': o.dir = optarg; break;
        case 'i': o.image = optarg; break;
        case 's': o.service = optarg; break;
        case 'C': o.client = optarg; break;
        case 'N': o.client_name = optarg; break;
        case 'H': o.helo = optarg; break;
        case 'S': o.sender = optarg; break;
        case 'R': o.rcpt[o.nrcpt++] = optarg; break;
        case 'A': o.data = 1; break;
        case 'M': o.message = optarg; o.data = 1; break;
        case 'm': o.show_message = 1; break;
        case 't': {
            char *end;
            o.time = strtoll(optarg, &end, 10);
            if (*optarg == 0 || *end || o.time < 0) {
                fprintf(stderr, "mtacc simulate: --time %s: expecting seconds since 1970\n",
                        optarg);
                goto out;
            }
            break;
        }
        case 'E': o.etrn = optarg; break;
        case 'e': o.etrn = optarg; o.etrn_now = 1; break;
        case 'U': o.sasl = optarg; break;
        case 'T': o.ccert = optarg; break;
        case 'D': o.dns[o.ndns++] = optarg; break;
        case 'd': o.dns_server = optarg; break;
        case 'L': o.policy_live = 1; break;
        case 'P':
            if (!strchr(optarg, '=')) {
                fprintf(stderr, "mtacc simulate: --policy %s: expecting ENDPOINT=ACTION\n", optarg);
                goto out;
            }
            o.policy[o.npolicy++] = optarg;
            break;
        case 'V':
            if (!strchr(optarg, '=')) {
                fprintf(stderr, "mtacc simulate: --verify %s: expecting ADDRESS=STATUS\n", optarg);
                goto out;
            }
            o.verify[o.nverify++] = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "json") == 0)
                o.json = 1;
            else if (strcmp(optarg, "text") != 0) {
                fprintf(stderr, "mtacc simulate: unknown format \"%s\" (text or json)\n", optarg);
                goto out;
            }
            break;
        case 'h': fputs(simulate_usage, stdout); status = 0; goto out;
        default: fputs(simulate_usage, stderr); goto out;
        }
    }
    if (optind < argc || !!o.dir == !!o.image || !o.client ||
        (o.nrcpt == 0 && !o.data && !o.etrn) || (o.ndns && o.dns_server)) {
        fprintf(stderr, "mtacc simulate: %s\n",
                optind < argc ? "unexpected argument" :
                !!o.dir == !!o.image ? "give one of -c DIR or -i IMAGE" :
                !o.client ? "missing --client IP" :
                o.ndns && o.dns_server ? "give --dns FILE or --dns-server IP, not both" :
                "missing --rcpt ADDR (or --data, --etrn)");
        fputs(simulate_usage, stderr);
        goto out;
    }
    if (o.message && access(o.message, R_OK) != 0) {
        fprintf(stderr, "mtacc simulate: %s: %s\n", o.message, strerror(errno));
        goto out;
    }
    strbuf err;
    sb_init(&err);
    pol_dns *dns = o.dns_server ? pol_dns_real_new(o.dns_server, &err) :
                   o.ndns       ? pol_dns_fixture_new(o.dns, o.ndns, &err) : pol_dns_empty_new();
    if (!dns) {
        fprintf(stderr, "mtacc simulate: %s\n", sb_str(&err));
        sb_free(&err);
        goto out;
    }
    img im;
    int r = o.dir ? sim_image_from_dir(o.dir, "simulate", &im) : img_open(&im, o.image, &err);
    if (r < 0) {
        if (o.image)
            fprintf(stderr, "mtacc simulate: %s\n", sb_str(&err));
        status = o.dir ? 1 : 2;
    } else {
        status = run(&o, &im, dns);
        img_close(&im);
    }
    sb_free(&err);
    pol_dns_free(dns);
out:
    free(o.rcpt);
    free(o.dns);
    free(o.policy);
    free(o.verify);
    if (fflush(stdout) != 0)
        return 2;
    return status;
}
