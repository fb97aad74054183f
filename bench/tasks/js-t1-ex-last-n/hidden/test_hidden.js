const assert = require("node:assert/strict");
const path = require("node:path");
const load = (f) => require(path.resolve(process.cwd(), f));
const { lastN, firstN } = load("lists.js");
const cases = [[[1, 2, 3, 4], 2, [3, 4]], [[1, 2, 3], 1, [3]], [[1, 2, 3], 3, [1, 2, 3]],
               [[1, 2, 3], 5, [1, 2, 3]], [[1, 2, 3], 0, []], [[], 2, []]];
for (const [xs, n, want] of cases) {
  const copy = xs.slice();
  assert.deepEqual(lastN(xs, n), want, `lastN(${JSON.stringify(xs)}, ${n})`);
  assert.deepEqual(xs, copy, "lastN must not modify its input");
}
assert.deepEqual(firstN([1, 2, 3], 2), [1, 2]);
console.log("ok");
