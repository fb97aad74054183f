const assert = require("node:assert/strict");
const { range } = require("./range");

assert.deepEqual(range(3), [0, 1, 2]);
console.log("ok");
