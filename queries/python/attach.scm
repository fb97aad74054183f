; Python: comments attach above a definition, above its decorators, or above the statement
; a constant is assigned in. (Docstrings are found by the graph itself.)
(comment) @attach.doc
[(decorated_definition) (expression_statement)] @attach.outer
