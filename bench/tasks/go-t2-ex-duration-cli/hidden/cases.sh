# Hidden cases, sourced by ../check: expect WANT CMD... (the command must print WANT).
expect 1h2m5s "$tmp/prog" 3725
expect 1h "$tmp/prog" 3600
expect 1m5s "$tmp/prog" 65
expect 0s "$tmp/prog" 0
expect 59s "$tmp/prog" 59
expect 24h "$tmp/prog" 86400
expect 1h1s "$tmp/prog" 3601
expect 2h1m "$tmp/prog" 7260
expect 100h "$tmp/prog" 360000
