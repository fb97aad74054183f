//! Whole-unit replacement per language: a function, a method inside a class/impl, rambling extra
//! code dropped, a whole-file rewrite. Written as before → block → after.

use std::path::Path;

use super::*;
use crate::edit::apply;

fn run(lang: &str, file: &str, block: &str, allow_new: bool) -> (String, UnitOutcome) {
    let out = replace_units(
        Path::new("f"),
        file,
        lang,
        block,
        &UnitOptions { allow_new },
    )
    .expect("block maps");
    (apply(file, &out.edits).expect("edits apply"), out)
}

fn dropped(out: &UnitOutcome) -> Vec<&str> {
    out.dropped.iter().map(|d| d.name.as_str()).collect()
}

const PY: &str = "import math\n\n\ndef add(a, b):\n    return a - b\n\n\nclass Calc:\n    \"\"\"A calculator.\"\"\"\n\n    def mul(self, a, b):\n        return a + b\n\n    @staticmethod\n    def div(a, b):\n        return a / b\n";

#[test]
fn python_function_and_rambling() {
    let block = "def add(a, b):\n    return a + b\n\n\ndef main():\n    print(add(1, 2))\n\n\nprint(add(2, 3))\n";
    let (after, out) = run("python", PY, block, false);
    assert_eq!(after, PY.replace("return a - b", "return a + b"));
    assert_eq!(out.replaced, vec!["add"]);
    assert!(out
        .dropped
        .iter()
        .any(|d| d.name == "main" && d.reason == DropReason::NotInFile));
    assert!(out
        .dropped
        .iter()
        .any(|d| d.reason == DropReason::OtherCode));
    assert!(!out.whole_file);
}

#[test]
fn python_method_written_alone_finds_its_class() {
    let block = "    def mul(self, a, b):\n        # fixed\n        return a * b\n";
    let (after, out) = run("py", PY, block, false);
    assert_eq!(
        after,
        PY.replace(
            "        return a + b\n",
            "        # fixed\n        return a * b\n"
        )
    );
    assert_eq!(out.replaced, vec!["Calc.mul"]);
}

#[test]
fn python_partial_class_replaces_by_method_keeping_decorator() {
    let block = "class Calc:\n    @staticmethod\n    def div(a, b):\n        return a // b\n";
    let (after, out) = run("python", PY, block, false);
    assert_eq!(after, PY.replace("a / b", "a // b"));
    assert_eq!(out.replaced, vec!["Calc.div"]);
}

#[test]
fn python_whole_file_rewrite() {
    let block = "import math\n\n\ndef add(a, b):\n    return a + b\n\n\nclass Calc:\n    def mul(self, a, b):\n        return a * b\n\n    @staticmethod\n    def div(a, b):\n        return a / b\n\n\nprint(Calc().mul(2, 3))\n";
    let (after, out) = run("python", PY, block, false);
    assert!(out.whole_file);
    assert_eq!(out.edits[0].strategy, Strategy::WholeFile);
    assert!(
        after.starts_with("import math\n")
            && after.contains("return a * b")
            && !after.contains("print(")
    );
    assert_eq!(dropped(&out), vec!["print(Calc().mul(2, 3))"]);
}

#[test]
fn python_allow_new_appends() {
    let (after, out) = run("python", PY, "def neg(a):\n    return -a\n", true);
    assert_eq!(after, format!("{PY}\n\ndef neg(a):\n    return -a\n"));
    assert_eq!(out.added, vec!["neg"]);
}

const RS: &str = "use std::fmt;\n\n/// Adds.\nfn add(a: u32, b: u32) -> u32 {\n    a - b\n}\n\nstruct P {\n    x: u32,\n}\n\nimpl P {\n    fn get(&self) -> u32 {\n        0\n    }\n\n    fn set(&mut self, x: u32) {\n        self.x = x;\n    }\n}\n\nimpl fmt::Display for P {\n    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {\n        write!(f, \"P\")\n    }\n}\n";

#[test]
fn rust_function_with_doc_comment_replaced() {
    let block = "/// Adds two numbers.\nfn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n\nfn main() {\n    println!(\"{}\", add(1, 2));\n}\n";
    let (after, out) = run("rust", RS, block, false);
    assert_eq!(
        after,
        RS.replace(
            "/// Adds.\nfn add(a: u32, b: u32) -> u32 {\n    a - b",
            "/// Adds two numbers.\nfn add(a: u32, b: u32) -> u32 {\n    a + b"
        )
    );
    assert_eq!(out.replaced, vec!["add"]);
    assert_eq!(dropped(&out), vec!["main"]);
}

#[test]
fn rust_method_in_impl_block() {
    let block = "impl P {\n    fn get(&self) -> u32 {\n        self.x\n    }\n}\n";
    let (after, out) = run("rs", RS, block, false);
    assert_eq!(after, RS.replace("        0\n", "        self.x\n"));
    assert_eq!(out.replaced, vec!["P::get"]);
}

#[test]
fn rust_bare_method_fmt_goes_to_the_only_fmt() {
    let block = "fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {\n    write!(f, \"P({})\", self.x)\n}\n";
    let (after, out) = run("rust", RS, block, false);
    assert!(after.contains("    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {\n        write!(f, \"P({})\", self.x)\n    }\n"), "{after}");
    assert_eq!(out.replaced, vec!["P::fmt"]);
}

#[test]
fn rust_whole_impl_when_it_has_every_method() {
    let block = "impl P {\n    fn get(&self) -> u32 {\n        self.x\n    }\n\n    fn set(&mut self, x: u32) {\n        self.x = x + 0;\n    }\n}\n";
    let (after, out) = run("rust", RS, block, false);
    assert_eq!(out.replaced, vec!["impl P"]);
    assert!(after.contains("self.x = x + 0;") && after.contains("        self.x\n"));
}

const JS: &str = "export function add(a, b) {\n  return a - b;\n}\n\nclass Stack {\n  push(x) {\n    this.items.push(x);\n  }\n\n  pop() {\n    return this.items.shift();\n  }\n}\n\nconst twice = (f) => (x) => f(f(x));\n";

#[test]
fn javascript_function_method_and_arrow() {
    let block = "function add(a, b) {\n  return a + b;\n}\n\nclass Stack {\n  pop() {\n    return this.items.pop();\n  }\n}\n\nconst twice = (f) => (x) => f(x);\n\nconsole.log(add(1, 2));\n";
    let (after, out) = run("javascript", JS, block, false);
    let want = JS
        .replace("a - b", "a + b")
        .replace("items.shift()", "items.pop()")
        .replace("f(f(x))", "f(x)");
    assert_eq!(after, want);
    assert_eq!(out.replaced, vec!["add", "Stack.pop", "twice"]);
    assert_eq!(dropped(&out), vec!["console.log(add(1, 2));"]);
}

const GO: &str = "package main\n\nimport \"fmt\"\n\ntype Box struct {\n\tn int\n}\n\nfunc (b *Box) Get() int {\n\treturn 0\n}\n\nfunc Get() int {\n\treturn 1\n}\n\nfunc main() {\n\tfmt.Println(Get())\n}\n";

#[test]
fn go_method_by_receiver_and_spaces_become_tabs() {
    let block = "func (b *Box) Get() int {\n    if b == nil {\n        return -1\n    }\n    return b.n\n}\n\nfunc helper() {}\n";
    let (after, out) = run("go", GO, block, false);
    assert_eq!(
        after,
        GO.replace(
            "func (b *Box) Get() int {\n\treturn 0\n}",
            "func (b *Box) Get() int {\n\tif b == nil {\n\t\treturn -1\n\t}\n\treturn b.n\n}"
        )
    );
    assert_eq!(out.replaced, vec!["Box.Get"]);
    assert_eq!(dropped(&out), vec!["helper"]);
}

#[test]
fn go_plain_function_not_confused_with_method() {
    let (after, out) = run("go", GO, "func Get() int {\n\treturn 2\n}\n", false);
    assert_eq!(after, GO.replace("\treturn 1\n", "\treturn 2\n"));
    assert_eq!(out.replaced, vec!["Get"]);
}

const C: &str = "#include <stdio.h>\n\nstruct point {\n    int x;\n};\n\n/* Sum of a and b. */\nstatic int add(int a, int b) {\n    return a - b;\n}\n\nint *first(int *v) {\n    return v;\n}\n\nint main(void) {\n    printf(\"%d\\n\", add(1, 2));\n    return 0;\n}\n";

#[test]
fn c_function_and_pointer_declarator() {
    let block = "static int add(int a, int b) {\n    return a + b;\n}\n\nint *first(int *v) {\n    return v + 0;\n}\n\nint unused(void) { return 3; }\n";
    let (after, out) = run("c", C, block, false);
    assert_eq!(
        after,
        C.replace("a - b", "a + b")
            .replace("return v;", "return v + 0;")
    );
    assert_eq!(out.replaced, vec!["add", "first"]);
    assert_eq!(dropped(&out), vec!["unused"]);
}

#[test]
fn c_whole_file_rewrite_keeps_includes() {
    let block = C
        .replace("a - b", "a + b")
        .replace("int x;", "int x;\n    int y;");
    let (after, out) = run("c", C, &block, false);
    assert!(out.whole_file);
    assert_eq!(after, block);
}

const LUA: &str = "local M = {}\n\nfunction M.add(a, b)\n  return a - b\nend\n\nfunction M:name()\n  return \"m\"\nend\n\nlocal function helper(x)\n  return x\nend\n\nreturn M\n";

#[test]
fn lua_module_functions_and_methods() {
    let block = "function M.add(a, b)\n  return a + b\nend\n\nfunction M:name()\n  return \"M\"\nend\n\nprint(M.add(1, 2))\n";
    let (after, out) = run("lua", LUA, block, false);
    assert_eq!(
        after,
        LUA.replace("a - b", "a + b").replace("\"m\"", "\"M\"")
    );
    assert_eq!(out.replaced, vec!["M.add", "M.name"]);
    assert_eq!(dropped(&out), vec!["print(M.add(1, 2))"]);
}

#[test]
fn lua_local_function_by_plain_name() {
    let (after, out) = run(
        "lua",
        LUA,
        "local function helper(x)\n  return x * 2\nend\n",
        false,
    );
    assert_eq!(after, LUA.replace("  return x\n", "  return x * 2\n"));
    assert_eq!(out.replaced, vec!["helper"]);
}

#[test]
fn ambiguous_method_name_is_dropped_not_guessed() {
    let file = "class A:\n    def run(self):\n        return 1\n\n\nclass B:\n    def run(self):\n        return 2\n";
    let out = replace_units(
        Path::new("f"),
        file,
        "python",
        "def run(self):\n    return 3\n",
        &UnitOptions::default(),
    )
    .unwrap();
    assert!(out.edits.is_empty());
    assert_eq!(
        out.dropped,
        vec![Dropped {
            name: "run".into(),
            reason: DropReason::Ambiguous(vec![2, 7])
        }]
    );
}

#[test]
fn errors_name_the_bad_value() {
    let e = replace_units(Path::new("f"), "x", "cobol", "x", &UnitOptions::default()).unwrap_err();
    assert_eq!(e, UnitError::UnknownLanguage("cobol".into()));
    let e = replace_units(
        Path::new("f"),
        "x = 1\n",
        "python",
        "Sure! Here you go.\n",
        &UnitOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e, UnitError::NoDefinitions);
}

/// Qualified name, first line of the unit and first line of its lead, flattened.
fn units_of(lang: &str, units: &crate::syntax::Units, src: &str) -> Vec<(String, String, String)> {
    let lang = crate::syntax::language::language_by_name(lang).unwrap();
    let tree = parse(lang, src).unwrap();
    let defs = definitions(lang, units, lang.attach().unwrap(), &tree, src);
    let line = |at: usize| src[at..].lines().next().unwrap_or("").trim().to_string();
    flatten(&defs)
        .iter()
        .map(|d| (d.qualified.clone(), line(d.range.start), line(d.lead)))
        .collect()
}

const PY_UNITS: &str = "import functools\n\n\n# Cached.\n@functools.cache\ndef f():\n    def inner():\n        pass\n\n\nclass C:\n    @staticmethod\n    def m():\n        pass\n\n    def n(self):\n        pass\n";

/// Units come from `queries/python/units.scm`: a decorated function starts at its decorator
/// and keeps its comment, methods are qualified by their class, nested functions are not units.
#[test]
fn python_units_come_from_its_query_file() {
    let py = crate::syntax::language::language_by_name("python").unwrap();
    let own = |q: &str, a: &str, l: &str| (q.to_string(), a.to_string(), l.to_string());
    assert_eq!(
        units_of("python", py.units().unwrap(), PY_UNITS),
        vec![
            own("f", "@functools.cache", "# Cached."),
            own("C", "class C:", "class C:"),
            own("C.m", "@staticmethod", "@staticmethod"),
            own("C.n", "def n(self):", "def n(self):"),
        ]
    );
    // Another query, other units: only plain functions, no wrappers, no containers.
    let only_functions = crate::syntax::Units::new(
        &py.grammar(),
        "(function_definition name: (_) @name) @unit",
        "python",
    )
    .unwrap();
    assert_eq!(units_of("python", &only_functions, PY_UNITS), vec![]);
    let with_wrappers = crate::syntax::Units::new(
        &py.grammar(),
        "(function_definition name: (_) @name) @unit\n(decorated_definition definition: (_) @wrapped) @wrapper",
        "python",
    )
    .unwrap();
    assert_eq!(
        units_of("python", &with_wrappers, PY_UNITS),
        vec![own("f", "@functools.cache", "# Cached.")]
    );
}
