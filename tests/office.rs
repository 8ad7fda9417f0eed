//! Office data: the CSV files Excel writes (GBK, UTF-16), workbooks in and out, CSV out, and
//! the report, opened in a real headless browser.
//!
//! `tests/office/tips.csv` is the UTF-8 twin of every other input here: the GBK and UTF-16
//! files are made from it in the test, and `tests/office/tips.xlsx` holds the same tips as a
//! spreadsheet stores them (made by `tests/office/make_workbook.py`, with openpyxl).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::Value;

const SCHEME: &str = "schemes/liuzhi-2022.scheme";
const TWIN: &str = "tests/office/tips.csv";
const WORKBOOK: &str = "tests/office/tips.xlsx";

/// Who reported the tips in the fixtures: none of it may leave without --include-reporter.
const REPORTERS: [&str; 7] = [
    "张某",
    "13900000000",
    "李某",
    "王某",
    "0858-0000000",
    "赵某",
    "13800000000",
];

fn rectify(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_rectify"))
        .env("RECTIFY_LANG", "en")
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("the rectify binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("office-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn twin_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(TWIN)).unwrap()
}

fn lines(jsonl: &str) -> Vec<Value> {
    jsonl
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn excel_csv_exports_evaluate_like_their_utf8_twin() {
    let dir = scratch("exports");
    let (code, expected, _) = rectify(&["eval", "-s", SCHEME, TWIN]);
    assert_eq!(code, 1, "the twin has one malformed row");
    let windows = twin_text().replace('\n', "\r\n");
    // "CSV (逗号分隔)" on Chinese Windows.
    let (gbk, _, lossy) = encoding_rs::GBK.encode(&windows);
    assert!(!lossy);
    std::fs::write(dir.join("gbk.csv"), &gbk).unwrap();
    // "Unicode 文本": UTF-16 LE with a byte order mark, cells separated by tabs.
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in windows.replace(',', "\t").encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    std::fs::write(dir.join("unicode.txt"), &utf16).unwrap();
    // "CSV UTF-8 (逗号分隔)": a byte order mark first.
    std::fs::write(dir.join("bom.csv"), format!("\u{feff}{windows}")).unwrap();
    for (file, said) in [
        ("gbk.csv", Some("(read as GBK)")),
        ("unicode.txt", Some("(read as UTF-16LE)")),
        ("bom.csv", None),
    ] {
        let path = dir.join(file);
        let (code, stdout, stderr) = rectify(&["eval", "-s", SCHEME, path.to_str().unwrap()]);
        assert_eq!(code, 1, "{file}: {stderr}");
        assert_eq!(stdout, expected, "{file} decides as its UTF-8 twin");
        match said {
            Some(said) => assert!(stderr.contains(said), "{file}: {stderr}"),
            None => assert!(!stderr.contains("read as"), "{file}: {stderr}"),
        }
    }
    // Text that only the twin's own tab-separated columns could hold, quoted, survives too.
    let named = dir.join("gbk.csv");
    let (_, forced, _) = rectify(&[
        "eval",
        "-s",
        SCHEME,
        "--encoding",
        "gb18030",
        named.to_str().unwrap(),
    ]);
    assert_eq!(forced, expected, "GB18030 reads what GBK wrote");
}

#[test]
fn an_unknown_encoding_is_refused_before_anything_is_read() {
    let (code, stdout, stderr) = rectify(&["eval", "-s", SCHEME, "--encoding", "klingon", TWIN]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("`klingon` is not an encoding"), "{stderr}");
}

#[test]
fn a_row_that_is_not_text_in_the_files_encoding_is_an_error_record_and_the_rest_are_read() {
    let dir = scratch("broken-gbk");
    let twin = twin_text();
    let (gbk, _, _) = encoding_rs::GBK.encode(&twin);
    let mut gbk = gbk.into_owned();
    // Row L03 (line 4) gets a lead byte before the quote closing its text: GBK has no
    // character of a lead byte and a quote.
    let row = gbk
        .windows(3)
        .position(|w| w == b"L03")
        .expect("row L03 is in the twin");
    let end = row
        + gbk[row..]
            .windows(2)
            .position(|w| w == b"\",")
            .expect("the text is quoted");
    gbk.insert(end, 0x81);
    let path = dir.join("broken.csv");
    std::fs::write(&path, &gbk).unwrap();
    let (code, stdout, stderr) = rectify(&["eval", "-s", SCHEME, path.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    let records = lines(&stdout);
    assert_eq!(records.len(), 8, "every row has its record: {stdout}");
    assert_eq!(records[2]["line"], 4);
    assert_eq!(records[2]["error"], "`内容` is not GBK text", "{stdout}");
    assert!(
        records[3]["decisions"].is_array(),
        "the next row is decided"
    );
    assert!(
        stderr.contains("2 rejected as malformed (read as GBK)"),
        "{stderr}"
    );
}

#[test]
fn a_workbook_evaluates_like_its_csv_twin() {
    let (code, twin, _) = rectify(&["eval", "-s", SCHEME, TWIN]);
    assert_eq!(code, 1);
    let (code, book, stderr) = rectify(&["eval", "-s", SCHEME, WORKBOOK]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("(sheet 线索)"), "{stderr}");
    let (twin, book) = (lines(&twin), lines(&book));
    assert_eq!(twin.len(), book.len());
    for (csv, sheet) in twin.iter().zip(&book) {
        if sheet.get("error").is_none() {
            assert_eq!(csv, sheet);
            continue;
        }
        // An error record of a workbook names the sheet and the cell as well.
        assert_eq!(sheet["sheet"], "线索");
        assert_eq!(sheet["cell"], "C8");
        let mut without = sheet.clone();
        let fields = without.as_object_mut().unwrap();
        fields.remove("sheet");
        fields.remove("cell");
        assert_eq!(csv, &without);
    }
}

#[test]
fn bad_workbook_rows_become_error_records_naming_the_sheet_and_the_cell() {
    let (code, stdout, stderr) =
        rectify(&["eval", "-s", SCHEME, "--sheet", "有问题的行", WORKBOOK]);
    assert_eq!(code, 1, "{stderr}");
    insta::assert_snapshot!(stdout);
    for reporter in REPORTERS {
        assert!(!stdout.contains(reporter), "{reporter} in an error record");
    }
}

#[test]
fn a_missing_sheet_or_a_file_that_is_no_workbook_stops_with_a_clear_error() {
    let (code, _, stderr) = rectify(&["eval", "-s", SCHEME, "--sheet", "2023年", WORKBOOK]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("has no sheet `2023年`; its sheets are: 线索, 有问题的行"),
        "{stderr}"
    );
    let dir = scratch("not-a-workbook");
    let fake = dir.join("tips.xlsx");
    std::fs::write(&fake, twin_text()).unwrap();
    let (code, stdout, stderr) = rectify(&["eval", "-s", SCHEME, fake.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("this file holds text, not a workbook"),
        "{stderr}"
    );
    let empty = dir.join("empty.xlsx");
    std::fs::write(&empty, "").unwrap();
    let (code, _, stderr) = rectify(&["eval", "-s", SCHEME, empty.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("the file is empty"), "{stderr}");
    // A workbook named as text is told for what it is, not read as GBK.
    let renamed = dir.join("tips.csv");
    std::fs::copy(WORKBOOK, &renamed).unwrap();
    let (code, stdout, stderr) = rectify(&["eval", "-s", SCHEME, renamed.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("this is an Excel workbook, not text"),
        "{stderr}"
    );
    for reporter in REPORTERS {
        assert!(!stderr.contains(reporter));
    }
}

/// Every sheet of a workbook, as rows of cells.
fn sheets(path: &Path) -> BTreeMap<String, Vec<Vec<Data>>> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let names = book.sheet_names();
    let mut all = BTreeMap::new();
    for (index, name) in names.iter().enumerate() {
        let range = book.worksheet_range(name).unwrap();
        let rows: Vec<Vec<Data>> = range.rows().map(|row| row.to_vec()).collect();
        all.insert(format!("{index} {name}"), rows);
    }
    all
}

fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.clone(),
        Data::Float(number) => number.to_string(),
        Data::Int(number) => number.to_string(),
        Data::DateTime(moment) => moment.as_datetime().unwrap().date().to_string(),
        other => panic!("an unexpected cell {other:?}"),
    }
}

#[test]
fn the_written_workbook_holds_what_the_json_decisions_say() {
    let dir = scratch("workbook-out");
    let out = dir.join("decisions.xlsx");
    let (_, json, _) = rectify(&["eval", "-s", "schemes/", "examples/tips.jsonl"]);
    let (code, stdout, stderr) = rectify(&[
        "eval",
        "-s",
        "schemes/",
        "examples/tips.jsonl",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty(), "the decisions go to the file only");
    let sheets = sheets(&out);
    let names: Vec<&str> = sheets.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "0 Summary",
            "1 All tips",
            "2 inaction-self-inspection",
            "3 jinghai-2021-2023",
            "4 jixi-2023",
            "5 liuzhi-2022",
            "6 Malformed records"
        ]
    );
    let all = &sheets["1 All tips"];
    let header: Vec<String> = all[0].iter().map(text).collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert!(!header.iter().any(|h| h == "Reporter" || h == "Contact"));
    let mut rows = all[1..].iter();
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for record in lines(&json) {
        for decision in record["decisions"].as_array().unwrap() {
            let row = rows.next().expect("a row per tip and campaign");
            let cell = |name: &str| text(&row[column(name)]);
            assert_eq!(cell("Line"), record["line"].to_string());
            assert_eq!(cell("Tip"), record["tip"].as_str().unwrap());
            assert!(
                matches!(row[column("Received")], Data::DateTime(_)),
                "a date cell"
            );
            assert_eq!(cell("Received"), record["received"].as_str().unwrap());
            assert_eq!(cell("Campaign"), decision["campaign"].as_str().unwrap());
            let outcome = decision["outcome"].as_str().unwrap();
            assert_eq!(cell("Outcome"), outcome.replace('_', " "));
            let due = |key: &str| decision["due"][key].as_str().unwrap_or("").to_string();
            assert_eq!(cell("Handle by"), due("handle"));
            assert_eq!(cell("Reply by"), due("reply"));
            let lead: Vec<&str> = decision["departments"]
                .as_array()
                .map(|all| {
                    all.iter()
                        .filter(|d| d["role"] == "lead")
                        .map(|d| d["name"].as_str().unwrap())
                        .collect()
                })
                .unwrap_or_default();
            assert_eq!(cell("Lead department"), lead.join("、"));
            let titles: Vec<&str> = decision["matches"]
                .as_array()
                .map(|areas| {
                    areas
                        .iter()
                        .flat_map(|a| a["categories"].as_array().unwrap())
                        .map(|c| c["title"].as_str().unwrap())
                        .collect()
                })
                .unwrap_or_default();
            assert_eq!(cell("Categories"), titles.join("；"));
            if let Some(reason) = decision.get("reason").and_then(Value::as_str) {
                assert_eq!(cell("Reason"), reason);
            }
            *counts
                .entry((
                    decision["campaign"].as_str().unwrap().to_string(),
                    outcome.to_string(),
                ))
                .or_default() += 1;
        }
    }
    assert!(rows.next().is_none(), "no row more than the decisions");
    let summary = &sheets["0 Summary"];
    let summary_header: Vec<String> = summary[0].iter().map(text).collect();
    for row in &summary[1..] {
        let campaign = text(&row[0]);
        if campaign.is_empty() || campaign == "Records read" {
            break;
        }
        for (index, outcome) in [
            "accepted",
            "excluded",
            "no_match",
            "out_of_scope",
            "out_of_window",
        ]
        .iter()
        .enumerate()
        {
            let expected = counts
                .get(&(campaign.clone(), outcome.to_string()))
                .copied()
                .unwrap_or(0);
            assert_eq!(
                text(&row[index + 2]),
                expected.to_string(),
                "{campaign} {}",
                summary_header[index + 2]
            );
        }
    }
    for rows in sheets.values() {
        for cell in rows.iter().flatten() {
            let cell = text(cell);
            for reporter in ["陈德明", "139****5612", "王光荣", "hcy_lz@example.com"] {
                assert!(!cell.contains(reporter), "{reporter} in the workbook");
            }
        }
    }
}

#[test]
fn reporter_columns_are_written_only_under_include_reporter() {
    let dir = scratch("reporter-columns");
    let withheld = dir.join("withheld.xlsx");
    let disclosed = dir.join("disclosed.xlsx");
    let (code, _, stderr) = rectify(&[
        "eval",
        "-s",
        SCHEME,
        WORKBOOK,
        "-o",
        withheld.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    for rows in sheets(&withheld).values() {
        for cell in rows.iter().flatten() {
            let cell = text(cell);
            for reporter in REPORTERS {
                assert!(!cell.contains(reporter), "{reporter} in the workbook");
            }
        }
    }
    let (code, _, _) = rectify(&[
        "eval",
        "-s",
        SCHEME,
        WORKBOOK,
        "--include-reporter",
        "-o",
        disclosed.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    let sheets = sheets(&disclosed);
    let all = &sheets["1 All tips"];
    let header: Vec<String> = all[0].iter().map(text).collect();
    let reporter = header.iter().position(|h| h == "Reporter").unwrap();
    let contact = header.iter().position(|h| h == "Contact").unwrap();
    assert_eq!(text(&all[1][1]), "L01");
    assert_eq!(text(&all[1][reporter]), "张某");
    assert_eq!(text(&all[1][contact]), "13900000000");
    let malformed = &sheets["3 Malformed records"];
    let row: Vec<String> = malformed[1].iter().map(text).collect();
    assert_eq!(row[..4], ["8", "线索", "C8", "C07"]);
}

#[test]
fn the_csv_output_opens_in_excel_as_it_is_and_holds_the_decisions() {
    let dir = scratch("csv-out");
    let out = dir.join("decisions.csv");
    let (_, json, _) = rectify(&["eval", "-s", SCHEME, TWIN]);
    let (code, _, stderr) = rectify(&["eval", "-s", SCHEME, TWIN, "-o", out.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    let bytes = std::fs::read(&out).unwrap();
    assert!(
        bytes.starts_with(b"\xef\xbb\xbf"),
        "a byte order mark for Excel"
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut row = rows.iter();
    for record in lines(&json) {
        match record["decisions"].as_array() {
            Some(decisions) => {
                for decision in decisions {
                    let row = row.next().unwrap();
                    assert_eq!(&row[column("Tip")], record["tip"].as_str().unwrap());
                    assert_eq!(
                        &row[column("Received")],
                        record["received"].as_str().unwrap()
                    );
                    assert_eq!(
                        &row[column("Outcome")],
                        decision["outcome"].as_str().unwrap().replace('_', " ")
                    );
                }
            }
            None => {
                let row = row.next().unwrap();
                assert_eq!(&row[column("Line")], record["line"].to_string());
                assert_eq!(&row[column("Outcome")], "malformed");
                assert_eq!(&row[column("Reason")], record["error"].as_str().unwrap());
            }
        }
    }
    assert!(row.next().is_none());
    let text = String::from_utf8(bytes).unwrap();
    for reporter in REPORTERS {
        assert!(!text.contains(reporter), "{reporter} in the CSV");
    }
}

#[test]
fn jsonl_output_goes_to_the_file_and_an_unknown_extension_is_refused() {
    let dir = scratch("jsonl-out");
    let out = dir.join("decisions.jsonl");
    let (_, json, _) = rectify(&["eval", "-s", SCHEME, TWIN]);
    let (code, stdout, _) = rectify(&["eval", "-s", SCHEME, TWIN, "-o", out.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), json);
    let odd = dir.join("decisions.docx");
    let (code, _, stderr) = rectify(&["eval", "-s", SCHEME, TWIN, "-o", odd.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("name a file ending in .xlsx, .csv or .jsonl"),
        "{stderr}"
    );
    assert!(!odd.exists());
}

/// Headless Chromium, when the test machine has it (`.ci/with-chromium` installs it).
fn chromium() -> Option<String> {
    match std::env::var("RECTIFY_TEST_CHROMIUM") {
        Ok(path) if !path.is_empty() => Some(path),
        _ => {
            eprintln!("RECTIFY_TEST_CHROMIUM is not set: the report is not opened in a browser");
            None
        }
    }
}

/// Runs Chromium headless on `page` with `extra` arguments; its standard output, and the
/// console messages the page logged.
fn browse(browser: &str, page: &Path, profile: &Path, extra: &[&str]) -> (String, Vec<String>) {
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=1",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let console = stderr
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        console,
    )
}

#[test]
fn the_report_loads_nothing_and_holds_no_reporter() {
    let dir = scratch("report-text");
    let page = dir.join("report.html");
    let (code, _, stderr) = rectify(&[
        "report",
        "-s",
        "schemes/",
        "examples/tips.jsonl",
        "--today",
        "2022-06-20",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let html = std::fs::read_to_string(&page).unwrap();
    for loads in ["src=", "href=", "url(", "@import", "<script", "<link"] {
        assert!(!html.contains(loads), "the page loads nothing: {loads}");
    }
    let input = std::fs::read_to_string("examples/tips.jsonl").unwrap();
    let mut checked = 0;
    for record in lines(&input) {
        if let Some(reporter) = record.get("reporter") {
            for key in ["name", "contact"] {
                if let Some(value) = reporter.get(key).and_then(Value::as_str) {
                    assert!(!html.contains(value), "the report holds {value}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 20, "the sample tips have reporters to look for");
    // A workbook's malformed rows are listed, with no reporter of theirs.
    let page = dir.join("problems.html");
    let (code, _, _) = rectify(&[
        "report",
        "-s",
        SCHEME,
        "--sheet",
        "有问题的行",
        WORKBOOK,
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("有问题的行!C2"),
        "the malformed records are listed"
    );
    for reporter in REPORTERS {
        assert!(!html.contains(reporter), "{reporter} in the report");
    }
}

#[test]
fn the_report_renders_in_a_real_browser_with_every_chart_holding_its_data() {
    let Some(browser) = chromium() else { return };
    let dir = scratch("report");
    // The check for console messages must be able to fail.
    let control = dir.join("control.html");
    std::fs::write(&control, "<p>x</p><script>console.error('seen')</script>").unwrap();
    let (_, console) = browse(
        &browser,
        &control,
        &dir.join("profile-control"),
        &["--dump-dom"],
    );
    assert!(
        console.iter().any(|line| line.contains("seen")),
        "console messages are caught: {console:?}"
    );

    let page = dir.join("report.html");
    let (code, stdout, stderr) = rectify(&[
        "report",
        "-s",
        "schemes/",
        "examples/tips.jsonl",
        "--today",
        "2022-06-20",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    let (dom, console) = browse(&browser, &page, &dir.join("profile-dom"), &["--dump-dom"]);
    assert!(console.is_empty(), "console messages: {console:?}");
    assert!(dom.contains("data-chart"), "the page rendered: {dom}");

    // The outcome chart of each campaign says what the decisions say.
    let (_, json, _) = rectify(&["eval", "-s", "schemes/", "examples/tips.jsonl"]);
    let mut outcomes: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for record in lines(&json) {
        for decision in record["decisions"].as_array().unwrap() {
            *outcomes
                .entry(decision["campaign"].as_str().unwrap().to_string())
                .or_default()
                .entry(decision["outcome"].as_str().unwrap().replace('_', " "))
                .or_default() += 1;
        }
    }
    let sections = regex::Regex::new(
        r#"(?s)<section class="campaign" data-campaign="([^"]+)">(.*?)</section>"#,
    )
    .unwrap();
    let charts = regex::Regex::new(r#"(?s)<svg data-chart="([a-z]+)"(.*?)</svg>"#).unwrap();
    let bars =
        regex::Regex::new(r#"<rect class="bar" data-label="([^"]*)" data-value="(\d+)""#).unwrap();
    let mut seen = 0;
    for section in sections.captures_iter(&dom) {
        seen += 1;
        let campaign = &section[1];
        let mut found = Vec::new();
        for chart in charts.captures_iter(&section[2]) {
            let values: Vec<(String, usize)> = bars
                .captures_iter(&chart[2])
                .map(|bar| (bar[1].to_string(), bar[2].parse().unwrap()))
                .collect();
            assert!(
                !values.is_empty(),
                "{campaign}: chart {} has no bars",
                &chart[1]
            );
            assert!(
                values.iter().all(|(_, n)| *n > 0),
                "{campaign}: an empty bar"
            );
            if &chart[1] == "outcomes" {
                let drawn: BTreeMap<String, usize> = values.iter().cloned().collect();
                assert_eq!(drawn, outcomes[campaign], "{campaign}");
            }
            if &chart[1] == "weeks" {
                let total: usize = values.iter().map(|(_, n)| n).sum();
                let in_window: usize = outcomes[campaign]
                    .iter()
                    .filter(|(outcome, _)| *outcome != "out of window")
                    .map(|(_, n)| n)
                    .sum();
                assert_eq!(total, in_window, "{campaign}");
            }
            found.push(chart[1].to_string());
        }
        assert!(
            found.contains(&"outcomes".to_string()),
            "{campaign}: {found:?}"
        );
        assert!(
            found.contains(&"weeks".to_string()),
            "{campaign}: {found:?}"
        );
    }
    assert_eq!(seen, outcomes.len(), "a section per campaign");

    // The first page, as a test artefact; and the page printed on A4.
    let shot = dir.join("report-first-page.png");
    let screenshot = format!("--screenshot={}", shot.display());
    browse(
        &browser,
        &page,
        &dir.join("profile-shot"),
        &[&screenshot, "--window-size=794,1123", "--hide-scrollbars"],
    );
    let png = std::fs::read(&shot).expect("a screenshot was taken");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{}",
        png.len()
    );
    let pdf = dir.join("report.pdf");
    let print = format!("--print-to-pdf={}", pdf.display());
    browse(
        &browser,
        &page,
        &dir.join("profile-print"),
        &[&print, "--no-pdf-header-footer"],
    );
    let pdf = std::fs::read(&pdf).expect("the page printed");
    let pages = regex::bytes::Regex::new(r"/Type\s*/Page[^s]")
        .unwrap()
        .find_iter(&pdf)
        .count();
    assert!(
        pages > outcomes.len(),
        "each campaign starts on a page of its own after the title: {pages} pages"
    );
    eprintln!("the report's first page: {}", shot.display());
}

#[test]
fn the_same_tips_give_the_same_workbook_and_report_whatever_the_jobs() {
    let dir = scratch("deterministic");
    let mut books = Vec::new();
    let mut reports = Vec::new();
    for jobs in ["1", "3"] {
        let book = dir.join(format!("decisions-{jobs}.xlsx"));
        let page = dir.join(format!("report-{jobs}.html"));
        let (code, _, stderr) = rectify(&[
            "eval",
            "-s",
            "schemes/",
            "examples/tips.jsonl",
            "-j",
            jobs,
            "-o",
            book.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        let (code, _, stderr) = rectify(&[
            "report",
            "-s",
            "schemes/",
            "examples/tips.jsonl",
            "-j",
            jobs,
            "--today",
            "2022-06-20",
            "-o",
            page.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        books.push(std::fs::read(&book).unwrap());
        reports.push(std::fs::read(&page).unwrap());
    }
    assert!(books[0] == books[1], "the workbooks differ");
    assert!(reports[0] == reports[1], "the reports differ");
}

#[test]
fn a_workbook_can_be_the_history_that_new_tips_repeat() {
    let dir = scratch("history-workbook");
    let tips = dir.join("new.jsonl");
    // L01's text again, received later: a repeat of L01 in the workbook.
    std::fs::write(
        &tips,
        r#"{"id":"N1","text":"六枝特区某局今年以来层层开会,五月份超计划加开全区性会议三次,乡镇主要负责人疲于奔命。","received":"2022-07-20","subject":{"name":"特区某局","kind":"党政机关","level":"区级","region":"520203"}}
"#,
    )
    .unwrap();
    let (code, stdout, stderr) = rectify(&[
        "eval",
        "-s",
        SCHEME,
        "--history",
        WORKBOOK,
        tips.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let record = &lines(&stdout)[0];
    let decision = &record["decisions"][0];
    assert_eq!(decision["outcome"], "excluded", "{record}");
    assert_eq!(decision["repeats"]["tip"], "L01", "{record}");
    assert!(
        stderr.contains("1 malformed"),
        "the workbook's C07: {stderr}"
    );
}

#[test]
fn title_rows_above_the_header_are_passed_over_and_a_sheet_without_a_header_is_refused() {
    let dir = scratch("title-rows");
    let titled = dir.join("titled.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "2022年问题线索台账").unwrap();
    let header = [
        "编号",
        "内容",
        "收到日期",
        "对象名称",
        "对象类型",
        "对象层级",
        "对象地区",
    ];
    for (column, name) in header.iter().enumerate() {
        sheet.write_string(2, column as u16, *name).unwrap();
    }
    sheet.write_string(3, 0, "T1").unwrap();
    sheet
        .write_string(
            3,
            1,
            "六枝特区某局今年以来层层开会,五月份超计划加开全区性会议三次。",
        )
        .unwrap();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy年m月d日");
    let day = chrono::NaiveDate::from_ymd_opt(2022, 6, 10).unwrap();
    sheet.write_datetime_with_format(3, 2, day, &date).unwrap();
    for (column, value) in [(3, "特区某局"), (4, "党政机关"), (5, "区级")] {
        sheet.write_string(3, column, value).unwrap();
    }
    sheet.write_number(3, 6, 520203.0).unwrap();
    book.save(&titled).unwrap();
    let (code, stdout, stderr) = rectify(&["eval", "-s", SCHEME, titled.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let record = &lines(&stdout)[0];
    assert_eq!(
        (record["line"].as_u64(), record["tip"].as_str()),
        (Some(4), Some("T1"))
    );
    assert_eq!(record["received"], "2022-06-10");
    assert_eq!(record["decisions"][0]["outcome"], "accepted", "{record}");

    let headless = dir.join("headless.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for row in 0..12 {
        sheet.write_string(row, 0, "张某").unwrap();
        sheet.write_string(row, 1, "13900000000").unwrap();
    }
    book.save(&headless).unwrap();
    let (code, stdout, stderr) = rectify(&["eval", "-s", SCHEME, headless.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("the first row must be a header"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("张某") && !stderr.contains("13900000000"),
        "{stderr}"
    );
}

#[test]
fn an_output_over_an_input_or_options_an_output_cannot_honour_are_refused_before_reading() {
    let dir = scratch("refusals");
    let tips = dir.join("tips.xlsx");
    std::fs::copy(WORKBOOK, &tips).unwrap();
    let before = std::fs::read(&tips).unwrap();
    let (code, _, stderr) = rectify(&[
        "eval",
        "-s",
        SCHEME,
        tips.to_str().unwrap(),
        "-o",
        tips.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is also an input"), "{stderr}");
    assert_eq!(
        std::fs::read(&tips).unwrap(),
        before,
        "the tips are untouched"
    );
    let missing = dir.join("no-such-directory").join("decisions.xlsx");
    let (code, _, stderr) = rectify(&["eval", "-s", SCHEME, TWIN, "-o", missing.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot write") && stderr.contains("no such file"),
        "{stderr}"
    );
    assert!(!stderr.contains("records written"), "{stderr}");
    let book = dir.join("decisions.xlsx");
    std::fs::write(&book, b"last week's decisions").unwrap();
    for (extra, said) in [
        (
            &["--format", "table"][..],
            "--format table is for standard output",
        ),
        (
            &["--explain"][..],
            "--explain is written only in JSON Lines",
        ),
    ] {
        let mut args = vec!["eval", "-s", SCHEME, TWIN, "-o", book.to_str().unwrap()];
        args.extend(extra);
        let (code, _, stderr) = rectify(&args);
        assert_eq!(code, 2, "{extra:?}");
        assert!(stderr.contains(said), "{stderr}");
        assert_eq!(
            std::fs::read(&book).unwrap(),
            b"last week's decisions",
            "a refused run leaves the file as it was"
        );
    }
    let (code, _, stderr) = rectify(&["eval", "-s", SCHEME, "--sheet", "线索", TWIN]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--sheet chooses a sheet of an Excel workbook"),
        "{stderr}"
    );
    let pdf = dir.join("report.pdf");
    let (code, _, stderr) = rectify(&["report", "-s", SCHEME, TWIN, "-o", pdf.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("name a file ending in .html"), "{stderr}");
    assert!(!pdf.exists());
}

#[test]
fn a_hidden_first_sheet_is_passed_over_and_an_empty_sheet_names_the_others() {
    let dir = scratch("sheets");
    let path = dir.join("hidden.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let lists = book.add_worksheet();
    lists.set_name("下拉列表").unwrap();
    lists.write_string(0, 0, "电话").unwrap();
    lists.set_hidden(true);
    let tips = book.add_worksheet();
    tips.set_name("线索").unwrap();
    // Excel hides no sheet that is the one shown on opening.
    tips.set_active(true);
    for (column, name) in ["编号", "内容", "收到日期"].iter().enumerate() {
        tips.write_string(0, column as u16, *name).unwrap();
    }
    tips.write_string(1, 0, "H1").unwrap();
    tips.write_string(1, 1, "层层开会").unwrap();
    // A time of day alone is no date.
    let time = rust_xlsxwriter::Format::new().set_num_format("h:mm");
    tips.write_number_with_format(1, 2, 0.395_833, &time)
        .unwrap();
    book.add_worksheet().set_name("空表").unwrap();
    book.save(&path).unwrap();
    let (code, stdout, stderr) = rectify(&["eval", "-s", SCHEME, path.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("(sheet 线索)"), "{stderr}");
    let record = &lines(&stdout)[0];
    assert_eq!(record["tip"], "H1");
    assert_eq!(record["cell"], "C2");
    assert!(
        record["error"]
            .as_str()
            .unwrap()
            .contains("cannot be read as a date"),
        "{record}"
    );
    let (code, _, stderr) = rectify(&[
        "eval",
        "-s",
        SCHEME,
        "--sheet",
        "空表",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(
        stderr.contains(
            "the sheet `空表` holds no tips; the workbook's other sheets are: 下拉列表, 线索"
        ),
        "{stderr}"
    );
}

#[test]
fn a_value_past_the_headers_columns_makes_its_row_malformed_without_an_id() {
    let dir = scratch("beyond-header");
    let path = dir.join("notes.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (column, name) in ["编号", "内容", "收到日期"].iter().enumerate() {
        sheet.write_string(0, column as u16, *name).unwrap();
    }
    for (row, id) in [(1, "N1"), (2, "N2")] {
        sheet.write_string(row, 0, id).unwrap();
        sheet.write_string(row, 1, "层层开会").unwrap();
        sheet.write_string(row, 2, "2022-06-10").unwrap();
    }
    // A note beside the second row, and a stray value far to the right of the third.
    sheet.write_string(2, 5, "已电话回访").unwrap();
    sheet.write_string(3, 0, "N3").unwrap();
    sheet.write_string(3, 1, "层层开会").unwrap();
    sheet.write_string(3, 2, "2022-06-10").unwrap();
    sheet.write_string(3, 2000, "x").unwrap();
    book.save(&path).unwrap();
    let (code, stdout, stderr) = rectify(&["eval", "-s", SCHEME, path.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    let records = lines(&stdout);
    assert_eq!(records.len(), 3);
    assert_eq!(records[0]["tip"], "N1");
    for (record, cell) in [(&records[1], "F3"), (&records[2], "BXY4")] {
        assert_eq!(record["cell"], cell, "{record}");
        assert!(
            record.get("tip").is_none(),
            "a shifted row's id is not trusted: {record}"
        );
        assert!(
            record["error"]
                .as_str()
                .unwrap()
                .contains("past the header's 3 columns"),
            "{record}"
        );
    }
}

#[test]
fn a_workbook_that_claims_more_texts_than_it_holds_is_refused_not_allocated() {
    use std::io::{Read, Write};
    let dir = scratch("forged-strings");
    let plain = dir.join("plain.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (column, text) in ["编号", "内容", "收到日期"].iter().enumerate() {
        sheet.write_string(0, column as u16, *text).unwrap();
    }
    for (column, text) in ["F1", "层层开会", "2022-06-10"].iter().enumerate() {
        sheet.write_string(1, column as u16, *text).unwrap();
    }
    book.save(&plain).unwrap();
    let (code, _, stderr) = rectify(&["eval", "-s", SCHEME, plain.to_str().unwrap()]);
    assert_eq!(code, 0, "the workbook as written reads: {stderr}");
    let forged = dir.join("forged.xlsx");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&plain).unwrap()).unwrap();
    let mut seen = false;
    let count = regex::Regex::new(r#"uniqueCount="\d+""#).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(&forged).unwrap());
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name == "xl/sharedStrings.xml" {
            seen = true;
            let text = String::from_utf8(bytes).unwrap();
            let forged = count.replace(&text, r#"uniqueCount="4611686018427387903""#);
            assert_ne!(forged, text, "{text}");
            bytes = forged.into_owned().into_bytes();
        }
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        out.start_file(name, options).unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap();
    assert!(seen, "the workbook has a shared-strings table");
    let (code, stdout, stderr) = rectify(&["eval", "-s", SCHEME, forged.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("table of texts"), "{stderr}");
}

#[test]
fn a_second_name_for_the_input_is_refused_and_a_refused_run_leaves_no_empty_file() {
    let dir = scratch("links");
    let tips = dir.join("tips.csv");
    std::fs::copy(TWIN, &tips).unwrap();
    let linked = dir.join("decisions.csv");
    std::fs::hard_link(&tips, &linked).unwrap();
    let (code, _, stderr) = rectify(&[
        "eval",
        "-s",
        SCHEME,
        tips.to_str().unwrap(),
        "-o",
        linked.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is also an input"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&tips).unwrap(), twin_text());
    let fresh = dir.join("new.xlsx");
    let (code, _, stderr) = rectify(&[
        "eval",
        "-s",
        SCHEME,
        "--sheet",
        "线索",
        TWIN,
        "-o",
        fresh.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        !fresh.exists(),
        "no empty workbook is left for Excel to call damaged"
    );
}

#[test]
fn empty_header_cells_name_no_column_and_a_value_under_one_is_refused() {
    let dir = scratch("empty-header-cells");
    let path = dir.join("trailing.csv");
    std::fs::write(
        &path,
        "编号,内容,收到日期,,\nA,层层开会,2022-06-10,,\nB,张某说层层开会,2022-06-10,,已回访\n",
    )
    .unwrap();
    let (code, stdout, stderr) = rectify(&["eval", "-s", SCHEME, path.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    let records = lines(&stdout);
    assert_eq!(records[0]["tip"], "A");
    assert!(records[1].get("tip").is_none(), "{}", records[1]);
    assert!(
        records[1]["error"]
            .as_str()
            .unwrap()
            .contains("column 5 has no header"),
        "{}",
        records[1]
    );
    assert!(!stdout.contains("张某"));
}

#[test]
fn a_tips_file_given_as_a_scheme_is_not_read_so_its_reporters_are_not_quoted() {
    for tips in [TWIN, WORKBOOK, "examples/tips.jsonl"] {
        let (code, stdout, stderr) = rectify(&["eval", "-s", tips, "examples/tips.jsonl"]);
        assert_eq!(code, 2, "{tips}");
        assert!(stdout.is_empty());
        assert!(
            stderr.contains("is a file of tips, not a scheme"),
            "{stderr}"
        );
        for reporter in REPORTERS.iter().chain(&["陈德明", "139****5612"]) {
            assert!(!stderr.contains(reporter), "{reporter} quoted from {tips}");
        }
    }
}

/// Runs `rectify` with a terminal for its output (util-linux's `script`), when the machine has
/// one; what the terminal showed.
fn on_a_terminal(args: &str) -> Option<String> {
    let script = Command::new("script").arg("--version").output();
    if script.is_err() {
        eprintln!("no `script` here: the progress bar is not tested on a terminal");
        return None;
    }
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_rectify"));
    let output = Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .env("RECTIFY_LANG", "en")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("script runs");
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn a_long_run_shows_its_progress_on_a_terminal_and_not_under_quiet() {
    let dir = scratch("progress");
    let tips = dir.join("many.jsonl");
    let sample = std::fs::read_to_string("examples/tips.jsonl").unwrap();
    let mut many = String::new();
    for round in 0..100 {
        for record in lines(&sample) {
            let mut record = record.clone();
            let id = format!("{}-{round}", record["id"].as_str().unwrap_or("x"));
            record["id"] = Value::String(id);
            many.push_str(&record.to_string());
            many.push('\n');
        }
    }
    std::fs::write(&tips, many).unwrap();
    let out = dir.join("decisions.xlsx");
    let args = format!("eval -s schemes/ {} -o {}", tips.display(), out.display());
    let Some(shown) = on_a_terminal(&args) else {
        return;
    };
    assert!(shown.contains("5000 records read"), "{shown}");
    assert!(
        shown.contains("records,") && shown.contains("a second"),
        "a progress bar: {shown}"
    );
    assert!(shown.contains('%'), "the share of the file read: {shown}");
    let quiet = on_a_terminal(&format!("{args} --quiet")).unwrap();
    assert!(quiet.contains("5000 records read"), "{quiet}");
    assert!(!quiet.contains("a second"), "no bar under --quiet: {quiet}");
}
