//! The graph layer's error type: one case per failure, each naming the bad value.

use std::path::PathBuf;

/// Why a graph operation failed. Skipped files and unusable grammars are *not* errors: they are
/// counted and logged, and indexing goes on.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// The project root is missing or not a directory.
    #[error("project root {0} is not a directory")]
    NotADirectory(PathBuf),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The database failed in a way rebuilding could not fix.
    #[error("graph database {path}: {source}")]
    Database {
        /// The database file (`<memory>` for the in-memory fallback).
        path: PathBuf,
        /// redb's error.
        source: Box<redb::Error>,
    },
    /// A configuration value is out of range.
    #[error("graph config: {field} = {value} is invalid: {why}")]
    Config {
        /// Field name.
        field: &'static str,
        /// The value given.
        value: String,
        /// What is allowed.
        why: &'static str,
    },
}

/// Shorthand for graph results.
pub type Result<T, E = GraphError> = std::result::Result<T, E>;

impl GraphError {
    pub(crate) fn db(path: &std::path::Path, e: impl Into<redb::Error>) -> GraphError {
        GraphError::Database {
            path: path.to_path_buf(),
            source: Box::new(e.into()),
        }
    }
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> GraphError {
        GraphError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
