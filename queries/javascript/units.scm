; JavaScript units (also JSX). `const f = () => …` is a unit when it declares one variable, a
; function. An `export` statement's unit starts at `export`.
(function_declaration name: (_) @name) @unit
(generator_function_declaration name: (_) @name) @unit
(method_definition name: (_) @name) @unit
(class_declaration name: (_) @name body: (_) @unit.body) @unit
(lexical_declaration . (variable_declarator
  name: (_) @name
  value: [(arrow_function) (function_expression) (generator_function)]) .) @unit
(variable_declaration . (variable_declarator
  name: (_) @name
  value: [(arrow_function) (function_expression) (generator_function)]) .) @unit
(export_statement declaration: (_) @wrapped) @wrapper
