//! The size of the window: reply reserve and Ollama's `num_ctx`.

use super::config::BudgetConfig;

/// Tokens kept free for the model's reply in a window of `context` tokens:
/// `reply_fraction × context`, clamped to `[reply_min, reply_max]`, and never more than half
/// the window (a 512-token window still needs room for its prompt).
///
/// Send the same number as the request's `max_tokens`: without it llama-server generates until
/// the window is full.
pub fn reply_reserve(context: usize, cfg: &BudgetConfig) -> usize {
    let by_fraction = (context as f64 * cfg.reply_fraction).round() as usize;
    by_fraction
        .clamp(cfg.reply_min, cfg.reply_max.max(cfg.reply_min))
        .min(context / 2)
}

/// The `options.num_ctx` to send to Ollama: prompt plus reply, rounded up to a multiple of
/// `step`, capped at the model's trained maximum.
///
/// Why round: Ollama reloads the model (and loses its KV cache) whenever `num_ctx` changes, so
/// a value that moved with every prompt would cost a reload per turn. Why cap: beyond the trained
/// maximum the model degrades, and Ollama would silently truncate anyway.
pub fn ollama_num_ctx(
    prompt_tokens: usize,
    reply: usize,
    trained_max: usize,
    step: usize,
) -> usize {
    let need = prompt_tokens + reply;
    let step = step.max(1);
    let rounded = need.div_ceil(step) * step;
    rounded.min(trained_max).max(need.min(trained_max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_reserve_is_clamped() {
        let cfg = BudgetConfig::default();
        assert_eq!(reply_reserve(4096, &cfg), 1024);
        assert_eq!(reply_reserve(32768, &cfg), 2048, "capped at reply_max");
        assert_eq!(reply_reserve(800, &cfg), 256, "raised to reply_min");
        assert_eq!(
            reply_reserve(300, &cfg),
            150,
            "never more than half the window"
        );
    }

    #[test]
    fn num_ctx_rounds_up_and_caps() {
        assert_eq!(ollama_num_ctx(3000, 1024, 32768, 2048), 4096);
        assert_eq!(ollama_num_ctx(3100, 1024, 32768, 2048), 6144);
        assert_eq!(
            ollama_num_ctx(30000, 2048, 32768, 2048),
            32768,
            "capped at trained max"
        );
        assert_eq!(ollama_num_ctx(100, 100, 8192, 1), 200);
    }
}
