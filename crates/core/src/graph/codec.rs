//! The compact binary encoding of one file's record in the database.
//!
//! Hand-written rather than serde-derived because warm start decodes every record (100k symbols
//! must load in well under 300 ms) and the format is private to this module: any change bumps
//! [`super::store::SCHEMA_VERSION`], and an old database is rebuilt, never misread. Integers are
//! LEB128 varints, strings are length-prefixed UTF-8. Decoding checks every length against the
//! buffer, so a damaged value is an error, not a panic.

use super::types::{FileSymbols, Import, RefKind, Reference, Span, Symbol, SymbolKind};

/// Why a file has no (or only partial) symbols. Stored so a warm start need not re-read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Fully indexed.
    Indexed,
    /// Above `max_file_bytes`: definitions only.
    Outline,
    /// Contains NUL bytes in its first 8 KiB.
    Binary,
    /// Not valid UTF-8.
    NotUtf8,
    /// Looks minified or generated (very long lines).
    Minified,
    /// Above `max_outline_bytes`: not parsed at all.
    TooLarge,
    /// The language's grammar or query is unusable in this build.
    NoGrammar,
}

impl FileStatus {
    /// Every status in code order.
    pub const ALL: [FileStatus; 7] = [
        FileStatus::Indexed,
        FileStatus::Outline,
        FileStatus::Binary,
        FileStatus::NotUtf8,
        FileStatus::Minified,
        FileStatus::TooLarge,
        FileStatus::NoGrammar,
    ];

    /// Short name for counts and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Indexed => "indexed",
            FileStatus::Outline => "outline",
            FileStatus::Binary => "binary",
            FileStatus::NotUtf8 => "not_utf8",
            FileStatus::Minified => "minified",
            FileStatus::TooLarge => "too_large",
            FileStatus::NoGrammar => "no_grammar",
        }
    }

    /// Whether the file contributes symbols.
    pub fn has_symbols(self) -> bool {
        matches!(self, FileStatus::Indexed | FileStatus::Outline)
    }
}

/// What the database keeps per file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRecord {
    /// xxh3-64 of the content; equal hashes mean a changed mtime need not re-parse.
    pub hash: u64,
    /// Modification time in nanoseconds since the epoch (0 for unsaved buffers).
    pub mtime_ns: u64,
    /// Size in bytes.
    pub size: u64,
    /// Registry language name.
    pub lang: String,
    /// Indexed, outline, or why it was skipped.
    pub status: FileStatus,
    /// Extracted symbols (empty when skipped).
    pub symbols: FileSymbols,
}

/// A value that is not a record this build wrote.
#[derive(Debug, thiserror::Error)]
#[error("malformed record at byte {at}: {what}")]
pub struct DecodeError {
    /// Offset where decoding failed.
    pub at: usize,
    /// What was expected.
    pub what: &'static str,
}

struct W(Vec<u8>);

impl W {
    fn u(&mut self, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(b);
                return;
            }
            self.0.push(b | 0x80);
        }
    }
    fn s(&mut self, s: &str) {
        self.u(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn opt(&mut self, v: Option<u32>) {
        self.u(v.map_or(0, |x| x as u64 + 1));
    }
}

struct R<'a> {
    b: &'a [u8],
    at: usize,
}

impl R<'_> {
    fn err(&self, what: &'static str) -> DecodeError {
        DecodeError { at: self.at, what }
    }
    fn u(&mut self) -> Result<u64, DecodeError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.b.get(self.at).ok_or_else(|| self.err("varint"))?;
            self.at += 1;
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.err("varint too long"))
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        u32::try_from(self.u()?).map_err(|_| self.err("u32"))
    }
    fn s(&mut self) -> Result<String, DecodeError> {
        let n = self.u()? as usize;
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| self.err("string length"))?;
        let s = std::str::from_utf8(&self.b[self.at..end]).map_err(|_| self.err("utf-8"))?;
        self.at = end;
        Ok(s.to_owned())
    }
    fn opt(&mut self) -> Result<Option<u32>, DecodeError> {
        Ok(match self.u32()? {
            0 => None,
            x => Some(x - 1),
        })
    }
    fn len(&mut self) -> Result<usize, DecodeError> {
        let n = self.u()? as usize;
        // Every element takes at least one byte: a larger count is corruption, not a big file.
        if n > self.b.len() - self.at.min(self.b.len()) {
            return Err(self.err("count"));
        }
        Ok(n)
    }
}

fn write_span(w: &mut W, s: &Span) {
    w.u(s.start_byte as u64);
    w.u((s.end_byte - s.start_byte) as u64);
    w.u(s.start_row as u64);
    w.u((s.end_row - s.start_row) as u64);
}

fn read_span(r: &mut R) -> Result<Span, DecodeError> {
    let start_byte = r.u32()?;
    let end_byte = start_byte
        .checked_add(r.u32()?)
        .ok_or_else(|| r.err("span"))?;
    let start_row = r.u32()?;
    let end_row = start_row
        .checked_add(r.u32()?)
        .ok_or_else(|| r.err("span"))?;
    Ok(Span {
        start_byte,
        end_byte,
        start_row,
        end_row,
    })
}

/// Encodes a record.
pub fn encode(rec: &FileRecord) -> Vec<u8> {
    let f = &rec.symbols;
    let mut w = W(Vec::with_capacity(
        64 + f.symbols.len() * 64 + f.refs.len() * 12,
    ));
    w.u(rec.hash);
    w.u(rec.mtime_ns);
    w.u(rec.size);
    w.s(&rec.lang);
    w.u(FileStatus::ALL
        .iter()
        .position(|s| *s == rec.status)
        .unwrap_or(0) as u64);
    w.u(f.outline_only as u64);
    w.u(f.symbols.len() as u64);
    for s in &f.symbols {
        w.s(&s.name);
        w.s(&s.qualified);
        w.u(s.kind.code() as u64);
        write_span(&mut w, &s.span);
        w.u((s.name_byte - s.span.start_byte) as u64);
        w.s(&s.signature);
        w.s(&s.doc);
        w.opt(s.parent);
    }
    w.u(f.refs.len() as u64);
    for r in &f.refs {
        w.s(&r.name);
        w.u(matches!(r.kind, RefKind::Type) as u64);
        w.u(r.byte as u64);
        w.u(r.row as u64);
        w.opt(r.enclosing);
    }
    w.u(f.imports.len() as u64);
    for i in &f.imports {
        w.s(&i.text);
        w.u(i.row as u64);
    }
    w.0
}

/// Decodes a record written by [`encode`] of this schema version.
pub fn decode(b: &[u8]) -> Result<FileRecord, DecodeError> {
    let mut r = R { b, at: 0 };
    let hash = r.u()?;
    let mtime_ns = r.u()?;
    let size = r.u()?;
    let lang = r.s()?;
    let status = *FileStatus::ALL
        .get(r.u()? as usize)
        .ok_or_else(|| r.err("status"))?;
    let outline_only = r.u()? != 0;
    let n = r.len()?;
    let mut symbols = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.s()?;
        let qualified = r.s()?;
        let kind = SymbolKind::from_code(r.u()? as u8).ok_or_else(|| r.err("kind"))?;
        let span = read_span(&mut r)?;
        let name_byte = span.start_byte + r.u32()?;
        let signature = r.s()?;
        let doc = r.s()?;
        let parent = r.opt()?;
        if parent.is_some_and(|p| p as usize >= n) {
            return Err(r.err("parent index"));
        }
        symbols.push(Symbol {
            name,
            qualified,
            kind,
            span,
            name_byte,
            signature,
            doc,
            parent,
        });
    }
    let n_refs = r.len()?;
    let mut refs = Vec::with_capacity(n_refs);
    for _ in 0..n_refs {
        let name = r.s()?;
        let kind = if r.u()? == 0 {
            RefKind::Call
        } else {
            RefKind::Type
        };
        let byte = r.u32()?;
        let row = r.u32()?;
        let enclosing = r.opt()?;
        if enclosing.is_some_and(|p| p as usize >= n) {
            return Err(r.err("enclosing index"));
        }
        refs.push(Reference {
            name,
            kind,
            byte,
            row,
            enclosing,
        });
    }
    let n_imp = r.len()?;
    let mut imports = Vec::with_capacity(n_imp);
    for _ in 0..n_imp {
        imports.push(Import {
            text: r.s()?,
            row: r.u32()?,
        });
    }
    if r.at != b.len() {
        return Err(r.err("trailing bytes"));
    }
    Ok(FileRecord {
        hash,
        mtime_ns,
        size,
        lang,
        status,
        symbols: FileSymbols {
            symbols,
            refs,
            imports,
            outline_only,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> FileRecord {
        let span = Span {
            start_byte: 10,
            end_byte: 50,
            start_row: 1,
            end_row: 4,
        };
        FileRecord {
            hash: u64::MAX,
            mtime_ns: 1_700_000_000_000_000_000,
            size: 123,
            lang: "rust".into(),
            status: FileStatus::Indexed,
            symbols: FileSymbols {
                symbols: vec![Symbol {
                    name: "f".into(),
                    qualified: "A::f".into(),
                    kind: SymbolKind::Method,
                    span,
                    name_byte: 13,
                    signature: "fn f()".into(),
                    doc: "/// é".into(),
                    parent: None,
                }],
                refs: vec![Reference {
                    name: "g".into(),
                    kind: RefKind::Call,
                    byte: 20,
                    row: 2,
                    enclosing: Some(0),
                }],
                imports: vec![Import {
                    text: "use a::g".into(),
                    row: 0,
                }],
                outline_only: false,
            },
        }
    }

    #[test]
    fn round_trips() {
        let rec = sample();
        assert_eq!(decode(&encode(&rec)).unwrap(), rec);
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = encode(&sample());
        for n in 0..bytes.len() {
            assert!(decode(&bytes[..n]).is_err(), "prefix of {n} bytes decoded");
        }
    }
}
