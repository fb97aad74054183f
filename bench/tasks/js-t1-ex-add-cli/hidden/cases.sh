# Hidden cases, sourced by ../check: expect WANT CMD... (the command must print WANT).
expect 5 node main.js 2 3
expect 10 node main.js 1 2 3 4
expect -2.5 node main.js -4 1.5
expect 7 node main.js 7
expect 0 node main.js
