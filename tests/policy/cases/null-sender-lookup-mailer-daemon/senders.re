# DEFER_IF_REJECT makes the key a regexp table saw visible: the hash table's
# REJECT that follows turns into this 450
/^$/                DEFER_IF_REJECT regexp saw an empty sender
/^<>$/              DEFER_IF_REJECT regexp saw <>
/^mailer-daemon$/   DEFER_IF_REJECT regexp saw MAILER-DAEMON
/^(mailer-daemon@.*)$/ DEFER_IF_REJECT regexp saw $1
