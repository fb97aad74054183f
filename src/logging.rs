//! File logging and the panic hook.
//!
//! stdout is the msgpack-rpc channel: a single stray byte there makes Neovim drop the channel
//! ("Invalid channel"). tracing-subscriber's default writer *is* stdout, so logging always gets
//! an explicit file writer, and panics are written to the log (and stderr, which the Lua side
//! keeps for its crash report) instead of the default hook's output.

use std::path::{Path, PathBuf};

use tracing_subscriber::EnvFilter;

/// Where the log file goes when the caller gives no path: `$SMALLCODE_LOG`, else
/// `$XDG_STATE_HOME/nvim/smallcode.log` (Neovim's `stdpath('log')`), else
/// `~/.local/state/nvim/smallcode.log`.
pub fn default_log_path() -> PathBuf {
    if let Some(p) = std::env::var_os("SMALLCODE_LOG").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(std::env::temp_dir);
    state.join("nvim").join("smallcode.log")
}

/// Installs the file logger (level from `$SMALLCODE_LOG_LEVEL`, default `info`) and the panic
/// hook. Returns the path actually used. Failure to open the file is not fatal: logging is then
/// off, which is better than writing to stdout.
pub fn init(path: &Path) -> PathBuf {
    let filter =
        EnvFilter::try_from_env("SMALLCODE_LOG_LEVEL").unwrap_or_else(|_| EnvFilter::new("info"));
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    match std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        Ok(file) => {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_ansi(false)
                .with_writer(Redacting(std::sync::Mutex::new(file)))
                .try_init();
        }
        Err(e) => eprintln!("smallcode: cannot open log file {}: {e}", path.display()),
    }
    install_panic_hook();
    path.to_path_buf()
}

/// The log file's writer: every event is redacted ([`smallcode_core::secrets`]) before it is
/// written, so a key in a logged request, reply or error never reaches the file whatever the
/// level (SECURITY.md). tracing-subscriber formats an event into one buffer and writes it with
/// one `write_all`, so a key is never split across two writes.
struct Redacting(std::sync::Mutex<std::fs::File>);

/// One event's write into [`Redacting`]'s file.
struct RedactingWrite<'a>(&'a std::sync::Mutex<std::fs::File>);

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Redacting {
    type Writer = RedactingWrite<'a>;
    fn make_writer(&'a self) -> Self::Writer {
        RedactingWrite(&self.0)
    }
}

impl std::io::Write for RedactingWrite<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = smallcode_core::secrets::redact(&String::from_utf8_lossy(buf));
        let mut file = self.0.lock().unwrap_or_else(|e| e.into_inner());
        file.write_all(text.as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).flush()
    }
}

fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let bt = std::backtrace::Backtrace::force_capture();
        tracing::error!("[panic] {info}\n{bt}");
        // stderr, never stdout: Lua keeps the last stderr lines for its crash report.
        eprintln!("smallcode panicked: {info}");
    }));
}
