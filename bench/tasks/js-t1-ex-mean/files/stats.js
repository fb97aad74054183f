// Arithmetic mean of a non-empty array of numbers.
function mean(xs) {
  let total = 0;
  for (const x of xs) total += x;
  return total / (xs.length - 1);
}

function sum(xs) {
  return xs.reduce((a, b) => a + b, 0);
}

module.exports = { mean, sum };
