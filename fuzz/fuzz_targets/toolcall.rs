//! Tool-call extraction and JSON repair (crates/core/src/toolcall) on random text: never panics,
//! valid JSON is never "repaired" into another value, and a call list is never empty.
#![no_main]

use smallcode_core::toolcall::{
    self, repair_json, Outcome, Param, ParamKind, RepairStats, ToolSpec,
};

fn specs() -> Vec<ToolSpec> {
    let p = |name, kind, required| Param {
        name,
        kind,
        required,
        description: "",
    };
    vec![
        ToolSpec {
            name: "read",
            description: "Read a file.",
            params: vec![
                p("path", ParamKind::String, true),
                p("start", ParamKind::Integer, false),
            ],
        },
        ToolSpec {
            name: "edit",
            description: "Replace text in a file.",
            params: vec![
                p("path", ParamKind::String, true),
                p("old", ParamKind::String, true),
                p("new", ParamKind::String, true),
            ],
        },
        ToolSpec {
            name: "search",
            description: "Search the code.",
            params: vec![
                p("query", ParamKind::String, true),
                p("paths", ParamKind::StringList, false),
                p("regex", ParamKind::Boolean, false),
            ],
        },
    ]
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The reply split in two: content and reasoning.
    let cut = (0..=text.len() / 2)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let (content, reasoning) = text.split_at(cut);
    let specs = specs();
    let mut stats = RepairStats::default();
    for outcome in [
        toolcall::parse(content, reasoning, &[], &specs, &mut stats),
        toolcall::parse(text, "", &[], &specs, &mut stats),
        toolcall::parse("", "", &[("read".into(), text.into())], &specs, &mut stats),
    ] {
        match outcome {
            Outcome::Calls(calls) => assert!(!calls.is_empty()),
            Outcome::Invalid(e) => {
                let _ = e.retry_prompt();
            }
            Outcome::None => {}
        }
    }
    let _ = stats.to_string();
    match repair_json(text) {
        Ok((v, repaired)) => {
            if let Ok(strict) = serde_json::from_str::<serde_json::Value>(text.trim()) {
                assert_eq!(v, strict, "valid JSON read as another value");
                assert!(!repaired);
            }
        }
        Err(e) => {
            assert!(
                e.offset() <= text.len(),
                "error offset past the text: {e:?}"
            );
            let _ = toolcall::CallError::json(Some("read"), &e).to_string();
        }
    }
});
