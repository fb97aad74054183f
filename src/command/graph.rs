//! The `smallcode index` and `smallcode graph` subcommands.
//!
//! These run outside Neovim, so printing to stdout is fine here (and only here). Errors are
//! `anyhow` with context: this is the binary's edge, not a library layer.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

use smallcode_core::graph::{Graph, GraphConfig, IndexStats, Seeds};

/// `smallcode index DIR [--json]`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Project directory.
    pub dir: PathBuf,
    /// Print the statistics as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `smallcode graph DIR <query>`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Project directory.
    pub dir: PathBuf,
    /// What to ask.
    #[command(subcommand)]
    pub query: GraphQuery,
}

/// Graph queries.
#[derive(Debug, Subcommand)]
pub enum GraphQuery {
    /// Definitions of NAME (bare or qualified: `Type::method`, `mod.func`).
    Defs(NameArgs),
    /// References (calls and type uses) of NAME.
    Refs(NameArgs),
    /// Definitions that call NAME.
    Callers(NameArgs),
    /// Definitions NAME calls.
    Callees(NameArgs),
    /// Fuzzy symbol search.
    Find(NameArgs),
    /// Ranked, budgeted context for a request.
    Walk(WalkArgs),
}

/// A name query.
#[derive(Debug, Args)]
pub struct NameArgs {
    /// Symbol name.
    pub name: String,
    /// Print JSON (a list of objects with name, kind, path, line, …).
    #[arg(long)]
    pub json: bool,
}

/// A walk request.
#[derive(Debug, Args)]
pub struct WalkArgs {
    /// Request text; identifiers in it seed the walk.
    pub text: String,
    /// Token budget.
    #[arg(long, default_value_t = 2000)]
    pub tokens: usize,
    /// Extra seed files (current buffer, quickfix files).
    #[arg(long = "file")]
    pub files: Vec<PathBuf>,
    /// Print JSON (text, tokens, included symbols).
    #[arg(long)]
    pub json: bool,
}

fn open_indexed(dir: &PathBuf) -> anyhow::Result<(Graph, IndexStats)> {
    let g = Graph::open(dir, GraphConfig::default())
        .with_context(|| format!("opening the graph of {}", dir.display()))?;
    let stats = g
        .index(|_| {})
        .with_context(|| format!("indexing {}", dir.display()))?;
    Ok((g, stats))
}

/// Runs `smallcode index`.
pub fn run_index(args: IndexArgs) -> anyhow::Result<()> {
    let (g, mut stats) = open_indexed(&args.dir)?;
    stats.edges = g.counts().3;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&stats)?);
    } else {
        println!(
            "files {}  symbols {}  edges {}  seconds {:.3}",
            stats.files, stats.symbols, stats.edges, stats.seconds
        );
        println!(
            "parsed {}  reused {}  removed {}  references {}",
            stats.parsed, stats.reused, stats.removed, stats.references
        );
        let reasons: Vec<String> = stats
            .by_status
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        println!("files by status: {}", reasons.join(", "));
        println!("database {} ({:?})", g.db_path().display(), g.store_mode());
    }
    Ok(())
}

/// Runs `smallcode graph`.
pub fn run_graph(args: GraphArgs) -> anyhow::Result<()> {
    let (g, _) = open_indexed(&args.dir)?;
    let (hits, json) = match &args.query {
        GraphQuery::Defs(a) => (g.definitions(&a.name), a.json),
        GraphQuery::Callers(a) => (g.callers(&a.name), a.json),
        GraphQuery::Callees(a) => (g.callees(&a.name), a.json),
        GraphQuery::Find(a) => (g.find(&a.name, true), a.json),
        GraphQuery::Refs(a) => {
            let refs = g.references(&a.name);
            if a.json {
                println!("{}", serde_json::to_string_pretty(&refs)?);
            } else {
                for r in refs {
                    println!(
                        "{}:{} {} {} in {}",
                        r.path,
                        r.line,
                        r.kind.as_str(),
                        r.name,
                        r.enclosing.as_deref().unwrap_or("<file>")
                    );
                }
            }
            return Ok(());
        }
        GraphQuery::Walk(w) => {
            let seeds = Seeds {
                text: w.text.clone(),
                files: w.files.clone(),
                ..Default::default()
            };
            let walk = g.walk(&seeds, w.tokens);
            if w.json {
                println!("{}", serde_json::to_string_pretty(&walk)?);
            } else {
                print!("{}", walk.text);
                eprintln!(
                    "[{} tokens, {} symbols, {} full bodies, {} omitted]",
                    walk.tokens,
                    walk.included.len(),
                    walk.full_bodies,
                    walk.omitted
                );
            }
            return Ok(());
        }
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&hits)?);
    } else {
        for h in hits {
            let w = h.score.map_or(String::new(), |s| format!("  [{s}]"));
            println!(
                "{}:{} {} {}  {}{w}",
                h.path, h.line, h.kind, h.qualified, h.signature
            );
        }
    }
    Ok(())
}
