// Upper-case the first character of s; the rest stays as it is.
function capitalize(s) {
  return s.charAt(0).toUpperCase() + s.slice(0);
}

module.exports = { capitalize };
