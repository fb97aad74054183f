//! Renames the request asks for ("rename `calc_total` to `order_total` everywhere", "`Deposit` →
//! `Credit` and `Withdraw` → `Debit`", "the `len` field … to `count`"), carried out by the
//! harness over every project file instead of by the model.
//!
//! Why: a rename is mechanical but touches many files, and a small model given four files edits
//! one of them, half-way. An editor does it from the syntax tree; so do we: every identifier
//! token spelled like the old name (only field tokens when the old name is a struct field),
//! comments that mention it as a word, and string literals that are exactly it (`__all__`,
//! `getattr`). Only names the project defines are renamed, only when the new name is not already
//! one of its definitions, and only when the request asks for nothing but renames; the result is
//! a candidate like any other — the caller verifies it with every check before it lands.

use smallcode_core::syntax::{language_for_path, ParserPool};

/// One rename the request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// The name today.
    pub old: String,
    /// The name the request wants.
    pub new: String,
}

/// What the request's rename sentences ask for; empty when it asks for none, or also asks for
/// something a rename does not do ("rename `f` to `g` and add a parameter").
pub fn requested(prompt: &str) -> Vec<Rename> {
    let sentences = sentences(prompt);
    let mut out: Vec<Rename> = Vec::new();
    let mut other_ask = false;
    for s in &sentences {
        let lower = s.to_lowercase();
        other_ask |= asks_more(&lower);
        let Some(at) = find_word(&lower, "rename") else {
            continue;
        };
        let after = &s[at..];
        if names_a_file(&after.to_lowercase()) {
            return Vec::new();
        }
        let mut pairs = backticked_pairs(after);
        if pairs.is_empty() {
            pairs.extend(bare_pair(after));
        }
        for p in pairs {
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    if other_ask {
        return Vec::new();
    }
    out
}

/// The sentences of `text`: split after `.`, `!`, `?` or `:` followed by white space, and at
/// blank lines. A dot inside a file name (`vec.h`) does not end one.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = text.as_bytes();
    for i in 0..b.len() {
        let end = matches!(b[i], b'.' | b'!' | b'?' | b':')
            && b.get(i + 1).is_none_or(|c| c.is_ascii_whitespace())
            || (b[i] == b'\n' && b.get(i + 1) == Some(&b'\n'));
        if end {
            out.push(&text[start..=i]);
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out.into_iter().filter(|s| !s.trim().is_empty()).collect()
}

/// Byte offset of `word` in `lower` as a whole word.
fn find_word(lower: &str, word: &str) -> Option<usize> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    lower.match_indices(word).map(|(k, _)| k).find(|&k| {
        !lower[..k].chars().next_back().is_some_and(is_word)
            && !lower[k + word.len()..].chars().next().is_some_and(is_word)
    })
}

/// A sentence without "rename" that asks for a change of behaviour or new code: then the
/// request is more than a rename and the model gets it whole.
fn asks_more(lower: &str) -> bool {
    const VERBS: [&str; 12] = [
        "add",
        "implement",
        "fix",
        "write",
        "create",
        "support",
        "handle",
        "change",
        "compute",
        "replace",
        "return",
        "make",
    ];
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    VERBS.iter().any(|v| {
        lower.match_indices(v).any(|(k, _)| {
            let whole = !lower[..k].chars().next_back().is_some_and(is_word)
                && !lower[k + v.len()..].chars().next().is_some_and(is_word);
            // "must not change", "don't return": a promise kept, not a change asked for.
            let before = lower[..k].trim_end();
            let negated = ["not", "n't", "never", "no"]
                .iter()
                .any(|n| before.ends_with(n));
            whole && !negated
        })
    })
}

/// "Rename the file …", "rename the module …": a file move, which this does not do.
fn names_a_file(after_lower: &str) -> bool {
    let words: Vec<&str> = after_lower.split_whitespace().take(3).collect();
    words.iter().skip(1).take(2).any(|w| {
        matches!(
            w.trim_matches(|c: char| !c.is_alphanumeric()),
            "file" | "files" | "folder" | "directory" | "module" | "package"
        )
    })
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Pairs of backticked identifiers joined by "to", "into", "→" or "->": in "the `len` field of
/// `struct vec` (vec.h) to `count`, and `cap` to `capacity`" the spans that are not identifiers
/// (`struct vec`) are skipped, so `len` pairs with `count` and `cap` with `capacity`.
fn backticked_pairs(s: &str) -> Vec<Rename> {
    let mut spans: Vec<(usize, usize, &str)> = Vec::new();
    let mut rest = 0;
    while let Some(open) = s[rest..].find('`').map(|k| k + rest) {
        let Some(close) = s[open + 1..].find('`').map(|k| k + open + 1) else {
            break;
        };
        spans.push((open, close + 1, &s[open + 1..close]));
        rest = close + 1;
    }
    let idents: Vec<&(usize, usize, &str)> = spans.iter().filter(|t| is_ident(t.2)).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < idents.len() {
        let (a, b) = (idents[i], idents[i + 1]);
        if joins(&s[a.1..b.0]) && a.2 != b.2 {
            out.push(Rename {
                old: a.2.to_string(),
                new: b.2.to_string(),
            });
            i += 2;
        } else {
            i += 1;
        }
    }
    out
}

/// The text between two names says the first becomes the second.
fn joins(gap: &str) -> bool {
    let g = gap.trim_end().to_lowercase();
    g.ends_with('→')
        || g.ends_with("->")
        || g.ends_with("=>")
        || find_word(&g, "to").is_some_and(|k| k + 2 == g.len())
        || find_word(&g, "into").is_some_and(|k| k + 4 == g.len())
}

/// "rename calc_total to order_total", "rename the function calc_total to order_total": the
/// word before the first "to" and the word after it, when both read as identifiers.
fn bare_pair(s: &str) -> Option<Rename> {
    let words: Vec<&str> = s
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !(c.is_alphanumeric() || c == '_')))
        .collect();
    let to = words.iter().position(|w| w.eq_ignore_ascii_case("to"))?;
    let (old, new) = (*words.get(to.checked_sub(1)?)?, *words.get(to + 1)?);
    // An English word is not a name: ask for a mark of code (`_`, a capital inside, a digit).
    let code_like = |w: &str| {
        is_ident(w)
            && (w.contains('_')
                || w.chars().skip(1).any(|c| c.is_ascii_uppercase())
                || w.chars().any(|c| c.is_ascii_digit()))
    };
    (code_like(old) && is_ident(new) && old != new).then(|| Rename {
        old: old.to_string(),
        new: new.to_string(),
    })
}

/// How a file's tokens name the old name, collected over the project before any edit.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// A definition (the tags query's `@name`) is spelled this way.
    pub defined: bool,
    /// A struct field is declared with this name.
    pub field: bool,
}

/// Whether `text` (at `rel`) defines `name`, as a definition or a struct field.
pub fn usage(rel: &str, text: &str, name: &str, pool: &mut ParserPool) -> Usage {
    // Most files never spell the name: no parse for them (a rename reads every project file).
    if !text.contains(name) {
        return Usage::default();
    }
    let mut u = Usage {
        defined: crate::context::definitions(rel, text)
            .iter()
            .any(|d| d.name == name),
        field: false,
    };
    let Some(lang) = language_for_path(std::path::Path::new(rel)) else {
        return u;
    };
    let Some(tree) = pool.parse(lang, text.as_bytes(), None) else {
        return u;
    };
    walk(tree.root_node(), &mut |n| {
        if n.kind() == "field_identifier"
            && n.parent().is_some_and(|p| p.kind() == "field_declaration")
            && n.utf8_text(text.as_bytes()).ok() == Some(name)
        {
            u.field = true;
        }
    });
    u
}

/// `text` with `r` carried out, or `None` when nothing in it changes. `fields_only`: only field
/// tokens (`v->len`, `v.len`, the declaration) are renamed, so a local `len` stays.
pub fn apply(
    rel: &str,
    text: &str,
    r: &Rename,
    fields_only: bool,
    pool: &mut ParserPool,
) -> Option<String> {
    if !text.contains(&r.old) {
        return None;
    }
    let lang = language_for_path(std::path::Path::new(rel))?;
    let tree = pool.parse(lang, text.as_bytes(), None)?;
    let src = text.as_bytes();
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    walk(tree.root_node(), &mut |n| {
        let kind = n.kind();
        let Ok(t) = n.utf8_text(src) else { return };
        if kind.contains("comment") {
            let renamed = crate::error_fix::replace_word(t, &r.old, &r.new);
            if renamed != t {
                edits.push((n.start_byte(), n.end_byte(), renamed));
            }
            return;
        }
        if n.child_count() > 0 || t != r.old {
            return;
        }
        let field_token = matches!(
            kind,
            "field_identifier" | "property_identifier" | "shorthand_property_identifier"
        );
        let name_token = kind.ends_with("identifier") && (!fields_only || field_token);
        let string_token = !fields_only
            && matches!(
                kind,
                "string_content" | "string_fragment" | "interpreted_string_literal_content"
            );
        if name_token || string_token {
            edits.push((n.start_byte(), n.end_byte(), r.new.clone()));
        }
    });
    if edits.is_empty() {
        return None;
    }
    let mut out = text.to_string();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    for (s, e, new) in edits {
        out.replace_range(s..e, &new);
    }
    Some(out)
}

/// Calls `f` on every node of the tree under `root`, in document order.
fn walk<'t>(root: tree_sitter::Node<'t>, f: &mut dyn FnMut(tree_sitter::Node<'t>)) {
    let mut cursor = root.walk();
    loop {
        f(cursor.node());
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(old: &str, new: &str) -> Rename {
        Rename {
            old: old.into(),
            new: new.into(),
        }
    }

    #[test]
    fn reads_the_shapes_users_type() {
        assert_eq!(
            requested("Rename the function `calc_total` to `order_total` everywhere (it is defined in orders.py). Don't keep the old name around."),
            vec![r("calc_total", "order_total")]
        );
        assert_eq!(
            requested("In the bank package, rename the Account methods `Deposit` → `Credit` and `Withdraw` → `Debit` (account.go) and update all callers. `go test` must still pass."),
            vec![r("Deposit", "Credit"), r("Withdraw", "Debit")]
        );
        assert_eq!(
            requested("Rename the `len` field of `struct vec` (vec.h) to `count`, and `cap` to `capacity`, and update every use in vec.c."),
            vec![r("len", "count"), r("cap", "capacity")]
        );
        assert_eq!(
            requested("please rename parse_args to parseArgs"),
            vec![r("parse_args", "parseArgs")]
        );
    }

    #[test]
    fn more_than_a_rename_or_a_file_move_is_left_to_the_model() {
        assert!(requested("Rename `f` to `g`. Also add a `verbose` parameter.").is_empty());
        assert!(requested("Rename the file to strings.js and update every require.").is_empty());
        assert!(requested("Fix `total`: it returns 0 for [1, 2].").is_empty());
        // English words are not names.
        assert!(requested("rename it to something better").is_empty());
        assert!(requested("Rename `f` to `g` and make it return 0.").is_empty());
        // A promise that behaviour stays is not a second ask.
        assert_eq!(
            requested("Rename the struct `Point` to `Vec2`. Behaviour must not change."),
            vec![r("Point", "Vec2")]
        );
    }

    #[test]
    fn renames_tokens_comments_and_exact_strings_not_other_words() {
        let src = "# calc_total sums lines\n__all__ = [\"calc_total\"]\ndef calc_total(x):\n    return x\n\nprint(\"calc_total is\", calc_total(1), calc_totals)\n";
        let mut pool = ParserPool::new();
        let out = apply(
            "m.py",
            src,
            &r("calc_total", "order_total"),
            false,
            &mut pool,
        )
        .unwrap();
        assert_eq!(
            out,
            "# order_total sums lines\n__all__ = [\"order_total\"]\ndef order_total(x):\n    return x\n\nprint(\"calc_total is\", order_total(1), calc_totals)\n"
        );
        assert_eq!(
            apply("m.py", "x = 1\n", &r("calc_total", "y"), false, &mut pool),
            None
        );
    }

    #[test]
    fn a_field_rename_leaves_a_local_of_the_same_name() {
        let h = "struct vec { int *data; size_t len; };\n";
        let c = "size_t f(struct vec *v) { size_t len = v->len; return len; }\n";
        let mut pool = ParserPool::new();
        assert!(usage("vec.h", h, "len", &mut pool).field);
        assert!(!usage("vec.c", c, "len", &mut pool).field);
        assert_eq!(
            apply("vec.c", c, &r("len", "count"), true, &mut pool).unwrap(),
            "size_t f(struct vec *v) { size_t len = v->count; return len; }\n"
        );
    }

    #[test]
    fn a_definition_is_seen_as_defined() {
        let mut pool = ParserPool::new();
        let u = usage(
            "a.go",
            "package a\n\nfunc (a *A) Deposit(c int) {}\n",
            "Deposit",
            &mut pool,
        );
        assert!(u.defined);
    }
}
