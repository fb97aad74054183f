# Hidden cases, sourced by ../check: expect WANT CMD... (the command must print WANT).
expect "b 3" "$tmp/prog" b a b c a b
expect "x 1" "$tmp/prog" x
expect "apple 2" "$tmp/prog" pear apple pear apple
expect "x 1" "$tmp/prog" z y x
expect "a 2" "$tmp/prog" a A a
expect "none" "$tmp/prog"
