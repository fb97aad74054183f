const assert = require("node:assert/strict");
const path = require("node:path");
const load = (f) => require(path.resolve(process.cwd(), f));
const { Inventory } = load("inventory.js");
const inv = new Inventory();
inv.add("A1", 5);
inv.remove("A1", 2);
assert.equal(inv.count("A1"), 3);
assert.throws(() => inv.remove("A1", 4), { message: "insufficient stock for A1: have 3, need 4" });
assert.throws(() => inv.remove("ZZ", 1), { message: "insufficient stock for ZZ: have 0, need 1" });
assert.equal(inv.count("A1"), 3);
for (const bad of [0, -2, 1.5]) {
  assert.throws(() => inv.add("A1", bad), RangeError);
  assert.throws(() => inv.remove("A1", bad), RangeError);
}
inv.remove("A1", 3);
assert.equal(inv.count("A1"), 0);
console.log("ok");
