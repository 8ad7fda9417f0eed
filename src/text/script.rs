//! Traditional → Simplified Chinese, one character for one character.
//!
//! The table is OpenCC's `TSCharacters.txt` (Apache-2.0, kept verbatim beside this file with its
//! header), plus a few variant forms it leaves out. A character-to-character mapping is what
//! keeps match evidence aligned with the original text; where OpenCC lists several Simplified
//! candidates the first is taken. The same mapping runs over keywords and tips, so a
//! consistent choice is all matching needs.

use std::collections::HashMap;
use std::sync::LazyLock;

const OPENCC_TABLE: &str = include_str!("ts_characters.txt");

/// Variant forms that OpenCC's table does not carry (Hong Kong and older forms).
const EXTRA_VARIANTS: &[(char, char)] = &[('衞', '卫'), ('衆', '众'), ('綫', '线'), ('羣', '群')];

/// The CJK blocks from the radicals to the Unified Ideographs get a dense table: that is where
/// nearly all text lies, Chinese punctuation (`。`, `、`, `《》`) included, and a lookup there
/// must cost an index, not a hash.
const DENSE_START: u32 = 0x2E80;
const DENSE_END: u32 = 0xA000;

/// The mapping, loaded once.
pub(crate) struct Table {
    dense: Vec<char>,
    sparse: HashMap<char, char>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    // Every character of the dense blocks maps, most to themselves: a lookup there is a load,
    // with no branch to mispredict on text that mixes the two scripts.
    let mut dense: Vec<char> = (DENSE_START..DENSE_END)
        .map(|code| char::from_u32(code).unwrap_or('\0'))
        .collect();
    let mut sparse = HashMap::new();
    let pairs = OPENCC_TABLE
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (from, to) = line.split_once('\t')?;
            let mut from = from.chars();
            let from_char = from.next()?;
            let to_char = to.split(' ').next()?.chars().next()?;
            // Entries whose key is more than one character are phrases; they cannot keep
            // offsets aligned and are left out.
            from.next().is_none().then_some((from_char, to_char))
        })
        .chain(EXTRA_VARIANTS.iter().copied());
    for (from, to) in pairs {
        if from == to {
            continue;
        }
        let code = from as u32;
        if (DENSE_START..DENSE_END).contains(&code) {
            dense[(code - DENSE_START) as usize] = to;
        } else {
            sparse.insert(from, to);
        }
    }
    Table { dense, sparse }
});

/// The mapping, for callers that convert many characters in a row.
pub(crate) fn table() -> &'static Table {
    &TABLE
}

impl Table {
    /// The Simplified form of `c`, or `c` itself.
    #[inline]
    pub(crate) fn simplify(&self, c: char) -> char {
        let code = c as u32;
        if code < 0x2E80 {
            return c;
        }
        if (DENSE_START..DENSE_END).contains(&code) {
            self.dense[(code - DENSE_START) as usize]
        } else {
            self.sparse.get(&c).copied().unwrap_or(c)
        }
    }
}

/// The Simplified form of `c`, or `c` itself.
#[inline]
pub(crate) fn simplify(c: char) -> char {
    table().simplify(c)
}

/// Whether `c` is a Chinese character.
#[inline]
pub(crate) fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

#[cfg(test)]
mod tests {
    use super::simplify;

    fn convert(text: &str) -> String {
        text.chars().map(simplify).collect()
    }

    #[test]
    fn traditional_characters_of_the_seeds_become_simplified() {
        assert_eq!(convert("根據落實現關於開展"), "根据落实现关于开展");
        assert_eq!(convert("衞生 綫路 鐘錶 後來"), "卫生 线路 钟表 后来");
    }

    #[test]
    fn simplified_text_is_left_alone() {
        let text = "层层开会,超计划随意加开全区性会议";
        assert_eq!(convert(text), text);
    }
}
