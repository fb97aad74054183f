//! A scripted stand-in for the local model servers smallcode talks to (llama.cpp's
//! `llama-server`, Ollama, LM Studio, vLLM), for deterministic tests and benchmarks.
//!
//! Why a hand-written server: a real model cannot be told to stall after three tokens,
//! drop the socket mid-stream or answer 503 while "loading", and tests must not depend
//! on a model at all. The mock speaks raw HTTP/1.1 over a tokio `TcpListener` so the
//! bytes on the wire are exactly the ones written here, with no framework in between.
//!
//! Invariants that must stay true:
//! - One request per connection: every response carries `Connection: close`.
//! - Streams use `Transfer-Encoding: chunked`, one HTTP chunk per SSE event or NDJSON
//!   line, flushed as it is written, so the client sees each piece as it is "generated".
//!   A zero-length chunk would end the body, so empty pieces are never written.
//! - Each chat request takes the next [`Step`] off the script; when the script is empty
//!   the reply is `"(mock: no scripted reply)"`. Requests rejected before generation
//!   (unknown Ollama model, tools on a tool-less Ollama model, bad JSON) take no step.
//! - The server runs on its own thread and tokio runtime, so sync tests and async code
//!   can both use it; dropping the [`MockServer`] stops it and closes every connection.
//!
//! A crate of its own (`smallcode-testkit`) so the integration tests, the bench crate's tests
//! and `benches/spine.rs` compile it once.

pub mod project;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// Which server the mock impersonates; decides endpoints, JSON shapes and stream framing,
/// so discovery code can be tested against each kind and told apart by its endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// llama.cpp `llama-server`: `/health`, `/props`, `/v1/models`, `/tokenize`, SSE chat.
    LlamaCpp,
    /// Ollama: `/api/tags`, `/api/show`, `/api/ps`, NDJSON chat on `/api/chat`.
    Ollama,
    /// LM Studio: `/v1/models`, `/api/v0/models`, SSE chat on `/v1/chat/completions`.
    LmStudio,
    /// vLLM (`vllm serve`): `/health`, `/version`, `/v1/models` with `max_model_len`,
    /// `/tokenize`, SSE chat on `/v1/chat/completions`; FastAPI's `{"detail": …}` errors.
    Vllm,
}

/// One scripted answer to one chat request. Fault steps exist because a real model
/// cannot produce stalls, drops or in-stream errors on demand.
#[derive(Debug, Clone)]
pub enum Step {
    /// Stream `pieces` as content deltas with `delay_ms` between them, then the finish
    /// chunk, the usage chunk and the end (`data: [DONE]` for SSE, `done:true` for Ollama).
    Reply {
        /// Content deltas, one per chunk.
        pieces: Vec<String>,
        /// Pause between two pieces (not before the first).
        delay_ms: u64,
    },
    /// Stream `text` split into word-sized pieces (spaces kept) at `tokens_per_sec`,
    /// so benchmarks see a realistic token rate (e.g. 500 tok/s).
    ReplyRate {
        /// The whole reply; it is split before each whitespace run.
        text: String,
        /// Pieces per second; 0 means as fast as possible.
        tokens_per_sec: u32,
    },
    /// Reasoning deltas first (SSE `delta.reasoning_content`, Ollama `message.thinking`),
    /// then content deltas, as thinking models do.
    Reasoning {
        /// Reasoning deltas, one per chunk.
        thinking: Vec<String>,
        /// Content deltas after the reasoning.
        pieces: Vec<String>,
    },
    /// A native tool call. SSE: a first `delta.tool_calls[0]` with id, type and name,
    /// then one chunk per arguments fragment; Ollama: one `message.tool_calls` chunk
    /// whose `arguments` is the object parsed from the joined fragments.
    ToolCall {
        /// Function name the model calls.
        name: String,
        /// JSON text of the arguments, cut where the model's tokens would cut it.
        arguments_json_fragments: Vec<String>,
    },
    /// Stream `pieces`, then finish with `finish_reason: "length"` (Ollama `done_reason`), as a
    /// server does when the reply runs into `max_tokens`: a model looping until its cap.
    Capped {
        /// Content deltas, one per chunk.
        pieces: Vec<String>,
    },
    /// Send `pieces`, then nothing, keeping the connection open until the client leaves
    /// (counted in [`MockServer::disconnects`]): a model that hangs mid-answer.
    Stall {
        /// Content deltas sent before the stall.
        pieces: Vec<String>,
    },
    /// Send the 200 status and stream headers, then nothing: a server stuck in prompt
    /// processing. The client leaving is counted in [`MockServer::disconnects`].
    StallBeforeFirst,
    /// Send `pieces`, then close the TCP connection without the terminating chunk, so
    /// the client's body read fails: a crashed server.
    Drop {
        /// Content deltas sent before the connection is closed.
        pieces: Vec<String>,
    },
    /// Answer with this status and body (JSON content type when the body parses as
    /// JSON), e.g. 503 with llama.cpp's "Loading model" error.
    Status {
        /// HTTP status code.
        code: u16,
        /// Response body, sent as is.
        body: String,
    },
    /// 200 with the flavor's stream content type but a body that is not valid SSE or
    /// NDJSON JSON, to prove the parser fails cleanly.
    Garbage {
        /// Bytes of the body, sent as one chunk.
        body: String,
    },
    /// Send `pieces`, then an error object inside the stream (SSE
    /// `data: {"error":{...}}`, Ollama `{"error":"..."}`), then end the body.
    MidStreamError {
        /// Content deltas sent before the error.
        pieces: Vec<String>,
        /// The error message the server reports.
        message: String,
    },
    /// Answer with a redirect (`307`/`308` keep the method and body) to `location`, e.g. to
    /// another host, to prove a client does not carry its key there.
    Redirect {
        /// HTTP status code (301, 302, 307, 308).
        code: u16,
        /// Value of the `Location` header.
        location: String,
    },
    /// Full control over the response: status, content type and the exact body chunks
    /// (empty chunks are skipped), `delay_ms` between chunks, then the terminating chunk.
    Raw {
        /// HTTP status code.
        status: u16,
        /// Value of the `Content-Type` header.
        content_type: String,
        /// Body chunks, each written and flushed as one HTTP chunk.
        chunks: Vec<String>,
        /// Pause between two chunks (not before the first).
        delay_ms: u64,
    },
    /// A 200 stream whose body is these raw byte chunks (each one HTTP chunk): bytes that are
    /// not UTF-8, or a character split between two chunks.
    RawBytes {
        /// Value of the `Content-Type` header.
        content_type: String,
        /// Body chunks.
        chunks: Vec<Vec<u8>>,
    },
}

impl Step {
    /// The whole `text` as one streamed piece, no delay: the common scripted reply.
    pub fn text(text: &str) -> Step {
        Step::Reply {
            pieces: vec![text.to_string()],
            delay_ms: 0,
        }
    }
}

/// What the mock server looks like and what it will answer, fixed at start except for
/// steps added later with [`MockServer::push_step`].
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Which server kind to impersonate.
    pub flavor: Flavor,
    /// Model name reported by the discovery endpoints (and required by Ollama's chat).
    pub model: String,
    /// Context size reported by the discovery endpoints.
    pub n_ctx: u64,
    /// Whether the model advertises native tool calling (Ollama `capabilities`, LM
    /// Studio `capabilities`); an Ollama model without it rejects requests with tools.
    pub tools: bool,
    /// Chat replies, consumed in order.
    pub steps: Vec<Step>,
}

impl MockConfig {
    /// A config with test-friendly defaults (`mock-model`, 4096 context, tools on) so
    /// a test only spells out what it cares about.
    pub fn new(flavor: Flavor, steps: Vec<Step>) -> MockConfig {
        MockConfig {
            flavor,
            model: "mock-model".to_string(),
            n_ctx: 4096,
            tools: true,
            steps,
        }
    }
}

/// One request as the mock received it, so tests can assert what the client sent.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Request target without the query string, e.g. `/v1/chat/completions`.
    pub path: String,
    /// Header names (lower-cased) and values, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body parsed as JSON, or `Null` when empty or not JSON.
    pub body: Value,
    /// The body as text (lossy UTF-8), for bodies that are not JSON.
    pub raw_body: String,
}

/// A running mock server bound to `127.0.0.1` on a free port; stops when dropped.
pub struct MockServer {
    port: u16,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// State shared between the test thread and the server thread.
struct Shared {
    state: Mutex<State>,
    /// Signalled whenever `disconnects` grows, for [`MockServer::wait_disconnects`].
    changed: Condvar,
}

struct State {
    steps: VecDeque<Step>,
    requests: Vec<Recorded>,
    disconnects: usize,
}

impl Shared {
    /// Locks the state, ignoring poisoning: a panicking connection task must not turn
    /// every later assertion into a second, confusing panic.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn count_disconnect(&self) {
        self.lock().disconnects += 1;
        self.changed.notify_all();
    }
}

/// The parts of [`MockConfig`] the connection tasks need (steps live in [`State`]).
struct Ctx {
    flavor: Flavor,
    model: String,
    n_ctx: u64,
    tools: bool,
    shared: Arc<Shared>,
}

impl MockServer {
    /// Binds `127.0.0.1:0` and serves `cfg` on a dedicated thread with its own
    /// current-thread tokio runtime. Panics if the port cannot be bound (test support).
    pub fn start(cfg: MockConfig) -> MockServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("mock_llm: bind");
        listener
            .set_nonblocking(true)
            .expect("mock_llm: set_nonblocking");
        let port = listener.local_addr().expect("mock_llm: local_addr").port();
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                steps: cfg.steps.into(),
                requests: Vec::new(),
                disconnects: 0,
            }),
            changed: Condvar::new(),
        });
        let ctx = Arc::new(Ctx {
            flavor: cfg.flavor,
            model: cfg.model,
            n_ctx: cfg.n_ctx,
            tools: cfg.tools,
            shared: shared.clone(),
        });
        let (tx, rx) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name(format!("mock-llm-{port}"))
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("mock_llm: runtime");
                rt.block_on(serve(listener, ctx, rx));
                // Dropping the runtime here cancels every connection task, which closes
                // stalled connections so clients see the server go away.
            })
            .expect("mock_llm: spawn thread");
        MockServer {
            port,
            shared,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// Base URL to hand to the client under test, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The bound port, for code that builds its own URLs.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Appends a step to the script, for tests that decide the next reply at run time.
    pub fn push_step(&self, step: Step) {
        self.shared.lock().steps.push_back(step);
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().requests.clone()
    }

    /// Bodies of the chat requests only (`/v1/chat/completions`, `/api/chat`), to
    /// assert what the client sent to the model.
    pub fn chat_requests(&self) -> Vec<Value> {
        self.shared
            .lock()
            .requests
            .iter()
            .filter(|r| r.method == "POST" && is_chat_path(&r.path))
            .map(|r| r.body.clone())
            .collect()
    }

    /// How many chat responses the client abandoned before the server finished them
    /// (seen as a write error or EOF while streaming or stalling): proves that
    /// cancelling a turn really drops the HTTP request.
    pub fn disconnects(&self) -> usize {
        self.shared.lock().disconnects
    }

    /// Waits until [`MockServer::disconnects`] reaches `n`; false on timeout. Needed
    /// because the server notices a closed socket a moment after the client drops it.
    ///
    /// This blocks the calling thread. Inside a current-thread runtime (a plain
    /// `#[tokio::test]`) that also stops the client's connection task, which is what
    /// would close the socket, so the wait can only time out: use
    /// [`MockServer::wait_disconnects_async`] there, or `flavor = "multi_thread"`.
    pub fn wait_disconnects(&self, n: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.shared.lock();
        while state.disconnects < n {
            let now = Instant::now();
            if now >= deadline {
                let current_thread = tokio::runtime::Handle::try_current().is_ok_and(|h| {
                    h.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread
                });
                if current_thread {
                    eprintln!(
                        "mock_llm: wait_disconnects blocked a current-thread runtime; \
                         use wait_disconnects_async"
                    );
                }
                return false;
            }
            state = match self.shared.changed.wait_timeout(state, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        true
    }
}

impl MockServer {
    /// Async form of [`MockServer::wait_disconnects`]: polls without blocking the
    /// runtime, so it works from a current-thread `#[tokio::test]`.
    pub async fn wait_disconnects_async(&self, n: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.disconnects() >= n {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn is_chat_path(path: &str) -> bool {
    matches!(
        path,
        "/v1/chat/completions" | "/api/chat" | "/api/v0/chat/completions"
    )
}

/// Accepts connections until shutdown; each connection gets its own task.
async fn serve(listener: std::net::TcpListener, ctx: Arc<Ctx>, mut stop: oneshot::Receiver<()>) {
    let listener = match TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("mock_llm: cannot register listener: {e}");
            return;
        }
    };
    loop {
        tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    tokio::spawn(handle(stream, ctx.clone()));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// HTTP/1.1: request parsing and the response writer
// ---------------------------------------------------------------------------------------

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 64 * 1024 * 1024;

/// Reads one request: request line, headers, then a `Content-Length` or chunked body.
/// `Ok(None)` means the client closed before sending anything.
async fn read_request(rd: &mut OwnedReadHalf) -> Result<Option<Request>, String> {
    let mut buf = Vec::with_capacity(4096);
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Err("request head too large".into());
        }
        let mut chunk = [0u8; 4096];
        let n = rd.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err("connection closed inside the request head".into())
            };
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut rest = buf[head_end + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default();
    if method.is_empty() || !target.starts_with('/') {
        return Err(format!("bad request line {request_line:?}"));
    }
    let path = target.split('?').next().unwrap_or(target).to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut req = Request {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    let chunked = req
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        req.body = read_chunked_body(rd, rest).await?;
    } else {
        let len: usize = match req.header("content-length") {
            Some(v) => v.parse().map_err(|_| format!("bad content-length {v:?}"))?,
            None => 0,
        };
        if len > MAX_BODY {
            return Err("request body too large".into());
        }
        while rest.len() < len {
            let mut chunk = vec![0u8; (len - rest.len()).min(64 * 1024)];
            let n = rd.read(&mut chunk).await.map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("connection closed inside the request body".into());
            }
            rest.extend_from_slice(&chunk[..n]);
        }
        rest.truncate(len);
        req.body = rest;
    }
    Ok(Some(req))
}

/// Decodes a chunked request body; `buf` holds bytes already read past the head.
async fn read_chunked_body(rd: &mut OwnedReadHalf, mut buf: Vec<u8>) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    let mut pos = 0;
    loop {
        // Make sure a full size line is buffered.
        let line_end = loop {
            if let Some(i) = find(&buf[pos..], b"\r\n") {
                break pos + i;
            }
            fill(rd, &mut buf).await?;
        };
        let size_text = String::from_utf8_lossy(&buf[pos..line_end]).into_owned();
        let size_hex = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_hex, 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        pos = line_end + 2;
        if size == 0 {
            return Ok(body); // trailers, if any, are ignored
        }
        if body.len() + size > MAX_BODY {
            return Err("request body too large".into());
        }
        while buf.len() < pos + size + 2 {
            fill(rd, &mut buf).await?;
        }
        body.extend_from_slice(&buf[pos..pos + size]);
        pos += size + 2;
    }
}

async fn fill(rd: &mut OwnedReadHalf, buf: &mut Vec<u8>) -> Result<(), String> {
    let mut chunk = [0u8; 4096];
    let n = rd.read(&mut chunk).await.map_err(|e| e.to_string())?;
    if n == 0 {
        return Err("connection closed inside a chunked body".into());
    }
    buf.extend_from_slice(&chunk[..n]);
    Ok(())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        _ => "Status",
    }
}

/// The client went away (EOF or error on the socket) before the server was done.
struct Gone;

/// One accepted connection, split so the server can watch for the client leaving while
/// it waits between chunks.
struct Conn {
    rd: OwnedReadHalf,
    wr: OwnedWriteHalf,
}

impl Conn {
    /// A complete response with `Content-Length`.
    async fn send(&mut self, code: u16, content_type: &str, body: &[u8]) -> Result<(), Gone> {
        let head = format!(
            "HTTP/1.1 {code} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            reason(code),
            body.len()
        );
        self.write(head.as_bytes()).await?;
        self.write(body).await
    }

    async fn send_json(&mut self, code: u16, body: &Value) -> Result<(), Gone> {
        self.send(
            code,
            "application/json; charset=utf-8",
            body.to_string().as_bytes(),
        )
        .await
    }

    /// Status line and headers of a chunked (streamed) response.
    async fn start_stream(&mut self, code: u16, content_type: &str) -> Result<(), Gone> {
        let head = format!(
            "HTTP/1.1 {code} {}\r\nContent-Type: {content_type}\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            reason(code)
        );
        self.write(head.as_bytes()).await
    }

    /// One HTTP chunk; empty data is skipped because a zero-size chunk ends the body.
    async fn chunk(&mut self, data: &str) -> Result<(), Gone> {
        if data.is_empty() {
            return Ok(());
        }
        let framed = format!("{:x}\r\n{data}\r\n", data.len());
        self.write(framed.as_bytes()).await
    }

    /// The terminating zero-size chunk.
    async fn finish(&mut self) -> Result<(), Gone> {
        self.write(b"0\r\n\r\n").await
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), Gone> {
        self.wr.write_all(bytes).await.map_err(|_| Gone)?;
        self.wr.flush().await.map_err(|_| Gone)
    }

    /// Sleeps until `deadline`, returning early with `Gone` if the client closes.
    async fn pause_until(&mut self, deadline: tokio::time::Instant) -> Result<(), Gone> {
        let mut scratch = [0u8; 1024];
        let sleep = tokio::time::sleep_until(deadline);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => return Ok(()),
                read = self.rd.read(&mut scratch) => match read {
                    Ok(0) | Err(_) => return Err(Gone),
                    Ok(_) => {} // stray bytes from the client are ignored
                },
            }
        }
    }

    /// Waits for the client to close the connection (a stall never ends by itself).
    async fn wait_gone(&mut self) {
        let mut scratch = [0u8; 1024];
        loop {
            match self.rd.read(&mut scratch).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------

async fn handle(stream: TcpStream, ctx: Arc<Ctx>) {
    let _ = stream.set_nodelay(true);
    let (mut rd, wr) = stream.into_split();
    let req = read_request(&mut rd).await;
    let mut conn = Conn { rd, wr };
    let req = match req {
        Ok(Some(req)) => req,
        Ok(None) => return,
        Err(msg) => {
            let _ = conn.send_json(400, &json!({ "error": msg })).await;
            return;
        }
    };
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    ctx.shared.lock().requests.push(Recorded {
        method: req.method.clone(),
        path: req.path.clone(),
        headers: req.headers.clone(),
        body: body.clone(),
        raw_body: String::from_utf8_lossy(&req.body).into_owned(),
    });
    let _ = match ctx.flavor {
        Flavor::LlamaCpp => route_llamacpp(&ctx, &req, &body, &mut conn).await,
        Flavor::Ollama => route_ollama(&ctx, &req, &body, &mut conn).await,
        Flavor::LmStudio => route_lmstudio(&ctx, &req, &body, &mut conn).await,
        Flavor::Vllm => route_vllm(&ctx, &req, &body, &mut conn).await,
    };
    // Dropping `conn` closes the socket (FIN): the end of a `Connection: close` response.
}

async fn not_found(ctx: &Ctx, req: &Request, conn: &mut Conn) -> Result<(), Gone> {
    let body = match ctx.flavor {
        // llama-server answers unknown routes with an OpenAI-style error object.
        Flavor::LlamaCpp | Flavor::LmStudio => json!({
            "error": {"code": 404, "message": "File Not Found", "type": "not_found_error"}
        }),
        Flavor::Ollama => json!({ "error": format!("{} {} not found", req.method, req.path) }),
        // vLLM is a FastAPI app.
        Flavor::Vllm => json!({ "detail": "Not Found" }),
    };
    conn.send_json(404, &body).await
}

async fn route_llamacpp(
    ctx: &Ctx,
    req: &Request,
    body: &Value,
    conn: &mut Conn,
) -> Result<(), Gone> {
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/health") | ("GET", "/v1/health") => {
            conn.send_json(200, &json!({ "status": "ok" })).await
        }
        ("GET", "/props") => conn.send_json(200, &llamacpp_props(ctx)).await,
        ("GET", "/v1/models") | ("GET", "/models") => {
            conn.send_json(200, &llamacpp_models(ctx)).await
        }
        ("POST", "/tokenize") => {
            let content = body.get("content").and_then(Value::as_str).unwrap_or("");
            let tokens: Vec<u64> = content
                .split_whitespace()
                .enumerate()
                .map(|(i, _)| 1000 + i as u64)
                .collect();
            conn.send_json(200, &json!({ "tokens": tokens })).await
        }
        ("POST", "/v1/chat/completions") | ("POST", "/chat/completions") => {
            chat(ctx, body, conn).await
        }
        // Anthropic's Messages API path, for escalation tests: script the reply with `Raw`.
        ("POST", "/v1/messages") => chat(ctx, body, conn).await,
        _ => not_found(ctx, req, conn).await,
    }
}

async fn route_lmstudio(
    ctx: &Ctx,
    req: &Request,
    body: &Value,
    conn: &mut Conn,
) -> Result<(), Gone> {
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/v1/models") => {
            let list = json!({
                "object": "list",
                "data": [{ "id": ctx.model, "object": "model", "owned_by": "organization_owner" }]
            });
            conn.send_json(200, &list).await
        }
        ("GET", "/api/v0/models") => conn.send_json(200, &lmstudio_v0_models(ctx)).await,
        ("POST", "/v1/chat/completions") | ("POST", "/api/v0/chat/completions") => {
            chat(ctx, body, conn).await
        }
        _ => not_found(ctx, req, conn).await,
    }
}

async fn route_vllm(ctx: &Ctx, req: &Request, body: &Value, conn: &mut Conn) -> Result<(), Gone> {
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/health") => conn.send(200, "application/json", b"").await,
        ("GET", "/version") => conn.send_json(200, &json!({ "version": "0.10.1" })).await,
        ("GET", "/v1/models") => conn.send_json(200, &vllm_models(ctx)).await,
        ("POST", "/tokenize") => {
            let prompt = body.get("prompt").and_then(Value::as_str).unwrap_or("");
            let n = prompt.split_whitespace().count();
            let tokens: Vec<u64> = (0..n as u64).map(|i| 1000 + i).collect();
            conn.send_json(
                200,
                &json!({ "count": n, "max_model_len": ctx.n_ctx, "tokens": tokens }),
            )
            .await
        }
        ("POST", "/v1/chat/completions") => chat(ctx, body, conn).await,
        _ => not_found(ctx, req, conn).await,
    }
}

async fn route_ollama(ctx: &Ctx, req: &Request, body: &Value, conn: &mut Conn) -> Result<(), Gone> {
    match (req.method.as_str(), req.path.as_str()) {
        // Ollama's root answers a plain-text banner, which some clients probe.
        ("GET", "/") => {
            conn.send(200, "text/plain; charset=utf-8", b"Ollama is running")
                .await
        }
        ("HEAD", "/") => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 17\r\nConnection: close\r\n\r\n";
            conn.write(head.as_bytes()).await
        }
        ("GET", "/api/version") => conn.send_json(200, &json!({ "version": "0.12.6" })).await,
        ("GET", "/api/tags") => conn.send_json(200, &ollama_tags(ctx)).await,
        ("GET", "/api/ps") => conn.send_json(200, &ollama_ps(ctx)).await,
        ("POST", "/api/show") => {
            let name = body
                .get("model")
                .or_else(|| body.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("");
            if same_model(name, &ctx.model) {
                conn.send_json(200, &ollama_show(ctx)).await
            } else {
                conn.send_json(
                    404,
                    &json!({ "error": format!("model '{name}' not found") }),
                )
                .await
            }
        }
        ("POST", "/api/chat") => {
            let name = body.get("model").and_then(Value::as_str).unwrap_or("");
            if name.is_empty() {
                return conn
                    .send_json(400, &json!({ "error": "model is required" }))
                    .await;
            }
            if !same_model(name, &ctx.model) {
                let msg = format!("model \"{name}\" not found, try pulling it first");
                return conn.send_json(404, &json!({ "error": msg })).await;
            }
            let wants_tools = body
                .get("tools")
                .and_then(Value::as_array)
                .is_some_and(|t| !t.is_empty());
            if wants_tools && !ctx.tools {
                let msg = format!(
                    "registry.ollama.ai/library/{} does not support tools",
                    ctx.model
                );
                return conn.send_json(400, &json!({ "error": msg })).await;
            }
            chat(ctx, body, conn).await
        }
        _ => not_found(ctx, req, conn).await,
    }
}

/// Ollama treats `name` and `name:latest` as the same model.
fn same_model(asked: &str, served: &str) -> bool {
    let norm = |s: &str| s.strip_suffix(":latest").unwrap_or(s).to_string();
    !asked.is_empty() && norm(asked) == norm(served)
}

// ---------------------------------------------------------------------------------------
// Discovery payloads
// ---------------------------------------------------------------------------------------

/// ChatML as llama-server reports it. llama.cpp has no "supports tools" flag, so clients
/// look for `tools` in the template, as the Qwen/Llama 3 templates contain; the mock's
/// template mentions tools exactly when `MockConfig::tools` is set.
fn llamacpp_props(ctx: &Ctx) -> Value {
    const CHATML: &str = "{% for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
    const TOOLS: &str = "{%- if tools %}<|im_start|>system\n# Tools\n<tools>{% for tool in tools %}{{ tool | tojson }}{% endfor %}</tools><|im_end|>\n{%- endif %}";
    let template = if ctx.tools {
        format!("{TOOLS}{CHATML}")
    } else {
        CHATML.to_string()
    };
    json!({
        "default_generation_settings": {
            "id": 0,
            "id_task": -1,
            "n_ctx": ctx.n_ctx,
            "speculative": false,
            "is_processing": false,
            "params": { "n_predict": -1, "temperature": 0.8, "top_k": 40, "top_p": 0.95, "min_p": 0.05 }
        },
        "total_slots": 1,
        "model_path": format!("/models/{}.gguf", ctx.model),
        "chat_template": template,
        "modalities": { "vision": false, "audio": false },
        "build_info": "b6000-mock"
    })
}

fn llamacpp_models(ctx: &Ctx) -> Value {
    json!({
        "object": "list",
        "data": [{
            "id": ctx.model,
            "object": "model",
            "created": unix_now(),
            "owned_by": "llamacpp",
            "meta": { "vocab_type": 2, "n_vocab": 151936, "n_ctx_train": ctx.n_ctx, "n_embd": 2048, "n_params": 1_000_000_000u64, "size": 1_000_000_000u64 }
        }]
    })
}

/// vLLM's model card: one model per server, `max_model_len` is the context it serves.
fn vllm_models(ctx: &Ctx) -> Value {
    json!({
        "object": "list",
        "data": [{
            "id": ctx.model,
            "object": "model",
            "created": unix_now(),
            "owned_by": "vllm",
            "root": format!("/models/{}", ctx.model),
            "parent": null,
            "max_model_len": ctx.n_ctx,
            "permission": [{
                "id": "modelperm-mock", "object": "model_permission", "created": unix_now(),
                "allow_create_engine": false, "allow_sampling": true, "allow_logprobs": true,
                "allow_search_indices": false, "allow_view": true, "allow_fine_tuning": false,
                "organization": "*", "group": null, "is_blocking": false
            }]
        }]
    })
}

fn lmstudio_v0_models(ctx: &Ctx) -> Value {
    let caps: Vec<&str> = if ctx.tools { vec!["tool_use"] } else { vec![] };
    json!({
        "object": "list",
        "data": [{
            "id": ctx.model,
            "object": "model",
            "type": "llm",
            "publisher": "mock",
            "arch": "llama",
            "compatibility_type": "gguf",
            "quantization": "Q4_K_M",
            "state": "loaded",
            "max_context_length": ctx.n_ctx * 4,
            "loaded_context_length": ctx.n_ctx,
            "capabilities": caps
        }]
    })
}

fn ollama_details() -> Value {
    json!({
        "parent_model": "",
        "format": "gguf",
        "family": "llama",
        "families": ["llama"],
        "parameter_size": "1B",
        "quantization_level": "Q4_K_M"
    })
}

fn ollama_tags(ctx: &Ctx) -> Value {
    json!({
        "models": [{
            "name": ctx.model,
            "model": ctx.model,
            "modified_at": rfc3339_now(),
            "size": 1,
            "digest": "0000000000000000000000000000000000000000000000000000000000000000",
            "details": ollama_details()
        }]
    })
}

fn ollama_ps(ctx: &Ctx) -> Value {
    json!({
        "models": [{
            "name": ctx.model,
            "model": ctx.model,
            "size": 1,
            "digest": "0000000000000000000000000000000000000000000000000000000000000000",
            "details": ollama_details(),
            "expires_at": "2099-01-01T00:00:00Z",
            "size_vram": 1,
            "context_length": ctx.n_ctx
        }]
    })
}

fn ollama_show(ctx: &Ctx) -> Value {
    let mut caps = vec!["completion"];
    if ctx.tools {
        caps.push("tools");
    }
    json!({
        "modelfile": format!("FROM {}\n", ctx.model),
        "parameters": "",
        "template": "{{ .Prompt }}",
        "details": ollama_details(),
        "model_info": {
            "general.architecture": "llama",
            "general.parameter_count": 1_000_000_000u64,
            "llama.context_length": ctx.n_ctx
        },
        "capabilities": caps,
        "modified_at": rfc3339_now()
    })
}

// ---------------------------------------------------------------------------------------
// Chat: turning a Step into wire bytes
// ---------------------------------------------------------------------------------------

/// One unit of generated output, before it is framed for a flavor.
enum Delta {
    Think(String),
    Text(String),
    Tool {
        name: String,
        fragments: Vec<String>,
    },
}

/// How a streamed step ends.
enum End {
    /// Finish chunk, usage, `[DONE]` / `done:true`, terminating chunk.
    Finish,
    /// As [`End::Finish`], with the finish reason `length`.
    Length,
    /// Keep the connection open until the client leaves.
    Stall,
    /// Close without the terminating chunk.
    Drop,
    /// An in-stream error object, then the terminating chunk.
    Error(String),
}

/// Frames deltas for one response of one flavor; holds the ids every chunk repeats.
struct Framer<'a> {
    flavor: Flavor,
    model: &'a str,
    id: String,
    created: u64,
    prompt_tokens: u64,
}

impl Framer<'_> {
    fn sse(&self) -> bool {
        self.flavor != Flavor::Ollama
    }

    fn content_type(&self) -> &'static str {
        if self.sse() {
            "text/event-stream"
        } else {
            "application/x-ndjson"
        }
    }

    fn openai_chunk(&self, choices: Value) -> String {
        let chunk = json!({
            "choices": choices,
            "created": self.created,
            "id": self.id,
            "model": self.model,
            "system_fingerprint": "b6000-mock",
            "object": "chat.completion.chunk"
        });
        format!("data: {chunk}\n\n")
    }

    fn ollama_line(&self, message: Value) -> String {
        let line = json!({
            "model": self.model,
            "created_at": rfc3339_now(),
            "message": message,
            "done": false
        });
        format!("{line}\n")
    }

    /// The first SSE chunk, announcing the assistant role (Ollama has none).
    fn opening(&self) -> Option<String> {
        self.sse().then(|| {
            self.openai_chunk(json!([{
                "finish_reason": null, "index": 0,
                "delta": { "role": "assistant", "content": null }
            }]))
        })
    }

    /// The wire frames for one delta (several for an SSE tool call).
    fn delta(&self, delta: &Delta) -> Vec<String> {
        let choice = |d: Value| json!([{ "finish_reason": null, "index": 0, "delta": d }]);
        match (delta, self.sse()) {
            (Delta::Text(t), true) => vec![self.openai_chunk(choice(json!({ "content": t })))],
            (Delta::Think(t), true) => {
                vec![self.openai_chunk(choice(json!({ "reasoning_content": t })))]
            }
            (Delta::Tool { name, fragments }, true) => {
                let mut out = vec![self.openai_chunk(choice(json!({ "tool_calls": [{
                    "index": 0, "id": tool_call_id(), "type": "function",
                    "function": { "name": name, "arguments": "" }
                }]})))];
                for f in fragments {
                    out.push(self.openai_chunk(choice(json!({ "tool_calls": [{
                        "index": 0, "function": { "arguments": f }
                    }]}))));
                }
                out
            }
            (Delta::Text(t), false) => {
                vec![self.ollama_line(json!({ "role": "assistant", "content": t }))]
            }
            (Delta::Think(t), false) => {
                vec![self.ollama_line(json!({ "role": "assistant", "content": "", "thinking": t }))]
            }
            (Delta::Tool { name, fragments }, false) => {
                vec![self.ollama_line(json!({
                    "role": "assistant", "content": "",
                    "tool_calls": [ollama_tool_call(name, fragments)]
                }))]
            }
        }
    }

    /// Finish chunk, usage chunk and end marker.
    fn closing(&self, finish_reason: &str, completion_tokens: u64) -> Vec<String> {
        if self.sse() {
            let mut usage_chunk = json!({
                "choices": [],
                "created": self.created,
                "id": self.id,
                "model": self.model,
                "system_fingerprint": "b6000-mock",
                "object": "chat.completion.chunk",
                "usage": usage(self.prompt_tokens, completion_tokens)
            });
            if self.flavor == Flavor::LlamaCpp {
                usage_chunk["timings"] = timings(self.prompt_tokens, completion_tokens);
            }
            vec![
                self.openai_chunk(
                    json!([{ "finish_reason": finish_reason, "index": 0, "delta": {} }]),
                ),
                format!("data: {usage_chunk}\n\n"),
                "data: [DONE]\n\n".to_string(),
            ]
        } else {
            let mut last = ollama_final(self.model, self.prompt_tokens, completion_tokens);
            last["message"] = json!({ "role": "assistant", "content": "" });
            if finish_reason == "length" {
                last["done_reason"] = json!("length");
            }
            vec![format!("{last}\n")]
        }
    }

    fn error(&self, message: &str) -> String {
        if self.sse() {
            let err =
                json!({ "error": { "code": 500, "message": message, "type": "server_error" } });
            format!("data: {err}\n\n")
        } else {
            format!("{}\n", json!({ "error": message }))
        }
    }
}

fn usage(prompt: u64, completion: u64) -> Value {
    json!({ "completion_tokens": completion, "prompt_tokens": prompt, "total_tokens": prompt + completion })
}

fn timings(prompt: u64, completion: u64) -> Value {
    json!({
        "cache_n": 0,
        "prompt_n": prompt,
        "prompt_ms": prompt as f64 * 0.5,
        "prompt_per_token_ms": 0.5,
        "prompt_per_second": 2000.0,
        "predicted_n": completion,
        "predicted_ms": completion as f64 * 2.0,
        "predicted_per_token_ms": 2.0,
        "predicted_per_second": 500.0
    })
}

fn ollama_final(model: &str, prompt: u64, completion: u64) -> Value {
    json!({
        "model": model,
        "created_at": rfc3339_now(),
        "done": true,
        "done_reason": "stop",
        "total_duration": 1_000_000u64,
        "load_duration": 1_000u64,
        "prompt_eval_count": prompt,
        "prompt_eval_duration": prompt * 500_000,
        "eval_count": completion,
        "eval_duration": completion * 2_000_000
    })
}

/// Ollama sends tool arguments as an object; fragments that do not join into JSON are
/// passed on as a string so the client's handling of that can be tested too.
fn ollama_tool_call(name: &str, fragments: &[String]) -> Value {
    let joined = fragments.concat();
    let arguments = serde_json::from_str::<Value>(&joined).unwrap_or(Value::String(joined));
    json!({ "id": tool_call_id(), "function": { "index": 0, "name": name, "arguments": arguments } })
}

/// Numbers ids so every call and completion in a test run is distinct, as real ids are.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn tool_call_id() -> String {
    format!("call_mock{}", NEXT_ID.fetch_add(1, Ordering::Relaxed))
}

/// Word count of the request's message texts: a stand-in for prompt token counts.
fn prompt_tokens(body: &Value) -> u64 {
    let mut n = 0;
    for msg in body
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match msg.get("content") {
            Some(Value::String(s)) => n += s.split_whitespace().count(),
            Some(Value::Array(parts)) => {
                for p in parts {
                    if let Some(t) = p.get("text").and_then(Value::as_str) {
                        n += t.split_whitespace().count();
                    }
                }
            }
            _ => {}
        }
    }
    n as u64
}

/// Splits text before each whitespace run, keeping the spaces ("a b" → "a", " b"),
/// which is roughly how BPE tokenizers cut English.
pub fn split_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_space = false;
    for c in text.chars() {
        let space = c.is_whitespace();
        if space && !prev_space && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
        prev_space = space;
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A delta with the pause before it (relative to the previous delta).
struct Timed {
    delta: Delta,
    gap: Duration,
}

fn untimed(deltas: impl IntoIterator<Item = Delta>) -> Vec<Timed> {
    deltas
        .into_iter()
        .map(|delta| Timed {
            delta,
            gap: Duration::ZERO,
        })
        .collect()
}

fn texts(pieces: Vec<String>) -> impl Iterator<Item = Delta> {
    pieces.into_iter().map(Delta::Text)
}

async fn chat(ctx: &Ctx, body: &Value, conn: &mut Conn) -> Result<(), Gone> {
    if body.is_null() {
        let err = match ctx.flavor {
            Flavor::Ollama => json!({ "error": "invalid request body" }),
            _ => {
                json!({ "error": { "code": 400, "message": "invalid JSON body", "type": "invalid_request_error" } })
            }
        };
        return conn.send_json(400, &err).await;
    }
    let step = ctx
        .shared
        .lock()
        .steps
        .pop_front()
        .unwrap_or_else(|| Step::Reply {
            pieces: vec!["(mock: no scripted reply)".to_string()],
            delay_ms: 0,
        });
    // OpenAI-style servers stream only when asked; Ollama streams unless told not to.
    let stream = match ctx.flavor {
        Flavor::Ollama => body.get("stream").and_then(Value::as_bool).unwrap_or(true),
        _ => body.get("stream").and_then(Value::as_bool).unwrap_or(false),
    };
    let framer = Framer {
        flavor: ctx.flavor,
        model: &ctx.model,
        id: format!("chatcmpl-mock{}", NEXT_ID.fetch_add(1, Ordering::Relaxed)),
        created: unix_now(),
        prompt_tokens: prompt_tokens(body),
    };
    let (deltas, end) = match step {
        Step::Reply { pieces, delay_ms } => {
            let gap = Duration::from_millis(delay_ms);
            let timed = pieces
                .into_iter()
                .enumerate()
                .map(|(i, p)| Timed {
                    delta: Delta::Text(p),
                    gap: if i == 0 { Duration::ZERO } else { gap },
                })
                .collect();
            (timed, End::Finish)
        }
        Step::ReplyRate {
            text,
            tokens_per_sec,
        } => {
            let gap = if tokens_per_sec == 0 {
                Duration::ZERO
            } else {
                Duration::from_secs_f64(1.0 / f64::from(tokens_per_sec))
            };
            let timed = split_tokens(&text)
                .into_iter()
                .enumerate()
                .map(|(i, p)| Timed {
                    delta: Delta::Text(p),
                    gap: if i == 0 { Duration::ZERO } else { gap },
                })
                .collect();
            (timed, End::Finish)
        }
        Step::Reasoning { thinking, pieces } => {
            let all = thinking.into_iter().map(Delta::Think).chain(texts(pieces));
            (untimed(all), End::Finish)
        }
        Step::ToolCall {
            name,
            arguments_json_fragments,
        } => {
            let tool = Delta::Tool {
                name,
                fragments: arguments_json_fragments,
            };
            (untimed([tool]), End::Finish)
        }
        Step::Capped { pieces } => (untimed(texts(pieces)), End::Length),
        Step::Stall { pieces } => (untimed(texts(pieces)), End::Stall),
        Step::StallBeforeFirst => {
            // A non-streaming request has no headers to send early.
            if stream {
                conn.start_stream(200, framer.content_type()).await?;
            }
            conn.wait_gone().await;
            ctx.shared.count_disconnect();
            return Ok(());
        }
        Step::Drop { pieces } => (untimed(texts(pieces)), End::Drop),
        Step::Status { code, body } => {
            let ct = if serde_json::from_str::<Value>(&body).is_ok() {
                "application/json; charset=utf-8"
            } else {
                "text/plain; charset=utf-8"
            };
            return conn.send(code, ct, body.as_bytes()).await;
        }
        Step::Garbage { body } => {
            let ct = if stream {
                framer.content_type()
            } else {
                "application/json; charset=utf-8"
            };
            conn.start_stream(200, ct).await?;
            conn.chunk(&body).await?;
            return conn.finish().await;
        }
        Step::MidStreamError { pieces, message } => (untimed(texts(pieces)), End::Error(message)),
        Step::Raw {
            status,
            content_type,
            chunks,
            delay_ms,
        } => return send_raw(ctx, conn, status, &content_type, &chunks, delay_ms).await,
        Step::RawBytes {
            content_type,
            chunks,
        } => {
            conn.start_stream(200, &content_type).await?;
            for c in chunks.iter().filter(|c| !c.is_empty()) {
                let mut framed = format!("{:x}\r\n", c.len()).into_bytes();
                framed.extend_from_slice(c);
                framed.extend_from_slice(b"\r\n");
                conn.write(&framed).await?;
            }
            return conn.finish().await;
        }
        Step::Redirect { code, location } => {
            let head = format!(
                "HTTP/1.1 {code} {}\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                reason(code)
            );
            return conn.write(head.as_bytes()).await;
        }
    };
    if stream {
        send_stream(ctx, conn, &framer, deltas, end).await
    } else {
        send_whole(ctx, conn, &framer, deltas, end).await
    }
}

/// Streams the deltas on an absolute schedule (so a 500 tok/s rate does not drift with
/// timer granularity), watching for the client leaving during every pause.
async fn send_stream(
    ctx: &Ctx,
    conn: &mut Conn,
    framer: &Framer<'_>,
    deltas: Vec<Timed>,
    end: End,
) -> Result<(), Gone> {
    let outcome = async {
        conn.start_stream(200, framer.content_type()).await?;
        if let Some(first) = framer.opening() {
            conn.chunk(&first).await?;
        }
        let mut at = tokio::time::Instant::now();
        let mut completion = 0u64;
        let mut tool = false;
        for Timed { delta, gap } in &deltas {
            if !gap.is_zero() {
                at += *gap;
                conn.pause_until(at).await?;
            }
            completion += match delta {
                Delta::Tool { fragments, .. } => {
                    tool = true;
                    fragments.len().max(1) as u64
                }
                _ => 1,
            };
            for frame in framer.delta(delta) {
                conn.chunk(&frame).await?;
            }
        }
        match &end {
            End::Finish | End::Length => {
                let reason = match (&end, tool) {
                    (End::Length, _) => "length",
                    (_, true) => "tool_calls",
                    _ => "stop",
                };
                for frame in framer.closing(reason, completion) {
                    conn.chunk(&frame).await?;
                }
                conn.finish().await
            }
            End::Error(message) => {
                conn.chunk(&framer.error(message)).await?;
                conn.finish().await
            }
            End::Stall => {
                conn.wait_gone().await;
                Err(Gone)
            }
            End::Drop => {
                let _ = conn.wr.shutdown().await;
                Ok(())
            }
        }
    }
    .await;
    if outcome.is_err() {
        ctx.shared.count_disconnect();
    }
    outcome
}

/// Answers a `stream:false` request with one JSON document after the whole "generation"
/// time. Stalls send nothing at all, as a real server computing a long answer would.
async fn send_whole(
    ctx: &Ctx,
    conn: &mut Conn,
    framer: &Framer<'_>,
    deltas: Vec<Timed>,
    end: End,
) -> Result<(), Gone> {
    let total: Duration = deltas.iter().map(|t| t.gap).sum();
    let mut content = String::new();
    let mut thinking = String::new();
    let mut tool: Option<(String, Vec<String>)> = None;
    let mut completion = 0u64;
    for Timed { delta, .. } in deltas {
        completion += 1;
        match delta {
            Delta::Text(t) => content.push_str(&t),
            Delta::Think(t) => thinking.push_str(&t),
            Delta::Tool { name, fragments } => tool = Some((name, fragments)),
        }
    }
    let capped = matches!(end, End::Length);
    match end {
        End::Finish | End::Length => {}
        End::Stall => {
            conn.wait_gone().await;
            ctx.shared.count_disconnect();
            return Err(Gone);
        }
        End::Drop => return Ok(()),
        End::Error(message) => {
            let err = match ctx.flavor {
                Flavor::Ollama => json!({ "error": message }),
                _ => {
                    json!({ "error": { "code": 500, "message": message, "type": "server_error" } })
                }
            };
            return conn.send_json(500, &err).await;
        }
    }
    if conn
        .pause_until(tokio::time::Instant::now() + total)
        .await
        .is_err()
    {
        ctx.shared.count_disconnect();
        return Err(Gone);
    }
    let doc = if framer.sse() {
        let mut message = json!({ "role": "assistant", "content": content });
        if !thinking.is_empty() {
            message["reasoning_content"] = json!(thinking);
        }
        let finish = if let Some((name, fragments)) = &tool {
            message["content"] = Value::Null;
            message["tool_calls"] = json!([{
                "type": "function", "id": tool_call_id(),
                "function": { "name": name, "arguments": fragments.concat() }
            }]);
            "tool_calls"
        } else if capped {
            "length"
        } else {
            "stop"
        };
        let mut doc = json!({
            "choices": [{ "finish_reason": finish, "index": 0, "message": message }],
            "created": framer.created,
            "model": framer.model,
            "system_fingerprint": "b6000-mock",
            "object": "chat.completion",
            "usage": usage(framer.prompt_tokens, completion),
            "id": framer.id
        });
        if ctx.flavor == Flavor::LlamaCpp {
            doc["timings"] = timings(framer.prompt_tokens, completion);
        }
        doc
    } else {
        let mut message = json!({ "role": "assistant", "content": content });
        if !thinking.is_empty() {
            message["thinking"] = json!(thinking);
        }
        if let Some((name, fragments)) = &tool {
            message["tool_calls"] = json!([ollama_tool_call(name, fragments)]);
        }
        let mut doc = ollama_final(framer.model, framer.prompt_tokens, completion);
        doc["message"] = message;
        if capped {
            doc["done_reason"] = json!("length");
        }
        doc
    };
    conn.send_json(200, &doc).await
}

async fn send_raw(
    ctx: &Ctx,
    conn: &mut Conn,
    status: u16,
    content_type: &str,
    chunks: &[String],
    delay_ms: u64,
) -> Result<(), Gone> {
    let outcome = async {
        conn.start_stream(status, content_type).await?;
        let mut at = tokio::time::Instant::now();
        for (i, c) in chunks.iter().enumerate() {
            if i > 0 && delay_ms > 0 {
                at += Duration::from_millis(delay_ms);
                conn.pause_until(at).await?;
            }
            conn.chunk(c).await?;
        }
        conn.finish().await
    }
    .await;
    if outcome.is_err() {
        ctx.shared.count_disconnect();
    }
    outcome
}

// ---------------------------------------------------------------------------------------
// Time stamps (no chrono: the mock only needs "now" in two formats)
// ---------------------------------------------------------------------------------------

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `now` as RFC 3339 UTC with nanoseconds, the way Ollama stamps `created_at`.
fn rfc3339_now() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil-from-days (Howard Hinnant's algorithm), valid for any date after 1970.
    let z = days as i64 + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:09}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        now.subsec_nanos()
    )
}
