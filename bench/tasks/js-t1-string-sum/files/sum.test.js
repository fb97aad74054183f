const assert = require("node:assert/strict");
const { sumStrings } = require("./sum");

assert.equal(sumStrings(["1", "2", "3"]), 6);
console.log("ok");
