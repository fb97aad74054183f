const { capitalize, truncate } = require("./strings");

function title(s) {
  return s.split(" ").map(capitalize).join(" ");
}

function headline(s, width) {
  return truncate(title(s), width);
}

module.exports = { title, headline };
