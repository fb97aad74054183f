// Usage: node main.js N...   prints the sum of the numbers
const args = process.argv.slice(2);
const total = args.reduce((sum, x) => sum + x, 0);
console.log(total);
