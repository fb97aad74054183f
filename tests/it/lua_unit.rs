//! Runs every Lua test script `tests/lua/test_*.lua` in its own real headless Neovim (no model,
//! no Rust process unless the script starts the fake one). Each script exits 0 or fails loudly.

use crate::support::nvim;

use std::time::Duration;

fn run(name: &str) {
    let run = nvim::run_lua(&format!("test_{name}.lua"), &[], Duration::from_secs(300));
    assert!(run.stdout.contains(&format!("ok {name}")), "{}", run.stdout);
}

#[test]
fn lua_config() {
    run("config");
}

#[test]
fn lua_chat_render() {
    run("chat_render");
}

#[test]
fn lua_command() {
    run("command");
}

#[test]
fn lua_rpc() {
    run("rpc");
}

#[test]
fn lua_review() {
    run("review");
}

#[test]
fn every_lua_test_script_is_listed_here() {
    let listed = ["config", "chat_render", "command", "rpc", "review"];
    for e in std::fs::read_dir(nvim::repo().join("tests/lua"))
        .unwrap()
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(n) = name
            .strip_prefix("test_")
            .and_then(|n| n.strip_suffix(".lua"))
        {
            assert!(
                listed.contains(&n),
                "tests/lua/{name} is not run by tests/lua_unit.rs"
            );
        }
    }
}
