//! `rectify eval --store`: a real SQLite file and a real PostgreSQL server, written by real
//! processes — repeats found across runs, re-runs that change nothing, writers at once, a run
//! killed midway, and never a reporter in the store.
//!
//! Each behaviour runs on SQLite, always, and on PostgreSQL when `RECTIFY_TEST_POSTGRES` names
//! a server where the tests may create databases (`.ci/with-postgres` starts a throw-away one).

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

/// A store for one test: a SQLite file in a fresh directory, or a fresh database on the
/// PostgreSQL server; the reporter key in the directory either way.
struct Store {
    dir: PathBuf,
    location: String,
    /// The server's own connection string and this test's database, for PostgreSQL.
    server: Option<(String, String)>,
}

impl Store {
    fn sqlite(name: &str) -> Store {
        let dir = scratch(&format!("sqlite-{name}"));
        let location = dir.join("history.db").to_str().unwrap().to_string();
        Store {
            dir,
            location,
            server: None,
        }
    }

    /// `None`, after saying so, when no server is named.
    fn postgres(name: &str) -> Option<Store> {
        let Ok(server) = std::env::var("RECTIFY_TEST_POSTGRES") else {
            eprintln!("RECTIFY_TEST_POSTGRES is not set: the PostgreSQL store is not tested here");
            return None;
        };
        let database = format!("rectify_{name}_{}", std::process::id());
        let mut client = postgres::Client::connect(&server, postgres::NoTls)
            .expect("the PostgreSQL server named by RECTIFY_TEST_POSTGRES answers");
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {database}"))
            .unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {database}"))
            .unwrap();
        let location = with_database(&server, &database);
        Some(Store {
            dir: scratch(&format!("postgres-{name}")),
            location,
            server: Some((server, database)),
        })
    }

    fn key(&self) -> PathBuf {
        self.dir.join("reporters.key")
    }

    /// The arguments naming this store.
    fn args(&self) -> Vec<String> {
        let mut args = vec!["--store".to_string(), self.location.clone()];
        if self.server.is_some() {
            args.extend([
                "--store-key".to_string(),
                self.key().to_str().unwrap().to_string(),
            ]);
        }
        args
    }

    fn eval(&self, input: &str) -> (i32, String, String) {
        self.eval_with(SCHEMES, input)
    }

    fn eval_with(&self, schemes: &str, input: &str) -> (i32, String, String) {
        let mut args = vec![
            "eval".to_string(),
            "--scheme".to_string(),
            schemes.to_string(),
        ];
        args.extend(self.args());
        args.push("-".to_string());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        rectify(&args, input)
    }

    fn store_command(&self, action: &str, extra: &[&str]) -> (i32, String, String) {
        let mut args = vec!["store".to_string(), action.to_string()];
        args.extend(self.args());
        args.extend(extra.iter().map(|a| a.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        rectify(&args, "")
    }

    /// Every row of `sql`, each value as text.
    fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        match &self.server {
            None => sqlite_rows(Path::new(&self.location), sql),
            Some(_) => {
                let mut client =
                    postgres::Client::connect(&self.location, postgres::NoTls).unwrap();
                client
                    .simple_query(sql)
                    .unwrap()
                    .into_iter()
                    .filter_map(|message| match message {
                        postgres::SimpleQueryMessage::Row(row) => Some(
                            (0..row.len())
                                .map(|i| row.get(i).unwrap_or_default().to_string())
                                .collect(),
                        ),
                        _ => None,
                    })
                    .collect()
            }
        }
    }

    fn execute(&self, sql: &str) {
        match &self.server {
            None => {
                rusqlite::Connection::open(&self.location)
                    .unwrap()
                    .execute_batch(sql)
                    .unwrap();
            }
            Some(_) => postgres::Client::connect(&self.location, postgres::NoTls)
                .unwrap()
                .batch_execute(sql)
                .unwrap(),
        }
    }

    fn tables(&self) -> Vec<String> {
        let sql = match self.server {
            None => "SELECT name FROM sqlite_master WHERE type = 'table'",
            Some(_) => "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
        };
        self.rows(sql)
            .into_iter()
            .map(|row| row[0].clone())
            .collect()
    }

    fn ids(&self) -> Vec<String> {
        self.rows("SELECT id FROM tips ORDER BY seq")
            .into_iter()
            .map(|row| row[0].clone())
            .collect()
    }

    /// The number of tips recorded, or `None` while the store cannot be read yet.
    fn count(&self) -> Option<i64> {
        match &self.server {
            None => rusqlite::Connection::open(&self.location)
                .and_then(|c| c.query_row("SELECT COUNT(*) FROM tips", [], |r| r.get(0)))
                .ok(),
            Some(_) => postgres::Client::connect(&self.location, postgres::NoTls)
                .ok()?
                .query_one("SELECT COUNT(*) FROM tips", &[])
                .ok()
                .map(|row| row.get(0)),
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((server, database)) = &self.server
            && let Ok(mut client) = postgres::Client::connect(server, postgres::NoTls)
        {
            let _ =
                client.batch_execute(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"));
        }
    }
}

/// The connection string `server` with `database` in place of its database.
fn with_database(server: &str, database: &str) -> String {
    let mut config: postgres::Config = server.parse().unwrap();
    config.dbname(database);
    // Written back as key=value pairs after the scheme, which the client and rectify read alike.
    let mut parts = vec![format!("dbname={database}")];
    if let Some(user) = config.get_user() {
        parts.push(format!("user={user}"));
    }
    for host in config.get_hosts() {
        match host {
            postgres::config::Host::Tcp(name) => parts.push(format!("host={name}")),
            postgres::config::Host::Unix(path) => parts.push(format!("host={}", path.display())),
        }
    }
    if let Some(port) = config.get_ports().first() {
        parts.push(format!("port={port}"));
    }
    format!("postgresql:///?{}", parts.join("&"))
}

/// Runs `$body` (a function of a [`Store`]) once on SQLite and once on PostgreSQL.
macro_rules! on_both {
    ($name:ident, $body:ident) => {
        mod $name {
            #[test]
            fn on_sqlite() {
                super::$body(super::Store::sqlite(stringify!($name)));
            }

            #[test]
            fn on_postgres() {
                if let Some(store) = super::Store::postgres(stringify!($name)) {
                    super::$body(store);
                }
            }
        }
    };
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
    // A run that stopped early stops reading its input: what it said is the failure to show,
    // not the broken pipe.
    let written = writer.join().unwrap();
    if written.is_err() {
        assert_ne!(
            output.status.code(),
            Some(0),
            "the input was not all read: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
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

fn sqlite_rows(store: &Path, sql: &str) -> Vec<Vec<String>> {
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

fn a_repeat_is_found_in_an_earlier_run_with_its_date(store: Store) {
    let (code, _, stderr) = store.eval(&tip("A", "2022-06-10", MEETINGS));
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = store.eval(&tip("B", "2022-07-01", MEETINGS_AGAIN));
    assert_eq!(code, 0, "{stderr}");
    let decision: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let liuzhi = &decision["decisions"][0];
    assert_eq!(liuzhi["outcome"], "excluded", "{stdout}");
    assert_eq!(liuzhi["repeats"]["tip"], "A", "{stdout}");
    assert_eq!(liuzhi["repeats"]["received"], "2022-06-10", "{stdout}");
    assert_eq!(liuzhi["repeats"]["history"], true, "{stdout}");
    assert!(liuzhi["repeats"]["similarity"].as_f64().unwrap() >= 0.8);
    // A tip about other facts is not a repeat of either.
    let (_, stdout, _) = store.eval(&tip("C", "2022-07-02", FORMS));
    assert!(!stdout.contains("repeats"), "{stdout}");
    assert_eq!(store.ids(), ["A", "B", "C"]);
}
on_both!(
    a_repeat_is_found_in_an_earlier_run,
    a_repeat_is_found_in_an_earlier_run_with_its_date
);

fn running_the_same_input_again_changes_nothing(store: Store) {
    // Hundreds of look-alike tips too, that repeat one another.
    let input = tip("A", "2022-06-10", MEETINGS)
        + &tip("B", "2022-07-01", MEETINGS_AGAIN)
        + &tip("C", "2022-07-02", FORMS)
        + &many("L", 400);
    let (code, first, stderr) = store.eval(&input);
    assert_eq!(code, 0, "{stderr}");
    let (code, again, stderr) = store.eval(&input);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(first, again, "the same decisions, byte for byte");
    let (_, without, _) = rectify(&["eval", "--scheme", SCHEMES, "-"], &input);
    assert_eq!(first, without, "the same as without a store");
    assert_eq!(store.ids().len(), 403, "each tip recorded once");
    assert!(
        first.contains(r#""repeats""#),
        "look-alikes repeat each other"
    );
}
on_both!(a_rerun, running_the_same_input_again_changes_nothing);

fn the_store_holds_no_reporter(store: Store) {
    let (code, _, stderr) = store.eval(&tip("A", "2022-06-10", MEETINGS));
    assert_eq!(code, 0, "{stderr}");
    let tables = store.tables();
    assert!(tables.len() >= 3, "{tables:?}");
    for table in tables {
        for row in store.rows(&format!("SELECT * FROM {table}")) {
            for cell in row {
                assert!(!cell.contains("王小明"), "{table}: {cell}");
                assert!(!cell.contains("13912345678"), "{table}: {cell}");
                assert!(!cell.contains("层层开会"), "the text is not kept: {cell}");
            }
        }
    }
    let hash = &store.rows("SELECT reporter FROM tips")[0][0];
    assert_eq!(hash.len(), 32, "a keyed hash is recorded: {hash}");
    let (_, export, _) = store.store_command("export", &[]);
    assert!(export.contains(r#""real_name":true"#), "{export}");
    assert!(!export.contains(hash.as_str()), "{export}");
    assert!(!export.contains("王小明"), "{export}");
}
on_both!(no_reporter_in_the_store, the_store_holds_no_reporter);

#[test]
fn a_sqlite_file_holds_no_reporter_and_its_key_is_private() {
    let store = Store::sqlite("file");
    let (code, _, stderr) = store.eval(&tip("A", "2022-06-10", MEETINGS));
    assert_eq!(code, 0, "{stderr}");
    // The raw file, write-ahead log included.
    for entry in std::fs::read_dir(&store.dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("王小明"), "{}", path.display());
        assert!(!text.contains("13912345678"), "{}", path.display());
    }
    let key = store.dir.join("history.db.key");
    assert_eq!(std::fs::read(&key).unwrap().len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "only its owner reads the key: {mode:o}");
    }
}

fn the_same_reporter_gets_the_same_hash_and_another_a_different_one(store: Store) {
    let other = tip("C", "2022-07-02", FORMS).replace("王小明", "李四");
    let input = tip("A", "2022-06-10", MEETINGS) + &tip("B", "2022-07-02", FORMS) + &other;
    let (code, _, stderr) = store.eval(&input);
    assert_eq!(code, 0, "{stderr}");
    let hashes: Vec<String> = store
        .rows("SELECT reporter FROM tips ORDER BY seq")
        .into_iter()
        .map(|row| row[0].clone())
        .collect();
    assert_eq!(hashes[0], hashes[1]);
    assert_ne!(hashes[0], hashes[2]);
}
on_both!(
    reporter_hashes,
    the_same_reporter_gets_the_same_hash_and_another_a_different_one
);

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

fn two_runs_writing_one_store_at_once_both_finish_and_record_each_tip_once(store: Store) {
    // Both inputs hold the shared tips S…; each holds tips of its own.
    let shared = many("S", 300);
    let first = shared.clone() + &many("X", 300);
    let second = many("Y", 300) + &shared;
    let store = std::sync::Arc::new(store);
    let spawn = |input: String| {
        let store = std::sync::Arc::clone(&store);
        std::thread::spawn(move || store.eval(&input))
    };
    let (a, b) = (spawn(first), spawn(second));
    let (a, b) = (a.join().unwrap(), b.join().unwrap());
    assert_eq!(a.0, 0, "{}", a.2);
    assert_eq!(b.0, 0, "{}", b.2);
    let recorded = store.ids();
    assert_eq!(recorded.len(), 900, "every tip once");
    let distinct: std::collections::BTreeSet<_> = recorded.iter().collect();
    assert_eq!(distinct.len(), 900);
}
on_both!(
    two_writers,
    two_runs_writing_one_store_at_once_both_finish_and_record_each_tip_once
);

fn a_run_killed_midway_leaves_a_prefix_that_a_rerun_completes(store: Store) {
    let input = many("K", 3000);
    let mut args = vec![
        "eval".to_string(),
        "--scheme".to_string(),
        SCHEMES.to_string(),
    ];
    args.extend(store.args());
    args.push("-".to_string());
    let mut child = Command::new(env!("CARGO_BIN_EXE_rectify"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(&args)
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
        if store.count().is_some_and(|n| n > 0) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    let recorded = store.ids();
    assert!(
        !recorded.is_empty() && recorded.len() < 3000,
        "{}",
        recorded.len()
    );
    let expected: Vec<String> = (0..recorded.len()).map(|i| format!("K{i:05}")).collect();
    assert_eq!(recorded, expected, "a prefix of the input, in order");
    let (code, _, stderr) = store.eval(&input);
    assert_eq!(code, 0, "{stderr}");
    let expected: Vec<String> = (0..3000).map(|i| format!("K{i:05}")).collect();
    assert_eq!(store.ids(), expected, "complete after the re-run");
}
on_both!(
    a_killed_run,
    a_run_killed_midway_leaves_a_prefix_that_a_rerun_completes
);

fn history_files_import_into_a_store_and_count_in_its_figures(store: Store) {
    let (code, _, stderr) =
        store.store_command("import", &["--scheme", SCHEMES, "tests/eval/history.jsonl"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("tips recorded, 0 malformed"), "{stderr}");
    let (code, stats, _) = store.store_command("stats", &["--format", "json"]);
    assert_eq!(code, 0);
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert!(stats["tips"].as_u64().unwrap() >= 1, "{stats}");
    assert_eq!(stats["schema"], 2);
}
on_both!(
    import,
    history_files_import_into_a_store_and_count_in_its_figures
);

fn a_store_from_a_newer_rectify_is_refused(store: Store) {
    let (code, _, _) = store.eval(&tip("A", "2022-06-10", MEETINGS));
    assert_eq!(code, 0);
    store.execute("UPDATE meta SET value = '99' WHERE key = 'schema'");
    let (code, _, stderr) = store.eval(&tip("B", "2022-06-11", FORMS));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("newer rectify (schema 99"), "{stderr}");
}
on_both!(a_newer_store, a_store_from_a_newer_rectify_is_refused);

fn a_store_of_schema_1_is_migrated_and_finds_its_subjects(store: Store) {
    // A store as rectify wrote it before subject keys: a tip about 特区某局 in it.
    let (code, _, stderr) = store.eval(&tip("A", "2022-06-10", MEETINGS));
    assert_eq!(code, 0, "{stderr}");
    store.execute(
        "DROP INDEX tips_by_subject; ALTER TABLE tips DROP COLUMN subject_key;
         UPDATE meta SET value = '1' WHERE key = 'schema'",
    );
    let (code, stats, stderr) = store.store_command("stats", &["--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(stats["schema"], 2, "{stats}");
    let keys = store.rows("SELECT subject_key FROM tips");
    assert!(
        !keys[0][0].is_empty(),
        "the subject key is filled in: {keys:?}"
    );
    // And a shorter retelling about the same subject is found through it.
    let (_, stdout, _) = store.eval_with(
        "tests/store/repeat_rules.scheme",
        &tip("B", "2022-06-20", RETOLD).replace("特区某局", "特區某局"),
    );
    let decision: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let subject = &decision["decisions"][1];
    assert_eq!(subject["campaign"], "subject");
    assert_eq!(subject["outcome"], "excluded", "{stdout}");
}
on_both!(
    a_migrated_store,
    a_store_of_schema_1_is_migrated_and_finds_its_subjects
);

/// A shorter retelling of [`MEETINGS`].
const RETOLD: &str =
    "六枝特区某局层层开会,五月份超计划加开全区性会议三次,乡镇负责人疲于奔命,没时间下乡办实事。";

const TRACES: &str = "每项工作都要拍照、录像、写纪实材料，基层干部整天忙于留痕，一项简单的入户走访也要拍三张照片、填两张表、写一篇纪实，真正为群众办事的时间越来越少。";
const TRACES_RETOLD: &str = "每项工作都拍照录像写纪实，一项入户走访也要拍三张照片、填两张表、写一篇纪实，为群众办事的时间越来越少。";

fn rule_tip(id: &str, received: &str, subject: &str, reporter: &str, text: &str) -> String {
    format!(
        r#"{{"id":"{id}","text":"{text}","received":"{received}","reporter":{{"name":"{reporter}"}},"subject":{{"name":"{subject}","region":"520203"}}}}"#
    ) + "\n"
}

/// Each campaign's outcome and the tip it names as repeated, in the scheme's order.
fn outcomes(line: &str) -> Vec<(String, String)> {
    let decision: serde_json::Value = serde_json::from_str(line).unwrap();
    decision["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["outcome"].as_str().unwrap().to_string(),
                d["repeats"]["tip"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn pair(outcome: &str, tip: &str) -> (String, String) {
    (outcome.to_string(), tip.to_string())
}

/// The tips of [`clauses_ask_for_the_same_subject_reporter_or_time`], and what each of the
/// campaigns plain, subject, reporter, recent, english (the scheme's order) decides.
fn rule_cases() -> Vec<(String, Vec<(String, String)>)> {
    vec![
        (
            rule_tip("A", "2022-03-01", "特区某局", "王小明", TRACES),
            vec![pair("accepted", ""); 5],
        ),
        (
            // Same subject, another reporter, half a year later, told shorter.
            rule_tip("B", "2022-09-01", "特区某局", "李四", TRACES_RETOLD),
            vec![
                pair("excluded", "A"),
                pair("excluded", "A"),
                pair("accepted", ""),
                pair("accepted", ""),
                pair("accepted", ""),
            ],
        ),
        (
            // Another subject, the first reporter, two weeks after the first.
            rule_tip("C", "2022-03-15", "某镇人民政府", "王小明", TRACES),
            vec![
                pair("excluded", "A"),
                pair("accepted", ""),
                pair("excluded", "A"),
                pair("excluded", "A"),
                pair("accepted", ""),
            ],
        ),
        (
            // The same subject again, within a month of the second.
            rule_tip("D", "2022-09-20", "特区某局", "赵五", TRACES),
            vec![
                pair("excluded", "A"),
                pair("excluded", "A"),
                pair("accepted", ""),
                pair("excluded", "B"),
                pair("excluded", "B"),
            ],
        ),
    ]
}

fn clauses_ask_for_the_same_subject_reporter_or_time(store: Store) {
    for (input, expected) in rule_cases() {
        let (code, stdout, stderr) = store.eval_with("tests/store/repeat_rules.scheme", &input);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(outcomes(stdout.trim()), expected, "{input}{stdout}");
    }
}
on_both!(
    repeat_clauses,
    clauses_ask_for_the_same_subject_reporter_or_time
);

#[test]
fn clauses_decide_the_same_within_one_run_without_a_store() {
    let cases = rule_cases();
    let input: String = cases.iter().map(|(input, _)| input.as_str()).collect();
    let (code, stdout, stderr) = rectify(
        &["eval", "--scheme", "tests/store/repeat_rules.scheme", "-"],
        &input,
    );
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), cases.len());
    for (line, (input, expected)) in lines.iter().zip(&cases) {
        assert_eq!(&outcomes(line), expected, "{input}{line}");
    }
}

#[test]
fn an_export_read_only_in_part_ends_quietly() {
    let store = Store::sqlite("export-head");
    let (code, _, stderr) = store.eval(&many("E", 600));
    assert_eq!(code, 0, "{stderr}");
    // More than the pipe holds: the export is still writing when its reader stops (`| head -1`).
    let mut child = Command::new(env!("CARGO_BIN_EXE_rectify"))
        .args(["store", "export", "--store", &store.location])
        .env("RECTIFY_LANG", "en")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert!(first.starts_with(br#"{"id":"E00000""#));
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}
