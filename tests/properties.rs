//! The parser and checker never panic: whatever the input, a model or diagnostics come back.

use proptest::prelude::*;
use rectify::lang::Lang;
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
        for lang in Lang::ALL {
            let message = problem.message(lang);
            assert!(
                message.code.starts_with("rectify::"),
                "every diagnostic has a code"
            );
            assert!(!message.message.is_empty());
            assert!(
                !message.message.starts_with(&format!(
                    "{}.",
                    message.code.split("::").nth(1).unwrap_or("")
                )),
                "every message is in the catalogue: {}",
                message.message
            );
        }
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

mod evaluation {
    use proptest::prelude::*;
    use rectify::eval::{Decoder, Evaluator, Outcome, Prepared};
    use rectify::lang::Lang;
    use rectify::{SourceFile, check};

    fn liuzhi() -> rectify::Model {
        check(&[
            SourceFile {
                name: "liuzhi-2022.scheme".to_string(),
                text: super::LIUZHI.to_string(),
            },
            SourceFile {
                name: "common.vocab".to_string(),
                text: include_str!("../schemes/common.vocab").to_string(),
            },
        ])
        .model
        .expect("liuzhi checks")
    }

    /// Text made of what tips are made of: Chinese in both scripts, the seeds' keywords,
    /// pinyin glosses, full-width forms, spaces and brackets.
    fn tip_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("层层开会".to_string()),
                Just("層層開會".to_string()),
                Just("停水".to_string()),
                Just("不發通知".to_string()),
                Just("落實(shí)".to_string()),
                Just("(chéng xù)".to_string()),
                Just("\u{FF08}jù\u{FF09}".to_string()),
                Just("ＡＰＰ".to_string()),
                Just(" \u{3000}\n".to_string()),
                Just("(".to_string()),
                "[\\u{4e00}-\\u{4e20}a-zé]{1,4}",
                "\\PC{1,3}",
            ],
            0..40,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn evidence_always_quotes_the_original_text(text in tip_text()) {
            let model = liuzhi();
            let evaluator = Evaluator::new(&model);
            let decoder = Decoder::new(&model);
            let record = serde_json::json!({
                "id": "P1", "text": text, "received": "2022-06-10",
                "subject": {"name": "特区某局", "region": "520203"}
            });
            let tip = decoder.json(&record.to_string(), 1).expect("a well-formed record");
            let mut prepared = Prepared::default();
            evaluator.prepare(&tip, &mut prepared);
            let chars: Vec<char> = tip.text.chars().collect();
            for decision in evaluator.decide(&tip, &prepared, &[], true) {
                if let Outcome::Accepted { matches, .. } = decision.outcome {
                    for symptom in matches.iter().flat_map(|a| &a.categories).flat_map(|c| &c.symptoms) {
                        for evidence in &symptom.evidence {
                            let quoted: String = chars[evidence.start..evidence.end].iter().collect();
                            prop_assert_eq!(&quoted, &evidence.text);
                        }
                    }
                }
            }
        }

        #[test]
        fn any_record_line_gets_a_tip_or_an_error(line in "\\PC{0,200}") {
            let model = liuzhi();
            let decoder = Decoder::new(&model);
            if let Err(error) = decoder.json(&line, 7) {
                prop_assert_eq!(error.line, 7);
                prop_assert!(!error.message.render(Lang::En).is_empty());
                prop_assert!(!error.message.render(Lang::Zh).is_empty());
            }
        }
    }
}
