function subtract(a, b) {
  return a - b;
}

module.exports = { subtract };
