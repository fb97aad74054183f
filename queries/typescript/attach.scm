; TypeScript (also TSX): as JavaScript, and above `declare …`.
[(comment) (html_comment)] @attach.doc
(decorator) @attach
[(export_statement) (lexical_declaration) (variable_declaration) (expression_statement)
  (ambient_declaration)] @attach.outer
