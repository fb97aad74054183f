//! `smallcode bench graph --corpus DIR`: the numbers, measured in one run.
//!
//! 1. **Parse baseline**: walk + read + tree-sitter parse of every source file, on the same
//!    number of threads as indexing, nothing else.
//! 2. **Cold index**: fresh database, `Graph::index` (walk, read, hash, parse, query, link,
//!    write redb, build the walk adjacency). Reported as a ratio to (1).
//! 3. **universal-ctags -R** on the same tree, when `ctags` is universal-ctags.
//! 4. **Warm start**: reopen the database and re-index with nothing changed.
//! 5. **Incremental update**: a ≥ 5,000-line buffer, one-character edits at spread-out lines,
//!    each followed by `update_buffer` (p50/p95/max).
//! 6. **Ranked walk**: `walk(seeds, 2000)` for requests naming random definitions (p50/p95).
//! 7. Database size and peak RSS (`VmHWM`).
//!
//! Build with `--release`: debug builds are ~20× slower for redb and tiktoken.

use clap::Args;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::Context;
use serde::Serialize;

use smallcode_core::graph::config::{DbLocation, GraphConfig};
use smallcode_core::graph::index::{run_jobs_stages, walk, Stage};
use smallcode_core::graph::{Graph, Seeds};

#[derive(Debug, Default, Serialize)]
struct Report {
    corpus: String,
    files: usize,
    lines: usize,
    bytes: u64,
    threads: usize,
    parse_only_s: f64,
    parse_rounds_s: Vec<f64>,
    parse_query_rounds_s: Vec<f64>,
    parse_query_link_encode_rounds_s: Vec<f64>,
    cold_rounds_s: Vec<f64>,
    parse_query_s: f64,
    parse_query_link_encode_s: f64,
    cold_index_s: f64,
    cold_over_parse: f64,
    cold_store_s: f64,
    cold_memory_s: f64,
    /// Part of the cold index merging files' words into the word index (indexing thread).
    cold_words_s: f64,
    /// Files the first walk's word index sync still had to analyse after the last cold index
    /// (0: the cold index built it) and how long that sync took.
    words_after_cold: (usize, f64),
    ctags: Option<String>,
    ctags_s: Option<f64>,
    ctags_tags: Option<usize>,
    symbols: usize,
    references: usize,
    edges: usize,
    by_status: std::collections::BTreeMap<&'static str, usize>,
    warm_start_ms: f64,
    /// Part of `warm_start_ms`: opening the database and loading every record.
    warm_open_ms: f64,
    adjacency_build_ms: f64,
    /// Building the walk's word index after a warm start (every file read and analysed,
    /// `Graph::prepare_walk` after the adjacency): the database does not hold it, so each
    /// process that did not index the files pays it once, at its first walk.
    word_index_ms: f64,
    buffer_lines: usize,
    buffer_path: String,
    update_p50_ms: f64,
    update_p95_ms: f64,
    update_max_ms: f64,
    update_incremental_share: f64,
    /// Median re-parse + re-query, link, put (ms).
    update_phases_p50_ms: [f64; 3],
    /// The same at p95.
    update_phases_p95_ms: [f64; 3],
    walk_p50_ms: f64,
    walk_p95_ms: f64,
    walk_max_ms: f64,
    walk_mean_tokens: f64,
    walk_after_edit_ms: f64,
    walk_after_edit_how: &'static str,
    walk_after_new_fn_ms: f64,
    db_bytes: u64,
    peak_rss_mb: f64,
}

/// Rounds of (parse baseline, cold index).
const ROUNDS: usize = 2;

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return 0.0;
    }
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.to_string())
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A deterministic pseudo-random sequence (no `rand` dependency for a benchmark).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn ctags(corpus: &Path) -> Option<(String, f64, usize)> {
    let v = Command::new("ctags").arg("--version").output().ok()?;
    let version = String::from_utf8_lossy(&v.stdout)
        .lines()
        .next()?
        .to_string();
    if !version.contains("Universal Ctags") {
        return None;
    }
    let out = std::env::temp_dir().join(format!("smallcode-bench-tags-{}", std::process::id()));
    let t = Instant::now();
    let st = Command::new("ctags")
        .arg("-R")
        .arg("-f")
        .arg(&out)
        .arg(corpus)
        .status()
        .ok()?;
    let secs = t.elapsed().as_secs_f64();
    let n = std::fs::read_to_string(&out)
        .map(|s| s.lines().filter(|l| !l.starts_with("!_")).count())
        .unwrap_or(0);
    let _ = std::fs::remove_file(&out);
    st.success().then_some((version, secs, n))
}

/// `smallcode bench graph --corpus DIR`.
#[derive(Debug, Args)]
pub struct BenchGraphArgs {
    /// Source tree to benchmark on (≥ 300k lines for meaningful numbers).
    #[arg(long)]
    pub corpus: PathBuf,
    /// Where to put the benchmark database (default: a temporary folder).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Runs per latency measurement.
    #[arg(long, default_value_t = 200)]
    pub runs: usize,
    /// Skip the universal-ctags comparison.
    #[arg(long)]
    pub no_ctags: bool,
    /// The buffer for the update figure (default: the corpus's smallest file of ≥ 5,000 lines).
    #[arg(long)]
    pub buffer: Option<PathBuf>,
    /// Skip the cold-index rounds and reuse the database in `--db` (built untimed if missing):
    /// for profiling warm start, updates and walks.
    #[arg(long)]
    pub skip_cold: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs the benchmark and prints the figures.
pub fn run(args: BenchGraphArgs) -> anyhow::Result<()> {
    let corpus = std::fs::canonicalize(&args.corpus)
        .with_context(|| format!("corpus {}", args.corpus.display()))?;
    let db_dir = args.db.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("smallcode-bench-{}", std::process::id()))
    });
    anyhow::ensure!(
        !args.skip_cold || args.db.is_some(),
        "--skip-cold needs --db DIR (a database kept from an earlier run, or built untimed there)"
    );
    std::fs::create_dir_all(&db_dir)?;
    let db = db_dir.join("graph.redb");
    let cfg = GraphConfig {
        db: DbLocation::File(db.clone()),
        ..Default::default()
    };
    let mut r = Report {
        corpus: corpus.display().to_string(),
        threads: cfg.worker_threads(),
        ..Default::default()
    };

    // Warm the tokenizer outside every timed section (0.3 s to build, once per process).
    smallcode_core::budget::tokens::count_tokens("warm up");

    let found = walk(&corpus, &cfg);
    r.files = found.len();
    let stats = if args.skip_cold {
        // Reuse (or, the first time, build untimed) the database at `--db`: for profiling the
        // warm start, update and walk without a minute of cold indexing per run.
        for f in &found {
            let text = std::fs::read(&f.abs).unwrap_or_default();
            r.lines += text.iter().filter(|&&c| c == b'\n').count();
            r.bytes += text.len() as u64;
        }
        let g = Graph::open(&corpus, cfg.clone())?;
        g.index(|_| {})?
    } else {
        let _ = std::fs::remove_file(&db);
        cold_rounds(&corpus, &found, &cfg, &db, &mut r)?
    };
    r.symbols = stats.symbols;
    r.cold_store_s = stats.store_seconds;
    r.cold_memory_s = stats.memory_seconds;
    r.cold_words_s = stats.words_seconds;
    r.references = stats.references;
    r.edges = stats.edges;
    r.by_status = stats.by_status.clone();

    // 3. ctags.
    if !args.no_ctags {
        if let Some((v, s, n)) = ctags(&corpus) {
            r.ctags = Some(v);
            r.ctags_s = Some(s);
            r.ctags_tags = Some(n);
        }
    }

    // 4. Warm start.
    let t = Instant::now();
    let g = Graph::open(&corpus, cfg.clone())?;
    r.warm_open_ms = t.elapsed().as_secs_f64() * 1e3;
    let warm = g.index(|_| {})?;
    r.warm_start_ms = t.elapsed().as_secs_f64() * 1e3;
    anyhow::ensure!(
        warm.parsed == 0,
        "warm start re-parsed {} files",
        warm.parsed
    );
    eprintln!(
        "warm start: {:.1} ms for {} symbols",
        r.warm_start_ms, warm.symbols
    );
    r.db_bytes = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);

    // 6 (first, on the unedited graph). Ranked walk.
    let names: Vec<String> = {
        let mut v: Vec<String> = g.find("", true).into_iter().map(|h| h.name).collect();
        v.clear();
        let names = g.definition_names();
        let mut all: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| n.len() >= 4)
            .collect();
        all.sort_unstable();
        let mut rng = Lcg(7);
        for _ in 0..args.runs.max(1) * 2 {
            v.push(all[(rng.next() as usize) % all.len()].to_string());
        }
        v
    };
    let t = Instant::now();
    let (_, _, _, edges) = g.counts();
    r.adjacency_build_ms = t.elapsed().as_secs_f64() * 1e3;
    r.edges = edges;
    let t = Instant::now();
    g.prepare_walk();
    r.word_index_ms = t.elapsed().as_secs_f64() * 1e3;
    let _ = g.walk(&Seeds::text(&names[0]), 2000);
    let mut times = Vec::new();
    let mut tokens = 0usize;
    for i in 0..args.runs {
        let seeds = Seeds::text(format!(
            "how does {} interact with {}?",
            names[2 * i],
            names[2 * i + 1]
        ));
        let t = Instant::now();
        let w = g.walk(&seeds, 2000);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        anyhow::ensure!(w.tokens <= 2000, "walk over budget: {}", w.tokens);
        tokens += w.tokens;
    }
    r.walk_mean_tokens = tokens as f64 / args.runs.max(1) as f64;
    r.walk_p50_ms = pct(&mut times, 0.5);
    r.walk_p95_ms = pct(&mut times, 0.95);
    r.walk_max_ms = pct(&mut times, 1.0);
    eprintln!(
        "walk: p50 {:.2} ms, p95 {:.2} ms",
        r.walk_p50_ms, r.walk_p95_ms
    );

    // 5. Incremental update on a ≥ 5,000-line buffer.
    let (path, mut text) = match &args.buffer {
        Some(b) => {
            let abs =
                std::fs::canonicalize(b).with_context(|| format!("--buffer {}", b.display()))?;
            anyhow::ensure!(
                abs.starts_with(&corpus),
                "--buffer must be a file inside the corpus"
            );
            let text = std::fs::read_to_string(&abs)
                .with_context(|| format!("reading {}", abs.display()))?;
            (abs, text)
        }
        None => buffer_of_5000_lines(&corpus, &found)?,
    };
    r.buffer_lines = text.lines().count();
    r.buffer_path = path
        .strip_prefix(&corpus)
        .unwrap_or(&path)
        .display()
        .to_string();
    g.update_buffer(&path, &text)?;
    let original = text.clone();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut rng = Lcg(11);
    let mut times = Vec::new();
    let mut phases = [Vec::new(), Vec::new(), Vec::new()];
    let mut incremental = 0;
    for i in 0..args.runs {
        // Insert at the start of a random line, then remove it again on the next run.
        let at = line_starts[(rng.next() as usize) % (line_starts.len() - 1)];
        if i % 2 == 0 {
            text.insert(at, 'x');
        } else {
            text = text.replacen("\nx", "\n", 1);
            if text.starts_with('x') {
                text.remove(0);
            }
        }
        let t = Instant::now();
        let u = g.update_buffer(&path, &text)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        incremental += u.incremental as usize;
        phases[0].push(u.parse_micros as f64 / 1e3);
        phases[1].push(u.link_micros as f64 / 1e3);
        phases[2].push(u.put_micros as f64 / 1e3);
    }
    r.update_incremental_share = incremental as f64 / args.runs.max(1) as f64;
    r.update_p50_ms = pct(&mut times, 0.5);
    r.update_p95_ms = pct(&mut times, 0.95);
    r.update_max_ms = pct(&mut times, 1.0);
    r.update_phases_p50_ms = [
        pct(&mut phases[0], 0.5),
        pct(&mut phases[1], 0.5),
        pct(&mut phases[2], 0.5),
    ];
    r.update_phases_p95_ms = [
        pct(&mut phases[0], 0.95),
        pct(&mut phases[1], 0.95),
        pct(&mut phases[2], 0.95),
    ];
    eprintln!(
        "update: p50 {:.2} ms, p95 {:.2} ms",
        r.update_p50_ms, r.update_p95_ms
    );
    // The first walk after an edit: a body edit patches the walk graph, a new definition
    // rebuilds it. Start from the original text with a fresh walk graph.
    g.update_buffer(&path, &original)?;
    let _ = g.walk(&Seeds::text(&names[1]), 2000);
    let mid = original.len() / 2;
    let body_at = original[mid..]
        .find("fn ")
        .and_then(|i| original[mid + i..].find("{\n").map(|j| mid + i + j + 1))
        .unwrap_or(mid);
    let mut edited = original.clone();
    if !edited.is_char_boundary(body_at) {
        anyhow::bail!("benchmark buffer edit point is not a character boundary");
    }
    edited.insert_str(body_at, "\n        drop(1);");
    g.update_buffer(&path, &edited)?;
    let (builds, patches) = g.adjacency_counts();
    let t = Instant::now();
    let _ = g.walk(&Seeds::text(&names[3 % names.len()]), 2000);
    r.walk_after_edit_ms = t.elapsed().as_secs_f64() * 1e3;
    let (b2, p2) = g.adjacency_counts();
    r.walk_after_edit_how = match (b2 - builds, p2 - patches) {
        (0, 1) => "patched",
        (1, 0) => "rebuilt",
        _ => "?",
    };
    edited.push_str("\nfn smallcode_bench_extra() -> usize { drop(1); 0 }\n");
    g.update_buffer(&path, &edited)?;
    let t = Instant::now();
    let _ = g.walk(&Seeds::text(&names[5 % names.len()]), 2000);
    r.walk_after_new_fn_ms = t.elapsed().as_secs_f64() * 1e3;
    r.peak_rss_mb = peak_rss_mb();
    drop(g);
    if args.db.is_none() {
        let _ = std::fs::remove_dir_all(&db_dir);
    }

    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print_report(&r);
    }
    Ok(())
}

/// Parse baseline and cold index, alternated for `ROUNDS` rounds: the machine is shared, so
/// each figure is the best of its rounds and every round is reported. Returns the last cold
/// index's statistics.
fn cold_rounds(
    corpus: &Path,
    found: &[smallcode_core::graph::index::Found],
    cfg: &GraphConfig,
    db: &Path,
    r: &mut Report,
) -> anyhow::Result<smallcode_core::graph::IndexStats> {
    let _ = run_jobs_stages(found, cfg, Stage::Parse); // warms the OS file cache
    let mut stats = None;
    for round in 0..ROUNDS {
        let t = Instant::now();
        let found = walk(corpus, cfg);
        let (lines, bytes) = run_jobs_stages(&found, cfg, Stage::Parse);
        r.parse_rounds_s.push(t.elapsed().as_secs_f64());
        (r.lines, r.bytes) = (lines, bytes);
        // Where the cold index's extra time goes: the same walk, one stage further each time.
        let t = Instant::now();
        let _ = run_jobs_stages(&walk(corpus, cfg), cfg, Stage::Query);
        r.parse_query_rounds_s.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let _ = run_jobs_stages(&walk(corpus, cfg), cfg, Stage::Encode);
        r.parse_query_link_encode_rounds_s
            .push(t.elapsed().as_secs_f64());
        let _ = std::fs::remove_file(db);
        let t = Instant::now();
        let g = Graph::open(corpus, cfg.clone())?;
        let st = g.index(|_| {})?;
        r.cold_rounds_s.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let n = g.prepare_words();
        r.words_after_cold = (n, t.elapsed().as_secs_f64() * 1e3);
        eprintln!(
            "round {round}: parse {:.2}s, +query {:.2}s, +link+encode {:.2}s, cold index {:.2}s",
            r.parse_rounds_s[round],
            r.parse_query_rounds_s[round],
            r.parse_query_link_encode_rounds_s[round],
            r.cold_rounds_s[round]
        );
        stats = Some(st);
    }
    let stats = stats.context("no round ran")?;
    let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    r.parse_only_s = best(&r.parse_rounds_s);
    r.parse_query_s = best(&r.parse_query_rounds_s);
    r.parse_query_link_encode_s = best(&r.parse_query_link_encode_rounds_s);
    r.cold_index_s = best(&r.cold_rounds_s);
    r.cold_over_parse = r.cold_index_s / r.parse_only_s;
    Ok(stats)
}

fn buffer_of_5000_lines(
    corpus: &Path,
    found: &[smallcode_core::graph::index::Found],
) -> anyhow::Result<(PathBuf, String)> {
    // The smallest file of at least 5,000 lines (the buffer size), else the largest
    // file repeated until it has 5,000 lines.
    let mut best: Option<(usize, &smallcode_core::graph::index::Found)> = None;
    for f in found.iter().filter(|f| f.size < 1 << 20) {
        let n = std::fs::read(&f.abs)
            .map(|b| b.iter().filter(|&&c| c == b'\n').count())
            .unwrap_or(0);
        let better = match best {
            None => true,
            Some((bn, _)) if bn < 5000 => n > bn,
            Some((bn, _)) => n >= 5000 && n < bn,
        };
        if better {
            best = Some((n, f));
        }
    }
    let (_, f) = best.context("empty corpus")?;
    let mut text = std::fs::read_to_string(&f.abs)?;
    let base = text.clone();
    while text.lines().count() < 5000 {
        text.push_str(&base);
    }
    let _ = corpus;
    Ok((f.abs.clone(), text))
}

fn print_report(r: &Report) {
    println!("corpus            {}", r.corpus);
    println!(
        "files             {} ({} lines, {:.1} MB), {} threads",
        r.files,
        r.lines,
        r.bytes as f64 / 1e6,
        r.threads
    );
    println!("files by status   {:?}", r.by_status);
    let rounds = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:.2}"))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    if r.cold_rounds_s.is_empty() {
        println!("cold index        not run (--skip-cold)");
    } else {
        println!(
            "parse only        {:.2} s  (best of {} s)",
            r.parse_only_s,
            rounds(&r.parse_rounds_s)
        );
        println!(
            "  + tags query    {:.2} s  (best of {} s)",
            r.parse_query_s,
            rounds(&r.parse_query_rounds_s)
        );
        println!(
            "  + link, encode  {:.2} s  (best of {} s; no store)",
            r.parse_query_link_encode_s,
            rounds(&r.parse_query_link_encode_rounds_s)
        );
        println!(
            "cold index        {:.2} s  = {:.2}x parse only  (best of {} s)",
            r.cold_index_s,
            r.cold_over_parse,
            rounds(&r.cold_rounds_s)
        );
        println!(
            "  of which       {:.2} s encode + redb, {:.2} s in-memory graph, {:.2} s word index merge (indexing thread)",
            r.cold_store_s, r.cold_memory_s, r.cold_words_s
        );
        println!(
            "  word index     built by the cold index: the first walk's sync analysed {} files in {:.1} ms",
            r.words_after_cold.0, r.words_after_cold.1
        );
    }
    match (&r.ctags, r.ctags_s, r.ctags_tags) {
        (Some(v), Some(s), Some(n)) => println!("ctags -R          {s:.2} s, {n} tags ({v})"),
        _ => println!("ctags -R          not run (universal-ctags not found or --no-ctags)"),
    }
    println!(
        "graph             {} symbols, {} references, {} edges",
        r.symbols, r.references, r.edges
    );
    println!(
        "warm start        {:.1} ms (nothing changed): {:.1} ms open + load records, {:.1} ms walk + stat; {:.0} ms per 100k symbols",
        r.warm_start_ms,
        r.warm_open_ms,
        r.warm_start_ms - r.warm_open_ms,
        r.warm_start_ms * 100_000.0 / r.symbols.max(1) as f64
    );
    println!(
        "adjacency build   {:.1} ms (first walk after a change)",
        r.adjacency_build_ms
    );
    println!(
        "word index build  {:.1} ms after a warm start (once per process, first walk; a cold index includes it)",
        r.word_index_ms,
    );
    println!(
        "walk 2000 tokens  p50 {:.2} ms  p95 {:.2} ms  max {:.2} ms  mean {:.0} tokens",
        r.walk_p50_ms, r.walk_p95_ms, r.walk_max_ms, r.walk_mean_tokens
    );
    println!(
        "buffer update     p50 {:.2} ms  p95 {:.2} ms  max {:.2} ms  ({} lines, {}, {:.0}% incremental)",
        r.update_p50_ms,
        r.update_p95_ms,
        r.update_max_ms,
        r.buffer_lines,
        r.buffer_path,
        r.update_incremental_share * 100.0
    );
    println!(
        "  by phase        re-parse + re-query {:.2} / {:.2} ms, link {:.2} / {:.2} ms, graph put {:.2} / {:.2} ms (p50 / p95)",
        r.update_phases_p50_ms[0],
        r.update_phases_p95_ms[0],
        r.update_phases_p50_ms[1],
        r.update_phases_p95_ms[1],
        r.update_phases_p50_ms[2],
        r.update_phases_p95_ms[2]
    );
    println!(
        "walk after edit   {:.1} ms after a body edit (walk graph {}), {:.1} ms after a new function (rebuilt)",
        r.walk_after_edit_ms, r.walk_after_edit_how, r.walk_after_new_fn_ms
    );
    println!("database          {:.1} MB", r.db_bytes as f64 / 1e6);
    println!("peak RSS          {:.0} MB", r.peak_rss_mb);
}
