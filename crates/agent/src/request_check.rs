//! The request's examples as executable checks, in the target's own language.
//!
//! Each [`Expectation`] becomes a small harness written to a directory outside the project
//! (never into it) and run like any other check: cwd = the shadow tree, one failing line that
//! says what the call returned and what the request wanted, which goes back to the model.
//!
//! | language | a call's value | program output |
//! |---|---|---|
//! | Python | import the defining module, `eval` the call in its namespace | `python3 main.py` |
//! | JavaScript | `require` the module (or run it in a `vm` context), evaluate the call | `node main.js` |
//! | C / C++ | include the defining file (its `main` renamed) in a generated `main`, build with errors for implicit declarations and missing returns | build all sources, run |
//! | Rust | the defining file plus a `#[test]`, `rustc --test` | `cargo run -q` |
//! | Go | a `_test.go` beside the file, `go test -run` | `go run .` |
//! | Lua | `dofile` the module, evaluate the call with its table in scope | `lua main.lua` |
//!
//! An expectation that cannot be made executable (no definition of the callee, a language
//! without a harness, a Rust crate with dependencies) is returned with the reason, so the chat
//! shows it instead of dropping it. These checks execute project code: the harness runs them only
//! in a trusted project.

use std::path::{Path, PathBuf};

use crate::check::CheckCmd;
use crate::expect::Expectation;

/// Seconds one request check may run (a model's body can loop forever; the example is small).
const CALL_LIMIT: u32 = 15;

/// Seconds an output check may run, its build included (`cargo run` compiles first).
const OUTPUT_LIMIT: u32 = 60;

/// One expectation and how it is checked.
#[derive(Debug, Clone)]
pub struct RequestCheck {
    /// What the request stated.
    pub expectation: Expectation,
    /// The command that checks it (cwd = the shadow tree); `None` when it could not be made
    /// executable.
    pub cmd: Option<CheckCmd>,
    /// Why there is no command.
    pub skipped: Option<String>,
    /// The project file defining the callee (project-relative), when found.
    pub callee_file: Option<String>,
}

/// Where a callee is defined: (project-relative file, registry language name).
pub type Locate<'a> = dyn Fn(&str) -> Option<(String, &'static str)> + 'a;

/// `cmd` with its call's time limit set to `secs` instead of [`CALL_LIMIT`] (probes of inputs
/// the old code may hang on).
pub fn with_call_limit(cmd: &CheckCmd, secs: u32) -> CheckCmd {
    CheckCmd {
        name: cmd.name.clone(),
        command: cmd.command.replacen(
            &format!("timeout {CALL_LIMIT} "),
            &format!("timeout {secs} "),
            1,
        ),
    }
}

/// Builds the checks for `expectations`, writing harness files into `dir` (created by the
/// caller, outside the project). `root` is read to pick build details (Go package, Cargo
/// dependencies, which C file has `main`); `main_lang` is the project's main language (for
/// output checks without a command); `files` are the project's files (project-relative).
pub fn build(
    root: &Path,
    expectations: &[Expectation],
    locate: &Locate<'_>,
    main_lang: Option<&'static str>,
    files: &[String],
    dir: &Path,
) -> Vec<RequestCheck> {
    expectations
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let name = format!("request {}", i + 1);
            let made = match e {
                Expectation::Output { command, output } => {
                    output_check(root, command.as_deref(), output, main_lang, files, dir, i)
                        .map(|c| (c, None))
                }
                _ => {
                    let callee = e.callee().unwrap_or_default();
                    match locate(callee) {
                        None => Err(format!("no definition of `{callee}` in the project")),
                        Some((file, lang)) => {
                            call_check(root, e, &file, lang, files, dir, i).map(|c| (c, Some(file)))
                        }
                    }
                }
            };
            match made {
                Ok((command, callee_file)) => RequestCheck {
                    expectation: e.clone(),
                    cmd: Some(CheckCmd { name, command }),
                    skipped: None,
                    callee_file,
                },
                Err(why) => RequestCheck {
                    expectation: e.clone(),
                    cmd: None,
                    skipped: Some(why),
                    callee_file: None,
                },
            }
        })
        .collect()
}

/// What a check of a call must verify, in the harness's terms.
enum Want<'a> {
    Value(&'a str),
    Raises(Option<&'a str>),
    NoRaise,
}

fn want(e: &Expectation) -> Want<'_> {
    match e {
        Expectation::Value { expected, .. } => Want::Value(expected),
        Expectation::Raises { error, .. } => Want::Raises(error.as_deref()),
        _ => Want::NoRaise,
    }
}

fn write(dir: &Path, name: &str, text: &str) -> Result<PathBuf, String> {
    let p = dir.join(name);
    std::fs::write(&p, text).map_err(|e| format!("could not write {}: {e}", p.display()))?;
    Ok(p)
}

fn q(p: &Path) -> String {
    shell_quote(&p.display().to_string())
}

/// Single-quotes `s` for bash.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A JSON string literal: valid in Python and JavaScript source too.
fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn call_check(
    root: &Path,
    e: &Expectation,
    file: &str,
    lang: &str,
    files: &[String],
    dir: &Path,
    i: usize,
) -> Result<String, String> {
    let call = e.call().unwrap_or_default();
    match lang {
        "python" => {
            let p = write(dir, &format!("req{i}.py"), &python(file, call, &want(e)))?;
            Ok(format!("timeout {CALL_LIMIT} python3 {} 2>&1", q(&p)))
        }
        "javascript" => {
            let p = write(
                dir,
                &format!("req{i}.js"),
                &javascript(file, call, &want(e)),
            )?;
            Ok(format!("timeout {CALL_LIMIT} node {} 2>&1", q(&p)))
        }
        "lua" => {
            let lua = lua_bin().ok_or("no Lua interpreter installed")?;
            let p = write(
                dir,
                &format!("req{i}.lua"),
                &lua_harness(file, call, &want(e)),
            )?;
            Ok(format!("timeout {CALL_LIMIT} {lua} {} 2>&1", q(&p)))
        }
        "c" | "cpp" => {
            let Want::Value(expected) = want(e) else {
                return Err("C/C++ have no exceptions to check".into());
            };
            let cpp = lang == "cpp";
            let src = c_harness(file, call, &c_value(expected), cpp);
            let p = write(
                dir,
                &format!("req{i}.{}", if cpp { "cpp" } else { "c" }),
                &src,
            )?;
            let bin = dir.join(format!("req{i}.bin"));
            // The other sources link in (without their own main); the target is included.
            let others: Vec<String> = files
                .iter()
                .filter(|f| {
                    f.as_str() != file
                        && (f.ends_with(".c")
                            || (cpp && (f.ends_with(".cpp") || f.ends_with(".cc"))))
                })
                .filter(|f| !defines_main(&root.join(f)))
                .map(|f| shell_quote(f))
                .collect();
            let (cc, flags) = compiler(cpp);
            Ok(format!(
                "{cc} {flags} -I. -o {} {} {} -lm 2>&1 && timeout {CALL_LIMIT} {} 2>&1",
                q(&bin),
                q(&p),
                others.join(" "),
                q(&bin)
            ))
        }
        "rust" => {
            let Want::Value(expected) = want(e) else {
                return Err("Rust panics are not checked from requests yet".into());
            };
            if has_cargo_dependencies(root, files) {
                return Err("the Rust crate has dependencies; rustc alone cannot build it".into());
            }
            let h = write(
                dir,
                &format!("req{i}.rs"),
                &rust_harness(call, &c_value(expected)),
            )?;
            let parent = Path::new(file).parent().unwrap_or(Path::new(""));
            let joined = parent.join(format!(".smallcode_req{i}.rs"));
            let joined = shell_quote(&joined.display().to_string());
            let bin = dir.join(format!("req{i}.bin"));
            Ok(format!(
                "cat {} {} > {joined} && rustc --edition 2021 --test --crate-name smallcode_request -A warnings -o {} {joined} 2>&1; s=$?; rm -f {joined}; [ $s -eq 0 ] && timeout 10 {} -q 2>&1",
                shell_quote(file),
                q(&h),
                q(&bin),
                q(&bin)
            ))
        }
        "go" => {
            let Want::Value(expected) = want(e) else {
                return Err("Go panics are not checked from requests yet".into());
            };
            let pkg = go_package(&root.join(file)).unwrap_or_else(|| "main".into());
            let parent = Path::new(file).parent().unwrap_or(Path::new(""));
            let test_name = format!("smallcode_req{i}_test.go");
            let target = parent.join(&test_name);
            let h = write(dir, &test_name, &go_harness(&pkg, call, &c_value(expected)))?;
            let pdir = if parent.as_os_str().is_empty() {
                ".".to_string()
            } else {
                shell_quote(&parent.display().to_string())
            };
            Ok(format!(
                "cp {} {t} && (cd {pdir} && GOFLAGS=-mod=mod GOPROXY=off timeout 60 go test -count=1 -run TestSmallcodeRequest . 2>&1); s=$?; rm -f {t}; exit $s",
                q(&h),
                t = shell_quote(&target.display().to_string()),
            ))
        }
        other => Err(format!("no request-check harness for {other}")),
    }
}

/// The C or C++ compiler and the flags every build here uses: what current compilers treat as
/// errors in any sane project (an implicit declaration, a missing return value) fails the
/// build instead of warning.
fn compiler(cpp: bool) -> (&'static str, &'static str) {
    if cpp {
        ("g++", "-std=gnu++17 -Werror=return-type")
    } else {
        (
            "gcc",
            "-std=gnu11 -Werror=implicit-function-declaration -Werror=return-type",
        )
    }
}

/// Does this file define `main` (so it must not be linked beside the harness)?
fn defines_main(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .map(|t| t.contains(" main(") || t.contains("\nmain("))
        .unwrap_or(false)
}

fn has_cargo_dependencies(root: &Path, files: &[String]) -> bool {
    files.iter().any(|f| {
        f.ends_with("Cargo.toml")
            && std::fs::read_to_string(root.join(f)).is_ok_and(|t| {
                let mut in_deps = false;
                t.lines().any(|l| {
                    let l = l.trim();
                    if l.starts_with('[') {
                        in_deps = l == "[dependencies]";
                        return false;
                    }
                    in_deps && !l.is_empty() && !l.starts_with('#')
                })
            })
    })
}

fn go_package(path: &Path) -> Option<String> {
    let t = std::fs::read_to_string(path).ok()?;
    t.lines()
        .find_map(|l| l.trim().strip_prefix("package "))
        .map(|p| p.trim().to_string())
}

fn lua_bin() -> Option<&'static str> {
    ["lua5.4", "lua", "lua5.3", "luajit", "lua5.1"]
        .into_iter()
        .find(|b| crate::check::installed(b))
}

/// A value written Python-style (`'x'`, `True`, `None`) in C-family syntax.
fn c_value(v: &str) -> String {
    let v = v.trim();
    match v {
        "True" => return "true".into(),
        "False" => return "false".into(),
        _ => {}
    }
    if v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') && v.chars().count() > 3 {
        let inner = &v[1..v.len() - 1];
        return format!("\"{}\"", inner.replace('"', "\\\""));
    }
    v.to_string()
}

const PY: &str = r#"import importlib, importlib.util, math, os, sys
sys.path.insert(0, os.getcwd())
FILE, CALL, WANT, EXPECTED, ERROR = @FILE@, @CALL@, @WANT@, @EXPECTED@, @ERROR@
rel = FILE[:-3].replace("/", ".")
try:
    if all(p.isidentifier() for p in rel.split(".")):
        m = importlib.import_module(rel)
    else:
        spec = importlib.util.spec_from_file_location("_smallcode_target", FILE)
        m = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(m)
except BaseException as e:
    print(f"request check: importing {FILE} failed: {type(e).__name__}: {e}")
    sys.exit(1)
ns = dict(vars(m))
ns.setdefault(rel.split(".")[-1], m)
def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b
try:
    got = eval(CALL, ns)
except BaseException as e:
    if WANT == "raises" and (ERROR is None or ERROR in [c.__name__ for c in type(e).__mro__]):
        sys.exit(0)
    print(f"request check: {CALL} raised {type(e).__name__}: {e}" + (f" (the request says it should return {EXPECTED})" if WANT == "value" else ""))
    sys.exit(1)
if WANT == "raises":
    print(f"request check: {CALL} returned {got!r}; the request says it should raise {ERROR or 'an exception'}")
    sys.exit(1)
if WANT == "value":
    try:
        expected = eval(EXPECTED, ns)
    except BaseException:
        expected = EXPECTED
    if not (same(got, expected) or (isinstance(expected, str) and not isinstance(got, str) and str(got) == expected)):
        print(f"request check: {CALL} returned {got!r}, expected {expected!r}")
        sys.exit(1)
"#;

fn want_fields(w: &Want<'_>) -> (&'static str, String, String) {
    match w {
        Want::Value(v) => ("value", json_str(v), "None".into()),
        Want::Raises(e) => ("raises", "None".into(), e.map_or("None".into(), json_str)),
        Want::NoRaise => ("noraise", "None".into(), "None".into()),
    }
}

fn python(file: &str, call: &str, w: &Want<'_>) -> String {
    let (kind, expected, error) = want_fields(w);
    PY.replace("@FILE@", &json_str(file))
        .replace("@CALL@", &json_str(call))
        .replace("@WANT@", &json_str(kind))
        .replace("@EXPECTED@", &expected)
        .replace("@ERROR@", &error)
}

const JS: &str = r#"'use strict';
const path = require('path'), fs = require('fs'), vm = require('vm'), util = require('util');
const { createRequire } = require('module');
const FILE = @FILE@, CALL = @CALL@, WANT = @WANT@, EXPECTED = @EXPECTED@, ERROR = @ERROR@;
const file = path.resolve(process.cwd(), FILE);
const stem = path.basename(FILE).replace(/\.[^.]*$/, '');
let evaluate;
try {
  let exported = null;
  try { exported = require(file); } catch (e) { if (!(e instanceof SyntaxError)) throw e; }
  const name = CALL.slice(0, CALL.indexOf('(')).split('.').pop().trim();
  if (exported && (typeof exported === 'function' || (typeof exported === 'object' && name in exported))) {
    const scope = typeof exported === 'function' ? { [name]: exported } : exported;
    evaluate = (src) => new Function('__m', '__stem', 'with (__m) { const ' + stem.replace(/\W/g, '_') + ' = __m; return (' + src + '); }')(scope, stem);
  } else {
    // Not exported: run the file in a context of its own, where its top-level names live.
    const src = fs.readFileSync(file, 'utf8').replace(/^(\s*)export(\s+default)?\s/gm, (m) => ' '.repeat(m.length));
    const mod = { exports: {} };
    const ctx = vm.createContext({ require: createRequire(file), module: mod, exports: mod.exports, console, process, Buffer, __filename: file, __dirname: path.dirname(file) });
    vm.runInContext(src, ctx, { filename: file });
    evaluate = (s) => vm.runInContext('(' + s + ')', ctx);
  }
} catch (e) {
  console.log(`request check: loading ${FILE} failed: ${e && e.name}: ${e && e.message}`);
  process.exit(1);
}
// Values from a vm context have that context's prototypes: fall back to comparing their JSON.
const same = (a, b) => (typeof a === 'number' && typeof b === 'number') ? Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)) : (util.isDeepStrictEqual(a, b) || (JSON.stringify(a) !== undefined && JSON.stringify(a) === JSON.stringify(b)));
const show = (v) => util.inspect(v, { depth: 4 });
(async () => {
  let got;
  try {
    got = evaluate(CALL);
    if (got && typeof got.then === 'function') got = await got;
  } catch (e) {
    if (WANT === 'raises' && (ERROR === null || (e && e.name === ERROR))) process.exit(0);
    console.log(`request check: ${CALL} threw ${e && e.name}: ${e && e.message}` + (WANT === 'value' ? ` (the request says it should return ${EXPECTED})` : ''));
    process.exit(1);
  }
  if (WANT === 'raises') { console.log(`request check: ${CALL} returned ${show(got)}; the request says it should throw ${ERROR || 'an error'}`); process.exit(1); }
  if (WANT === 'value') {
    let expected;
    try { expected = new Function('return (' + EXPECTED.replace(/^True$/, 'true').replace(/^False$/, 'false').replace(/^None$/, 'null') + ');')(); } catch (e) { expected = EXPECTED; }
    if (!(same(got, expected) || (typeof expected === 'string' && typeof got !== 'string' && String(got) === expected))) {
      console.log(`request check: ${CALL} returned ${show(got)}, expected ${show(expected)}`);
      process.exit(1);
    }
  }
})();
"#;

fn javascript(file: &str, call: &str, w: &Want<'_>) -> String {
    let (kind, expected, error) = want_fields(w);
    let null = |s: String| if s == "None" { "null".into() } else { s };
    JS.replace("@FILE@", &json_str(file))
        .replace("@CALL@", &json_str(call))
        .replace("@WANT@", &json_str(kind))
        .replace("@EXPECTED@", &null(expected))
        .replace("@ERROR@", &null(error))
}

/// A Lua long-bracket string that cannot be closed by `s`.
fn lua_str(s: &str) -> String {
    let mut eq = String::from("=");
    while s.contains(&format!("]{eq}]")) {
        eq.push('=');
    }
    format!("[{eq}[{s}]{eq}]")
}

const LUA: &str = r#"package.path = './?.lua;./?/init.lua;' .. package.path
local FILE, CALL, WANT, EXPECTED, ERROR = @FILE@, @CALL@, @WANT@, @EXPECTED@, @ERROR@
local stem = FILE:gsub('%.lua$', ''):gsub('.*/', '')
local ok, m = pcall(dofile, FILE)
if not ok then print('request check: loading ' .. FILE .. ' failed: ' .. tostring(m)) os.exit(1) end
local env = setmetatable({}, { __index = function(_, k)
  if type(m) == 'table' and m[k] ~= nil then return m[k] end
  if k == stem and type(m) == 'table' then return m end
  return _G[k]
end })
local function show(v)
  if type(v) ~= 'table' then return type(v) == 'string' and string.format('%q', v) or tostring(v) end
  local parts = {}
  for k, x in pairs(v) do parts[#parts + 1] = tostring(k) .. '=' .. show(x) end
  table.sort(parts)
  return '{' .. table.concat(parts, ', ') .. '}'
end
local function same(a, b)
  if type(a) == 'number' and type(b) == 'number' then return math.abs(a - b) <= 1e-9 * math.max(1, math.abs(b)) end
  if type(a) ~= 'table' or type(b) ~= 'table' then return a == b end
  for k, x in pairs(a) do if not same(x, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end
local f, err = load('return ' .. CALL, 'request', 't', env)
if not f then print('request check: cannot read ' .. CALL .. ': ' .. err) os.exit(1) end
local okc, got = pcall(f)
if not okc then
  if WANT == 'raises' then os.exit(0) end
  print('request check: ' .. CALL .. ' raised: ' .. tostring(got)) os.exit(1)
end
if WANT == 'raises' then print('request check: ' .. CALL .. ' returned ' .. show(got) .. '; the request says it should raise') os.exit(1) end
if WANT == 'value' then
  local src = EXPECTED:gsub('^True$', 'true'):gsub('^False$', 'false'):gsub('^None$', 'nil')
  local fe = load('return ' .. src, 'expected', 't', env)
  local oke, expected = false, nil
  if fe then oke, expected = pcall(fe) end
  if not oke then expected = EXPECTED end
  if not (same(got, expected) or (type(expected) == 'string' and type(got) ~= 'string' and tostring(got) == expected)) then
    print('request check: ' .. CALL .. ' returned ' .. show(got) .. ', expected ' .. show(expected)) os.exit(1)
  end
end
"#;

fn lua_harness(file: &str, call: &str, w: &Want<'_>) -> String {
    let (kind, expected, error) = match w {
        Want::Value(v) => ("value", lua_str(v), "nil".to_string()),
        Want::Raises(e) => ("raises", "nil".into(), e.map_or("nil".into(), lua_str)),
        Want::NoRaise => ("noraise", "nil".into(), "nil".into()),
    };
    LUA.replace("@FILE@", &lua_str(file))
        .replace("@CALL@", &lua_str(call))
        .replace("@WANT@", &lua_str(kind))
        .replace("@EXPECTED@", &expected)
        .replace("@ERROR@", &error)
}

/// A C string literal of `s` (for messages).
fn c_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '%' => out.push_str("%%"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

fn c_harness(file: &str, call: &str, expected: &str, cpp: bool) -> String {
    let include = format!("#include \"{}\"", file.replace('"', "\\\""));
    let compare = if cpp {
        r#"#include <cstring>
#include <cmath>
#include <cstdio>
#include <string>
static bool sc_eq(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::fmax(1.0, std::fabs(b)); }
static bool sc_eq(const char *a, const char *b) { return a && b && std::strcmp(a, b) == 0; }
static bool sc_eq(const std::string &a, const char *b) { return b && a == b; }
static void sc_show(double a) { std::printf("%g", a); }
static void sc_show(const char *a) { std::printf("\"%s\"", a ? a : "(null)"); }
static void sc_show(const std::string &a) { std::printf("\"%s\"", a.c_str()); }
"#
    } else {
        r#"#include <string.h>
#include <math.h>
#include <stdio.h>
#include <stdbool.h>
static int sc_eq_d(double a, double b) { return fabs(a - b) <= 1e-9 * fmax(1.0, fabs(b)); }
static int sc_eq_s(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }
static void sc_show_d(double a) { printf("%g", a); }
static void sc_show_s(const char *a) { printf("\"%s\"", a ? a : "(null)"); }
#define sc_eq(a, b) _Generic((a), char *: sc_eq_s, const char *: sc_eq_s, default: sc_eq_d)(a, b)
#define sc_show(a) _Generic((a), char *: sc_show_s, const char *: sc_show_s, default: sc_show_d)(a)
"#
    };
    format!(
        "#define main smallcode_user_main\n{include}\n#undef main\n{compare}\nint main(void) {{\n    if (!sc_eq(({call}), ({expected}))) {{\n        printf(\"request check: %s returned \", {msg_call});\n        sc_show(({call}));\n        printf(\", expected %s\\n\", {msg_exp});\n        return 1;\n    }}\n    return 0;\n}}\n",
        msg_call = c_str(call),
        msg_exp = c_str(expected),
    )
}

fn rust_harness(call: &str, expected: &str) -> String {
    format!(
        r#"
#[cfg(test)]
mod smallcode_request {{
    #[allow(unused_imports)]
    use super::*;
    #[test]
    fn request() {{
        let got = {call};
        let want = {expected};
        let (g, w) = (format!("{{:?}}", got), format!("{{:?}}", want));
        let close = match (g.parse::<f64>(), w.parse::<f64>()) {{
            (Ok(a), Ok(b)) => (a - b).abs() <= 1e-9 * b.abs().max(1.0),
            _ => false,
        }};
        if g != w && !close {{
            panic!("request check: {{}} returned {{}}, expected {{}}", {msg}, g, w);
        }}
    }}
}}
"#,
        msg = c_str(call),
    )
}

fn go_harness(pkg: &str, call: &str, expected: &str) -> String {
    format!(
        "package {pkg}\n\nimport (\n\t\"fmt\"\n\t\"testing\"\n)\n\nfunc TestSmallcodeRequest(t *testing.T) {{\n\tgot := {call}\n\twant := {expected}\n\tif fmt.Sprint(got) != fmt.Sprint(want) {{\n\t\tt.Fatalf(\"request check: %s returned %v, expected %v\", {msg}, got, want)\n\t}}\n}}\n",
        msg = c_str(call).replace("%%", "%"),
    )
}

/// The project's main program for `lang`, as a command (cwd = the project root).
fn main_command(lang: &str, files: &[String], dir: &Path, i: usize) -> Option<String> {
    let has = |f: &str| files.iter().any(|x| x == f);
    let pick = |names: &[&str]| names.iter().find(|n| has(n)).map(|s| s.to_string());
    match lang {
        "python" => pick(&["main.py", "app.py", "__main__.py", "cli.py"])
            .or_else(|| single(files, ".py"))
            .map(|f| format!("python3 {}", shell_quote(&f))),
        "javascript" => pick(&["main.js", "index.js", "app.js", "cli.js"])
            .or_else(|| single(files, ".js"))
            .map(|f| format!("node {}", shell_quote(&f))),
        "lua" => pick(&["main.lua", "init.lua"])
            .or_else(|| single(files, ".lua"))
            .and_then(|f| Some(format!("{} {}", lua_bin()?, shell_quote(&f)))),
        "go" => Some("GOFLAGS=-mod=mod GOPROXY=off go run .".into()),
        "rust" if has("Cargo.toml") => Some("cargo run -q".into()),
        "rust" => pick(&["main.rs", "src/main.rs"]).map(|f| {
            let bin = q(&dir.join(format!("out{i}.bin")));
            format!(
                "rustc --edition 2021 -A warnings -o {bin} {} && {bin}",
                shell_quote(&f)
            )
        }),
        "c" | "cpp" => {
            let cpp = lang == "cpp";
            let srcs: Vec<String> = files
                .iter()
                .filter(|f| {
                    f.ends_with(".c") || (cpp && (f.ends_with(".cpp") || f.ends_with(".cc")))
                })
                .map(|f| shell_quote(f))
                .collect();
            if srcs.is_empty() {
                return None;
            }
            let bin = q(&dir.join(format!("out{i}.bin")));
            let (cc, flags) = compiler(cpp);
            Some(format!(
                "{cc} {flags} -o {bin} {} -lm && {bin}",
                srcs.join(" ")
            ))
        }
        _ => None,
    }
}

/// How to build the project's program as `./name` (cwd = the project root).
fn build_command(lang: &str, files: &[String], name: &str) -> Option<String> {
    let out = shell_quote(name);
    match lang {
        "c" | "cpp" => {
            let cpp = lang == "cpp";
            let srcs: Vec<String> = files
                .iter()
                .filter(|f| {
                    f.ends_with(".c") || (cpp && (f.ends_with(".cpp") || f.ends_with(".cc")))
                })
                .map(|f| shell_quote(f))
                .collect();
            if srcs.is_empty() {
                return None;
            }
            let (cc, flags) = compiler(cpp);
            Some(format!("{cc} {flags} -o {out} {} -lm", srcs.join(" ")))
        }
        "go" => Some(format!("GOFLAGS=-mod=mod GOPROXY=off go build -o {out} .")),
        "rust" if files.iter().any(|f| f == "Cargo.toml") => Some(format!(
            "cargo build -q && cp \"$(ls -t target/debug/* 2>/dev/null | grep -v '\\.d$' | head -n1)\" {out}"
        )),
        _ => None,
    }
}

fn single(files: &[String], ext: &str) -> Option<String> {
    let v: Vec<&String> = files.iter().filter(|f| f.ends_with(ext)).collect();
    (v.len() == 1).then(|| v[0].clone())
}

fn output_check(
    _root: &Path,
    command: Option<&str>,
    output: &str,
    main_lang: Option<&'static str>,
    files: &[String],
    dir: &Path,
    i: usize,
) -> Result<String, String> {
    let run = match command {
        // `./dist 10 3` names the program the project builds: build it first.
        Some(c) if c.starts_with("./") && !files.iter().any(|f| c[2..].starts_with(f.as_str())) => {
            let name: String = c[2..]
                .chars()
                .take_while(|ch| !ch.is_whitespace())
                .collect();
            let lang = main_lang.ok_or("no language to build the program with")?;
            let build = build_command(lang, files, &name)
                .ok_or_else(|| format!("cannot tell how to build ./{name} for {lang}"))?;
            format!("{build} && {c}")
        }
        Some(c) => c.to_string(),
        None => {
            let lang = main_lang.ok_or("no main program to run: name the command in backticks")?;
            main_command(lang, files, dir, i).ok_or_else(|| {
                format!("no main program found for {lang}: name the command in backticks")
            })?
        }
    };
    let want = write(dir, &format!("want{i}.txt"), output)?;
    let got = dir.join(format!("got{i}.txt"));
    // Compare with whitespace runs collapsed; the whole output or its last line must match.
    Ok(format!(
        "( timeout {OUTPUT_LIMIT} bash -c {run_q} ) > {got} 2>&1 < /dev/null; [ $? -eq 124 ] && echo \"(timed out after {OUTPUT_LIMIT} s)\" >> {got}; norm() {{ tr -s ' \\t\\r\\n' ' ' | sed 's/^ //; s/ $//'; }}; w=$(norm < {want}); g=$(norm < {got}); l=$(grep -v '^[[:space:]]*$' {got} | tail -n 1 | norm); if [ \"$g\" = \"$w\" ] || [ \"$l\" = \"$w\" ]; then exit 0; fi; echo \"request check: \\`{shown}\\` printed: $(head -c 400 {got})\"; echo \"expected: $w\"; exit 1",
        got = q(&got),
        want = q(&want),
        shown = run.replace('"', "\\\"").replace('`', "'"),
        run_q = shell_quote(&run),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(call: &str, expected: &str) -> Expectation {
        Expectation::Value {
            call: call.into(),
            expected: expected.into(),
        }
    }

    /// Runs the check built for `e` in a fresh project holding `files`; returns (ok, output).
    fn run_check(files: &[(&str, &str)], e: Expectation, lang: &'static str) -> (bool, String) {
        let root = std::env::temp_dir().join(format!(
            "smallcode-reqcheck-{}-{}",
            std::process::id(),
            rand_suffix()
        ));
        let harness = root.with_extension("h");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&harness).unwrap();
        for (p, t) in files {
            let path = root.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, t).unwrap();
        }
        let names: Vec<String> = files.iter().map(|(p, _)| p.to_string()).collect();
        let first = names[0].clone();
        let locate = move |_: &str| Some((first.clone(), lang));
        let built = build(&root, &[e], &locate, Some(lang), &names, &harness);
        let cmd = built[0]
            .cmd
            .clone()
            .unwrap_or_else(|| panic!("{:?}", built[0].skipped));
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(&cmd.command)
            .current_dir(&root)
            .output()
            .unwrap();
        let _ = std::fs::remove_dir_all(&root);
        let _ = std::fs::remove_dir_all(&harness);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }

    fn rand_suffix() -> u64 {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        N.fetch_add(1, Ordering::SeqCst)
    }

    #[test]
    fn python_value_checks_pass_and_fail_with_the_values() {
        let good = "def slug(s):\n    return s.lower().replace(' ', '-')\n";
        let bad = "def slug(s):\n    return s.lower()\n";
        let e = value("slug('Hi There')", "'hi-there'");
        let (ok, out) = run_check(&[("text.py", good)], e.clone(), "python");
        assert!(ok, "{out}");
        let (ok, out) = run_check(&[("text.py", bad)], e, "python");
        assert!(!ok);
        assert!(
            out.contains("returned 'hi there', expected 'hi-there'"),
            "{out}"
        );
        let avg = "def avg(xs):\n    return sum(xs) / len(xs)\n";
        let (ok, out) = run_check(&[("stats.py", avg)], value("avg([])", "0.0"), "python");
        assert!(!ok && out.contains("ZeroDivisionError"), "{out}");
        let raises = Expectation::Raises {
            call: "int('x')".into(),
            error: Some("ValueError".into()),
        };
        assert!(run_check(&[("m.py", "X = 1\n")], raises, "python").0);
    }

    #[test]
    fn javascript_value_checks_exported_or_not() {
        let exported = "function add(a, b) { return a - b; }\nmodule.exports = { add };\n";
        let (ok, out) = run_check(
            &[("calc.js", exported)],
            value("add(2, 3)", "5"),
            "javascript",
        );
        assert!(!ok && out.contains("returned -1, expected 5"), "{out}");
        let plain = "function add(a, b) { return a + b; }\n";
        assert!(run_check(&[("calc.js", plain)], value("add(2, 3)", "5"), "javascript").0);
        let arr = "const pairs = (xs) => xs.map((x) => [x, x * x]);\nmodule.exports = { pairs };\n";
        let (ok, out) = run_check(
            &[("p.js", arr)],
            value("pairs([2])", "[[2, 4]]"),
            "javascript",
        );
        assert!(ok, "{out}");
    }

    #[test]
    fn c_value_checks_refuse_implicit_declarations() {
        let good = "int twice(int x) { return 2 * x; }\nint main(void) { return twice(1) - 2; }\n";
        assert!(run_check(&[("t.c", good)], value("twice(4)", "8"), "c").0);
        // A body calling an undeclared function compiles with -fsyntax-only; here it fails.
        let bad = "int twice(int x) { return helper(x); }\n";
        let (ok, out) = run_check(&[("t.c", bad)], value("twice(4)", "8"), "c");
        assert!(!ok && out.contains("implicit"), "{out}");
        let s = "const char *greet(void) { return \"hi\"; }\n";
        assert!(run_check(&[("g.c", s)], value("greet()", "'hi'"), "c").0);
    }

    #[test]
    fn output_checks_compare_whitespace_normalised() {
        let py = "import sys\nprint(3, 9)\n";
        let e = Expectation::Output {
            command: None,
            output: "3 9".into(),
        };
        assert!(run_check(&[("main.py", py)], e.clone(), "python").0);
        let (ok, out) = run_check(&[("main.py", "print(3, 8)\n")], e, "python");
        assert!(!ok && out.contains("expected: 3 9"), "{out}");
    }

    #[test]
    fn a_dot_slash_command_builds_the_program_first() {
        let c = "#include <stdio.h>\n#include <stdlib.h>\nint main(int argc, char **argv) {\n    printf(\"%d\\n\", abs(atoi(argv[1]) - atoi(argv[2])));\n    return 0;\n}\n";
        let e = Expectation::Output {
            command: Some("./dist 3 10".into()),
            output: "7".into(),
        };
        let (ok, out) = run_check(&[("main.c", c)], e, "c");
        assert!(ok, "{out}");
    }

    #[test]
    fn lua_value_checks_see_the_module_table() {
        if lua_bin().is_none() {
            panic!("no Lua interpreter: run bench/install-toolchains.sh");
        }
        let m = "local M = {}\nfunction M.sq(x) return x * x end\nreturn M\n";
        assert!(run_check(&[("m.lua", m)], value("sq(3)", "9"), "lua").0);
        assert!(run_check(&[("m.lua", m)], value("m.sq(3)", "9"), "lua").0);
        assert!(!run_check(&[("m.lua", m)], value("sq(3)", "10"), "lua").0);
    }

    #[test]
    fn rust_value_checks_build_the_file_with_a_test() {
        let lib = "pub fn add(a: i32, b: i32) -> i32 {\n    a - b\n}\n\npub fn name() -> String {\n    \"hi\".to_string()\n}\n";
        let (ok, out) = run_check(&[("src/lib.rs", lib)], value("add(2, 3)", "5"), "rust");
        assert!(!ok && out.contains("returned -1, expected 5"), "{out}");
        let (ok, out) = run_check(&[("src/lib.rs", lib)], value("name()", "'hi'"), "rust");
        assert!(ok, "{out}");
    }

    #[test]
    fn go_value_checks_run_a_test_beside_the_file() {
        let src = "package calc\n\nfunc Add(a, b int) int {\n\treturn a - b\n}\n";
        let files = [("calc.go", src), ("go.mod", "module calc\n\ngo 1.19\n")];
        let (ok, out) = run_check(&files, value("Add(2, 3)", "5"), "go");
        assert!(!ok && out.contains("returned -1, expected 5"), "{out}");
        let (ok, out) = run_check(&files, value("Add(3, 2)", "1"), "go");
        assert!(ok, "{out}");
    }

    #[test]
    fn an_unknown_callee_is_reported_not_dropped() {
        let locate = |_: &str| None;
        let built = build(
            Path::new("/nonexistent"),
            &[value("nope(1)", "2")],
            &locate,
            Some("python"),
            &[],
            Path::new("/nonexistent"),
        );
        assert!(built[0].cmd.is_none());
        assert_eq!(
            built[0].skipped.as_deref(),
            Some("no definition of `nope` in the project")
        );
    }
}
