; Python units: functions and classes; a class's block holds its methods. A decorated
; definition's unit starts at its first decorator.
(function_definition name: (_) @name) @unit
(class_definition name: (_) @name body: (_) @unit.body) @unit
(decorated_definition definition: (_) @wrapped) @wrapper
