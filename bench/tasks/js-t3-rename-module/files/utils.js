function capitalize(s) {
  return s.length ? s[0].toUpperCase() + s.slice(1) : s;
}

function truncate(s, n) {
  return s.length <= n ? s : s.slice(0, n - 1) + "…";
}

module.exports = { capitalize, truncate };
