//! Administrative division codes (GB/T 2260 and its township and village extensions).

use std::fmt;

/// A division code: 6 digits for province, prefecture and county (`520203` 六枝特区), 9 for a
/// township, 12 for a village. Trailing zeros mark the higher levels (`520000` 贵州省,
/// `520200` 六盘水市), so a code covers every code that starts with its significant digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region {
    code: String,
    significant: usize,
}

impl Region {
    /// Reads a code; `None` unless it is 6, 9 or 12 ASCII digits.
    pub fn parse(code: &str) -> Option<Region> {
        if !matches!(code.len(), 6 | 9 | 12) || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut significant = code.len();
        // Village and township parts of three digits each, then the county, prefecture and
        // province parts of two.
        while significant > 6 && code[significant - 3..significant] == *"000" {
            significant -= 3;
        }
        while significant > 2 && significant <= 6 && code[significant - 2..significant] == *"00" {
            significant -= 2;
        }
        Some(Region {
            code: code.to_string(),
            significant,
        })
    }

    /// The code as written.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Whether `other` is this region or lies below it.
    pub fn contains(&self, other: &Region) -> bool {
        other.code.len() >= self.significant
            && other.code.as_bytes()[..self.significant] == self.code.as_bytes()[..self.significant]
            && other.significant >= self.significant
    }

    /// Whether one of the two contains the other.
    pub fn overlaps(&self, other: &Region) -> bool {
        self.contains(other) || other.contains(self)
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::Region;

    fn region(code: &str) -> Region {
        Region::parse(code).unwrap()
    }

    #[test]
    fn a_county_contains_itself_and_its_townships_and_villages() {
        let liuzhi = region("520203");
        assert!(liuzhi.contains(&region("520203")));
        assert!(liuzhi.contains(&region("520203101")));
        assert!(liuzhi.contains(&region("520203101201")));
        assert!(!liuzhi.contains(&region("520201")));
    }

    #[test]
    fn a_province_contains_its_prefectures_but_not_the_reverse() {
        let guizhou = region("520000");
        let liupanshui = region("520200");
        assert!(guizhou.contains(&liupanshui));
        assert!(!liupanshui.contains(&guizhou));
        assert!(liupanshui.overlaps(&guizhou));
    }

    #[test]
    fn malformed_codes_are_refused() {
        assert!(Region::parse("5202").is_none());
        assert!(Region::parse("52020a").is_none());
        assert!(Region::parse("").is_none());
    }
}
