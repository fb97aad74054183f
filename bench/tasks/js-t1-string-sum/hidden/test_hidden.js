const assert = require("node:assert/strict");
const path = require("node:path");
const load = (f) => require(path.resolve(process.cwd(), f));
const { sumStrings } = load("sum.js");
assert.equal(sumStrings(["1", "2", "3"]), 6);
assert.equal(sumStrings([]), 0);
assert.equal(sumStrings(["2.5", "0.5"]), 3);
assert.equal(sumStrings(["-4", "10"]), 6);
console.log("ok");
