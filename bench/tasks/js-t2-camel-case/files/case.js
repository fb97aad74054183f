function toCamelCase(s) {
  // TODO
}

module.exports = { toCamelCase };
