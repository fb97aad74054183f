function isEmail(s) {
  return /^[^@\s]+@[^@\s]+\.[a-z]+$/i.test(s);
}

function isStrongPassword(p) {
  if (p.length < 8) {
    return false;
  }
  return /[0-9]/.test(p) && /[A-Z]/.test(p);
}

function validate(form) {
  const errors = [];
  if (!isEmail(form.email)) errors.push("email");
  if (!isStrongPassword(form.password)) errors.push("password");
  return errors;
}

module.exports = { isEmail, isStrongPassword, validate };
