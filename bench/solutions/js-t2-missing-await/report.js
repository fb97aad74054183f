const { fetchUsers } = require("./db");

async function buildReport() {
  const users = await fetchUsers();
  const names = Array.from(users || [], (u) => u.name);
  return `Report: ${names.length} users (${names.join(", ")})`;
}

module.exports = { buildReport };

if (require.main === module) {
  buildReport().then((r) => {
    console.log(r);
    if (!r.startsWith("Report: 3")) process.exitCode = 1;
  });
}
