const fs = require("node:fs");

function loadTodos(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

function filterTodos(todos, { done, tag } = {}) {
  return todos.filter((t) => (done === undefined || t.done === done) && (tag === undefined || t.tags.includes(tag)));
}

module.exports = { loadTodos, filterTodos };
