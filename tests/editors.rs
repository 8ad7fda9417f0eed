//! The VS Code extension in `editors/vscode/`: its manifest names the files it is for and the
//! grammar it highlights them with, and that grammar knows every keyword in both spellings.

use std::path::PathBuf;

use rectify::syntax::Keyword;
use serde_json::Value;

fn read(path: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

#[test]
fn the_extension_starts_the_server_for_scheme_files() {
    let manifest = read("editors/vscode/package.json");
    let language = &manifest["contributes"]["languages"][0];
    assert_eq!(language["id"], "rectify");
    let extensions: Vec<&str> = language["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(extensions, [".scheme", ".vocab", ".holidays"]);
    let grammar = &manifest["contributes"]["grammars"][0];
    assert_eq!(grammar["scopeName"], "source.rectify");
    assert_eq!(grammar["path"], "./syntaxes/rectify.tmLanguage.json");
    let main = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("editors/vscode/extension.js");
    let script = std::fs::read_to_string(main).unwrap();
    assert!(
        script.contains(r#"args: ["lsp"]"#),
        "the extension runs `rectify lsp`"
    );
}

#[test]
fn the_grammar_highlights_every_keyword_in_both_spellings() {
    let grammar = read("editors/vscode/syntaxes/rectify.tmLanguage.json");
    assert_eq!(grammar["scopeName"], "source.rectify");
    let patterns: Vec<String> = grammar["repository"]["keyword"]["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["match"].as_str().unwrap().to_string())
        .collect();
    // The alternatives of each pattern, between its word boundaries.
    let words: Vec<String> = patterns
        .iter()
        .flat_map(|pattern| {
            let open = pattern.find("])(").expect("a boundary, then the words") + 3;
            let close = pattern.rfind(")(?!").expect("the words, then a boundary");
            pattern[open..close]
                .split('|')
                .map(|w| w.replace(r"\s+", " ").replace('\\', ""))
                .collect::<Vec<_>>()
        })
        .collect();
    for keyword in Keyword::all() {
        for spelling in [keyword.english(), keyword.chinese()] {
            assert!(
                words.iter().any(|w| w == spelling),
                "`{spelling}` ({}) is not highlighted",
                keyword.name()
            );
        }
    }
}
