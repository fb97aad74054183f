; Java: comments and annotations attach above a declaration; a constant is documented above
; its field declaration.
[(line_comment) (block_comment)] @attach.doc
[(annotation) (marker_annotation)] @attach
(field_declaration) @attach.outer
