//! `smallcode bench budget`.
