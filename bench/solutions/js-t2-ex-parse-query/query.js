// Parse a URL query string ("a=1&b=two") into an object of strings.
function parseQuery(qs) {
  const decode = (s) => decodeURIComponent(s.replace(/\+/g, " "));
  const out = {};
  for (const piece of qs.replace(/^\?/, "").split("&")) {
    if (piece === "") continue;
    const i = piece.indexOf("=");
    const key = i < 0 ? piece : piece.slice(0, i);
    const value = i < 0 ? "" : piece.slice(i + 1);
    out[decode(key)] = decode(value);
  }
  return out;
}

module.exports = { parseQuery };
