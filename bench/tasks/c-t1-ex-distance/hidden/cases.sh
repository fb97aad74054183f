# Hidden cases, sourced by ../check: expect WANT CMD... (the command must print WANT).
expect 7 "$tmp/dist" 10 3
expect 7 "$tmp/dist" 3 10
expect 10 "$tmp/dist" -5 5
expect 0 "$tmp/dist" 4 4
expect 8 "$tmp/dist" 0 -8
