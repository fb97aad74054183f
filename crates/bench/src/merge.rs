//! `smallcode bench report`: one report and chart from several runs' `results.csv`.
//!
//! Runs are made at different times (a naive run, a harness run, peers, another model on another
//! server); comparing them side by side needs their rows in one table. A `PATH=LABEL` argument
//! renames its modes to `mode@LABEL` (e.g. `harness@gemma-270m`), so models stay apart.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::report::{self, Row};

/// Arguments of `smallcode bench report`.
#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// `results.csv` files of earlier runs; `PATH=LABEL` suffixes their modes with `@LABEL`.
    #[arg(required = true, value_name = "CSV[=LABEL]")]
    pub csv: Vec<String>,
    /// Write the merged results.csv, report.md and chart.svg here.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Title of the report and chart.
    #[arg(long, default_value = "smallcode bench: merged runs")]
    pub title: String,
}

/// Reads every CSV, relabels, prints the merged markdown report and writes the files.
pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let mut rows: Vec<Row> = Vec::new();
    for spec in &args.csv {
        let (path, label) = match spec.rsplit_once('=') {
            Some((p, l)) if !l.is_empty() => (p, Some(l)),
            _ => (spec.as_str(), None),
        };
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
        let mut got = report::parse_csv(&text)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("parsing {path}"))?;
        if let Some(l) = label {
            for r in &mut got {
                r.mode = format!("{}@{l}", r.mode);
            }
        }
        eprintln!("[bench report] {path}: {} rows", got.len());
        rows.extend(got);
    }
    rows.sort_by(|a, b| (&a.task, &a.mode, a.trial).cmp(&(&b.task, &b.mode, b.trial)));
    let md = report::markdown(&rows, &args.title);
    println!("{md}");
    if let Some(out) = &args.out {
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
        std::fs::write(out.join("results.csv"), report::csv(&rows))?;
        std::fs::write(out.join("report.md"), &md)?;
        std::fs::write(out.join("chart.svg"), report::svg(&rows, &args.title))?;
        eprintln!(
            "[bench report] wrote {}/results.csv, report.md, chart.svg",
            out.display()
        );
    }
    Ok(())
}
