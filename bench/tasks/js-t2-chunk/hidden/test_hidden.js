const assert = require("node:assert/strict");
const path = require("node:path");
const load = (f) => require(path.resolve(process.cwd(), f));
const { chunk, flatten } = load("arrays.js");
assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
assert.deepEqual(chunk([], 3), []);
assert.deepEqual(chunk([1, 2, 3], 3), [[1, 2, 3]]);
assert.deepEqual(chunk([1, 2], 5), [[1, 2]]);
assert.deepEqual(chunk(["a", "b", "c"], 1), [["a"], ["b"], ["c"]]);
const input = [1, 2, 3, 4];
chunk(input, 3);
assert.deepEqual(input, [1, 2, 3, 4], "input must not be modified");
for (const bad of [0, -1, 1.5, NaN]) {
  assert.throws(() => chunk([1], bad), RangeError, `chunk([1], ${bad})`);
}
assert.deepEqual(flatten(chunk([1, 2, 3, 4, 5], 2)), [1, 2, 3, 4, 5]);
console.log("ok");
