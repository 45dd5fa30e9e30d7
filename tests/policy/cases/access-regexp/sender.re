/^(.*)@spam\.example$/               REJECT user $1 at spam.example
/^[^@]+@(.*)\.invalid$/              550 5.1.8 domain $1.invalid is invalid
# case-sensitive rules (the i flag toggles the default case folding off):
# access lookups use the lower-cased address, so the mixed-case rule never
# matches and the lower-case one matches every spelling
/^MiXed@/i                           REJECT case-sensitive mixed case
/^lower@/i                           REJECT case-sensitive lower case
/^<>$/                               DUNNO
if /@list\.example$/
/^owner-/                            OK
/./                                  REJECT list mail must come from owner-
endif
/^ok@/                               OK
/^ok/                                REJECT never reached for ok@
