//! The task benchmark end to end: the `smallcode-bench` binary runs a real task against the
//! scripted mock model, grades it with the task's hidden check and writes its results.

use std::process::Command;

use smallcode_testkit::project::temp_project;
use smallcode_testkit::{Flavor, MockConfig, MockServer, Step};

#[test]
fn bench_runner_grades_with_the_hidden_check_and_writes_results() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![Step::text("    return a + b\n")],
    ));
    let out_dir = temp_project("bench", &[]);
    let out = Command::new(env!("CARGO_BIN_EXE_smallcode-bench"))
        .arg("--tasks")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/tasks"))
        .args([
            "--filter",
            "py-t1-add-sign",
            "--mode",
            "harness",
            "--endpoint",
            &server.url(),
            "--out",
        ])
        .arg(&out_dir)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    let csv = std::fs::read_to_string(out_dir.join("results.csv")).unwrap();
    assert!(csv.starts_with("task,mode,trial,passed"), "{csv}");
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("py-t1-add-sign,harness,1,true,"),
        "{csv}"
    );
    assert!(std::fs::read_to_string(out_dir.join("report.md"))
        .unwrap()
        .contains("1/1 = 100%"));
    assert!(std::fs::read_to_string(out_dir.join("chart.svg"))
        .unwrap()
        .starts_with("<svg"));
    // The check never reached the agent's copy: the agent saw only files/.
    let body = server.chat_requests()[0]["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!body.contains("test_hidden"), "{body}");
}
