//! Text normal form shared by the checker (for keywords) and the evaluator (for tips).
//!
//! It knows nothing of schemes or tips: it maps characters and keeps offsets.

mod normalize;
mod script;

pub(crate) use normalize::normal_form;
pub use normalize::{Normalized, Origin, normalize};
pub(crate) use script::{is_han, simplify};

/// Columns a text takes in a terminal or a spreadsheet cell: Chinese characters and full-width
/// forms take two.
pub fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

/// Where each line of `text` begins: at 0 and after each line feed (a carriage return before
/// one belongs to the line it ends), as diagnostics count lines.
pub fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .collect()
}

/// The largest character boundary of `text` at or before byte `offset`.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
