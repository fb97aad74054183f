class Inventory {
  // TODO
}

module.exports = { Inventory };
