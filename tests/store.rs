//! `rectify eval --store`: a real SQLite file, written by real processes — repeats found
//! across runs, re-runs that change nothing, writers at once, a run killed midway, and never a
//! reporter in the file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const SCHEMES: &str = "schemes/liuzhi-2022.scheme";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rectify-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rectify(args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rectify"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RECTIFY_LANG", "en")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the rectify binary runs");
    // Written from a thread of its own: a long input's decisions fill the output pipe before
    // the input is all written.
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn eval(store: &Path, input: &str) -> (i32, String, String) {
    let store = store.to_str().unwrap();
    rectify(&["eval", "--scheme", SCHEMES, "--store", store, "-"], input)
}

fn tip(id: &str, received: &str, text: &str) -> String {
    format!(
        r#"{{"id":"{id}","text":"{text}","received":"{received}","reporter":{{"name":"王小明","contact":"13912345678"}},"subject":{{"name":"特区某局","level":"区级","region":"520203"}}}}"#
    ) + "\n"
}

const MEETINGS: &str = "六枝特区某局今年以来层层开会,五月份超计划加开全区性会议三次,乡镇主要负责人疲于奔命,没有时间下乡办实事。";
const MEETINGS_AGAIN: &str = "六枝特区某局今年以来层层开会,五月份又超计划加开全区性会议三次,乡镇主要负责人疲于奔命,没有时间下乡办实事。";
const FORMS: &str =
    "某镇要求各村每周重复填表,同样的数据报了三遍,村干部天天加班整理台账,群众办事找不到人。";

fn rows(store: &Path, sql: &str) -> Vec<Vec<String>> {
    let connection = rusqlite::Connection::open(store).unwrap();
    let mut statement = connection.prepare(sql).unwrap();
    let columns = statement.column_count();
    statement
        .query_map([], |row| {
            (0..columns)
                .map(|i| {
                    let value: rusqlite::types::Value = row.get(i)?;
                    Ok(match value {
                        rusqlite::types::Value::Null => String::new(),
                        rusqlite::types::Value::Integer(n) => n.to_string(),
                        rusqlite::types::Value::Real(x) => x.to_string(),
                        rusqlite::types::Value::Text(t) => t,
                        rusqlite::types::Value::Blob(b) => String::from_utf8_lossy(&b).into_owned(),
                    })
                })
                .collect()
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn ids(store: &Path) -> Vec<String> {
    rows(store, "SELECT id FROM tips ORDER BY seq")
        .into_iter()
        .map(|row| row[0].clone())
        .collect()
}

#[test]
fn a_repeat_is_found_in_an_earlier_run_with_its_date() {
    let dir = scratch("repeat");
    let store = dir.join("history.db");
    let (code, _, stderr) = eval(&store, &tip("A", "2022-06-10", MEETINGS));
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = eval(&store, &tip("B", "2022-07-01", MEETINGS_AGAIN));
    assert_eq!(code, 0, "{stderr}");
    let decision: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let liuzhi = &decision["decisions"][0];
    assert_eq!(liuzhi["outcome"], "excluded", "{stdout}");
    assert_eq!(liuzhi["repeats"]["tip"], "A", "{stdout}");
    assert_eq!(liuzhi["repeats"]["received"], "2022-06-10", "{stdout}");
    assert_eq!(liuzhi["repeats"]["history"], true, "{stdout}");
    assert!(liuzhi["repeats"]["similarity"].as_f64().unwrap() >= 0.8);
    // A tip about other facts is not a repeat of either.
    let (_, stdout, _) = eval(&store, &tip("C", "2022-07-02", FORMS));
    assert!(!stdout.contains("repeats"), "{stdout}");
    assert_eq!(ids(&store), ["A", "B", "C"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn running_the_same_input_again_changes_nothing() {
    let dir = scratch("rerun");
    let store = dir.join("history.db");
    // Hundreds of look-alike tips too, that repeat one another.
    let input = tip("A", "2022-06-10", MEETINGS)
        + &tip("B", "2022-07-01", MEETINGS_AGAIN)
        + &tip("C", "2022-07-02", FORMS)
        + &many("L", 400);
    let (code, first, stderr) = eval(&store, &input);
    assert_eq!(code, 0, "{stderr}");
    let (code, again, stderr) = eval(&store, &input);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(first, again, "the same decisions, byte for byte");
    let (_, without, _) = rectify(&["eval", "--scheme", SCHEMES, "-"], &input);
    assert_eq!(first, without, "the same as without a store");
    assert_eq!(ids(&store).len(), 403, "each tip recorded once");
    assert!(
        first.contains(r#""repeats""#),
        "look-alikes repeat each other"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_store_holds_no_reporter_and_its_key_is_private() {
    let dir = scratch("confidential");
    let store = dir.join("history.db");
    let (code, _, stderr) = eval(&store, &tip("A", "2022-06-10", MEETINGS));
    assert_eq!(code, 0, "{stderr}");
    let tables = rows(
        &store,
        "SELECT name FROM sqlite_master WHERE type = 'table'",
    );
    assert!(tables.len() >= 3, "{tables:?}");
    for table in tables {
        for row in rows(&store, &format!("SELECT * FROM {}", table[0])) {
            for cell in row {
                assert!(!cell.contains("王小明"), "{}: {cell}", table[0]);
                assert!(!cell.contains("13912345678"), "{}: {cell}", table[0]);
                assert!(!cell.contains("层层开会"), "the text is not kept: {cell}");
            }
        }
    }
    // The raw file too, write-ahead log included.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("王小明"), "{}", path.display());
        assert!(!text.contains("13912345678"), "{}", path.display());
    }
    let hash = &rows(&store, "SELECT reporter FROM tips")[0][0];
    assert_eq!(hash.len(), 32, "a keyed hash is recorded: {hash}");
    let key = dir.join("history.db.key");
    assert_eq!(std::fs::read(&key).unwrap().len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "only its owner reads the key: {mode:o}");
    }
    let (_, export, _) = rectify(&["store", "export", "--store", store.to_str().unwrap()], "");
    assert!(export.contains(r#""real_name":true"#), "{export}");
    assert!(!export.contains(hash.as_str()), "{export}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_same_reporter_gets_the_same_hash_and_another_a_different_one() {
    let dir = scratch("hash");
    let store = dir.join("history.db");
    let other = tip("C", "2022-07-02", FORMS).replace("王小明", "李四");
    let input = tip("A", "2022-06-10", MEETINGS) + &tip("B", "2022-07-02", FORMS) + &other;
    let (code, _, stderr) = eval(&store, &input);
    assert_eq!(code, 0, "{stderr}");
    let hashes: Vec<String> = rows(&store, "SELECT reporter FROM tips ORDER BY seq")
        .into_iter()
        .map(|row| row[0].clone())
        .collect();
    assert_eq!(hashes[0], hashes[1]);
    assert_ne!(hashes[0], hashes[2]);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn many(prefix: &str, count: usize) -> String {
    (0..count)
        .map(|i| {
            tip(
                &format!("{prefix}{i:05}"),
                "2022-06-10",
                &format!(
                    "第{i}号线索:某单位在第{i}次会议上要求各村第{}次重复填报同一张表格",
                    i * 7
                ),
            )
        })
        .collect()
}

#[test]
fn two_runs_writing_one_store_at_once_both_finish_and_record_each_tip_once() {
    let dir = scratch("concurrent");
    let store = dir.join("history.db");
    // Both inputs hold the shared tips S…; each holds tips of its own.
    let shared = many("S", 300);
    let first = shared.clone() + &many("X", 300);
    let second = many("Y", 300) + &shared;
    let spawn = |input: String| {
        let store = store.clone();
        std::thread::spawn(move || eval(&store, &input))
    };
    let (a, b) = (spawn(first), spawn(second));
    let (a, b) = (a.join().unwrap(), b.join().unwrap());
    assert_eq!(a.0, 0, "{}", a.2);
    assert_eq!(b.0, 0, "{}", b.2);
    let recorded = ids(&store);
    assert_eq!(recorded.len(), 900, "every tip once");
    let distinct: std::collections::BTreeSet<_> = recorded.iter().collect();
    assert_eq!(distinct.len(), 900);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_run_killed_midway_leaves_a_prefix_that_a_rerun_completes() {
    let dir = scratch("killed");
    let store = dir.join("history.db");
    let input = many("K", 3000);
    let mut child = Command::new(env!("CARGO_BIN_EXE_rectify"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "eval",
            "--scheme",
            SCHEMES,
            "--store",
            store.to_str().unwrap(),
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Most of the input (more than one batch of 2,048 tips), then wait until some of it is
    // recorded, then SIGKILL while the rest is still to come.
    let most = input.len() * 5 / 6;
    let cut = input[..most].rfind('\n').unwrap() + 1;
    stdin.write_all(&input.as_bytes()[..cut]).unwrap();
    stdin.flush().unwrap();
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(60) {
        if store.exists()
            && rusqlite::Connection::open(&store)
                .and_then(|c| c.query_row("SELECT COUNT(*) FROM tips", [], |r| r.get::<_, i64>(0)))
                .is_ok_and(|n| n > 0)
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    let recorded = ids(&store);
    assert!(
        !recorded.is_empty() && recorded.len() < 3000,
        "{}",
        recorded.len()
    );
    let expected: Vec<String> = (0..recorded.len()).map(|i| format!("K{i:05}")).collect();
    assert_eq!(recorded, expected, "a prefix of the input, in order");
    let (code, _, stderr) = eval(&store, &input);
    assert_eq!(code, 0, "{stderr}");
    let expected: Vec<String> = (0..3000).map(|i| format!("K{i:05}")).collect();
    assert_eq!(ids(&store), expected, "complete after the re-run");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn history_files_import_into_a_store_and_count_in_its_figures() {
    let dir = scratch("import");
    let store = dir.join("history.db");
    let store = store.to_str().unwrap();
    let (code, _, stderr) = rectify(
        &[
            "store",
            "import",
            "--store",
            store,
            "--scheme",
            SCHEMES,
            "tests/eval/history.jsonl",
        ],
        "",
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("tips recorded, 0 malformed"), "{stderr}");
    let (code, stats, _) = rectify(
        &["store", "stats", "--store", store, "--format", "json"],
        "",
    );
    assert_eq!(code, 0);
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert!(stats["tips"].as_u64().unwrap() >= 1, "{stats}");
    assert_eq!(stats["schema"], 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_store_from_a_newer_rectify_is_refused() {
    let dir = scratch("newer");
    let store = dir.join("history.db");
    let (code, _, _) = eval(&store, &tip("A", "2022-06-10", MEETINGS));
    assert_eq!(code, 0);
    rusqlite::Connection::open(&store)
        .unwrap()
        .execute("UPDATE meta SET value = '99' WHERE key = 'schema'", [])
        .unwrap();
    let (code, _, stderr) = eval(&store, &tip("B", "2022-06-11", FORMS));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("newer rectify (schema 99"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
