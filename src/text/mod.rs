//! Text normal form shared by the checker (for keywords) and the evaluator (for tips).
//!
//! It knows nothing of schemes or tips: it maps characters and keeps offsets.

mod normalize;
mod script;

pub use normalize::{Normalized, Origin, normalize};
pub(crate) use script::{is_han, simplify};
