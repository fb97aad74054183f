//! The chat's own guards, on the real `Chats` against the scripted mock: a reply that repeats
//! itself is stopped with one copy kept (and counted in `/stats`), and the first turn in a
//! project whose index is slow answers with what is indexed so far, showing progress.

use smallcode_testkit as mock_llm;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use mock_llm::{Flavor, MockConfig, MockServer, Step};
use smallcode::chat::{Chats, EditorContext, Event, GraphSource, VecSink};
use smallcode_core::graph::{Graph, Progress};
use smallcode_llm::config::{Config, ProviderKind};

const LIMIT: Duration = Duration::from_secs(120);

fn config(server: &MockServer) -> Config {
    Config {
        endpoint: Some(server.url()),
        provider: Some(ProviderKind::Openai),
        ..Config::default()
    }
}

fn events(sink: &VecSink) -> Vec<Event> {
    sink.0
        .lock()
        .unwrap()
        .iter()
        .map(|e| e.event.clone())
        .collect()
}

/// Waits until `n` turns ended (done or error).
async fn turns_end(sink: &VecSink, n: usize) {
    let started = std::time::Instant::now();
    loop {
        let ended = events(sink)
            .iter()
            .filter(|e| matches!(e, Event::Done { .. } | Event::Error { .. }))
            .count();
        if ended >= n {
            return;
        }
        assert!(
            started.elapsed() < LIMIT,
            "turn {n} hangs: {:?}",
            events(sink)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

const PARA: &str = "The mean function adds up every number in the list and divides the sum by how \
    many numbers there are. It returns a float, and an empty list raises ZeroDivisionError because \
    there is nothing to divide by.\n\nYou can pass any iterable of numbers, such as a list or a \
    tuple, and it works the same way for integers and floats alike.\n\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_that_repeats_itself_is_stopped_with_one_copy_kept() {
    // SmolLM2's habit: the same paragraphs again, until the token cap.
    let looping = PARA.repeat(6);
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            Step::Reply {
                pieces: mock_llm::split_tokens(&looping),
                delay_ms: 3,
            },
            Step::text("fine."),
        ],
    ));
    let sink = Arc::new(VecSink::default());
    let chats = Chats::new(config(&server), sink.clone());
    chats
        .send_with(1, "What does mean() do?".into(), EditorContext::default())
        .await
        .unwrap();
    turns_end(&sink, 1).await;
    let evs = events(&sink);
    let shown: String = evs
        .iter()
        .filter_map(|e| match e {
            Event::Delta { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    let taken: String = evs
        .iter()
        .filter_map(|e| match e {
            Event::Retract { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        !taken.is_empty(),
        "the repeated tail is taken back: {evs:?}"
    );
    let kept = shown
        .strip_suffix(taken.as_str())
        .expect("a tail of what was shown");
    assert_eq!(kept, PARA.trim_end(), "exactly one copy stays");
    assert!(
        evs.iter()
            .any(|e| matches!(e, Event::Info { text } if text.contains("repeating itself"))),
        "one note says so: {evs:?}"
    );
    assert!(
        server.wait_disconnects(1, Duration::from_secs(10)),
        "the stream was dropped, not read to its end"
    );

    // The history holds the one copy; /stats counts the stop.
    chats
        .send_with(1, "thanks".into(), EditorContext::default())
        .await
        .unwrap();
    turns_end(&sink, 2).await;
    let reqs = server.chat_requests();
    assert_eq!(reqs[1]["messages"][2]["content"], PARA.trim_end());
    chats
        .send_with(1, "/stats".into(), EditorContext::default())
        .await
        .unwrap();
    let stats = match events(&sink)
        .iter()
        .rev()
        .find(|e| matches!(e, Event::Delta { .. }))
    {
        Some(Event::Delta { text }) => text.clone(),
        _ => String::new(),
    };
    assert!(
        stats.contains("replies stopped for repeating themselves: 1"),
        "{stats}"
    );
}

/// A graph source whose index takes `slow` and reports progress meanwhile.
struct SlowIndex {
    slow: Duration,
}

impl GraphSource for SlowIndex {
    fn open(&self, root: &Path) -> Result<Graph, String> {
        Graph::open(root, crate::support::memory_graph()).map_err(|e| e.to_string())
    }

    fn index(&self, graph: &Graph, progress: &mut dyn FnMut(Progress)) -> Result<(), String> {
        let steps = 10;
        for i in 0..steps {
            progress(Progress {
                done: i * 100,
                total: 1000,
                parsed: i * 100,
            });
            std::thread::sleep(self.slow / steps as u32);
        }
        graph.index(|_| {}).map(|_| ()).map_err(|e| e.to_string())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_index_shows_progress_and_the_turn_answers_meanwhile() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![Step::text("answered early.")],
    ));
    let dir = std::env::temp_dir().join(format!("smallcode-chats-index-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join("calc.py"), "def add(a, b):\n    return a + b\n").unwrap();
    let root = std::fs::canonicalize(&dir).unwrap();
    let sink = Arc::new(VecSink::default());
    let chats = Chats::new(config(&server), sink.clone());
    chats.set_graph_source(Arc::new(SlowIndex {
        slow: Duration::from_secs(8),
    }));
    let started = std::time::Instant::now();
    chats
        .send_with(
            1,
            "what does add do?".into(),
            EditorContext {
                root: Some(root.clone()),
                ..EditorContext::default()
            },
        )
        .await
        .unwrap();
    turns_end(&sink, 1).await;
    let took = started.elapsed();
    let evs = events(&sink);
    assert!(
        evs.iter()
            .any(|e| matches!(e, Event::Progress { text } if text.starts_with("indexing "))),
        "progress shown: {evs:?}"
    );
    assert!(
        evs.iter().any(|e| matches!(e, Event::Info { text } if text.contains("indexing continues in the background"))),
        "says it answers with a partial index: {evs:?}"
    );
    assert!(
        matches!(evs.last(), Some(Event::Done { .. })),
        "the turn answered: {evs:?}"
    );
    assert!(
        took < Duration::from_secs(8),
        "did not wait for the whole index: {took:?}"
    );
}
