// Sum a list of numeric strings, e.g. from a form: ["1", "2"] -> 3
function sumStrings(values) {
  let total = 0;
  for (const v of values) {
    total += v;
  }
  return total;
}

module.exports = { sumStrings };
