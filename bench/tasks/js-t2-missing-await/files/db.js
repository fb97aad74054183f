// Pretend database: resolves after a short delay.
async function fetchUsers() {
  await new Promise((resolve) => setTimeout(resolve, 10));
  return [{ name: "ada" }, { name: "bob" }, { name: "cy" }];
}

module.exports = { fetchUsers };
