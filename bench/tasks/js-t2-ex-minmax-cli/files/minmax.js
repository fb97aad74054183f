// Usage: node minmax.js N...   prints "min <smallest> max <largest>"

function minMax(nums) {
  // TODO: return { min, max } of the array nums
}

function main(argv) {
  // TODO: parse the numbers in argv and print the result
}

main(process.argv.slice(2));
