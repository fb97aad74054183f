//! Self-test of the scripted mock model server (`crates/testkit/src/lib.rs`): every
//! [`Step`] must put on the wire exactly what it promises, because the client tests built
//! on the mock are only as trustworthy as the mock itself.

use smallcode_testkit as mock_llm;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use mock_llm::{Flavor, MockConfig, MockServer, Step};
use serde_json::{json, Value};

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn server(flavor: Flavor, steps: Vec<Step>) -> MockServer {
    MockServer::start(MockConfig::new(flavor, steps))
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn chat_path(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::Ollama => "/api/chat",
        _ => "/v1/chat/completions",
    }
}

fn chat_body(stream: bool) -> Value {
    json!({
        "model": "mock-model",
        "stream": stream,
        "messages": [{"role": "user", "content": "say hello to me"}]
    })
}

async fn post_chat(srv: &MockServer, flavor: Flavor, stream: bool) -> reqwest::Response {
    client()
        .post(format!("{}{}", srv.url(), chat_path(flavor)))
        .json(&chat_body(stream))
        .send()
        .await
        .unwrap()
}

/// The `data:` payloads of an SSE body, in order.
fn sse_events(body: &str) -> Vec<String> {
    assert!(
        body.ends_with("\n\n"),
        "SSE body must end with a blank line: {body:?}"
    );
    body.split("\n\n")
        .filter(|e| !e.is_empty())
        .map(|e| e.strip_prefix("data: ").unwrap().to_string())
        .collect()
}

fn sse_json(body: &str) -> (Vec<Value>, String) {
    let mut events = sse_events(body);
    let last = events.pop().unwrap();
    let parsed = events
        .iter()
        .map(|e| serde_json::from_str(e).unwrap())
        .collect();
    (parsed, last)
}

fn ndjson(body: &str) -> Vec<Value> {
    assert!(body.ends_with('\n'));
    body.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn content_type(resp: &reqwest::Response) -> String {
    resp.headers()["content-type"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn llamacpp_reply_is_openai_sse_ending_in_done() {
    let srv = server(
        Flavor::LlamaCpp,
        vec![Step::Reply {
            pieces: s(&["Hel", "lo"]),
            delay_ms: 100,
        }],
    );
    let started = Instant::now();
    let resp = post_chat(&srv, Flavor::LlamaCpp, true).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(content_type(&resp), "text/event-stream");
    assert_eq!(resp.headers()["transfer-encoding"], "chunked");
    let body = resp.text().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(100));
    let (events, last) = sse_json(&body);
    assert_eq!(last, "[DONE]");
    assert_eq!(events.len(), 5, "{body}");
    assert_eq!(events[0]["choices"][0]["delta"]["role"], "assistant");
    assert_eq!(events[1]["choices"][0]["delta"]["content"], "Hel");
    assert_eq!(events[2]["choices"][0]["delta"]["content"], "lo");
    for e in &events[..4] {
        assert_eq!(e["object"], "chat.completion.chunk");
        assert_eq!(e["model"], "mock-model");
    }
    assert_eq!(events[3]["choices"][0]["finish_reason"], "stop");
    assert_eq!(events[4]["choices"], json!([]));
    assert_eq!(events[4]["usage"]["prompt_tokens"], 4);
    assert_eq!(events[4]["usage"]["completion_tokens"], 2);
    assert_eq!(events[4]["timings"]["cache_n"], 0);
    assert_eq!(events[4]["timings"]["prompt_n"], 4);
}

#[tokio::test]
async fn chunks_arrive_one_by_one() {
    let srv = server(
        Flavor::LmStudio,
        vec![Step::Reply {
            pieces: s(&["a", "b"]),
            delay_ms: 120_000,
        }],
    );
    let resp = post_chat(&srv, Flavor::LmStudio, true).await;
    let mut stream = resp.bytes_stream();
    let mut seen = String::new();
    // The role chunk and "a" must be readable long before "b" is due (two minutes later); the
    // deadline only catches a hang.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !seen.contains("\"a\"") {
        let left = deadline.saturating_duration_since(Instant::now());
        let chunk = tokio::time::timeout(left, stream.next())
            .await
            .expect("\"a\" arrives before \"b\" is due");
        seen.push_str(std::str::from_utf8(&chunk.unwrap().unwrap()).unwrap());
    }
    assert!(!seen.contains("\"b\""));
}

#[tokio::test]
async fn lmstudio_stream_has_usage_but_no_timings() {
    let srv = server(
        Flavor::LmStudio,
        vec![Step::Reply {
            pieces: s(&["x"]),
            delay_ms: 0,
        }],
    );
    let body = post_chat(&srv, Flavor::LmStudio, true)
        .await
        .text()
        .await
        .unwrap();
    let (events, last) = sse_json(&body);
    assert_eq!(last, "[DONE]");
    let usage = events.last().unwrap();
    assert_eq!(usage["usage"]["completion_tokens"], 1);
    assert!(usage.get("timings").is_none());
}

#[tokio::test]
async fn ollama_reply_is_ndjson_ending_in_done_true() {
    let srv = server(
        Flavor::Ollama,
        vec![Step::Reply {
            pieces: s(&["Hi", " there"]),
            delay_ms: 0,
        }],
    );
    // Ollama streams by default: no "stream" field at all.
    let resp = client()
        .post(format!("{}/api/chat", srv.url()))
        .json(&json!({"model": "mock-model", "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(content_type(&resp), "application/x-ndjson");
    let lines = ndjson(&resp.text().await.unwrap());
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0]["message"],
        json!({"role": "assistant", "content": "Hi"})
    );
    assert_eq!(lines[0]["done"], false);
    assert_eq!(lines[0]["model"], "mock-model");
    assert!(lines[0]["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(lines[1]["message"]["content"], " there");
    assert_eq!(lines[2]["done"], true);
    assert_eq!(lines[2]["done_reason"], "stop");
    assert_eq!(lines[2]["prompt_eval_count"], 1);
    assert_eq!(lines[2]["eval_count"], 2);
}

#[tokio::test]
async fn reasoning_comes_before_content() {
    let step = || Step::Reasoning {
        thinking: s(&["hmm", " ok"]),
        pieces: s(&["Yes"]),
    };
    let srv = server(Flavor::LlamaCpp, vec![step()]);
    let (events, _) = sse_json(
        &post_chat(&srv, Flavor::LlamaCpp, true)
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(events[1]["choices"][0]["delta"]["reasoning_content"], "hmm");
    assert_eq!(events[2]["choices"][0]["delta"]["reasoning_content"], " ok");
    assert_eq!(events[3]["choices"][0]["delta"]["content"], "Yes");

    let srv = server(Flavor::Ollama, vec![step()]);
    let lines = ndjson(
        &post_chat(&srv, Flavor::Ollama, true)
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(lines[0]["message"]["thinking"], "hmm");
    assert_eq!(lines[0]["message"]["content"], "");
    assert_eq!(lines[1]["message"]["thinking"], " ok");
    assert_eq!(lines[2]["message"]["content"], "Yes");
    assert_eq!(lines[3]["done"], true);
}

fn tool_step() -> Step {
    Step::ToolCall {
        name: "read_file".into(),
        arguments_json_fragments: s(&["{\"pa", "th\": \"a.", "rs\"}"]),
    }
}

#[tokio::test]
async fn sse_tool_call_is_fragmented_by_index() {
    let srv = server(Flavor::LlamaCpp, vec![tool_step()]);
    let (events, last) = sse_json(
        &post_chat(&srv, Flavor::LlamaCpp, true)
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(last, "[DONE]");
    let first = &events[1]["choices"][0]["delta"]["tool_calls"][0];
    assert_eq!(first["index"], 0);
    assert_eq!(first["type"], "function");
    assert!(first["id"].as_str().unwrap().starts_with("call_"));
    assert_eq!(first["function"]["name"], "read_file");
    let args: String = events[2..5]
        .iter()
        .map(|e| {
            let call = &e["choices"][0]["delta"]["tool_calls"][0];
            assert_eq!(call["index"], 0);
            call["function"]["arguments"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        serde_json::from_str::<Value>(&args).unwrap(),
        json!({"path": "a.rs"})
    );
    assert_eq!(events[5]["choices"][0]["finish_reason"], "tool_calls");
}

#[tokio::test]
async fn ollama_tool_call_is_one_chunk_with_object_arguments() {
    let srv = server(Flavor::Ollama, vec![tool_step()]);
    let lines = ndjson(
        &post_chat(&srv, Flavor::Ollama, true)
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(lines.len(), 2);
    let call = &lines[0]["message"]["tool_calls"][0];
    assert_eq!(call["function"]["name"], "read_file");
    assert_eq!(call["function"]["arguments"], json!({"path": "a.rs"}));
    assert_eq!(lines[1]["done"], true);
}

#[tokio::test]
async fn reply_rate_streams_at_the_given_rate() {
    let text = "one two three four five six seven eight nine ten ".repeat(5);
    let srv = server(
        Flavor::LlamaCpp,
        vec![Step::ReplyRate {
            text: text.clone(),
            tokens_per_sec: 500,
        }],
    );
    let started = Instant::now();
    let body = post_chat(&srv, Flavor::LlamaCpp, true)
        .await
        .text()
        .await
        .unwrap();
    let elapsed = started.elapsed();
    // 50 pieces at 2 ms apart: 49 gaps.
    assert!(elapsed >= Duration::from_millis(98), "{elapsed:?}");
    // The upper bound only catches a hang (a loaded machine may be slow).
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
    let (events, _) = sse_json(&body);
    let joined: String = events
        .iter()
        .filter_map(|e| e["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(joined, text);
    assert_eq!(mock_llm::split_tokens("a  b c"), s(&["a", "  b", " c"]));
}

#[tokio::test]
async fn drop_makes_the_body_read_fail() {
    for flavor in [Flavor::LlamaCpp, Flavor::Ollama] {
        let srv = server(
            flavor,
            vec![Step::Drop {
                pieces: s(&["par", "tial"]),
            }],
        );
        let resp = post_chat(&srv, flavor, true).await;
        assert_eq!(resp.status(), 200);
        let mut stream = resp.bytes_stream();
        let mut seen = String::new();
        let mut failed = false;
        while let Some(item) = stream.next().await {
            match item {
                Ok(bytes) => seen.push_str(std::str::from_utf8(&bytes).unwrap()),
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        assert!(failed, "{flavor:?}: the body must end in an error");
        assert!(
            seen.contains("tial"),
            "{flavor:?}: pieces arrive before the drop"
        );
        assert!(!seen.contains("[DONE]") && !seen.contains("\"done\":true"));
        assert_eq!(
            srv.disconnects(),
            0,
            "a server-side drop is not a client disconnect"
        );
    }
}

#[tokio::test]
async fn stall_times_out_and_counts_the_disconnect() {
    let srv = server(
        Flavor::LlamaCpp,
        vec![Step::Stall {
            pieces: s(&["wait"]),
        }],
    );
    let resp = post_chat(&srv, Flavor::LlamaCpp, true).await;
    let mut stream = resp.bytes_stream();
    let mut seen = String::new();
    while !seen.contains("wait") {
        seen.push_str(std::str::from_utf8(&stream.next().await.unwrap().unwrap()).unwrap());
    }
    let next = tokio::time::timeout(Duration::from_millis(300), stream.next()).await;
    assert!(next.is_err(), "a stalled stream must not deliver anything");
    assert_eq!(srv.disconnects(), 0);
    drop(stream);
    assert!(srv.wait_disconnects_async(1, Duration::from_secs(60)).await);
    assert_eq!(srv.disconnects(), 1);
}

#[tokio::test]
async fn stall_before_first_sends_headers_only() {
    let srv = server(Flavor::Ollama, vec![Step::StallBeforeFirst]);
    let resp = tokio::time::timeout(
        Duration::from_secs(60),
        post_chat(&srv, Flavor::Ollama, true),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(content_type(&resp), "application/x-ndjson");
    let mut stream = resp.bytes_stream();
    assert!(
        tokio::time::timeout(Duration::from_millis(300), stream.next())
            .await
            .is_err()
    );
    drop(stream);
    assert!(srv.wait_disconnects_async(1, Duration::from_secs(60)).await);
}

// Multi-threaded so the blocking `wait_disconnects` leaves a worker free to run the
// client's connection task, which is what closes the socket.
#[tokio::test(flavor = "multi_thread")]
async fn cancelling_a_slow_reply_counts_as_disconnect() {
    let srv = server(
        Flavor::LlamaCpp,
        vec![Step::Reply {
            pieces: s(&["a", "b", "c"]),
            delay_ms: 120_000,
        }],
    );
    let resp = post_chat(&srv, Flavor::LlamaCpp, true).await;
    let mut stream = resp.bytes_stream();
    let first = stream.next().await.unwrap().unwrap();
    assert!(!first.is_empty());
    drop(stream);
    // The next piece is due two minutes later; the wait's limit only catches a hang.
    assert!(
        srv.wait_disconnects(1, Duration::from_secs(60)),
        "noticed before the next piece is due"
    );
}

#[tokio::test]
async fn status_returns_code_and_exact_body() {
    let loading = r#"{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}"#;
    let srv = server(
        Flavor::LlamaCpp,
        vec![Step::Status {
            code: 503,
            body: loading.into(),
        }],
    );
    let resp = post_chat(&srv, Flavor::LlamaCpp, true).await;
    assert_eq!(resp.status(), 503);
    assert!(content_type(&resp).starts_with("application/json"));
    assert_eq!(resp.text().await.unwrap(), loading);
}

#[tokio::test]
async fn garbage_is_served_as_a_stream() {
    let srv = server(
        Flavor::LlamaCpp,
        vec![Step::Garbage {
            body: "data: {not json\n\n".into(),
        }],
    );
    let resp = post_chat(&srv, Flavor::LlamaCpp, true).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(content_type(&resp), "text/event-stream");
    assert_eq!(resp.text().await.unwrap(), "data: {not json\n\n");
}

#[tokio::test]
async fn mid_stream_error_is_an_in_stream_error_object() {
    let step = || Step::MidStreamError {
        pieces: s(&["so"]),
        message: "boom".into(),
    };
    let srv = server(Flavor::LlamaCpp, vec![step()]);
    let body = post_chat(&srv, Flavor::LlamaCpp, true)
        .await
        .text()
        .await
        .unwrap();
    let events = sse_events(&body);
    let last: Value = serde_json::from_str(events.last().unwrap()).unwrap();
    assert_eq!(last["error"]["message"], "boom");
    assert!(!body.contains("[DONE]"));
    assert!(body.contains("\"so\""));

    let srv = server(Flavor::Ollama, vec![step()]);
    let lines = ndjson(
        &post_chat(&srv, Flavor::Ollama, true)
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(lines[0]["message"]["content"], "so");
    assert_eq!(lines[1], json!({"error": "boom"}));
}

#[tokio::test]
async fn raw_sends_exact_chunks() {
    let chunks = s(&[": ping\n\n", "data: {\"x\":1}\n\n"]);
    let srv = server(
        Flavor::LlamaCpp,
        vec![Step::Raw {
            status: 200,
            content_type: "text/event-stream".into(),
            chunks,
            delay_ms: 10,
        }],
    );
    let resp = post_chat(&srv, Flavor::LlamaCpp, true).await;
    assert_eq!(content_type(&resp), "text/event-stream");
    assert_eq!(resp.text().await.unwrap(), ": ping\n\ndata: {\"x\":1}\n\n");
}

#[tokio::test]
async fn non_streaming_requests_get_one_document() {
    let srv = server(
        Flavor::LlamaCpp,
        vec![
            Step::Reasoning {
                thinking: s(&["t"]),
                pieces: s(&["A", "B"]),
            },
            tool_step(),
        ],
    );
    let doc: Value = post_chat(&srv, Flavor::LlamaCpp, false)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["object"], "chat.completion");
    assert_eq!(doc["choices"][0]["message"]["content"], "AB");
    assert_eq!(doc["choices"][0]["message"]["reasoning_content"], "t");
    assert_eq!(doc["choices"][0]["finish_reason"], "stop");
    assert_eq!(doc["usage"]["completion_tokens"], 3);
    let doc: Value = post_chat(&srv, Flavor::LlamaCpp, false)
        .await
        .json()
        .await
        .unwrap();
    let call = &doc["choices"][0]["message"]["tool_calls"][0];
    assert_eq!(call["function"]["arguments"], "{\"path\": \"a.rs\"}");
    assert_eq!(doc["choices"][0]["finish_reason"], "tool_calls");

    let srv = server(
        Flavor::Ollama,
        vec![Step::Reply {
            pieces: s(&["A", "B"]),
            delay_ms: 0,
        }],
    );
    let doc: Value = post_chat(&srv, Flavor::Ollama, false)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["message"]["content"], "AB");
    assert_eq!(doc["done"], true);
}

#[tokio::test]
async fn script_runs_out_into_a_default_reply_and_grows_at_run_time() {
    let srv = server(Flavor::Ollama, vec![]);
    let lines = ndjson(
        &post_chat(&srv, Flavor::Ollama, true)
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(lines[0]["message"]["content"], "(mock: no scripted reply)");
    srv.push_step(Step::Reply {
        pieces: s(&["pushed"]),
        delay_ms: 0,
    });
    let lines = ndjson(
        &post_chat(&srv, Flavor::Ollama, true)
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(lines[0]["message"]["content"], "pushed");
}

#[tokio::test]
async fn requests_are_recorded_with_parsed_bodies() {
    let srv = server(Flavor::LlamaCpp, vec![]);
    let http = client();
    http.get(format!("{}/health", srv.url()))
        .send()
        .await
        .unwrap();
    post_chat(&srv, Flavor::LlamaCpp, true)
        .await
        .text()
        .await
        .unwrap();
    http.post(format!("{}/tokenize", srv.url()))
        .json(&json!({"content": "a b c"}))
        .send()
        .await
        .unwrap();
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("GET", "/health")
    );
    assert_eq!(reqs[0].body, Value::Null);
    assert_eq!(reqs[1].path, "/v1/chat/completions");
    assert_eq!(reqs[1].body, chat_body(true));
    assert!(reqs[1]
        .headers
        .iter()
        .any(|(k, v)| k == "content-type" && v == "application/json"));
    assert_eq!(srv.chat_requests(), vec![chat_body(true)]);
}

async fn get(srv: &MockServer, path: &str) -> (u16, Value) {
    let resp = client()
        .get(format!("{}{path}", srv.url()))
        .send()
        .await
        .unwrap();
    let code = resp.status().as_u16();
    (code, resp.json().await.unwrap_or(Value::Null))
}

async fn post(srv: &MockServer, path: &str, body: Value) -> (u16, Value) {
    let resp = client()
        .post(format!("{}{path}", srv.url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    let code = resp.status().as_u16();
    (code, resp.json().await.unwrap_or(Value::Null))
}

fn cfg(flavor: Flavor, tools: bool) -> MockConfig {
    MockConfig {
        flavor,
        model: "qwen-test".into(),
        n_ctx: 8192,
        tools,
        steps: vec![],
    }
}

#[tokio::test]
async fn llamacpp_discovery_endpoints() {
    let srv = MockServer::start(cfg(Flavor::LlamaCpp, true));
    assert_eq!(get(&srv, "/health").await, (200, json!({"status": "ok"})));
    let (code, props) = get(&srv, "/props").await;
    assert_eq!(code, 200);
    assert_eq!(props["default_generation_settings"]["n_ctx"], 8192);
    assert_eq!(props["model_path"], "/models/qwen-test.gguf");
    assert_eq!(props["total_slots"], 1);
    assert!(props["chat_template"].as_str().unwrap().contains("tools"));
    let (_, models) = get(&srv, "/v1/models").await;
    assert_eq!(models["object"], "list");
    assert_eq!(models["data"][0]["id"], "qwen-test");
    assert_eq!(models["data"][0]["meta"]["n_ctx_train"], 8192);
    let (_, toks) = post(&srv, "/tokenize", json!({"content": "one two three"})).await;
    assert_eq!(toks["tokens"].as_array().unwrap().len(), 3);
    for other in ["/api/tags", "/api/v0/models", "/nope"] {
        assert_eq!(get(&srv, other).await.0, 404, "{other}");
    }
    assert_eq!(
        post(&srv, "/api/show", json!({"model": "qwen-test"}))
            .await
            .0,
        404
    );

    let srv = MockServer::start(cfg(Flavor::LlamaCpp, false));
    let (_, props) = get(&srv, "/props").await;
    assert!(!props["chat_template"].as_str().unwrap().contains("tools"));
}

#[tokio::test]
async fn ollama_discovery_endpoints() {
    let srv = MockServer::start(cfg(Flavor::Ollama, true));
    let (_, tags) = get(&srv, "/api/tags").await;
    assert_eq!(tags["models"][0]["name"], "qwen-test");
    assert_eq!(tags["models"][0]["model"], "qwen-test");
    assert!(tags["models"][0]["details"].is_object());
    let (code, show) = post(&srv, "/api/show", json!({"model": "qwen-test"})).await;
    assert_eq!(code, 200);
    assert_eq!(show["model_info"]["llama.context_length"], 8192);
    assert_eq!(show["model_info"]["general.architecture"], "llama");
    assert_eq!(show["capabilities"], json!(["completion", "tools"]));
    assert_eq!(
        post(&srv, "/api/show", json!({"model": "x"})).await,
        (404, json!({"error": "model 'x' not found"}))
    );
    let (_, ps) = get(&srv, "/api/ps").await;
    assert_eq!(ps["models"][0]["name"], "qwen-test");
    assert_eq!(ps["models"][0]["context_length"], 8192);
    for other in ["/props", "/health", "/v1/models", "/api/v0/models"] {
        assert_eq!(get(&srv, other).await.0, 404, "{other}");
    }

    let srv = MockServer::start(cfg(Flavor::Ollama, false));
    let (_, show) = post(&srv, "/api/show", json!({"model": "qwen-test:latest"})).await;
    assert_eq!(show["capabilities"], json!(["completion"]));
}

#[tokio::test]
async fn ollama_chat_rejects_unknown_models_and_unsupported_tools() {
    let srv = MockServer::start(cfg(Flavor::Ollama, false));
    let (code, err) = post(&srv, "/api/chat", json!({"model": "other", "messages": []})).await;
    assert_eq!(code, 404);
    assert!(err["error"].as_str().unwrap().contains("not found"));
    let with_tools = json!({"model": "qwen-test", "messages": [], "tools": [{"type": "function"}]});
    let (code, err) = post(&srv, "/api/chat", with_tools).await;
    assert_eq!(code, 400);
    assert!(err["error"]
        .as_str()
        .unwrap()
        .contains("does not support tools"));
    srv.push_step(Step::Reply {
        pieces: s(&["kept"]),
        delay_ms: 0,
    });
    let body = json!({"model": "qwen-test", "messages": [], "stream": false});
    let (code, doc) = post(&srv, "/api/chat", body).await;
    assert_eq!(code, 200);
    assert_eq!(
        doc["message"]["content"], "kept",
        "rejected requests take no step"
    );
}

#[tokio::test]
async fn lmstudio_discovery_endpoints() {
    let srv = MockServer::start(cfg(Flavor::LmStudio, true));
    let (_, models) = get(&srv, "/api/v0/models").await;
    let m = &models["data"][0];
    assert_eq!(m["id"], "qwen-test");
    assert_eq!(m["state"], "loaded");
    assert_eq!(m["max_context_length"], 8192 * 4);
    assert_eq!(m["loaded_context_length"], 8192);
    assert_eq!(m["capabilities"], json!(["tool_use"]));
    let (_, models) = get(&srv, "/v1/models").await;
    assert_eq!(models["data"][0]["id"], "qwen-test");
    for other in ["/props", "/api/tags", "/health"] {
        assert_eq!(get(&srv, other).await.0, 404, "{other}");
    }
}

#[test]
fn usable_from_sync_code_and_stops_on_drop() {
    let srv = server(Flavor::LlamaCpp, vec![Step::StallBeforeFirst]);
    let url = srv.url();
    assert_eq!(url, format!("http://127.0.0.1:{}", srv.port()));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let resp = post_chat(&srv, Flavor::LlamaCpp, true).await;
        let mut stream = resp.bytes_stream();
        // Dropping the server while a stall holds the connection must end the body.
        drop(srv);
        let end = tokio::time::timeout(Duration::from_secs(60), stream.next()).await;
        assert!(matches!(end, Ok(None) | Ok(Some(Err(_)))), "{end:?}");
        assert!(client().get(format!("{url}/health")).send().await.is_err());
    });
}

/// Decodes a chunked body into its chunks, checking the framing byte by byte.
fn dechunk(mut body: &str) -> Vec<String> {
    let mut chunks = Vec::new();
    loop {
        let (size, rest) = body.split_once("\r\n").unwrap();
        let size = usize::from_str_radix(size, 16).unwrap();
        if size == 0 {
            assert_eq!(rest, "\r\n", "nothing after the terminating chunk");
            return chunks;
        }
        chunks.push(rest[..size].to_string());
        assert_eq!(&rest[size..size + 2], "\r\n");
        body = &rest[size + 2..];
    }
}

#[tokio::test]
async fn wire_bytes_are_one_event_per_chunk_and_chunked_requests_parse() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let srv = server(
        Flavor::LlamaCpp,
        vec![Step::Reply {
            pieces: s(&["A"]),
            delay_ms: 0,
        }],
    );
    let body = chat_body(true).to_string();
    let (first, second) = body.split_at(10);
    let request = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
         {:x}\r\n{first}\r\n{:x}\r\n{second}\r\n0\r\n\r\n",
        first.len(),
        second.len()
    );
    let mut sock = tokio::net::TcpStream::connect(("127.0.0.1", srv.port()))
        .await
        .unwrap();
    sock.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    sock.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("\r\nConnection: close"));
    assert!(head.contains("\r\nTransfer-Encoding: chunked"));
    let chunks = dechunk(body);
    assert_eq!(
        chunks.len(),
        5,
        "role, A, finish, usage, [DONE]: {chunks:?}"
    );
    for c in &chunks {
        assert!(
            c.starts_with("data: ") && c.ends_with("\n\n"),
            "one event per chunk: {c:?}"
        );
    }
    assert_eq!(chunks.last().unwrap(), "data: [DONE]\n\n");
    assert_eq!(srv.chat_requests(), vec![chat_body(true)]);
}
