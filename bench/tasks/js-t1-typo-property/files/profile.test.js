const { city } = require("./profile");

console.log(city({ name: "Ada", address: { city: "London" } }));
