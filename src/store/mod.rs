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
//! point leaves a store holding a prefix of its input. Recording is idempotent by tip id: a
//! tip already in the store keeps its first record, and is compared only with the tips recorded
//! before it, so that running the same input again decides it the same way.
//!
//! This module only stores and finds; it decides nothing.

mod key;
mod sqlite;

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Serialize;

use crate::eval::{Decision, DuplicateIndex, Outcome, Repeat, RepeatIndex, Signature, Tip};
use crate::lang::Text;
use crate::text::Normalized;

pub use key::ReporterKey;

/// The schema this version of rectify writes; an older store is migrated when opened.
pub const SCHEMA_VERSION: i64 = 1;

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

/// An earlier tip the store may hand back for the repeat search.
pub(crate) struct Candidate {
    pub id: String,
    pub received: NaiveDate,
    pub signature: Signature,
}

/// One kind of database holding a store.
pub(crate) trait Backend: Send {
    /// The place of `id` in recording order and the run that recorded it, if it is recorded.
    fn position(&mut self, id: &str) -> Result<Option<(i64, String)>, StoreError>;
    /// Tips sharing a band key with `keys`, at most [`PER_BAND`] a band, the latest first,
    /// recorded by another run than `run`, and before `before` when it is given.
    fn candidates(
        &mut self,
        keys: &[u32],
        run: &str,
        before: Option<i64>,
    ) -> Result<Vec<Candidate>, StoreError>;
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

/// Where a store is: a SQLite file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file, created when missing.
    Sqlite(PathBuf),
}

impl Location {
    /// The location `--store` names.
    pub fn parse(text: &str) -> Location {
        Location::Sqlite(PathBuf::from(text))
    }

    /// Where the reporter key is kept: beside the store.
    pub fn key_path(&self) -> PathBuf {
        match self {
            Location::Sqlite(path) => {
                let mut name = path.file_name().unwrap_or_default().to_os_string();
                name.push(".key");
                path.with_file_name(name)
            }
        }
    }

    fn connect(&self) -> Result<Box<dyn Backend>, StoreError> {
        match self {
            Location::Sqlite(path) => Ok(Box::new(sqlite::Sqlite::open(path)?)),
        }
    }
}

/// A name for one run, unique enough to tell runs apart: the process and the time.
fn run_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{nanos}", std::process::id())
}

/// Opens the store at `location` (creating it, and its key, on first use): the repeat index
/// for the stream, and the recorder for its output.
pub fn open(location: &Location) -> Result<(Lookup, Recorder), StoreError> {
    let key = ReporterKey::load_or_create(&location.key_path())?;
    let run = run_name();
    let reader = location.connect()?;
    let writer = location.connect()?;
    Ok((
        Lookup {
            backend: reader,
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

/// Opens the store at `location` for maintenance: statistics, export, import.
pub fn maintain(location: &Location) -> Result<Recorder, StoreError> {
    let key = ReporterKey::load_or_create(&location.key_path())?;
    Ok(Recorder {
        backend: location.connect()?,
        run: run_name(),
        key,
    })
}

/// The repeat index of a run against a store: earlier runs' tips from the store, this run's
/// from memory (so that its own answers never depend on when a batch was committed).
pub struct Lookup {
    backend: Box<dyn Backend>,
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
        signature: &Signature,
        threshold: f64,
    ) -> Result<Option<Repeat>, StoreError> {
        // A tip already recorded is compared as when it was first decided: with what runs before
        // that one had recorded; the tips of its own run are in memory now, as they were then.
        let (run, before) = match self.backend.position(&tip.id)? {
            Some((seq, run)) => (run, Some(seq)),
            None => (self.run.clone(), None),
        };
        let keys = signature.band_keys();
        let mut best: Option<Repeat> = None;
        for candidate in self.backend.candidates(&keys, &run, before)? {
            if candidate.id == tip.id {
                continue;
            }
            let Some(similarity) = signature.similarity_at_least(&candidate.signature, threshold)
            else {
                continue;
            };
            let better = best.as_ref().is_none_or(|b| similarity > b.similarity);
            if better {
                best = Some(Repeat {
                    tip: candidate.id,
                    received: candidate.received,
                    similarity,
                    history: true,
                });
            }
        }
        Ok(best)
    }
}

impl RepeatIndex for Lookup {
    fn find_and_insert(
        &mut self,
        tip: &Tip,
        signature: Signature,
        threshold: f64,
        history: bool,
    ) -> Option<Repeat> {
        let stored = if self.failure.is_none() {
            match self.stored(tip, &signature, threshold) {
                Ok(found) => found,
                Err(error) => {
                    self.failure = Some(error);
                    None
                }
            }
        } else {
            None
        };
        let here =
            self.memory
                .find_and_insert(&tip.id, tip.received, signature, threshold, history);
        // The more similar wins; between equals, the one of this run, so that running an input
        // again (its tips now in the store too) decides it as the first time.
        match (stored, here) {
            (Some(s), Some(h)) if h.similarity >= s.similarity => Some(h),
            (Some(s), _) => Some(s),
            (None, h) => h,
        }
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
