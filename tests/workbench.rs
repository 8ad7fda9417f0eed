//! The workbench in a real headless Chromium, driven over WebDriver (Debian's chromedriver):
//! an office drafts a scheme with a mistake and sees the diagnostic under the line, fixes it,
//! runs the examples, tries a tip and sees its category and the highlighted evidence, and
//! uploads a workbook and downloads the decisions. A screenshot of each step is kept under
//! `target/tmp/workbench/`.
//!
//! It runs where `.ci/with-chromium` has set RECTIFY_TEST_CHROMIUM and
//! RECTIFY_TEST_CHROMEDRIVER, and says that it did not run elsewhere.

#[path = "support/http.rs"]
mod http;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use http::Server;
use serde_json::{Value, json};

const BINARY: &str = env!("CARGO_BIN_EXE_rectify");

/// The scheme the office types, with `标提` for `标题` on line 2.
const DRAFT: &str = "专项 试行 {
  标提 \"试行方案\"
  起止 2026年1月 至 2026年12月底
  部门 办公室 \"办公室\"
  责任 牵头 办公室
  方面 减负 \"基层减负\" {
    类别 文山会海 \"文山会海\" {
      表现 层层开会 \"层层开会\" 匹配 任一(\"层层开会\", \"会议太多\")
    }
  }
  示例 \"开会太多\" {
    内容 \"镇里层层开会\"
    收到日期 2026年3月2日
    预期 受理 文山会海
  }
}";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Chromium and its driver, when the test machine has them.
fn browser() -> Option<(String, String)> {
    let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
    match (
        var("RECTIFY_TEST_CHROMIUM"),
        var("RECTIFY_TEST_CHROMEDRIVER"),
    ) {
        (Some(chromium), Some(driver)) => Some((chromium, driver)),
        _ => {
            eprintln!(
                "RECTIFY_TEST_CHROMIUM and RECTIFY_TEST_CHROMEDRIVER are not both set: the workbench is not tried in a browser"
            );
            None
        }
    }
}

/// chromedriver on a free loopback port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(path: &str) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn shots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("workbench");
    std::fs::create_dir_all(&dir).expect("the screenshot directory");
    dir
}

async fn shot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("a screenshot");
    std::fs::write(shots().join(format!("{name}.png")), png).expect("the screenshot is kept");
}

async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("no `{css}` on the page: {error}"))
}

/// Waits until `script` (a JavaScript expression) is true on the page.
async fn wait_until(client: &Client, script: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let value = client
            .execute(&format!("return Boolean({script});"), vec![])
            .await
            .expect("the script runs");
        if value == Value::Bool(true) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "never true on the page: {script}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn text_of(client: &Client, css: &str) -> String {
    wait_for(client, css).await.text().await.expect("its text")
}

#[test]
fn an_office_drafts_checks_tries_and_batches_a_campaign_in_the_browser() {
    let Some((chromium, chromedriver)) = browser() else {
        return;
    };
    let server = Server::start(
        Path::new(BINARY),
        root(),
        &["--scheme", "schemes/liuzhi-2022.scheme"],
    );
    let driver = Driver::start(&chromedriver);
    let profile = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("workbench-profile-{}", std::process::id()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                    "--lang=zh-CN", format!("--user-data-dir={}", profile.display()),
                ],
                "prefs": { "intl.accept_languages": "zh-CN,zh" },
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .expect("a WebDriver session");
        let result = drive(&client, &server).await;
        let _ = client.close().await;
        result
    });
    let _ = std::fs::remove_dir_all(&profile);
}

async fn drive(client: &Client, server: &Server) {
    client.goto(&server.url()).await.expect("the page opens");
    wait_for(client, "body[data-ready='true']").await;
    assert_eq!(text_of(client, "h1").await, "rectify 工作台");
    assert_eq!(text_of(client, "#mode").await, "不显示反映人");
    wait_until(
        client,
        "document.querySelector('#check-status').textContent === '没有问题'",
    )
    .await;
    shot(client, "01-loaded").await;

    // A new scheme, typed with a mistake on line 2: its diagnostic appears under line 2.
    wait_for(client, "#new-file")
        .await
        .click()
        .await
        .expect("a click");
    let editor = wait_for(client, "#editor").await;
    editor.send_keys(DRAFT).await.expect("the scheme is typed");
    let diagnostic = wait_for(client, "#editor .diag.error").await;
    assert_eq!(
        diagnostic
            .attr("data-line")
            .await
            .expect("an attribute")
            .as_deref(),
        Some("2")
    );
    let placed: Value = client
        .execute(
            "const d = document.querySelector('#editor .diag.error');
             return d.previousElementSibling.dataset.n;",
            vec![],
        )
        .await
        .expect("the script runs");
    assert_eq!(placed, json!("2"), "the diagnostic sits under line 2");
    let message = diagnostic.text().await.expect("its text");
    assert!(message.contains("rectify::"), "{message}");
    assert!(
        message.contains("提示"),
        "the help line is shown: {message}"
    );
    assert!(
        text_of(client, "#check-status").await.contains("个错误"),
        "the status counts the error"
    );
    shot(client, "02-mistake").await;

    // Fixed in place: `提` selected and `题` typed over it.
    client
        .execute(
            "const editor = document.querySelector('#editor');
             editor.focus();
             const line = editor.querySelector('.line[data-n=\"2\"]');
             const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
             for (let node = walker.nextNode(); node; node = walker.nextNode()) {
               const at = node.data.indexOf('提');
               if (at >= 0) {
                 const range = document.createRange();
                 range.setStart(node, at);
                 range.setEnd(node, at + 1);
                 getSelection().removeAllRanges();
                 getSelection().addRange(range);
                 break;
               }
             }",
            vec![],
        )
        .await
        .expect("the script runs");
    editor.send_keys("题").await.expect("the fix is typed");
    wait_until(
        client,
        "document.querySelector('#check-status').textContent === '没有问题'",
    )
    .await;
    wait_until(
        client,
        "document.querySelectorAll('#editor .diag').length === 0",
    )
    .await;
    let typed: Value = client
        .execute(
            "return Array.from(document.querySelectorAll('#editor .line')).map(l => l.textContent).join('\\n');",
            vec![],
        )
        .await
        .expect("the script runs");
    assert_eq!(typed, json!(DRAFT.replacen("标提", "标题", 1)));
    assert!(text_of(client, "#outline").await.contains("文山会海"));
    shot(client, "03-fixed").await;

    // The examples, run with one button.
    wait_for(client, "#run-examples")
        .await
        .click()
        .await
        .expect("a click");
    let passed = text_of(client, "#examples-passed").await;
    assert!(passed.contains("开会太多"), "{passed}");
    assert!(
        text_of(client, "#examples-status")
            .await
            .contains("0 个未通过")
    );
    shot(client, "04-examples").await;

    // A tip tried against the draft: its category, and its evidence highlighted.
    wait_for(client, "[data-tab='try']")
        .await
        .click()
        .await
        .expect("a click");
    wait_for(client, "#tip-text")
        .await
        .send_keys("镇里层层开会，一周开了五次")
        .await
        .expect("the text is typed");
    client
        .execute(
            "document.querySelector('#tip-date').value = '2026-03-02';",
            vec![],
        )
        .await
        .expect("the script runs");
    wait_for(client, "#try")
        .await
        .click()
        .await
        .expect("a click");
    let card = text_of(client, ".decision[data-campaign='试行']").await;
    assert!(card.contains("受理"), "{card}");
    assert!(card.contains("文山会海"), "{card}");
    assert_eq!(
        text_of(client, ".decision[data-campaign='试行'] mark").await,
        "层层开会"
    );
    shot(client, "05-tip").await;

    // A workbook uploaded, decided, and its decisions downloaded.
    wait_for(client, "[data-tab='batch']")
        .await
        .click()
        .await
        .expect("a click");
    let workbook = root().join("tests/office/tips.xlsx");
    wait_for(client, "#batch-file")
        .await
        .send_keys(&workbook.display().to_string())
        .await
        .expect("the file is chosen");
    wait_for(client, "#batch-upload")
        .await
        .click()
        .await
        .expect("a click");
    let link = wait_for(client, "#batch-downloads a[data-file='decisions.xlsx']").await;
    let summary = text_of(client, "#batch-summary-table").await;
    assert!(summary.contains("liuzhi-2022"), "{summary}");
    assert!(text_of(client, "#batch-rows-table").await.contains("L01"));
    shot(client, "06-batch").await;
    let href = link
        .attr("href")
        .await
        .expect("an attribute")
        .expect("a link");
    let fetched = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => {
               const bytes = new Uint8Array(b);
               done([bytes.length, String.fromCharCode(bytes[0], bytes[1])]);
             });",
            vec![json!(href)],
        )
        .await
        .expect("the download is fetched");
    let downloaded = server.get(&href);
    assert_eq!(fetched, json!([downloaded.body.len(), "PK"]));

    // The page in English, from its switch.
    wait_for(client, "#lang-switch")
        .await
        .click()
        .await
        .expect("a click");
    assert_eq!(text_of(client, "h1").await, "rectify workbench");
    shot(client, "07-english").await;
}
