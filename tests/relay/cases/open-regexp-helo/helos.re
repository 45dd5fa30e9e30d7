/^(mx|mail)[0-9]*\.example\.com$/ OK
