//! `smallcode trust`: the user's trust decision for a project, from a shell or from Neovim
//! (`:SmallCode trust` runs it), over the same store the agent reads
//! (`smallcode_agent::trust`, in the user's data directory, never in the project).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use smallcode_agent::trust::{default_data_dir, fingerprint, TrustState, TrustStore};

/// What to do with the project's trust.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TrustAction {
    /// Print whether the project is trusted (exit 0 when it is, 1 otherwise).
    Status,
    /// Trust the project as it is now (its test and build configuration is fingerprinted).
    Grant,
    /// Forget the project's trust.
    Revoke,
}

/// Arguments of `smallcode trust`.
#[derive(Debug, Args)]
pub struct TrustArgs {
    /// What to do.
    #[arg(value_enum, default_value_t = TrustAction::Status)]
    pub action: TrustAction,
    /// The project root.
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    /// The data directory holding the store (default: `$XDG_DATA_HOME/smallcode`).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Print one JSON object (`{state, changed, files}`) instead of a sentence.
    #[arg(long)]
    pub json: bool,
}

/// Runs `smallcode trust`.
pub fn main(args: TrustArgs) -> ExitCode {
    if !args.dir.is_dir() {
        eprintln!("trust: --dir {} is not a directory", args.dir.display());
        return ExitCode::from(2);
    }
    let store = TrustStore::new(&args.data_dir.unwrap_or_else(default_data_dir));
    let done = match args.action {
        TrustAction::Status => Ok(()),
        TrustAction::Grant => store.grant(&args.dir),
        TrustAction::Revoke => store.revoke(&args.dir),
    };
    if let Err(e) = done {
        eprintln!("trust: could not update the trust store: {e}");
        return ExitCode::FAILURE;
    }
    let state = store.state(&args.dir);
    let (word, changed) = match &state {
        TrustState::Trusted => ("trusted", Vec::new()),
        TrustState::Untrusted => ("untrusted", Vec::new()),
        TrustState::Changed(files) => ("changed", files.clone()),
    };
    if args.json {
        let files: Vec<String> = fingerprint(&args.dir).files.into_keys().collect();
        println!(
            "{}",
            serde_json::json!({ "state": word, "changed": changed, "files": files })
        );
    } else {
        match &state {
            TrustState::Trusted => println!("{}: trusted", args.dir.display()),
            TrustState::Untrusted => println!(
                "{}: not trusted (restricted: no tests, build scripts or commands run)",
                args.dir.display()
            ),
            TrustState::Changed(f) => println!(
                "{}: trust revoked, changed since it was granted: {}",
                args.dir.display(),
                f.join(", ")
            ),
        }
    }
    if matches!(state, TrustState::Trusted) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
