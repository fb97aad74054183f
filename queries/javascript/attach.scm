; JavaScript: comments and decorators attach above a definition, or above the `export` or
; `const f = …` statement around it.
[(comment) (html_comment)] @attach.doc
(decorator) @attach
[(export_statement) (lexical_declaration) (variable_declaration) (expression_statement)] @attach.outer
