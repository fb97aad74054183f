const strings = require("./strings.js");
const { headline } = require("./format");

console.log(headline("small models need good harnesses", 20));
console.log(strings.capitalize("done"));
