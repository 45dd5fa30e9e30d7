/^localhost$/                        REJECT you are not me
/^([0-9.]+)$/                        REJECT bare IP address $1 in HELO
/^\[?127\.0\.0\.1\]?$/               REJECT spoofed loopback
/(^|\.)example\.com$/                REJECT you are not in example.com
# $0 is not a valid replacement: Postfix logs a warning and skips the rule
/^zero\./                            REJECT $0 is not supported
!/\./                                REJECT helo without a dot
