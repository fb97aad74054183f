; Java units: types hold their methods and constructors. Annotations on a declaration are part
; of its node (`modifiers`).
(class_declaration name: (_) @name body: (_) @unit.body) @unit
(interface_declaration name: (_) @name body: (_) @unit.body) @unit
(enum_declaration name: (_) @name body: (_) @unit.body) @unit
(record_declaration name: (_) @name body: (_) @unit.body) @unit
(method_declaration name: (_) @name) @unit
(constructor_declaration name: (_) @name) @unit
