const assert = require("node:assert/strict");
const path = require("node:path");
const load = (f) => require(path.resolve(process.cwd(), f));
const { range } = load("range.js");
assert.deepEqual(range(3), [0, 1, 2]);
assert.deepEqual(range(0), []);
assert.deepEqual(range(1), [0]);
assert.equal(range(100).length, 100);
console.log("ok");
