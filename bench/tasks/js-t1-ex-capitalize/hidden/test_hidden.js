const assert = require("node:assert/strict");
const path = require("node:path");
const load = (f) => require(path.resolve(process.cwd(), f));
const { capitalize } = load("text.js");
for (const [s, want] of [["hello world", "Hello world"], ["a", "A"], ["", ""], ["Already", "Already"],
                         ["ümlaut", "Ümlaut"], ["x Y z", "X Y z"], ["42 apples", "42 apples"]]) {
  assert.equal(capitalize(s), want, `capitalize(${JSON.stringify(s)})`);
}
console.log("ok");
