const assert = require("node:assert/strict");
const path = require("node:path");
const load = (f) => require(path.resolve(process.cwd(), f));
const { isPalindrome } = load("words.js");
for (const [s, want] of [["Never odd or even", true], ["abc", false], ["Racecar", true], ["", true],
                         ["ab ba", true], ["ab", false], ["Was it a car or a cat I saw", true],
                         ["nurses run", true], ["step on no pets", true], ["palindrome", false]]) {
  assert.equal(isPalindrome(s), want, `isPalindrome(${JSON.stringify(s)})`);
}
console.log("ok");
