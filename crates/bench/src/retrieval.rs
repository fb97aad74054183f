//! `smallcode bench retrieval`: does the context put the code a request is about in front of
//! the model? Issue #16, results in doc/retrieval.md.
//!
//! Cases are mined from real commits (`retrieval mine`, [`mine`]): the request is the commit's
//! subject and body, the answer the definitions it changed, the project the tree at the parent
//! commit. Cases are data (`bench/retrieval/cases.jsonl`), the repositories are not: a run
//! materialises each parent tree from a local mirror (`git archive`) into a temporary folder,
//! indexes it, and asks every method for context at each budget:
//!
//! - `walk`: [`Graph::walk`], the context the chat, `find_read` and `smallcode graph walk` use;
//! - `walk-words`: the same walk ranking by words alone ([`RankConfig::graph`] = 0), to show what
//!   the graph adds;
//! - `bm25`: plain BM25 over definitions, whole definitions packed in rank order
//!   ([`score::Bm25`], the baseline);
//! - `aider`: Aider's repo map (`bench/retrieval/aider_map.py` in aider's venv), when installed.
//!
//! Recall is counted per answer (a case with two changed definitions counts twice): *present*
//! = its name or signature is shown, *with body* = its whole body is ([`score`]).

pub mod aider;
pub mod mine;
pub mod score;

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};

use smallcode_core::budget::tokens::count_tokens;
use smallcode_core::graph::config::{DbLocation, GraphConfig};
use smallcode_core::graph::{Graph, RankConfig, Seeds, Walk};

use score::{Doc, Shown};

/// One changed definition, as it stood at the parent commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// Project-relative path.
    pub path: String,
    /// Bare name.
    pub name: String,
    /// Kind (`function`, `method`, `class`…).
    pub kind: String,
    /// 1-based first line.
    pub start_line: u32,
    /// 1-based last line.
    pub end_line: u32,
}

/// One retrieval case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// `owner/name`.
    pub repo: String,
    /// Language of most answers (the graph's language name).
    pub lang: String,
    /// The commit.
    pub commit: String,
    /// Its parent: the tree that is indexed.
    pub parent: String,
    /// Subject and body.
    pub request: String,
    /// The definitions the commit changed.
    pub answers: Vec<Answer>,
    /// Whether the request names one of them (a whole identifier).
    pub named: bool,
}

/// `smallcode bench retrieval [mine …]`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RetrievalArgs {
    #[command(subcommand)]
    cmd: Option<RetrievalCmd>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum RetrievalCmd {
    /// Mines cases from a repository's history and appends them to `--out`.
    Mine(MineArgs),
}

/// `retrieval mine`.
#[derive(Debug, Args)]
pub struct MineArgs {
    /// The repository's git directory (a bare mirror is fine).
    #[arg(long)]
    repo: PathBuf,
    /// `owner/name` recorded in the cases (and used to find the mirror at run time).
    #[arg(long)]
    name: String,
    /// Cases to keep, newest first.
    #[arg(long, default_value_t = 30)]
    max: usize,
    /// Commits to look at, at most.
    #[arg(long, default_value_t = 3000)]
    scan: usize,
    /// Where history starts (pin it to rebuild the same cases).
    #[arg(long, default_value = "HEAD")]
    rev: String,
    /// Cases file; this repository's old cases in it are replaced.
    #[arg(long, default_value = "bench/retrieval/cases.jsonl")]
    out: PathBuf,
}

/// `retrieval` (the run).
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Cases file.
    #[arg(long, default_value = "bench/retrieval/cases.jsonl")]
    cases: PathBuf,
    /// Folder of mirrors: `DIR/owner+name/repo`, `DIR/owner+name.git` or `DIR/owner/name.git`
    /// (default: `$SMALLCODE_MIRRORS`, else `/work/.mirror`).
    #[arg(long)]
    mirrors: Option<PathBuf>,
    /// A mirror for one repository, `owner/name=GITDIR` (repeatable; wins over `--mirrors`).
    #[arg(long = "mirror")]
    mirror: Vec<String>,
    /// Token budgets.
    #[arg(long, value_delimiter = ',', default_values_t = [1000, 2000, 4000])]
    budgets: Vec<usize>,
    /// Python of aider's venv (default: `$SMALLCODE_CACHE`/…/peers/aider/bin/python if present).
    #[arg(long)]
    aider_python: Option<PathBuf>,
    /// Do not run Aider's repo map even when installed.
    #[arg(long)]
    no_aider: bool,
    /// Only these repositories (`owner/name`, repeatable).
    #[arg(long)]
    repo: Vec<String>,
    /// Only the first N cases (after `--repo`).
    #[arg(long)]
    limit: Option<usize>,
    /// Write one JSON line per case (every method's result per answer) to this file.
    #[arg(long)]
    dump: Option<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// Another walk ranking to compare, `NAME=key:value,…` with keys `graph`, `path`, `named`,
    /// `seeds`, `file`, `tests`, `vendored` of [`RankConfig`] (repeatable; reported as `walk[NAME]`).
    #[arg(long = "variant")]
    variants: Vec<String>,
}

/// A walk ranking to compare: its report name and weights.
type Variant = (&'static str, RankConfig);

/// Parses `--variant NAME=key:value,…`. The name is leaked: a handful per run, alive until exit.
fn parse_variant(v: &str) -> anyhow::Result<Variant> {
    let (name, spec) = v
        .split_once('=')
        .with_context(|| format!("--variant {v}: expected NAME=key:value,…"))?;
    let mut cfg = RankConfig::default();
    for kv in spec.split(',').filter(|x| !x.is_empty()) {
        let (k, val) = kv
            .split_once(':')
            .with_context(|| format!("--variant {v}: `{kv}` is not key:value"))?;
        let f = || -> anyhow::Result<f32> {
            val.parse()
                .with_context(|| format!("--variant {v}: `{val}` is not a number"))
        };
        match k {
            "graph" => cfg.graph = f()?,
            "path" => cfg.path = f()?,
            "named" => cfg.named = f()?,
            "file" => cfg.file = f()?,
            "tests" => cfg.tests = f()?,
            "vendored" => cfg.vendored = f()?,
            "seeds" => cfg.seeds = f()? as usize,
            "buffer" => cfg.buffer = f()?,
            _ => bail!("--variant {v}: unknown key `{k}`"),
        }
    }
    Ok((Box::leak(format!("walk[{name}]").into_boxed_str()), cfg))
}

/// Runs `smallcode bench retrieval …`.
pub fn run(args: RetrievalArgs) -> anyhow::Result<()> {
    match args.cmd {
        Some(RetrievalCmd::Mine(m)) => run_mine(m),
        None => run_bench(args.run),
    }
}

fn run_mine(m: MineArgs) -> anyhow::Result<()> {
    let cases = mine::mine(&mine::MineOptions {
        git_dir: &m.repo,
        repo: &m.name,
        max: m.max,
        scan: m.scan,
        rev: &m.rev,
    })?;
    let mut all: Vec<Case> = if m.out.exists() {
        read_cases(&m.out)?
            .into_iter()
            .filter(|c| c.repo != m.name)
            .collect()
    } else {
        Vec::new()
    };
    let named = cases.iter().filter(|c| c.named).count();
    println!(
        "{}: {} cases ({named} named, {} described)",
        m.name,
        cases.len(),
        cases.len() - named
    );
    all.extend(cases);
    if let Some(dir) = m.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(&m.out)?);
    for c in &all {
        serde_json::to_writer(&mut out, c)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Reads a cases file (JSON lines).
pub fn read_cases(path: &Path) -> anyhow::Result<Vec<Case>> {
    let f = std::fs::File::open(path).with_context(|| format!("cases {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        out.push(
            serde_json::from_str(&line).with_context(|| format!("{}:{}", path.display(), i + 1))?,
        );
    }
    Ok(out)
}

/// The mirror of `repo`, if there is one.
fn find_mirror(args: &RunArgs, repo: &str) -> Option<PathBuf> {
    for m in &args.mirror {
        if let Some((r, p)) = m.split_once('=') {
            if r == repo {
                return Some(PathBuf::from(p));
            }
        }
    }
    let dir = args
        .mirrors
        .clone()
        .or_else(|| std::env::var_os("SMALLCODE_MIRRORS").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("/work/.mirror"));
    let flat = repo.replace('/', "+");
    let name = repo.rsplit('/').next().unwrap_or(repo);
    [
        dir.join(&flat).join("repo"),
        dir.join(format!("{flat}.git")),
        dir.join(format!("{repo}.git")),
        dir.join(format!("{name}.git")),
    ]
    .into_iter()
    .find(|p| p.join("HEAD").is_file())
}

/// Writes the tree of `rev` into `dir` (`git archive | tar -x`).
fn materialise(git_dir: &Path, rev: &str, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut archive = Command::new("git")
        .arg(format!("--git-dir={}", git_dir.display()))
        .args(["archive", "--format=tar", rev])
        .stdout(Stdio::piped())
        .spawn()
        .context("git archive")?;
    let tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(dir)
        .stdin(archive.stdout.take().context("git archive stdout")?)
        .status()
        .context("tar -x")?;
    let git = archive.wait()?;
    if !git.success() || !tar.success() {
        bail!("git archive {rev} | tar -x failed ({git}, {tar})");
    }
    Ok(())
}

/// The methods, in report order (`walk-words`: the walk with [`RankConfig::graph`] 0;
/// `walk+buffer`: the walk as the chat runs it while the file of the first changed definition
/// is the current buffer — the editor's seed, not a text-only request).
const METHODS: [&str; 5] = ["walk", "walk-words", "walk+buffer", "bm25", "aider"];

/// The methods of a run: [`METHODS`] with the variants after `walk-words`.
fn methods(variants: &[Variant]) -> Vec<&'static str> {
    let mut m: Vec<&'static str> = METHODS[..3].to_vec();
    m.extend(variants.iter().map(|v| v.0));
    m.extend(&METHODS[3..]);
    m
}

/// What one method did on one case at one budget.
#[derive(Debug, Clone, Default, Serialize)]
struct Outcome {
    /// Per answer: present, with body.
    hits: Vec<(bool, bool)>,
    /// Tokens of the context (our estimator).
    tokens: usize,
    /// Milliseconds to produce it (indexing excluded).
    ms: f64,
}

/// One case's results: method → budget → outcome.
#[derive(Debug, Serialize)]
struct CaseResult<'a> {
    repo: &'a str,
    commit: &'a str,
    lang: &'a str,
    named: bool,
    answers: Vec<String>,
    /// Tokens of each answer's whole body (what a budget must hold to show it).
    answer_tokens: Vec<usize>,
    /// Rank of each answer in the walk's `included` (0-based), at the largest budget.
    walk_rank: Vec<Option<usize>>,
    /// Position of each answer in the walk's ranking (0-based, among its first 300).
    rank: Vec<Option<usize>>,
    /// The ranking's first 30 definitions (`path:line name`).
    top: Vec<String>,
    results: BTreeMap<&'static str, BTreeMap<usize, Outcome>>,
}

fn run_bench(args: RunArgs) -> anyhow::Result<()> {
    let mut cases = read_cases(&args.cases)?;
    if !args.repo.is_empty() {
        cases.retain(|c| args.repo.contains(&c.repo));
    }
    if let Some(n) = args.limit {
        cases.truncate(n);
    }
    let mut budgets = args.budgets.clone();
    budgets.sort_unstable();
    budgets.dedup();
    anyhow::ensure!(!budgets.is_empty(), "no budgets");
    let variants = args
        .variants
        .iter()
        .map(|v| parse_variant(v))
        .collect::<anyhow::Result<Vec<Variant>>>()?;

    let mut mirrors: HashMap<String, Option<PathBuf>> = HashMap::new();
    for c in &cases {
        mirrors
            .entry(c.repo.clone())
            .or_insert_with(|| find_mirror(&args, &c.repo));
    }
    let mut missing: Vec<&String> = mirrors
        .iter()
        .filter(|(_, p)| p.is_none())
        .map(|(r, _)| r)
        .collect();
    missing.sort();
    if !missing.is_empty() {
        let n = cases.iter().filter(|c| mirrors[&c.repo].is_none()).count();
        eprintln!(
            "retrieval: no mirror for {} ({n} cases skipped); fetch them and pass --mirrors DIR or --mirror owner/name=GITDIR",
            missing
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    let mut aider = if args.no_aider {
        None
    } else {
        aider::Aider::start(args.aider_python.as_deref())
    };
    if aider.is_none() {
        eprintln!("retrieval: aider: NOT RUN (no aider venv: scripts/deps.sh aider)");
    }
    count_tokens("warm up");
    let scratch = std::env::temp_dir().join(format!("smallcode-retrieval-{}", std::process::id()));
    let mut dump = match &args.dump {
        Some(p) => Some(std::io::BufWriter::new(std::fs::File::create(p)?)),
        None => None,
    };
    let mut results: Vec<(Case, MethodResults, Vec<usize>)> = Vec::new();
    let run_cases: Vec<&Case> = cases
        .iter()
        .filter(|c| mirrors[&c.repo].is_some())
        .collect();
    let t_all = Instant::now();
    for (i, case) in run_cases.iter().enumerate() {
        let git_dir = mirrors[&case.repo].as_ref().expect("filtered above");
        let dir = scratch.join(format!("case-{i}"));
        let r = run_case(case, git_dir, &dir, &budgets, &variants, aider.as_mut());
        let _ = std::fs::remove_dir_all(&dir);
        let (res, extra) = match r {
            Ok(x) => x,
            Err(e) => {
                eprintln!("retrieval: {} {}: {e:#}", case.repo, case.commit);
                continue;
            }
        };
        if let Some(d) = dump.as_mut() {
            let row = CaseResult {
                repo: &case.repo,
                commit: &case.commit,
                lang: &case.lang,
                named: case.named,
                answers: case
                    .answers
                    .iter()
                    .map(|a| format!("{}:{} {}", a.path, a.start_line, a.name))
                    .collect(),
                answer_tokens: extra.answer_tokens.clone(),
                walk_rank: extra.walk_rank,
                rank: extra.rank,
                top: extra.top,
                results: res.clone(),
            };
            serde_json::to_writer(&mut *d, &row)?;
            d.write_all(b"\n")?;
        }
        if (i + 1) % 10 == 0 {
            eprintln!(
                "retrieval: {}/{} cases, {:.0} s",
                i + 1,
                run_cases.len(),
                t_all.elapsed().as_secs_f64()
            );
        }
        results.push(((*case).clone(), res, extra.answer_tokens));
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let methods = methods(&variants);
    let summary = summarise(&results, &budgets, &methods, aider.is_some());
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_summary(&summary, &methods, &missing);
    }
    Ok(())
}

struct Extra {
    answer_tokens: Vec<usize>,
    walk_rank: Vec<Option<usize>>,
    rank: Vec<Option<usize>>,
    top: Vec<String>,
}

type MethodResults = BTreeMap<&'static str, BTreeMap<usize, Outcome>>;

fn run_case(
    case: &Case,
    git_dir: &Path,
    dir: &Path,
    budgets: &[usize],
    variants: &[Variant],
    aider: Option<&mut aider::Aider>,
) -> anyhow::Result<(MethodResults, Extra)> {
    materialise(git_dir, &case.parent, dir)?;
    let g = Graph::open(
        dir,
        GraphConfig {
            db: DbLocation::Memory,
            ..Default::default()
        },
    )?;
    g.index(|_| {})?;
    g.prepare_walk();
    let mut out: MethodResults = BTreeMap::new();
    let source = |path: &str| std::fs::read_to_string(dir.join(path)).ok();
    let lines_of = |a: &Answer| -> Option<Vec<String>> {
        let text = source(&a.path)?;
        Some(
            text.lines()
                .skip(a.start_line as usize - 1)
                .take((a.end_line + 1 - a.start_line) as usize)
                .map(str::to_string)
                .collect(),
        )
    };
    let answer_tokens = case
        .answers
        .iter()
        .map(|a| lines_of(a).map_or(0, |l| count_tokens(&l.join("\n"))))
        .collect();

    // The walk, and the walk ranking by words alone (the graph's weight set to 0).
    let seeds = Seeds::text(&case.request);
    let mut walk_rank = vec![None; case.answers.len()];
    let words_only = RankConfig {
        graph: 0.0,
        ..RankConfig::default()
    };
    for &b in budgets {
        for (name, cfg) in variants {
            let w = g.walk_with(&seeds, b, cfg);
            out.entry(*name).or_default().insert(
                b,
                Outcome {
                    hits: score::score(&case.answers, &shown_of(&w)),
                    tokens: w.tokens,
                    ms: 0.0,
                },
            );
        }
        let w = g.walk_with(&seeds, b, &words_only);
        out.entry("walk-words").or_default().insert(
            b,
            Outcome {
                hits: score::score(&case.answers, &shown_of(&w)),
                tokens: w.tokens,
                ms: 0.0,
            },
        );
        if let Some(first) = case.answers.first() {
            let in_buffer = Seeds {
                files: vec![PathBuf::from(&first.path)],
                ..seeds.clone()
            };
            let w = g.walk(&in_buffer, b);
            out.entry("walk+buffer").or_default().insert(
                b,
                Outcome {
                    hits: score::score(&case.answers, &shown_of(&w)),
                    tokens: w.tokens,
                    ms: 0.0,
                },
            );
        }
        let t = Instant::now();
        let w = g.walk(&seeds, b);
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let shown = shown_of(&w);
        for (k, a) in case.answers.iter().enumerate() {
            walk_rank[k] = shown
                .iter()
                .position(|s| s.path == a.path && s.start == a.start_line && s.name == a.name);
        }
        out.entry("walk").or_default().insert(
            b,
            Outcome {
                hits: score::score(&case.answers, &shown),
                tokens: w.tokens,
                ms,
            },
        );
    }

    let ranked = g.rank_hits(&seeds, usize::MAX);
    let rank = case
        .answers
        .iter()
        .map(|a| {
            ranked
                .iter()
                .position(|h| h.path == a.path && h.line == a.start_line && h.name == a.name)
        })
        .collect();
    let top = ranked
        .iter()
        .take(30)
        .map(|h| format!("{}:{} {}", h.path, h.line, h.name))
        .collect();

    // BM25 over definitions.
    let t = Instant::now();
    let mut docs = Vec::new();
    for f in smallcode_core::graph::index::walk(g.root(), g.config()) {
        let rel = f.rel;
        let Some(syms) = g.file_symbols(Path::new(&rel)) else {
            continue;
        };
        let Some(text) = source(&rel) else { continue };
        let lines: Vec<&str> = text.lines().collect();
        for s in syms.symbols {
            let (a, b) = (s.span.start_row as usize, s.span.end_row as usize);
            if a >= lines.len() {
                continue;
            }
            docs.push(Doc {
                path: rel.clone(),
                name: s.name,
                start: a as u32 + 1,
                end: b as u32 + 1,
                text: lines[a..=b.min(lines.len() - 1)].join("\n"),
            });
        }
    }
    let bm = score::Bm25::new(docs);
    let order = bm.rank(&case.request);
    let ranked: Vec<&Doc> = order.iter().take(2000).map(|&i| bm.doc(i)).collect();
    let build_ms = t.elapsed().as_secs_f64() * 1e3;
    for &b in budgets {
        let t = Instant::now();
        let shown = score::pack_bodies(&ranked, b);
        let ms = t.elapsed().as_secs_f64() * 1e3 + build_ms;
        let tokens = shown
            .iter()
            .map(|s| {
                let d = ranked
                    .iter()
                    .find(|d| d.path == s.path && d.start == s.start)
                    .expect("packed from ranked");
                count_tokens(&format!("{}-{}:\n{}\n", d.start, d.end, d.text))
            })
            .sum();
        out.entry("bm25").or_default().insert(
            b,
            Outcome {
                hits: score::score(&case.answers, &shown),
                tokens,
                ms,
            },
        );
    }

    // Aider's repo map.
    if let Some(a) = aider {
        let maps = a.maps(dir, &case.request, budgets)?;
        for (&b, (text, secs)) in budgets.iter().zip(maps) {
            let secs_map = score::sections(&text, &|p| dir.join(p).is_file());
            out.entry("aider").or_default().insert(
                b,
                Outcome {
                    hits: score::score_text(&case.answers, &secs_map, &lines_of),
                    tokens: count_tokens(&text),
                    ms: secs * 1e3,
                },
            );
        }
    }
    Ok((
        out,
        Extra {
            answer_tokens,
            walk_rank,
            rank,
            top,
        },
    ))
}

/// What a walk showed, for scoring.
fn shown_of(w: &Walk) -> Vec<Shown> {
    w.included
        .iter()
        .enumerate()
        .map(|(i, h)| Shown {
            path: h.path.clone(),
            start: h.line,
            end: h.end_line,
            name: h.name.clone(),
            body: w.bodies.contains(&i),
        })
        .collect()
}

/// Recall figures of one method at one budget.
#[derive(Debug, Default, Serialize)]
struct Recall {
    answers: usize,
    present: usize,
    body: usize,
    named_answers: usize,
    named_body: usize,
    described_answers: usize,
    described_body: usize,
    mean_tokens: f64,
    p50_ms: f64,
    p95_ms: f64,
}

/// Language → budget → (answers, with body).
type ByLang = BTreeMap<String, BTreeMap<usize, (usize, usize)>>;

#[derive(Debug, Serialize)]
struct Summary {
    cases: usize,
    answers: usize,
    named_cases: usize,
    repos: BTreeMap<String, usize>,
    langs: BTreeMap<String, (usize, usize)>,
    /// method → budget → recall.
    recall: BTreeMap<String, BTreeMap<usize, Recall>>,
    /// method → language → budget → (answers, with body).
    by_lang: BTreeMap<String, ByLang>,
    /// Answers whose whole body fits each budget at all.
    fits: BTreeMap<usize, usize>,
    aider_run: bool,
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn summarise(
    results: &[(Case, MethodResults, Vec<usize>)],
    budgets: &[usize],
    methods: &[&'static str],
    aider_run: bool,
) -> Summary {
    let mut s = Summary {
        cases: results.len(),
        answers: results.iter().map(|r| r.0.answers.len()).sum(),
        named_cases: results.iter().filter(|r| r.0.named).count(),
        repos: BTreeMap::new(),
        langs: BTreeMap::new(),
        recall: BTreeMap::new(),
        by_lang: BTreeMap::new(),
        fits: BTreeMap::new(),
        aider_run,
    };
    for &b in budgets {
        let n = results
            .iter()
            .flat_map(|r| &r.2)
            .filter(|&&t| t > 0 && t <= b)
            .count();
        s.fits.insert(b, n);
    }
    for (c, _, _) in results {
        *s.repos.entry(c.repo.clone()).or_default() += 1;
        let l = s.langs.entry(c.lang.clone()).or_default();
        l.0 += 1;
        l.1 += c.answers.len();
    }
    for &m in methods {
        for &b in budgets {
            let mut r = Recall::default();
            let mut times = Vec::new();
            let mut tokens = 0usize;
            let mut runs = 0usize;
            for (c, res, _) in results {
                let Some(o) = res.get(m).and_then(|x| x.get(&b)) else {
                    continue;
                };
                runs += 1;
                tokens += o.tokens;
                times.push(o.ms);
                let lang = s
                    .by_lang
                    .entry(m.to_string())
                    .or_default()
                    .entry(c.lang.clone())
                    .or_default()
                    .entry(b)
                    .or_default();
                for &(present, body) in &o.hits {
                    r.answers += 1;
                    r.present += present as usize;
                    r.body += body as usize;
                    lang.0 += 1;
                    lang.1 += body as usize;
                    if c.named {
                        r.named_answers += 1;
                        r.named_body += body as usize;
                    } else {
                        r.described_answers += 1;
                        r.described_body += body as usize;
                    }
                }
            }
            if runs == 0 {
                continue;
            }
            r.mean_tokens = tokens as f64 / runs as f64;
            r.p50_ms = pct(&mut times, 0.5);
            r.p95_ms = pct(&mut times, 0.95);
            s.recall.entry(m.to_string()).or_default().insert(b, r);
        }
    }
    s
}

fn print_summary(s: &Summary, methods: &[&str], missing: &[&String]) {
    let ratio = |a: usize, n: usize| {
        if n == 0 {
            "—".to_string()
        } else {
            format!("{:.0}%", 100.0 * a as f64 / n as f64)
        }
    };
    println!(
        "retrieval: {} cases, {} answers ({} cases name a changed definition, {} describe it)",
        s.cases,
        s.answers,
        s.named_cases,
        s.cases - s.named_cases
    );
    let repos: Vec<String> = s.repos.iter().map(|(r, n)| format!("{r} {n}")).collect();
    println!("repos: {}", repos.join(", "));
    if !missing.is_empty() {
        let m: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
        println!("missing mirrors (cases not run): {}", m.join(", "));
    }
    println!();
    println!(
        "| method | budget | present | with body | named: with body | described: with body | mean tokens | p50 / p95 ms |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for &m in methods {
        let Some(by_b) = s.recall.get(m) else {
            if m == "aider" && !s.aider_run {
                println!("| aider | — | NOT RUN | | | | | |");
            }
            continue;
        };
        for (b, r) in by_b {
            println!(
                "| {m} | {b} | {} | {} | {} | {} | {:.0} | {:.1} / {:.1} |",
                ratio(r.present, r.answers),
                ratio(r.body, r.answers),
                ratio(r.named_body, r.named_answers),
                ratio(r.described_body, r.described_answers),
                r.mean_tokens,
                r.p50_ms,
                r.p95_ms
            );
        }
    }
    let fits: Vec<String> = s
        .fits
        .iter()
        .map(|(b, n)| format!("{} at {b}", ratio(*n, s.answers)))
        .collect();
    println!(
        "answers whose whole body fits the budget at all: {}",
        fits.join(", ")
    );
    println!();
    let budgets: Vec<usize> = s
        .recall
        .values()
        .next()
        .map(|m| m.keys().copied().collect())
        .unwrap_or_default();
    let mut head = "| language | cases | answers |".to_string();
    let mut rule = "|---|---|---|".to_string();
    for m in methods.iter().filter(|m| s.by_lang.contains_key(**m)) {
        for b in &budgets {
            head.push_str(&format!(" {m} {b} |"));
            rule.push_str("---|");
        }
    }
    println!("with body, per language:");
    println!("{head}\n{rule}");
    for (lang, (cases, answers)) in &s.langs {
        let mut row = format!("| {lang} | {cases} | {answers} |");
        for m in methods.iter().filter(|m| s.by_lang.contains_key(**m)) {
            for b in &budgets {
                let (n, body) = s.by_lang[*m]
                    .get(lang)
                    .and_then(|x| x.get(b))
                    .copied()
                    .unwrap_or_default();
                row.push_str(&format!(" {} |", ratio(body, n)));
            }
        }
        println!("{row}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git_in(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .current_dir(dir)
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .stdout(Stdio::null())
            .status()
            .expect("git runs")
            .success();
        assert!(ok, "git {args:?}");
    }

    const POOL: &str = "class Pool:\n    def __init__(self):\n        self.closed = False\n\n    def shutdown(self):\n        self.closed = True\n\n    def spawn_blocking(self, job):\n        return job()\n";

    /// A repository whose last code commit fixes one method: mining finds that method as the
    /// answer (skipping the docs commit after it), and the run scores each method on it.
    #[test]
    fn a_mined_commit_is_scored_against_the_definition_it_changed() {
        let root =
            std::env::temp_dir().join(format!("smallcode-retrieval-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let repo = root.join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        git_in(&repo, &["init", "-q"]);
        std::fs::write(repo.join("pool.py"), POOL).unwrap();
        std::fs::write(
            repo.join("util.py"),
            "def clamp(x, lo, hi):\n    return max(lo, min(x, hi))\n",
        )
        .unwrap();
        std::fs::write(repo.join("README.md"), "pool\n").unwrap();
        git_in(&repo, &["add", "-A"]);
        git_in(&repo, &["commit", "-qm", "Initial"]);
        let fixed = POOL.replace(
            "        return job()\n",
            "        if self.closed:\n            raise RuntimeError(\"shut down\")\n        return job()\n",
        );
        std::fs::write(repo.join("pool.py"), fixed).unwrap();
        git_in(
            &repo,
            &[
                "commit",
                "-qam",
                "Raise an error for a job started after the pool was shut down\n\nIt ran anyway.",
            ],
        );
        std::fs::write(repo.join("README.md"), "pool, documented\n").unwrap();
        git_in(&repo, &["commit", "-qam", "docs: explain the pool"]);

        let git_dir = repo.join(".git");
        let cases = mine::mine(&mine::MineOptions {
            git_dir: &git_dir,
            repo: "test/pool",
            max: 10,
            scan: 10,
            rev: "HEAD",
        })
        .unwrap();
        assert_eq!(cases.len(), 1, "{cases:?}");
        let case = &cases[0];
        assert_eq!(
            case.answers,
            [Answer {
                path: "pool.py".into(),
                name: "spawn_blocking".into(),
                kind: "method".into(),
                start_line: 8,
                end_line: 9,
            }]
        );
        assert!(!case.named);
        assert!(case.request.starts_with("Raise an error") && case.request.ends_with("anyway."));

        let (res, extra) =
            run_case(case, &git_dir, &root.join("case"), &[40, 1000], &[], None).unwrap();
        assert_eq!(res["walk"][&1000].hits, [(true, true)]);
        assert_eq!(extra.rank, [Some(0)], "{:?}", extra.top);
        assert!(res["walk"][&40].tokens <= 40);
        for m in ["walk-words", "walk+buffer", "bm25"] {
            assert_eq!(res[m][&1000].hits.len(), 1, "{m}");
        }
        assert!(!res.contains_key("aider"));
        let _ = std::fs::remove_dir_all(&root);
    }
}
