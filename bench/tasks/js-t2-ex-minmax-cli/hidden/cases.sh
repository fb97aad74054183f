# Hidden cases, sourced by ../check: expect WANT CMD... (the command must print WANT).
expect "min -1 max 7" node minmax.js 3 -1 7 2
expect "min 5 max 5" node minmax.js 5
expect "min 9 max 100" node minmax.js 10 9 100
expect "min -3.25 max 10" node minmax.js 2.5 10 -3.25
expect "no numbers" node minmax.js
