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
pub mod serve;
pub mod store;
pub mod syntax;
pub mod text;
pub mod verify;

pub use check::{Checked, SourceFile, check};
pub use model::Model;

/// The scheme, vocabulary and calendar files the repository bundles, for the tests that run
/// over every one of them.
#[cfg(test)]
pub(crate) const BUNDLED_FILES: [&str; 6] = [
    "schemes/liuzhi-2022.scheme",
    "schemes/jixi-2023.scheme",
    "schemes/jinghai-2021-2023.scheme",
    "schemes/inaction-self-inspection.scheme",
    "schemes/common.vocab",
    "calendar/state-council.holidays",
];
