//! A chat turn is planned against the probed window: over a small context the request never
//! exceeds it, the context comes from the code graph, and `/budget`
//! shows the split that was really sent. Runs the real `Chats` against the scripted mock server
//! (crates/testkit/src/lib.rs), which records every request.

use smallcode_testkit as mock_llm;

use std::sync::Arc;

use mock_llm::{Flavor, MockConfig, MockServer, Step};
use serde_json::Value;
use smallcode::chat::Event;
use smallcode::chat::{Chats, DefaultGraphs, EditorContext, VecSink};
use smallcode_llm::config::{Config, ProviderKind};

const CONTEXT: u64 = 1024;

/// How long one turn may take before the test calls it a hang (not a speed check).
const TURN_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

fn reply(text: &str) -> Step {
    Step::Reply {
        pieces: text.split_inclusive(' ').map(str::to_string).collect(),
        delay_ms: 0,
    }
}

/// A project with one function the messages name and many it does not.
fn project() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("smallcode-chat-budget-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).expect("marker");
    let mut src = String::new();
    src.push_str("/// Parses a header line.\npub fn parse_header(line: &str) -> Option<(String, String)> {\n");
    for i in 0..60 {
        src.push_str(&format!(
            "    let part_{i} = line.split(':').nth({}).map(str::trim);\n",
            i % 3
        ));
    }
    src.push_str("    None\n}\n\n");
    for i in 0..40 {
        src.push_str(&format!(
            "pub fn helper_{i}(x: u32) -> u32 {{\n    let y = x + {i};\n    let z = parse_header(\"a: b\").map_or(0, |_| 1);\n    y * z\n}}\n\n"
        ));
    }
    std::fs::create_dir(dir.join("src")).expect("src");
    std::fs::write(dir.join("src/lib.rs"), src).expect("write");
    dir
}

fn words(v: &Value) -> usize {
    v["messages"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|m| {
                    m["content"]
                        .as_str()
                        .unwrap_or("")
                        .split_whitespace()
                        .count()
                })
                .sum()
        })
        .unwrap_or(0)
}

fn cl100k(v: &Value) -> usize {
    v["messages"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|m| {
                    smallcode_core::budget::count_tokens(m["content"].as_str().unwrap_or("")) + 5
                })
                .sum()
        })
        .unwrap_or(0)
}

fn texts(sink: &VecSink) -> Vec<String> {
    sink.0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match &e.event {
            Event::Delta { text } => Some(text.clone()),
            Event::Error { text } => Some(format!("ERROR {text}")),
            _ => None,
        })
        .collect()
}

/// Checks every `src/lib.rs:a-b` section of `prompt` against the file with tree-sitter; returns
/// how many were checked.
fn whole_pieces(file: &std::path::Path, prompt: &str) -> usize {
    use smallcode_core::budget::whole::{check_section, Parsed};
    use smallcode_core::budget::Detail;
    let lang = smallcode_core::syntax::language_for_path(file).unwrap();
    let mut pool = smallcode_core::syntax::ParserPool::new();
    let parsed = Parsed::new(&mut pool, lang, std::fs::read_to_string(file).unwrap()).unwrap();
    let mut n = 0;
    for chunk in prompt.split("\n\n") {
        let chunk = chunk.trim_start_matches("Code:\n");
        let Some(rest) = chunk.strip_prefix("src/lib.rs:") else {
            continue;
        };
        let head = rest.lines().next().unwrap();
        let (range, detail) = match head.split_once(' ') {
            Some((line, _)) => ((line, line), Detail::Name),
            None => (
                head.split_once('-').unwrap(),
                if chunk.contains('⋮') {
                    Detail::Signature
                } else {
                    Detail::Full
                },
            ),
        };
        let lines = (range.0.parse().unwrap(), range.1.parse().unwrap());
        if detail == Detail::Name {
            continue;
        }
        check_section(&parsed, lines, detail, chunk)
            .unwrap_or_else(|e| panic!("piece not whole: {e}\n{chunk}"));
        n += 1;
    }
    n
}

/// The number in the `/budget` row named `name`.
fn row(table: &str, name: &str) -> usize {
    table
        .lines()
        .find(|l| l.trim_start().starts_with(name))
        .and_then(|l| l.trim_start()[name.len()..].split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no row {name} in\n{table}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_turns_fit_a_small_window_and_budget_shows_the_split() {
    let long = "The header parser splits on the colon and trims both sides. ".repeat(30);
    let mut cfg = MockConfig::new(Flavor::LlamaCpp, (0..4).map(|_| reply(&long)).collect());
    cfg.n_ctx = CONTEXT;
    let server = MockServer::start(cfg);
    let dir = project();
    let root = std::fs::canonicalize(&dir).unwrap();
    let config = Config {
        endpoint: Some(server.url()),
        provider: Some(ProviderKind::Openai),
        ..Config::default()
    };
    let sink = Arc::new(VecSink::default());
    let chats = Chats::new(config, sink.clone());
    chats.set_graph_source(Arc::new(DefaultGraphs::with_config(
        crate::support::memory_graph(),
    )));
    let file = root.join("src/lib.rs");
    let ctx = || EditorContext {
        root: Some(root.clone()),
        file: Some(file.clone()),
        cursor: Some(3),
        ..EditorContext::default()
    };
    let limit = |reply: usize| CONTEXT as usize - reply;

    let messages = [
        "Why does `parse_header` return None?",
        "Which helpers call parse_header?",
        "Summarise the fix.",
    ];
    for (i, m) in messages.iter().enumerate() {
        chats.send_with(1, m.to_string(), ctx()).await.unwrap();
        // The turn runs as its own task: wait for its Done (or Error). The limit only catches a
        // hang, and reaching it fails the test.
        let finished = |sink: &VecSink| {
            sink.0
                .lock()
                .unwrap()
                .iter()
                .filter(|e| matches!(e.event, Event::Done { .. } | Event::Error { .. }))
                .count()
        };
        let started = std::time::Instant::now();
        while finished(&sink) <= i {
            assert!(
                started.elapsed() < TURN_LIMIT,
                "turn {} did not end within {TURN_LIMIT:?}: {:?}",
                i + 1,
                texts(&sink)
            );
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        let reqs = server.chat_requests();
        assert_eq!(
            reqs.len(),
            i + 1,
            "one request per turn: {:?}",
            texts(&sink)
        );
        let req = &reqs[i];
        let report = chats.last_budget(1).expect("a budget per turn");
        let max_tokens = req["max_tokens"].as_u64().unwrap() as usize;
        assert!(
            max_tokens <= report.reply_reserve,
            "max_tokens within the reserve"
        );
        assert!(
            report.prompt <= limit(report.reply_reserve),
            "planned within the window"
        );
        assert!(
            words(req) + max_tokens <= CONTEXT as usize,
            "turn {}: {} server tokens + {max_tokens} over {CONTEXT}",
            i + 1,
            words(req)
        );
        if i == 0 {
            // Before any server count the estimator (plus template markers) bounds the prompt.
            assert!(
                cl100k(req) <= limit(report.reply_reserve),
                "cl100k {} over {}",
                cl100k(req),
                limit(report.reply_reserve)
            );
            let sys = req["messages"][0]["content"].as_str().unwrap();
            assert!(
                sys.starts_with(&Config::default().system_prompt),
                "stable system prompt first: {sys}"
            );
            assert!(
                sys.contains("pub fn parse_header(line: &str)"),
                "the named symbol's code is sent: {sys}"
            );
            assert_eq!(
                req["messages"][1]["content"], messages[0],
                "then the message"
            );
        }
        // Every code piece sent is whole tree-sitter nodes or an explicit `⋮ N lines` elision.
        let sys = req["messages"][0]["content"].as_str().unwrap();
        let checked = whole_pieces(&file, sys);
        assert!(i > 0 || checked > 3, "code pieces were checked: {checked}");
    }

    // `/budget` is answered without the model and shows the last turn's real split.
    let before = server.chat_requests().len();
    chats.send_with(1, "/budget".into(), ctx()).await.unwrap();
    let table = texts(&sink).last().cloned().unwrap();
    eprintln!("{table}");
    assert!(
        row(&table, "symbols") + row(&table, "graph") > 0,
        "code context was sent"
    );
    assert_eq!(
        server.chat_requests().len(),
        before,
        "/budget never reaches the model"
    );
    let report = chats.last_budget(1).unwrap();
    let last = server.chat_requests().pop().unwrap();
    assert_eq!(row(&table, "reply reserve"), report.reply_reserve);
    assert_eq!(row(&table, "prompt"), report.prompt);
    assert_eq!(row(&table, "system prompt"), report.system);
    let assistants = last["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "assistant")
        .count();
    assert!(
        table.contains(&format!("turns {assistants} verbatim")),
        "history row matches the {assistants} replayed turns:\n{table}"
    );
    let sum: usize = report.system
        + report.tools
        + report.outline
        + [
            "task",
            "selection",
            "tool output",
            "symbols",
            "graph",
            "history",
            "memory",
        ]
        .iter()
        .map(|k| row(&table, k))
        .sum::<usize>();
    assert_eq!(sum, report.prompt, "rows add up to the prompt:\n{table}");

    // `/clear` drops the history: the next request has no earlier turns.
    chats.send_with(1, "/clear".into(), ctx()).await.unwrap();
    assert!(texts(&sink)
        .last()
        .unwrap()
        .contains("History cleared (3 turns)"));
    chats.send_with(1, "/help".into(), ctx()).await.unwrap();
    assert!(texts(&sink).last().unwrap().contains("/stats"));
    assert_eq!(
        server.chat_requests().len(),
        before,
        "commands never reach the model"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
