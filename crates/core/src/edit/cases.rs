//! The case table: each SEARCH/REPLACE case records the strategy that must find it and the exact
//! file text after applying, or the refusal it must get (codecompanion's `edit_tool_cases`).
//!
//! A case that starts matching through a looser strategy than recorded is a regression even when
//! the text comes out right: it means a stricter strategy stopped working.

use super::{apply, locate, Edit, LocateError, Strategy};

/// What a case must produce.
enum Expect {
    /// Found by this strategy; the file must read exactly like this afterwards.
    Applied(Strategy, &'static str),
    /// Refused: several places match.
    Ambiguous,
    /// Refused: nothing close enough.
    NotFound,
}

struct Case {
    name: &'static str,
    file: &'static str,
    search: &'static str,
    replace: &'static str,
    expect: Expect,
}

use Expect::*;
use Strategy::*;

const PY: &str = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n";
const PY_CRLF: &str =
    "def add(a, b):\r\n    return a + b\r\n\r\n\r\ndef sub(a, b):\r\n    return a - b\r\n";
const RS_TABS: &str = "impl Foo {\n\tfn get(&self) -> u32 {\n\t\tself.x\n\t}\n}\n";
const DUP: &str = "fn a() {\n    let v = load(1);\n    save(v);\n}\n\nfn b() {\n    let v = load(2);\n    save(v);\n}\n";

const CASES: &[Case] = &[
    Case { name: "exact one line", file: PY, search: "return a + b", replace: "return b + a", expect: Applied(Exact, "def add(a, b):\n    return b + a\n\n\ndef sub(a, b):\n    return a - b\n") },
    Case { name: "exact multi line with newline", file: PY, search: "def sub(a, b):\n    return a - b\n", replace: "def sub(a, b):\n    return b - a\n", expect: Applied(Exact, "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return b - a\n") },
    Case { name: "exact deletion", file: PY, search: "\n\ndef sub(a, b):\n    return a - b\n", replace: "", expect: Applied(Exact, "def add(a, b):\n    return a + b\n") },
    Case { name: "exact duplicate refused", file: "x = 1\ny = 2\nx = 1\n", search: "x = 1", replace: "x = 3", expect: Ambiguous },
    Case { name: "exact in a CRLF file", file: PY_CRLF, search: "return a + b", replace: "return a + b + 0", expect: Applied(Exact, "def add(a, b):\r\n    return a + b + 0\r\n\r\n\r\ndef sub(a, b):\r\n    return a - b\r\n") },
    Case { name: "trailing spaces in file", file: "a = 1   \nb = 2\n", search: "a = 1\nb = 2", replace: "a = 10\nb = 20", expect: Applied(TrimmedLines, "a = 10\nb = 20\n") },
    Case { name: "trailing spaces in needle", file: "a = 1\nb = 2\n", search: "a = 1  \nb = 2 \n", replace: "a = 3\nb = 4\n", expect: Applied(TrimmedLines, "a = 3\nb = 4\n") },
    Case { name: "LF needle in CRLF file", file: PY_CRLF, search: "def add(a, b):\n    return a + b\n", replace: "def add(a, b):\n    return a + b + 1\n", expect: Applied(TrimmedLines, "def add(a, b):\r\n    return a + b + 1\r\n\r\n\r\ndef sub(a, b):\r\n    return a - b\r\n") },
    Case { name: "CRLF needle in LF file", file: PY, search: "def add(a, b):\r\n    return a + b\r\n", replace: "def add(a, b):\r\n    return 0\r\n", expect: Applied(TrimmedLines, "def add(a, b):\n    return 0\n\n\ndef sub(a, b):\n    return a - b\n") },
    Case { name: "leading blank lines in needle", file: PY, search: "\n\ndef sub(a, b):\n    return a - b", replace: "\ndef sub(a, b):\n    return -1\n", expect: Applied(Exact, "def add(a, b):\n    return a + b\n\ndef sub(a, b):\n    return -1\n\n") },
    Case { name: "blank line inside needle missing", file: "a()\n\nb()\nc()\n", search: "a()\nb()\n", replace: "a2()\nb2()\n", expect: Applied(WhitespaceNormalized, "a2()\nb2()\nc()\n") },
    Case { name: "extra blank line in needle", file: "a()\nb()\nc()\n", search: "a()\n\nb()", replace: "x()", expect: Applied(WhitespaceNormalized, "x()\nc()\n") },
    Case { name: "doubled inner spaces", file: "let  x =  1;\nlet y = 2;\n", search: "let x = 1;\nlet y = 2;", replace: "let x = 5;\nlet y = 6;", expect: Applied(WhitespaceNormalized, "let x = 5;\nlet y = 6;\n") },
    Case { name: "tabs in file, spaces in needle", file: RS_TABS, search: "    fn get(&self) -> u32 {\n        self.x\n    }", replace: "    fn get(&self) -> u32 {\n        self.x + 1\n    }", expect: Applied(WhitespaceNormalized, "impl Foo {\n\tfn get(&self) -> u32 {\n\t\tself.x + 1\n\t}\n}\n") },
    Case { name: "needle without indentation", file: "class A:\n    def f(self):\n        return 1\n", search: "def f(self):\n    return 1", replace: "def f(self):\n    return 2", expect: Applied(IndentFlexible, "class A:\n    def f(self):\n        return 2\n") },
    Case { name: "needle indented deeper", file: "fn main() {\n    run();\n    stop();\n}\n", search: "        run();\n        stop();", replace: "        run();\n        if ok {\n            stop();\n        }", expect: Applied(IndentFlexible, "fn main() {\n    run();\n    if ok {\n        stop();\n    }\n}\n") },
    Case { name: "indent-flexible into tabs", file: RS_TABS, search: "fn get(&self) -> u32 {\n    self.x\n}", replace: "fn get(&self) -> u32 {\n    if self.y {\n        0\n    } else {\n        self.x\n    }\n}", expect: Applied(IndentFlexible, "impl Foo {\n\tfn get(&self) -> u32 {\n\t\tif self.y {\n\t\t\t0\n\t\t} else {\n\t\t\tself.x\n\t\t}\n\t}\n}\n") },
    Case { name: "indent-flexible duplicate refused", file: "if a:\n    go()\nif b:\n        go()\n", search: "  go()\n  go()", replace: "x", expect: NotFound },
    Case { name: "same lines at two depths refused", file: "def f():\n    x = 1\n    y = 2\ndef g():\n        x = 1\n        y = 2\n", search: "x = 1\ny = 2", replace: "z = 3", expect: Ambiguous },
    Case { name: "near duplicate, exact picks one", file: DUP, search: "    let v = load(2);\n", replace: "    let v = load(3);\n", expect: Applied(Exact, "fn a() {\n    let v = load(1);\n    save(v);\n}\n\nfn b() {\n    let v = load(3);\n    save(v);\n}\n") },
    Case { name: "near duplicate, shared lines refused", file: DUP, search: "    save(v);\n}", replace: "    drop(v);\n}", expect: Ambiguous },
    Case { name: "near duplicate, trimmed picks one", file: DUP, search: "let v = load(1);  \nsave(v);", replace: "let v = load(10);\nsave(v);", expect: Applied(IndentFlexible, "fn a() {\n    let v = load(10);\n    save(v);\n}\n\nfn b() {\n    let v = load(2);\n    save(v);\n}\n") },
    Case { name: "fuzzy typo", file: "fn total(items: &[u32]) -> u32 {\n    items.iter().copied().sum()\n}\n", search: "fn total(items: &[u32]) -> u32 {\n    items.iter().coped().sum()\n}", replace: "fn total(items: &[u32]) -> u32 {\n    items.iter().sum()\n}", expect: Applied(Fuzzy, "fn total(items: &[u32]) -> u32 {\n    items.iter().sum()\n}\n") },
    Case { name: "fuzzy missing semicolon", file: "let a = compute_first_value(1);\nlet b = compute_second_value(a);\n", search: "let a = compute_first_value(1)\nlet b = compute_second_value(a)", replace: "let b = 0;", expect: Applied(Fuzzy, "let b = 0;\n") },
    Case { name: "fuzzy typo near a near-duplicate refused", file: "x = compute(alpha)\nsave(x)\n\nx = compute(alphb)\nsave(x)\n", search: "x = compute(alphc)\nsave(x)", replace: "pass", expect: Ambiguous },
    Case { name: "fuzzy typo picks the clearly closer copy", file: "total = compute_total(first_list)\nsave(total)\n\ntotal = compute_total(other_values)\nsave(total)\n", search: "total = compute_totl(first_list)\nsave(total)", replace: "pass", expect: Applied(Fuzzy, "pass\n\ntotal = compute_total(other_values)\nsave(total)\n") },
    Case { name: "unrelated text not found", file: PY, search: "class Zebra:\n    stripes = 40\n", replace: "", expect: NotFound },
    Case { name: "too different not found", file: "value = load_config(path)\n", search: "value = read_settings(file)\n", replace: "", expect: NotFound },
    Case { name: "empty search refused", file: PY, search: "  \n", replace: "x", expect: NotFound },
    Case { name: "deletion removes the line", file: "a\nb  \nc\n", search: "b\n", replace: "", expect: Applied(TrimmedLines, "a\nc\n") },
    Case { name: "unicode content", file: "msg = \"héllo wörld\"\nprint(msg)\n", search: "msg = \"héllo wörld\"  \nprint(msg)", replace: "msg = \"grüß\"\nprint(msg)", expect: Applied(TrimmedLines, "msg = \"grüß\"\nprint(msg)\n") },
    Case { name: "replacement keeps relative indent", file: "def f():\n    if x:\n        y()\n", search: "if x:\n    y()", replace: "if x:\n    y()\nelse:\n    z()", expect: Applied(IndentFlexible, "def f():\n    if x:\n        y()\n    else:\n        z()\n") },
    Case { name: "CRLF needle, tabs file, indent change", file: "func f() {\r\n\tif ok {\r\n\t\treturn\r\n\t}\r\n}\r\n", search: "if ok {\r\n    return\r\n}\r\n", replace: "if !ok {\r\n    return\r\n}\r\n", expect: Applied(IndentFlexible, "func f() {\r\n\tif !ok {\r\n\t\treturn\r\n\t}\r\n}\r\n") },
    Case { name: "trailing-space and blank-line noise together", file: "a = 1\n\nb = 2\nc = 3\n", search: "a = 1 \nb = 2  \n\n\nc = 3", replace: "abc = 6", expect: Applied(WhitespaceNormalized, "abc = 6\n") },
    Case { name: "one-line needle in two functions refused", file: DUP, search: "save(v);", replace: "keep(v);", expect: Ambiguous },
];

fn run(c: &Case) -> Result<(Strategy, String), LocateError> {
    let m = locate(c.file, c.search)?;
    let edit = Edit::from_match("f", c.file, c.search, &m, c.replace);
    Ok((
        m.strategy,
        apply(c.file, &[edit]).expect("a located edit applies"),
    ))
}

#[test]
fn case_table() {
    assert!(CASES.len() >= 30);
    let mut failures = Vec::new();
    for c in CASES {
        let got = run(c);
        let ok = match (&c.expect, &got) {
            (Applied(s, text), Ok((gs, gt))) => s == gs && text == gt,
            (Ambiguous, Err(LocateError::Ambiguous { .. })) => true,
            (NotFound, Err(LocateError::NotFound { .. } | LocateError::EmptyNeedle)) => true,
            _ => false,
        };
        if !ok {
            let want = match &c.expect {
                Applied(s, t) => format!("{s:?} {t:?}"),
                Ambiguous => "ambiguous".into(),
                NotFound => "not found".into(),
            };
            failures.push(format!("{}: want {want}, got {got:?}", c.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}
