local settings = require("settings")

local cfg = { ui = { theme = "dark" }, editor = { tabs = { width = 4 } } }

local theme = settings.get(cfg, "ui.theme") or "light"
local width = settings.get(cfg, "editor.tabs.width") or 8
local font = settings.get(cfg, "ui.font.size") or 12
local lang = settings.get(cfg, "lsp.python.cmd") or "none"
print(theme, width, font, lang)
