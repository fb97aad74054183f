const assert = require("node:assert/strict");
const path = require("node:path");
const load = (f) => require(path.resolve(process.cwd(), f));
const { mean, sum } = load("stats.js");
for (const [xs, want] of [[[1, 2, 3], 2], [[4], 4], [[1, 2, 3, 4], 2.5], [[-1, 1], 0], [[10, 20, 30, 40, 50], 30]]) {
  assert.equal(mean(xs), want, `mean(${JSON.stringify(xs)})`);
}
assert.equal(sum([1, 2, 3]), 6);
console.log("ok");
