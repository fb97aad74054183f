; Lua: comments attach above a definition, above `local` for `local f = function() end`.
(comment) @attach.doc
(variable_declaration) @attach.outer
