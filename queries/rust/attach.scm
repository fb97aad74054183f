; Rust: comments and attributes attach above an item.
; `//!` and `/*!` (an `inner` marker) document the enclosing module, not the next item.
(line_comment !inner) @attach.doc
(block_comment !inner) @attach.doc
(attribute_item) @attach
