# Hidden cases, sourced by ../check: expect WANT CMD... (the command must print WANT).
expect 9 "$tmp/prog" 3 9 4
expect -2 "$tmp/prog" -5 -2 -9
expect 7 "$tmp/prog" 7
expect 100 "$tmp/prog" 100 99 5
expect "no numbers" "$tmp/prog"
