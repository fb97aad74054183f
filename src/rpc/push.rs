//! Pushes chat events to Neovim, coalescing streamed text.
//!
//! A model can stream hundreds of tokens per second; one `nvim_exec_lua` per token would keep the
//! editor busy redrawing. Deltas for the same chat are merged and sent at most once per
//! [`FLUSH_INTERVAL`]; any other event flushes pending text first so order is kept. Each push is
//! an rpc *request* awaited here (never in the editor), which also gives back-pressure: while
//! Neovim is busy, text accumulates into the next batch.

use std::time::Duration;

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::time::{sleep_until, Instant};

use super::protocol::{ChatEvent, Event, LUA_ON_EVENT, LUA_PUBLISH_ERRORS};
use super::{value, Nvim};

/// Minimum time between two text pushes to the same editor.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(30);

/// Starts the pusher task; send events into the returned channel.
pub fn spawn(nvim: Nvim) -> UnboundedSender<ChatEvent> {
    let (tx, rx) = unbounded_channel();
    tokio::spawn(run(nvim, rx));
    tx
}

async fn run(nvim: Nvim, mut rx: UnboundedReceiver<ChatEvent>) {
    let mut pending: Option<ChatEvent> = None;
    let mut last_push = Instant::now() - FLUSH_INTERVAL;
    loop {
        let next = if pending.is_some() {
            tokio::select! {
                ev = rx.recv() => ev,
                _ = sleep_until(last_push + FLUSH_INTERVAL) => {
                    if let Some(p) = pending.take() { push(&nvim, p).await; }
                    last_push = Instant::now();
                    continue;
                }
            }
        } else {
            rx.recv().await
        };
        let Some(ev) = next else {
            if let Some(p) = pending.take() {
                push(&nvim, p).await;
            }
            return;
        };
        match (&mut pending, ev) {
            (
                Some(ChatEvent {
                    chat: pc,
                    event: Event::Delta { text: pt },
                }),
                ChatEvent {
                    chat,
                    event: Event::Delta { text },
                },
            ) if *pc == chat => {
                pt.push_str(&text);
            }
            (
                _,
                ev @ ChatEvent {
                    event: Event::Delta { .. },
                    ..
                },
            ) => {
                if let Some(p) = pending.take() {
                    push(&nvim, p).await;
                    last_push = Instant::now();
                }
                pending = Some(ev);
            }
            (_, ev) => {
                if let Some(p) = pending.take() {
                    push(&nvim, p).await;
                    last_push = Instant::now();
                }
                push(&nvim, ev).await;
            }
        }
    }
}

async fn push(nvim: &Nvim, ev: ChatEvent) {
    tracing::trace!("[rpc] -> nvim event {:?}", ev.event);
    // Checker errors go to the quickfix list, not into the transcript.
    let target = match ev.event {
        Event::Errors { .. } => LUA_PUBLISH_ERRORS,
        _ => LUA_ON_EVENT,
    };
    if let Err(e) = nvim
        .exec_lua(
            target,
            vec![value::to_value(&super::protocol::WireEvent::from(&ev))],
        )
        .await
    {
        tracing::warn!(
            "[rpc] could not deliver {:?} to chat {}: {e}",
            ev.event,
            ev.chat
        );
    }
}
