// Usage: node minmax.js N...   prints "min <smallest> max <largest>"

function minMax(nums) {
  return { min: Math.min(...nums), max: Math.max(...nums) };
}

function main(argv) {
  const nums = argv.map(Number);
  if (nums.length === 0) {
    console.log("no numbers");
    return;
  }
  const { min, max } = minMax(nums);
  console.log(`min ${min} max ${max}`);
}

main(process.argv.slice(2));
