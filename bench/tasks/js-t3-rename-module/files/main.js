const utils = require("./utils.js");
const { headline } = require("./format");

console.log(headline("small models need good harnesses", 20));
console.log(utils.capitalize("done"));
