const assert = require("node:assert/strict");
const path = require("node:path");
const load = (f) => require(path.resolve(process.cwd(), f));
const { subtract } = load("math.js");
assert.equal(subtract(5, 3), 2);
assert.equal(subtract(0, 4), -4);
assert.equal(subtract(-2, -2), 0);
console.log("ok");
