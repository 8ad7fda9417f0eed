//! rectify: a language and toolchain for rectification campaign schemes (专项整治方案).
//!
//! The pipeline runs one way: [`syntax`] reads a scheme file into a spanned tree, [`check`]
//! resolves and validates it into a [`Model`], [`eval`] decides tips against the model, and the
//! `rectify` binary's `cli` module does all input, output and printing.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
pub mod coverage;
pub mod eval;
pub mod format;
pub mod lang;
pub mod lsp;
pub mod model;
pub mod office;
pub mod store;
pub mod syntax;
pub mod text;
pub mod verify;

pub use check::{Checked, SourceFile, check};
pub use model::Model;
