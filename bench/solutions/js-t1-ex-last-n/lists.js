// The last n items of xs: none for n = 0, all of xs when n is larger than
// its length. Does not modify xs.
function lastN(xs, n) {
  return xs.slice(Math.max(xs.length - n, 0));
}

function firstN(xs, n) {
  return xs.slice(0, n);
}

module.exports = { lastN, firstN };
