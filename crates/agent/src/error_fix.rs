//! Repairs read from the error message itself, for bugs whose fix the message all but states:
//! an import of a name the module does not define (try each name it does define), a C
//! declaration whose type conflicts with its definition (make the declaration say what the
//! definition says), a Lua local indexed while nil (return nil before that line when it is not
//! a table), a Python number concatenated to a string (wrap it in `str()`), a Rust value moved
//! into a function that rustc says could borrow it (borrow it).
//!
//! A small model given such a message often rewrites the wrong file or invents a third name.
//! Like [`crate::mutate`]'s variants these are only candidates: the caller verifies each one
//! like a model's (every check, the label), so a wrong guess never lands. They are read from
//! the checks that failed before any edit, so they repair the bug the request is about.

use std::path::Path;

/// One whole-file candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// Project-relative path of the file to change.
    pub rel: String,
    /// The file's new text.
    pub text: String,
    /// What changed, for the chat and the label.
    pub what: String,
}

/// At most this many names of a module are tried for a missing import.
const MAX_NAMES: usize = 8;

/// The candidates the failing checks' `output` points at; `read` gives a project file's text
/// by relative path.
pub fn candidates(output: &str, read: &dyn Fn(&str) -> Option<String>) -> Vec<Fix> {
    let mut out: Vec<Fix> = Vec::new();
    let mut push = |f: Fix| {
        if !out.iter().any(|o| o.rel == f.rel && o.text == f.text) {
            out.push(f);
        }
    };
    for f in python_missing_import(output, read) {
        push(f);
    }
    for f in c_conflicting_declaration(output, read) {
        push(f);
    }
    for f in lua_nil_index(output, read) {
        push(f);
    }
    for f in python_str_concat(output, read) {
        push(f);
    }
    for f in rust_borrow_instead(output, read) {
        push(f);
    }
    out
}

/// The text between the first pair of `q` quotes after `key` in `line`.
fn quoted_after<'a>(line: &'a str, key: &str, q: char) -> Option<&'a str> {
    let rest = &line[line.find(key)? + key.len()..];
    let open = rest.find(q)? + q.len_utf8();
    let close = rest[open..].find(q)? + open;
    Some(&rest[open..close])
}

/// `line` with every whole-word `old` replaced by `new`.
pub(crate) fn replace_word(text: &str, old: &str, new: &str) -> String {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(k) = rest.find(old) {
        let before = rest[..k].chars().next_back();
        let after = rest[k + old.len()..].chars().next();
        out.push_str(&rest[..k]);
        if before.is_some_and(word) || after.is_some_and(word) {
            out.push_str(old);
        } else {
            out.push_str(new);
        }
        rest = &rest[k + old.len()..];
    }
    out.push_str(rest);
    out
}

/// `ImportError: cannot import name 'parse_int' from 'helpers' (helpers.py)` raised in the
/// traceback's last `File "app.py"`: app.py with `parse_int` replaced by each public top-level
/// name helpers.py defines.
fn python_missing_import(output: &str, read: &dyn Fn(&str) -> Option<String>) -> Vec<Fix> {
    let mut out = Vec::new();
    let mut file: Option<&str> = None;
    for line in output.lines() {
        let t = line.trim();
        if let Some(f) = t
            .strip_prefix("File ")
            .and_then(|_| quoted_after(t, "File", '"'))
        {
            file = Some(f);
            continue;
        }
        if !t.starts_with("ImportError: cannot import name") {
            continue;
        }
        let (Some(missing), Some(module), Some(importer)) = (
            quoted_after(t, "name", '\''),
            quoted_after(t, "from", '\''),
            file,
        ) else {
            continue;
        };
        let importer = importer.trim_start_matches("./");
        let module_rel = format!("{}.py", module.replace('.', "/"));
        let (Some(src), Some(module_text)) = (read(importer), read(&module_rel)) else {
            continue;
        };
        let public = crate::coverage::top_level_names(&module_rel, &module_text)
            .into_iter()
            .filter(|n| !n.starts_with('_'));
        for name in public.take(MAX_NAMES) {
            out.push(Fix {
                rel: importer.to_string(),
                text: replace_word(&src, missing, &name),
                what: format!(
                    "`{missing}`, which {module_rel} does not define, replaced by its `{name}`"
                ),
            });
        }
    }
    out
}

/// `FILE:LINE:COL: error: conflicting types for ‘f’` followed by `FILE2:LINE2:COL: note:
/// previous declaration of ‘f’`: the declaration's line becomes the definition's header
/// (what the body was written for) with a `;`.
fn c_conflicting_declaration(output: &str, read: &dyn Fn(&str) -> Option<String>) -> Vec<Fix> {
    let mut out = Vec::new();
    let lines: Vec<&str> = output.lines().collect();
    let at = |l: &str| -> Option<(String, usize)> {
        let mut parts = l.trim().splitn(3, ':');
        let file = parts.next()?.to_string();
        let line = parts.next()?.parse().ok()?;
        Some((file, line))
    };
    for (k, l) in lines.iter().enumerate() {
        if !l.contains("error: conflicting types for") {
            continue;
        }
        let Some((def_file, def_line)) = at(l) else {
            continue;
        };
        let Some(note) = lines[k + 1..]
            .iter()
            .take(12)
            .find(|n| n.contains("note: previous declaration of"))
        else {
            continue;
        };
        let Some((decl_file, decl_line)) = at(note) else {
            continue;
        };
        let (Some(def_text), Some(decl_text)) = (read(&def_file), read(&decl_file)) else {
            continue;
        };
        let Some(header) = def_text.lines().nth(def_line.saturating_sub(1)) else {
            continue;
        };
        let header = header.trim_end().trim_end_matches('{').trim_end();
        if !header.ends_with(')') {
            continue;
        }
        let mut new_lines: Vec<String> = decl_text.lines().map(str::to_string).collect();
        let Some(old) = new_lines.get(decl_line.saturating_sub(1)) else {
            continue;
        };
        if !old.trim_end().ends_with(';') {
            continue;
        }
        let replaced = format!("{header};");
        let what = format!(
            "the declaration at {decl_file}:{decl_line} made to match the definition at \
             {def_file}:{def_line} (`{replaced}`)"
        );
        new_lines[decl_line - 1] = replaced;
        let mut text = new_lines.join("\n");
        if decl_text.ends_with('\n') {
            text.push('\n');
        }
        out.push(Fix {
            rel: decl_file.trim_start_matches("./").to_string(),
            text,
            what,
        });
    }
    out
}

/// `./settings.lua:7: attempt to index a nil value (local 'node')`: `if type(node) ~= "table"
/// then return nil end` before line 7, at its indentation.
fn lua_nil_index(output: &str, read: &dyn Fn(&str) -> Option<String>) -> Vec<Fix> {
    let mut out = Vec::new();
    for l in output.lines() {
        let t = l.trim();
        let Some(k) = t.find(": attempt to index a nil value (local '") else {
            continue;
        };
        let Some(var) = quoted_after(&t[k..], "(local", '\'') else {
            continue;
        };
        let mut parts = t[..k].rsplitn(2, ':');
        let (Some(line), Some(file)) = (parts.next(), parts.next()) else {
            continue;
        };
        let file = file
            .rsplit(' ')
            .next()
            .unwrap_or(file)
            .trim_start_matches("./");
        let (Ok(line), Some(src)) = (line.parse::<usize>(), read(file)) else {
            continue;
        };
        if Path::new(file).extension().is_none_or(|e| e != "lua") || line == 0 {
            continue;
        }
        let lines: Vec<&str> = src.split_inclusive('\n').collect();
        let Some(target) = lines.get(line - 1) else {
            continue;
        };
        let indent: String = target
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        // Not only nil: a number or boolean there fails the same way one level deeper
        // (`get(cfg, "n.m")` with `cfg.n = 5`).
        let guard = format!("{indent}if type({var}) ~= \"table\" then return nil end\n");
        let text = format!(
            "{}{guard}{}",
            lines[..line - 1].concat(),
            lines[line - 1..].concat()
        );
        out.push(Fix {
            rel: file.to_string(),
            text,
            what: format!(
                "a `{var}` that is not a table returns nil before {file}:{line} indexes it"
            ),
        });
    }
    out
}

/// At most this many operands of one line are tried in `str()`.
const MAX_OPERANDS: usize = 4;

/// `TypeError: can only concatenate str (not "int") to str` (or `unsupported operand type(s)
/// for +: 'int' and 'str'`) raised at the traceback's last `File "report.py", line 5`: that
/// line with a name next to a `+` and a string literal wrapped in `str()` — each such name
/// alone, then all of them (`name + ": " + qty` → `name + ": " + str(qty)`).
fn python_str_concat(output: &str, read: &dyn Fn(&str) -> Option<String>) -> Vec<Fix> {
    let mut out = Vec::new();
    let mut frame: Option<(&str, usize)> = None;
    for l in output.lines() {
        let t = l.trim();
        if t.starts_with("File ") {
            let line = t
                .split(", line ")
                .nth(1)
                .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|n| n.parse::<usize>().ok());
            if let (Some(f), Some(n)) = (quoted_after(t, "File", '"'), line) {
                frame = Some((f, n));
            }
            continue;
        }
        // A number only: `str(None)` would print "None" and stop the crash all the same.
        let number = t.contains("\"int\"")
            || t.contains("\"float\"")
            || t.contains("'int'")
            || t.contains("'float'");
        let concat = number
            && (t.starts_with("TypeError: can only concatenate str (not")
                || (t.starts_with("TypeError: unsupported operand type(s) for +")
                    && t.contains("'str'")));
        let Some((file, line)) = frame.filter(|_| concat) else {
            continue;
        };
        let file = file.trim_start_matches("./");
        let Some(src) = read(file).filter(|_| file.ends_with(".py") && line > 0) else {
            continue;
        };
        let lines: Vec<&str> = src.split_inclusive('\n').collect();
        let Some(target) = lines.get(line - 1) else {
            continue;
        };
        let names = concatenated_names(target);
        let mut variants: Vec<Vec<(usize, usize)>> =
            names.iter().take(MAX_OPERANDS).map(|n| vec![*n]).collect();
        if names.len() > 1 {
            variants.push(names.clone());
        }
        for spans in variants {
            let mut new = target.to_string();
            for &(a, b) in spans.iter().rev() {
                new = format!("{}str({}){}", &new[..a], &new[a..b], &new[b..]);
            }
            let shown: Vec<&str> = spans.iter().map(|&(a, b)| &target[a..b]).collect();
            out.push(Fix {
                rel: file.to_string(),
                text: format!(
                    "{}{new}{}",
                    lines[..line - 1].concat(),
                    lines[line..].concat()
                ),
                what: format!(
                    "`{}` wrapped in `str()` where {file}:{line} adds it to a string",
                    shown.join("`, `")
                ),
            });
        }
    }
    out
}

/// Byte spans of the names (`qty`, `user.age`, `row[1]`) that stand on one side of a `+` whose
/// other side is a string literal, in line order, each once. Calls (`format(…)`) are left
/// alone: what they return is not known here.
fn concatenated_names(line: &str) -> Vec<(usize, usize)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Tok {
        Str,
        Name(usize, usize),
        Plus,
        Other,
    }
    let b = line.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'"' || c == b'\'' {
            let mut k = i + 1;
            while k < b.len() && b[k] != c {
                k += if b[k] == b'\\' { 2 } else { 1 };
            }
            toks.push(Tok::Str);
            i = k + 1;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
                i += 1;
            }
            // A string prefix (f"…", r'…') belongs to the literal.
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') && i - start <= 2 {
                continue;
            }
            if i < b.len() && b[i] == b'[' {
                let mut depth = 0;
                while i < b.len() {
                    match b[i] {
                        b'[' => depth += 1,
                        b']' => {
                            depth -= 1;
                            if depth == 0 {
                                i += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            let word = &line[start..i];
            let keyword = matches!(
                word,
                "return"
                    | "print"
                    | "yield"
                    | "if"
                    | "else"
                    | "and"
                    | "or"
                    | "not"
                    | "in"
                    | "lambda"
                    | "None"
                    | "True"
                    | "False"
            );
            let call = line[i..].trim_start().starts_with('(');
            toks.push(if keyword || call {
                Tok::Other
            } else {
                Tok::Name(start, i)
            });
        } else if c == b'+' {
            toks.push(Tok::Plus);
            i += 1;
        } else {
            if !c.is_ascii_whitespace() {
                toks.push(Tok::Other);
            }
            i += 1;
        }
    }
    let mut out = Vec::new();
    for k in 1..toks.len().saturating_sub(1) {
        if toks[k] != Tok::Plus {
            continue;
        }
        for (name, other) in [(toks[k - 1], toks[k + 1]), (toks[k + 1], toks[k - 1])] {
            if let (Tok::Name(a, z), Tok::Str) = (name, other) {
                if !out.contains(&(a, z)) {
                    out.push((a, z));
                }
            }
        }
    }
    out.sort_unstable();
    out
}

/// `error[E0382]: borrow of moved value: `owned`` whose "value moved here" is a call `shout(owned)`
/// and whose note says "consider changing this parameter type in function `shout` to borrow
/// instead" at `src/lib.rs:2:20`: the parameter's type borrowed (`String` → `&str`, `Vec<T>` →
/// `&[T]`, then `&T` for any) and the call passing `&owned` — when both are in one file.
fn rust_borrow_instead(output: &str, read: &dyn Fn(&str) -> Option<String>) -> Vec<Fix> {
    let lines: Vec<&str> = output.lines().collect();
    // `  --> src/lib.rs:2:20` → (file, line, column).
    let arrow = |l: &str| -> Option<(String, usize, usize)> {
        let rest = l.trim_start().strip_prefix("--> ")?;
        let mut parts = rest.trim().rsplitn(3, ':');
        let col = parts.next()?.parse().ok()?;
        let line = parts.next()?.parse().ok()?;
        Some((parts.next()?.to_string(), line, col))
    };
    // ` 9 |     let loud = shout(owned);` → 9.
    let numbered = |l: &str| -> Option<usize> { l.split('|').next()?.trim().parse().ok() };
    let mut out = Vec::new();
    for (k, l) in lines.iter().enumerate() {
        let Some(var) = ["borrow of moved value:", "use of moved value:"]
            .iter()
            .find_map(|key| quoted_after(l, key, '`'))
        else {
            continue;
        };
        // This error's block: up to the next `error` line.
        let block: Vec<&str> = lines[k + 1..]
            .iter()
            .take_while(|b| !b.starts_with("error"))
            .copied()
            .collect();
        let Some(moved_line) = block
            .iter()
            .position(|b| b.contains("value moved here"))
            .and_then(|i| block[..i].iter().rev().find_map(|b| numbered(b)))
        else {
            continue;
        };
        let Some(note) = block
            .iter()
            .position(|b| b.contains("consider changing this parameter type in function"))
        else {
            continue;
        };
        let Some(func) = quoted_after(block[note], "in function", '`') else {
            continue;
        };
        let Some((file, param_line, param_col)) = block[note + 1..].iter().find_map(|b| arrow(b))
        else {
            continue;
        };
        let Some((err_file, ..)) = block.iter().find_map(|b| arrow(b)) else {
            continue;
        };
        if err_file != file {
            continue;
        }
        let rel = file.trim_start_matches("./").to_string();
        let Some(src) = read(&rel) else {
            continue;
        };
        let new_lines: Vec<String> = src.lines().map(str::to_string).collect();
        // The call: `func(` on the moved line, then the first whole-word `var` after it.
        let Some(call) = new_lines.get(moved_line.saturating_sub(1)).and_then(|t| {
            let at = t.find(&format!("{func}("))? + func.len();
            let head = &t[..at];
            let tail = replace_first_word(&t[at..], var, &format!("&{var}"))?;
            Some(format!("{head}{tail}"))
        }) else {
            continue;
        };
        // The parameter's type: from its column to the `,` or `)` that ends it.
        let Some(header) = new_lines.get(param_line.saturating_sub(1)) else {
            continue;
        };
        let Some(start) = header
            .char_indices()
            .nth(param_col.saturating_sub(1))
            .map(|(i, _)| i)
        else {
            continue;
        };
        let mut depth = 0i32;
        let end = header[start..]
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '<' | '(' | '[' => depth += 1,
                    '>' | ']' => depth -= 1,
                    ')' if depth > 0 => depth -= 1,
                    _ => {}
                }
                depth == 0 && (c == ',' || c == ')')
            })
            .map_or(header.len(), |(i, _)| start + i);
        let ty = header[start..end].trim().to_string();
        if ty.is_empty() || ty.starts_with('&') {
            continue;
        }
        let mut borrowed = Vec::new();
        if ty == "String" {
            borrowed.push("&str".to_string());
        } else if let Some(inner) = ty.strip_prefix("Vec<").and_then(|t| t.strip_suffix('>')) {
            borrowed.push(format!("&[{inner}]"));
        }
        borrowed.push(format!("&{ty}"));
        for b in borrowed {
            let mut edited = new_lines.clone();
            edited[param_line - 1] = format!("{}{b}{}", &header[..start], &header[end..]);
            edited[moved_line - 1] = call.clone();
            let mut text = edited.join("\n");
            if src.ends_with('\n') {
                text.push('\n');
            }
            out.push(Fix {
                rel: rel.clone(),
                text,
                what: format!(
                    "`{func}` borrows its argument (`{ty}` → `{b}`, `&{var}` passed), as rustc suggests"
                ),
            });
        }
    }
    out
}

/// `text` with its first whole-word `old` replaced by `new`; `None` when there is none.
fn replace_first_word(text: &str, old: &str, new: &str) -> Option<String> {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let k = text.match_indices(old).map(|(k, _)| k).find(|&k| {
        !text[..k].chars().next_back().is_some_and(word)
            && !text[k + old.len()..].chars().next().is_some_and(word)
    })?;
    Some(format!("{}{new}{}", &text[..k], &text[k + old.len()..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files<'a>(fs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |rel: &str| {
            fs.iter()
                .find(|(p, _)| *p == rel)
                .map(|(_, t)| t.to_string())
        }
    }

    #[test]
    fn a_missing_import_tries_each_name_the_module_defines() {
        let app = "from helpers import parse_int\n\nprint(parse_int('4'), parse_integers)\n";
        let helpers = "def to_int(t):\n    return int(t)\n\ndef _private():\n    pass\n\nclass Box:\n    pass\n";
        let out = "Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\n    from helpers import parse_int\nImportError: cannot import name 'parse_int' from 'helpers' (helpers.py)\n";
        let fixes = candidates(out, &files(&[("app.py", app), ("helpers.py", helpers)]));
        assert_eq!(fixes.len(), 2, "{fixes:?}");
        assert_eq!(
            fixes[0].text,
            "from helpers import to_int\n\nprint(to_int('4'), parse_integers)\n"
        );
        assert_eq!(fixes[0].rel, "app.py");
        assert!(fixes[1].text.contains("import Box"));
    }

    #[test]
    fn a_conflicting_c_declaration_is_made_to_match_the_definition() {
        let h = "#pragma once\n\nint average(const double *xs, int n);\n";
        let c =
            "#include \"temps.h\"\n\ndouble average(const double *xs, int n) {\n    return 0;\n}\n";
        let out = "temps.c:3:8: error: conflicting types for ‘average’; have ‘double(const double *, int)’\n    3 | double average(const double *xs, int n) {\nIn file included from temps.c:1:\ntemps.h:3:5: note: previous declaration of ‘average’ with type ‘int(const double *, int)’\n";
        let fixes = candidates(out, &files(&[("temps.h", h), ("temps.c", c)]));
        assert_eq!(fixes.len(), 1);
        assert_eq!(fixes[0].rel, "temps.h");
        assert_eq!(
            fixes[0].text,
            "#pragma once\n\ndouble average(const double *xs, int n);\n"
        );
    }

    #[test]
    fn a_lua_local_indexed_while_nil_returns_nil_first() {
        let lua = "function M.get(cfg, path)\n  local node = cfg\n  for part in path:gmatch('[^.]+') do\n    node = node[part]\n  end\n  return node\nend\n";
        let out = "lua5.4: ./settings.lua:4: attempt to index a nil value (local 'node')\nstack traceback:\n";
        let fixes = candidates(out, &files(&[("settings.lua", lua)]));
        assert_eq!(fixes.len(), 1);
        assert!(fixes[0].text.contains(
            "do\n    if type(node) ~= \"table\" then return nil end\n    node = node[part]\n"
        ));
    }

    #[test]
    fn other_errors_give_nothing() {
        let fs = [("a.py", "x = 1\n")];
        assert!(candidates("NameError: name 'y' is not defined\n", &files(&fs)).is_empty());
        assert!(candidates("", &files(&fs)).is_empty());
        // The named files must exist.
        let out =
            "  File \"a.py\", line 1\nImportError: cannot import name 'f' from 'gone' (gone.py)\n";
        assert!(candidates(out, &files(&fs)).is_empty());
    }

    #[test]
    fn a_number_added_to_a_string_is_wrapped_in_str() {
        let py = "def line(name, qty, price):\n    return name + \": \" + qty + \" x \" + format(price, \".2f\")\n";
        let out = "Traceback (most recent call last):\n  File \"report.py\", line 9, in <module>\n    print(line('a', 3, 0.5))\n  File \"report.py\", line 2, in line\n    return name + \": \" + qty + \" x \"\n           ~~~~~~~~~~~~^~~~~\nTypeError: can only concatenate str (not \"int\") to str\n";
        let fixes = candidates(out, &files(&[("report.py", py)]));
        assert_eq!(fixes.len(), 3, "{fixes:?}");
        assert!(fixes[0].text.contains("return str(name) + \": \" + qty"));
        assert!(fixes[1]
            .text
            .contains("return name + \": \" + str(qty) + \" x \" + format(price"));
        assert!(fixes[2].text.contains("str(name) + \": \" + str(qty)"));
        assert!(fixes[1].text.starts_with("def line(name, qty, price):\n"));
        assert_eq!(
            fixes[1].what,
            "`qty` wrapped in `str()` where report.py:2 adds it to a string"
        );
    }

    #[test]
    fn only_names_beside_a_string_literal_are_candidates() {
        let spans = |l: &str| -> Vec<String> {
            concatenated_names(l)
                .into_iter()
                .map(|(a, b)| l[a..b].to_string())
                .collect()
        };
        assert_eq!(spans("    x = a + b + 'c'"), ["b"]);
        assert_eq!(
            spans("print(f\"n={n}\" + user.age + row[1] + \"!\")"),
            ["user.age", "row[1]"]
        );
        assert!(spans("total = total + price").is_empty());
        assert!(spans("s = 'a' + str(n)").is_empty());
    }

    #[test]
    fn a_moved_value_rustc_says_could_be_borrowed_is_borrowed() {
        let src = "/// Upper-case.\npub fn shout(text: String) -> String {\n    format!(\"{}!\", text.to_uppercase())\n}\n\npub fn echo(text: &str) -> String {\n    let owned = text.to_string();\n    let loud = shout(owned);\n    format!(\"{} -> {}\", owned, loud)\n}\n";
        let out = "error[E0382]: borrow of moved value: `owned`\n  --> src/lib.rs:9:25\n   |\n 7 |     let owned = text.to_string();\n   |         ----- move occurs because `owned` has type `String`\n 8 |     let loud = shout(owned);\n   |                      ----- value moved here\n 9 |     format!(\"{} -> {}\", owned, loud)\n   |                         ^^^^^ value borrowed here after move\n   |\nnote: consider changing this parameter type in function `shout` to borrow instead if owning the value isn't necessary\n  --> src/lib.rs:2:20\n   |\n 2 | pub fn shout(text: String) -> String {\n   |        -----       ^^^^^^ this parameter takes ownership of the value\n";
        let fixes = candidates(out, &files(&[("src/lib.rs", src)]));
        assert_eq!(fixes.len(), 2, "{fixes:?}");
        assert_eq!(fixes[0].rel, "src/lib.rs");
        assert!(fixes[0]
            .text
            .contains("pub fn shout(text: &str) -> String {"));
        assert!(fixes[0].text.contains("let loud = shout(&owned);"));
        assert!(fixes[0].text.contains("format!(\"{} -> {}\", owned, loud)"));
        assert!(fixes[1]
            .text
            .contains("pub fn shout(text: &String) -> String {"));
        // Without rustc's note there is nothing to go on.
        let bare = out.split("note:").next().unwrap();
        assert!(candidates(bare, &files(&[("src/lib.rs", src)])).is_empty());
    }
}
