class Inventory {
  constructor() {
    this.stock = new Map();
  }

  add(sku, qty) {
    if (!Number.isInteger(qty) || qty <= 0) throw new RangeError("qty must be a positive integer");
    this.stock.set(sku, this.count(sku) + qty);
  }

  remove(sku, qty) {
    if (!Number.isInteger(qty) || qty <= 0) throw new RangeError("qty must be a positive integer");
    const have = this.count(sku);
    if (qty > have) throw new Error(`insufficient stock for ${sku}: have ${have}, need ${qty}`);
    if (have === qty) this.stock.delete(sku);
    else this.stock.set(sku, have - qty);
  }

  count(sku) {
    return this.stock.get(sku) || 0;
  }
}

module.exports = { Inventory };
