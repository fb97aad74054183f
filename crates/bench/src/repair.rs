//! `smallcode bench repair`: the tool-call JSON repair on adversarial inputs of a given size
//! (1 MiB by default), to show it stays linear (doc/reliability.md, target < 100 ms per MiB).
//!
//! Each shape targets one place where a lenient parser can go quadratic or deep: lookahead past
//! comments from every quote, nesting, one long string full of inner quotes and escapes, a huge
//! object, quote-dense lists, and the two tool-call paths end to end (native arguments go through
//! the size window, reply text through extraction). Every shape is built so that the strict
//! `serde_json` pass fails and the lenient parser does the work. Times are the median of
//! `--runs` runs.

use std::time::{Duration, Instant};

use smallcode_core::toolcall::{
    self, repair_json, Outcome, Param, ParamKind, RepairStats, ToolSpec,
};

/// Options of `smallcode bench repair`.
#[derive(Debug, clap::Args)]
pub struct RepairArgs {
    /// Size of each input, in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    pub size: usize,
    /// Runs per shape; the median is printed.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
}

/// One adversarial input.
struct Shape {
    name: &'static str,
    text: String,
    /// Which entry point it goes through.
    path: Path,
}

#[derive(Clone, Copy)]
enum Path {
    /// `repair_json` alone.
    Repair,
    /// `toolcall::parse` with the text as a native call's arguments.
    Native,
    /// `toolcall::parse` with the text as the reply.
    Reply,
}

/// Repeats `unit` after `head` until the text reaches `size`, then appends `tail`.
fn fill(head: &str, unit: &str, tail: &str, size: usize) -> String {
    let mut s = String::with_capacity(size + unit.len() + tail.len());
    s.push_str(head);
    while s.len() + tail.len() < size {
        s.push_str(unit);
    }
    s.push_str(tail);
    s
}

fn shapes(size: usize) -> Vec<Shape> {
    let depth = "{'a': [".repeat(40) + "1" + &"]}".repeat(40);
    let shape = |name, text, path| Shape { name, text, path };
    vec![
        shape(
            "quotes + one long /* comment",
            fill("{\"a\": \"x", "\" /* ", "*/\"}", size),
            Path::Repair,
        ),
        shape(
            "inner quotes + one long /*",
            fill("{\"a\": \"x", "(\" /* ", "*/\"}", size),
            Path::Repair,
        ),
        shape(
            "inner quotes + # comments",
            fill("{\"a\": \"x", "(\" # c\n", "\"}", size),
            Path::Repair,
        ),
        shape(
            "quotes + many /* */ comments",
            fill("{\"a\": \"x", "\" /* c */ ", "\"}", size),
            Path::Repair,
        ),
        shape(
            "quotes + # comments",
            fill("{\"a\": \"x", "\" # c \"\n", "\"}", size),
            Path::Repair,
        ),
        shape(
            "deep nesting (refused)",
            fill("", "[", "", size),
            Path::Repair,
        ),
        shape(
            "nesting 80 deep, repeated",
            fill("[", &format!("{depth},"), "]", size),
            Path::Repair,
        ),
        shape(
            "one long string, inner quotes",
            fill("{'new': '", "print(\"hi\") \\d \\u00e9 it's\n", "'}", size),
            Path::Repair,
        ),
        shape(
            "many members",
            {
                let mut s = String::from("{");
                let mut i = 0usize;
                while s.len() < size {
                    s.push_str(&format!("'k{i}': 'v', k{i}b = [1, True] \n"));
                    i += 1;
                }
                s.push('}');
                s
            },
            Path::Repair,
        ),
        shape(
            "quote-dense list",
            fill("['a'", ", 'a\"b\"c'", "]", size),
            Path::Repair,
        ),
        shape(
            "native arguments (window)",
            fill("{\"path\": \"a\", \"x\": \"", "\" /* ", "*/\"}", size),
            Path::Native,
        ),
        shape(
            "reply with broken bare calls",
            fill(
                "",
                "{\"name\": \"read\", \"arguments\": {\"path\": \"x",
                "",
                size,
            ),
            Path::Reply,
        ),
    ]
}

fn specs() -> Vec<ToolSpec> {
    vec![ToolSpec {
        name: "read",
        description: "Read a file.",
        params: vec![Param {
            name: "path",
            kind: ParamKind::String,
            required: true,
            description: "",
        }],
    }]
}

/// Runs one shape once: how long it took and what came out.
fn once(shape: &Shape, specs: &[ToolSpec]) -> (Duration, String) {
    let started = Instant::now();
    let outcome = match shape.path {
        Path::Repair => match repair_json(&shape.text) {
            Ok(_) => "read".to_string(),
            Err(e) => format!("refused: {:?}", e.kind()),
        },
        Path::Native | Path::Reply => {
            let mut stats = RepairStats::default();
            let native = [("read".to_string(), shape.text.clone())];
            let (content, native): (&str, &[(String, String)]) = match shape.path {
                Path::Native => ("", &native),
                _ => (&shape.text, &[]),
            };
            match toolcall::parse(content, "", native, specs, &mut stats) {
                Outcome::Calls(c) => format!("{} call(s)", c.len()),
                Outcome::None => "no call".to_string(),
                Outcome::Invalid(e) => format!("refused: {}", cut(&e.to_string(), 48)),
            }
        }
    };
    (started.elapsed(), outcome)
}

fn cut(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// Prints one line per shape: name, size, median time, outcome.
pub fn run(args: RepairArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.runs > 0, "--runs must be at least 1");
    let specs = specs();
    println!(
        "JSON repair on adversarial inputs ({} bytes each, median of {} runs)",
        args.size, args.runs
    );
    println!("{:<32} {:>9} {:>10}  outcome", "shape", "bytes", "ms");
    let mut worst = Duration::ZERO;
    for shape in shapes(args.size) {
        let mut times = Vec::with_capacity(args.runs);
        let mut outcome = String::new();
        for _ in 0..args.runs {
            let (t, o) = once(&shape, &specs);
            times.push(t);
            outcome = o;
        }
        times.sort();
        let median = times[times.len() / 2];
        worst = worst.max(median);
        println!(
            "{:<32} {:>9} {:>10.1}  {}",
            shape.name,
            shape.text.len(),
            median.as_secs_f64() * 1000.0,
            outcome
        );
    }
    println!("slowest median: {:.1} ms", worst.as_secs_f64() * 1000.0);
    Ok(())
}
