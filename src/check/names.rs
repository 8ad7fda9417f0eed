//! "Did you mean …?": the closest known name to a misspelt one.

use crate::lang::Text;

/// The known name closest to `wrong`, if one is close enough to be a likely typo.
pub(crate) fn closest<'a>(wrong: &str, known: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in known {
        let score = strsim::normalized_damerau_levenshtein(wrong, candidate)
            .max(strsim::jaro_winkler(wrong, candidate) - 0.1);
        if best.is_none_or(|(top, _)| score > top) {
            best = Some((score, candidate));
        }
    }
    // Chinese names are short: one wrong character of three is a typo worth pointing out.
    best.filter(|(score, _)| *score >= 0.6)
        .map(|(_, name)| name.to_string())
}

/// The help line for an unknown name.
pub(crate) fn help(suggestion: Option<String>, otherwise: Text) -> Text {
    match suggestion {
        Some(name) => Text::new("help.did_you_mean").with("name", name),
        None => otherwise,
    }
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn a_misspelt_id_finds_its_neighbour() {
        assert_eq!(
            closest("zbb", ["zzb", "xcb", "zxb"]).as_deref(),
            Some("zzb")
        );
        assert_eq!(
            closest("组织布", ["组织部", "宣传部"]).as_deref(),
            Some("组织部")
        );
    }

    #[test]
    fn an_unrelated_name_finds_nothing() {
        assert_eq!(closest("财政局", ["组织部", "宣传部"]), None);
    }
}
