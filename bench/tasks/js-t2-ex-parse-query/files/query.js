// Parse a URL query string ("a=1&b=two") into an object of strings.
function parseQuery(qs) {
  throw new Error("not implemented");
}

module.exports = { parseQuery };
