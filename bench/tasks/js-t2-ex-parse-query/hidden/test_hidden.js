const assert = require("node:assert/strict");
const path = require("node:path");
const load = (f) => require(path.resolve(process.cwd(), f));
const { parseQuery } = load("query.js");
const cases = [
  ["a=1&b=two", { a: "1", b: "two" }],
  ["?x=hello+world&y=%2F", { x: "hello world", y: "/" }],
  ["", {}],
  ["?", {}],
  ["flag&k=v", { flag: "", k: "v" }],
  ["a=1&a=2", { a: "2" }],
  ["e=a=b", { e: "a=b" }],
  ["a=1&&b=2", { a: "1", b: "2" }],
  ["caf%C3%A9=%C3%BC", { "café": "ü" }],
];
for (const [qs, want] of cases) {
  assert.deepStrictEqual({ ...parseQuery(qs) }, want, `parseQuery(${JSON.stringify(qs)})`);
}
console.log("ok");
