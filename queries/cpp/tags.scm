; C++. Specific patterns first: the earliest matching pattern decides the kind. Like C, only
; definitions count: a member declared in a class and defined out of line is one symbol.
(function_definition declarator: (function_declarator declarator: (qualified_identifier
  scope: (_) @qualifier name: [(identifier) (field_identifier) (destructor_name) (operator_name)] @name))) @definition.method
(function_definition declarator: (reference_declarator (function_declarator declarator: (qualified_identifier
  scope: (_) @qualifier name: [(identifier) (field_identifier) (operator_name)] @name)))) @definition.method
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (qualified_identifier
  scope: (_) @qualifier name: [(identifier) (field_identifier) (operator_name)] @name)))) @definition.method
(field_declaration_list (function_definition declarator: (function_declarator
  declarator: [(field_identifier) (identifier) (destructor_name) (operator_name)] @name)) @definition.method)
(field_declaration_list (template_declaration (function_definition declarator: (function_declarator
  declarator: [(field_identifier) (identifier) (operator_name)] @name)) @definition.method))
(function_definition declarator: [
  (function_declarator declarator: (identifier) @name)
  (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
  (reference_declarator (function_declarator declarator: (identifier) @name))
]) @definition.function
(class_specifier name: (type_identifier) @name body: (_)) @definition.class
(struct_specifier name: (type_identifier) @name body: (_)) @definition.struct
(union_specifier name: (type_identifier) @name body: (_)) @definition.struct
(enum_specifier name: (type_identifier) @name body: (_)) @definition.enum
(namespace_definition name: (namespace_identifier) @name) @definition.module
(type_definition declarator: (type_identifier) @name) @definition.type
(alias_declaration name: (type_identifier) @name) @definition.type
(enumerator name: (identifier) @name) @definition.constant
(preproc_def name: (identifier) @name) @definition.constant
(preproc_function_def name: (identifier) @name) @definition.macro

(call_expression function: [
  (identifier) @name
  (field_expression field: (field_identifier) @name)
  (qualified_identifier name: (identifier) @name)
  (template_function name: (identifier) @name)
  (qualified_identifier name: (template_function name: (identifier) @name))
]) @reference.call
(new_expression type: (type_identifier) @name) @reference.call
(type_identifier) @name @reference.type

(preproc_include path: (_) @import)
(using_declaration) @import
