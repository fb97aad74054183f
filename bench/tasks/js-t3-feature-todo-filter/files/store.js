const fs = require("node:fs");

function loadTodos(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

module.exports = { loadTodos };
