class Inventory {
  constructor() {
    this.stock = new Map();
    this.log = [];
  }

  add(sku, qty) {
    if (!Number.isInteger(qty) || qty <= 0) throw new RangeError("qty must be a positive integer");
    this.stock.set(sku, this.count(sku) + qty);
    this.log.push({ op: "add", sku, qty });
  }

  remove(sku, qty) {
    if (!Number.isInteger(qty) || qty <= 0) throw new RangeError("qty must be a positive integer");
    const have = this.count(sku);
    if (qty > have) throw new Error(`insufficient stock for ${sku}: have ${have}, need ${qty}`);
    if (have === qty) this.stock.delete(sku);
    else this.stock.set(sku, have - qty);
    this.log.push({ op: "remove", sku, qty });
  }

  count(sku) {
    return this.stock.get(sku) || 0;
  }

  history(sku) {
    return this.log.filter((e) => sku === undefined || e.sku === sku).map((e) => ({ ...e }));
  }

  undo() {
    const last = this.log.pop();
    if (!last) return false;
    if (last.op === "add") {
      const left = this.count(last.sku) - last.qty;
      if (left === 0) this.stock.delete(last.sku);
      else this.stock.set(last.sku, left);
    } else {
      this.stock.set(last.sku, this.count(last.sku) + last.qty);
    }
    return true;
  }
}

module.exports = { Inventory };
