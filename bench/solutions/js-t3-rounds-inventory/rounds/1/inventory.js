class Inventory {
  constructor() {
    this.stock = new Map();
  }

  add(sku, qty) {
    this.stock.set(sku, this.count(sku) + qty);
  }

  count(sku) {
    return this.stock.get(sku) || 0;
  }
}

module.exports = { Inventory };
