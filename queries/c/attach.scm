; C: comments attach above a definition. A nested struct's doc sits above its field.
(comment) @attach.doc
(field_declaration) @attach.outer
