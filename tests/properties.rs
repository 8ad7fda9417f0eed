//! The parser and checker never panic: whatever the input, a model or diagnostics come back.

use proptest::prelude::*;
use rectify::{SourceFile, check};

const LIUZHI: &str = include_str!("../schemes/liuzhi-2022.scheme");

fn checks_without_panicking(text: String) {
    let checked = check(&[SourceFile {
        name: "input.scheme".to_string(),
        text,
    }]);
    // No model means at least one error says why.
    if checked.model.is_none() {
        assert!(checked.problems.iter().any(|p| p.is_error()));
    }
    for problem in &checked.problems {
        let diagnostic = problem.diagnostic();
        assert!(diagnostic.code().is_some(), "every diagnostic has a code");
        assert!(!diagnostic.to_string().is_empty());
    }
}

/// A char boundary at or before `at`.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_bytes_get_diagnostics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        checks_without_panicking(String::from_utf8_lossy(&bytes).into_owned());
    }

    #[test]
    fn random_text_gets_diagnostics(text in "\\PC{0,300}") {
        checks_without_panicking(text);
    }

    #[test]
    fn scheme_like_text_gets_diagnostics(text in "(专项|方面|类别|表现|匹配|任一|全部|非|邻近|正则|不予受理|当|理由|起止|至|示例|预期|受理|\\{|\\}|\\(|\\)|\"[a-z会议]{0,4}\"|2022-0[1-9]-[0-3][0-9]|520203|[a-z]{1,3}| |,|\n){0,60}") {
        checks_without_panicking(text);
    }

    #[test]
    fn deleting_part_of_a_real_scheme_gets_diagnostics(from in 0usize..LIUZHI.len(), len in 0usize..200) {
        let from = boundary(LIUZHI, from);
        let to = boundary(LIUZHI, from + len);
        let mut text = LIUZHI.to_string();
        text.replace_range(from..to, "");
        checks_without_panicking(text);
    }

    #[test]
    fn duplicating_part_of_a_real_scheme_gets_diagnostics(from in 0usize..LIUZHI.len(), len in 0usize..300, to in 0usize..LIUZHI.len()) {
        let from = boundary(LIUZHI, from);
        let end = boundary(LIUZHI, from + len);
        let at = boundary(LIUZHI, to);
        let mut text = LIUZHI.to_string();
        let piece = LIUZHI[from..end].to_string();
        text.insert_str(at, &piece);
        checks_without_panicking(text);
    }

    #[test]
    fn truncating_a_real_scheme_gets_diagnostics(at in 0usize..LIUZHI.len()) {
        checks_without_panicking(LIUZHI[..boundary(LIUZHI, at)].to_string());
    }
}
