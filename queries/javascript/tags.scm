; JavaScript (also JSX). Specific patterns first: the earliest matching pattern decides the kind.
(method_definition name: [(property_identifier) (private_property_identifier)] @name) @definition.method
(class_declaration name: (_) @name) @definition.class
(class name: (_) @name) @definition.class
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function
(assignment_expression
  left: [(identifier) @name (member_expression property: (property_identifier) @name)]
  right: [(arrow_function) (function_expression)]) @definition.function
(pair
  key: (property_identifier) @name
  value: [(arrow_function) (function_expression)]) @definition.function
(program (lexical_declaration "const" (variable_declarator name: (identifier) @name) @definition.constant))
(program (export_statement (lexical_declaration "const" (variable_declarator name: (identifier) @name) @definition.constant)))

((call_expression function: (identifier) @name) @reference.call
  (#not-any-of? @name "require" "import"))
(call_expression function: (member_expression property: (property_identifier) @name)) @reference.call
(new_expression constructor: [
  (identifier) @name
  (member_expression property: (property_identifier) @name)
]) @reference.call

(import_statement) @import
((call_expression function: (identifier) @_req arguments: (arguments (string) @import))
  (#eq? @_req "require"))
