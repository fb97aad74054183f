//! Token counting: one shared fast estimator plus a per-model calibration.
//!
//! The estimator is tiktoken's cl100k_base, compiled in (works offline). Building it costs
//! 0.2–0.4 s, so it is built once, on first use, and shared by every caller. Local models use
//! other tokenizers (SmolLM2, Qwen, Gemma, Llama…), so raw counts are only an estimate;
//! [`Calibration`] keeps the ratio real/estimated per model, learnt from counts the server
//! reports (llama.cpp `POST /tokenize`, Ollama's `prompt_eval_count`), and adds a safety margin.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::OnceLock;

use tiktoken_rs::CoreBPE;

/// The shared encoder: built once because construction costs 0.2–0.4 s.
static ENCODER: OnceLock<CoreBPE> = OnceLock::new();

fn encoder() -> &'static CoreBPE {
    ENCODER.get_or_init(|| tiktoken_rs::cl100k_base().expect("cl100k_base is compiled in"))
}

/// Estimated token count of `text` with cl100k_base (no special tokens).
///
/// This is the project-wide fast estimator (1–3 M tokens/s in release builds); pass the result
/// through a [`Calibration`] to get a count in the model's own tokens.
pub fn count_tokens(text: &str) -> usize {
    if text.is_empty() {
        return 0;
    }
    encoder().encode_ordinary(text).len()
}

/// Per-model correction of the estimator: `model tokens ≈ estimate × ratio × (1 + margin)`.
///
/// Why: the estimator's vocabulary is not the model's, and going over the window is silent
/// truncation on Ollama and a hard error on llama.cpp. The ratio rises at once when the server
/// counts more than we thought and falls slowly when it counts less, so one short sample
/// cannot make the budget optimistic.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    ratio: f64,
    margin: f64,
    samples: u32,
}

/// How fast the ratio falls towards a lower observation (exponential moving average weight).
const DECAY: f64 = 0.25;

/// Samples with fewer estimated tokens than this are ignored: tiny texts give noisy ratios.
const MIN_SAMPLE_EST: usize = 32;

impl Calibration {
    /// A calibration that has seen no sample yet: `initial_ratio` is the guess for an unknown
    /// tokenizer and `margin` the fraction always added on top (see [`crate::budget::BudgetConfig`]).
    pub fn new(initial_ratio: f64, margin: f64) -> Self {
        Self {
            ratio: initial_ratio.max(0.1),
            margin: margin.max(0.0),
            samples: 0,
        }
    }

    /// Current ratio model tokens / estimated tokens (before the margin).
    pub fn ratio(&self) -> f64 {
        self.ratio
    }

    /// The safety margin added on top of the ratio, as a fraction.
    pub fn margin(&self) -> f64 {
        self.margin
    }

    /// How many server counts have been folded in; 0 means the ratio is still the initial guess.
    pub fn samples(&self) -> u32 {
        self.samples
    }

    /// Fold in one exact count, e.g. the length of llama.cpp's `POST /tokenize` answer for a
    /// text whose estimate was `estimated`. The first sample replaces the initial guess.
    pub fn observe(&mut self, estimated: usize, real: usize) {
        if estimated < MIN_SAMPLE_EST || real == 0 {
            return;
        }
        let seen = real as f64 / estimated as f64;
        self.ratio = if self.samples == 0 || seen > self.ratio {
            seen
        } else {
            self.ratio + DECAY * (seen - self.ratio)
        };
        self.samples += 1;
        tracing::debug!(
            "[budget] calibration: est {estimated} real {real} → ratio {:.3}",
            self.ratio
        );
    }

    /// Fold in Ollama's `prompt_eval_count` for a prompt whose estimate was `estimated`.
    ///
    /// Ollama counts only the tokens it evaluated, so a prompt served partly from its cache
    /// reports fewer. A count below half the uncalibrated estimate is taken as such a cache hit
    /// and ignored rather than letting it drag the ratio down.
    pub fn observe_ollama(&mut self, estimated: usize, prompt_eval_count: usize) {
        if (prompt_eval_count as f64) < 0.5 * estimated as f64 {
            tracing::debug!("[budget] calibration: ignoring prompt_eval_count {prompt_eval_count} (likely cached)");
            return;
        }
        self.observe(estimated, prompt_eval_count);
    }

    /// Convert an estimator count into model tokens, rounded up, margin included.
    pub fn to_model(&self, estimated: usize) -> usize {
        // The small epsilon keeps float noise (100 × 1.1 = 110.000…01) from adding a token.
        (estimated as f64 * self.ratio * (1.0 + self.margin) - 1e-9)
            .ceil()
            .max(0.0) as usize
    }

    /// Model tokens for `text` (estimate, then [`Self::to_model`]).
    pub fn count(&self, text: &str) -> usize {
        self.to_model(count_tokens(text))
    }

    /// Whether a prompt of `model_tokens` is close enough to `limit` that the caller should count
    /// it exactly with the server (llama.cpp `/tokenize`) before sending it.
    pub fn near_limit(&self, model_tokens: usize, limit: usize, fraction: f64) -> bool {
        model_tokens as f64 >= fraction * limit as f64
    }
}

impl Default for Calibration {
    /// Uncalibrated: ratio 1.2 and margin 0.05, the defaults of [`crate::budget::BudgetConfig`].
    fn default() -> Self {
        Self::new(1.2, 0.05)
    }
}

/// Memo of estimator counts keyed by a hash of the text.
///
/// Why: the same symbol bodies, outlines and history turns come back every turn; counting them
/// again would cost more than the 20 ms assembly budget on a large candidate set. The cache is
/// cleared wholesale when it reaches `capacity` entries, which keeps it bounded and simple.
#[derive(Debug, Clone)]
pub struct TokenCache {
    map: HashMap<u64, u32>,
    capacity: usize,
}

impl TokenCache {
    /// An empty cache holding at most `capacity` counts.
    pub fn new(capacity: usize) -> Self {
        Self {
            map: HashMap::new(),
            capacity: capacity.max(1),
        }
    }

    /// Estimator count of `text`, from the cache when this exact text was counted before.
    pub fn estimate(&mut self, text: &str) -> usize {
        if text.len() < 64 {
            return count_tokens(text);
        }
        let mut h = DefaultHasher::new();
        text.hash(&mut h);
        let key = h.finish();
        if let Some(&n) = self.map.get(&key) {
            return n as usize;
        }
        let n = count_tokens(text);
        if self.map.len() >= self.capacity {
            self.map.clear();
        }
        self.map.insert(key, n as u32);
        n
    }

    /// Number of cached counts.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl Default for TokenCache {
    /// 50,000 entries: a large repository's symbols for many turns, a few MB of memory.
    fn default() -> Self {
        Self::new(50_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_known_text() {
        assert_eq!(count_tokens(""), 0);
        assert_eq!(count_tokens("hello world"), 2);
        assert!(count_tokens("fn main() { println!(\"hi\"); }") > 5);
    }

    #[test]
    fn first_sample_replaces_guess_then_rises_fast_and_falls_slowly() {
        let mut c = Calibration::new(1.2, 0.0);
        c.observe(100, 110);
        assert!((c.ratio() - 1.1).abs() < 1e-9);
        c.observe(100, 130);
        assert!((c.ratio() - 1.3).abs() < 1e-9, "rises at once");
        c.observe(100, 100);
        assert!(
            c.ratio() > 1.2 && c.ratio() < 1.3,
            "falls slowly: {}",
            c.ratio()
        );
        assert_eq!(c.samples(), 3);
    }

    #[test]
    fn tiny_samples_and_cache_hits_are_ignored() {
        let mut c = Calibration::new(1.2, 0.0);
        c.observe(10, 30);
        assert_eq!(c.samples(), 0);
        c.observe_ollama(1000, 200);
        assert_eq!(c.samples(), 0);
        c.observe_ollama(1000, 1050);
        assert_eq!(c.samples(), 1);
    }

    #[test]
    fn to_model_rounds_up_with_margin() {
        let c = Calibration::new(1.0, 0.1);
        assert_eq!(c.to_model(100), 110);
        assert_eq!(c.to_model(101), 112);
        assert_eq!(c.to_model(0), 0);
        assert!(c.near_limit(950, 1000, 0.9));
        assert!(!c.near_limit(800, 1000, 0.9));
    }

    #[test]
    fn cache_returns_same_counts() {
        let mut cache = TokenCache::new(2);
        let long = "let x = 1;\n".repeat(20);
        let a = cache.estimate(&long);
        assert_eq!(a, count_tokens(&long));
        assert_eq!(cache.estimate(&long), a);
        assert_eq!(cache.len(), 1);
    }
}
