const assert = require("node:assert/strict");
const { fullName } = require("./names");

assert.equal(fullName({ first: "Ada", last: "Lovelace" }), "Ada Lovelace");
console.log("ok");
