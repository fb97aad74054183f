# Hidden cases, sourced by ../check: expect WANT CMD... (the command must print WANT).
expect 6 "$tmp/prog" 1 2 3
expect 6 "$tmp/prog" 10 -4
expect 7 "$tmp/prog" 7
expect 0 "$tmp/prog"
expect 100 "$tmp/prog" 50 25 25
