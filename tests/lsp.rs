//! `rectify lsp` as an editor uses it: the server is started, spoken to in JSON-RPC over its
//! pipes, and its answers are compared with snapshots.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

/// A client of one server process.
struct Client {
    child: Child,
    input: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for answers.
    notifications: Vec<Value>,
}

impl Client {
    fn start(lang: &str) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rectify"))
            .arg("lsp")
            .env("RECTIFY_LANG", lang)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the rectify binary runs");
        let input = child.stdin.take().unwrap();
        let output = child.stdout.take().unwrap();
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(output);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(value) = line.strip_prefix("Content-Length: ") {
                        length = value.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                reader.read_exact(&mut body).unwrap();
                let message: Value = serde_json::from_slice(&body).expect("JSON");
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        let mut client = Client {
            child,
            input,
            messages,
            next_id: 1,
            notifications: Vec::new(),
        };
        let initialized = client.request("initialize", json!({ "capabilities": {} }));
        assert!(initialized["capabilities"]["hoverProvider"] == json!(true));
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: Value) {
        let body = serde_json::to_string(&message).unwrap();
        write!(self.input, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.input.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The whole response to a request (its `result` or `error`).
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self
                .messages
                .recv_timeout(Duration::from_secs(60))
                .expect("the server answers");
            if message["id"] == json!(id) {
                return message;
            }
            self.notifications.push(message);
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// The next notification of `method`, received or to come.
    fn notification(&mut self, method: &str) -> Value {
        if let Some(at) = self
            .notifications
            .iter()
            .position(|n| n["method"] == method)
        {
            return self.notifications.remove(at)["params"].clone();
        }
        loop {
            let message = self
                .messages
                .recv_timeout(Duration::from_secs(60))
                .expect("the server notifies");
            if message["method"] == method {
                return message["params"].clone();
            }
            self.notifications.push(message);
        }
    }

    fn open(&mut self, uri: &str, text: &str) -> Value {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": {
                "uri": uri, "languageId": "rectify", "version": 1, "text": text,
            }}),
        );
        self.notification("textDocument/publishDiagnostics")
    }

    fn stop(mut self) {
        let shut = self.request("shutdown", Value::Null);
        assert_eq!(shut, Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "the server exits cleanly: {status}");
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display()).replace(' ', "%20")
}

/// A copy of the bundled Liuzhi scheme and the shared vocabularies, in a fresh directory, so
/// that URIs in the snapshots do not depend on where the repository is.
fn workspace(name: &str) -> (PathBuf, String, String) {
    let dir = std::env::temp_dir().join(format!("rectify-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(root().join("schemes/liuzhi-2022.scheme")).unwrap();
    std::fs::write(dir.join("liuzhi.scheme"), &text).unwrap();
    std::fs::copy(
        root().join("schemes/common.vocab"),
        dir.join("common.vocab"),
    )
    .unwrap();
    (dir.clone(), uri(&dir.join("liuzhi.scheme")), text)
}

/// `value` with the workspace directory written as `WORKSPACE`.
fn shown(value: &Value, dir: &Path) -> String {
    serde_json::to_string_pretty(value)
        .unwrap()
        .replace(&uri(dir), "file://WORKSPACE")
}

/// The protocol position of the first `needle` in `text`, `offset` characters into it.
fn at(text: &str, needle: &str, offset: usize) -> Value {
    let byte = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} is in the text"));
    let line = text[..byte].matches('\n').count();
    let line_start = text[..byte].rfind('\n').map_or(0, |i| i + 1);
    let character: usize = text[line_start..byte].encode_utf16().count()
        + needle
            .chars()
            .take(offset)
            .map(char::len_utf16)
            .sum::<usize>();
    json!({ "line": line, "character": character })
}

fn position(uri: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position })
}

#[test]
fn a_bundled_scheme_opens_without_problems() {
    let (dir, uri, text) = workspace("open");
    let mut client = Client::start("zh");
    let diagnostics = client.open(&uri, &text);
    assert_eq!(diagnostics["diagnostics"], json!([]), "{diagnostics}");
    client.stop();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn diagnostics_come_with_codes_related_labels_and_a_quick_fix() {
    let (dir, uri, text) = workspace("diagnostics");
    let mut client = Client::start("zh");
    // A department misspelt: "did you mean" has a fix.
    let broken = text.replacen("责任 牵头 专项办", "责任 牵头 专项半", 1);
    let published = client.open(&uri, &broken);
    insta::assert_snapshot!("lsp_diagnostics_zh", shown(&published, &dir));
    let diagnostic = published["diagnostics"][0].clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": diagnostic["range"],
            "context": { "diagnostics": [diagnostic] },
        }),
    );
    insta::assert_snapshot!("lsp_quick_fix", shown(&actions, &dir));
    client.stop();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_missing_reason_and_a_full_width_slip_have_quick_fixes() {
    let (dir, uri, _) = workspace("fixes");
    let mut client = Client::start("en");
    let text = "专项 a {\n  标题 \"示例\"。\n  不予受理 x 当 实名 \"说明\"\n}\n";
    let published = client.open(&uri, text);
    let mut titles = Vec::new();
    for diagnostic in published["diagnostics"].as_array().unwrap() {
        let actions = client.request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": uri },
                "range": diagnostic["range"],
                "context": { "diagnostics": [diagnostic] },
            }),
        );
        for action in actions.as_array().unwrap() {
            let edit = &action["edit"]["changes"][&uri][0];
            titles.push(format!(
                "{} → {} at {}",
                action["title"], edit["newText"], edit["range"]["start"]
            ));
        }
    }
    insta::assert_snapshot!(titles.join("\n"), @r#"
    "Remove `。`" → "" at {"line":1,"character":9}
    "Add `理由` before the quoted text" → "理由 " at {"line":2,"character":14}
    "#);
    client.stop();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn hover_definition_references_and_rename() {
    let (dir, uri, text) = workspace("navigate");
    let mut client = Client::start("zh");
    client.open(&uri, &text);
    let mut answers = serde_json::Map::new();
    let department = at(&text, "牵头 专项办", 3);
    answers.insert(
        "hover department".into(),
        client.request("textDocument/hover", position(&uri, department.clone())),
    );
    answers.insert(
        "hover category".into(),
        client.request(
            "textDocument/hover",
            position(&uri, at(&text, "类别 文风会风", 3)),
        ),
    );
    answers.insert(
        "hover keyword".into(),
        client.request(
            "textDocument/hover",
            position(&uri, at(&text, "不予受理 无明确对象", 1)),
        ),
    );
    answers.insert(
        "hover vocabulary".into(),
        client.request(
            "textDocument/hover",
            position(&uri, at(&text, "词表(填表)", 3)),
        ),
    );
    answers.insert(
        "definition".into(),
        client.request(
            "textDocument/definition",
            position(&uri, department.clone()),
        ),
    );
    answers.insert(
        "definition in another file".into(),
        client.request(
            "textDocument/definition",
            position(&uri, at(&text, "词表(填表)", 3)),
        ),
    );
    let mut references = position(&uri, department.clone());
    references["context"] = json!({ "includeDeclaration": true });
    answers.insert(
        "references".into(),
        client.request("textDocument/references", references),
    );
    answers.insert(
        "prepare rename".into(),
        client.request(
            "textDocument/prepareRename",
            position(&uri, department.clone()),
        ),
    );
    let mut rename = position(&uri, department.clone());
    rename["newName"] = json!("领导小组办公室");
    answers.insert(
        "rename".into(),
        client.request("textDocument/rename", rename),
    );
    insta::assert_snapshot!("lsp_navigation", shown(&Value::Object(answers), &dir));

    // Renaming to a name that is taken, or that is not an id, is refused.
    let category = at(&text, "类别 文风会风", 3);
    let mut taken = position(&uri, category);
    taken["newName"] = json!("基层负担");
    let refused = client.call("textDocument/rename", taken);
    assert_eq!(
        refused["error"]["message"], "已有名为 `基层负担` 的类别",
        "{refused}"
    );
    let mut invalid = position(&uri, department);
    invalid["newName"] = json!("两 个词");
    let refused = client.call("textDocument/rename", invalid);
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("不能用作标识"),
        "{refused}"
    );
    client.stop();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn completion_offers_what_fits_where_the_cursor_is() {
    let (dir, uri, text) = workspace("complete");
    let mut client = Client::start("zh");
    client.open(&uri, &text);
    let labels = |client: &mut Client, position: Value| -> Vec<String> {
        let items = client.request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri }, "position": position }),
        );
        let items = items.as_array().cloned().unwrap_or_default();
        items
            .iter()
            .map(|item| item["label"].as_str().unwrap().to_string())
            .collect()
    };
    let departments = labels(&mut client, at(&text, "牵头 专项办", 3));
    assert_eq!(departments, ["专项办"]);
    let channels = labels(&mut client, at(&text, "渠道 来信", 3));
    assert!(channels.contains(&"来信".to_string()) && channels.contains(&"online".to_string()));
    let vocabularies = labels(&mut client, at(&text, "词表(填表)", 3));
    assert!(
        vocabularies.contains(&"填表".to_string()),
        "{vocabularies:?}"
    );
    assert!(
        vocabularies.contains(&"留痕".to_string()),
        "{vocabularies:?}"
    );
    let categories = labels(&mut client, at(&text, "预期 受理 ", 6));
    assert!(
        categories.contains(&"文风会风".to_string()),
        "{categories:?}"
    );
    let in_text = labels(&mut client, at(&text, "匹配 任一(\"层层开会", 10));
    assert_eq!(
        in_text,
        Vec::<String>::new(),
        "nothing is offered inside a quoted text"
    );
    let in_comment = labels(&mut client, json!({ "line": 0, "character": 3 }));
    assert_eq!(in_comment, Vec::<String>::new(), "nor inside a comment");
    let everything = labels(&mut client, at(&text, "专项 liuzhi-2022 {", 0));
    for keyword in [
        "专项",
        "campaign",
        "不予受理",
        "exclude",
        "同一对象",
        "same subject",
    ] {
        assert!(everything.contains(&keyword.to_string()), "{keyword}");
    }
    // On a half-typed line, the ids known when the file last parsed are still offered.
    let half = text.replacen("责任 牵头 专项办", "责任 牵头 ", 1);
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "text": half }],
        }),
    );
    let offered = labels(&mut client, at(&half, "责任 牵头 ", 6));
    assert_eq!(offered, ["专项办"]);
    client.stop();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn outline_folding_formatting_and_the_example_lens() {
    let (dir, uri, text) = workspace("outline");
    let mut client = Client::start("zh");
    client.open(&uri, &text);
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    let outline: Vec<String> = symbols[0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|child| {
            let below: Vec<&str> = child["children"]
                .as_array()
                .map(|c| c.iter().map(|g| g["name"].as_str().unwrap()).collect())
                .unwrap_or_default();
            format!("{} {:?}", child["name"].as_str().unwrap(), below)
        })
        .collect();
    insta::assert_snapshot!(
        "lsp_outline",
        format!("{}\n{}", symbols[0]["name"], outline.join("\n"))
    );
    let folds = client.request(
        "textDocument/foldingRange",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert!(folds.as_array().unwrap().len() > 20, "{folds}");
    let header = &folds.as_array().unwrap()[0];
    assert_eq!(
        (&header["startLine"], &header["kind"]),
        (&json!(0), &json!("comment"))
    );
    let formatting = json!({
        "textDocument": { "uri": uri },
        "options": { "tabSize": 2, "insertSpaces": true },
    });
    let edits = client.request("textDocument/formatting", formatting.clone());
    assert_eq!(edits, json!([]), "a bundled scheme is already formatted");
    let messy = text.replacen("  标题 ", "标题    ", 1);
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "text": messy }],
        }),
    );
    let edits = client.request("textDocument/formatting", formatting);
    assert_eq!(edits[0]["newText"], json!(text));
    let lenses = client.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": uri } }),
    );
    let lenses = lenses.as_array().unwrap();
    assert!(lenses.len() >= 10);
    assert!(
        lenses.iter().all(|l| l["command"]["title"] == "✓ 示例通过"),
        "{lenses:?}"
    );
    let command = lenses[0]["command"].clone();
    let ran = client.request(
        "workspace/executeCommand",
        json!({ "command": command["command"], "arguments": command["arguments"] }),
    );
    assert_eq!(ran["passed"], json!(true), "{ran}");
    let shown = client.notification("window/showMessage");
    assert!(
        shown["message"].as_str().unwrap().ends_with("通过。"),
        "{shown}"
    );
    client.stop();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_failing_example_shows_on_its_lens() {
    let (dir, uri, text) = workspace("failing");
    let mut client = Client::start("en");
    let failing = text.replacen("预期 受理 秀优越感", "预期 受理 执法越位", 1);
    client.open(&uri, &failing);
    let lenses = client.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": uri } }),
    );
    let failed: Vec<&Value> = lenses
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["command"]["title"].as_str().unwrap().starts_with('✗'))
        .collect();
    assert_eq!(failed.len(), 1, "{lenses}");
    insta::assert_snapshot!(
        failed[0]["command"]["title"].as_str().unwrap(),
        @"✗ example fails: expected accepted 执法越位, got accepted 秀优越感"
    );
    client.stop();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_unknown_request_and_bad_parameters_get_errors_and_the_server_goes_on() {
    let (dir, uri, text) = workspace("errors");
    let mut client = Client::start("en");
    client.open(&uri, &text);
    let unknown = client.call("textDocument/unknownThing", json!({}));
    assert_eq!(unknown["error"]["code"], json!(-32601));
    let bad = client.call("textDocument/hover", json!({ "nonsense": true }));
    assert_eq!(bad["error"]["code"], json!(-32602));
    let closed = client.call(
        "textDocument/hover",
        position(
            "file:///nowhere.scheme",
            json!({ "line": 0, "character": 0 }),
        ),
    );
    assert_eq!(closed["error"]["code"], json!(-32602));
    // Positions past the end of a line or of the file are taken as the end.
    let far = client.request(
        "textDocument/hover",
        position(&uri, json!({ "line": 100000, "character": 100000 })),
    );
    assert_eq!(far, Value::Null);
    let hover = client.request("textDocument/hover", position(&uri, at(&text, "专项 ", 0)));
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("campaign")
    );
    client.stop();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_slip_on_one_line_leaves_the_rest_of_the_file_to_navigate() {
    let (dir, uri, text) = workspace("slip");
    let mut client = Client::start("en");
    let slipped = text.replacen("  公告日期 2022年5月28日", "  公告日期 2022年5月28日。", 1);
    let published = client.open(&uri, &slipped);
    assert_eq!(
        published["diagnostics"].as_array().unwrap().len(),
        1,
        "{published}"
    );
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(symbols[0]["name"], "liuzhi-2022", "{symbols}");
    let hover = client.request(
        "textDocument/hover",
        position(&uri, at(&slipped, "类别 文风会风", 3)),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("文风会风惯例依旧")
    );
    let formatting = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(
        formatting,
        json!([]),
        "a file that does not parse is not formatted"
    );
    client.stop();
    std::fs::remove_dir_all(dir).unwrap();
}
