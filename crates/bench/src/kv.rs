//! `smallcode bench kv`: how much of each chat prompt llama-server serves from its KV cache.
//!
//! A scripted session of N turns about a project runs twice in one process, turn by turn
//! interleaved so both see the same machine load: (a) the chat's own layout through the real
//! assembly path (`smallcode::chat::context::gather` + `smallcode::chat::turn::prepare`, [`Layout::Stable`]),
//! (b) the naive layout ([`Layout::Naive`]: context retrieved afresh every turn from the same
//! candidates, most relevant first — the named symbols, then graph context by rank — in front
//! of the system prompt). Each layout is pinned to its own server slot (`id_slot`) with
//! `cache_prompt: true`, temperature 0 and a short `max_tokens`. Per turn it prints the prompt
//! size, `timings.prompt_n` (evaluated), `timings.cache_n` (reused) and the time to first token;
//! then the share of prompt tokens served from cache on turns 2..N and the median TTFT.
//!
//! `--resume-after K` measures a chat that survives a restart: after turn K our side's
//! conversation goes through the chat store (`smallcode::chat::store`, a file in a temp
//! directory) and comes back into fresh state — a new assembler (its calibration is lost, as in
//! a new process), the turns and the working set as stored — and the session goes on from the
//! stored copy. The turns after K are reported apart.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _};
use futures_util::StreamExt;
use serde_json::{json, Value};

use smallcode::chat::context::{self, EditorContext};
use smallcode::chat::turn::{self, Layout, TurnPlan};
use smallcode_core::budget::{Assembler, BudgetConfig, Turn};
use smallcode_core::graph::{DbLocation, Graph, GraphConfig};
use smallcode_llm::{openai, ChatRequest};

/// Options of `smallcode bench kv`.
#[derive(Debug, Clone, clap::Args)]
pub struct KvArgs {
    /// llama-server base URL.
    #[arg(long, default_value = "http://127.0.0.1:18080")]
    pub endpoint: String,
    /// Turns in the scripted session (at most 10 scripted messages, then they repeat).
    #[arg(long, default_value_t = 10)]
    pub turns: usize,
    /// Context window the prompts are planned for (keep it within the server's slot size).
    #[arg(long, default_value_t = 4096)]
    pub context: usize,
    /// Project the session talks about (its code graph gives the context).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Server slot for our layout; the naive layout uses the next one.
    #[arg(long, default_value_t = 2)]
    pub slot: u32,
    /// Reply cap per turn.
    #[arg(long, default_value_t = 24)]
    pub max_tokens: u32,
    /// After this turn, our side is saved to the chat store and resumed from it (0 = never).
    #[arg(long, default_value_t = 0)]
    pub resume_after: usize,
    /// Run our layout only (no naive side): a shorter run on a shared server.
    #[arg(long)]
    pub only_ours: bool,
}

/// The scripted user messages (about this repository; on another root the names simply do
/// not resolve and the walk falls back to the overview).
const SCRIPT: [&str; 10] = [
    "What does `reply_reserve` compute, and why is it capped?",
    "How does `ollama_num_ctx` round the context?",
    "When does `Calibration::observe` change the ratio?",
    "Explain `compact` in the history module.",
    "What does `reduce` keep from a long build log?",
    "How does `assemble` choose between body and signature?",
    "What does `elide` produce for a long function?",
    "Where is `count_tokens` used?",
    "Summarise what we discussed so far.",
    "Which of these functions should I read first?",
];

/// One request's measurements.
#[derive(Debug, Clone, Default)]
struct Sample {
    prompt_n: u64,
    cache_n: u64,
    ttft_ms: f64,
    reply: String,
}

/// Runs the benchmark and prints its figures.
pub fn run(args: KvArgs) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("tokio runtime")?;
    rt.block_on(run_async(args))
}

async fn run_async(args: KvArgs) -> anyhow::Result<()> {
    smallcode_llm::discover::ensure_crypto_provider();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(900))
        .pool_max_idle_per_host(0)
        .build()
        .context("http client")?;
    let base = args.endpoint.trim_end_matches('/').to_string();
    let models: Value = http
        .get(format!("{base}/v1/models"))
        .send()
        .await
        .with_context(|| format!("GET {base}/v1/models"))?
        .json()
        .await
        .context("models list")?;
    let model = models
        .pointer("/data/0/id")
        .and_then(Value::as_str)
        .unwrap_or("model")
        .to_string();
    let root = std::fs::canonicalize(&args.root)
        .with_context(|| format!("root {}", args.root.display()))?;
    let graph = Graph::open(
        &root,
        GraphConfig {
            db: DbLocation::Memory,
            ..GraphConfig::default()
        },
    )
    .map_err(|e| anyhow!("graph: {e}"))?;
    let stats = graph.index(|_| {}).map_err(|e| anyhow!("index: {e}"))?;
    let outline = context::outline(&root);
    println!(
        "bench kv: {base} model {model}, context {} planned, {} turns, root {} ({} files, {} symbols), slots {} (ours) / {} (naive), max_tokens {}, temperature 0",
        args.context,
        args.turns,
        root.display(),
        stats.files,
        stats.symbols,
        args.slot,
        args.slot + 1,
        args.max_tokens
    );
    let system = smallcode_llm::config::Config::default().system_prompt;
    struct Side {
        layout: Layout,
        slot: u32,
        asm: Assembler,
        turns: Vec<Turn>,
        working: Vec<smallcode_core::budget::Piece>,
        samples: Vec<(u64, Sample)>,
    }
    let layouts: &[Layout] = if args.only_ours {
        &[Layout::Stable]
    } else {
        &[Layout::Stable, Layout::Naive]
    };
    let mut sides: Vec<Side> = layouts
        .iter()
        .map(|&layout| Side {
            layout,
            slot: args.slot + u32::from(layout == Layout::Naive),
            asm: Assembler::new(BudgetConfig::default()),
            turns: Vec::new(),
            working: Vec::new(),
            samples: Vec::new(),
        })
        .collect();
    println!("turn  layout  prompt(est)  prompt_n  cache_n  cached  ttft_ms");
    for i in 0..args.turns {
        let task = SCRIPT[i % SCRIPT.len()];
        let ctx = EditorContext {
            root: Some(root.clone()),
            ..EditorContext::default()
        };
        let pieces = context::gather(Some(&graph), task, &ctx);
        for side in &mut sides {
            let plan = TurnPlan {
                system: &system,
                outline: outline.as_deref(),
                task,
                pieces: pieces.clone(),
                turns: &side.turns,
                working: &side.working,
            };
            let p = turn::prepare(
                &mut side.asm,
                args.context,
                plan,
                side.layout,
                args.max_tokens,
            )
            .map_err(|e| anyhow!("turn {}: {e}", i + 1))?;
            let req = ChatRequest {
                messages: p.messages.clone(),
                max_tokens: p.max_tokens,
                temperature: 0.0,
                ..Default::default()
            };
            let mut body = openai::chat_body(&model, &req);
            body["cache_prompt"] = json!(true);
            body["id_slot"] = json!(side.slot);
            if let Ok(dir) = std::env::var("SMALLCODE_KV_DUMP") {
                let name = format!("{dir}/turn{:02}-{:?}.json", i + 1, side.layout);
                let _ = std::fs::write(
                    name,
                    serde_json::to_string_pretty(&body).unwrap_or_default(),
                );
            }
            let s = send(&http, &base, &body).await?;
            let name = match side.layout {
                Layout::Stable => "ours",
                Layout::Naive => "naive",
            };
            let total = s.prompt_n + s.cache_n;
            println!(
                "{:>4}  {name:<6}  {:>11}  {:>8}  {:>7}  {:>5.0}%  {:>7.0}",
                i + 1,
                p.report.prompt,
                s.prompt_n,
                s.cache_n,
                s.cache_n as f64 * 100.0 / total.max(1) as f64,
                s.ttft_ms
            );
            side.turns.push(Turn {
                user: task.to_string(),
                context: p.context.clone(),
                assistant: s.reply.clone(),
                ..Turn::default()
            });
            side.working = p.working.clone();
            side.samples.push((p.report.prompt as u64, s));
            if side.layout == Layout::Stable && i + 1 == args.resume_after {
                let (turns, working) = resume(&side.turns, &side.working).await?;
                println!(
                    "      resumed from the chat store: {} turns, {} working pieces",
                    turns.len(),
                    working.len()
                );
                side.turns = turns;
                side.working = working;
                side.asm = Assembler::new(BudgetConfig::default());
            }
        }
    }
    if args.resume_after > 0 && args.resume_after < args.turns {
        let after = &sides[0].samples[args.resume_after..];
        let share = |v: &[(u64, Sample)]| {
            let cache: u64 = v.iter().map(|(_, s)| s.cache_n).sum();
            let all: u64 = v.iter().map(|(_, s)| s.prompt_n + s.cache_n).sum();
            (cache, all, cache as f64 * 100.0 / all.max(1) as f64)
        };
        let (c1, a1, p1) = share(&after[..1]);
        let (c, a, p) = share(after);
        println!(
            "\nresumed after turn {}: first resumed turn {p1:.1}% from cache ({c1} of {a1}); turns {}-{}: {p:.1}% ({c} of {a})",
            args.resume_after,
            args.resume_after + 1,
            args.turns
        );
    }
    println!("\nsummary (turns 2-{}):", args.turns);
    for side in &sides {
        let later = &side.samples[1.min(side.samples.len())..];
        let cache: u64 = later.iter().map(|(_, s)| s.cache_n).sum();
        let all: u64 = later.iter().map(|(_, s)| s.prompt_n + s.cache_n).sum();
        let mut ttft: Vec<f64> = later.iter().map(|(_, s)| s.ttft_ms).collect();
        ttft.sort_by(f64::total_cmp);
        let median = ttft.get(ttft.len() / 2).copied().unwrap_or(0.0);
        let evaluated: u64 = later.iter().map(|(_, s)| s.prompt_n).sum();
        println!(
            "  {:<6} cache share {:.1}% ({cache} of {all} prompt tokens), evaluated {evaluated}, median TTFT {median:.0} ms",
            match side.layout {
                Layout::Stable => "ours",
                Layout::Naive => "naive",
            },
            cache as f64 * 100.0 / all.max(1) as f64,
        );
    }
    Ok(())
}

/// Our side's conversation through the chat store and back, as a restarted process reads it.
async fn resume(
    turns: &[Turn],
    working: &[smallcode_core::budget::Piece],
) -> anyhow::Result<(Vec<Turn>, Vec<smallcode_core::budget::Piece>)> {
    use smallcode::chat::store::{ChatStore, StoredPiece, StoredTurn, TurnState};
    let dir = std::env::temp_dir().join(format!("smallcode-bench-kv-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = ChatStore::at(dir.join("chats.redb"));
    for (i, t) in turns.iter().enumerate() {
        let stored = StoredTurn {
            state: TurnState::Done,
            user: t.user.clone(),
            context: t.context.clone(),
            assistant: t.assistant.clone(),
            files: t.files.clone(),
            errors: t.errors.clone(),
            ..StoredTurn::default()
        };
        store
            .put_turn("kv", i as u32, stored)
            .await
            .context("store")?
            .map_err(|e| anyhow!("{e}"))?;
    }
    store
        .put_working("kv", working.iter().map(StoredPiece::from).collect())
        .await
        .context("store")?
        .map_err(|e| anyhow!("{e}"))?;
    let loaded = store.load("kv").await.map_err(|e| anyhow!("{e}"))?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok((
        loaded.turns.iter().map(|(_, t)| t.to_turn()).collect(),
        loaded.working.iter().map(StoredPiece::to_piece).collect(),
    ))
}

/// Streams one request; measures the time to the first content token and reads `timings`.
async fn send(http: &reqwest::Client, base: &str, body: &Value) -> anyhow::Result<Sample> {
    let t0 = Instant::now();
    let resp = http
        .post(format!("{base}{}", openai::CHAT_PATH))
        .json(body)
        .send()
        .await
        .context("chat request")?;
    let status = resp.status();
    if !status.is_success() {
        let text = resp.text().await.unwrap_or_default();
        return Err(anyhow!("server answered {status}: {text}"));
    }
    let mut sample = Sample::default();
    let mut first = None;
    let mut buf = String::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.context("reading the stream")?;
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(at) = buf.find('\n') {
            let line: String = buf.drain(..=at).collect();
            let Some(data) = line.trim().strip_prefix("data:") else {
                continue;
            };
            let Ok(v) = serde_json::from_str::<Value>(data.trim()) else {
                continue;
            };
            if let Some(c) = v
                .pointer("/choices/0/delta/content")
                .and_then(Value::as_str)
            {
                if first.is_none() && !c.is_empty() {
                    first = Some(t0.elapsed());
                }
                sample.reply.push_str(c);
            }
            if let Some(t) = v.get("timings") {
                sample.prompt_n = t.get("prompt_n").and_then(Value::as_u64).unwrap_or(0);
                sample.cache_n = t.get("cache_n").and_then(Value::as_u64).unwrap_or(0);
            }
        }
    }
    sample.ttft_ms = first.unwrap_or_else(|| t0.elapsed()).as_secs_f64() * 1000.0;
    Ok(sample)
}
