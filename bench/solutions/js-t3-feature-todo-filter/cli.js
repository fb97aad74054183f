const { loadTodos, filterTodos } = require("./store");
const { render } = require("./render");

function main(args) {
  const [cmd, ...rest] = args;
  if (cmd !== "list") {
    console.error("usage: node cli.js list [--done|--open] [--tag TAG]");
    process.exit(2);
  }
  const opts = {};
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--done") opts.done = true;
    else if (rest[i] === "--open") opts.done = false;
    else if (rest[i] === "--tag") opts.tag = rest[++i];
  }
  const todos = filterTodos(loadTodos("todos.json"), opts);
  console.log(render(todos));
}

main(process.argv.slice(2));
