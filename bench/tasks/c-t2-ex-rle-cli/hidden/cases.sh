# Hidden cases, sourced by ../check: expect WANT CMD... (the command must print WANT).
expect a3b1c2 "$tmp/rle" aaabcc
expect a1b1c1 "$tmp/rle" abc
expect a12 "$tmp/rle" aaaaaaaaaaaa
expect z3y1 "$tmp/rle" zzzy
expect a2b2a2 "$tmp/rle" aabbaa
expect "" "$tmp/rle" ""
