//! The workbench's HTTP API, against `rectify serve` started on an ephemeral loopback port:
//! the answers the page and scripts get, the limits, the token, and what never leaves.

#[path = "support/http.rs"]
mod http;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use http::Server;
use serde_json::{Value, json};

const BINARY: &str = env!("CARGO_BIN_EXE_rectify");
const LIUZHI: &str = "schemes/liuzhi-2022.scheme";

/// Who reported the sample tips and the office fixtures: none of it may leave without
/// --include-reporter.
const REPORTERS: [&str; 6] = [
    "张某",
    "13900000000",
    "李某",
    "王某",
    "0858-0000000",
    "13800000000",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn start(args: &[&str]) -> Server {
    Server::start(Path::new(BINARY), root(), args)
}

/// A tip every part of the Liuzhi scheme accepts.
fn meetings_tip() -> Value {
    json!({
        "id": "t1",
        "text": "六枝特区某局今年以来层层开会,五月份超计划加开全区性会议三次,乡镇主要负责人疲于奔命。",
        "received": "2022-06-10",
        "channel": "电话",
        "subject": { "name": "特区某局", "kind": "党政机关", "level": "区级", "region": "520203" },
        "reporter": { "name": "张某", "contact": "13900000000" },
    })
}

fn assert_no_reporter(what: &str, text: &str) {
    for reporter in REPORTERS {
        assert!(
            !text.contains(reporter),
            "{what} holds `{reporter}`:\n{text}"
        );
    }
}

#[test]
fn campaigns_are_listed_with_their_outline_and_every_answer_is_guarded() {
    let server = start(&["--scheme", "schemes/"]);
    let answer = server.get("/api/campaigns");
    assert_eq!(answer.status, 200);
    let body = answer.json();
    let ids: Vec<&str> = body["campaigns"]
        .as_array()
        .expect("a list of campaigns")
        .iter()
        .map(|c| c["id"].as_str().expect("an id"))
        .collect();
    assert_eq!(
        ids,
        [
            "inaction-self-inspection",
            "jinghai-2021-2023",
            "jixi-2023",
            "liuzhi-2022"
        ]
    );
    assert_eq!(body["include_reporter"], false);
    let liuzhi = &body["campaigns"][3];
    assert_eq!(liuzhi["file"], LIUZHI);
    let area = &liuzhi["areas"][0];
    assert!(area["title"].as_str().is_some_and(|t| !t.is_empty()));
    let category = &area["categories"][0];
    assert!(category["symptoms"][0]["title"].is_string());
    for path in ["/", "/app.js", "/app.css", "/api/campaigns", "/nowhere"] {
        let answer = server.get(path);
        let csp = answer
            .header("content-security-policy")
            .unwrap_or_else(|| panic!("{path} has no Content-Security-Policy"));
        assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"));
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(answer.header("x-frame-options"), Some("DENY"));
    }
    let page = server.get("/").text();
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "the page loads nothing from elsewhere"
    );
    let missing = server.get("/nowhere");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["code"], "rectify::serve::not_found");
    let wrong = server.request("DELETE", "/api/campaigns", &[], b"");
    assert_eq!(wrong.status, 405);
    assert_eq!(
        wrong.json()["error"]["code"],
        "rectify::serve::method_not_allowed"
    );
}

#[test]
fn a_draft_with_a_mistake_is_diagnosed_at_its_line_and_the_fixed_draft_checks() {
    let server = start(&["--scheme", "schemes/"]);
    let original = std::fs::read_to_string(root().join(LIUZHI)).expect("the scheme reads");
    let broken = original.replacen("标题", "标提", 1);
    let line = broken
        .lines()
        .position(|l| l.contains("标提"))
        .expect("the mistake is in the text")
        + 1;
    let answer = server.post_json(
        "/api/check?lang=zh",
        &json!({ "files": [{ "name": LIUZHI, "text": broken }] }),
    );
    assert_eq!(answer.status, 200);
    let body = answer.json();
    assert_eq!(body["ok"], false);
    let diagnostic = body["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["file"] == LIUZHI && d["severity"] == "error")
        .expect("an error in the edited file");
    assert!(
        diagnostic["code"]
            .as_str()
            .is_some_and(|code| code.starts_with("rectify::syntax::"))
    );
    assert_eq!(diagnostic["labels"][0]["start"]["line"], line);
    assert!(
        diagnostic["message"]
            .as_str()
            .is_some_and(|m| !m.is_ascii())
    );
    // The same code as `rectify check --format json` gives for the same text.
    let file = tempdir().join("broken.scheme");
    std::fs::write(&file, &broken).expect("the copy is written");
    let cli = Command::new(BINARY)
        .args(["check", "--format", "json"])
        .arg(&file)
        .output()
        .expect("rectify check runs");
    let cli: Value = serde_json::from_slice(&cli.stdout).expect("check prints JSON");
    assert!(
        cli.to_string()
            .contains(diagnostic["code"].as_str().expect("a code")),
        "{cli}"
    );
    let fixed = server.post_json(
        "/api/check",
        &json!({ "files": [{ "name": LIUZHI, "text": original }] }),
    );
    let body = fixed.json();
    assert_eq!(body["ok"], true, "{body}");
    assert_eq!(body["campaigns"].as_array().map(Vec::len), Some(4));
    // Checking never writes the file on disk.
    let after = std::fs::read_to_string(root().join(LIUZHI)).expect("the scheme reads");
    assert_eq!(after, original);
}

#[test]
fn a_request_names_a_loaded_file_or_a_plain_new_name_never_a_path() {
    let server = start(&["--scheme", LIUZHI]);
    for name in [
        "../secret.scheme",
        "/etc/passwd",
        "sub/new.scheme",
        "C:\\x.scheme",
        "notes.txt",
        ".hidden.scheme",
    ] {
        let answer = server.post_json(
            "/api/check",
            &json!({ "files": [{ "name": name, "text": "" }] }),
        );
        assert_eq!(answer.status, 400, "{name}");
        assert_eq!(
            answer.json()["error"]["code"],
            "rectify::serve::bad_file_name"
        );
    }
    let new = server.post_json(
        "/api/check",
        &json!({ "files": [{ "name": "draft.scheme", "text": "专项 草稿 {\n  标题 \"草稿\"\n}\n" }] }),
    );
    assert_eq!(new.status, 200);
    let files = server.get("/api/files").json();
    let names: Vec<&str> = files["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["name"].as_str().expect("a name"))
        .collect();
    assert_eq!(names, [LIUZHI, "schemes/common.vocab"]);
}

#[test]
fn one_tip_is_decided_with_its_evidence_and_its_reporter_withheld() {
    let server = start(&["--scheme", "schemes/"]);
    let answer = server.post_json("/api/eval", &json!({ "tip": meetings_tip() }));
    assert_eq!(answer.status, 200);
    let text = answer.text();
    assert_no_reporter("the answer", &text);
    let body = answer.json();
    let decided = &body["decided"];
    assert_eq!(decided["real_name"], true);
    let liuzhi = decided["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .find(|d| d["campaign"] == "liuzhi-2022")
        .expect("a decision of liuzhi-2022");
    assert_eq!(liuzhi["outcome"], "accepted");
    let category = &liuzhi["matches"][0]["categories"][0];
    assert_eq!(category["category"], "文风会风");
    let evidence = &category["symptoms"][0]["evidence"][0];
    let tip_text: Vec<char> = decided["text"]
        .as_str()
        .expect("the text")
        .chars()
        .collect();
    let (from, to) = (
        evidence["start"].as_u64().expect("a start") as usize,
        evidence["end"].as_u64().expect("an end") as usize,
    );
    assert_eq!(
        tip_text[from..to].iter().collect::<String>(),
        evidence["text"].as_str().expect("the evidence")
    );
    // The same decision as `rectify eval` makes of the same record.
    let mut eval = Command::new(BINARY)
        .args(["eval", "--scheme", "schemes/", "-"])
        .current_dir(root())
        .env("RECTIFY_LANG", "en")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("rectify eval runs");
    eval.stdin
        .take()
        .expect("piped")
        .write_all(meetings_tip().to_string().as_bytes())
        .expect("the tip is written");
    let output = eval.wait_with_output().expect("rectify eval ends");
    let cli: Value = serde_json::from_slice(&output.stdout).expect("eval prints JSON");
    let mut decided = decided.clone();
    decided.as_object_mut().expect("an object").remove("text");
    assert_eq!(decided, cli);

    let disclosing = start(&["--scheme", "schemes/", "--include-reporter"]);
    let answer = disclosing.post_json("/api/eval", &json!({ "tip": meetings_tip() }));
    assert!(answer.text().contains("张某"));
    assert!(disclosing.banner.contains("--include-reporter"));
}

#[test]
fn a_malformed_tip_and_a_draft_with_errors_are_refused_with_codes() {
    let server = start(&["--scheme", LIUZHI]);
    let answer = server.post_json(
        "/api/eval",
        &json!({ "tip": { "id": "x", "text": "层层开会", "received": "2022-02-30" } }),
    );
    assert_eq!(answer.status, 422);
    assert_eq!(
        answer.json()["error"]["code"],
        "rectify::serve::malformed_tip"
    );
    let answer = server.post_json(
        "/api/eval",
        &json!({
            "tip": meetings_tip(),
            "files": [{ "name": LIUZHI, "text": "专项 {" }],
        }),
    );
    assert_eq!(answer.status, 422);
    let body = answer.json();
    assert_eq!(body["error"]["code"], "rectify::serve::no_model");
    assert!(
        !body["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .is_empty()
    );
    let answer = server.request(
        "POST",
        "/api/eval",
        &[("Content-Type", "application/json")],
        b"{not json",
    );
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.json()["error"]["code"],
        "rectify::serve::bad_request"
    );
    // What the body held is not quoted back: it may be a reporter's name.
    for body in [
        json!({ "tip": meetings_tip(), "explain": "张某" }),
        json!({ "tip": meetings_tip(), "张某": 1 }),
    ] {
        let answer = server.post_json("/api/eval", &body);
        assert_eq!(answer.status, 400);
        assert_no_reporter("an error", &answer.text());
    }
}

#[test]
fn examples_run_passed_and_failed() {
    let server = start(&["--scheme", LIUZHI]);
    let original = std::fs::read_to_string(root().join(LIUZHI)).expect("the scheme reads");
    let answer = server.post_json("/api/examples", &json!({}));
    let body = answer.json();
    let examples = body["examples"].as_array().expect("examples");
    assert!(!examples.is_empty());
    assert!(examples.iter().all(|e| e["passed"] == true), "{body}");
    // An example expecting the wrong category fails, and says what it got.
    let wrong = original.replacen("预期 受理 文风会风", "预期 受理 墨守成规", 1);
    assert_ne!(
        wrong, original,
        "the scheme has an example expecting 文风会风"
    );
    let answer = server.post_json(
        "/api/examples",
        &json!({ "files": [{ "name": LIUZHI, "text": wrong }] }),
    );
    let body = answer.json();
    let failed: Vec<&Value> = body["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .filter(|e| e["passed"] == false)
        .collect();
    assert_eq!(failed.len(), 1, "{body}");
    assert_ne!(failed[0]["expected"], failed[0]["actual"]);
}

#[test]
fn a_stream_of_tips_gives_what_eval_prints_in_order() {
    let server = start(&["--scheme", "schemes/"]);
    let tips = std::fs::read(root().join("examples/tips.jsonl")).expect("the sample tips read");
    let answer = server.request("POST", "/api/eval/stream", &[], &tips);
    assert_eq!(answer.status, 200);
    let cli = Command::new(BINARY)
        .args(["eval", "--scheme", "schemes/", "examples/tips.jsonl"])
        .current_dir(root())
        .env("RECTIFY_LANG", "en")
        .output()
        .expect("rectify eval runs");
    assert_eq!(answer.text(), String::from_utf8(cli.stdout).expect("UTF-8"));
    assert_no_reporter("the stream", &answer.text());
}

#[test]
fn past_the_limits_requests_are_refused_with_413_and_429() {
    let server = start(&[
        "--scheme",
        LIUZHI,
        "--max-request-bytes",
        "4096",
        "--max-tips",
        "3",
        "--max-concurrent",
        "1",
        "--timeout",
        "3",
    ]);
    let big = vec![b' '; 10_000];
    let answer = server.request("POST", "/api/check", &[], &big);
    assert_eq!(answer.status, 413);
    assert_eq!(answer.json()["error"]["code"], "rectify::serve::too_large");
    let answer = server.request("POST", "/api/eval/stream", &[], &big);
    assert_eq!(answer.status, 413);

    let tip = meetings_tip().to_string();
    let five = format!("{tip}\n{tip}\n{tip}\n{tip}\n{tip}\n");
    let answer = server.request("POST", "/api/eval/stream", &[], five.as_bytes());
    let text = answer.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    let last: Value = serde_json::from_str(lines[3]).expect("an error record");
    assert_eq!(last["error"]["code"], "rectify::serve::too_many_tips");

    // A client that sends one tip and then nothing holds the one worker: others are told to
    // come back (429) rather than queued, and the stalled stream ends at the deadline.
    let mut stalled = TcpStream::connect(&server.address).expect("a connection");
    let head = format!(
        "POST /api/eval/stream HTTP/1.1\r\nHost: {}\r\nTransfer-Encoding: chunked\r\n\r\n",
        server.address
    );
    let line = format!("{tip}\n");
    stalled
        .write_all(format!("{head}{:x}\r\n{line}\r\n", line.len()).as_bytes())
        .expect("the start of a stream is sent");
    std::thread::sleep(Duration::from_millis(500));
    let busy = server.post_json("/api/eval", &json!({ "tip": meetings_tip() }));
    assert_eq!(busy.status, 429);
    assert_eq!(busy.header("retry-after"), Some("1"));
    assert_eq!(busy.json()["error"]["code"], "rectify::serve::busy");
    // The server ends the stalled stream at its deadline; the read timeout only keeps a server
    // that never did from hanging the test.
    stalled
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("a timeout");
    let mut answer = Vec::new();
    let _ = stalled.read_to_end(&mut answer);
    let answer = http::read_response(&mut answer.as_slice());
    let text = answer.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].contains("\"tip\":\"t1\""), "{text}");
    let last: Value = serde_json::from_str(lines[1]).expect("an error record");
    assert_eq!(
        last["error"]["code"], "rectify::serve::timeout",
        "the cut is said"
    );
    // With the stalled client gone, the worker is free again.
    let again = server.post_json("/api/eval", &json!({ "tip": meetings_tip() }));
    assert_eq!(again.status, 200);
}

#[test]
fn beyond_loopback_a_token_is_needed_and_checked_on_every_request() {
    let refused = Command::new(BINARY)
        .args(["serve", "--scheme", LIUZHI, "--listen", "0.0.0.0:0"])
        .current_dir(root())
        .env("RECTIFY_LANG", "en")
        .output()
        .expect("rectify serve runs");
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("needs a token"));
    let short = Command::new(BINARY)
        .args(["serve", "--scheme", LIUZHI, "--token", "short"])
        .current_dir(root())
        .env("RECTIFY_LANG", "en")
        .output()
        .expect("rectify serve runs");
    assert_eq!(short.status.code(), Some(2));

    let token = "k3y-for-the-office-0123456789";
    let server = start(&["--scheme", LIUZHI, "--token", token]);
    for path in ["/", "/api/campaigns", "/app.js", "/nowhere"] {
        let answer = server.get(path);
        assert_eq!(answer.status, 401, "{path}");
        assert_eq!(
            answer.json()["error"]["code"],
            "rectify::serve::unauthorized"
        );
    }
    let wrong = server.request(
        "GET",
        "/api/campaigns",
        &[("Authorization", "Bearer k3y-for-the-office-0123456788")],
        b"",
    );
    assert_eq!(wrong.status, 401);
    let bearer = format!("Bearer {token}");
    let right = server.request("GET", "/api/campaigns", &[("Authorization", &bearer)], b"");
    assert_eq!(right.status, 200);
    let page = server.get(&format!("/?token={token}"));
    assert_eq!(page.status, 200);
    let cookie = page
        .header("set-cookie")
        .expect("the page sets the token's cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let pair = cookie.split(';').next().expect("a name and value");
    let by_cookie = server.request("GET", "/api/files", &[("Cookie", pair)], b"");
    assert_eq!(by_cookie.status, 200);
}

#[test]
fn a_page_of_another_site_cannot_send_requests() {
    let server = start(&["--scheme", LIUZHI]);
    // A site whose name was made to resolve to 127.0.0.1 sends its own name as the host.
    let rebound = server.request("GET", "/api/files", &[("Host", "evil.example:8610")], b"");
    assert_eq!(rebound.status, 403);
    assert_eq!(
        rebound.json()["error"]["code"],
        "rectify::serve::forbidden_host"
    );
    let tip = meetings_tip().to_string();
    let answer = server.request(
        "POST",
        "/api/eval/stream",
        &[("Origin", "http://elsewhere.example")],
        tip.as_bytes(),
    );
    assert_eq!(answer.status, 403);
    let own = format!("http://{}", server.address);
    let answer = server.request(
        "POST",
        "/api/eval/stream",
        &[("Origin", &own)],
        tip.as_bytes(),
    );
    assert_eq!(answer.status, 200);
}

#[test]
fn a_batch_is_decided_and_downloaded_without_reporters() {
    let server = start(&["--scheme", LIUZHI]);
    let workbook = std::fs::read(root().join("tests/office/tips.xlsx")).expect("the workbook");
    let answer = server.request("POST", "/api/batches?name=tips.xlsx", &[], &workbook);
    assert_eq!(answer.status, 202, "{}", answer.text());
    let created = answer.json();
    let id = created["id"].as_str().expect("an id").to_string();
    assert_eq!(id.len(), 32);
    let status = wait_for_batch(&server, &id);
    let total = created["total"].as_u64().expect("a count");
    assert_eq!(status["summary"]["read"], total);
    assert_eq!(
        status["rows"].as_array().map(Vec::len),
        Some(total as usize)
    );
    let cli = Command::new(BINARY)
        .args(["eval", "--scheme", LIUZHI, "tests/office/tips.xlsx"])
        .current_dir(root())
        .env("RECTIFY_LANG", "en")
        .output()
        .expect("rectify eval runs");
    let jsonl = server.get(&format!("/api/batches/{id}/decisions.jsonl"));
    assert_eq!(jsonl.status, 200);
    assert_eq!(jsonl.text(), String::from_utf8(cli.stdout).expect("UTF-8"));
    for file in ["decisions.csv", "decisions.jsonl", "report.html"] {
        let answer = server.get(&format!("/api/batches/{id}/{file}"));
        assert_eq!(answer.status, 200, "{file}");
        assert!(
            answer
                .header("content-disposition")
                .is_some_and(|d| d.starts_with("attachment"))
        );
        assert_no_reporter(file, &String::from_utf8_lossy(&answer.body));
    }
    let xlsx = server.get(&format!("/api/batches/{id}/decisions.xlsx"));
    assert_eq!(&xlsx.body[..2], b"PK");
    let cells = workbook_text(&xlsx.body);
    assert_no_reporter("the workbook", &cells);
    assert!(
        cells.contains("文风会风惯例依旧"),
        "the workbook names categories"
    );

    for path in [
        format!("/api/batches/{id}/upload.xlsx"),
        format!("/api/batches/{id}/..%2F..%2Fetc%2Fpasswd"),
        "/api/batches/0123456789abcdef0123456789abcdef".to_string(),
    ] {
        assert_eq!(server.get(&path).status, 404, "{path}");
    }
    let unknown = server.request("POST", "/api/batches?name=tips.pdf", &[], b"x");
    assert_eq!(unknown.status, 415);
    assert_eq!(
        unknown.json()["error"]["code"],
        "rectify::serve::batch_kind"
    );
}

#[test]
fn a_batch_over_the_tip_limit_is_refused_before_it_runs() {
    let server = start(&["--scheme", LIUZHI, "--max-tips", "10"]);
    let tips = std::fs::read(root().join("examples/tips.jsonl")).expect("the sample tips");
    let answer = server.request("POST", "/api/batches?name=tips.jsonl", &[], &tips);
    assert_eq!(answer.status, 413);
    assert_eq!(
        answer.json()["error"]["code"],
        "rectify::serve::too_many_tips"
    );
}

fn wait_for_batch(server: &Server, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = server.get(&format!("/api/batches/{id}")).json();
        match status["state"].as_str() {
            Some("running") if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(100))
            }
            Some("done") => return status,
            _ => panic!("the batch did not finish: {status}"),
        }
    }
}

/// Every cell of every sheet of a workbook, as one text.
fn workbook_text(bytes: &[u8]) -> String {
    use calamine::Reader;
    let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec()))
        .expect("the download is a workbook");
    let mut text = String::new();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).expect("the sheet reads");
        for row in range.rows() {
            for cell in row {
                text.push_str(&cell.to_string());
                text.push('\t');
            }
            text.push('\n');
        }
    }
    text
}

fn tempdir() -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

#[test]
fn with_a_store_a_later_batch_finds_the_tips_an_earlier_one_recorded() {
    let dir = tempdir().join("store");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a directory");
    let store = dir.join("history.db");
    let store = store.to_str().expect("a UTF-8 path");
    let server = start(&["--scheme", LIUZHI, "--store", store]);
    let mut first = meetings_tip();
    first["id"] = json!("X1");
    let mut again = meetings_tip();
    again["id"] = json!("X2");
    let batch = |tip: &Value| {
        let body = format!("{tip}\n");
        let created = server.request("POST", "/api/batches?name=tips.jsonl", &[], body.as_bytes());
        assert_eq!(created.status, 202, "{}", created.text());
        let id = created.json()["id"].as_str().expect("an id").to_string();
        wait_for_batch(&server, &id);
        server
            .get(&format!("/api/batches/{id}/decisions.jsonl"))
            .json()
    };
    let decided = batch(&first);
    assert_eq!(decided["decisions"][0]["outcome"], "accepted");
    let repeated = batch(&again);
    let decision = &repeated["decisions"][0];
    assert_eq!(decision["outcome"], "excluded", "{repeated}");
    assert_eq!(decision["repeats"]["tip"], "X1", "{repeated}");
    // A stream is compared with the store too, and what the store holds names no reporter.
    let mut third = meetings_tip();
    third["id"] = json!("X3");
    let streamed = server.request(
        "POST",
        "/api/eval/stream",
        &[],
        format!("{third}\n").as_bytes(),
    );
    assert!(
        streamed.text().contains("\"repeats\""),
        "{}",
        streamed.text()
    );
    drop(server);
    for entry in std::fs::read_dir(&dir).expect("the store's directory") {
        let path = entry.expect("an entry").path();
        let bytes = std::fs::read(&path).expect("a file of the store");
        assert_no_reporter(
            &path.display().to_string(),
            &String::from_utf8_lossy(&bytes),
        );
    }
}

#[test]
fn a_server_opens_on_schemes_with_errors_to_fix_them_and_decides_only_drafts_that_check() {
    let dir = tempdir().join("broken");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a directory");
    let original = std::fs::read_to_string(root().join(LIUZHI)).expect("the scheme reads");
    let path = dir.join("liuzhi.scheme");
    std::fs::write(&path, original.replacen("标题", "标提", 1)).expect("the copy is written");
    std::fs::copy(
        root().join("schemes/common.vocab"),
        dir.join("common.vocab"),
    )
    .expect("the vocabulary is copied");
    let path = path.to_str().expect("a UTF-8 path");
    let server = start(&["--scheme", path]);
    assert!(server.banner.contains("errors"), "{}", server.banner);
    let campaigns = server.get("/api/campaigns").json();
    assert_eq!(campaigns["loaded"], false);
    let checked = server.post_json("/api/check", &json!({})).json();
    assert_eq!(checked["ok"], false);
    for answer in [
        server.post_json("/api/eval", &json!({ "tip": meetings_tip() })),
        server.request(
            "POST",
            "/api/eval/stream",
            &[],
            meetings_tip().to_string().as_bytes(),
        ),
        server.request("POST", "/api/batches?name=tips.jsonl", &[], b"{}"),
    ] {
        assert_eq!(answer.status, 422);
        assert_eq!(answer.json()["error"]["code"], "rectify::serve::not_loaded");
    }
    let fixed = server.post_json(
        "/api/eval",
        &json!({ "tip": meetings_tip(), "files": [{ "name": path, "text": original }] }),
    );
    assert_eq!(fixed.status, 200, "{}", fixed.text());
    assert_eq!(
        fixed.json()["decided"]["decisions"][0]["outcome"],
        "accepted"
    );
}
