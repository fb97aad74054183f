const { loadTodos } = require("./store");
const { render } = require("./render");

function main(args) {
  const [cmd] = args;
  if (cmd !== "list") {
    console.error("usage: node cli.js list");
    process.exit(2);
  }
  const todos = loadTodos("todos.json");
  console.log(render(todos));
}

main(process.argv.slice(2));
