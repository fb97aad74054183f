//! Memory the agent proposes (issue #18), in real Neovim with the mock: a fix run whose tests
//! pass proposes the test command; memory.md is written only after `/memory accept`; a new
//! Neovim on the same project does not propose it again; restricted mode proposes nothing.

use std::path::Path;
use std::time::Duration;

use crate::support::nvim;
use smallcode_testkit::{Flavor, MockConfig, MockServer, Step};

fn fix_reply() -> Step {
    Step::Reply {
        pieces: vec!["    return a + b\n".into()],
        delay_ms: 2,
    }
}

fn project(tag: &str) -> std::path::PathBuf {
    let dir = nvim::tempdir(tag);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join("calc.py"), "def add(a, b):\n    return a - b\n").unwrap();
    std::fs::write(
        dir.join("test_calc.py"),
        "from calc import add\nassert add(2, 3) == 5, add(2, 3)\n",
    )
    .unwrap();
    dir
}

fn run(server: &MockServer, dir: &Path, data: &Path, phase: &str) {
    let mut env = vec![
        ("MOCK_URL", server.url()),
        ("PROJECT", dir.display().to_string()),
        ("XDG_DATA_HOME", data.display().to_string()),
        ("PHASE", phase.to_string()),
    ];
    if phase == "restricted" {
        env.push(("SMALLCODE_TEST_UNTRUSTED", "1".into()));
    }
    nvim::run_lua("e2e/memory_propose.lua", &env, Duration::from_secs(120));
}

#[test]
fn a_passing_test_command_is_proposed_written_only_when_accepted_and_never_twice() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![fix_reply(), fix_reply()],
    ));
    let dir = project("memory-propose");
    let data = nvim::tempdir("memory-propose-data");
    let project_data = smallcode_agent::trust::project_data_dir(&data.join("smallcode"), &dir);
    run(&server, &dir, &data, "first");
    let memory = std::fs::read_to_string(project_data.join("memory.md")).unwrap_or_default();
    assert!(
        memory.starts_with("The tests run with `python3") && memory.lines().count() == 1,
        "the accepted note, once: {memory:?}"
    );
    let proposed = std::fs::read_to_string(project_data.join("proposed.txt")).unwrap();
    assert_eq!(proposed.lines().count(), 1, "{proposed}");
    // A new Neovim, the same run: nothing proposed, memory unchanged.
    run(&server, &dir, &data, "again");
    assert_eq!(
        std::fs::read_to_string(project_data.join("memory.md")).unwrap(),
        memory
    );
}

#[test]
fn restricted_mode_proposes_nothing() {
    let server = MockServer::start(MockConfig::new(Flavor::LlamaCpp, vec![fix_reply()]));
    let dir = project("memory-restricted");
    let data = nvim::tempdir("memory-restricted-data");
    run(&server, &dir, &data, "restricted");
    let project_data = smallcode_agent::trust::project_data_dir(&data.join("smallcode"), &dir);
    assert!(!project_data.join("memory.md").exists());
    assert!(!project_data.join("proposed.txt").exists());
}
