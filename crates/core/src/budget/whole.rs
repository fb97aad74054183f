//! Tree-sitter check that a code section of a prompt is whole syntax: the benchmark's proof that
//! no piece was cut mid-symbol.
//!
//! A section passes when, against the parsed source file it came from:
//! - a body rendering is exactly the piece's lines, and no syntax node crosses the start or
//!   the end of that range (every node touching it is inside it or encloses it whole);
//! - a signature rendering is the piece's first lines, one explicit `⋮ N lines` marker whose N
//!   is the number of lines left out, and its last lines, and the left-out lines are whole
//!   nodes as well;
//! - a name rendering carries no code and always passes.

use tree_sitter::{Node, Tree};

use super::piece::Detail;
use crate::syntax::{Lang, ParserPool};

/// A parsed source file, to check several sections against.
pub struct Parsed {
    text: String,
    tree: Tree,
    /// Byte offset of the start of each line (0-based rows), plus the end.
    starts: Vec<usize>,
}

impl Parsed {
    /// Parses `text` as `lang`; `None` when the grammar cannot be loaded.
    pub fn new(pool: &mut ParserPool, lang: &'static Lang, text: String) -> Option<Parsed> {
        let tree = pool.parse(lang, text.as_bytes(), None)?;
        let mut starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
            }
        }
        if *starts.last().unwrap_or(&0) != text.len() {
            starts.push(text.len());
        }
        Some(Parsed { text, tree, starts })
    }

    /// Lines `a..=b` (1-based) without their line ends.
    fn lines(&self, a: u32, b: u32) -> Option<Vec<&str>> {
        let (a, b) = (a as usize, b as usize);
        if a == 0 || b < a || b >= self.starts.len() {
            return None;
        }
        Some(
            (a..=b)
                .map(|l| {
                    self.text[self.starts[l - 1]..self.starts[l]]
                        .trim_end_matches('\n')
                        .trim_end_matches('\r')
                })
                .collect(),
        )
    }

    /// The byte range of lines `a..=b` without leading and trailing whitespace.
    fn span(&self, a: u32, b: u32) -> Option<(usize, usize)> {
        let (a, b) = (a as usize, b as usize);
        if a == 0 || b < a || b >= self.starts.len() {
            return None;
        }
        let raw = &self.text[self.starts[a - 1]..self.starts[b]];
        let lead = raw.len() - raw.trim_start().len();
        let trail = raw.len() - raw.trim_end().len();
        let (s, e) = (self.starts[a - 1] + lead, self.starts[b] - trail);
        (s < e).then_some((s, e))
    }

    /// Whether lines `a..=b` are whole nodes: no node crosses their start or end.
    pub fn whole_lines(&self, a: u32, b: u32) -> Result<(), String> {
        let Some((s, e)) = self.span(a, b) else {
            return Ok(()); // blank lines: nothing to cut
        };
        match crossing(self.tree.root_node(), s, e) {
            None => Ok(()),
            Some(n) => Err(format!(
                "lines {a}-{b} cut a `{}` node (lines {}-{})",
                n.kind(),
                n.start_position().row + 1,
                n.end_position().row + 1
            )),
        }
    }
}

/// The first node under `node` that overlaps `[s, e)` only partly, if any.
fn crossing(node: Node<'_>, s: usize, e: usize) -> Option<Node<'_>> {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        let (cs, ce) = (child.start_byte(), child.end_byte());
        if ce <= s || cs >= e || (cs >= s && ce <= e) {
            continue;
        }
        if cs <= s && ce >= e {
            return crossing(child, s, e);
        }
        return Some(child);
    }
    None
}

/// Checks one code section (`text`, headed by its `path:a-b` line) shown at `detail` for the
/// piece spanning `lines` of `src`. `Err` says what is not whole.
pub fn check_section(
    src: &Parsed,
    lines: (u32, u32),
    detail: Detail,
    text: &str,
) -> Result<(), String> {
    let (a, b) = lines;
    let Some(orig) = src.lines(a, b) else {
        return Err(format!("lines {a}-{b} are not in the file"));
    };
    let mut got = text.lines();
    let header = got.next().unwrap_or("");
    if !header.contains(&format!(":{a}-{b}")) && detail != Detail::Name {
        return Err(format!("header `{header}` does not name lines {a}-{b}"));
    }
    let got: Vec<&str> = got.collect();
    match detail {
        Detail::Name => Ok(()),
        Detail::Full => {
            if got != orig {
                return Err("body differs from the source lines".into());
            }
            src.whole_lines(a, b)
        }
        Detail::Signature => {
            let Some(m) = got.iter().position(|l| l.trim_start().starts_with('⋮')) else {
                return Err("signature without an elision marker".into());
            };
            let n: usize = got[m]
                .trim()
                .trim_start_matches('⋮')
                .trim()
                .strip_suffix(" lines")
                .and_then(|n| n.trim().parse().ok())
                .ok_or_else(|| format!("malformed marker `{}`", got[m]))?;
            let (head, tail) = (&got[..m], &got[m + 1..]);
            if head.is_empty()
                || head.len() + n + tail.len() != orig.len()
                || head != &orig[..head.len()]
                || tail != &orig[orig.len() - tail.len()..]
            {
                return Err(format!(
                    "signature is not head + `⋮ {n} lines` + tail of the source lines"
                ));
            }
            src.whole_lines(a, b)?;
            if n > 0 {
                let from = a + head.len() as u32;
                src.whole_lines(from, from + n as u32 - 1)?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::piece::{elide, Piece, PieceKind};
    use crate::syntax::language_for_path;

    fn parsed(src: &str) -> Parsed {
        let lang = language_for_path(std::path::Path::new("a.rs")).expect("rust");
        Parsed::new(&mut ParserPool::new(), lang, src.to_string()).expect("parses")
    }

    const SRC: &str = "struct S;\n\nimpl S {\n    fn f(&self) -> u32 {\n        let a = 1;\n        let b = 2;\n        let c = 3;\n        a + b + c\n    }\n}\n";

    #[test]
    fn whole_function_and_its_signature_pass() {
        let p = parsed(SRC);
        let body = SRC.lines().skip(3).take(6).collect::<Vec<_>>().join("\n");
        let sig = elide("    fn f(&self) -> u32 {", 4, "    }");
        let piece = Piece::code(PieceKind::Symbol, "a.rs", "f", (4, 9), &body, Some(&sig));
        for d in Detail::STEPS {
            let text = piece.rendering(d).unwrap();
            assert_eq!(check_section(&p, (4, 9), d, text), Ok(()), "{d}");
        }
    }

    #[test]
    fn a_cut_body_fails() {
        let p = parsed(SRC);
        // Lines 4-7: the function without its last statement and closing brace.
        let body = SRC.lines().skip(3).take(4).collect::<Vec<_>>().join("\n");
        let piece = Piece::code(PieceKind::Symbol, "a.rs", "f", (4, 7), &body, None);
        let err = check_section(&p, (4, 7), Detail::Full, piece.full.as_deref().unwrap());
        assert!(err.is_err(), "{err:?}");
        // A marker that hides fewer lines than it says.
        let sig = elide("    fn f(&self) -> u32 {", 3, "    }");
        let piece = Piece::code(PieceKind::Symbol, "a.rs", "f", (4, 9), "", Some(&sig));
        assert!(check_section(&p, (4, 9), Detail::Signature, &piece.signature.unwrap()).is_err());
    }
}
