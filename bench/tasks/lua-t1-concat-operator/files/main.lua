local label = require("label")
print(label.label("apples", 3))
