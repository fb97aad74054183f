; TypeScript units, also used for TSX. As JavaScript, plus the declarations TypeScript adds.
(function_declaration name: (_) @name) @unit
(generator_function_declaration name: (_) @name) @unit
(function_signature name: (_) @name) @unit
(method_definition name: (_) @name) @unit
(interface_declaration name: (_) @name) @unit
(type_alias_declaration name: (_) @name) @unit
(enum_declaration name: (_) @name) @unit
(class_declaration name: (_) @name body: (_) @unit.body) @unit
(abstract_class_declaration name: (_) @name body: (_) @unit.body) @unit
(lexical_declaration . (variable_declarator
  name: (_) @name
  value: [(arrow_function) (function_expression) (generator_function)]) .) @unit
(variable_declaration . (variable_declarator
  name: (_) @name
  value: [(arrow_function) (function_expression) (generator_function)]) .) @unit
(export_statement declaration: (_) @wrapped) @wrapper
