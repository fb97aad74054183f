; C++ units: as C, plus classes and namespaces holding their members. `A::f` is qualified by
; its scope (`A`), not by an enclosing namespace.
(function_definition declarator: [
  (qualified_identifier scope: (_) @qualifier name: (_) @name)
  (_ declarator: (qualified_identifier scope: (_) @qualifier name: (_) @name))
  (_ declarator: (_ declarator: (qualified_identifier scope: (_) @qualifier name: (_) @name)))
  (_ declarator: (_ declarator: (_ declarator: (qualified_identifier scope: (_) @qualifier name: (_) @name))))
]) @unit
(function_definition declarator: [
  [(identifier) (field_identifier) (type_identifier) (operator_name) (destructor_name)] @name
  (_ declarator: [(identifier) (field_identifier) (type_identifier) (operator_name) (destructor_name)] @name)
  (_ declarator: (_ declarator: [(identifier) (field_identifier) (type_identifier) (operator_name) (destructor_name)] @name))
  (_ declarator: (_ declarator: (_ declarator: [(identifier) (field_identifier) (type_identifier) (operator_name) (destructor_name)] @name)))
]) @unit
(class_specifier name: (_) @name body: (_) @unit.body) @unit
(struct_specifier name: (_) @name body: (_) @unit.body) @unit
(union_specifier name: (_) @name body: (_) @unit.body) @unit
(enum_specifier name: (_) @name body: (_) @unit.body) @unit
(declaration type: (_ name: (_) @name body: (_) @unit.body)) @unit
(type_definition
  type: (_ name: (_) body: (_) @unit.body)
  declarator: [(type_identifier) @name (_ declarator: (type_identifier) @name)]) @unit
(namespace_definition name: (_) @name body: (_) @unit.body) @unit
[(preproc_if) (preproc_ifdef) (preproc_else) (preproc_elif) (linkage_specification)
  (declaration_list)] @transparent
