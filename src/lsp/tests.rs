//! A server never fails on a half-typed file: every request, on every prefix of every bundled
//! scheme, gets an answer (an empty one is fine) and no handler panics.

use lsp_server::{Request, RequestId};
use serde_json::json;

use super::*;

use crate::BUNDLED_FILES as BUNDLED;

/// Every request the server answers, at `position` of `uri`.
fn requests(uri: &str, position: Position) -> Vec<(&'static str, Value)> {
    let at = json!({ "textDocument": { "uri": uri }, "position": position });
    let document = json!({ "textDocument": { "uri": uri } });
    let mut references = at.clone();
    references["context"] = json!({ "includeDeclaration": true });
    let mut rename = at.clone();
    rename["newName"] = json!("新名称");
    let range = json!({ "start": { "line": 0, "character": 0 }, "end": position });
    vec![
        ("textDocument/hover", at.clone()),
        ("textDocument/definition", at.clone()),
        ("textDocument/references", references),
        ("textDocument/prepareRename", at.clone()),
        ("textDocument/rename", rename),
        ("textDocument/completion", at),
        ("textDocument/documentSymbol", document.clone()),
        ("textDocument/foldingRange", document.clone()),
        ("textDocument/formatting", {
            let mut p = document.clone();
            p["options"] = json!({ "tabSize": 2, "insertSpaces": true });
            p
        }),
        ("textDocument/codeAction", {
            let mut p = document.clone();
            p["range"] = range;
            p["context"] = json!({ "diagnostics": [] });
            p
        }),
        ("textDocument/codeLens", document),
    ]
}

/// Opens each prefix of `text` that ends at one of `ends` and asks every request at its end
/// and at its start.
fn survive(text: &str, ends: impl Iterator<Item = usize>) {
    let uri: Uri = "file:///nowhere/prefix.scheme".parse().unwrap();
    let mut server = Server::new(Lang::Zh);
    let mut id = 0;
    for end in ends {
        let prefix = &text[..end];
        server.open(uri.clone(), prefix.to_string());
        let document = &server.documents[uri.as_str()];
        let last = document.position(prefix.len());
        for position in [last, Position::new(last.line / 2, 3)] {
            for (method, params) in requests(uri.as_str(), position) {
                id += 1;
                let request = Request::new(RequestId::from(id), method.to_string(), params);
                let (response, notes) = server.request(request);
                assert!(
                    notes.iter().all(|n| n.method != "window/logMessage"),
                    "{method} panicked on a prefix of {} bytes",
                    prefix.len()
                );
                if let Err(error) = response.response_result {
                    // Only a refused rename is an error answer.
                    assert_eq!(method, "textDocument/rename", "{}", error.message);
                }
            }
        }
    }
}

/// Runs `survive` over the prefixes ending at `ends`, split between the machine's cores.
fn survive_all(text: &str, ends: Vec<usize>) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = ends.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        for part in ends.chunks(chunk) {
            scope.spawn(move || survive(text, part.iter().copied()));
        }
    });
}

fn character_ends(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(at, _)| at)
        .chain([text.len()])
        .collect()
}

#[test]
fn every_request_answers_on_every_line_prefix_of_every_bundled_file() {
    for path in BUNDLED {
        let text = std::fs::read_to_string(path).expect("a bundled file");
        let ends = text
            .match_indices('\n')
            .map(|(at, _)| at)
            .chain([text.len()]);
        survive_all(&text, ends.collect());
    }
}

#[test]
fn every_request_answers_on_every_character_prefix_of_a_bundled_scheme() {
    let text = std::fs::read_to_string(BUNDLED[0]).expect("a bundled file");
    survive_all(&text, character_ends(&text));
}

/// The same for every bundled file: some 75,000 prefixes, minutes even in a release build
/// (`cargo test --release --lib -- --ignored every_character_prefix_of_every`).
#[test]
#[ignore]
fn every_request_answers_on_every_character_prefix_of_every_bundled_file() {
    for path in BUNDLED {
        let text = std::fs::read_to_string(path).expect("a bundled file");
        survive_all(&text, character_ends(&text));
    }
}

#[test]
fn a_handler_that_panics_is_answered_with_an_error_and_logged_and_the_server_goes_on() {
    let mut server = Server::new(Lang::En);
    let uri: Uri = "file:///nowhere/a.scheme".parse().unwrap();
    server.open(uri.clone(), "专项 a {\n  标题 \"示例\"\n}\n".to_string());
    let failing = Request::new(RequestId::from(1), "rectify/fail".to_string(), json!({}));
    let (response, notes) = server.request(failing);
    let error = response.response_result.expect_err("an error answer");
    assert_eq!(error.code, ErrorCode::InternalError as i32);
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].method, "window/logMessage");
    assert!(
        notes[0].params["message"]
            .as_str()
            .unwrap()
            .contains("rectify/fail")
    );
    let hover = Request::new(
        RequestId::from(2),
        "textDocument/hover".to_string(),
        json!({ "textDocument": { "uri": uri.as_str() }, "position": { "line": 0, "character": 0 } }),
    );
    let (response, _) = server.request(hover);
    let answer = response.response_result.expect("the server still answers");
    assert!(
        answer["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("campaign")
    );
}

#[test]
fn file_uris_and_paths_go_both_ways_on_unix_and_windows() {
    let unix = std::path::Path::new("/home/办公室/方案 一.scheme");
    let uri = document::file_uri(unix).unwrap();
    assert_eq!(
        uri.as_str(),
        "file:///home/%E5%8A%9E%E5%85%AC%E5%AE%A4/%E6%96%B9%E6%A1%88%20%E4%B8%80.scheme"
    );
    assert_eq!(document::file_path(&uri).unwrap(), unix);
    let windows: Uri = "file:///c%3A/Users/a/liuzhi.scheme".parse().unwrap();
    assert_eq!(
        document::file_path(&windows).unwrap(),
        std::path::PathBuf::from("c:/Users/a/liuzhi.scheme")
    );
    let back = document::file_uri(std::path::Path::new("C:\\Users\\a\\liuzhi.scheme")).unwrap();
    assert_eq!(back.as_str(), "file:///C:/Users/a/liuzhi.scheme");
}

#[test]
fn lines_end_at_a_line_feed_a_carriage_return_or_both() {
    let uri: Uri = "file:///nowhere/a.scheme".parse().unwrap();
    let text = "专项 a {\r标题 \"一\"\r\n部门 b \"二\"\n}".to_string();
    let doc = document::Document::new(uri, text.clone(), Vec::new());
    let at = text.find("部门").unwrap();
    assert_eq!(doc.position(at), Position::new(2, 0));
    assert_eq!(doc.offset(Position::new(2, 0)), at);
    // Past the end of a line is its end, before its line break.
    let end = text.find("\r\n").unwrap();
    assert_eq!(doc.offset(Position::new(1, 99)), end);
}

#[test]
fn rename_waits_for_a_file_that_parses_and_an_unnamed_example_has_a_name_in_the_outline() {
    let mut server = Server::new(Lang::En);
    let uri: Uri = "file:///nowhere/a.scheme".parse().unwrap();
    let text = "专项 a {\n  部门 zzb \"组织部\"\n  责任 牵头 zzb\n  示例 \"\" { 内容 \"x\" 预期 未匹配 }\n}\n";
    server.open(uri.clone(), text.to_string());
    let symbols = features::symbols(&server.documents[uri.as_str()], Lang::En);
    let names: Vec<&str> = symbols[0]
        .children
        .iter()
        .flatten()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["zzb", "example"]);
    server.open(uri.clone(), text.replace("\"组织部\"", "\"组织部\"。"));
    let doc = &server.documents[uri.as_str()];
    let refused = features::rename(doc, Position::new(1, 6), "xcb").unwrap_err();
    assert_eq!(refused.key(), "lsp.rename.unparsed");
}
