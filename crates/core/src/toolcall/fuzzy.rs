//! Matching a misspelt tool or argument name to the declared one.
//!
//! Small models write `Read`, `read-file`, `functions.read`, `reed` or `readFile`. A guess is
//! taken only when exactly one candidate fits at the best level, so a fuzzy match never picks
//! between two plausible tools.

/// How a name was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Match {
    /// Spelt exactly as declared.
    Exact(usize),
    /// Matched after normalising, by prefix or by a small edit distance (a repair).
    Fuzzy(usize),
    /// Nothing fits, or several fit equally well.
    None,
}

/// Matches `input` against `names`, returning the index of the chosen one.
pub(crate) fn resolve(input: &str, names: &[&str]) -> Match {
    if let Some(i) = names.iter().position(|n| *n == input) {
        return Match::Exact(i);
    }
    let want = normalize(input);
    if want.is_empty() {
        return Match::None;
    }
    let norm: Vec<String> = names.iter().map(|n| normalize(n)).collect();
    let squash = |s: &str| s.replace('_', "");
    let levels: [&dyn Fn(&str) -> bool; 3] = [
        &|n: &str| n == want,
        &|n: &str| squash(n) == squash(&want),
        // A unique prefix either way: `ed` → `edit`, `read_file` → `read`.
        &|n: &str| (want.len() >= 2 && n.starts_with(&want)) || want.starts_with(&format!("{n}_")),
    ];
    for level in levels {
        if let Some(i) = unique(norm.iter().map(|n| level(n))) {
            return Match::Fuzzy(i);
        }
    }
    let dists: Vec<usize> = norm.iter().map(|n| osa_distance(n, &want)).collect();
    let best = dists.iter().copied().min().unwrap_or(usize::MAX);
    let allowed = |n: &str| if n.chars().count() <= 4 { 1 } else { 2 };
    match unique(
        dists
            .iter()
            .zip(&norm)
            .map(|(d, n)| *d == best && *d <= allowed(n)),
    ) {
        Some(i) => Match::Fuzzy(i),
        None => Match::None,
    }
}

/// The index of the only `true`, if exactly one.
fn unique(hits: impl Iterator<Item = bool>) -> Option<usize> {
    let mut found = None;
    for (i, hit) in hits.enumerate() {
        if hit {
            if found.is_some() {
                return None;
            }
            found = Some(i);
        }
    }
    found
}

/// Lowercase, `-`/space → `_`, quotes and a namespace (`functions.`) dropped, camelCase split.
fn normalize(s: &str) -> String {
    let s = s.trim().trim_matches(['"', '\'', '`', '(', ')']);
    let s = s.rsplit('.').next().unwrap_or(s);
    let mut out = String::with_capacity(s.len() + 4);
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        match c {
            '-' | ' ' => out.push('_'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Optimal-string-alignment distance: edits plus adjacent swaps (`edti` → `edit` is 1).
fn osa_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Long names cannot be within 2 of each other if their lengths differ by more.
    if a.len().abs_diff(b.len()) > 2 || a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOOLS: &[&str] = &["read", "edit", "done", "search_code", "list_files"];

    #[test]
    fn levels() {
        assert_eq!(resolve("read", TOOLS), Match::Exact(0));
        assert_eq!(resolve("Read", TOOLS), Match::Fuzzy(0));
        assert_eq!(resolve("functions.edit", TOOLS), Match::Fuzzy(1));
        assert_eq!(resolve("search-code", TOOLS), Match::Fuzzy(3));
        assert_eq!(resolve("searchCode", TOOLS), Match::Fuzzy(3));
        assert_eq!(resolve("list", TOOLS), Match::Fuzzy(4));
        assert_eq!(resolve("read_file", TOOLS), Match::Fuzzy(0));
        assert_eq!(resolve("reed", TOOLS), Match::Fuzzy(0));
        assert_eq!(resolve("edti", TOOLS), Match::Fuzzy(1));
        assert_eq!(resolve("serch_cod", TOOLS), Match::Fuzzy(3));
    }

    #[test]
    fn no_guess_when_ambiguous_or_far() {
        assert_eq!(resolve("write", TOOLS), Match::None);
        assert_eq!(resolve("", TOOLS), Match::None);
        assert_eq!(resolve("d", TOOLS), Match::None);
        assert_eq!(resolve("bead", &["read", "bend"]), Match::None);
        assert_eq!(resolve("readme", TOOLS), Match::None);
    }

    #[test]
    fn distance() {
        assert_eq!(osa_distance("edit", "edti"), 1);
        assert_eq!(osa_distance("kitten", "sitting"), 3);
        assert_eq!(osa_distance("", "ab"), 2);
    }
}
