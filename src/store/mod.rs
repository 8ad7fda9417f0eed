//! A history that lasts: every decided tip is recorded, and every new tip is compared with the
//! tips recorded before it, across runs and across processes (同一事项重复反映).
//!
//! A store holds, per tip: its id, the day it was received, its subject, its campaigns'
//! outcomes, what the repeat search needs (the text's signature and its band keys), and, for a
//! real-name tip, a keyed hash of the reporter — never the reporter's name or contact, and never
//! the text. The secret of that hash is kept beside the store, made on first use and never
//! printed.
//!
//! [`open`] gives two handles on one store: a [`Lookup`], the stream's repeat index, which finds
//! earlier tips in the store and, for the tips of this run, in memory; and a [`Recorder`], which
//! writes decided tips in input order, one transaction per batch, so that a run stopped at any
//! point leaves a store holding a prefix of its input. A run compares its tips with what was
//! recorded before it began (its horizon), never with what another process commits meanwhile,
//! so that its answers do not depend on timing. Recording is idempotent by tip id: a tip
//! already in the store keeps its first record, and is compared only with what was recorded
//! before its first run began, so that running the same input again decides it the same way.
//!
//! This module only stores and finds; it decides nothing.

mod key;
mod postgres;
mod sqlite;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use crate::eval::{
    Decision, DuplicateIndex, MAX_REPEATS, Outcome, Repeat, RepeatIndex, Seen, Signature, Tip,
    subject_key,
};
use crate::lang::Text;
use crate::text::Normalized;

pub use key::ReporterKey;

/// The schema this version of rectify writes; an older store is migrated when opened.
/// Version 2 added each tip's subject key, to look at a subject's earlier tips.
pub const SCHEMA_VERSION: i64 = 2;

/// Earlier tips of the same subject looked at per tip, the most recent.
const PER_SUBJECT: usize = 16;

/// Earlier tips looked at per band key: the most recent ones. A repeat of an older tip is
/// still found through its other bands.
const PER_BAND: usize = 4;

/// Why a store cannot be used.
#[derive(Debug)]
pub enum StoreError {
    /// The store could not be opened, read or written.
    Database(String),
    /// The secret beside the store could not be read or made.
    Key(PathBuf, std::io::Error),
    /// The file beside the store is not a key: not the length of one.
    KeyLength(PathBuf, usize),
    /// A store written by a newer rectify.
    TooNew(i64),
}

impl StoreError {
    /// The problem in words.
    pub fn text(&self) -> Text {
        match self {
            StoreError::Database(message) => {
                Text::new("store.database").with("message", message.as_str())
            }
            StoreError::Key(path, error) => Text::new("store.key")
                .with("path", path.display().to_string())
                .with("error", error.to_string()),
            StoreError::KeyLength(path, length) => Text::new("store.key_length")
                .with("path", path.display().to_string())
                .with("length", *length),
            StoreError::TooNew(version) => Text::new("store.too_new")
                .with("version", *version)
                .with("known", SCHEMA_VERSION),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        StoreError::Database(error.to_string())
    }
}

impl From<::postgres::Error> for StoreError {
    fn from(error: ::postgres::Error) -> StoreError {
        // The server's own words, not the client's summary ("db error").
        let message = match error.as_db_error() {
            Some(db) => format!("{}: {}", db.severity(), db.message()),
            None => error.to_string(),
        };
        StoreError::Database(message)
    }
}

/// A tip as the store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// The tip's id.
    pub id: String,
    /// The day it was received.
    pub received: NaiveDate,
    /// The subject's name, as the record wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The subject's division code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The key the repeat search finds the subject's tips by.
    #[serde(skip)]
    pub subject_key: Option<u64>,
    /// The keyed hash of the reporter, for a real-name tip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporter: Option<String>,
    /// Each campaign's outcome.
    pub outcomes: Vec<Recorded>,
    /// The text's signature, for the repeat search; `None` for a text too short to compare.
    #[serde(skip)]
    pub signature: Option<Signature>,
}

/// One campaign's outcome, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Recorded {
    /// The campaign's id.
    pub campaign: String,
    /// `accepted`, `excluded`, `no_match`, `out_of_scope` or `out_of_window`.
    pub outcome: String,
    /// The matched categories of an accepted tip.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// The clause that excluded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusion: Option<String>,
}

impl Record {
    /// The record of a decided tip; the reporter, if any, only as `key`'s hash.
    pub fn of(tip: &Tip, decisions: &[Decision], key: &ReporterKey) -> Record {
        let mut normalized = Normalized::default();
        normalized.fill(&tip.text);
        let signature = Signature::of(&normalized);
        Record {
            id: tip.id.clone(),
            received: tip.received,
            subject: tip.subject.name.clone(),
            subject_key: subject_key(tip.subject.name.as_deref()),
            region: tip.subject.region.as_ref().map(|r| r.code().to_string()),
            reporter: tip.reporter.as_ref().map(|r| key.hash(r)),
            outcomes: decisions.iter().map(recorded).collect(),
            signature: signature.comparable().then_some(signature),
        }
    }
}

fn recorded(decision: &Decision) -> Recorded {
    let (categories, exclusion) = match &decision.outcome {
        Outcome::Accepted { matches, .. } => (
            matches
                .iter()
                .flat_map(|area| &area.categories)
                .map(|c| c.category.to_string())
                .collect(),
            None,
        ),
        Outcome::Excluded { exclusion, .. } => (Vec::new(), Some(exclusion.to_string())),
        _ => (Vec::new(), None),
    };
    Recorded {
        campaign: decision.campaign.to_string(),
        outcome: decision.outcome.name().to_string(),
        categories,
        exclusion,
    }
}

/// What the store holds, in numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    /// The schema version.
    pub schema: i64,
    /// Tips recorded.
    pub tips: u64,
    /// Runs that recorded them.
    pub runs: u64,
    /// The earliest day received.
    pub first: Option<NaiveDate>,
    /// The latest day received.
    pub last: Option<NaiveDate>,
    /// Recorded outcomes, by campaign and outcome.
    pub outcomes: Vec<(String, String, u64)>,
}

/// Adds the outcomes of one record (as JSON) to `outcomes`, by campaign and outcome.
pub(crate) fn tally(outcomes: &mut Vec<(String, String, u64)>, json: &str) {
    let recorded: Vec<Recorded> = serde_json::from_str(json).unwrap_or_default();
    for decision in recorded {
        match outcomes
            .iter_mut()
            .find(|(c, o, _)| *c == decision.campaign && *o == decision.outcome)
        {
            Some(entry) => entry.2 += 1,
            None => outcomes.push((decision.campaign, decision.outcome, 1)),
        }
    }
}

/// An earlier tip the store may hand back for the repeat search.
pub(crate) struct Candidate {
    pub id: String,
    pub received: NaiveDate,
    pub signature: Signature,
    pub subject: Option<u64>,
    pub reporter: Option<String>,
}

/// Which earlier tips to hand back for one tip.
pub(crate) struct Query<'a> {
    /// Its band keys: at most [`PER_BAND`] tips a band, the latest.
    pub keys: &'a [u32],
    /// Its subject's key: at most [`PER_SUBJECT`] tips of that subject, the latest.
    pub subject: Option<u64>,
    /// Only tips recorded at or before this place in recording order.
    pub horizon: i64,
}

/// One kind of database holding a store.
pub(crate) trait Backend: Send {
    /// The place of `id` in recording order and the run that recorded it, if it is recorded.
    fn position(&mut self, id: &str) -> Result<Option<(i64, String)>, StoreError>;
    /// Starts the run `run`: notes, and returns, the last place recorded before it (its
    /// horizon).
    fn begin(&mut self, run: &str) -> Result<i64, StoreError>;
    /// The horizon of an earlier run, if it was noted.
    fn horizon(&mut self, run: &str) -> Result<Option<i64>, StoreError>;
    /// The tips `query` asks for, each once, in recording order.
    fn candidates(&mut self, query: &Query<'_>) -> Result<Vec<Candidate>, StoreError>;
    /// Records the tips of one batch, in order, in one transaction; a tip already recorded
    /// keeps its record.
    fn write(&mut self, run: &str, records: &[Record]) -> Result<(), StoreError>;
    /// What the store holds.
    fn stats(&mut self) -> Result<Stats, StoreError>;
    /// Every record, in recording order.
    fn each(
        &mut self,
        visit: &mut dyn FnMut(Record) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
}

/// Where a store is: a SQLite file, or a database on a PostgreSQL server.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file, created when missing.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (`postgres://user@host/db`); the tables are created in
    /// that database when missing.
    Postgres(String),
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            // A connection string may hold a password.
            Location::Postgres(_) => f.write_str("Postgres(…)"),
        }
    }
}

impl Location {
    /// The location `--store` names: a `postgres://` or `postgresql://` connection string, or
    /// else a file.
    pub fn parse(text: &str) -> Location {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Location::Postgres(text.to_string())
        } else {
            Location::Sqlite(PathBuf::from(text))
        }
    }

    /// Where the reporter key is kept when `--store-key` does not say: beside a SQLite file;
    /// for a server, in the user's configuration directory, named for the server and database
    /// (offices sharing one history copy that file to one another).
    pub fn key_path(&self) -> PathBuf {
        match self {
            Location::Sqlite(path) => {
                let mut name = path.file_name().unwrap_or_default().to_os_string();
                name.push(".key");
                path.with_file_name(name)
            }
            Location::Postgres(url) => {
                let config = std::env::var_os("XDG_CONFIG_HOME")
                    .map(PathBuf::from)
                    .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".config")))
                    .unwrap_or_default();
                config
                    .join("rectify")
                    .join(format!("{}.key", postgres::key_name(url)))
            }
        }
    }

    fn connect(&self) -> Result<Box<dyn Backend>, StoreError> {
        match self {
            Location::Sqlite(path) => Ok(Box::new(sqlite::Sqlite::open(path)?)),
            Location::Postgres(url) => Ok(Box::new(postgres::Postgres::open(url)?)),
        }
    }
}

/// A name for one run, unique enough to tell runs apart: the process, the time, and a count
/// of the runs this process began (a server begins several at once).
fn run_name() -> String {
    static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let count = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{}-{nanos}-{count}", std::process::id())
}

/// Opens the store at `location` (creating it, and its key, on first use; the key in `key`, or
/// where [`Location::key_path`] says): the repeat index for the stream, and the recorder for
/// its output.
pub fn open(location: &Location, key: Option<&Path>) -> Result<(Lookup, Recorder), StoreError> {
    let key = load_key(location, key)?;
    let run = run_name();
    let mut reader = location.connect()?;
    let writer = location.connect()?;
    let horizon = reader.begin(&run)?;
    Ok((
        Lookup {
            backend: reader,
            key: key.clone(),
            horizon,
            horizons: std::collections::HashMap::new(),
            run: run.clone(),
            memory: DuplicateIndex::new(),
            failure: None,
        },
        Recorder {
            backend: writer,
            run,
            key,
        },
    ))
}

fn load_key(location: &Location, key: Option<&Path>) -> Result<ReporterKey, StoreError> {
    match key {
        Some(path) => ReporterKey::load_or_create(path),
        None => ReporterKey::load_or_create(&location.key_path()),
    }
}

/// Opens the store at `location` for maintenance: statistics, export, import.
pub fn maintain(location: &Location, key: Option<&Path>) -> Result<Recorder, StoreError> {
    let key = load_key(location, key)?;
    Ok(Recorder {
        backend: location.connect()?,
        run: run_name(),
        key,
    })
}

/// The repeat index of a run against a store: the tips recorded before the run began from the
/// store, this run's from memory — so that its answers never depend on when a batch, its own or
/// another process's, was committed.
pub struct Lookup {
    backend: Box<dyn Backend>,
    key: ReporterKey,
    /// The last place recorded before this run began.
    horizon: i64,
    /// Earlier runs' horizons, as looked up.
    horizons: std::collections::HashMap<String, i64>,
    run: String,
    memory: DuplicateIndex,
    failure: Option<StoreError>,
}

impl Lookup {
    /// The first failure of the store during the run; the run went on without it.
    pub fn failure(&mut self) -> Option<StoreError> {
        self.failure.take()
    }

    fn stored(
        &mut self,
        tip: &Tip,
        seen: &Seen<'_>,
        signature: &Signature,
        threshold: f64,
    ) -> Result<Vec<Repeat>, StoreError> {
        // A tip already recorded is compared as when it was first decided: with what was
        // recorded before its run began; the tips of that run are in memory now, as they were
        // then. A run whose horizon was not noted (an import) is taken to have begun just
        // before the tip.
        let horizon = match self.backend.position(&tip.id)? {
            Some((_, run)) if run == self.run => self.horizon,
            Some((seq, run)) => {
                let noted = match self.horizons.get(&run) {
                    Some(horizon) => Some(*horizon),
                    None => {
                        let noted = self.backend.horizon(&run)?;
                        if let Some(horizon) = noted {
                            self.horizons.insert(run, horizon);
                        }
                        noted
                    }
                };
                noted.map_or(seq - 1, |h| h.min(seq - 1))
            }
            None => self.horizon,
        };
        let keys = signature.band_keys();
        let query = Query {
            keys: &keys,
            subject: seen.subject,
            horizon,
        };
        let reporter = tip.reporter.as_ref().map(|r| self.key.hash(r));
        let mut found = Vec::new();
        for candidate in self.backend.candidates(&query)? {
            if candidate.id == tip.id {
                continue;
            }
            let Some(similarity) = signature.similarity_at_least(&candidate.signature, threshold)
            else {
                continue;
            };
            found.push(Repeat {
                same_subject: seen.subject.is_some() && candidate.subject == seen.subject,
                same_reporter: reporter.is_some() && candidate.reporter == reporter,
                tip: candidate.id,
                received: candidate.received,
                similarity,
                history: true,
            });
        }
        // The most similar first; candidates come in recording order, so the earliest among
        // equals.
        found.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        Ok(found)
    }
}

impl RepeatIndex for Lookup {
    fn find_and_insert(
        &mut self,
        tip: &Tip,
        signature: Signature,
        threshold: f64,
        history: bool,
    ) -> Vec<Repeat> {
        let seen = Seen::of(tip);
        let stored = if self.failure.is_none() {
            match self.stored(tip, &seen, &signature, threshold) {
                Ok(found) => found,
                Err(error) => {
                    self.failure = Some(error);
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        let mut found = self
            .memory
            .find_and_insert(&seen, signature, threshold, history);
        // Between equally similar tips, the one of this run, so that running an input again
        // (its tips now in the store too) decides it as the first time.
        found.extend(stored);
        found.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        found.truncate(MAX_REPEATS);
        found
    }
}

/// Writes a run's decided tips to the store.
pub struct Recorder {
    backend: Box<dyn Backend>,
    run: String,
    key: ReporterKey,
}

impl Recorder {
    /// The key this store hashes reporters with, for making records on other threads.
    pub fn key(&self) -> &ReporterKey {
        &self.key
    }

    /// Writes the records of one batch, in order, in one transaction.
    pub fn write(&mut self, records: &[Record]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        self.backend.write(&self.run, records)
    }

    /// What the store holds.
    pub fn stats(&mut self) -> Result<Stats, StoreError> {
        self.backend.stats()
    }

    /// Every record, in recording order.
    pub fn each(
        &mut self,
        visit: &mut dyn FnMut(Record) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.backend.each(visit)
    }
}
