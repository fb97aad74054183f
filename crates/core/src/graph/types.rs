//! The values the graph is made of: symbols, references and imports of one file.
//!
//! Units: byte offsets into the file's UTF-8 text and **0-based** rows, as tree-sitter gives
//! them. Everything shown to people or models (CLI, JSON, rendered context) converts to
//! 1-based lines at the edge, through [`Span::line`].

use std::fmt;

use serde::Serialize;

/// What a definition is. The names are the `@definition.<kind>` capture suffixes in
/// `queries/<lang>/tags.scm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SymbolKind {
    /// A free function.
    Function,
    /// A function attached to a type, class or table.
    Method,
    /// A class (or record).
    Class,
    /// A struct or union.
    Struct,
    /// An enum.
    Enum,
    /// An interface (also Java annotations).
    Interface,
    /// A Rust trait.
    Trait,
    /// A module, namespace or package.
    Module,
    /// A constant, enumerator or `#define`.
    Constant,
    /// A type alias or typedef.
    Type,
    /// A macro.
    Macro,
}

impl SymbolKind {
    /// Every kind, in the order of the `u8` codes used on disk.
    pub const ALL: [SymbolKind; 11] = [
        SymbolKind::Function,
        SymbolKind::Method,
        SymbolKind::Class,
        SymbolKind::Struct,
        SymbolKind::Enum,
        SymbolKind::Interface,
        SymbolKind::Trait,
        SymbolKind::Module,
        SymbolKind::Constant,
        SymbolKind::Type,
        SymbolKind::Macro,
    ];

    /// The capture suffix / display name.
    pub fn as_str(self) -> &'static str {
        match self {
            SymbolKind::Function => "function",
            SymbolKind::Method => "method",
            SymbolKind::Class => "class",
            SymbolKind::Struct => "struct",
            SymbolKind::Enum => "enum",
            SymbolKind::Interface => "interface",
            SymbolKind::Trait => "trait",
            SymbolKind::Module => "module",
            SymbolKind::Constant => "constant",
            SymbolKind::Type => "type",
            SymbolKind::Macro => "macro",
        }
    }

    /// Parses a capture suffix.
    pub fn parse(s: &str) -> Option<SymbolKind> {
        SymbolKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether a call can land on this kind (functions, methods, macros, and classes or structs
    /// through constructors / literals).
    pub fn is_callable(self) -> bool {
        !matches!(self, SymbolKind::Module | SymbolKind::Constant)
    }

    /// Whether this kind names a type (target of `@reference.type`).
    pub fn is_type(self) -> bool {
        matches!(
            self,
            SymbolKind::Class
                | SymbolKind::Struct
                | SymbolKind::Enum
                | SymbolKind::Interface
                | SymbolKind::Trait
                | SymbolKind::Type
        )
    }

    /// Code used by the on-disk encoding.
    pub(crate) fn code(self) -> u8 {
        SymbolKind::ALL.iter().position(|k| *k == self).unwrap_or(0) as u8
    }

    /// Inverse of [`SymbolKind::code`].
    pub(crate) fn from_code(c: u8) -> Option<SymbolKind> {
        SymbolKind::ALL.get(c as usize).copied()
    }
}

impl fmt::Display for SymbolKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a reference is: a call (gives a *calls* edge) or a type use (a *references* edge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RefKind {
    /// A call site, constructor call or struct literal.
    Call,
    /// A use of a type name.
    Type,
}

impl RefKind {
    /// Display / capture name.
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Call => "call",
            RefKind::Type => "type",
        }
    }
}

/// Where something is in a file: bytes `[start_byte, end_byte)` and 0-based rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    /// First byte.
    pub start_byte: u32,
    /// One past the last byte.
    pub end_byte: u32,
    /// 0-based row of `start_byte`.
    pub start_row: u32,
    /// 0-based row of the last byte.
    pub end_row: u32,
}

impl Span {
    /// The 1-based line people see.
    pub fn line(&self) -> u32 {
        self.start_row + 1
    }

    /// Whether `other` lies inside this span.
    pub fn contains(&self, other: &Span) -> bool {
        self.start_byte <= other.start_byte && other.end_byte <= self.end_byte
    }
}

/// One definition in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// The bare name (`login`).
    pub name: String,
    /// Name prefixed by enclosing definitions and scopes (`Auth::login`, `auth.Session.login`).
    pub qualified: String,
    /// What it is.
    pub kind: SymbolKind,
    /// The whole definition (body included).
    pub span: Span,
    /// First byte of the name, used to tell a definition's own name from a reference.
    pub name_byte: u32,
    /// The definition's head with the body elided, whitespace collapsed, e.g. `fn login(&self)`.
    pub signature: String,
    /// Doc comment or docstring text, comment markers kept; empty when there is none.
    pub doc: String,
    /// Index of the innermost enclosing symbol in the same file.
    pub parent: Option<u32>,
}

/// One use of a name in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The referenced name as written (last path segment: `b` in `a::b()`).
    pub name: String,
    /// Call or type use.
    pub kind: RefKind,
    /// First byte of the name.
    pub byte: u32,
    /// 0-based row of the name.
    pub row: u32,
    /// Index of the innermost enclosing symbol; `None` at file level.
    pub enclosing: Option<u32>,
}

/// One import statement (or import path), kept as text: its identifiers hint name resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The statement or path, whitespace collapsed (`use crate::auth::{login, Token}`).
    pub text: String,
    /// 0-based row.
    pub row: u32,
}

/// Everything extracted from one file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileSymbols {
    /// Definitions in source order (by start byte, outer before inner).
    pub symbols: Vec<Symbol>,
    /// References in source order.
    pub refs: Vec<Reference>,
    /// Imports in source order.
    pub imports: Vec<Import>,
    /// True when the file was above the size limit: definitions only, no references or docs.
    pub outline_only: bool,
}

/// A definition as returned by queries: the symbol plus where it lives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SymbolHit {
    /// Bare name.
    pub name: String,
    /// Qualified name.
    pub qualified: String,
    /// Kind.
    pub kind: SymbolKind,
    /// Path relative to the project root, `/`-separated.
    pub path: String,
    /// 1-based first line.
    pub line: u32,
    /// 1-based last line.
    pub end_line: u32,
    /// Head of the definition.
    pub signature: String,
    /// Doc comment (may be empty).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// Edge weight or match score, when the query has one (1.0 = certain).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// A reference as returned by queries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefHit {
    /// The name used.
    pub name: String,
    /// `call` or `type`.
    pub kind: RefKind,
    /// Path relative to the project root.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// Qualified name of the enclosing definition, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enclosing: Option<String>,
}
