//! The agent and the benchmark runner against the scripted mock model (deterministic), with the
//! real checkers (python3) and the real task checks. Covers: a harness fix verified and applied,
//! a broken edit caught by the improvement loop and fixed in the next round, the same error
//! twice triggering decomposition, the user's files untouched while checks fail, the naive
//! control group's native tool calls, and `smallcode bench --tasks` writing its results.

use crate::support::proc::{OutputWithin, CLI_LIMIT};
use smallcode_testkit as mock_llm;
use smallcode_testkit::project;

use std::path::{Path, PathBuf};
use std::process::Command;

use mock_llm::{Flavor, MockConfig, MockServer, Step};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_smallcode")
}

fn reply(text: &str) -> Step {
    Step::text(text)
}

fn project(files: &[(&str, &str)]) -> PathBuf {
    project::temp_project("agent", files)
}

fn run(dir: &Path, server: &MockServer, extra: &[&str]) -> (bool, String) {
    run_as(dir, server, true, extra)
}

/// `smallcode run`, trusted (`--trust`) or restricted.
fn run_as(dir: &Path, server: &MockServer, trust: bool, extra: &[&str]) -> (bool, String) {
    let out = Command::new(bin())
        .arg("run")
        .args(trust.then_some("--trust"))
        .arg("--dir")
        .arg(dir)
        .args(["--endpoint", &server.url(), "--quiet"])
        .args(extra)
        .env("SMALLCODE_LOG", dir.with_extension("log"))
        .output_within(CLI_LIMIT)
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

const CALC: &str = "def add(a, b):\n    \"\"\"Return the sum.\"\"\"\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n";
const TEST: &str =
    "from calc import add, mul\nassert add(2, 3) == 5, add(2, 3)\nassert mul(2, 3) == 6\n";

#[test]
fn harness_fixes_a_function_verifies_and_applies() {
    // The mock continues the prefilled `def add(a, b):` header, then rambles (dropped).
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("    return a + b\n\ndef extra():\n    pass\n")],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (ok, out) = run(&dir, &server, &["--prompt", "Fix add in calc.py"]);
    assert!(ok, "{out}");
    let calc = std::fs::read_to_string(dir.join("calc.py")).unwrap();
    assert!(
        calc.contains("return a + b") && calc.contains("def mul") && !calc.contains("extra"),
        "{calc}"
    );
    // The request was the small-model shape: prefilled header, stop at the next definition.
    let req = &server.chat_requests()[0];
    let msgs = req["messages"].as_array().unwrap();
    assert_eq!(msgs.last().unwrap()["role"], "assistant");
    assert!(msgs.last().unwrap()["content"]
        .as_str()
        .unwrap()
        .starts_with("```python\ndef add(a, b):\n"));
    assert!(req["stop"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "\ndef "));
    assert!(
        msgs[1]["content"]
            .as_str()
            .unwrap()
            .contains("AssertionError: -1"),
        "baseline test output is in the prompt"
    );
}

#[test]
fn improvement_loop_catches_a_syntax_error_and_files_stay_untouched_until_checks_pass() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("    return a +\n"), reply("    return a + b\n")],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (ok, out) = run(&dir, &server, &["--prompt", "Fix add in calc.py"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("check py_compile: 1 problem(s): calc.py:"),
        "{out}"
    );
    let reqs = server.chat_requests();
    assert_eq!(reqs.len(), 2);
    let second = reqs[1]["messages"][1]["content"].as_str().unwrap();
    assert!(
        second.contains("SyntaxError"),
        "the checker's error is fed back: {second}"
    );
    assert!(std::fs::read_to_string(dir.join("calc.py"))
        .unwrap()
        .contains("return a + b"));
}

/// The shape of bench task py-t1-name-error, whose visible test only calls the function.
const SHOP: &str = "def total_price(prices):\n    \"\"\"Return the sum of all prices.\"\"\"\n    total = 0\n    for p in prices:\n        total = total + p\n    return totl\n";
const SHOP_TEST: &str = "from shop import total_price\n\nprint(total_price([3, 4, 5]))\n";

fn temperature(req: &serde_json::Value) -> f64 {
    req["temperature"].as_f64().unwrap()
}

/// Seen from SmolLM2-135M in CI: an empty body, then (at 0.7) the first line at the body's
/// indentation and the loop and return at column 0. Those used to be dropped as stray top-level
/// code, landing a body that returned None (the weak visible test passed it).
#[test]
fn a_body_written_from_the_header_column_is_indented_back_and_an_empty_body_resamples_cool() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply(""),
            reply(" total = 0\nfor p in prices:\n    total = total + p\nreturn total\n"),
        ],
    ));
    let dir = project(&[("shop.py", SHOP), ("test_shop.py", SHOP_TEST)]);
    let (ok, out) = run(&dir, &server, &["--prompt", "Fix the NameError in shop.py"]);
    assert!(ok, "{out}");
    assert!(out.contains("empty body"), "{out}");
    let reqs = server.chat_requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(temperature(&reqs[0]), temperature(&reqs[1]), "{out}");
    assert_eq!(
        std::fs::read_to_string(dir.join("shop.py")).unwrap(),
        "def total_price(prices):\n    \"\"\"Return the sum of all prices.\"\"\"\n    total = 0\n    for p in prices:\n        total = total + p\n    return total\n",
        "the docstring the second prefill left out is kept"
    );
}

/// A body cut short after its first line parses and passes a test that only calls the
/// function; it is refused, the reason goes back with the test output, and the next sample is
/// hotter.
#[test]
fn a_body_that_lost_its_return_is_refused_and_the_reason_fed_back() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("total = 0\n"), reply("return sum(prices)\n")],
    ));
    let dir = project(&[("shop.py", SHOP), ("test_shop.py", SHOP_TEST)]);
    let (ok, out) = run(&dir, &server, &["--prompt", "Fix the NameError in shop.py"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("refused: `total_price` no longer returns"),
        "{out}"
    );
    let reqs = server.chat_requests();
    assert_eq!(reqs.len(), 2);
    let second = reqs[1]["messages"][1]["content"].as_str().unwrap();
    assert!(
        second.contains("no longer returns its result") && second.contains("NameError"),
        "{second}"
    );
    assert!(temperature(&reqs[1]) > temperature(&reqs[0]));
    assert!(std::fs::read_to_string(dir.join("shop.py"))
        .unwrap()
        .contains("    return sum(prices)\n"));
}

/// A model that loops until its reply cap: the cap of a focused rewrite follows the
/// definition's size (not the 1,024-token default), and the next sample is hotter.
#[test]
fn a_focused_reply_is_capped_by_the_definitions_size_and_a_capped_loop_resamples_hotter() {
    let looping = "total = 0\n".to_string() + &"    if p:\n        total = total\n".repeat(40);
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            Step::Capped {
                pieces: vec![looping],
            },
            reply("return sum(prices)\n"),
        ],
    ));
    let dir = project(&[("shop.py", SHOP), ("test_shop.py", SHOP_TEST)]);
    let (ok, out) = run(&dir, &server, &["--prompt", "Fix the NameError in shop.py"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("the reply ran to its cap of 384 tokens"),
        "{out}"
    );
    let reqs = server.chat_requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[0]["max_tokens"], 384,
        "4 x a ~50-token definition is under the floor"
    );
    assert!(temperature(&reqs[1]) > temperature(&reqs[0]));
}

#[test]
fn same_error_twice_decomposes_and_nothing_is_applied_when_checks_keep_failing() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply("    return a * b\n"),
            reply("    return a * b\n"),
            reply("    return a * b\n"),
        ],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "Fix add in calc.py",
            "--max-rounds",
            "3",
            "--no-repair-templates",
        ],
    );
    assert!(!ok, "{out}");
    assert!(out.contains("decompose:"), "{out}");
    assert_eq!(
        std::fs::read_to_string(dir.join("calc.py")).unwrap(),
        CALC,
        "user's file untouched"
    );
}

#[test]
fn naive_mode_uses_native_tool_calls_only() {
    let fixed = CALC.replace("a - b", "a + b");
    let args = serde_json::json!({"path": "calc.py", "content": fixed}).to_string();
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            Step::ToolCall {
                name: "write_file".into(),
                arguments_json_fragments: vec![args[..10].to_string(), args[10..].to_string()],
            },
            Step::ToolCall {
                name: "done".into(),
                arguments_json_fragments: vec!["{\"summary\":\"ok\"}".into()],
            },
        ],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (ok, out) = run(
        &dir,
        &server,
        &["--prompt", "Fix add in calc.py", "--naive"],
    );
    assert!(ok, "{out}");
    assert_eq!(std::fs::read_to_string(dir.join("calc.py")).unwrap(), fixed);
    assert!(server.chat_requests()[0]["tools"]
        .as_array()
        .is_some_and(|t| t.len() == 4));
}

const SLUG: &str =
    "def slug(text):\n    \"\"\"Make a URL slug.\"\"\"\n    return text.replace(' ', '-')\n";
const SLUG_REQUEST: &str =
    "slug() in text.py should lowercase: `slug('Hi There')` must return `'hi-there'`.";

/// Runs `prompt` on the slug project against a wrong reply, then a right one: the example
/// `slug('Hi There') == 'hi-there'` must be checked, refuse the first and verify the second.
/// Returns the run's output.
fn slug_example_is_checked(prompt: &str) -> String {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply("    return text.replace(' ', '_')\n"),
            reply("    return text.lower().replace(' ', '-')\n"),
        ],
    ));
    let dir = project(&[("text.py", SLUG)]);
    let (ok, out) = run(&dir, &server, &["--prompt", prompt]);
    assert!(ok, "{out}");
    assert!(
        out.contains("check request: slug('Hi There') == 'hi-there'"),
        "{out}"
    );
    let second = server.chat_requests()[1]["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        second.contains("returned 'Hi_There', expected 'hi-there'"),
        "the failing example is fed back: {second}"
    );
    assert!(
        out.contains("verified: `slug` executed by request 1"),
        "{out}"
    );
    assert!(std::fs::read_to_string(dir.join("text.py"))
        .unwrap()
        .contains("text.lower()"));
    out
}

#[test]
fn a_request_example_becomes_a_check_and_a_change_it_runs_is_verified() {
    // No test files: the request's example is the only oracle. The first reply compiles but
    // is wrong; the example check says so and the second reply is right.
    slug_example_is_checked(SLUG_REQUEST);
}

#[test]
fn an_example_typed_without_backticks_is_a_check_too_but_only_for_a_defined_function() {
    // As users type it: no backticks. The call to a function the project does not define
    // (`titlecase`) is prose as far as checks go.
    let out = slug_example_is_checked(
        "fix slug('Hi There') must return 'hi-there' in text.py, \
         like titlecase('a b') returns 'A B'",
    );
    assert!(!out.contains("titlecase('a b') =="), "{out}");
}

#[test]
fn a_change_that_only_compiles_is_checked_not_verified_and_run_exits_non_zero() {
    // No tests, no example: only py_compile can judge the reply.
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("    return text.lower().replace(' ', '-')\n")],
    ));
    let dir = project(&[("text.py", SLUG)]);
    let (ok, out) = run(
        &dir,
        &server,
        &["--prompt", "slug() in text.py should lowercase."],
    );
    assert!(!ok, "{out}");
    assert!(
        out.contains("the change is only checked: syntax/compile checks only"),
        "{out}"
    );
    assert!(!out.contains("verified:"), "{out}");
    assert_eq!(
        std::fs::read_to_string(dir.join("text.py")).unwrap(),
        SLUG,
        "not written"
    );
    // --allow-unverified keeps the old behaviour, and says what the change is.
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("    return text.lower().replace(' ', '-')\n")],
    ));
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "slug() in text.py should lowercase.",
            "--allow-unverified",
        ],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("checks pass; checked: syntax/compile checks only"),
        "{out}"
    );
    assert!(std::fs::read_to_string(dir.join("text.py"))
        .unwrap()
        .contains("lower()"));
}

#[test]
fn an_untrusted_project_runs_none_of_its_code_and_nothing_is_verified() {
    // The project ships a test that would write a marker file; without --trust it never runs,
    // nor does the request's example (it imports the project).
    let marker = std::env::temp_dir().join(format!("smallcode-marker-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let test = format!(
        "open({:?}, 'w').write('ran')\nfrom text import slug\nassert slug('Hi There') == 'hi-there'\n",
        marker.display().to_string()
    );
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("    return text.lower().replace(' ', '-')\n")],
    ));
    let dir = project(&[("text.py", SLUG), ("test_text.py", &test)]);
    let (ok, out) = run_as(&dir, &server, false, &["--prompt", SLUG_REQUEST]);
    assert!(!ok, "{out}");
    assert!(
        !marker.exists(),
        "the project's test ran before trust: {out}"
    );
    assert!(
        out.contains(
            "not checked: tests `python3 'test_text.py'`: not run — the project is not trusted"
        ),
        "{out}"
    );
    assert!(
        out.contains("not checked: request: slug('Hi There') == 'hi-there': not run"),
        "{out}"
    );
    assert!(out.contains("only checked"), "{out}");
    assert!(!out.contains("check request:"), "{out}");
    // Trusted, the same run executes both and the change is verified.
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("    return text.lower().replace(' ', '-')\n")],
    ));
    let (ok, out) = run_as(&dir, &server, true, &["--prompt", SLUG_REQUEST]);
    assert!(ok, "{out}");
    assert!(marker.exists(), "trusted: the tests ran");
    assert!(
        out.contains("verified: `slug` executed by tests, request 1"),
        "{out}"
    );
    let _ = std::fs::remove_file(&marker);
}

#[test]
fn a_c_body_calling_an_undeclared_function_fails_the_example_check() {
    let c = "int twice(int x) {\n    return x + x + 1;\n}\n";
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply("    return double_it(x);\n}\n"),
            reply("    return 2 * x;\n}\n"),
        ],
    ));
    let dir = project(&[("twice.c", c)]);
    let (ok, out) = run(
        &dir,
        &server,
        &["--prompt", "In twice.c, `twice(4)` should be 8."],
    );
    assert!(ok, "{out}");
    let second = server.chat_requests()[1]["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        second.contains("implicit declaration of function"),
        "{second}"
    );
    assert!(
        out.contains("verified: `twice` reached through the code graph by request 1"),
        "{out}"
    );
}

#[test]
fn a_reply_that_restarts_the_definition_in_prose_and_a_fence_lands_whole() {
    // A server that does not continue the prefilled header answers in the usual chat shape.
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply(
            "Here is the fix:\n\n```python\ndef add(a, b):\n    \"\"\"Return the sum.\"\"\"\n    return a + b\n```\n\nThis returns the sum.",
        )],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (ok, out) = run(&dir, &server, &["--prompt", "Fix add in calc.py"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("the reply restarted the definition: taken whole"),
        "{out}"
    );
    let calc = std::fs::read_to_string(dir.join("calc.py")).unwrap();
    assert!(
        calc.contains("    return a + b\n") && calc.contains("def mul"),
        "{calc}"
    );
    assert!(!calc.contains("Here is"), "{calc}");
}

#[test]
fn a_server_that_ignores_the_prefill_is_asked_without_one_next() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply("Sure:\n```python\ndef add(a, b):\n    return a * b\n```\n"),
            reply("```python\ndef add(a, b):\n    return a + b\n```\n"),
        ],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (ok, out) = run(&dir, &server, &["--prompt", "Fix add in calc.py"]);
    assert!(ok, "{out}");
    let reqs = server.chat_requests();
    assert_eq!(reqs.len(), 2, "{out}");
    let last_role = |r: &serde_json::Value| {
        r["messages"].as_array().unwrap().last().unwrap()["role"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        last_role(&reqs[0]),
        "assistant",
        "the first request is prefilled"
    );
    assert_eq!(last_role(&reqs[1]), "user", "the second is not");
}

#[test]
fn a_cloned_project_runs_nothing_before_trust_and_a_changed_test_script_asks_again() {
    // The repository ships an "always allowed" list and a test script that leaves a marker.
    let marker = std::env::temp_dir().join(format!("smallcode-cloned-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let test = format!(
        "open({:?}, 'w').write('ran')\nfrom calc import add\nassert add(2, 3) == 5\n",
        marker.display().to_string()
    );
    let dir = project(&[
        ("calc.py", CALC),
        ("test_calc.py", &test),
        (".smallcode/allowed-commands", "*\n"),
        (
            "pyproject.toml",
            "[tool.pytest.ini_options]\naddopts = \"-q\"\n",
        ),
    ]);
    let data = dir.with_extension("data");
    let fixed = || {
        MockServer::start(MockConfig::new(
            Flavor::LlamaCpp,
            vec![reply("    return a + b\n")],
        ))
    };
    let run_in = |server: &MockServer| {
        let out = Command::new(bin())
            .args(["run", "--quiet", "--dir"])
            .arg(&dir)
            .args([
                "--endpoint",
                &server.url(),
                "--prompt",
                "Fix add in calc.py",
            ])
            .env("XDG_DATA_HOME", &data)
            .env("SMALLCODE_LOG", dir.with_extension("log"))
            .output_within(CLI_LIMIT)
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let trust = |action: &str| {
        Command::new(bin())
            .args(["trust", action, "--dir"])
            .arg(&dir)
            .env("XDG_DATA_HOME", &data)
            .output_within(CLI_LIMIT)
            .unwrap()
    };
    let (ok, out) = run_in(&fixed());
    assert!(!ok && !marker.exists(), "ran before trust: {out}");
    assert!(
        out.contains("restricted: the project is not trusted"),
        "{out}"
    );
    assert!(out.contains("only checked"), "{out}");
    assert!(!trust("status").status.success());
    assert!(trust("grant").status.success());
    let (ok, out) = run_in(&fixed());
    assert!(ok && marker.exists(), "trusted: the tests ran: {out}");
    assert!(out.contains("verified:"), "{out}");
    // The test configuration changes after trust: restricted again, and told why.
    std::fs::remove_file(&marker).unwrap();
    std::fs::write(dir.join("calc.py"), CALC).unwrap();
    std::fs::write(
        dir.join("pyproject.toml"),
        "[tool.pytest.ini_options]\naddopts = \"-x\"\n",
    )
    .unwrap();
    let (ok, out) = run_in(&fixed());
    assert!(!ok && !marker.exists(), "{out}");
    assert!(
        out.contains("restricted: trust was revoked, changed since it was granted: pyproject.toml"),
        "{out}"
    );
    let status = trust("status");
    assert!(String::from_utf8_lossy(&status.stdout).contains("trust revoked"));
}

#[test]
fn best_of_n_lands_the_candidate_that_passes_and_cancels_the_rest() {
    // Round 1 is wrong; round 2 asks for 3 candidates at once: two hang mid-answer, the third
    // is right. The third lands as soon as its checks pass; the two hanging requests are dropped.
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply("    return a * b\n"),
            Step::Stall {
                pieces: vec!["    return a".into()],
            },
            Step::Stall {
                pieces: vec!["    return a".into()],
            },
            reply("    return a + b\n"),
        ],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "Fix add in calc.py",
            "--candidates",
            "3",
            "--json",
        ],
    );
    assert!(ok, "{out}");
    assert!(out.contains("asking for 3 candidates at once"), "{out}");
    assert!(out.contains("passes; the others are cancelled"), "{out}");
    assert!(std::fs::read_to_string(dir.join("calc.py"))
        .unwrap()
        .contains("return a + b"));
    assert!(
        server.wait_disconnects(2, std::time::Duration::from_secs(20)),
        "the hanging candidates' requests were dropped"
    );
    let report: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(report["candidates"], 1, "{report}");
    assert_eq!(server.chat_requests().len(), 4);
}

#[test]
fn identical_candidates_are_verified_once() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply("    return a * b\n"),
            reply("    return a - b - 0\n"),
            reply("    return a - b - 0\n"),
        ],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "Fix add in calc.py",
            "--candidates",
            "2",
            "--max-rounds",
            "2",
            "--json",
            "--no-repair-templates",
        ],
    );
    assert!(!ok, "{out}");
    let report: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(
        (
            report["candidates"].as_u64(),
            report["duplicate_candidates"].as_u64()
        ),
        (Some(1), Some(1)),
        "{report}"
    );
}

#[test]
fn candidates_that_hand_back_the_code_unchanged_are_told_so() {
    // Round 1 and both candidates of round 2 repeat the wrong body; round 3's request must say
    // so (before, the same prompt went out again and again, and nothing ever changed).
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply("    return a - b\n"),
            reply("    return a - b\n"),
            reply("    return a - b\n"),
            reply("    return a + b\n"),
        ],
    ));
    let dir = project(&[("calc.py", CALC)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "Fix add in calc.py: `add(2, 3)` must return 5",
            "--candidates",
            "2",
        ],
    );
    assert!(
        out.contains("no candidate made a checkable edit (0 empty, 2 unchanged"),
        "{out}"
    );
    let reqs = server.chat_requests();
    assert!(reqs.len() >= 4, "{out}");
    assert!(
        reqs[3]["messages"]
            .to_string()
            .contains("repeated the current code unchanged"),
        "{}",
        reqs[3]["messages"]
    );
    assert!(ok, "{out}");
}

#[test]
fn a_change_that_only_echoes_the_example_is_not_landed() {
    // `return a + 3` passes `add(2, 3) == 5` without reading b: the check is turned into a
    // failure with the reason, and the next answer (a real fix) lands instead.
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("    return a + 3\n"), reply("    return a + b\n")],
    ));
    let dir = project(&[("calc.py", CALC)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "Fix add in calc.py: `add(2, 3)` must return 5",
            "--candidates",
            "1",
        ],
    );
    assert!(out.contains("no longer uses its input"), "{out}");
    assert!(ok, "{out}");
    assert!(std::fs::read_to_string(dir.join("calc.py"))
        .unwrap()
        .contains("return a + b"));
    let second = server.chat_requests()[1]["messages"].to_string();
    assert!(second.contains("no longer uses its input"), "{second}");
}

/// The old body: a palindrome test that does not ignore spaces.
const PALINDROME_PY: &str = "def is_palindrome(s):\n    t = s.lower()\n    return t == t[::-1]\n";

#[test]
fn a_change_that_answers_every_input_alike_is_not_landed() {
    // `len(s) >= 0` still reads `s`, so no text rule sees it; the perturbed calls do: the new body
    // answers True for '', 'xq' and the reversed example, where the old body's answers varied.
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply("    n = len(s)\n    return n >= 0\n"),
            reply("    t = s.replace(' ', '').lower()\n    return t == t[::-1]\n"),
        ],
    ));
    let dir = project(&[("words.py", PALINDROME_PY)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "is_palindrome in words.py should ignore case and spaces: \
             `is_palindrome('Never odd or even')` returns True. Right now it says False.",
            "--candidates",
            "1",
        ],
    );
    assert!(out.contains("returns True for every input tried"), "{out}");
    assert!(ok, "{out}");
    assert!(std::fs::read_to_string(dir.join("words.py"))
        .unwrap()
        .contains("replace(' ', '')"));
    let second = server.chat_requests()[1]["messages"].to_string();
    assert!(second.contains("for every input tried"), "{second}");
}

#[test]
fn a_change_that_breaks_inputs_that_worked_is_not_landed() {
    // `avg([])` made to return 0.0 by a body that now fails on every other list: the example
    // passes, the perturbed `avg([1, 2, 3])` raises where the old body returned 2.0.
    let stats = "def avg(xs):\n    \"\"\"Arithmetic mean of the numbers in xs.\"\"\"\n    return sum(xs) / len(xs)\n";
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply("    if not xs:\n        return 0.0\n    return sum(xs) / len(sum(xs))\n"),
            reply("    if not xs:\n        return 0.0\n    return sum(xs) / len(xs)\n"),
        ],
    ));
    let dir = project(&[("stats.py", stats)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "In stats.py, `avg([])` raises ZeroDivisionError; it should return 0.0 for an empty list.",
            "--candidates",
            "1",
        ],
    );
    assert!(
        out.contains("`avg([1, 2, 3])` now fails (TypeError"),
        "{out}"
    );
    assert!(ok, "{out}");
    assert!(std::fs::read_to_string(dir.join("stats.py"))
        .unwrap()
        .contains("return sum(xs) / len(xs)"));
}

#[test]
fn a_javascript_constant_answer_is_refused_and_a_right_fix_is_not() {
    // Same shape in JavaScript (the benchmark's remaining wrong "verified"), then a right fix
    // whose answers vary: it lands verified.
    let words = "// True if s reads the same backwards, ignoring case and spaces.\n\
                 function isPalindrome(s) {\n  const t = s.toLowerCase();\n  \
                 return t === t.split(\"\").reverse().join(\"\");\n}\n\n\
                 module.exports = { isPalindrome };\n";
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply("  let ok = true;\n  for (const c of s) { ok = ok || c; }\n  return ok;\n}\n"),
            reply("  const t = s.toLowerCase().replace(/ /g, \"\");\n  return t === t.split(\"\").reverse().join(\"\");\n}\n"),
        ],
    ));
    let dir = project(&[("words.js", words)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "isPalindrome in words.js should ignore case and spaces: \
             `isPalindrome('Never odd or even')` returns true. Right now it says false.",
            "--candidates",
            "1",
        ],
    );
    assert!(out.contains("returns true for every input tried"), "{out}");
    assert!(ok, "{out}");
    assert!(out.contains("verified"), "{out}");
    assert!(std::fs::read_to_string(dir.join("words.js"))
        .unwrap()
        .contains("replace(/ /g"));
}

#[test]
fn a_two_definition_bug_is_fixed_as_two_sub_tasks() {
    // Both functions are wrong; the request states an example for each. The first reply fixes
    // `add` (one example passes: kept), the second fixes `mul` on top of it.
    let calc = "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a + b\n";
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("    return a + b\n"), reply("    return a * b\n")],
    ));
    let dir = project(&[("calc.py", calc)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "In calc.py, `add(2, 3)` should be 5 and `mul(2, 3)` should be 6.",
            "--candidates",
            "1",
        ],
    );
    assert!(ok, "{out}");
    assert!(out.contains("focus: `add`"), "{out}");
    assert!(
        out.contains("progress: 1 check(s) pass now; kept; next sub-task: `mul`"),
        "{out}"
    );
    assert!(out.contains("focus: `mul`"), "{out}");
    let second = server.chat_requests()[1]["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        second.starts_with("```python\ndef mul(a, b):"),
        "prefilled with mul: {second}"
    );
    let text = std::fs::read_to_string(dir.join("calc.py")).unwrap();
    assert!(
        text.contains("return a + b") && text.contains("return a * b"),
        "{text}"
    );
    assert!(
        out.contains("verified: `add`, `mul` executed by request 1, request 2"),
        "{out}"
    );
}

#[test]
fn a_key_printed_by_the_project_reaches_neither_the_model_nor_the_log() {
    let key = "tk-9f8e7d6c5b4a39281706";
    let test = "import os\nfrom calc import add\nprint('using', os.environ['DEMO_API_KEY'])\nassert add(2, 3) == 5, add(2, 3)\n";
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("    return a + b\n")],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", test)]);
    let log = dir.with_extension("log");
    let out = Command::new(bin())
        .args(["run", "--trust", "--quiet", "--dir"])
        .arg(&dir)
        .args([
            "--endpoint",
            &server.url(),
            "--prompt",
            "Fix add in calc.py",
        ])
        .env("DEMO_API_KEY", key)
        .env("SMALLCODE_LOG", &log)
        .env("SMALLCODE_LOG_LEVEL", "trace")
        .output_within(CLI_LIMIT)
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    let prompt = server.chat_requests()[0].to_string();
    assert!(
        prompt.contains("using [REDACTED]"),
        "the test output reached the model redacted: {prompt}"
    );
    assert!(!prompt.contains(key));
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(!logged.is_empty(), "the trace log was written");
    assert!(!logged.contains(key), "the key is in the log");
    assert!(!text.contains(key), "the key is in the transcript");
}

#[test]
fn a_change_outside_the_selected_definition_is_refused_with_the_reason() {
    // LM Studio: no prefill, so the model writes whole blocks; the first one also rewrites
    // `mul`, which the selection (the lines of `add`) does not touch.
    let server = MockServer::start(MockConfig::new(
        Flavor::LmStudio,
        vec![
            reply("```python\ndef add(a, b):\n    \"\"\"Return the sum.\"\"\"\n    return a + b\n\n\ndef mul(a, b):\n    return 0\n```\n"),
            reply("```python\ndef add(a, b):\n    \"\"\"Return the sum.\"\"\"\n    return a + b\n```\n"),
        ],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "Fix add in calc.py",
            "--range",
            "calc.py:1-3",
            "--candidates",
            "1",
        ],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("confined to `add` (calc.py lines 1-3)"),
        "{out}"
    );
    assert!(
        out.contains(
            "refused: the change touches `mul` outside the selected lines 1-3; change only `add`"
        ),
        "{out}"
    );
    let second = server.chat_requests()[1]["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        second.contains("outside the selected lines"),
        "the reason is fed back: {second}"
    );
    let calc = std::fs::read_to_string(dir.join("calc.py")).unwrap();
    assert!(
        calc.contains("return a + b") && calc.contains("return a * b"),
        "{calc}"
    );
}

/// Spent rounds, then the one-token variants of the failing definition: the first that passes
/// the project's test lands, labelled verified and saying it was not the model's.
#[test]
fn a_repair_template_fixes_a_one_token_bug_the_model_missed_and_says_so() {
    let series = "def sum_to(n):\n    \"\"\"Return 1 + 2 + ... + n.\"\"\"\n    total = 0\n    for i in range(1, n):\n        total += i\n    return total\n";
    let test =
        "from series import sum_to\nassert sum_to(4) == 10, sum_to(4)\nassert sum_to(1) == 1\n";
    let wrong = "    total = 0\n    for i in range(1, n):\n        total += i\n    return total\n";
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply(wrong), reply(wrong)],
    ));
    let dir = project(&[("series.py", series), ("test_series.py", test)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "Fix sum_to in series.py",
            "--max-rounds",
            "2",
            "--candidates",
            "1",
        ],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("verified:")
            && out.contains("found by a repair template (`+ 1` added after `n`"),
        "{out}"
    );
    // The variant's passing checks are shown (the editor's review lists the last ones shown).
    let after = out.split("passes every check").nth(1).unwrap_or_default();
    assert!(after.contains("check tests: ok"), "{out}");
    assert!(std::fs::read_to_string(dir.join("series.py"))
        .unwrap()
        .contains("range(1, n + 1)"));
}

/// A project's weak tests let a wrong change through: `hi = len(items)` passes the five test
/// cases of a binary search whose real bugs are two. The tests' own calls, perturbed
/// (`binary_search([1, 3, 5, 7], 2)`: −1 before, a hang after), refuse it — the model's answer
/// (told why) and the same change as a repair template (run V landed it verified); nothing lands.
#[test]
fn a_change_that_only_fools_weak_tests_is_refused_by_their_calls_perturbed() {
    let search = "def binary_search(items, target):\n    \"\"\"Index of target in the sorted list items, or -1.\"\"\"\n    lo, hi = 0, len(items) - 1\n    while lo < hi:\n        mid = (lo + hi) // 2\n        if items[mid] == target:\n            return mid\n        if items[mid] < target:\n            lo = mid\n        else:\n            hi = mid - 1\n    return -1\n";
    let test = "import signal\n\nfrom search import binary_search\n\nsignal.alarm(2)\ncases = [([1, 3, 5, 7], 7, 3), ([1, 3, 5, 7], 1, 0), ([2], 2, 0), ([1, 3, 5], 4, -1), ([], 1, -1)]\nfor items, target, want in cases:\n    got = binary_search(items, target)\n    assert got == want, (items, target, got, want)\n";
    let fools = "    lo, hi = 0, len(items)\n    while lo < hi:\n        mid = (lo + hi) // 2\n        if items[mid] == target:\n            return mid\n        if items[mid] < target:\n            lo = mid\n        else:\n            hi = mid - 1\n    return -1\n";
    let server = MockServer::start(MockConfig::new(Flavor::LlamaCpp, vec![reply(fools)]));
    let dir = project(&[("search.py", search), ("test_search.py", test)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "Fix binary_search in search.py",
            "--max-rounds",
            "1",
            "--candidates",
            "1",
        ],
    );
    assert!(!ok, "{out}");
    assert!(
        out.contains("check tests: passes, but `binary_search(")
            && out.contains("(a test's call, perturbed) returned with the old code and now fails"),
        "the model's answer is refused, and says why: {out}"
    );
    assert!(
        !out.contains("found by a repair template"),
        "the same change as a template does not land either: {out}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("search.py")).unwrap(),
        search
    );
}

/// One example alone is fooled by too many variants (`a - b` passes "`distance(10, 3)` should
/// be 7" and is wrong for `distance(3, 10)`): the variant that passes it is only *checked*, said
/// why, and written only with `--allow-unverified`.
#[test]
fn a_template_passing_a_single_example_is_only_checked() {
    let dist = "def distance(a, b):\n    \"\"\"How far apart a and b are (never negative).\"\"\"\n    return b - a\n";
    let same = || reply("    return b - a\n");
    for allow in [false, true] {
        let server = MockServer::start(MockConfig::new(Flavor::LlamaCpp, vec![same(), same()]));
        let dir = project(&[("geo.py", dist)]);
        let mut args = vec![
            "--prompt",
            "In geo.py, `distance(10, 3)` should be 7.",
            "--max-rounds",
            "2",
            "--candidates",
            "1",
        ];
        if allow {
            args.push("--allow-unverified");
        }
        let (ok, out) = run(&dir, &server, &args);
        assert!(
            out.contains(
                "checked: `distance` executed by request 1, but it is the request's only example \
                 and 2 variant(s) were tried"
            ) && out.contains("found by a repair template (`a` and `b` swapped"),
            "{out}"
        );
        let now = std::fs::read_to_string(dir.join("geo.py")).unwrap();
        if allow {
            assert!(now.contains("return a - b"), "{now}");
        } else {
            assert!(!ok, "{out}");
            assert_eq!(now, dist);
        }
    }
}

/// "Keep what the comment promises for n = 0": the fix passes the one example, but no check
/// tried n = 0 (`xs.slice(-n)` returns everything there), so it is checked, not verified.
#[test]
fn a_condition_the_request_states_without_a_check_keeps_it_from_verified() {
    let js = "// The last n items of xs: none for n = 0.\nfunction lastN(xs, n) {\n  return xs.slice(xs.length - n - 1);\n}\n\nmodule.exports = { lastN };\n";
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("  return xs.slice(-n);\n}\n")],
    ));
    let dir = project(&[("lists.js", js)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "lastN in lists.js returns one item too many: `lastN([1, 2, 3, 4], 2)` must return \
             `[3, 4]`. Keep what the comment promises for n = 0.",
            "--candidates",
            "1",
        ],
    );
    assert!(!ok, "{out}");
    assert!(
        out.contains("checked: the request states the answer for `n = 0`, which no check tried"),
        "{out}"
    );
    assert_eq!(std::fs::read_to_string(dir.join("lists.js")).unwrap(), js);
}

/// One example beside rules stated in prose: a body that passes `a=1&b=two` but ignores the
/// leading `?`, `+` and repeated keys is checked, not verified, and the chat lists the rules
/// as not checked (they cannot be made executable).
#[test]
fn rules_stated_beside_one_example_keep_a_change_from_verified() {
    let js = "// Parse a URL query string into an object of strings.\nfunction parseQuery(qs) {\n  throw new Error(\"not implemented\");\n}\n\nmodule.exports = { parseQuery };\n";
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply(
            "  const out = {};\n  for (const p of qs.split('&')) {\n    const [k, v] = p.split('=');\n    out[k] = v;\n  }\n  return out;\n}\n",
        )],
    ));
    let dir = project(&[("query.js", js)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "Implement parseQuery in query.js: `parseQuery('a=1&b=two')` should return \
             `{ a: '1', b: 'two' }`. A leading `?` is ignored, empty pieces are skipped, and \
             when a key repeats the last value wins.",
            "--candidates",
            "1",
        ],
    );
    assert!(!ok, "{out}");
    assert!(
        out.contains("not checked: request rules stated without an example: \"A leading `?` is ignored\"; \"empty pieces are skipped\"; \"when a key repeats the last value wins\" — not executable"),
        "{out}"
    );
    assert!(
        out.contains("checked: the request's one example (request 1) passes, but it also states rules no check tries: \"A leading `?` is ignored\""),
        "{out}"
    );
    assert_eq!(std::fs::read_to_string(dir.join("query.js")).unwrap(), js);
}

/// "Fill in the `Stack` class": a first reply that fills `push` and leaves `pop` as `pass`
/// compiles, but it is not done — the placeholder the request asks for is a failing check, the
/// partial change is kept, and the second reply's `pop` completes it before anything lands.
#[test]
fn a_placeholder_the_request_asks_for_keeps_the_loop_going() {
    let src = "class Stack:\n    def __init__(self):\n        self._items = []\n\n    def push(self, x):\n        pass\n\n    def pop(self):\n        pass\n";
    let push = "class Stack:\n    def __init__(self):\n        self._items = []\n\n    def push(self, x):\n        self._items.append(x)\n\n    def pop(self):\n        pass\n";
    let both = "class Stack:\n    def __init__(self):\n        self._items = []\n\n    def push(self, x):\n        self._items.append(x)\n\n    def pop(self):\n        return self._items.pop()\n";
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply(&format!("```python\n{push}```\n")),
            reply(&format!("```python\n{both}```\n")),
        ],
    ));
    let dir = project(&[("stack.py", src)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "Fill in the `Stack` class in stack.py: `push(x)` and `pop()`.",
            "--candidates",
            "1",
            "--allow-unverified",
        ],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("stack.py:5: `push` is still a placeholder (`pass`): the request asks for it"),
        "{out}"
    );
    assert!(
        out.contains("stack.py:8: `pop` is still a placeholder (`pass`)"),
        "{out}"
    );
    assert!(
        out.contains("round 2:") && !out.contains("round 3:"),
        "{out}"
    );
    assert_eq!(std::fs::read_to_string(dir.join("stack.py")).unwrap(), both);
}

/// A program checked on the request's one input only: `a - b` prints 7 for `10 3` as `abs`
/// would, and no probe re-runs a program with other arguments, so the change is checked.
#[test]
fn a_program_run_on_one_input_is_only_checked() {
    let py = "import sys\n\n\ndef distance(a, b):\n    return b - a\n\n\nif __name__ == \"__main__\":\n    print(distance(int(sys.argv[1]), int(sys.argv[2])))\n";
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("    return a - b\n")],
    ));
    let dir = project(&[("dist.py", py)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "`python3 dist.py 10 3` prints -7 but it should print 7: fix distance in dist.py.",
            "--candidates",
            "1",
        ],
    );
    assert!(!ok, "{out}");
    assert!(
        out.contains("checked: the program ran on the request's one input under"),
        "{out}"
    );
    assert_eq!(std::fs::read_to_string(dir.join("dist.py")).unwrap(), py);
}

/// One example judging many changes: the fifth reply passes it, but after four wrong ones a
/// pass may be a coincidence, so the change is checked, not verified.
#[test]
fn the_fifth_change_tried_against_one_example_is_only_checked() {
    let wrong = ["'_'", "'+'", "'.'", "'~'"]
        .map(|c| reply(&format!("    return text.replace(' ', {c})\n")));
    let mut replies: Vec<_> = wrong.into_iter().collect();
    replies.push(reply("    return text.lower().replace(' ', '-')\n"));
    let server = MockServer::start(MockConfig::new(Flavor::LlamaCpp, replies));
    let dir = project(&[("text.py", SLUG)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            SLUG_REQUEST,
            "--max-rounds",
            "5",
            "--candidates",
            "1",
            "--no-repair-templates",
        ],
    );
    assert!(!ok, "{out}");
    assert!(
        out.contains("checked: `slug` passes the request's one example (request 1), but only after 5 changes were tried against it"),
        "{out}"
    );
}

/// The error names the fix: "cannot import name 'parse_int' from 'helpers'" and helpers.py
/// defines `to_int`. The model misses it; the name the module defines is tried and lands.
#[test]
fn a_missing_import_is_repaired_from_the_error_message() {
    let app = "import sys\n\nfrom helpers import parse_int\n\n\ndef total(args):\n    return sum(n for n in (parse_int(a) for a in args) if n is not None)\n\n\nif __name__ == \"__main__\":\n    print(total(sys.argv[1:]))\n";
    let helpers = "def to_int(text, default=None):\n    try:\n        return int(text)\n    except ValueError:\n        return default\n";
    let same =
        || reply("    return sum(n for n in (parse_int(a) for a in args) if n is not None)\n");
    let server = MockServer::start(MockConfig::new(Flavor::LlamaCpp, vec![same(), same()]));
    let dir = project(&[("app.py", app), ("helpers.py", helpers)]);
    let (_, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "`python3 app.py 42 abc 7` fails straight away:\n\n```\nTraceback (most recent call last):\n  File \"app.py\", line 3, in <module>\n    from helpers import parse_int\nImportError: cannot import name 'parse_int' from 'helpers' (helpers.py)\n```\n\napp.py should use the helper that exists in helpers.py.",
            "--max-rounds",
            "2",
            "--candidates",
            "1",
            "--allow-unverified",
        ],
    );
    assert!(
        out.contains("read from the error message (`parse_int`, which helpers.py does not define, replaced by its `to_int`)"),
        "{out}"
    );
    let now = std::fs::read_to_string(dir.join("app.py")).unwrap();
    assert!(
        now.contains("from helpers import to_int") && now.contains("(to_int(a) for"),
        "{now}"
    );
}

/// gcc's note for a conflicting declaration may point outside the project (`int abs(int, int)`
/// against `<stdlib.h>`): no repair is read from a file the project does not hold, and nothing
/// outside the project is written.
#[test]
fn an_error_message_naming_a_system_header_is_left_alone() {
    let c = "#include <stdlib.h>\n\nint abs(int a, int b) {\n    return b - a;\n}\n";
    let header = std::fs::read_to_string("/usr/include/stdlib.h").unwrap_or_default();
    let same = || reply("    return b - a;\n}\n");
    let server = MockServer::start(MockConfig::new(Flavor::LlamaCpp, vec![same(), same()]));
    let dir = project(&[("dist.c", c)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "In dist.c, `abs(10, 3)` should be 7.",
            "--max-rounds",
            "2",
            "--candidates",
            "1",
        ],
    );
    assert!(!ok, "{out}");
    assert!(out.contains("conflicting types for"), "{out}");
    assert!(!out.contains("error message: trying"), "{out}");
    assert_eq!(
        std::fs::read_to_string("/usr/include/stdlib.h").unwrap_or_default(),
        header
    );
    assert_eq!(std::fs::read_to_string(dir.join("dist.c")).unwrap(), c);
}

/// A body calling `abs` without `<stdlib.h>` fails the example's build (implicit declarations
/// are errors there); gcc's own fix-it names the header, and the change lands with it.
#[test]
fn gccs_fix_it_adds_the_header_a_body_needs() {
    let c = "#include <stdio.h>\n\nint distance(int a, int b) {\n    return b - a;\n}\n";
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("    return abs(a - b);\n}\n")],
    ));
    let dir = project(&[("dist.c", c)]);
    let (ok, out) = run(
        &dir,
        &server,
        &["--prompt", "In dist.c, `distance(10, 3)` should be 7."],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("gcc's fix-it: `#include <stdlib.h>` added to dist.c"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("dist.c")).unwrap(),
        "#include <stdio.h>\n#include <stdlib.h>\n\nint distance(int a, int b) {\n    return abs(a - b);\n}\n"
    );
}

/// "`avg([])` should be 0.0" on one example: the guard for the empty input the request names is
/// tried first, and lands verified when the model misses it (it changes no other answer, so one
/// example is enough for it, unlike the one-token variants).
#[test]
fn the_empty_input_guard_a_request_names_lands_on_one_example() {
    let stats = "def avg(xs):\n    \"\"\"Arithmetic mean of the numbers in xs.\"\"\"\n    return sum(xs) / len(xs)\n";
    let same = "    return sum(xs) / len(xs)\n";
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply(same), reply(same)],
    ));
    let dir = project(&[("stats.py", stats)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "In stats.py, `avg([])` raises ZeroDivisionError; it should return 0.0.",
            "--max-rounds",
            "2",
            "--candidates",
            "1",
        ],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("verified: `avg` executed by request 1")
            && out.contains("an empty `xs` returns `0.0`")
            && out.contains("passes every check (variant 1)"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("stats.py")).unwrap(),
        "def avg(xs):\n    \"\"\"Arithmetic mean of the numbers in xs.\"\"\"\n    if not xs:\n        return 0.0\n    return sum(xs) / len(xs)\n"
    );
}

/// A script without functions: the reply is the whole file; the request's command that runs
/// it passes, but nothing tried other arguments (`console.log(5)` would pass too), so it is
/// checked, not verified, and written only with `--allow-unverified`.
#[test]
fn a_script_is_fixed_whole_and_checked_by_the_command_that_runs_it() {
    let script = "// Usage: node main.js N...   prints the sum of the numbers\nconst args = process.argv.slice(2);\nconst total = args.reduce((sum, x) => sum + x, 0);\nconsole.log(total);\n";
    let fixed = "// Usage: node main.js N...   prints the sum of the numbers\nconst args = process.argv.slice(2).map(Number);\nconst total = args.reduce((sum, x) => sum + x, 0);\nconsole.log(total);\n";
    let server = MockServer::start(MockConfig::new(Flavor::LlamaCpp, vec![reply(fixed)]));
    let dir = project(&[("main.js", script)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "running `node main.js 2 3` prints 023 but it should print 5.",
        ],
    );
    assert!(!ok, "{out}");
    assert!(
        out.contains("checked: top-level code run as a program by repro, request 1"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("main.js")).unwrap(),
        script
    );
    let server = MockServer::start(MockConfig::new(Flavor::LlamaCpp, vec![reply(fixed)]));
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "running `node main.js 2 3` prints 023 but it should print 5.",
            "--allow-unverified",
        ],
    );
    assert!(ok, "{out}");
    assert_eq!(std::fs::read_to_string(dir.join("main.js")).unwrap(), fixed);
}

/// The only check is the command the request says crashes: a body that stops the crash by
/// returning nothing useful passes it, so the change is `checked`, not verified, and not written.
#[test]
fn a_command_that_no_longer_crashes_is_no_verification_of_the_answers() {
    let src = "import sys\n\n\ndef count_words(text):\n    counts = {}\n    for word in text.split():\n        counts[word] += 1\n    return counts\n\n\nif __name__ == \"__main__\":\n    print(count_words(\"a b a\"))\n";
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply(
            "    counts = {}\n    for word in text.split():\n        counts.get(word)\n    return counts\n",
        )],
    ));
    let dir = project(&[("wordfreq.py", src)]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "Running `python3 wordfreq.py` crashes with KeyError. Fix count_words in wordfreq.py.",
            "--max-rounds",
            "1",
            "--no-repair-templates",
        ],
    );
    assert!(!ok, "{out}");
    assert!(
        out.contains("checked: runs without crashing under repro; no check compared its answers"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("wordfreq.py")).unwrap(),
        src
    );
}

/// A candidate that loops forever is stopped at 20× the check's first run (at least 10 s), not
/// at the two-minute check limit, and the next round goes on.
#[test]
fn a_looping_candidate_costs_seconds_not_the_whole_check_limit() {
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    // The looping body writes its pid where the test can see it (the shadow tree is removed).
    let pid_file = dir.with_extension("pid");
    let looping = format!(
        "    import os\n    open({:?}, 'w').write(str(os.getpid()))\n    while a != b + 1:\n        pass\n    return a + b\n",
        pid_file.display().to_string()
    );
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply(&looping), reply("    return a + b\n")],
    ));
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "Fix add in calc.py",
            "--candidates",
            "1",
            "--no-repair-templates",
        ],
    );
    assert!(ok, "{out}");
    // 20× the first run: 10 s on a quiet machine, more under load, never the 120 s limit.
    let secs: u64 = out
        .split("timed out after ")
        .nth(1)
        .and_then(|t| t.split('s').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no time-out: {out}"));
    assert!((10..120).contains(&secs), "{out}");
    // The timed-out check's program is gone too, not only its shell (at most a zombie).
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).unwrap_or_default();
    let state = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .trim_start()
        .chars()
        .next();
    assert!(
        matches!(state, None | Some('Z') | Some('X')),
        "still running: {stat}"
    );
}

/// "Rename `calc_total` to `order_total` everywhere": the harness renames the definition, its
/// import, its attribute use and its test from the syntax tree and lands it verified by the
/// project's test, without asking the model; a local of another name is left alone.
#[test]
fn a_rename_request_is_carried_out_over_every_file_without_the_model() {
    let orders =
        "def calc_total(lines):\n    # calc_total: the sum of the lines\n    return sum(lines)\n";
    let invoice = "from orders import calc_total\n\n\ndef text(lines):\n    calc_totals = calc_total(lines)\n    return f\"total {calc_totals}\"\n";
    let report = "import orders\n\n\ndef grand(all_lines):\n    return sum(orders.calc_total(l) for l in all_lines)\n";
    let test = "import unittest\n\nimport orders\nfrom invoice import text\nfrom report import grand\n\n\nclass T(unittest.TestCase):\n    def test_total(self):\n        self.assertEqual(orders.calc_total([1, 2]), 3)\n        self.assertEqual(text([1]), \"total 1\")\n        self.assertEqual(grand([[1], [2]]), 3)\n";
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("    return 0\n")],
    ));
    let dir = project(&[
        ("orders.py", orders),
        ("invoice.py", invoice),
        ("report.py", report),
        ("test_orders.py", test),
    ]);
    let (ok, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "Rename the function `calc_total` to `order_total` everywhere. Don't keep the old name around.",
        ],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("rename `calc_total` → `order_total` (4 file(s)) carried out by the harness"),
        "{out}"
    );
    assert!(out.contains("verified"), "{out}");
    assert!(server.chat_requests().is_empty(), "the model was asked");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    assert_eq!(
        read("orders.py"),
        "def order_total(lines):\n    # order_total: the sum of the lines\n    return sum(lines)\n"
    );
    assert_eq!(
        read("invoice.py"),
        invoice
            .replace("import calc_total", "import order_total")
            .replace("= calc_total(", "= order_total(")
    );
    assert!(read("report.py").contains("orders.order_total(l)"));
    assert!(read("test_orders.py").contains("orders.order_total([1, 2])"));
}

/// A rename whose new name the project already defines is not done by the harness: two
/// definitions would share one name. The model gets the request.
#[test]
fn a_rename_onto_a_taken_name_is_left_to_the_model() {
    let m = "def a():\n    return 1\n\n\ndef b():\n    return 2\n";
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("def b():\n    return 1\n")],
    ));
    let dir = project(&[("m.py", m)]);
    let (_, out) = run(
        &dir,
        &server,
        &[
            "--prompt",
            "Rename `a` to `b` in m.py.",
            "--max-rounds",
            "1",
        ],
    );
    assert!(
        out.contains("rename: `b` is already defined; asking the model"),
        "{out}"
    );
    assert!(!server.chat_requests().is_empty(), "{out}");
}
