; Lua units: `function M.f()` and `function M:f()` are qualified by their table (`M.f`), and so
; is an assignment of a function to one variable (`M.g = function() end`, `local h = …`).
(function_declaration name: [
  (identifier) @name
  (dot_index_expression table: (_) @qualifier field: (_) @name)
  (method_index_expression table: (_) @qualifier method: (_) @name)
]) @unit
(assignment_statement
  (variable_list . name: [
    (identifier) @name
    (dot_index_expression table: (_) @qualifier field: (_) @name)
    (bracket_index_expression) @name
  ] .)
  (expression_list . value: (function_definition))) @unit
(variable_declaration (assignment_statement
  (variable_list . name: [
    (identifier) @name
    (dot_index_expression table: (_) @qualifier field: (_) @name)
    (bracket_index_expression) @name
  ] .)
  (expression_list . value: (function_definition)))) @unit
