/* aliases.h: aliases(5) source files as Postfix's postalias(1) stores
 * them. Each logical line (compiler/tables/kvsrc.h) is "name: value",
 * scanned into RFC 822 tokens and parsed by compiler/grammar/aliases.{l,y}.
 * The stored key is the name's tokens re-joined without quotes and
 * lowercased; the stored value is the value's tokens re-joined as
 * postalias writes them (", " after commas, one space between words,
 * atoms with specials quoted). */
#ifndef TABLES_ALIASES_H
#define TABLES_ALIASES_H
#include "compiler/tables/tables.h"
#include "stdlib/maps/memtab.h"

typedef enum al_kind {
    AL_ATOM, AL_QSTRING, AL_COMMENT, AL_DOMLIT, AL_OP, AL_AT, AL_COMMA,
} al_kind;

typedef struct al_token {
    al_kind  kind;
    char    *text;         /* atom/string/literal: unescaped; comment: as written */
    unsigned first, last;  /* byte range in the logical line */
} al_token;

typedef struct al_tokens {
    al_token *v;
    size_t    n, cap;
} al_tokens;

void al_tokens_add(al_tokens *t, al_kind k, char *text, unsigned first, unsigned last);
void al_tokens_free(al_tokens *t);

/* Re-join tokens as postalias does: quote != 0 for values (atoms with
 * specials and strings in double quotes), 0 for names (no quotes). */
void aliases_externalize(const al_tokens *t, int quote, strbuf *out);

typedef enum al_status {
    AL_OK = 0,
    AL_NEED_PAIR,      /* no "name:", a ',' before ':', or an empty value */
    AL_NOT_LOCAL,      /* '@' or '%' in the name */
} al_status;

/* Parse one logical line into its stored key (folded when fold) and value.
 * *err_off / *err_len: the culprit in the line when not AL_OK. */
al_status aliases_parse_entry(const char *line, size_t len, int fold, strbuf *key,
                              strbuf *value, unsigned *err_off, unsigned *err_len);

/* Every entry of srcset file `file`, as postalias would store them in
 * order: lines postalias skips are reported (table-syntax), duplicates
 * (duplicate-key, the first wins), and the "@" -> "@" entry postalias
 * adds is appended. With lines, *lines (malloc'ed) receives the source
 * line of each entry (0 for the "@" entry). */
void aliases_collect(memtab *out, int file, int fold, diags *d, unsigned **lines);

/* A table named in alias_maps whose source is written for postmap(1)
 * ("key value" lines, no "name:" anywhere), as generated files often
 * are: Postfix finds its keys either way, so it is read as postmap reads
 * it rather than reported line by line as aliases(5). */
int aliases_source_is_postmap(const char *file);

/* "type:file" read from the alias source text (not FILE.db): an
 * in-memory table holding what postalias would store. */
map *tables_open_aliases_source(const char *spec, const tables_opts *o, diags *d);

#endif
