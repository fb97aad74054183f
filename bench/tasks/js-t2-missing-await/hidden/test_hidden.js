const assert = require("node:assert/strict");
const path = require("node:path");
const load = (f) => require(path.resolve(process.cwd(), f));
const { execFileSync } = require("node:child_process");
const { buildReport } = load("report.js");
(async () => {
  assert.equal(await buildReport(), "Report: 3 users (ada, bob, cy)");
  assert.equal(execFileSync("node", ["report.js"], { encoding: "utf8" }), "Report: 3 users (ada, bob, cy)\n");
})().catch((e) => { console.error(e); process.exit(1); });
console.log("ok");
