//! The one thread per process that reads and writes every chat database, in the order asked
//! (see the parent module for why nothing keeps a file open).

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use redb::Database;

use super::{apply, open, StoreError, StoredPiece, StoredTurn, LOCK_PATIENCE, RETRY_EVERY};

/// A write, as queued.
#[derive(Debug, Clone)]
pub(super) enum Op {
    Turn {
        chat: String,
        seq: u32,
        turn: StoredTurn,
    },
    Working {
        chat: String,
        pieces: Vec<StoredPiece>,
    },
    Delete {
        chat: String,
    },
}

impl Op {
    pub(super) fn chat(&self) -> Option<&str> {
        match self {
            Op::Turn { chat, .. } | Op::Working { chat, .. } | Op::Delete { chat } => Some(chat),
        }
    }
}

type ReadFn = Box<dyn FnOnce(Result<Option<&Database>, StoreError>) + Send>;

pub(super) enum Job {
    Write {
        path: PathBuf,
        op: Op,
        ack: tokio::sync::oneshot::Sender<Result<(), StoreError>>,
    },
    Read {
        path: PathBuf,
        run: ReadFn,
    },
}

pub(super) struct Worker {
    tx: Mutex<Option<mpsc::Sender<Job>>>,
}

pub(super) fn worker() -> &'static Worker {
    static W: OnceLock<Worker> = OnceLock::new();
    W.get_or_init(|| Worker {
        tx: Mutex::new(None),
    })
}

impl Worker {
    pub(super) fn submit(&self, job: Job) {
        let mut tx = self.tx.lock().unwrap_or_else(|e| e.into_inner());
        let job = match tx.as_ref() {
            Some(t) => match t.send(job) {
                Ok(()) => return,
                Err(mpsc::SendError(job)) => job,
            },
            None => job,
        };
        let (t, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("smallcode-chats".into())
            .spawn(move || run(rx));
        if let Err(e) = spawned {
            tracing::error!("[chat] cannot start the chat store worker: {e}");
            fail(job, StoreError::Gone);
            return;
        }
        let _ = t.send(job);
        *tx = Some(t);
    }
}

fn fail(job: Job, e: StoreError) {
    match job {
        Job::Write { ack, .. } => {
            let _ = ack.send(Err(e));
        }
        Job::Read { run, .. } => run(Err(e)),
    }
}

/// The worker loop: everything waiting is taken at once; consecutive writes to one file go in
/// one transaction; reads run after the writes queued before them.
fn run(rx: mpsc::Receiver<Job>) {
    // Writes that could not be done yet (file locked), oldest first, by file.
    let mut pending: Vec<(PathBuf, Op)> = Vec::new();
    loop {
        let first = if pending.is_empty() {
            match rx.recv() {
                Ok(j) => Some(j),
                Err(_) => return,
            }
        } else {
            match rx.recv_timeout(RETRY_EVERY) {
                Ok(j) => Some(j),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    // Last chance for queued writes before the process ends.
                    flush_pending(&mut pending, LOCK_PATIENCE);
                    return;
                }
            }
        };
        let mut jobs: std::collections::VecDeque<Job> = first.into_iter().collect();
        jobs.extend(rx.try_iter());
        flush_pending(&mut pending, LOCK_PATIENCE);
        while let Some(job) = jobs.pop_front() {
            let locked = |path: &Path| StoreError::Locked {
                path: path.display().to_string(),
            };
            match job {
                Job::Read { path, run } => {
                    if pending.iter().any(|(p, _)| *p == path) {
                        run(Err(locked(&path)));
                    } else if !path.exists() {
                        run(Ok(None));
                    } else {
                        match open(&path, LOCK_PATIENCE) {
                            Ok(db) => run(Ok(Some(&db))),
                            Err(e) => run(Err(e)),
                        }
                    }
                }
                Job::Write { path, op, ack } => {
                    // This write and the writes to the same file right after it: one transaction.
                    let mut batch = vec![(op, ack)];
                    while matches!(jobs.front(), Some(Job::Write { path: p, .. }) if *p == path) {
                        if let Some(Job::Write { op, ack, .. }) = jobs.pop_front() {
                            batch.push((op, ack));
                        }
                    }
                    let result = if pending.iter().any(|(p, _)| *p == path) {
                        // Earlier writes to this file wait: keep the order.
                        Err(locked(&path))
                    } else {
                        let ops: Vec<&Op> = batch.iter().map(|(op, _)| op).collect();
                        apply(&path, &ops, LOCK_PATIENCE)
                    };
                    if let Err(e) = &result {
                        tracing::warn!("[chat] saving chats: {e}; will retry");
                        pending.extend(batch.iter().map(|(op, _)| (path.clone(), op.clone())));
                    }
                    for (_, ack) in batch {
                        let _ = ack.send(result.clone());
                    }
                }
            }
        }
    }
}

/// Retries the queued writes, file by file, keeping those that still fail.
fn flush_pending(pending: &mut Vec<(PathBuf, Op)>, patience: Duration) {
    if pending.is_empty() {
        return;
    }
    let mut by_file: Vec<(PathBuf, Vec<Op>)> = Vec::new();
    for (p, op) in pending.drain(..) {
        match by_file.iter_mut().find(|(q, _)| *q == p) {
            Some((_, ops)) => ops.push(op),
            None => by_file.push((p, vec![op])),
        }
    }
    for (path, ops) in by_file {
        let refs: Vec<&Op> = ops.iter().collect();
        match apply(&path, &refs, patience) {
            Ok(()) => tracing::info!(
                "[chat] saved {} queued chat write(s) to {}",
                ops.len(),
                path.display()
            ),
            Err(_) => pending.extend(ops.into_iter().map(|op| (path.clone(), op))),
        }
    }
}
