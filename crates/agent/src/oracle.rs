//! What can tell a right change from a wrong one in this project, and what a passing run proves.
//!
//! The oracle gathers, once per run, the checks that exercise behaviour: the project's test
//! command, the command the request says fails, and the request's own examples (see
//! [`crate::expect`], [`crate::request_check`]). In an untrusted project none of them runs (they
//! execute project code); each is listed in [`Oracle::skipped`] with the reason, so the chat says
//! what was not checked. After the checks pass, [`Oracle::label`] says what they prove:
//! [`Verification::Verified`] only when a behavioural check ran every changed definition
//! ([`crate::coverage`]); otherwise [`Verification::Checked`] (syntax/compile only) or
//! [`Verification::Unverified`] (no check at all).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::check::{self, CheckCmd};
use crate::context::Target;
use crate::coverage::{self, Changed, Tracer};
use crate::expect;
use crate::report::Verification;
use crate::request_check::{self, RequestCheck};
use crate::workspace::Workspace;
use smallcode_core::syntax::language_for_path;

/// Seconds a perturbed test call may take ([`Oracle::test_call_verdict`]): the old code of a
/// buggy search often hangs on them, and each hang costs this much.
const TEST_PROBE_LIMIT: u32 = 3;

/// The behavioural checks of one run and the evidence they leave.
pub struct Oracle {
    /// Checks that exercise behaviour and will run (empty when untrusted).
    pub behavioural: Vec<CheckCmd>,
    /// Checks that will not run, each with the reason (one line each, for the chat).
    pub skipped: Vec<String>,
    /// The request's expectations and how each is checked.
    pub requests: Vec<RequestCheck>,
    /// Names the checks mention (test files' identifiers, request callees): static coverage
    /// where no tracer runs.
    mentioned: BTreeSet<String>,
    /// The string literals of the project's test files (what a change must not spell out).
    test_strings: Vec<String>,
    tracer: Option<Tracer>,
    /// Perturbed example calls, for changes that answer every input alike ([`crate::probe`]).
    probes: Vec<Probe>,
    /// The old code's answers to each probe's calls, computed on first need.
    baseline: tokio::sync::OnceCell<Vec<Vec<crate::probe::Outcome>>>,
    /// A shadow tree of the code before any edit (made on first need, kept for the run): the
    /// probes' old answers are computed there.
    old_code: tokio::sync::OnceCell<Option<(Workspace, PathBuf)>>,
    /// Inputs the request states behaviour for without an example ("for n = 0").
    conditions: Vec<expect::Condition>,
    /// Rules the request states in prose without an example ([`expect::rules`]).
    rules: Vec<String>,
    /// Placeholder definitions the request asks to fill in ([`crate::stubs`]).
    pub placeholders: Vec<crate::stubs::Wanted>,
    /// Verification passes run so far (the code before the edit, then each change whose
    /// syntax checks passed): how many changes the examples have judged.
    passes: std::sync::atomic::AtomicUsize,
    /// How long each behavioural check took on its first run (the code before any edit).
    first_runs: std::sync::Mutex<std::collections::HashMap<String, std::time::Duration>>,
    // Harness files and traces; removed with the oracle.
    _scratch: Option<tempfile::TempDir>,
}

impl Oracle {
    /// How many of the request's examples run as checks.
    pub fn examples(&self) -> usize {
        self.requests.iter().filter(|r| r.cmd.is_some()).count()
    }

    /// The project's test command among the checks that will run (none when untrusted).
    pub fn test_command(&self) -> Option<String> {
        self.behavioural
            .iter()
            .find(|c| c.name == "tests")
            .map(|c| c.command.clone())
    }

    /// Gathers the run's behavioural checks. `test_cmd` is the configured test command, if any;
    /// `trusted` says whether project code may run.
    pub fn new(
        ws: &Workspace,
        files: &[String],
        targets: &[Target],
        prompt: &str,
        test_cmd: Option<&str>,
        trusted: bool,
    ) -> Oracle {
        let root = ws.root();
        let tests = test_cmd
            .map(|c| CheckCmd {
                name: "tests".into(),
                command: c.to_string(),
            })
            .or_else(|| check::detect_tests(root, files));
        let repro = check::repro_from_request(root, prompt).filter(|r| {
            tests
                .as_ref()
                .is_none_or(|t| !t.command.contains(&r.command))
        });
        let mut expectations = expect::parse(prompt);
        // Calls typed without backticks count only for a function the project defines.
        for e in expect::parse_bare(prompt) {
            let defined = e
                .callee()
                .is_some_and(|c| locate(ws, files, targets, c).is_some());
            if defined && !expectations.contains(&e) {
                expectations.push(e);
            }
        }
        for t in targets {
            if t.rel.ends_with(".py") {
                if let Ok(text) = ws.read(&t.path) {
                    for e in expect::doctests(&text) {
                        if !expectations.contains(&e) {
                            expectations.push(e);
                        }
                    }
                }
            }
        }
        let scratch = tempfile::Builder::new()
            .prefix("smallcode-run-")
            .tempdir()
            .ok();
        let requests = match &scratch {
            Some(dir) if !expectations.is_empty() => {
                let main_lang = targets
                    .first()
                    .and_then(|t| language_for_path(Path::new(&t.rel)))
                    .map(|l| l.name);
                let locate = |name: &str| locate(ws, files, targets, name);
                request_check::build(root, &expectations, &locate, main_lang, files, dir.path())
            }
            _ => Vec::new(),
        };
        let mut mentioned: BTreeSet<String> = requests
            .iter()
            .filter_map(|r| r.expectation.callee().map(str::to_string))
            .collect();
        let mut test_strings = Vec::new();
        for f in files.iter() {
            // Only the targets' own test modules: reading every Rust file of a large crate on
            // each run would cost more than the rare test module elsewhere is worth.
            let inline =
                f.ends_with(".rs") && !is_test_file(f) && targets.iter().any(|t| t.rel == *f);
            if !inline && !is_test_file(f) {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(root.join(f)) {
                // A Rust source file's own `#[cfg(test)]` module is a test file of its own.
                let text = if inline {
                    inline_rust_tests(&text)
                } else {
                    text
                };
                mentioned.extend(coverage::identifiers(&text));
                test_strings.extend(crate::overfit::quoted(&text));
            }
        }
        // The request's command runs a program: its entry point (the file with `main`) says
        // what it calls, the graph the rest (C/C++: no tracer runs there).
        if let Some(r) = &repro {
            for word in r.command.split_whitespace() {
                let is_c = [".c", ".cc", ".cpp"].iter().any(|e| word.ends_with(e));
                let Ok(text) = std::fs::read_to_string(root.join(word)) else {
                    continue;
                };
                if is_c
                    && coverage::definition_names(word, &text)
                        .iter()
                        .any(|n| n == "main")
                {
                    mentioned.extend(coverage::identifiers(&text));
                }
            }
        }
        let mut behavioural = Vec::new();
        let mut skipped = Vec::new();
        let add = |cmd: CheckCmd, what: String, b: &mut Vec<CheckCmd>, s: &mut Vec<String>| {
            if trusted {
                b.push(cmd);
            } else {
                s.push(format!(
                    "{what}: not run — the project is not trusted (it would execute project code)"
                ));
            }
        };
        if let Some(t) = tests {
            let what = format!("tests `{}`", t.command.trim_end_matches(" 2>&1"));
            add(t, what, &mut behavioural, &mut skipped);
        }
        if let Some(r) = repro {
            let what = format!("`{}`", r.command.trim_end_matches(" 2>&1"));
            add(r, what, &mut behavioural, &mut skipped);
        }
        for r in &requests {
            let what = format!("request: {}", r.expectation.describe());
            match (&r.cmd, &r.skipped) {
                (Some(cmd), _) => add(cmd.clone(), what, &mut behavioural, &mut skipped),
                (None, Some(why)) => skipped.push(format!("{what}: not executable — {why}")),
                (None, None) => {}
            }
        }
        let rules = expect::rules(prompt);
        if !rules.is_empty() {
            let quoted: Vec<String> = rules.iter().map(|r| format!("\"{r}\"")).collect();
            skipped.push(format!(
                "request rules stated without an example: {} — not executable",
                quoted.join("; ")
            ));
        }
        let tracer = scratch.as_ref().and_then(|d| Tracer::new(d.path()).ok());
        let probes = match &scratch {
            Some(dir) if trusted => {
                let main_lang = targets
                    .first()
                    .and_then(|t| language_for_path(Path::new(&t.rel)))
                    .map(|l| l.name);
                let locate = |name: &str| locate(ws, files, targets, name);
                probes(&requests, &|i, exps| {
                    let d = dir.path().join(format!("probe{i}"));
                    std::fs::create_dir_all(&d).ok()?;
                    Some(request_check::build(
                        root, exps, &locate, main_lang, files, &d,
                    ))
                })
            }
            _ => Vec::new(),
        };
        Oracle {
            behavioural,
            skipped,
            requests,
            mentioned,
            test_strings,
            tracer,
            probes,
            baseline: tokio::sync::OnceCell::new(),
            old_code: tokio::sync::OnceCell::new(),
            conditions: expect::conditions(prompt),
            rules,
            placeholders: crate::stubs::wanted(ws, targets, prompt),
            passes: std::sync::atomic::AtomicUsize::new(0),
            first_runs: Default::default(),
            _scratch: scratch,
        }
    }

    /// A staged change (checked in `dir`, its shadow tree) that the perturbed example calls
    /// ([`crate::probe`]) show to fool the examples: it raises where the old code returned, or
    /// it returns the examples' one answer for every input where the old code's answers varied.
    /// The name of the request check it fools and why, for the model. Runs the probes (the old
    /// code's once per oracle, in a shadow tree of the original).
    pub async fn probe_verdict(
        &self,
        ws: &Workspace,
        dir: &Path,
        timeout: std::time::Duration,
    ) -> Option<(String, String)> {
        for (i, p) in self.probes.iter().enumerate() {
            let mut new = Vec::new();
            for cmd in &p.checks[p.examples..] {
                new.push(crate::probe::Outcome::of(
                    &check::run(dir, cmd, timeout).await,
                ));
            }
            let old = self.old_answers(ws, timeout).await;
            let Some(old) = old.get(i) else { continue };
            let answer = p.expected.as_deref();
            let why = crate::probe::judge(&p.callee, answer, &p.perturbed, old, p.examples, &new);
            if let Some(why) = why {
                return Some((p.check.clone(), why));
            }
        }
        None
    }

    /// A change that has just passed every check, probed with the tests' own calls: for each
    /// changed module-level Python function, the calls the checks made to it in that run
    /// (recorded by the tracer — the old code may have hung before its tests made them),
    /// perturbed as the request's examples are ([`crate::probe::perturbed`]; emptied or zeroed
    /// arguments left out, where a right fix may rightly raise), run on the old code and on the
    /// change: a call the old code answered and the change cannot (it raises or hangs —
    /// `binary_search([1, 3, 5, 7], 2)` after `hi = len(items)`) means the change only fools
    /// the project's few test cases. The failing check's name (the tests) and why; `None`
    /// when no such call exists (or none was recorded).
    pub async fn test_call_verdict(&self, ws: &mut Workspace) -> Option<(String, String)> {
        let tests = self.behavioural.first()?.name.clone();
        let recorded = self.tracer.as_ref()?.python_args();
        if recorded.is_empty() {
            return None;
        }
        let mut changed = Vec::new();
        for (path, new) in ws.staged() {
            let rel = ws.rel(path);
            if !rel.ends_with(".py") {
                continue;
            }
            let old = ws.original(path).unwrap_or_default();
            for c in coverage::changed_definitions(&rel, &old, new) {
                if c.name == c.qualified && !c.constant {
                    changed.push((rel.clone(), c.name, c.lines));
                }
            }
        }
        for (rel, name, lines) in changed {
            if let Some(why) = self
                .test_calls_fooled(ws, &recorded, (&rel, &name, lines))
                .await
            {
                return Some((tests, why));
            }
        }
        None
    }

    /// [`Oracle::test_call_verdict`] for one function `name` of `rel` (lines 1-based).
    async fn test_calls_fooled(
        &self,
        ws: &mut Workspace,
        recorded: &[(String, u32, String)],
        (rel, name, rows): (&str, &str, (u32, u32)),
    ) -> Option<String> {
        let mut calls: Vec<String> = Vec::new();
        for (f, line, args) in recorded {
            let call = format!("{name}({args})");
            if f == rel && (rows.0..=rows.1).contains(line) && !calls.contains(&call) {
                calls.push(call);
            }
        }
        calls.truncate(4);
        let mut perturbed: Vec<String> = Vec::new();
        for c in &calls {
            for p in crate::probe::perturbed(c, crate::probe::MAX_PER_CALL) {
                if !p.trivial && !calls.contains(&p.call) && !perturbed.contains(&p.call) {
                    perturbed.push(p.call);
                }
            }
        }
        perturbed.truncate(2 * crate::probe::MAX_PER_CALL);
        if perturbed.is_empty() {
            return None;
        }
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = self
            ._scratch
            .as_ref()?
            .path()
            .join(format!("test-probe{n}"));
        std::fs::create_dir_all(&dir).ok()?;
        let exps: Vec<expect::Expectation> = perturbed
            .iter()
            .map(|c| expect::Expectation::Value {
                call: c.clone(),
                expected: "None".into(),
            })
            .collect();
        let files = [rel.to_string()];
        let locate = |_: &str| Some((rel.to_string(), "python"));
        let checks = request_check::build(ws.root(), &exps, &locate, Some("python"), &files, &dir);
        let new_dir = ws.shadow_root().ok()?;
        let old_dir = self.old_dir(ws).await?;
        for (call, check) in perturbed.iter().zip(&checks) {
            let Some(cmd) = &check.cmd else { continue };
            let cmd = request_check::with_call_limit(cmd, TEST_PROBE_LIMIT);
            let limit = std::time::Duration::from_secs(u64::from(TEST_PROBE_LIMIT) + 5);
            let old = crate::probe::Outcome::of(&check::run(old_dir, &cmd, limit).await);
            if !old.returned() {
                continue;
            }
            let new = crate::probe::Outcome::of(&check::run(&new_dir, &cmd, limit).await);
            if let crate::probe::Outcome::NoAnswer(why) = new {
                return Some(format!(
                    "`{call}` (a test's call, perturbed) returned with the old code and now fails: {why}"
                ));
            }
        }
        None
    }

    /// Whether the probes compared other answers with the old code's: an example whose input
    /// raised before, and perturbed inputs the old code answered (a passing candidate kept
    /// those answers, [`crate::probe::judge`]).
    pub fn answers_kept(&self) -> bool {
        let Some(old) = self.baseline.get() else {
            return false;
        };
        self.probes.iter().zip(old).any(|(p, o)| {
            let (ex, rest) = o.split_at(p.examples.min(o.len()));
            !ex.is_empty()
                && ex.iter().all(|x| !x.returned())
                && rest.iter().any(crate::probe::Outcome::returned)
        })
    }

    /// The old code's outcome of every probe call, the examples' own first.
    async fn old_answers(
        &self,
        ws: &Workspace,
        timeout: std::time::Duration,
    ) -> &Vec<Vec<crate::probe::Outcome>> {
        self.baseline
            .get_or_init(|| async {
                let Some(dir) = self.old_dir(ws).await else {
                    return Vec::new();
                };
                let mut all = Vec::new();
                for p in &self.probes {
                    let mut answers = Vec::new();
                    for cmd in &p.checks {
                        answers.push(crate::probe::Outcome::of(
                            &check::run(dir, cmd, timeout).await,
                        ));
                    }
                    all.push(answers);
                }
                all
            })
            .await
    }

    /// The shadow tree of the code before any edit (`ws` forked, its changes discarded), made
    /// once per run for every probe that compares with the old code.
    async fn old_dir(&self, ws: &Workspace) -> Option<&Path> {
        self.old_code
            .get_or_init(|| async {
                let mut base = ws.fork();
                base.discard();
                let dir = base.shadow_root().ok()?;
                Some((base, dir))
            })
            .await
            .as_ref()
            .map(|(_, dir)| dir.as_path())
    }

    /// The callees of the request checks that failed in `results`, in request order, with the
    /// file that defines each: the definitions the failing checks point at.
    pub fn failing_callees(&self, results: &[crate::check::CheckResult]) -> Vec<(String, String)> {
        self.requests
            .iter()
            .filter(|r| {
                r.cmd
                    .as_ref()
                    .is_some_and(|c| results.iter().any(|x| !x.ok && x.cmd.name == c.name))
            })
            .filter_map(|r| Some((r.expectation.callee()?.to_string(), r.callee_file.clone()?)))
            .collect()
    }

    /// How many behavioural checks pass in `results` and how many failures the failing ones
    /// report (pytest/unittest "N failed"/"failures=N", else one per failing check): the
    /// measure of progress between two attempts.
    pub fn score(&self, results: &[crate::check::CheckResult]) -> (usize, usize) {
        let behavioural = |name: &str| self.behavioural.iter().any(|b| b.name == name);
        let passing = results
            .iter()
            .filter(|r| r.ok && behavioural(&r.cmd.name))
            .count();
        let failures = results
            .iter()
            .filter(|r| !r.ok && behavioural(&r.cmd.name))
            .map(|r| reported_failures(&r.output).unwrap_or(1))
            .sum();
        (passing, failures)
    }

    /// A staged change that passes the request's examples without fixing the logic (see
    /// [`crate::overfit`]): the name of the request check it fools and why, for the model.
    pub fn overfit(&self, ws: &Workspace) -> Option<(String, String)> {
        let name = self
            .requests
            .iter()
            .find_map(|r| r.cmd.as_ref())
            .or(self.behavioural.first())?
            .name
            .clone();
        let examples: Vec<_> = self
            .requests
            .iter()
            .map(|r| r.expectation.clone())
            .collect();
        ws.staged().iter().find_map(|(path, new)| {
            let old = ws.original(path).unwrap_or_default();
            crate::overfit::suspicion(&ws.rel(path), &old, new, &examples, &self.test_strings)
                .map(|why| (name.clone(), why))
        })
    }

    /// Whether a passing `cmd` says the answers are right (tests, a request example's value,
    /// output or exception), not only that the code ran without crashing (the command the
    /// request says crashes, a "should not crash" example).
    fn asserts(&self, cmd: &CheckCmd) -> bool {
        if cmd.name == "repro" {
            return false;
        }
        !self.requests.iter().any(|r| {
            r.cmd.as_ref().is_some_and(|c| c.name == cmd.name)
                && matches!(r.expectation, expect::Expectation::NoRaise { .. })
        })
    }

    /// The time limit of behavioural check `name`: 20× its first run, at least 10 s, at most
    /// `limit`. A candidate that loops (a script waiting forever) otherwise costs the whole
    /// `limit` — two minutes — where the code before the edit answered in 50 ms.
    pub fn time_limit(&self, name: &str, limit: std::time::Duration) -> std::time::Duration {
        let runs = self.first_runs.lock().unwrap_or_else(|e| e.into_inner());
        runs.get(name).map_or(limit, |first| {
            (*first * 20).clamp(std::time::Duration::from_secs(10), limit)
        })
    }

    /// Notes how long check `name` took, when it is its first run.
    pub fn record_run(&self, name: &str, took: std::time::Duration) {
        let mut runs = self.first_runs.lock().unwrap_or_else(|e| e.into_inner());
        runs.entry(name.to_string()).or_insert(took);
    }

    /// The environment checks run with (the tracer's), for checks running in `shadow`.
    pub fn env(&self, shadow: &Path) -> Vec<(String, String)> {
        self.tracer
            .as_ref()
            .map(|t| t.env(shadow))
            .unwrap_or_default()
    }

    /// Forgets the evidence of earlier passes (call before a verification pass).
    pub fn reset(&self) {
        self.passes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = &self.tracer {
            t.reset();
        }
    }

    /// What the last verification pass (all checks passing) proves about the staged change.
    /// `syntax_ran` says whether any syntax/compile checker ran.
    pub fn label(
        &self,
        ws: &Workspace,
        shadow: &Path,
        syntax_ran: bool,
        callees: &dyn Fn(&str) -> Vec<String>,
    ) -> (Verification, String) {
        let changed: Vec<Changed> = ws
            .staged()
            .iter()
            .flat_map(|(path, new)| {
                let old = ws.original(path).unwrap_or_default();
                coverage::changed_definitions(&ws.rel(path), &old, new)
            })
            .collect();
        let fallback = if syntax_ran {
            Verification::Checked
        } else {
            Verification::Unverified
        };
        if self.behavioural.is_empty() {
            let why = if self.skipped.len() == usize::from(!self.rules.is_empty()) {
                "no test or example in the request checks behaviour"
            } else {
                "the checks that exercise behaviour did not run"
            };
            return (fallback, format!("syntax/compile checks only: {why}"));
        }
        if changed.is_empty() {
            return (
                fallback,
                "no changed definition to attribute the passing checks to".into(),
            );
        }
        let traced = self
            .tracer
            .as_ref()
            .map(|t| t.executed(shadow, &changed))
            .unwrap_or_else(|| vec![None; changed.len()]);
        let reach = coverage::reachable(self.mentioned.iter().cloned(), callees, 3);
        // A script's top-level constant is evaluated by a check that runs its file.
        let run_as_program = |c: &Changed| {
            c.constant
                && self.behavioural.iter().any(|cmd| {
                    cmd.command
                        .split(|ch: char| ch.is_whitespace() || ch == '\'' || ch == '"')
                        .any(|w| w == c.file || w == format!("./{}", c.file))
                })
        };
        let missed: Vec<&str> = changed
            .iter()
            .zip(&traced)
            .filter(|(c, _)| !run_as_program(c))
            .filter(|(c, t)| match t {
                Some(ran) => !ran,
                None => !reach.contains(&c.name),
            })
            .map(|(c, _)| c.qualified.as_str())
            .collect();
        let checks = || {
            let names: Vec<&str> = self.behavioural.iter().map(|c| c.name.as_str()).collect();
            names.join(", ")
        };
        // A command that no longer crashes says nothing of the answers: a `count_words` that
        // returns `{}` stops the KeyError too.
        if missed.is_empty() && !self.behavioural.iter().any(|c| self.asserts(c)) {
            let why = format!(
                "runs without crashing under {}; no check compared its answers",
                checks()
            );
            return (fallback, why);
        }
        // A script's top-level code: the program ran, but no probe perturbs a program's
        // arguments yet, so a script that prints the example's answer for every input
        // (`console.log(5)`) would pass as well as a fix: checked, and said why.
        if missed.is_empty() && changed.iter().any(run_as_program) {
            let why = format!(
                "top-level code run as a program by {}; no check tried other inputs",
                checks()
            );
            return (fallback, why);
        }
        // Programs have no probe: a change whose only behavioural checks ran the program on
        // one input (`./dist 10 3` prints 7) passes them with `a - b` as well as with `abs`.
        let runs = self
            .requests
            .iter()
            .filter(|r| r.cmd.is_some())
            .map(|r| match &r.expectation {
                expect::Expectation::Output { command, .. } => Some(command.clone()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>();
        if let Some(mut commands) = runs.filter(|_| self.test_command().is_none()) {
            commands.sort();
            commands.dedup();
            if missed.is_empty() && commands.len() == 1 {
                let why = format!(
                    "the program ran on the request's one input under {}; no check tried other \
                     inputs",
                    checks()
                );
                return (fallback, why);
            }
        }
        let untried = self.untried(ws, &changed);
        if missed.is_empty() && !untried.is_empty() {
            let why = format!(
                "the request states the answer for {}, which no check tried",
                untried.join(", ")
            );
            return (fallback, why);
        }
        // One example, nothing else behavioural, and a search against it (the model sampled
        // again and again, or a template's forty variants): something passes it by coincidence
        // too often (`!==` for `===` makes "`isPalindrome('Never odd or even')` returns true"
        // pass). Verified only where the example's input raised before and the probes found
        // every other answer kept.
        let tried = self
            .passes
            .load(std::sync::atomic::Ordering::Relaxed)
            .saturating_sub(1);
        if missed.is_empty()
            && self.examples() == 1
            && self.test_command().is_none()
            && tried > MAX_CHANGES_PER_EXAMPLE
            && !self.answers_kept()
        {
            let names: Vec<&str> = changed.iter().map(|c| c.qualified.as_str()).collect();
            let why = format!(
                "`{}` passes the request's one example ({}), but only after {tried} changes \
                 were tried against it: it may pass by coincidence",
                names.join("`, `"),
                checks()
            );
            return (fallback, why);
        }
        // Rules stated in prose beside one example: the example says nothing of them.
        if missed.is_empty()
            && self.examples() == 1
            && self.test_command().is_none()
            && !self.rules.is_empty()
        {
            let shown: Vec<String> = self
                .rules
                .iter()
                .take(3)
                .map(|r| format!("\"{r}\""))
                .collect();
            let more = if self.rules.len() > 3 { "; …" } else { "" };
            let why = format!(
                "the request's one example ({}) passes, but it also states rules no check \
                 tries: {}{more}",
                checks(),
                shown.join("; ")
            );
            return (fallback, why);
        }
        if missed.is_empty() {
            let how = if traced.iter().all(Option::is_some) {
                "executed by"
            } else {
                "reached through the code graph by"
            };
            let names: Vec<&str> = changed.iter().map(|c| c.qualified.as_str()).collect();
            (
                Verification::Verified,
                format!("`{}` {how} {}", names.join("`, `"), checks()),
            )
        } else {
            (
                fallback,
                format!("the passing checks never ran `{}`", missed.join("`, `")),
            )
        }
    }
}

impl Oracle {
    /// The request's stated conditions on a changed definition's parameters (`n = 0` for
    /// `lastN(xs, n)`) that no request check passes as that argument, as `` `n = 0` ``. Where
    /// the project's tests run they may try it: not counted then.
    fn untried(&self, ws: &Workspace, changed: &[Changed]) -> Vec<String> {
        if self.conditions.is_empty() || self.test_command().is_some() {
            return Vec::new();
        }
        let header = |c: &Changed| -> Option<String> {
            let (_, text) = ws.staged().iter().find(|(p, _)| ws.rel(p) == c.file)?;
            let from = text
                .split_inclusive('\n')
                .take(c.lines.0.saturating_sub(1) as usize)
                .map(str::len)
                .sum::<usize>();
            let rest = text.get(from..)?;
            let open = rest.find('(')?;
            let close = rest[open..].find(')').map_or(rest.len(), |k| open + k);
            Some(rest[open..close].to_string())
        };
        let mut out = Vec::new();
        for ch in changed {
            let Some(params) = header(ch) else {
                continue;
            };
            let names: Vec<&str> = params
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .collect();
            for cond in &self.conditions {
                if !names.contains(&cond.name.as_str()) {
                    continue;
                }
                let tried = self.requests.iter().any(|r| {
                    r.cmd.is_some()
                        && r.expectation.callee() == Some(ch.name.as_str())
                        && r.expectation.call().is_some_and(|call| {
                            crate::mutate::arguments(call)
                                .iter()
                                .any(|a| *a == cond.value)
                        })
                });
                let shown = format!("`{} = {}`", cond.name, cond.value);
                if !tried && !out.contains(&shown) {
                    out.push(shown);
                }
            }
        }
        out
    }
}

/// How many changes one example may judge before a pass proves little: a first answer and a
/// second try after the example's failure are evidence; the fifth of a best-of-4 search is not.
const MAX_CHANGES_PER_EXAMPLE: usize = 3;

/// The perturbed example calls of one function.
struct Probe {
    /// The function.
    callee: String,
    /// The one answer its examples want, as written (`None` when they want different ones).
    expected: Option<String>,
    /// The request check a constant answer fools (its result is turned into a failure).
    check: String,
    /// The checks of the examples' own calls, then of the perturbed ones.
    checks: Vec<CheckCmd>,
    /// The perturbed calls, in the order of their checks.
    perturbed: Vec<crate::probe::Perturbed>,
    /// How many of `checks` are the examples' own calls.
    examples: usize,
}

/// Builds the checks of probe `i` for its expectations (in a folder of its own).
type BuildChecks<'a> = dyn Fn(usize, &[expect::Expectation]) -> Option<Vec<RequestCheck>> + 'a;

/// The probes for `requests`: one per callee whose examples are all executable values.
/// `build(i, expectations)` makes the checks of probe `i` (in a folder of its own).
fn probes(requests: &[RequestCheck], build: &BuildChecks<'_>) -> Vec<Probe> {
    let mut callees: Vec<&str> = Vec::new();
    for r in requests.iter().filter(|r| r.cmd.is_some()) {
        if let Some(c) = r.expectation.callee() {
            if !callees.contains(&c) {
                callees.push(c);
            }
        }
    }
    let mut out = Vec::new();
    for callee in callees {
        let mine: Vec<&RequestCheck> = requests
            .iter()
            .filter(|r| r.expectation.callee() == Some(callee))
            .collect();
        let values: Vec<(&str, &str)> = mine
            .iter()
            .filter_map(|r| match &r.expectation {
                expect::Expectation::Value { call, expected } if r.cmd.is_some() => {
                    Some((call.as_str(), expected.trim()))
                }
                _ => None,
            })
            .collect();
        let Some(&(_, first)) = values.first() else {
            continue;
        };
        if values.len() != mine.len() {
            continue;
        }
        // Examples with different answers already refuse a constant.
        let expected = values.iter().all(|(_, e)| *e == first).then_some(first);
        let mut calls: Vec<String> = values.iter().map(|(c, _)| c.to_string()).collect();
        let examples = calls.len();
        let mut perturbed = Vec::new();
        for (c, _) in &values {
            for p in crate::probe::perturbed(c, crate::probe::MAX_PER_CALL) {
                if !calls.contains(&p.call) && perturbed.len() < 2 * crate::probe::MAX_PER_CALL {
                    calls.push(p.call.clone());
                    perturbed.push(p);
                }
            }
        }
        if perturbed.is_empty() {
            continue;
        }
        let exps: Vec<expect::Expectation> = calls
            .iter()
            .map(|c| expect::Expectation::Value {
                call: c.clone(),
                expected: first.to_string(),
            })
            .collect();
        let Some(built) = build(out.len(), &exps) else {
            continue;
        };
        let checks: Option<Vec<CheckCmd>> = built.into_iter().map(|r| r.cmd).collect();
        let (Some(checks), Some(check)) = (checks, mine[0].cmd.as_ref()) else {
            continue;
        };
        out.push(Probe {
            callee: callee.to_string(),
            expected: expected.map(str::to_string),
            check: check.name.clone(),
            checks,
            perturbed,
            examples,
        });
    }
    out
}

/// The code graph of the project, built on first use (static coverage in languages without a
/// tracer); in memory, never written.
#[derive(Default)]
pub struct LazyGraph(tokio::sync::OnceCell<Option<smallcode_core::graph::Graph>>);

impl LazyGraph {
    /// The editor's graph when there is one ([`crate::AgentConfig::graph`]); else indexed on
    /// first use.
    pub fn with(graph: Option<smallcode_core::graph::Graph>) -> LazyGraph {
        LazyGraph(tokio::sync::OnceCell::new_with(graph.map(Some)))
    }

    /// The graph, indexing it on the first call (`None` when it cannot be built).
    pub async fn get(&self, root: &std::path::Path) -> Option<&smallcode_core::graph::Graph> {
        self.0
            .get_or_init(|| async {
                let root = root.to_path_buf();
                tokio::task::spawn_blocking(move || {
                    let cfg = smallcode_core::graph::GraphConfig {
                        db: smallcode_core::graph::DbLocation::Memory,
                        ..Default::default()
                    };
                    let g = smallcode_core::graph::Graph::open(&root, cfg).ok()?;
                    g.index(|_| {}).ok()?;
                    Some(g)
                })
                .await
                .ok()
                .flatten()
            })
            .await
            .as_ref()
    }
}

/// What the passing checks prove about the staged change (see [`Oracle::label`]): the shadow tree, whether a syntax checker ran, and the graph's
/// callees where no tracer runs.
pub async fn label(
    ws: &mut Workspace,
    oracle: &Oracle,
    results: &[crate::check::CheckResult],
    graph: &LazyGraph,
) -> Result<(Verification, String), crate::AgentError> {
    let shadow = ws.shadow_root()?;
    let syntax_ran = results
        .iter()
        .any(|r| !oracle.behavioural.iter().any(|b| b.name == r.cmd.name));
    // The graph is only needed when a changed definition is in a language without a tracer.
    let needs_graph = ws.staged().keys().any(|p| {
        !matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("py" | "js" | "mjs" | "cjs")
        )
    }) && !oracle.behavioural.is_empty();
    let g = if needs_graph {
        graph.get(ws.root()).await
    } else {
        None
    };
    let callees = |name: &str| -> Vec<String> {
        g.map(|g| g.callees(name).into_iter().map(|h| h.name).collect())
            .unwrap_or_default()
    };
    Ok(oracle.label(ws, &shadow, syntax_ran, &callees))
}

/// The number of failed tests a runner reports (`3 failed`, `failures=2`), if it says.
fn reported_failures(output: &str) -> Option<usize> {
    let num_before = |at: usize| {
        output[..at]
            .trim_end()
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|n| n.parse().ok())
    };
    if let Some(at) = output.rfind(" failed") {
        if let Some(n) = num_before(at) {
            return Some(n);
        }
    }
    let at = output.rfind("failures=")?;
    output[at + 9..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
}

/// The project file defining `name`: a target first, then any file of a known language whose
/// definitions include it (files that do not contain the name are not parsed).
fn locate(
    ws: &Workspace,
    files: &[String],
    targets: &[Target],
    name: &str,
) -> Option<(String, &'static str)> {
    let defines = |rel: &str, text: &str| {
        text.contains(name)
            && coverage::definition_names(rel, text)
                .iter()
                .any(|d| d == name)
    };
    for t in targets {
        if let Ok(text) = ws.read(&t.path) {
            if defines(&t.rel, &text) {
                return language_for_path(Path::new(&t.rel)).map(|l| (t.rel.clone(), l.name));
            }
        }
    }
    for f in files.iter().filter(|f| !is_test_file(f)).take(2000) {
        let Some(lang) = language_for_path(Path::new(f)) else {
            continue;
        };
        let Ok(text) = ws.read(&ws.root().join(f)) else {
            continue;
        };
        if defines(f, &text) {
            return Some((f.clone(), lang.name));
        }
    }
    None
}

/// The text of a Rust file's `#[cfg(test)]` items (the attribute up to the end of the block it
/// opens); empty when it has none.
fn inline_rust_tests(text: &str) -> String {
    let mut out = String::new();
    let mut from = 0;
    while let Some(k) = text[from..].find("#[cfg(test)]") {
        let start = from + k;
        let Some(open) = text[start..].find('{').map(|o| start + o) else {
            break;
        };
        let mut depth = 0usize;
        let mut end = text.len();
        for (i, c) in text[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push_str(&text[start..end]);
        out.push('\n');
        from = end;
    }
    out
}

/// Test files by name or folder (`test_x.py`, `x_test.go`, `x.spec.js`, `tests/…`).
pub fn is_test_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stem = name.split('.').next().unwrap_or(name);
    stem.starts_with("test")
        || stem.ends_with("_test")
        || stem.ends_with("_spec")
        || name.contains(".test.")
        || name.contains(".spec.")
        || rel
            .split('/')
            .any(|d| matches!(d, "tests" | "test" | "spec" | "__tests__"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rust_files_own_test_module_counts_as_a_test() {
        let src = "pub fn area(w: u32) -> u32 { w }\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn a() { assert_eq!(factorial(5), 120); }\n}\n\npub fn after() {}\n";
        let t = inline_rust_tests(src);
        assert!(
            t.contains("factorial(5)") && t.starts_with("#[cfg(test)]"),
            "{t}"
        );
        assert!(!t.contains("pub fn area") && !t.contains("after"), "{t}");
        assert_eq!(inline_rust_tests("fn f() {}\n"), "");
        assert_eq!(
            inline_rust_tests("#[cfg(test)]\nmod t {\n"),
            "#[cfg(test)]\nmod t {\n\n"
        );
    }
}
