//! The whole fault matrix on every provider the chat speaks to: OpenAI-style SSE (llama.cpp),
//! Ollama NDJSON and LM Studio, each against the scripted mock. Every fault must end in exactly
//! one error line within its limit (or, for the two that are not faults, complete cleanly), and
//! the next message must work. The run writes the table to `target/fault-matrix.md`
//! (`SMALLCODE_WRITE_DOCS=1` also writes `doc/fault-matrix.md`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use smallcode::chat::{Chats, Event, VecSink};
use smallcode_llm::config::{Config, ProviderKind, Timeouts};
use smallcode_testkit::{Flavor, MockConfig, MockServer, Step};

const FIRST_TOKEN: f64 = 1.0;
const IDLE: f64 = 0.5;

fn reply(text: &str) -> Step {
    Step::Reply {
        pieces: vec![text.to_string()],
        delay_ms: 0,
    }
}

/// One fault: its name, the script step, what the error line must contain (`None` = the turn
/// must complete without an error), and the time it must end within (a hang catcher, generous).
struct Fault {
    name: &'static str,
    step: Step,
    says: Option<&'static str>,
    within: Duration,
}

/// A reply whose bytes split `é` across two chunks and then carry a byte that is not UTF-8.
fn split_utf8(flavor: Flavor) -> Step {
    let (ct, first, second, end): (&str, &[u8], &[u8], &[u8]) = match flavor {
        Flavor::Ollama => (
            "application/x-ndjson",
            b"{\"model\":\"mock\",\"message\":{\"role\":\"assistant\",\"content\":\"caf\xC3",
            b"\xA9 \xFF ok\"},\"done\":false}\n",
            b"{\"model\":\"mock\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\"}\n",
        ),
        _ => (
            "text/event-stream",
            b"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"caf\xC3",
            b"\xA9 \xFF ok\"}}]}\n\n",
            b"data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
        ),
    };
    Step::RawBytes {
        content_type: ct.into(),
        chunks: vec![first.to_vec(), second.to_vec(), end.to_vec()],
    }
}

fn faults(flavor: Flavor) -> Vec<Fault> {
    let limit = |s: f64| Duration::from_secs_f64(s + 3.0);
    vec![
        Fault {
            name: "stall before the first token",
            step: Step::StallBeforeFirst,
            says: Some("first-token timeout"),
            within: limit(FIRST_TOKEN),
        },
        Fault {
            name: "stall mid-stream",
            step: Step::Stall {
                pieces: vec!["partial ".into()],
            },
            says: Some("idle timeout"),
            within: limit(IDLE),
        },
        Fault {
            name: "drop mid-stream",
            step: Step::Drop {
                pieces: vec!["partial ".into()],
            },
            says: Some("dropped mid-stream"),
            within: limit(0.0),
        },
        Fault {
            name: "HTTP 500",
            step: Step::Status {
                code: 500,
                body: "{\"error\":{\"message\":\"boom\"}}".into(),
            },
            says: Some("500"),
            within: limit(0.0),
        },
        Fault {
            name: "503 loading model",
            step: Step::Status {
                code: 503,
                body: "{\"error\":{\"message\":\"Loading model\"}}".into(),
            },
            says: Some("not ready (503"),
            within: limit(0.0),
        },
        Fault {
            name: "garbage body",
            step: Step::Garbage {
                body: "<html>502 Bad Gateway</html>\n".into(),
            },
            says: Some("the server sent data that is not"),
            within: limit(FIRST_TOKEN),
        },
        Fault {
            name: "a character split across chunks, then invalid UTF-8",
            step: split_utf8(flavor),
            says: None,
            within: limit(0.0),
        },
        Fault {
            name: "a 50 MB reply",
            // 800 deltas of 64 kB: a server that ignores max_tokens and streams on.
            step: Step::Reply {
                pieces: vec!["x".repeat(64 << 10); 800],
                delay_ms: 0,
            },
            says: Some("went past 16 MB"),
            within: limit(5.0),
        },
        Fault {
            name: "slow drip under the idle limit",
            step: Step::Reply {
                pieces: (0..8).map(|i| format!("w{i} ")).collect(),
                delay_ms: 150,
            },
            says: None,
            within: limit(8.0 * 0.15),
        },
    ]
}

fn config(url: &str, flavor: Flavor) -> Config {
    Config {
        endpoint: Some(url.to_string()),
        provider: Some(match flavor {
            Flavor::Ollama => ProviderKind::Ollama,
            _ => ProviderKind::Openai,
        }),
        timeouts: Timeouts {
            connect: 2.0,
            first_token: FIRST_TOKEN,
            idle: IDLE,
        },
        ..Config::default()
    }
}

/// Sends `text` and waits until the turn ends (Done, Error or Cancelled); fails the test after
/// `limit` (only a hang reaches it). Returns the turn's events and how long it took.
async fn turn(
    chats: &Arc<Chats>,
    sink: &VecSink,
    text: &str,
    limit: Duration,
) -> (Vec<Event>, Duration) {
    let before = sink.0.lock().unwrap().len();
    let started = Instant::now();
    chats.send(1, text.to_string()).await.unwrap();
    loop {
        let events: Vec<Event> = sink.0.lock().unwrap()[before..]
            .iter()
            .map(|e| e.event.clone())
            .collect();
        if events.iter().any(|e| {
            matches!(
                e,
                Event::Done { .. } | Event::Error { .. } | Event::Cancelled
            )
        }) {
            return (events, started.elapsed());
        }
        assert!(
            started.elapsed() < limit + Duration::from_secs(10),
            "{text:?}: no end after {:?}: {events:?}",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn errors(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Error { text } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

fn text(events: &[Event]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Delta { text } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_on_every_provider_ends_in_one_error_line_and_the_next_message_works() {
    let mut table = String::from(
        "| provider | fault | message (error line, or the reply) | time to message | next message |\n|---|---|---|---|---|\n",
    );
    for (label, flavor) in [
        ("llama.cpp (SSE)", Flavor::LlamaCpp),
        ("Ollama (NDJSON)", Flavor::Ollama),
        ("LM Studio (SSE)", Flavor::LmStudio),
    ] {
        for f in faults(flavor) {
            let server = MockServer::start(MockConfig::new(
                flavor,
                vec![f.step, reply("recovered fine")],
            ));
            let sink = Arc::new(VecSink::default());
            let chats = Chats::new(config(&server.url(), flavor), sink.clone());
            let (events, took) = turn(&chats, &sink, "fault", f.within).await;
            let errs = errors(&events);
            let shown = match f.says {
                Some(want) => {
                    assert_eq!(
                        errs.len(),
                        1,
                        "{label} / {}: one error line: {events:?}",
                        f.name
                    );
                    assert!(
                        errs[0].contains(want),
                        "{label} / {}: the error says {want:?}: {}",
                        f.name,
                        errs[0]
                    );
                    format!("`Error: {}`", errs[0].replace('|', "\\|"))
                }
                None => {
                    assert!(errs.is_empty(), "{label} / {}: no error: {errs:?}", f.name);
                    let t = text(&events);
                    assert!(!t.is_empty(), "{label} / {}: a reply", f.name);
                    format!(
                        "reply completes: {:?}",
                        t.chars().take(40).collect::<String>()
                    )
                }
            };
            assert!(
                took <= f.within,
                "{label} / {}: ended after {took:?}, limit {:?}",
                f.name,
                f.within
            );
            let (next, _) = turn(&chats, &sink, "next", Duration::from_secs(5)).await;
            assert!(
                errors(&next).is_empty(),
                "{label} / {}: next works: {next:?}",
                f.name
            );
            assert!(
                text(&next).contains("recovered fine"),
                "{label} / {}: {next:?}",
                f.name
            );
            table.push_str(&format!(
                "| {label} | {} | {shown} | {} ms | works |\n",
                f.name,
                took.as_millis()
            ));
        }
        // Connection refused: nothing listens on the port.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let sink = Arc::new(VecSink::default());
        let chats = Chats::new(
            config(&format!("http://127.0.0.1:{port}"), flavor),
            sink.clone(),
        );
        let (events, took) = turn(&chats, &sink, "fault", Duration::from_secs(5)).await;
        let errs = errors(&events);
        assert_eq!(errs.len(), 1, "{label} / refused: {events:?}");
        assert!(errs[0].contains("cannot reach"), "{}", errs[0]);
        table.push_str(&format!(
            "| {label} | connection refused | `Error: {}` | {} ms | (no server) |\n",
            errs[0].replace('|', "\\|"),
            took.as_millis()
        ));
    }
    let out = concat!(env!("CARGO_MANIFEST_DIR"), "/target/fault-matrix.md");
    let _ = std::fs::write(out, &table);
    if std::env::var_os("SMALLCODE_WRITE_DOCS").is_some() {
        let doc = format!(
            "# Fault matrix (generated by `SMALLCODE_WRITE_DOCS=1 cargo test --test it fault_matrix`)\n\nTimeouts in the test: first token {FIRST_TOKEN} s, idle {IDLE} s, connect 2 s. Every row also checks that the next message on the same chat works.\n\n{table}"
        );
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/doc/fault-matrix.md"),
            doc,
        )
        .unwrap();
    }
}
