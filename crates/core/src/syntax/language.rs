//! The language registry: extension → grammar + embedded queries (`tags.scm` for the graph,
//! `units.scm` for whole-unit edits, `attach.scm` for what attaches above a definition, used by
//! both). Adding a language is one row of [`LANGUAGES`] plus a `queries/<lang>/` folder.

use std::path::Path;
use std::sync::OnceLock;

use tree_sitter::{Language, Query};

use super::attach::Attach;
use super::tags::Tags;
use super::units::Units;

/// One supported language: how to recognise its files, its grammar and its queries.
///
/// Rows are `'static` so that a `&'static Lang` can be kept in per-file records and compared
/// by name without allocation.
pub struct Lang {
    /// Short stable name, also the folder under `queries/` (e.g. `"rust"`, `"tsx"`).
    pub name: &'static str,
    /// File extensions without the dot, lower case.
    pub extensions: &'static [&'static str],
    /// Builds the grammar; a function because `LanguageFn` is not a `Language` yet.
    grammar: fn() -> Language,
    /// The grammar's `node-types.json` (which node kinds can appear inside which), used to skip
    /// subtrees where no tags pattern can start.
    node_types: &'static str,
    /// Source of `queries/<name>/tags.scm`.
    pub tags_source: &'static str,
    /// Source of `queries/<name>/units.scm`: what a definition is (see [`Units`]).
    pub units_source: &'static str,
    /// Source of `queries/<name>/attach.scm`: what attaches above a definition (see [`Attach`]).
    pub attach_source: &'static str,
    /// Separator used to build qualified names (`Type::method` vs `Class.method`).
    pub separator: &'static str,
    /// The compiled query, or `None` when compiling failed (logged once).
    compiled: OnceLock<Option<Tags>>,
    /// The compiled units query, or `None` when compiling failed (logged once).
    units: OnceLock<Option<Units>>,
    /// The compiled attach query, or `None` when compiling failed (logged once).
    attach: OnceLock<Option<Attach>>,
}

impl Lang {
    /// The tree-sitter grammar for this language.
    pub fn grammar(&self) -> Language {
        (self.grammar)()
    }

    /// The compiled tags query, compiled on first use. `None` means the grammar or the query is
    /// unusable in this build; the reason was logged at warn level the first time.
    pub fn tags_query(&self) -> Option<&Query> {
        self.tags().map(|t| &t.query)
    }

    /// The compiled tags query with the node kinds its patterns start at (see [`Tags`]);
    /// `None` as for [`Lang::tags_query`].
    pub fn tags(&self) -> Option<&Tags> {
        self.compiled
            .get_or_init(|| match self.compile() {
                Ok(q) => Some(Tags::new(
                    q,
                    &self.grammar(),
                    self.tags_source,
                    self.node_types,
                )),
                Err(e) => {
                    tracing::warn!("[graph] skipping language {}: {e}", self.name);
                    None
                }
            })
            .as_ref()
    }

    /// The compiled units query (what a definition is), compiled on first use. `None` means it
    /// is unusable in this build and whole-unit edits refuse the language; the reason was logged
    /// at warn level the first time.
    pub fn units(&self) -> Option<&Units> {
        once(&self.units, || self.compile_units(), self.name)
    }

    /// What attaches above definitions, compiled on first use. `None` means `attach.scm` is
    /// unusable in this build: the graph keeps only docstrings for the language and whole-unit
    /// edits refuse it; the reason was logged at warn level the first time.
    pub fn attach(&self) -> Option<&Attach> {
        once(&self.attach, || self.compile_attach(), self.name)
    }

    /// Compiles the units query, returning the error text instead of logging it.
    pub fn compile_units(&self) -> Result<Units, String> {
        Units::new(&self.grammar(), self.units_source, self.name)
    }

    /// Compiles the attach query, returning the error text instead of logging it.
    pub fn compile_attach(&self) -> Result<Attach, String> {
        Attach::new(&self.grammar(), self.attach_source, self.name)
    }

    /// Compiles the tags query, returning the error text instead of logging it (used by the test
    /// that checks every bundled query).
    pub fn compile(&self) -> Result<Query, String> {
        let file = format!("queries/{}/tags.scm", self.name);
        compile_query(&self.grammar(), self.tags_source, &file)
    }
}

/// The value in `cell`, made by `make` on first use; an error is logged once and gives `None`.
fn once<'a, T>(
    cell: &'a OnceLock<Option<T>>,
    make: impl FnOnce() -> Result<T, String>,
    lang: &str,
) -> Option<&'a T> {
    cell.get_or_init(|| {
        make()
            .map_err(|e| tracing::warn!("[syntax] skipping a query of language {lang}: {e}"))
            .ok()
    })
    .as_ref()
}

/// Compiles a bundled query; the error names `file` (`queries/<lang>/<name>.scm`) and the
/// row and column, 1-based.
pub(crate) fn compile_query(
    language: &Language,
    source: &str,
    file: &str,
) -> Result<Query, String> {
    Query::new(language, source).map_err(|e| {
        format!(
            "{file}:{}:{}: {:?}: {}",
            e.row + 1,
            e.column + 1,
            e.kind,
            e.message
        )
    })
}

macro_rules! lang {
    ($name:literal, [$($ext:literal),*], $grammar:expr, $types:expr, $sep:literal) => {
        lang!($name, $name, [$($ext),*], $grammar, $types, $sep)
    };
    // A language whose query is another's (helix's `; inherits:`): the grammar is a superset.
    ($name:literal, $queries:literal, [$($ext:literal),*], $grammar:expr, $types:expr, $sep:literal) => {
        Lang {
            name: $name,
            extensions: &[$($ext),*],
            grammar: || Language::new($grammar),
            node_types: $types,
            tags_source: include_str!(concat!("../../../../queries/", $queries, "/tags.scm")),
            units_source: include_str!(concat!("../../../../queries/", $queries, "/units.scm")),
            attach_source: include_str!(concat!("../../../../queries/", $queries, "/attach.scm")),
            separator: $sep,
            compiled: OnceLock::new(),
            units: OnceLock::new(),
            attach: OnceLock::new(),
        }
    };
}

/// Every bundled language. `.h` is read as C: C++ headers mostly parse with the C grammar, and
/// the reverse would misread C keywords used as identifiers.
pub static LANGUAGES: [Lang; 10] = [
    lang!(
        "rust",
        ["rs"],
        tree_sitter_rust::LANGUAGE,
        tree_sitter_rust::NODE_TYPES,
        "::"
    ),
    lang!(
        "python",
        ["py", "pyi"],
        tree_sitter_python::LANGUAGE,
        tree_sitter_python::NODE_TYPES,
        "."
    ),
    lang!(
        "javascript",
        ["js", "mjs", "cjs", "jsx"],
        tree_sitter_javascript::LANGUAGE,
        tree_sitter_javascript::NODE_TYPES,
        "."
    ),
    lang!(
        "typescript",
        ["ts", "mts", "cts"],
        tree_sitter_typescript::LANGUAGE_TYPESCRIPT,
        tree_sitter_typescript::TYPESCRIPT_NODE_TYPES,
        "."
    ),
    lang!(
        "tsx",
        "typescript",
        ["tsx"],
        tree_sitter_typescript::LANGUAGE_TSX,
        tree_sitter_typescript::TSX_NODE_TYPES,
        "."
    ),
    lang!(
        "go",
        ["go"],
        tree_sitter_go::LANGUAGE,
        tree_sitter_go::NODE_TYPES,
        "."
    ),
    lang!(
        "c",
        ["c", "h"],
        tree_sitter_c::LANGUAGE,
        tree_sitter_c::NODE_TYPES,
        "::"
    ),
    lang!(
        "cpp",
        ["cc", "cpp", "cxx", "c++", "hh", "hpp", "hxx", "h++", "ipp"],
        tree_sitter_cpp::LANGUAGE,
        tree_sitter_cpp::NODE_TYPES,
        "::"
    ),
    lang!(
        "lua",
        ["lua"],
        tree_sitter_lua::LANGUAGE,
        tree_sitter_lua::NODE_TYPES,
        "."
    ),
    lang!(
        "java",
        ["java"],
        tree_sitter_java::LANGUAGE,
        tree_sitter_java::NODE_TYPES,
        "."
    ),
];

/// All bundled languages, usable or not.
pub fn all_languages() -> &'static [Lang] {
    &LANGUAGES
}

/// The language of `path` by extension (case-insensitive), if bundled.
pub fn language_for_path(path: &Path) -> Option<&'static Lang> {
    let ext = path.extension()?.to_str()?;
    let ext = ext.to_ascii_lowercase();
    LANGUAGES
        .iter()
        .find(|l| l.extensions.contains(&ext.as_str()))
}

/// The language with this registry name.
pub fn language_by_name(name: &str) -> Option<&'static Lang> {
    LANGUAGES.iter().find(|l| l.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// helix's `querycheck`: every bundled query (tags.scm, units.scm, attach.scm) must compile
    /// against its grammar.
    #[test]
    fn every_bundled_query_compiles() {
        let errors: Vec<String> = LANGUAGES
            .iter()
            .flat_map(|l| {
                [
                    l.compile().err(),
                    l.compile_units().err(),
                    l.compile_attach().err(),
                ]
            })
            .flatten()
            .collect();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
    }

    #[test]
    fn extension_lookup_is_case_insensitive() {
        assert_eq!(language_for_path(Path::new("a/B.RS")).unwrap().name, "rust");
        assert_eq!(language_for_path(Path::new("x.tsx")).unwrap().name, "tsx");
        assert!(language_for_path(Path::new("README")).is_none());
    }
}
