; C units: function definitions, named through their `declarator` fields (`int **f(void)` is
; `f`, followed three deep), and structs, unions and enums with a body; `typedef struct S {…} T;`
; is named `T`.
(function_definition declarator: [
  [(identifier) (field_identifier) (type_identifier)] @name
  (_ declarator: [(identifier) (field_identifier) (type_identifier)] @name)
  (_ declarator: (_ declarator: [(identifier) (field_identifier) (type_identifier)] @name))
  (_ declarator: (_ declarator: (_ declarator: [(identifier) (field_identifier) (type_identifier)] @name)))
]) @unit
(struct_specifier name: (_) @name body: (_) @unit.body) @unit
(union_specifier name: (_) @name body: (_) @unit.body) @unit
(enum_specifier name: (_) @name body: (_) @unit.body) @unit
(declaration type: (_ name: (_) @name body: (_) @unit.body)) @unit
(type_definition
  type: (_ name: (_) body: (_) @unit.body)
  declarator: [(type_identifier) @name (_ declarator: (type_identifier) @name)]) @unit
[(preproc_if) (preproc_ifdef) (preproc_else) (preproc_elif)] @transparent
