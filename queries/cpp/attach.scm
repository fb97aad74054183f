; C++: comments attach above a definition, above its `template <…>` or field if it has one.
(comment) @attach.doc
[(template_declaration) (field_declaration)] @attach.outer
