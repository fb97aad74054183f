// True if s reads the same backwards, ignoring case and spaces.
function isPalindrome(s) {
  const t = s.toLowerCase();
  return t === t.split("").reverse().join("");
}

module.exports = { isPalindrome };
