function chunk(array, size) {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError("size must be a positive integer");
  }
  const out = [];
  for (let i = 0; i < array.length; i += size) {
    out.push(array.slice(i, i + size));
  }
  return out;
}

function flatten(chunks) {
  return [].concat(...chunks);
}

module.exports = { chunk, flatten };
