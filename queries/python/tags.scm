; Python. Methods first: the earliest matching pattern decides the kind.
(class_definition body: (block (function_definition name: (identifier) @name) @definition.method))
(class_definition body: (block (decorated_definition definition: (function_definition name: (identifier) @name) @definition.method)))
(function_definition name: (identifier) @name) @definition.function
(class_definition name: (identifier) @name) @definition.class
((module (expression_statement (assignment left: (identifier) @name) @definition.constant))
  (#match? @name "^[A-Z_][A-Z0-9_]*$"))

(call function: [
  (identifier) @name
  (attribute attribute: (identifier) @name)
]) @reference.call

(import_statement) @import
(import_from_statement) @import
