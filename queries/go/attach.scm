; Go: comments attach above a definition; a type or constant is documented above its
; `type`/`const` statement.
(comment) @attach.doc
[(type_declaration) (const_declaration)] @attach.outer
