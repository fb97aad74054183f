; Go units. A method is qualified by its receiver's type name: `func (b *Box[T]) Get()` is
; `Box.Get`; a receiver written otherwise is taken as written. A `type (…)` group is named by
; its first type.
(function_declaration name: (_) @name) @unit
(method_declaration
  receiver: (parameter_list (parameter_declaration type: [
    (type_identifier) @qualifier
    (pointer_type (type_identifier) @qualifier)
    (generic_type type: (type_identifier) @qualifier)
    (pointer_type (generic_type type: (type_identifier) @qualifier))
  ]))
  name: (_) @name) @unit
(method_declaration
  receiver: (parameter_list (parameter_declaration type: (_) @qualifier))
  name: (_) @name) @unit
(type_declaration [(type_spec name: (_) @name) (type_alias name: (_) @name)]) @unit
