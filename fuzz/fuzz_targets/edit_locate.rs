//! The edit matcher (crates/core/src/edit/matcher.rs `locate`): never panics, a match is a byte
//! range on char boundaries inside the file, and an exact match is the needle itself. Half the
//! inputs take the needle from the file (with noise), so the loose strategies run too.
#![no_main]

use smallcode_core::edit::{locate, Strategy};

libfuzzer_sys::fuzz_target!(|input: (&str, &str, Option<(u16, u16)>)| {
    let (hay, extra, slice) = input;
    let needle = match slice {
        Some((from, len)) if !hay.is_empty() => {
            let mut a = usize::from(from) % hay.len();
            while !hay.is_char_boundary(a) {
                a -= 1;
            }
            let mut b = (a + usize::from(len)).min(hay.len());
            while !hay.is_char_boundary(b) {
                b -= 1;
            }
            // The model's copy: the slice with `extra` spliced into its middle.
            let mut mid = a + (b - a) / 2;
            while !hay.is_char_boundary(mid) {
                mid -= 1;
            }
            format!("{}{extra}{}", &hay[a..mid], &hay[mid..b])
        }
        _ => extra.to_string(),
    };
    match locate(hay, &needle) {
        Ok(m) => {
            let found = hay
                .get(m.range.clone())
                .expect("range inside the file, on char boundaries");
            if m.strategy == Strategy::Exact {
                assert_eq!(found, needle);
            }
            assert!((0.0..=1.0).contains(&m.score));
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
