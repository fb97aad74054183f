const assert = require("node:assert/strict");
const { subtract } = require("./math");

assert.equal(subtract(5, 3), 2);
console.log("ok");
