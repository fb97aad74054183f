const assert = require("node:assert/strict");
const path = require("node:path");
const load = (f) => require(path.resolve(process.cwd(), f));
const { city } = load("profile.js");
assert.equal(city({ name: "Ada", address: { city: "London" } }), "London");
assert.equal(city({ address: { city: "Oslo" } }), "Oslo");
console.log("ok");
