/^(abuse|postmaster)@/               OK
/^[^@]*[%!][^@]*@/                   REJECT no source routing
/^(.+)\+(.+)@example\.net$/          REJECT extension $2 for $1
