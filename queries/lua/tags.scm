; Lua. `function M.f()` and `function M:f()` are qualified by their table.
(function_declaration name: (method_index_expression table: (_) @qualifier method: (identifier) @name)) @definition.method
(function_declaration name: (dot_index_expression table: (_) @qualifier field: (identifier) @name)) @definition.function
(function_declaration name: (identifier) @name) @definition.function
(assignment_statement
  (variable_list . name: [
    (identifier) @name
    (dot_index_expression table: (_) @qualifier field: (identifier) @name)
  ])
  (expression_list . value: (function_definition))) @definition.function
(field name: (identifier) @name value: (function_definition)) @definition.function

((function_call name: [
  (identifier) @name
  (dot_index_expression field: (identifier) @name)
  (method_index_expression method: (identifier) @name)
]) @reference.call
  (#not-eq? @name "require"))

((function_call name: (identifier) @_req arguments: (arguments (string) @import))
  (#eq? @_req "require"))
