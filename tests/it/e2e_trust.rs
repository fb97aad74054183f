//! Trust in Neovim (issue #15): a cloned project runs none of its own code before the user
//! trusts it, and `:SmallCode trust` lets its tests run (real headless Neovim + the mock).

use std::time::Duration;

use crate::support::nvim;
use smallcode_testkit::{Flavor, MockConfig, MockServer, Step};

#[test]
fn a_cloned_project_runs_nothing_in_neovim_before_trust_and_its_tests_after() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            Step::text("    return a + b\n"),
            Step::text("    return a + b\n"),
        ],
    ));
    let dir = nvim::tempdir("trust-project");
    let marker = dir.with_extension("marker");
    std::fs::write(dir.join("calc.py"), "def add(a, b):\n    return a - b\n").unwrap();
    std::fs::write(
        dir.join("test_calc.py"),
        format!(
            "open({:?}, 'w').write('ran')\nfrom calc import add\nassert add(2, 3) == 5\n",
            marker.display().to_string()
        ),
    )
    .unwrap();
    std::fs::create_dir(dir.join(".smallcode")).unwrap();
    std::fs::write(dir.join(".smallcode/allowed-commands"), "*\n").unwrap();
    nvim::run_lua(
        "e2e/trust.lua",
        &[
            ("MOCK_URL", server.url()),
            ("PROJECT", dir.display().to_string()),
            ("MARKER", marker.display().to_string()),
            ("SMALLCODE_TEST_UNTRUSTED", "1".into()),
        ],
        Duration::from_secs(180),
    );
    assert!(marker.exists(), "trusted at the end: the tests ran");
}
