//! One file per command-line mode that is more than a line of glue: raw arguments in, a typed
//! request and an exit code out. `anyhow` lives here, at the edge.

pub mod bench;
pub mod graph;
pub mod run;
pub mod trust;
