//! Helpers shared by the fuzz targets (each target includes this file with `#[path]`).
#![allow(dead_code)]

use smallcode_core::graph::codec::{self, FileRecord};
use smallcode_core::graph::extract;
use smallcode_core::graph::FileStatus;
use smallcode_core::syntax::language::language_by_name;
use smallcode_core::syntax::ParserPool;

/// Splits `data` into pieces whose sizes come from its first byte, so a stream parser sees its
/// input cut at arbitrary places (inside a UTF-8 character, a line, a `data:` prefix).
pub fn pieces(data: &[u8]) -> (Vec<&[u8]>, &[u8]) {
    let Some((&seed, body)) = data.split_first() else {
        return (Vec::new(), data);
    };
    let mut out = Vec::new();
    let mut rest = body;
    let mut step = usize::from(seed % 13) + 1;
    while !rest.is_empty() {
        let n = step.min(rest.len());
        out.push(&rest[..n]);
        rest = &rest[n..];
        step = (step * 7 + usize::from(seed)) % 17 + 1;
    }
    (out, body)
}

/// Tags extraction of `data` as `lang` (text as an editor or the indexer would give it: UTF-8,
/// invalid bytes replaced), whole and outline-only; the record then survives the database codec.
pub fn tags(lang: &str, data: &[u8]) {
    let lang = language_by_name(lang).expect("bundled language");
    let text = String::from_utf8_lossy(data);
    let src = text.as_bytes();
    let mut pool = ParserPool::new();
    let Some(tree) = pool.parse(lang, src, None) else {
        return;
    };
    for outline in [false, true] {
        let Some(symbols) = extract::extract(lang, &tree, src, &mut pool.cursor, outline) else {
            return;
        };
        for s in &symbols.symbols {
            assert!(
                s.span.end_byte as usize <= src.len(),
                "span past the text: {s:?}"
            );
        }
        let rec = FileRecord {
            hash: 1,
            mtime_ns: 2,
            size: src.len() as u64,
            lang: lang.name.to_string(),
            status: if outline {
                FileStatus::Outline
            } else {
                FileStatus::Indexed
            },
            symbols,
        };
        let back = codec::decode(&codec::encode(&rec)).expect("a record this build wrote decodes");
        assert_eq!(back, rec, "codec round trip");
    }
}
