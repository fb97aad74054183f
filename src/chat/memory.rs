//! Project memory: short notes the user wants every chat of a project to know (`/memory add`),
//! kept as paragraphs of `memory.md` in the project's data directory (the user's, never the
//! project's own files: a repository cannot plant what the model remembers).
//!
//! What reaches the model is chosen per message ([`select`]): notes that share words with the
//! message first, then the newest, while they fit in [`MEMORY_SHARE`] of the window. They go
//! into the new user message, never into the system message: a note picked for this message
//! and not the next must not change the prompt's stable prefix (which the server's KV cache
//! serves), only its volatile end.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use smallcode_core::budget::{count_tokens, Piece, PieceKind};

/// Most of the window the notes of one message may take. Defaults to 5%.
pub const MEMORY_SHARE: f64 = 0.05;
/// Longest note accepted by `/memory add`, in characters.
pub const MAX_NOTE: usize = 1000;

/// The memory file of the project at `root`.
pub fn path(root: &Path) -> PathBuf {
    smallcode_agent::trust::project_data_dir(&smallcode_agent::trust::default_data_dir(), root)
        .join("memory.md")
}

/// The notes of the project at `root`, in file order (none when there is no file).
pub fn notes(root: &Path) -> Vec<String> {
    read(&path(root))
}

fn read(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .map(|t| {
            t.split("\n\n")
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn write(file: &Path, notes: &[String]) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut text = notes.join("\n\n");
    if !text.is_empty() {
        text.push('\n');
    }
    // Atomic: a crash leaves the old file or the new one.
    let tmp = file.with_extension("md.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, file)
}

/// `/memory add TEXT`: appends a note (blank lines inside it are folded, it stays one note).
pub fn add(root: &Path, text: &str) -> Result<String, String> {
    let note: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let note = note.join("\n");
    if note.trim().is_empty() {
        return Err("usage: /memory add TEXT (one note the model should keep in mind)".into());
    }
    if note.chars().count() > MAX_NOTE {
        return Err(format!(
            "a note has at most {MAX_NOTE} characters (this one has {}): keep notes short, the window is small",
            note.chars().count()
        ));
    }
    let file = path(root);
    let mut all = read(&file);
    all.push(note);
    write(&file, &all).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    Ok(format!(
        "Remembered as note {} ({}).",
        all.len(),
        file.display()
    ))
}

/// `/memory list`: the notes, numbered.
pub fn list(root: &Path) -> String {
    let file = path(root);
    let all = read(&file);
    if all.is_empty() {
        return format!(
            "No notes for this project yet: /memory add TEXT remembers one ({}).\n",
            file.display()
        );
    }
    let mut out = format!("Notes ({}):\n", file.display());
    for (i, n) in all.iter().enumerate() {
        let mut lines = n.lines();
        out.push_str(&format!("{:>3}. {}\n", i + 1, lines.next().unwrap_or("")));
        for l in lines {
            out.push_str(&format!("     {l}\n"));
        }
    }
    out
}

/// `/memory forget N`: removes note N (1-based, as `/memory list` numbers them).
pub fn forget(root: &Path, arg: &str) -> Result<String, String> {
    let file = path(root);
    let mut all = read(&file);
    let n: usize = arg
        .trim()
        .parse()
        .map_err(|_| format!("usage: /memory forget N, N from 1 to {}", all.len()))?;
    if n == 0 || n > all.len() {
        return Err(format!(
            "no note {n}: there are {} (see /memory list)",
            all.len()
        ));
    }
    let gone = all.remove(n - 1);
    write(&file, &all).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    Ok(format!(
        "Forgot note {n}: {}",
        gone.lines().next().unwrap_or("")
    ))
}

/// The notes for one message: those sharing words with it first (more shared words first),
/// then the newest, while their tokens stay within `MEMORY_SHARE` of `context`; in file order.
pub fn select(notes: &[String], message: &str, context: usize) -> Vec<Piece> {
    let cap = (context as f64 * MEMORY_SHARE) as usize;
    let words = |s: &str| -> HashSet<String> {
        s.split(|c: char| !c.is_alphanumeric() && c != '_')
            .filter(|w| w.len() >= 3)
            .map(str::to_lowercase)
            .collect()
    };
    let asked = words(message);
    let mut ranked: Vec<(usize, usize)> = notes
        .iter()
        .enumerate()
        .map(|(i, n)| (words(n).intersection(&asked).count(), i))
        .collect();
    // More shared words first; among equals, the newest first.
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let mut used = 0;
    let mut chosen: Vec<usize> = Vec::new();
    for (_, i) in ranked {
        let cost = count_tokens(&notes[i]) + 2;
        if used + cost > cap {
            continue;
        }
        used += cost;
        chosen.push(i);
    }
    chosen.sort_unstable();
    chosen
        .into_iter()
        .map(|i| {
            Piece::text(
                PieceKind::Memory,
                format!("memory:{}", i + 1),
                notes[i].clone(),
            )
            .with_score(-(i as f64))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relevant_notes_win_within_the_share() {
        let notes: Vec<String> = (0..40)
            .map(|i| format!("note {i}: the project uses tabs and runs pytest -q for item{i}"))
            .chain(["Always use the logging module instead of print".to_string()])
            .collect();
        let picked = select(&notes, "why is there a print in logging?", 4096);
        let total: usize = picked
            .iter()
            .map(|p| count_tokens(p.full.as_deref().unwrap_or("")) + 2)
            .sum();
        assert!(total <= 204, "within 5% of 4096: {total}");
        assert!(
            picked.iter().any(|p| p.id == "memory:41"),
            "the relevant note is in: {picked:?}"
        );
        let ids: Vec<&str> = picked.iter().map(|p| p.id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort_by_key(|id| id[7..].parse::<usize>().unwrap());
        assert_eq!(ids, sorted, "file order");
    }

    #[test]
    fn add_list_forget() {
        let data = std::env::temp_dir().join(format!("smallcode-memory-{}", std::process::id()));
        let file = data.join("memory.md");
        let _ = std::fs::remove_dir_all(&data);
        write(&file, &["one".into(), "two\nlines".into()]).unwrap();
        assert_eq!(read(&file), ["one", "two\nlines"]);
        let mut all = read(&file);
        all.remove(0);
        write(&file, &all).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "two\nlines\n");
        let _ = std::fs::remove_dir_all(&data);
    }
}
