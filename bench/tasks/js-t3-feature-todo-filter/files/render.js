function render(todos) {
  return todos.map((t) => `[${t.done ? "x" : " "}] ${t.title}${t.tags.length ? " #" + t.tags.join(" #") : ""}`).join("\n");
}

module.exports = { render };
