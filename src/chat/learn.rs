//! Memory the agent proposes (issue #18): after a fix run that taught something durable, the
//! chat shows one line to remember and the user confirms it (`/memory accept`) or drops it
//! (`/memory dismiss`); only a confirmed line is written to the project's memory
//! ([`super::memory`]).
//!
//! What a run can teach: the project's test command, when the run found it (configured or
//! detected), ran it on the final change and it passed. It is proposed only when no note
//! already names it, and a line is proposed once per project: every proposal is recorded in
//! the project's data directory (`proposed.txt`, next to `memory.md`), accepted or not, so a
//! dismissed line never comes back. Nothing is proposed from an untrusted project: the test
//! command ran project code, which restricted mode never does, and a repository must not get to
//! write what the model remembers.

use std::path::{Path, PathBuf};

use smallcode_agent::report::Report;

/// The file of lines already proposed for the project at `root`.
pub fn proposed_path(root: &Path) -> PathBuf {
    super::memory::path(root).with_file_name("proposed.txt")
}

/// A line waiting for the user's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// The project whose memory it goes to.
    pub root: PathBuf,
    /// The note.
    pub text: String,
}

/// The line a run taught, if any, given whether the project is trusted, the run's report, the
/// last round's check lines (`tests: ok`), the project's notes and the lines proposed before.
pub fn lesson(
    trusted: bool,
    report: &Report,
    last_checks: &[String],
    notes: &[String],
    proposed: &[String],
) -> Option<String> {
    if !trusted || !report.passed {
        return None;
    }
    let cmd = report.test_command.as_deref()?;
    let cmd = cmd.trim().trim_end_matches("2>&1").trim();
    if cmd.is_empty() || !last_checks.iter().any(|c| c == "tests: ok") {
        return None;
    }
    // Already remembered (the user's own words count too).
    if notes.iter().any(|n| n.contains(cmd)) {
        return None;
    }
    let line = format!("The tests run with `{cmd}` (it passed after a fix).");
    (!proposed.iter().any(|p| p == &line)).then_some(line)
}

/// The lines proposed before for the project at `root`.
pub fn proposed(root: &Path) -> Vec<String> {
    read_lines(&proposed_path(root))
}

fn read_lines(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Records `line` as proposed for the project at `root` (before it is shown: a crash must not
/// make it come back).
pub fn record(root: &Path, line: &str) -> Result<(), String> {
    let file = proposed_path(root);
    append_line(&file, line).map_err(|e| format!("cannot write {}: {e}", file.display()))
}

fn append_line(file: &Path, line: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)?;
    writeln!(f, "{}", line.replace('\n', " "))
}

/// The chat line that shows a proposal.
pub fn prompt_text(p: &Proposal) -> String {
    format!(
        "remember for this project? \u{201c}{}\u{201d} /memory accept keeps it, /memory dismiss drops it",
        p.text
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passed(cmd: Option<&str>) -> Report {
        Report {
            passed: true,
            test_command: cmd.map(str::to_string),
            ..Report::default()
        }
    }

    #[test]
    fn a_passing_test_command_is_proposed_once_and_never_untrusted() {
        let ok = vec!["py_compile: ok".to_string(), "tests: ok".to_string()];
        let r = passed(Some("python3 -m pytest -q -x 2>&1"));
        let line = lesson(true, &r, &ok, &[], &[]).unwrap();
        assert_eq!(
            line,
            "The tests run with `python3 -m pytest -q -x` (it passed after a fix)."
        );
        assert_eq!(lesson(false, &r, &ok, &[], &[]), None, "restricted mode");
        assert_eq!(
            lesson(true, &r, &ok, &[], std::slice::from_ref(&line)),
            None,
            "never twice"
        );
        let known = vec!["run python3 -m pytest -q -x before committing".to_string()];
        assert_eq!(
            lesson(true, &r, &ok, &known, &[]),
            None,
            "already remembered"
        );
        let failing = vec!["tests: 1 problem(s): x".to_string()];
        assert_eq!(lesson(true, &r, &failing, &[], &[]), None, "did not pass");
        assert_eq!(lesson(true, &passed(None), &ok, &[], &[]), None, "no tests");
        let mut unfinished = r.clone();
        unfinished.passed = false;
        assert_eq!(lesson(true, &unfinished, &ok, &[], &[]), None, "run failed");
    }

    #[test]
    fn proposed_lines_are_kept_one_per_line() {
        let dir = std::env::temp_dir().join(format!("smallcode-learn-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let file = dir.join("proposed.txt");
        append_line(&file, "one").unwrap();
        append_line(&file, "two\nlines").unwrap();
        assert_eq!(read_lines(&file), ["one", "two lines"]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
