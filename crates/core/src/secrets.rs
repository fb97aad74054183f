//! Redaction of credentials in text that leaves the process: checker and tool output on its way
//! to a model (local or escalated) or to the disk.
//!
//! A test suite that prints the environment, a failing HTTP client that echoes its headers, a
//! `.env` file read by a tool: any of them can put a key into a prompt. Known key shapes are
//! replaced by `[REDACTED]` (with the shape's name), and so is every value of an environment
//! variable whose name says it holds a secret (`*_KEY`, `*_TOKEN`, `*_SECRET`, `*PASSWORD*`),
//! so a key of an unknown shape set in the environment is caught too.
//!
//! Invariant: redaction never lengthens a line by more than the marker and never removes text
//! that is not part of a matched secret; it is idempotent.

/// The replacement text.
pub const MARKER: &str = "[REDACTED]";

/// Known key shapes: a literal prefix and the characters the rest may hold, with the minimum
/// length of that rest (so `sk-` in prose is not a key).
const SHAPES: [(&str, usize); 10] = [
    ("sk-ant-", 20),
    ("sk-proj-", 20),
    ("sk-", 20),
    ("ghp_", 30),
    ("github_pat_", 30),
    ("gho_", 30),
    ("xoxb-", 20),
    ("xoxp-", 20),
    ("AKIA", 16),
    ("hf_", 30),
];

fn key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// `text` with every known key shape, bearer token, private key block and secret-named
/// environment value replaced by [`MARKER`].
pub fn redact(text: &str) -> String {
    redact_with(text, &secret_env_values())
}

/// [`redact`] with an explicit list of secret values (tests; callers that know their keys).
pub fn redact_with(text: &str, values: &[String]) -> String {
    let mut out = redact_blocks(text);
    for v in values {
        if v.len() >= 8 && out.contains(v.as_str()) {
            out = out.replace(v.as_str(), MARKER);
        }
    }
    redact_shapes(&out)
}

/// PEM private key blocks, whole.
fn redact_blocks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let header_end = rest[start..].find("-----\n").map(|e| start + e);
        let is_private = rest[start..]
            .lines()
            .next()
            .is_some_and(|l| l.contains("PRIVATE KEY"));
        match (is_private, header_end) {
            (true, Some(_)) => {
                out.push_str(&rest[..start]);
                let end = rest[start..]
                    .find("-----END ")
                    .and_then(|e| rest[start + e..].find("-----\n").map(|f| start + e + f + 6))
                    .unwrap_or(rest.len());
                out.push_str(MARKER);
                out.push('\n');
                rest = &rest[end.min(rest.len())..];
            }
            _ => {
                out.push_str(&rest[..start + 11]);
                rest = &rest[start + 11..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn redact_shapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    'scan: while i < text.len() {
        // A token starts at a non-key character boundary.
        let at_start = i == 0 || !key_char(text[..i].chars().next_back().unwrap_or(' '));
        if at_start {
            for (prefix, min) in SHAPES {
                if text[i..].starts_with(prefix) {
                    let rest_len = text[i + prefix.len()..]
                        .find(|c: char| !key_char(c))
                        .unwrap_or(text.len() - i - prefix.len());
                    if rest_len >= min {
                        out.push_str(MARKER);
                        i += prefix.len() + rest_len;
                        continue 'scan;
                    }
                }
            }
            // `Bearer <token>` and `Authorization: <token>`.
            for lead in ["Bearer ", "bearer "] {
                if text[i..].starts_with(lead) {
                    let tok = &text[i + lead.len()..];
                    let n = tok.find(char::is_whitespace).unwrap_or(tok.len());
                    if n >= 8 {
                        out.push_str(lead);
                        out.push_str(MARKER);
                        i += lead.len() + n;
                        continue 'scan;
                    }
                }
            }
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// Keys this process learned without a telling name: the API key read through `api_key_env`
/// (any variable name) or `api_key_cmd` ([`register`]).
static KNOWN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Adds `value` to what [`redact`] removes: a key the process holds whose variable name (or
/// command) does not say it is one. Values shorter than 8 characters are ignored, like in the
/// environment scan, so that a short word is never blanked everywhere.
pub fn register(value: &str) {
    let value = value.trim();
    if value.len() < 8 {
        return;
    }
    let mut known = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    if !known.iter().any(|k| k == value) {
        known.push(value.to_string());
    }
}

/// Values of environment variables whose names say they hold a secret, and the keys given to
/// [`register`]: what [`redact`] removes besides the known shapes.
pub fn secret_env_values() -> Vec<String> {
    let mut out: Vec<String> = KNOWN.lock().map(|k| k.clone()).unwrap_or_default();
    out.extend(env_values());
    out
}

fn env_values() -> Vec<String> {
    std::env::vars()
        .filter(|(k, v)| {
            let k = k.to_ascii_uppercase();
            v.len() >= 8
                && (k.ends_with("_KEY")
                    || k.ends_with("_TOKEN")
                    || k.ends_with("_SECRET")
                    || k.contains("PASSWORD")
                    || k.contains("API_KEY"))
        })
        .map(|(_, v)| v)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_shapes_bearer_tokens_and_private_keys_are_redacted() {
        let t = "key=sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123 and ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        let r = redact_with(t, &[]);
        assert_eq!(r, "key=[REDACTED] and [REDACTED]");
        assert_eq!(
            redact_with("Authorization: Bearer abcdef123456", &[]),
            "Authorization: Bearer [REDACTED]"
        );
        let pem = "x\n-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\ny\n";
        assert_eq!(redact_with(pem, &[]), "x\n[REDACTED]\ny\n");
        let cert = "-----BEGIN CERTIFICATE-----\nabc\n";
        assert_eq!(
            redact_with(cert, &[]),
            cert,
            "a certificate is not a secret"
        );
    }

    #[test]
    fn prose_and_short_prefixes_stay() {
        for t in [
            "the sk- prefix",
            "task-list",
            "AKIA",
            "use hf_hub",
            "Bearer x",
        ] {
            assert_eq!(redact_with(t, &[]), t);
        }
    }

    #[test]
    fn environment_values_are_redacted_whatever_their_shape() {
        let t = "connecting with token 7f3a9b2c1d0e and more";
        assert_eq!(
            redact_with(t, &["7f3a9b2c1d0e".to_string()]),
            "connecting with token [REDACTED] and more"
        );
        let once = redact_with(t, &["7f3a9b2c1d0e".to_string()]);
        assert_eq!(
            redact_with(&once, &["7f3a9b2c1d0e".to_string()]),
            once,
            "idempotent"
        );
    }

    #[test]
    fn a_registered_key_is_redacted_whatever_its_variable_name() {
        register("llm-key-registered-4b1d9e");
        register("short");
        assert!(secret_env_values().contains(&"llm-key-registered-4b1d9e".to_string()));
        assert!(!secret_env_values().contains(&"short".to_string()));
        assert_eq!(
            redact("the key is llm-key-registered-4b1d9e."),
            "the key is [REDACTED]."
        );
    }
}
