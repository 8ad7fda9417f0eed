//! Approximate phrases: the stretches of a tip's normal form that differ from a phrase by at
//! most a few inserted, dropped or changed characters.
//!
//! The scan has already found the phrase's pieces (see [`Approximate`]); only the
//! neighbourhood of each piece is compared, by the edit distance of the phrase against any
//! stretch there (Sellers' dynamic programme). Each neighbourhood is `length + 2 × max_edits`
//! characters wide and overlapping ones are merged, so a tip costs at most its length times the
//! phrase's, and a tip without any piece costs nothing.

use crate::model::Approximate;

/// A stretch of the normal form close enough to the phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    /// Byte range in the normal form.
    pub start: usize,
    pub end: usize,
    /// Characters inserted, dropped or changed.
    pub edits: usize,
}

/// The stretches of `text` within the phrase's edit budget, best of each neighbourhood first
/// found, in text order, at most `limit`. `anchors` are the byte offsets where pieces were
/// found, with the character offset of that piece in the phrase.
pub(crate) fn find(
    text: &str,
    approx: &Approximate,
    anchors: impl Iterator<Item = (usize, usize)>,
    limit: usize,
) -> Vec<Found> {
    let length = approx.phrase.len();
    let slack = approx.max_edits;
    let mut windows: Vec<(usize, usize)> = anchors
        .map(|(at, offset)| {
            (
                back(text, at, offset + slack),
                forward(text, at, length - offset + slack),
            )
        })
        .collect();
    windows.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in windows {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut found = Vec::new();
    let mut column = Vec::new();
    let mut next = Vec::new();
    for (start, end) in merged {
        search(
            &text[start..end],
            start,
            approx,
            &mut column,
            &mut next,
            &mut found,
        );
        if found.len() >= limit {
            found.truncate(limit);
            break;
        }
    }
    found
}

/// The byte offset `chars` characters before `at`, or the start.
fn back(text: &str, at: usize, chars: usize) -> usize {
    text[..at]
        .char_indices()
        .rev()
        .take(chars)
        .last()
        .map_or(at, |(i, _)| i)
}

/// The byte offset `chars` characters after `at`, or the end.
fn forward(text: &str, at: usize, chars: usize) -> usize {
    text[at..]
        .char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| at + i)
}

/// One cell of the programme: the edits so far and the byte where the stretch began.
#[derive(Clone, Copy)]
struct Cell {
    edits: usize,
    start: usize,
}

/// Sellers' programme over one neighbourhood: a stretch may start anywhere, so the top row is
/// zero; every column whose bottom is within budget ends a candidate. Of overlapping
/// candidates the one with fewest edits (then the shortest, then the first) is kept.
fn search(
    window: &str,
    base: usize,
    approx: &Approximate,
    column: &mut Vec<Cell>,
    next: &mut Vec<Cell>,
    found: &mut Vec<Found>,
) {
    let phrase = &approx.phrase;
    column.clear();
    column.extend((0..=phrase.len()).map(|i| Cell {
        edits: i,
        start: base,
    }));
    let mut best: Option<Found> = None;
    for (offset, c) in window.char_indices() {
        let at = base + offset;
        let after = at + c.len_utf8();
        next.clear();
        next.push(Cell {
            edits: 0,
            start: after,
        });
        for (i, &p) in phrase.iter().enumerate() {
            let diagonal = column[i];
            let changed = Cell {
                edits: diagonal.edits + usize::from(p != c),
                start: diagonal.start,
            };
            let extra = Cell {
                edits: column[i + 1].edits + 1,
                start: column[i + 1].start,
            };
            let dropped = Cell {
                edits: next[i].edits + 1,
                start: next[i].start,
            };
            // Fewer edits first; of equals, the later start (the shorter stretch).
            let cell = [changed, extra, dropped]
                .into_iter()
                .min_by_key(|cell| (cell.edits, std::cmp::Reverse(cell.start)))
                .unwrap_or(changed);
            next.push(cell);
        }
        std::mem::swap(column, next);
        let bottom = column[phrase.len()];
        if bottom.edits > approx.max_edits || bottom.start >= after {
            continue;
        }
        let candidate = Found {
            start: bottom.start,
            end: after,
            edits: bottom.edits,
        };
        best = match best {
            Some(kept) if candidate.start < kept.end => Some(
                if (candidate.edits, candidate.end - candidate.start)
                    < (kept.edits, kept.end - kept.start)
                {
                    candidate
                } else {
                    kept
                },
            ),
            Some(kept) => {
                found.push(kept);
                Some(candidate)
            }
            None => Some(candidate),
        };
    }
    found.extend(best);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approx(phrase: &str, max_edits: usize) -> Approximate {
        Approximate {
            phrase: phrase.chars().collect(),
            similarity: 0.0,
            max_edits,
            pieces: Vec::new(),
        }
    }

    /// Every stretch found around the first occurrence of `anchor`, the phrase's first piece.
    fn around(text: &str, anchor: &str, approx: &Approximate) -> Vec<(String, usize)> {
        let at = text.find(anchor).expect("the anchor occurs");
        find(text, approx, std::iter::once((at, 0)), 100)
            .into_iter()
            .map(|f| (text[f.start..f.end].to_string(), f.edits))
            .collect()
    }

    #[test]
    fn a_changed_and_an_inserted_character_cost_two_edits() {
        let text = "把说了当成做了";
        let found = find(
            text,
            &approx("把说的当做了", 2),
            std::iter::once((0, 0)),
            10,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].start..found[0].end], "把说了当成做了");
        assert_eq!(found[0].edits, 2);
    }

    #[test]
    fn a_stretch_beyond_the_budget_is_not_found() {
        assert!(around("把说了当成做了", "把说", &approx("把说的当做了", 1)).is_empty());
    }

    #[test]
    fn the_stretch_is_trimmed_to_what_matches() {
        let text = "他们总是口号多调门高的样子";
        let found = around(text, "口号", &approx("口号多调门高", 1));
        assert_eq!(found, vec![("口号多调门高".to_string(), 0)]);
    }

    #[test]
    fn separate_occurrences_are_found_separately() {
        let text = "拍照片留痕，后来又拍照留痕";
        let anchors = [(0, 0), (text.find("又").unwrap() + 3, 0)];
        let found: Vec<_> = find(text, &approx("拍照留痕", 1), anchors.into_iter(), 10)
            .into_iter()
            .map(|f| (&text[f.start..f.end], f.edits))
            .collect();
        assert_eq!(found, vec![("拍照片留痕", 1), ("拍照留痕", 0)]);
    }
}
