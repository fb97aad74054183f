const assert = require("node:assert/strict");
const path = require("node:path");
const load = (f) => require(path.resolve(process.cwd(), f));
const { execFileSync } = require("node:child_process");
const { filterTodos, loadTodos } = load("store.js");
const todos = [
  { title: "a", done: true, tags: ["x"] },
  { title: "b", done: false, tags: ["x", "y"] },
  { title: "c", done: false, tags: [] },
];
const titles = (ts) => ts.map((t) => t.title);
assert.deepEqual(titles(filterTodos(todos, {})), ["a", "b", "c"]);
assert.deepEqual(titles(filterTodos(todos, { done: true })), ["a"]);
assert.deepEqual(titles(filterTodos(todos, { done: false })), ["b", "c"]);
assert.deepEqual(titles(filterTodos(todos, { tag: "x" })), ["a", "b"]);
assert.deepEqual(titles(filterTodos(todos, { tag: "y", done: false })), ["b"]);
assert.deepEqual(titles(filterTodos(todos, { tag: "nope" })), []);
const run = (...a) => execFileSync("node", ["cli.js", "list", ...a], { encoding: "utf8" });
assert.equal(run(), "[x] write report #work\n[ ] buy milk #home\n[ ] fix bug 42 #work #urgent\n[x] call mum\n");
assert.equal(run("--done"), "[x] write report #work\n[x] call mum\n");
assert.equal(run("--open"), "[ ] buy milk #home\n[ ] fix bug 42 #work #urgent\n");
assert.equal(run("--tag", "work"), "[x] write report #work\n[ ] fix bug 42 #work #urgent\n");
assert.equal(run("--tag", "work", "--open"), "[ ] fix bug 42 #work #urgent\n");
assert.equal(run("--open", "--tag", "home"), "[ ] buy milk #home\n");
console.log("ok");
