/* test_registry.c: the generated parameter registry: order, lookups, counts,
 * and a sample of names, types, defaults and flags checked against what
 * `postconf -d` and postconf(5) of Postfix 3.7 say. */
#include "compiler/registry.h"

#include <stdio.h>
#include <string.h>

static int failed;

static void check(int ok, const char *name)
{
    printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    if (!ok)
        failed = 1;
}

static int is(const char *name, param_type t, const char *def)
{
    const param_def *p = registry_find(name);
    return p && p->type == t && strcmp(p->def, def) == 0;
}

int main(void)
{
    size_t n = registry_count();
    /* postconf -d lists 831 names with a one-service master.cf */
    check(n > 800 && n < 900, "registry_count_plausible");

    int sorted = 1;
    for (size_t i = 1; i < n; i++)
        if (strcmp(registry_at(i - 1)->name, registry_at(i)->name) >= 0)
            sorted = 0;
    check(sorted, "registry_sorted_unique");

    int all_found = 1;
    for (size_t i = 0; i < n; i++)
        if (registry_find(registry_at(i)->name) != registry_at(i))
            all_found = 0;
    check(all_found, "registry_find_every_name");
    check(registry_at(n) == NULL, "registry_at_out_of_range");
    check(registry_find("") == NULL && registry_find("myhostnam") == NULL
          && registry_find("zzz") == NULL && registry_find("2bounce") == NULL,
          "registry_find_missing");
    check(registry_find("2bounce_notice_recipient") == registry_at(0), "registry_first");

    /* types and defaults as postconf -d prints them */
    check(is("maximal_queue_lifetime", PT_TIME, "5d")
          && registry_find("maximal_queue_lifetime")->unit == 'd', "time_unit_days");
    check(is("smtpd_timeout", PT_TIME, "${stress?{10}:{300}}s")
          && registry_find("smtpd_timeout")->unit == 's'
          && registry_find("smtpd_timeout")->min == 1, "time_conditional_default");
    check(is("postscreen_dnsbl_max_ttl", PT_TIME,
             "${postscreen_dnsbl_ttl?{$postscreen_dnsbl_ttl}:{1}}h")
          && registry_find("postscreen_dnsbl_max_ttl")->unit == 'h', "time_unit_hours");
    check(is("soft_bounce", PT_BOOL, "no"), "bool_soft_bounce");
    check(is("smtputf8_enable", PT_BOOL, "${{$compatibility_level} <level {1} ? {no} : {yes}}"),
          "bool_conditional");
    check(is("postscreen_use_tls", PT_BOOL, "$smtpd_use_tls"), "bool_inherited");
    check(is("message_size_limit", PT_LONG, "10240000"), "long_message_size_limit");
    check(is("smtpd_recipient_limit", PT_INT, "1000"), "int_recipient_limit");
    check(is("smtpd_forbid_bare_newline", PT_ENUM, "no"), "enum_not_bool");
    check(is("compatibility_level", PT_STRING, "0"), "compat_level_string");
    check(is("smtpd_banner", PT_STRING, "$myhostname ESMTP $mail_name"), "banner_default");
    check(is("smtpd_expansion_filter", PT_STRING,
             "\\t\\40!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ"
             "[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"), "default_byte_exact");

    const param_def *ip = registry_find("inet_protocols");
    int ipv6 = 0;
    for (size_t i = 0; ip && ip->words && ip->words[i]; i++)
        ipv6 |= strcmp(ip->words[i], "ipv6") == 0;
    check(ip && ip->type == PT_ENUM_LIST && ipv6, "enum_list_inet_protocols");
    const param_def *lv = registry_find("smtp_tls_security_level");
    check(lv && lv->type == PT_ENUM && lv->words && strcmp(lv->words[0], "none") == 0,
          "enum_tls_security_level");

    /* flags */
    check((registry_find("myhostname")->flags & PF_HOST)
          && (registry_find("mydomain")->flags & PF_HOST)
          && (registry_find("mynetworks")->flags & PF_HOST)
          && !(registry_find("mydestination")->flags & PF_HOST), "flags_host");
    check((registry_find("mail_version")->flags & PF_READONLY)
          && (registry_find("process_id")->flags & PF_READONLY)
          && !(registry_find("myorigin")->flags & PF_READONLY), "flags_readonly");

    /* per-service templates */
    size_t ns = registry_service_count();
    int have_dcl = 0, have_tl = 0, all_ps = 1;
    for (size_t i = 0; i < ns; i++) {
        const param_def *p = registry_service_at(i);
        all_ps &= (p->flags & PF_PERSERVICE) != 0 && p->name[0] == '_';
        if (strcmp(p->name, "_destination_concurrency_limit") == 0)
            have_dcl = strcmp(p->def, "$default_destination_concurrency_limit") == 0
                       && p->type == PT_INT;
        if (strcmp(p->name, "_time_limit") == 0)
            have_tl = strcmp(p->def, "$command_time_limit") == 0 && p->type == PT_TIME;
    }
    check(ns == 17 && all_ps && have_dcl && have_tl, "service_templates");

    /* did you mean */
    const char *s1 = registry_suggest("smtpd_recipient_restriction");
    check(s1 && strcmp(s1, "smtpd_recipient_restrictions") == 0, "suggest_missing_letter");
    const char *s2 = registry_suggest("myhsotname");
    check(s2 && strcmp(s2, "myhostname") == 0, "suggest_transposition");
    check(registry_suggest("myhostname") == NULL, "suggest_known_name");
    check(registry_suggest("completely_unrelated_thing") == NULL, "suggest_nothing_close");
    return failed;
}
