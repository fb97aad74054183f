function toCamelCase(s) {
  const words = s.split(/[\s_-]+/).filter((w) => w.length > 0);
  return words
    .map((w, i) => {
      const lower = w.toLowerCase();
      return i === 0 ? lower : lower[0].toUpperCase() + lower.slice(1);
    })
    .join("");
}

module.exports = { toCamelCase };
