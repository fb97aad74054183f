//! Crash-safe landing (issue #17): `kill -9` of the Rust process at random moments while a change
//! set lands leaves every buffer fully changed or untouched, the shim restarts the process, and
//! the graph opens again. The loop is tests/lua/e2e/kill_loop.lua; each run gets its own scripted
//! mock server here, so a kill that cuts a run short cannot shift the next run's script.
//!
//! `SMALLCODE_KILLS` sets the number of kills (10 in the suite; `scripts/kill_loop.sh` runs
//! hundreds), `SMALLCODE_KILL_SEED` the random seed, `SMALLCODE_KILL_LOG` a file for one line per
//! kill. The counts are printed (run with `--nocapture` to see them).

use crate::support::nvim;
use smallcode_testkit as mock_llm;

use std::collections::HashMap;
use std::time::Duration;

use mock_llm::{Flavor, MockConfig, MockServer, Step};
use serde_json::json;

const CALC: &str = "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n";
const UTIL: &str = "def ident(x):\n    return x\n";
const TEST: &str = "from calc import add, mul\nfrom util import ident\n\nassert add(2, 3) == 5, add(2, 3)\nassert mul(2, 3) == 6\nassert ident(4) == 4\n";

fn call(name: &str, args: serde_json::Value) -> Step {
    Step::ToolCall {
        name: name.to_string(),
        arguments_json_fragments: vec![args.to_string()],
    }
}

/// One run of the agent: three hunks in two files, with a test that executes all of them (so
/// the change is verified and lands at once under `review.auto_accept`).
fn script() -> Vec<Step> {
    vec![
        call("find_read", json!({"query": "calc.py"})),
        call("find_read", json!({"query": "util.py"})),
        call(
            "edit",
            json!({"path": "calc.py", "search": "return a - b", "replace": "return a + b"}),
        ),
        call(
            "edit",
            json!({"path": "calc.py", "search": "return a * b", "replace": "return b * a"}),
        ),
        call(
            "edit",
            json!({"path": "util.py", "search": "return x", "replace": "return x + 0"}),
        ),
        call("done", json!({"summary": "three hunks in two files"})),
    ]
}

#[test]
fn kill_9_while_a_change_set_lands_leaves_every_buffer_whole_and_the_process_restarts() {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let kills: usize = var("SMALLCODE_KILLS").map_or(10, |v| v.parse().expect("SMALLCODE_KILLS"));
    // Two runs without a kill, then one per kill.
    let servers: Vec<MockServer> = (0..kills + 2)
        .map(|_| MockServer::start(MockConfig::new(Flavor::LlamaCpp, script())))
        .collect();
    let dir = nvim::tempdir("kill-loop");
    std::fs::write(dir.join("calc.py"), CALC).unwrap();
    std::fs::write(dir.join("util.py"), UTIL).unwrap();
    std::fs::write(dir.join("test_calc.py"), TEST).unwrap();

    // A private temporary directory, to count what killed processes leave behind there.
    let tmp = nvim::tempdir("kill-loop-tmp");
    let urls: Vec<String> = servers.iter().map(MockServer::url).collect();
    let mut env = vec![
        ("MOCK_URLS", urls.join(",")),
        ("PROJECT", dir.display().to_string()),
        ("KILLS", kills.to_string()),
        ("TMPDIR", tmp.display().to_string()),
    ];
    if let Some(seed) = var("SMALLCODE_KILL_SEED") {
        env.push(("KILL_SEED", seed));
    }
    if let Some(log) = var("SMALLCODE_KILL_LOG") {
        env.push(("KILL_LOG", log));
    }
    // A hang catcher: a run takes seconds.
    let limit = Duration::from_secs(240 + 60 * kills as u64);
    let run = nvim::run_lua("e2e/kill_loop.lua", &env, limit);

    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("kill-loop:"))
        .unwrap_or_else(|| panic!("no counts in the output:\n{}", run.stdout))
        .to_string();
    let left: Vec<String> = std::fs::read_dir(&tmp)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    println!(
        "{line} wall_s={:.0} tmp_left={} ({})",
        run.elapsed.as_secs_f64(),
        left.len(),
        left.iter().take(5).cloned().collect::<Vec<_>>().join(" ")
    );
    let counts: HashMap<&str, &str> = line
        .split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .collect();
    let n = |k: &str| -> usize { counts[k].parse().unwrap() };
    assert_eq!(n("kills"), kills, "{line}");
    assert_eq!(n("torn"), 0, "a change set landed in part: {line}");
    assert_eq!(n("buffers_torn"), 0, "a buffer landed in part: {line}");
    assert_eq!(n("changed") + n("untouched"), kills, "{line}");
    assert_eq!(
        n("restarts"),
        kills,
        "the shim restarted after every kill: {line}"
    );
    assert_eq!(counts["graph"], "ok", "{line}");
    assert!(
        !run.log.contains("cannot open the code graph"),
        "the graph opened after the kills"
    );
    // No Lua error in a callback either (a timer or an autocommand talking to the dead process
    // before its exit is handled: "Invalid channel").
    assert!(
        !run.stderr.contains("stack traceback"),
        "a Lua error in Neovim during the kills:\n{}",
        run.stderr
    );
    // Landing happens in the buffers only: the files on disk are as the test wrote them.
    assert_eq!(std::fs::read_to_string(dir.join("calc.py")).unwrap(), CALC);
    assert_eq!(std::fs::read_to_string(dir.join("util.py")).unwrap(), UTIL);
}
