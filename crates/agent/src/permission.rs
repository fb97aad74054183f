//! Whether the model may run a command: deny by default.
//!
//! Order of the decision ([`Gate::decide`]):
//! 1. the harness's own commands (the detected checkers and the configured/detected test
//!    command) run freely — they are the harness's, not the model's;
//! 2. headless allowances (`--allow PREFIX`, `--allow-all`, see [`super::Permissions`]);
//! 3. commands the user allowed "always" for this project (one exact command per line in the
//!    user's data directory, never in the project: a repository cannot ship its own list);
//! 4. otherwise the user is asked ([`Asker`]: `vim.ui.select` in Neovim — once / always / no);
//!    with no one to ask (headless) the command is denied.

use std::path::{Path, PathBuf};

use super::Permissions;

/// The user's answer to "may the model run this?". On the wire (the `permission_answer`
/// notification) it is the lowercase name: `once`, `always` or `no`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    /// Run it this time only.
    Once,
    /// Run it, and this exact command from now on in this project.
    Always,
    /// Don't run it.
    No,
}

/// Someone who can answer the question (the Neovim user). Must not block the caller's runtime:
/// the Neovim implementation sends the question and awaits a notification with the answer.
#[async_trait::async_trait]
pub trait Asker: Send + Sync {
    /// Asks whether `command` may run in the project at `root`.
    async fn ask(&self, command: &str, root: &Path) -> Answer;
}

/// The decision for one command, with the reason shown in the chat and to the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// May run; the reason (`checker`, `--allow`, `always`, `user`).
    Allowed(&'static str),
    /// Refused; the line the model gets back.
    Denied(String),
}

/// Everything that decides about commands in one run.
pub struct Gate {
    /// Headless allowances.
    pub perms: Permissions,
    /// The harness's own commands (checkers, test command): always allowed.
    pub free: Vec<String>,
    /// The user, when there is one (Neovim).
    pub asker: Option<std::sync::Arc<dyn Asker>>,
    /// Project root (what the user is asked about).
    pub root: PathBuf,
    /// Where this project's "always" answers are kept: `allowed-commands` in the project's
    /// data directory ([`crate::trust::project_data_dir`]).
    pub allowed_file: PathBuf,
    /// The project is trusted. Untrusted, no command the model asks for runs, whatever the
    /// allowances say (it would execute in a project nobody vouched for).
    pub trusted: bool,
}

/// The name of the file holding a project's "always" commands, in its data directory.
pub const ALLOWED_FILE: &str = "allowed-commands";

impl Gate {
    /// Decides about `command`, asking the user when there is one and nothing else allows it.
    pub async fn decide(&self, command: &str) -> Decision {
        let c = command.trim();
        if c.is_empty() {
            return Decision::Denied("empty command".into());
        }
        let n = normalize(c);
        if self
            .free
            .iter()
            .any(|f| normalize(f) == n || f.split("&&").any(|part| normalize(part) == n))
        {
            return Decision::Allowed("checker");
        }
        if !self.trusted {
            return Decision::Denied(format!(
                "`{c}` did not run: the project is not trusted (`:SmallCode trust` or `smallcode run --trust`)"
            ));
        }
        if self.perms.allows(c) {
            return Decision::Allowed("--allow");
        }
        if always_allowed(&self.allowed_file).iter().any(|a| a == c) {
            return Decision::Allowed("always");
        }
        match &self.asker {
            Some(asker) => match asker.ask(c, &self.root).await {
                Answer::Once => Decision::Allowed("user"),
                Answer::Always => {
                    if let Err(e) = remember(&self.allowed_file, c) {
                        tracing::warn!("[permission] could not remember {c:?}: {e}");
                    }
                    Decision::Allowed("user")
                }
                Answer::No => Decision::Denied(format!("the user declined `{c}`")),
            },
            None => Decision::Denied(format!(
                "`{c}` is not allowed (headless: start with --allow PREFIX or --allow-all)"
            )),
        }
    }
}

/// A command line compared loosely: quotes, `2>&1` and repeated spaces do not make a checker
/// command a different command (`python3 'test_a.py' 2>&1` = `python3 test_a.py`).
fn normalize(command: &str) -> String {
    command
        .replace(['\'', '"'], "")
        .replace("2>&1", "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Commands the user allowed "always", from `file` (missing = none).
pub fn always_allowed(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .map(|s| {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Adds `command` to the "always" list in `file` (its folder is created; written atomically).
pub fn remember(file: &Path, command: &str) -> std::io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut list = always_allowed(file);
    if !list.iter().any(|c| c == command.trim()) {
        list.push(command.trim().to_string());
    }
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, (list.join("\n") + "\n").as_bytes())?;
    tmp.persist(file).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    struct Says(Answer);

    #[async_trait::async_trait]
    impl Asker for Says {
        async fn ask(&self, _: &str, _: &Path) -> Answer {
            self.0
        }
    }

    fn gate(root: &Path, asker: Option<Answer>) -> Gate {
        Gate {
            perms: Permissions {
                prefixes: vec!["make".into()],
                all: false,
            },
            free: vec![
                "python3 -m py_compile 'a.py'".into(),
                "python3 'test_a.py' 2>&1 && python3 'test_b.py' 2>&1".into(),
            ],
            asker: asker.map(|a| Arc::new(Says(a)) as Arc<dyn Asker>),
            root: root.to_path_buf(),
            allowed_file: root.join("data").join(ALLOWED_FILE),
            trusted: true,
        }
    }

    #[tokio::test]
    async fn checkers_and_prefixes_run_others_are_denied_or_asked_and_always_is_remembered() {
        let t = tempfile::tempdir().unwrap();
        let headless = gate(t.path(), None);
        assert_eq!(
            headless.decide("python3 -m py_compile 'a.py'").await,
            Decision::Allowed("checker")
        );
        assert_eq!(
            headless.decide("python3 test_b.py").await,
            Decision::Allowed("checker")
        );
        assert_eq!(
            headless.decide("make test").await,
            Decision::Allowed("--allow")
        );
        assert!(matches!(
            headless.decide("rm -rf x").await,
            Decision::Denied(m) if m.contains("--allow")
        ));
        assert!(matches!(
            gate(t.path(), Some(Answer::No)).decide("ls").await,
            Decision::Denied(_)
        ));
        assert_eq!(
            gate(t.path(), Some(Answer::Once)).decide("ls").await,
            Decision::Allowed("user")
        );
        let file = t.path().join("data").join(ALLOWED_FILE);
        assert!(always_allowed(&file).is_empty(), "once is not remembered");
        assert_eq!(
            gate(t.path(), Some(Answer::Always)).decide("ls -l").await,
            Decision::Allowed("user")
        );
        assert_eq!(always_allowed(&file), vec!["ls -l".to_string()]);
        assert!(
            !t.path().join(".smallcode").exists(),
            "nothing is written into the project"
        );
        // Remembered: allowed next time without asking (even headless).
        assert_eq!(headless.decide("ls -l").await, Decision::Allowed("always"));
        assert!(matches!(headless.decide("ls").await, Decision::Denied(_)));
    }

    #[tokio::test]
    async fn an_untrusted_project_runs_no_model_command_even_allowed_ones() {
        let t = tempfile::tempdir().unwrap();
        // A repository that ships its own "always" list gets nothing from it: the list lives
        // in the user's data directory.
        std::fs::create_dir(t.path().join(".smallcode")).unwrap();
        std::fs::write(t.path().join(".smallcode/allowed-commands"), "ls\n").unwrap();
        let mut g = gate(t.path(), Some(Answer::Once));
        assert!(
            matches!(g.decide("ls").await, Decision::Allowed("user")),
            "asked, not allowed by the project's file"
        );
        g.trusted = false;
        g.perms.all = true;
        assert!(matches!(
            g.decide("make test").await,
            Decision::Denied(m) if m.contains("not trusted")
        ));
        assert_eq!(
            g.decide("python3 -m py_compile 'a.py'").await,
            Decision::Allowed("checker"),
            "the harness's own syntax checkers still run"
        );
    }
}
