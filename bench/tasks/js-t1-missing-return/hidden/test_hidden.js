const assert = require("node:assert/strict");
const path = require("node:path");
const load = (f) => require(path.resolve(process.cwd(), f));
const { fullName } = load("names.js");
assert.equal(fullName({ first: "Ada", last: "Lovelace" }), "Ada Lovelace");
assert.equal(fullName({ first: "A", last: "B" }), "A B");
console.log("ok");
