//! Persistence: every redb table definition and the schema version live here.
//!
//! One database per project. The `files` table maps a project-relative path to its encoded
//! [`FileRecord`] (content hash, mtime, size, symbols), so a restart re-parses only files whose
//! mtime or size changed. The `meta` table holds [`SCHEMA_VERSION`]; a database with another
//! version, a record that does not decode, or a file redb cannot open is deleted and rebuilt,
//! never misread.
//!
//! redb locks the file exclusively. When another process (a second Neovim on the same project)
//! holds it, [`Store::open`] works on a private copy of the file (warm start, changes discarded at
//! exit), or, if that cannot be opened either, on an in-memory database (cold start). It logs
//! why and never fails because of the lock.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use redb::backends::InMemoryBackend;
use redb::{Database, DatabaseError, ReadableDatabase, ReadableTable, TableDefinition};

use super::codec::{self, FileRecord};
use super::error::{GraphError, Result};

/// Bump on any change to the tables or to [`codec`]'s format: older databases are rebuilt.
pub const SCHEMA_VERSION: u32 = 1;

/// `"schema"` → version as 4 little-endian bytes.
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Project-relative `/`-separated path → [`codec::encode`]d [`FileRecord`].
const FILES: TableDefinition<&str, &[u8]> = TableDefinition::new("files");

/// Which database the graph ended up using, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreMode {
    /// The project's database file, owned by this process.
    Disk,
    /// A private copy, because another process holds the lock. Changes are not kept.
    PrivateCopy {
        /// Why the real file could not be used.
        reason: String,
    },
    /// No file at all (configured, or every file-backed option failed).
    Memory {
        /// Why.
        reason: String,
    },
}

/// The open database.
pub struct Store {
    db: Database,
    mode: StoreMode,
    path: PathBuf,
    /// The private copy, deleted on drop.
    temp: Option<TempFile>,
}

/// A file deleted when dropped (the private copy of a locked database).
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Records loaded at open: `(path, record)` in path order.
pub type Loaded = Vec<(String, FileRecord)>;

impl Store {
    /// Opens (or creates) the database at `path` and loads every record. `None` for `path` means
    /// an in-memory database. `own_dir`: the file's directory is smallcode's own (not one the
    /// user named), so it gets the `*` .gitignore even when it already existed.
    pub fn open(path: Option<&Path>, own_dir: bool) -> Result<(Store, Loaded)> {
        let Some(path) = path else {
            return Store::memory("configured in memory".into());
        };
        if let Some(dir) = path.parent() {
            let created = !dir.exists();
            std::fs::create_dir_all(dir).map_err(|e| GraphError::io(dir, e))?;
            // Keep the database out of the user's commits without touching their .gitignore:
            // only in smallcode's own directory (`.smallcode/`, the cache) or one made for the
            // database here. An `*` ignore written beside a database the user placed in an
            // existing directory would hide that whole directory (and every project below
            // it) from git and from the index.
            let ignore = dir.join(".gitignore");
            if (own_dir || created) && !ignore.exists() {
                let _ = std::fs::write(
                    &ignore,
                    "# created by smallcode: nothing here belongs in git\n*\n",
                );
            }
        }
        match Database::create(path) {
            Ok(db) => Store::checked(Store {
                db,
                mode: StoreMode::Disk,
                path: path.to_path_buf(),
                temp: None,
            }),
            Err(DatabaseError::DatabaseAlreadyOpen) => {
                let reason = format!("{} is locked by another process", path.display());
                tracing::warn!("[graph] {reason}; using a private copy");
                match Store::private_copy(path) {
                    Ok((db, temp)) => {
                        let s = Store {
                            db,
                            mode: StoreMode::PrivateCopy { reason },
                            path: temp.clone(),
                            temp: Some(TempFile(temp)),
                        };
                        Store::checked(s)
                    }
                    Err(e) => Store::memory(format!("{reason}, and its copy failed: {e}")),
                }
            }
            Err(e) => {
                tracing::warn!(
                    "[graph] {} cannot be opened ({e}); rebuilding it",
                    path.display()
                );
                let _ = std::fs::remove_file(path);
                match Database::create(path) {
                    Ok(db) => Store::checked(Store {
                        db,
                        mode: StoreMode::Disk,
                        path: path.to_path_buf(),
                        temp: None,
                    }),
                    Err(e2) => Store::memory(format!("{} unusable: {e2}", path.display())),
                }
            }
        }
    }

    fn memory(reason: String) -> Result<(Store, Loaded)> {
        tracing::info!("[graph] in-memory graph database: {reason}");
        let mem = Path::new("<memory>");
        let db = Database::builder()
            .create_with_backend(InMemoryBackend::new())
            .map_err(|e| GraphError::db(mem, e))?;
        let s = Store {
            db,
            mode: StoreMode::Memory { reason },
            path: mem.to_path_buf(),
            temp: None,
        };
        s.write_schema()?;
        Ok((s, Vec::new()))
    }

    fn private_copy(path: &Path) -> std::io::Result<(Database, PathBuf)> {
        static N: AtomicU32 = AtomicU32::new(0);
        let temp = std::env::temp_dir().join(format!(
            "smallcode-graph-{}-{}.redb",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::copy(path, &temp)?;
        // The copy may catch the owner mid-commit; redb repairs or refuses, and `checked` rebuilds.
        match Database::create(&temp) {
            Ok(db) => Ok((db, temp)),
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                Err(std::io::Error::other(e))
            }
        }
    }

    /// Verifies the schema version and decodes every record; rebuilds on any mismatch.
    fn checked(self) -> Result<(Store, Loaded)> {
        match self.load() {
            Ok(Some(records)) => Ok((self, records)),
            Ok(None) => {
                self.write_schema()?;
                Ok((self, Vec::new()))
            }
            Err(why) => {
                tracing::warn!("[graph] rebuilding {}: {why}", self.path.display());
                self.rebuild()
            }
        }
    }

    fn rebuild(self) -> Result<(Store, Loaded)> {
        let Store {
            db,
            mode,
            path,
            temp,
        } = self;
        drop(db);
        let _ = std::fs::remove_file(&path);
        match Database::create(&path) {
            Ok(db) => {
                let s = Store {
                    db,
                    mode,
                    path,
                    temp,
                };
                s.write_schema()?;
                Ok((s, Vec::new()))
            }
            Err(e) => Store::memory(format!("{} could not be recreated: {e}", path.display())),
        }
    }

    /// `Ok(None)`: a fresh, empty database. `Err(reason)`: wrong version or damaged content.
    fn load(&self) -> std::result::Result<Option<Loaded>, String> {
        let tx = self.db.begin_read().map_err(|e| e.to_string())?;
        let meta = match tx.open_table(META) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.to_string()),
        };
        let version = meta
            .get("schema")
            .map_err(|e| e.to_string())?
            .map(|v| v.value().to_vec());
        match version.as_deref() {
            Some(v) if v == SCHEMA_VERSION.to_le_bytes() => {}
            Some(v) => {
                return Err(format!(
                    "schema version {v:?}, this build uses {SCHEMA_VERSION}"
                ))
            }
            None => return Err("no schema version".into()),
        }
        let files = match tx.open_table(FILES) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Some(Vec::new())),
            Err(e) => return Err(e.to_string()),
        };
        let mut raw = Vec::new();
        for item in files.iter().map_err(|e| e.to_string())? {
            let (k, v) = item.map_err(|e| e.to_string())?;
            raw.push((k.value().to_string(), v.value().to_vec()));
        }
        decode_all(raw).map(Some)
    }

    fn write_schema(&self) -> Result<()> {
        let tx = self
            .db
            .begin_write()
            .map_err(|e| GraphError::db(&self.path, e))?;
        {
            let mut meta = tx
                .open_table(META)
                .map_err(|e| GraphError::db(&self.path, e))?;
            meta.insert("schema", SCHEMA_VERSION.to_le_bytes().as_slice())
                .map_err(|e| GraphError::db(&self.path, e))?;
            tx.open_table(FILES)
                .map_err(|e| GraphError::db(&self.path, e))?;
        }
        tx.commit().map_err(|e| GraphError::db(&self.path, e))
    }

    /// Writes `puts` and deletes `dels` in one transaction.
    pub fn apply(&self, puts: &[(String, Vec<u8>)], dels: &[String]) -> Result<()> {
        if puts.is_empty() && dels.is_empty() {
            return Ok(());
        }
        let p = &self.path;
        let tx = self.db.begin_write().map_err(|e| GraphError::db(p, e))?;
        {
            let mut t = tx.open_table(FILES).map_err(|e| GraphError::db(p, e))?;
            for (k, v) in puts {
                t.insert(k.as_str(), v.as_slice())
                    .map_err(|e| GraphError::db(p, e))?;
            }
            for k in dels {
                t.remove(k.as_str()).map_err(|e| GraphError::db(p, e))?;
            }
        }
        tx.commit().map_err(|e| GraphError::db(p, e))
    }

    /// Which database is in use.
    pub fn mode(&self) -> &StoreMode {
        &self.mode
    }

    /// The file in use (`<memory>` when none).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Decodes stored records on every core (decoding dominates a warm start), keeping their order.
fn decode_all(raw: Vec<(String, Vec<u8>)>) -> std::result::Result<Loaded, String> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = raw.len().div_ceil(threads).max(64);
    let decoded: Vec<std::result::Result<Loaded, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = raw
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|(k, v)| {
                            codec::decode(v)
                                .map(|rec| (k.clone(), rec))
                                .map_err(|e| format!("{k}: {e}"))
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a decoding thread panicked".to_string()))
            })
            .collect()
    });
    let mut out = Vec::with_capacity(raw.len());
    for part in decoded {
        out.extend(part?);
    }
    Ok(out)
}
