//! Project indexing: walk with `ignore`, classify, parse on worker threads, write in batches.
//!
//! The walk respects `.gitignore` (also outside a git repository), skips hidden paths and the
//! `.smallcode` folder, and does not follow symlinks unless configured (then `ignore` detects
//! loops). Files whose mtime and size match the database are reused without being read; files
//! whose content hash matches are re-stamped, not re-parsed. Parsing runs on plain std threads
//! pulling from a shared queue; the calling thread writes records to redb every
//! `batch_files` files and updates the in-memory graph under a short write lock, so memory is
//! bounded by the batch, not by the project, and queries keep working while indexing runs.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Instant, UNIX_EPOCH};

use serde::Serialize;

use super::codec::{encode, FileRecord, FileStatus};
use super::config::GraphConfig;
use super::extract;
use super::lexical::{self, FileWords};
use super::types::FileSymbols;
use crate::syntax::{language_for_path, Lang, ParserPool};

/// Progress reported while indexing (for Neovim's progress display).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Progress {
    /// Files examined so far.
    pub done: usize,
    /// Files to examine (known once the walk ends).
    pub total: usize,
    /// Files parsed so far (the rest were reused or skipped).
    pub parsed: usize,
}

/// What an indexing run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndexStats {
    /// Source files found by the walk.
    pub files: usize,
    /// Files parsed in this run.
    pub parsed: usize,
    /// Files reused from the database unchanged (mtime and size, or content hash, equal).
    pub reused: usize,
    /// Records removed because their file is gone.
    pub removed: usize,
    /// Files per status after the run (indexed, outline, and each skip reason).
    pub by_status: BTreeMap<&'static str, usize>,
    /// Symbols in the graph after the run.
    pub symbols: usize,
    /// References in the graph after the run.
    pub references: usize,
    /// Edges (contains + imports + calls/references) after the run.
    pub edges: usize,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Part of `seconds` spent encoding and writing records to the database (calling thread).
    pub store_seconds: f64,
    /// Part of `seconds` spent putting records into the in-memory graph (calling thread).
    pub memory_seconds: f64,
    /// Part of `seconds` spent merging files' words into the walk's word index (calling
    /// thread; the analysis itself runs on the workers, with the parse).
    pub words_seconds: f64,
}

/// A file the walk found.
pub struct Found {
    /// Path relative to the project root, `/`-separated (the graph's file key).
    pub rel: String,
    /// Absolute path.
    pub abs: PathBuf,
    /// Its language (from the extension).
    pub lang: &'static Lang,
    /// Size in bytes.
    pub size: u64,
    /// Modification time in nanoseconds since the epoch (0 when unknown).
    pub mtime_ns: u64,
}

/// Walks `root` and lists source files of bundled languages (`.gitignore` respected). Public
/// for the graph benchmark's parse baseline, which must see exactly the files indexing sees.
pub fn walk(root: &Path, cfg: &GraphConfig) -> Vec<Found> {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(!cfg.hidden)
        .follow_links(cfg.follow_links)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".smallcode" && e.file_name() != ".git")
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                tracing::debug!("[graph] walk: {e}");
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Some(lang) = language_for_path(entry.path()) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        let Some(rel) = rel_path(root, entry.path()) else {
            continue;
        };
        out.push(Found {
            rel,
            abs: entry.path().to_path_buf(),
            lang,
            size: meta.len(),
            mtime_ns: mtime_ns(&meta),
        });
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    out
}

/// Modification time in ns since the epoch (0 when unknown).
pub(crate) fn mtime_ns(meta: &std::fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64)
}

/// `path` relative to `root`, `/`-separated; paths outside `root` stay absolute.
pub fn rel_path(root: &Path, path: &Path) -> Option<String> {
    let p = path.strip_prefix(root).unwrap_or(path);
    let s = p.to_str()?;
    Some(if std::path::MAIN_SEPARATOR == '/' {
        s.to_string()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    })
}

/// Decides whether text of this size and shape is indexed fully, as an outline, or skipped.
pub(crate) fn classify(bytes: &[u8], cfg: &GraphConfig) -> FileStatus {
    let len = bytes.len() as u64;
    if len > cfg.max_outline_bytes {
        return FileStatus::TooLarge;
    }
    if memchr_nul(&bytes[..bytes.len().min(8192)]) {
        return FileStatus::Binary;
    }
    if std::str::from_utf8(bytes).is_err() {
        return FileStatus::NotUtf8;
    }
    if len > 4096 {
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        if len / lines > cfg.minified_line_bytes {
            return FileStatus::Minified;
        }
    }
    if len > cfg.max_file_bytes {
        FileStatus::Outline
    } else {
        FileStatus::Indexed
    }
}

fn memchr_nul(b: &[u8]) -> bool {
    b.contains(&0)
}

/// Content hash used to detect real changes.
pub(crate) fn hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Reads, classifies and (if indexable) parses one file into a record, and analyses its words
/// for the walk's index while the text is in memory (reading it again later cost a quarter of
/// the parse). `prev_hash` lets an unchanged file skip parsing: `Ok(None)` then means "same
/// content".
pub(crate) fn build_record(
    f: &Found,
    cfg: &GraphConfig,
    pool: &mut ParserPool,
    prev_hash: Option<u64>,
) -> std::io::Result<Option<(FileRecord, FileWords)>> {
    let bytes = std::fs::read(&f.abs)?;
    let h = hash(&bytes);
    if prev_hash == Some(h) {
        return Ok(None);
    }
    let rec = record_from_bytes(f.lang, &bytes, h, f.mtime_ns, cfg, pool);
    let text = if lexical::wants_text(&rec) {
        std::str::from_utf8(&bytes).ok()
    } else {
        None
    };
    let words = lexical::analyse_file(&f.rel, &rec, text);
    Ok(Some((rec, words)))
}

/// Builds a record from text already in memory (files and buffers alike).
pub(crate) fn record_from_bytes(
    lang: &'static Lang,
    bytes: &[u8],
    hash: u64,
    mtime_ns: u64,
    cfg: &GraphConfig,
    pool: &mut ParserPool,
) -> FileRecord {
    let mut status = classify(bytes, cfg);
    let mut symbols = FileSymbols::default();
    if status.has_symbols() {
        let outline = status == FileStatus::Outline;
        match pool
            .parse(lang, bytes, None)
            .and_then(|tree| extract::extract(lang, &tree, bytes, &mut pool.cursor, outline))
        {
            Some(s) => symbols = s,
            None => status = FileStatus::NoGrammar,
        }
    }
    FileRecord {
        hash,
        mtime_ns,
        size: bytes.len() as u64,
        lang: lang.name.to_string(),
        status,
        symbols,
    }
}

/// Looks up `(mtime_ns, size, hash)` of a path's stored record.
pub(crate) type KnownFn<'a> = dyn Fn(&str) -> Option<(u64, u64, u64)> + 'a;

/// The work list for one run and what is to be removed.
pub(crate) struct Plan {
    pub jobs: Vec<(Found, Option<u64>)>,
    pub removed: Vec<String>,
    pub reused: usize,
    pub total: usize,
}

/// Compares the walk with the records in memory: unchanged files are reused, the rest become
/// jobs (with the old hash so an mtime-only change skips parsing). Paths in `live` (open
/// buffers) are left alone: their unsaved text wins.
pub(crate) fn plan(
    found: Vec<Found>,
    known: &KnownFn,
    all_known: Vec<String>,
    live: &HashSet<String>,
) -> Plan {
    let seen: HashSet<&str> = found.iter().map(|f| f.rel.as_str()).collect();
    let removed = all_known
        .into_iter()
        .filter(|p| !seen.contains(p.as_str()) && !live.contains(p))
        .collect();
    let total = found.len();
    let mut reused = 0;
    let mut jobs = Vec::new();
    for f in found {
        if live.contains(&f.rel) {
            reused += 1;
            continue;
        }
        match known(&f.rel) {
            Some((mtime, size, _)) if mtime == f.mtime_ns && size == f.size => reused += 1,
            Some((_, _, h)) => jobs.push((f, Some(h))),
            None => jobs.push((f, None)),
        }
    }
    Plan {
        jobs,
        removed,
        reused,
        total,
    }
}

/// One finished job.
pub(crate) enum Done {
    /// New record, and its file's words for the walk's index (boxed: the other variants are
    /// small, and the channel holds many).
    Record(String, FileRecord, Box<FileWords>),
    /// Same content, new mtime.
    Touched(String, u64),
    /// Could not be read (vanished, permissions): dropped from the graph.
    Failed(String),
}

/// Runs `jobs` on `threads` workers, calling `sink` on this thread for each result in batches.
pub(crate) fn run_jobs(
    jobs: Vec<(Found, Option<u64>)>,
    cfg: &GraphConfig,
    mut sink: impl FnMut(Vec<Done>),
) {
    let threads = cfg.worker_threads().min(jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::sync_channel::<Done>(cfg.batch_files.max(1) * 2);
    std::thread::scope(|s| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (jobs, next) = (&jobs, &next);
            s.spawn(move || {
                let mut pool = ParserPool::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((f, prev)) = jobs.get(i) else { break };
                    let done = match build_record(f, cfg, &mut pool, *prev) {
                        Ok(Some((mut rec, words))) => {
                            rec.mtime_ns = f.mtime_ns;
                            Done::Record(f.rel.clone(), rec, Box::new(words))
                        }
                        Ok(None) => Done::Touched(f.rel.clone(), f.mtime_ns),
                        Err(e) => {
                            tracing::debug!("[graph] ignoring {}: {e}", f.rel);
                            Done::Failed(f.rel.clone())
                        }
                    };
                    if tx.send(done).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut batch = Vec::with_capacity(cfg.batch_files);
        for d in rx {
            batch.push(d);
            if batch.len() >= cfg.batch_files.max(1) {
                sink(std::mem::take(&mut batch));
            }
        }
        if !batch.is_empty() {
            sink(batch);
        }
    });
}

/// Encodes a batch for the store.
pub(crate) fn encode_batch(recs: &[(String, FileRecord)]) -> Vec<(String, Vec<u8>)> {
    recs.iter().map(|(p, r)| (p.clone(), encode(r))).collect()
}

/// Timer helper so callers report seconds the same way.
pub(crate) fn seconds_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

/// How far [`run_jobs_stages`] goes with each file (the benchmark's cost breakdown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Read and parse only: the baseline.
    Parse,
    /// Parse and run the tags query (raw items).
    Query,
    /// Parse, query, link into symbols and encode the record (everything but the store).
    Encode,
}

/// The benchmark's baseline and breakdown: read and parse every file on the indexing thread
/// count, going as far as `stage`, nothing else. Returns (lines, bytes).
pub fn run_jobs_stages(found: &[Found], cfg: &GraphConfig, stage: Stage) -> (usize, u64) {
    let next = AtomicUsize::new(0);
    let lines = AtomicUsize::new(0);
    let bytes = std::sync::atomic::AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..cfg.worker_threads() {
            s.spawn(|| {
                let mut pool = ParserPool::new();
                while let Some(f) = found.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let Ok(b) = std::fs::read(&f.abs) else {
                        continue;
                    };
                    lines.fetch_add(b.iter().filter(|&&c| c == b'\n').count(), Ordering::Relaxed);
                    bytes.fetch_add(b.len() as u64, Ordering::Relaxed);
                    let status = classify(&b, cfg);
                    if !status.has_symbols() {
                        continue;
                    }
                    let Some(tree) = pool.parse(f.lang, &b, None) else {
                        continue;
                    };
                    let Some(query) = f.lang.tags().filter(|_| stage != Stage::Parse) else {
                        continue;
                    };
                    let outline = status == FileStatus::Outline;
                    let raw = extract::collect(
                        query,
                        f.lang.attach(),
                        &mut pool.cursor,
                        &tree,
                        &b,
                        None,
                        outline,
                    );
                    if stage == Stage::Encode {
                        let symbols = extract::finish_owned(f.lang, raw, outline);
                        let rec = FileRecord {
                            hash: hash(&b),
                            mtime_ns: f.mtime_ns,
                            size: b.len() as u64,
                            lang: f.lang.name.to_string(),
                            status,
                            symbols,
                        };
                        std::hint::black_box(encode(&rec));
                    }
                }
            });
        }
    });
    (lines.into_inner(), bytes.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_names_each_reason() {
        let cfg = GraphConfig {
            max_file_bytes: 100,
            max_outline_bytes: 10_000,
            ..Default::default()
        };
        assert_eq!(classify(b"fn a() {}\n", &cfg), FileStatus::Indexed);
        assert_eq!(classify(b"ab\0cd", &cfg), FileStatus::Binary);
        assert_eq!(classify(b"\xff\xfe fn", &cfg), FileStatus::NotUtf8);
        assert_eq!(classify(&vec![b'a'; 5000], &cfg), FileStatus::Minified);
        assert_eq!(
            classify("x\n".repeat(100).as_bytes(), &cfg),
            FileStatus::Outline
        );
        assert_eq!(
            classify("x\n".repeat(6000).as_bytes(), &cfg),
            FileStatus::TooLarge
        );
    }
}
