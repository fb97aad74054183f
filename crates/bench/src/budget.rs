//! `smallcode bench budget`: assembly latency and over-limit counts on generated turns.
//!
//! Input pieces are real Rust functions from the local cargo registry ([`corpus`]); turns are
//! generated from a fixed seed so runs are comparable. With `SMALLCODE_LLAMA_URL` set, every
//! prompt is also counted by that llama-server's `POST /tokenize` (the real tokenizer).

pub mod corpus;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::rng::Rng;
use smallcode_core::budget::assemble::{Assembler, Input};
use smallcode_core::budget::config::BudgetConfig;
use smallcode_core::budget::history::Turn;
use smallcode_core::budget::piece::{Piece, PieceKind};
use smallcode_core::budget::reduce::{reduce, ReduceConfig};
use smallcode_core::budget::tokens::count_tokens;
use smallcode_core::budget::whole::{check_section, Parsed};
use smallcode_core::budget::window::reply_reserve;
use smallcode_core::syntax::{language_for_path, ParserPool};

/// What to run.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Root searched for `.rs` files. Defaults to `~/.cargo/registry/src`.
    pub root: PathBuf,
    /// At most this many files are read. Defaults to 4000.
    pub files: usize,
    /// Turns timed for latency. Defaults to 600.
    pub timing_turns: usize,
    /// Turns per context size for the over-limit check. Defaults to 200.
    pub limit_turns: usize,
    /// llama-server base URL for exact counts (`SMALLCODE_LLAMA_URL`), if any.
    pub llama_url: Option<String>,
}

impl Default for BenchOptions {
    fn default() -> Self {
        let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
        Self {
            root: PathBuf::from(home).join(".cargo/registry/src"),
            files: 4000,
            timing_turns: 600,
            limit_turns: 200,
            llama_url: std::env::var("SMALLCODE_LLAMA_URL")
                .ok()
                .filter(|s| !s.is_empty()),
        }
    }
}

const SYSTEM: &str = "You are smallcode, a careful coding assistant inside Neovim. Answer briefly. \
To change code, call the edit tool with the exact old text and the new text. Never invent files. \
Code shown as `⋮ N lines` is elided: ask to read it if you need it. Paths are relative to the project root; \
line numbers are 1-based.";

fn tools_json() -> String {
    let tool = |name: &str, desc: &str, args: &[&str]| {
        let props: Vec<String> = args
            .iter()
            .map(|a| format!("\"{a}\":{{\"type\":\"string\"}}"))
            .collect();
        format!("{{\"type\":\"function\",\"function\":{{\"name\":\"{name}\",\"description\":\"{desc}\",\"parameters\":{{\"type\":\"object\",\"properties\":{{{}}},\"required\":[\"{}\"]}}}}}}", props.join(","), args[0])
    };
    let tools = [
        tool(
            "read",
            "Read a symbol or a line range of a file.",
            &["path", "symbol", "lines"],
        ),
        tool(
            "edit",
            "Replace exact old text with new text in a file.",
            &["path", "old", "new"],
        ),
        tool(
            "run",
            "Run the project's check command and return its reduced output.",
            &["command"],
        ),
        tool("search", "Find symbols by name.", &["query"]),
    ];
    format!("[{}]", tools.join(","))
}

fn cargo_log(rng: &mut Rng, path: &str) -> String {
    let mut s = String::from("$ cargo test\n");
    for i in 0..(50 + rng.below(400)) {
        s.push_str(&format!("   Compiling dep{i} v0.{}.{}\n", i % 9, i % 5));
    }
    for _ in 0..(1 + rng.below(4)) {
        let line = 1 + rng.below(500);
        s.push_str(&format!("error[E0308]: mismatched types\n  --> {path}:{line}:9\n   |\n{line} |     let n: usize = name;\n   |                    ^^^^ expected `usize`, found `&str`\n"));
    }
    s.push_str("error: could not compile `demo` (lib) due to previous errors\n");
    s
}

/// One generated turn's inputs (owned, so they can be timed separately from generation).
#[derive(Clone)]
struct TurnInput {
    pieces: Vec<Piece>,
    history: Vec<Turn>,
    tool_log: Option<String>,
}

/// A generated turn. A session works in one area of the code, as a user does: its candidates
/// come from a window of 600 consecutive pieces (neighbouring files) starting at `focus`, so
/// successive turns share many pieces, as the graph's candidates would.
fn gen_turn(rng: &mut Rng, all: &[Piece], focus: usize, turn_no: usize) -> TurnInput {
    let lo = focus.min(all.len().saturating_sub(600));
    let corpus = &all[lo..(lo + 600).min(all.len())];
    let mut pieces = Vec::new();
    let target = &corpus[rng.below(corpus.len())];
    let name = target.symbol.clone().unwrap_or_default();
    let task = format!("Fix the bug in `{name}`: it returns the wrong value for empty input. Keep the signature and add a test.");
    pieces.push(Piece::text(PieceKind::Task, "task", task));
    if rng.below(2) == 0 {
        let body = target.full.clone().unwrap_or_default();
        pieces.push(Piece::text(PieceKind::Selection, "selection", body));
    }
    for i in 0..(1 + rng.below(3)) {
        let p = if i == 0 {
            target
        } else {
            &corpus[rng.below(corpus.len())]
        };
        pieces.push(
            Piece {
                kind: PieceKind::Symbol,
                ..p.clone()
            }
            .with_score(10.0 - i as f64),
        );
    }
    let n = 40 + rng.below(110);
    for i in 0..n {
        let p = &corpus[rng.below(corpus.len())];
        pieces.push(
            Piece {
                kind: PieceKind::GraphContext,
                ..p.clone()
            }
            .with_score((n - i) as f64),
        );
    }
    for (i, note) in [
        "Run `cargo test` after every edit.",
        "Prefer returning Option over panicking.",
        "Tests live beside the code in `mod tests`.",
    ]
    .iter()
    .enumerate()
    {
        pieces.push(Piece::text(PieceKind::Memory, format!("note:{i}"), *note));
    }
    let history = (0..turn_no)
        .map(|t| Turn {
            user: format!(
                "Turn {t}: please look at `{}` and explain why it fails. {}",
                name,
                "It is called from the parser. ".repeat(rng.below(6))
            ),
            assistant: format!(
                "The function does not handle the empty case. I changed it to return early. {}",
                "The loop then skips the first element, which is fine. ".repeat(rng.below(20))
            ),
            context: String::new(),
            files: vec![target.path.clone().unwrap_or_default()],
            errors: if rng.below(3) == 0 {
                vec![format!(
                    "{}:12:9: error[E0308]: mismatched types",
                    target.path.as_deref().unwrap_or("")
                )]
            } else {
                vec![]
            },
        })
        .collect();
    let tool_log =
        (rng.below(3) == 0).then(|| cargo_log(rng, target.path.as_deref().unwrap_or("src/lib.rs")));
    TurnInput {
        pieces,
        history,
        tool_log,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Assemble one turn (the timed unit: tool-output reduction, history compaction, allocation).
fn assemble_turn(
    asm: &mut Assembler,
    context: usize,
    outline: &str,
    tools: &str,
    t: TurnInput,
) -> smallcode_core::budget::Assembly {
    let mut pieces = t.pieces;
    if let Some(log) = &t.tool_log {
        let limit = (context as f64 * asm.config().shares.tool_output * 0.5) as usize;
        let r = reduce(log, limit, &ReduceConfig::default(), asm.calibration());
        pieces.push(Piece::text(PieceKind::ToolOutput, "tool:run", r.text));
    }
    let input = Input {
        system: SYSTEM,
        tools,
        outline: Some(outline),
        pieces,
        history: &t.history,
    };
    asm.assemble(context, input)
        .expect("fixed prefix fits every benchmarked window")
}

/// Counts `content` with llama-server's own tokenizer at `base`, through the product's llm
/// client (the same HTTP stack and timeouts as the chat's exact count).
pub fn llama_tokenize(base: &str, content: &str) -> Result<usize, String> {
    use smallcode_llm::config::{ProviderKind, Timeouts};
    use smallcode_llm::{Endpoint, LlmClient, ServerKind};
    let endpoint = Endpoint {
        kind: ServerKind::LlamaCpp,
        provider: ProviderKind::Openai,
        url: base.trim_end_matches('/').to_string(),
        model: String::new(),
        context: 0,
        context_probed: false,
        trained_context: None,
        tools: None,
        slots: None,
        source: "configured",
        models: vec![],
    };
    let client = LlmClient::new(endpoint, Timeouts::default(), None);
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?
        .block_on(client.tokenize(content))
        .map_err(|e| e.to_string())
}

/// Run the benchmark and print its figures to stdout.
pub fn run(opts: &BenchOptions) -> Result<(), String> {
    let t0 = Instant::now();
    let files = corpus::rust_files(&opts.root, opts.files);
    let mut corpus_pieces = Vec::new();
    let mut lines = 0usize;
    let mut sources: std::collections::HashMap<String, PathBuf> = Default::default();
    // The brace matcher also "finds" functions inside macro_rules! bodies and other token
    // trees, where its span is not whole syntax. Such candidates are rejected up front with the
    // same tree-sitter check the prompts get, so the `cut` column below measures the assembler
    // (and its elision), not the corpus cutter.
    let mut ts_pool = ParserPool::new();
    let (mut rejected, mut sig_dropped) = (0usize, 0usize);
    for f in &files {
        let Ok(src) = std::fs::read_to_string(f) else {
            continue;
        };
        lines += src.lines().count();
        let label = f
            .strip_prefix(&opts.root)
            .unwrap_or(f)
            .to_string_lossy()
            .into_owned();
        let found = corpus::fn_pieces(&label, &src, PieceKind::GraphContext);
        let parsed = language_for_path(f).and_then(|l| Parsed::new(&mut ts_pool, l, src.clone()));
        for mut p in found {
            let (Some(file), Some(span)) = (&parsed, p.lines) else {
                rejected += 1;
                continue;
            };
            let whole = |d| {
                p.rendering(d)
                    .is_none_or(|t| check_section(file, span, d, t).is_ok())
            };
            if !whole(smallcode_core::budget::piece::Detail::Full) {
                rejected += 1;
                continue;
            }
            if !whole(smallcode_core::budget::piece::Detail::Signature) {
                p.signature = None;
                sig_dropped += 1;
            }
            corpus_pieces.push(p);
        }
        sources.insert(label, f.clone());
    }
    if corpus_pieces.is_empty() {
        return Err(format!(
            "no Rust functions found under {}",
            opts.root.display()
        ));
    }
    println!(
        "corpus: {} files, {} lines, {} fn pieces under {} (read in {:.1} s); rejected by tree-sitter as not whole: {rejected} pieces, {sig_dropped} signatures",
        files.len(),
        lines,
        corpus_pieces.len(),
        opts.root.display(),
        t0.elapsed().as_secs_f64()
    );
    let tools = tools_json();
    let outline: String = files
        .iter()
        .take(60)
        .map(|f| format!("{}\n", f.strip_prefix(&opts.root).unwrap_or(f).display()))
        .collect();
    println!(
        "fixed prefix: system {} + tools {} estimator tokens; outline {}",
        count_tokens(SYSTEM),
        count_tokens(&tools),
        count_tokens(&outline)
    );

    // (1) Latency: sessions of 10 turns (history grows), context sizes rotating 4k/8k/32k.
    // A warm assembler is reused across a session as the agent would; cold means a fresh one
    // (empty token-count cache) for every turn.
    let mut rng = Rng(0x5EED_0001);
    for (label, warm) in [("warm", true), ("cold", false)] {
        let mut times: [Vec<Duration>; 3] = Default::default();
        let mut cpu: Vec<Duration> = Vec::new();
        let mut asm = Assembler::new(BudgetConfig::default());
        let mut focus = 0;
        for i in 0..opts.timing_turns {
            let context = [4096, 8192, 32768][i % 3];
            if i % 10 == 0 {
                focus = rng.below(corpus_pieces.len());
            }
            let t = gen_turn(&mut rng, &corpus_pieces, focus, i % 10);
            if !warm || i % 10 == 0 {
                asm = Assembler::new(BudgetConfig::default());
            }
            let cpu0 = thread_cpu();
            let start = Instant::now();
            let a = assemble_turn(&mut asm, context, &outline, &tools, t);
            times[i % 3].push(start.elapsed());
            if let (Some(c0), Some(c1)) = (cpu0, thread_cpu()) {
                cpu.push(c1.saturating_sub(c0));
            }
            std::hint::black_box(a);
        }
        let mut all: Vec<Duration> = times.iter().flatten().copied().collect();
        all.sort();
        let mut line = format!(
            "assembly latency, {label} cache ({} turns): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms; p95 by context:",
            all.len(),
            ms(percentile(&all, 0.5)),
            ms(percentile(&all, 0.95)),
            ms(*all.last().expect("turns > 0"))
        );
        for (t, ctx) in times.iter_mut().zip(["4k", "8k", "32k"]) {
            t.sort();
            line.push_str(&format!(" {ctx} {:.2} ms", ms(percentile(t, 0.95))));
        }
        if !cpu.is_empty() {
            cpu.sort();
            line.push_str(&format!(
                "; CPU time p50 {:.2} ms, p95 {:.2} ms",
                ms(percentile(&cpu, 0.5)),
                ms(percentile(&cpu, 0.95))
            ));
        }
        println!("{line}");
    }
    println!("(warm: one assembler per 10-turn session, token counts cached across its turns; cold: a fresh assembler, nothing cached, every turn)");

    // (2) Over-limit and whole-piece checks: limit_turns turns per context size. Beside the
    // default policy, a naive one (ratio 1.0, no margin, never calibrated) shows what the
    // calibration is for when the real tokenizer is there.
    let mut rng = Rng(0x5EED_0002);
    let mut focus = 0;
    println!("fill = prompt / (context - reply); real = llama-server /tokenize; naive = ratio 1.0, no margin, no calibration");
    println!("partial = not exactly one rendering or unbalanced braces; cut = tree-sitter: a code section that is not whole nodes of its file or an explicit `⋮ N lines` elision (checked = code sections checked)");
    println!("context  turns  over(est)  over(cal)  over(real)  over(real,naive)  partial  cut/checked  median fill(cal)  max fill(real)  median real/est  final ratio");
    let mut pool = ParserPool::new();
    let mut parsed: std::collections::HashMap<String, Option<Parsed>> = Default::default();
    let mut last_table = String::new();
    for context in [4096usize, 8192, 32768] {
        let mut asm = Assembler::new(BudgetConfig::default());
        let naive_cfg = BudgetConfig {
            initial_ratio: 1.0,
            safety_margin: 0.0,
            ..BudgetConfig::default()
        };
        let mut naive = Assembler::new(naive_cfg);
        let reply = reply_reserve(context, asm.config());
        let limit = (context - reply) as f64;
        let (mut over_est, mut over_cal, mut over_real, mut over_naive, mut partial) =
            (0, 0, 0, 0, 0);
        let (mut cut, mut checked) = (0usize, 0usize);
        let (mut fills, mut real_fills, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..opts.limit_turns {
            if i % 10 == 0 {
                focus = rng.below(corpus_pieces.len());
            }
            let t = gen_turn(&mut rng, &corpus_pieces, focus, i % 10);
            let originals: Vec<Piece> = t.pieces.clone();
            let naive_text = opts.llama_url.as_ref().map(|_| {
                assemble_turn(&mut naive, context, &outline, &tools, t.clone()).prompt_text()
            });
            let a = assemble_turn(&mut asm, context, &outline, &tools, t);
            if i + 1 == opts.limit_turns && context == 8192 {
                last_table = a.report.render();
            }
            let text = a.prompt_text();
            let est = count_tokens(&text);
            let cal = asm.calibration().to_model(est);
            fills.push(cal as f64 / limit);
            over_est += usize::from(est + reply > context);
            over_cal += usize::from(cal + reply > context);
            for s in &a.sections {
                let Some(p) = originals.iter().find(|p| p.id == s.id && p.path.is_some()) else {
                    continue;
                };
                if p.rendering(s.detail) != Some(s.text.as_str()) || !corpus::balanced(&s.text) {
                    partial += 1;
                    if std::env::var("SMALLCODE_BENCH_DEBUG").is_ok() {
                        eprintln!("PARTIAL {} {:?}\n{}", s.id, s.detail, s.text);
                    }
                }
                let (Some(path), Some(span)) = (&p.path, p.lines) else {
                    continue;
                };
                let file = parsed.entry(path.clone()).or_insert_with(|| {
                    let full = sources.get(path)?;
                    let lang = language_for_path(full)?;
                    Parsed::new(&mut pool, lang, std::fs::read_to_string(full).ok()?)
                });
                checked += 1;
                let verdict = match file {
                    Some(f) => check_section(f, span, s.detail, &s.text),
                    None => Err("source not parsed".into()),
                };
                if let Err(why) = verdict {
                    cut += 1;
                    if std::env::var("SMALLCODE_BENCH_DEBUG").is_ok() {
                        eprintln!("CUT {} {:?}: {why}\n{}", s.id, s.detail, s.text);
                    }
                }
            }
            if let (Some(url), Some(naive_text)) = (&opts.llama_url, naive_text) {
                let real = llama_tokenize(url, &text)
                    .map_err(|e| format!("llama-server at {url}: {e}"))?;
                over_real += usize::from(real + reply > context);
                real_fills.push(real as f64 / limit);
                ratios.push(real as f64 / est.max(1) as f64);
                // The calibration loop the agent runs: fold the exact count in.
                asm.calibration_mut().observe(est, real);
                let real_naive = llama_tokenize(url, &naive_text)
                    .map_err(|e| format!("llama-server at {url}: {e}"))?;
                over_naive += usize::from(real_naive + reply > context);
            }
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied()
        };
        let pct = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{:.0}%", x * 100.0));
        let (real, naive_over) = if opts.llama_url.is_some() {
            (over_real.to_string(), over_naive.to_string())
        } else {
            ("not run".into(), "not run".into())
        };
        let max_real = real_fills.iter().copied().reduce(f64::max);
        let ratio = median(&mut ratios).map_or("-".into(), |r| format!("{r:.3}"));
        println!(
            "{context:>7}  {:>5}  {over_est:>9}  {over_cal:>9}  {real:>10}  {naive_over:>16}  {partial:>7}  {:>11}  {:>16}  {:>14}  {ratio:>15}  {:>11.3}",
            opts.limit_turns,
            format!("{cut}/{checked}"),
            pct(median(&mut fills)),
            pct(max_real),
            asm.calibration().ratio(),
        );
    }
    println!("\n/budget after the last 8k turn:\n{last_table}");
    Ok(())
}

/// CPU time this thread has run (`CLOCK_THREAD_CPUTIME_ID`). On a shared machine wall time
/// includes waiting for a core; CPU time is the assembly's own cost.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn thread_cpu() -> Option<Duration> {
    #[repr(C)]
    struct Timespec {
        sec: i64,
        nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut t = Timespec { sec: 0, nsec: 0 };
    // SAFETY: libc's clock_gettime writes one timespec (two i64 on 64-bit Linux) to a valid
    // pointer and touches nothing else.
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut t) };
    (rc == 0).then(|| Duration::new(t.sec as u64, t.nsec as u32))
}

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn thread_cpu() -> Option<Duration> {
    None
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use smallcode_core::budget::piece::Detail;

    #[test]
    fn generated_turns_fit_and_are_whole() {
        let src = "fn a() {\n    let x = 1;\n    let y = 2;\n    let z = 3;\n    x + y + z\n}\n"
            .repeat(5);
        let corpus = corpus::fn_pieces("a.rs", &src, PieceKind::GraphContext);
        let mut rng = Rng(1);
        let mut asm = Assembler::new(BudgetConfig::default());
        let tools = tools_json();
        for i in 0..20 {
            let t = gen_turn(&mut rng, &corpus, 0, i % 10);
            let a = assemble_turn(&mut asm, 4096, "a.rs\n", &tools, t);
            assert!(
                asm.calibration().to_model(count_tokens(&a.prompt_text())) + a.report.reply_reserve
                    <= 4096
            );
            assert!(a.sections.iter().all(|s| s.detail == Detail::Full
                || s.text.contains('⋮')
                || s.text.contains("lines)")));
        }
    }
}
