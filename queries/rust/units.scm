; Rust units. An `impl` has no @name: it is named by its head (`impl fmt::Display for P`), and
; its methods are qualified by the implementing type (`P::fmt`).
(function_item name: (_) @name) @unit
(function_signature_item name: (_) @name) @unit
(struct_item name: (_) @name) @unit
(enum_item name: (_) @name) @unit
(union_item name: (_) @name) @unit
(const_item name: (_) @name) @unit
(static_item name: (_) @name) @unit
(type_item name: (_) @name) @unit
(macro_definition name: (_) @name) @unit
(trait_item name: (_) @name body: (_) @unit.body) @unit
(mod_item name: (_) @name body: (_)? @unit.body) @unit
(impl_item type: (_) @scope body: (_) @unit.body) @unit
