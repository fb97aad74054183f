//! Benchmark input: whole `fn` items cut from real Rust sources with a small brace matcher.
//!
//! Not the graph module's extractor — just enough to get realistic bodies and signatures. The
//! matcher skips strings, raw strings, chars and comments so braces inside them don't count.

use std::path::{Path, PathBuf};

use smallcode_core::budget::piece::{elide, Piece, PieceKind};

/// Every `.rs` file under `root`, sorted (deterministic), at most `max`.
pub fn rust_files(root: &Path, max: usize) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries.into_iter().rev() {
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out.truncate(max);
    out
}

/// Net brace depth change of `src` ignoring strings, chars and comments, and the byte offset of
/// the first `{` at depth 0 → 1 and of the matching `}` if found. `stop_at_semicolon`: a `;`
/// before any `{` means "no body".
fn scan(src: &str, stop_at_semicolon: bool) -> (i64, Option<usize>, Option<usize>) {
    let b = src.as_bytes();
    let (mut i, mut depth, mut open, mut close) = (0usize, 0i64, None, None);
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut nest = 1;
                i += 2;
                while i < b.len() && nest > 0 {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        nest += 1;
                        i += 1;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        nest -= 1;
                        i += 1;
                    }
                    i += 1;
                }
                continue;
            }
            b'r' if matches!(b.get(i + 1), Some(b'#') | Some(b'"'))
                && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) =>
            {
                let mut j = i + 1;
                let mut hashes = 0;
                while b.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) == Some(&b'"') {
                    let end = format!("\"{}", "#".repeat(hashes));
                    i = src[j + 1..]
                        .find(&end)
                        .map_or(b.len(), |p| j + 1 + p + end.len());
                    continue;
                }
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'\'' => {
                // Char literal ('x', '\n', '\u{1F600}', multibyte) or a lifetime ('a).
                if b.get(i + 1) == Some(&b'\\') {
                    i = src[i + 2..].find('\'').map_or(b.len(), |p| i + 2 + p);
                } else if let Some(c) = src[i + 1..].chars().next() {
                    let after = i + 1 + c.len_utf8();
                    if b.get(after) == Some(&b'\'') {
                        i = after;
                    }
                }
            }
            b';' if stop_at_semicolon && open.is_none() => return (depth, None, None),
            b'{' => {
                if depth == 0 && open.is_none() {
                    open = Some(i);
                }
                depth += 1;
            }
            b'}' => {
                depth -= 1;
                if depth == 0 && open.is_some() && close.is_none() {
                    close = Some(i);
                    return (depth, open, close);
                }
            }
            _ => {}
        }
        i += 1;
    }
    (depth, open, close)
}

/// Whether `text` has balanced braces outside strings and comments: a whole item.
pub fn balanced(text: &str) -> bool {
    scan(text, false).0 == 0
}

fn fn_name(line: &str) -> Option<&str> {
    let mut t = line.trim_start();
    for prefix in [
        "pub(crate) ",
        "pub(super) ",
        "pub ",
        "const ",
        "async ",
        "unsafe ",
        "extern \"C\" ",
        "default ",
    ] {
        t = t.strip_prefix(prefix).unwrap_or(t);
        t = t.trim_start();
    }
    for prefix in ["const ", "async ", "unsafe ", "extern \"C\" "] {
        t = t.strip_prefix(prefix).unwrap_or(t);
    }
    let rest = t.strip_prefix("fn ")?;
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// Every `fn` item with a body in `src`, as code pieces of `kind` (path shown as `label`).
pub fn fn_pieces(label: &str, src: &str, kind: PieceKind) -> Vec<Piece> {
    // Offsets from the raw text: `lines()` also strips `\r`, so its lengths drift on CRLF files.
    let mut offsets = Vec::new();
    let mut lines: Vec<&str> = Vec::new();
    let mut off = 0;
    for raw in src.split_inclusive('\n') {
        offsets.push(off);
        off += raw.len();
        lines.push(raw.trim_end_matches('\n').trim_end_matches('\r'));
    }
    offsets.push(off);
    let line_of = |byte: usize| offsets.partition_point(|&o| o <= byte) - 1;
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(name) = fn_name(line) else { continue };
        let start = offsets[i];
        let (_, Some(open), Some(close)) = scan(&src[start.min(src.len())..], true) else {
            continue;
        };
        let (open_line, close_line) = (line_of(start + open), line_of(start + close));
        if close_line >= lines.len() || open_line >= close_line {
            continue; // one-line bodies: no signature to step down to, still useful as full
        }
        let body = lines[i..=close_line].join("\n");
        let elided = close_line - open_line - 1;
        let sig = (elided >= 3)
            .then(|| elide(&lines[i..=open_line].join("\n"), elided, lines[close_line]));
        let span = ((i + 1) as u32, (close_line + 1) as u32);
        out.push(Piece::code(kind, label, name, span, &body, sig.as_deref()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_whole_functions_and_ignores_braces_in_strings() {
        let src = "impl A {\n    pub fn a(&self) -> &'static str {\n        let s = \"}{\";\n        let c = '}';\n        // }\n        let r = r#\"}\"#;\n        s\n    }\n}\nfn decl();\nfn b<'a>(x: &'a str) {\n    x;\n}\n";
        let ps = fn_pieces("x.rs", src, PieceKind::GraphContext);
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].symbol.as_deref(), Some("a"));
        assert_eq!(ps[0].lines, Some((2, 8)));
        assert!(ps[0].signature.as_deref().unwrap().contains("⋮ 5 lines"));
        assert_eq!(ps[1].lines, Some((11, 13)));
        assert!(ps.iter().all(|p| balanced(p.full.as_deref().unwrap())));
        assert!(!balanced("fn f() {"));
        let crlf = "fn a() {\r\n    1;\r\n}\r\nfn b() {\r\n    2;\r\n}\r\n";
        let ps = fn_pieces("c.rs", crlf, PieceKind::GraphContext);
        assert_eq!(ps[1].lines, Some((4, 6)));
        assert!(ps[1].full.as_deref().unwrap().ends_with("    2;\n}"));
    }
}
