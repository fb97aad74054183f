const { validate } = require("./validate");

const forms = [
  { email: "ada@example.com", password: "Secret123" },
  { email: "nope", password: "short" },
];
for (const f of forms) {
  const errors = validate(f);
  console.log(errors.length ? `invalid: ${errors.join(", ")}` : "valid");
}
