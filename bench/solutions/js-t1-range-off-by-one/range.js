// range(n) returns [0, 1, ..., n - 1]
function range(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(i);
  }
  return out;
}

module.exports = { range };
