//! A store in a SQLite file: write-ahead logging and a busy timeout, so that several processes
//! may write one store at once, each waiting its turn rather than failing.

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::{
    Backend, Candidate, PER_BAND, PER_SUBJECT, Query, Record, SCHEMA_VERSION, Stats, StoreError,
    tally,
};
use crate::eval::{Signature, subject_key};

/// How long a writer waits for another to finish before it gives up.
const BUSY: Duration = Duration::from_secs(60);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tips (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    run TEXT NOT NULL,
    received TEXT NOT NULL,
    subject TEXT,
    region TEXT,
    reporter TEXT,
    outcomes TEXT NOT NULL,
    signature BLOB,
    subject_key INTEGER
);
CREATE INDEX IF NOT EXISTS tips_by_subject ON tips (subject_key, seq);
CREATE TABLE IF NOT EXISTS runs (run TEXT PRIMARY KEY, horizon INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bands (
    band INTEGER NOT NULL,
    key INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (band, key, seq)
) WITHOUT ROWID;
";

/// A SQLite store.
pub(super) struct Sqlite {
    connection: Connection,
}

impl Sqlite {
    /// Opens the file at `path`, creating it and its tables when missing, and migrating an
    /// older schema.
    pub(super) fn open(path: &Path) -> Result<Sqlite, StoreError> {
        let mut connection = Connection::open(path)?;
        connection.busy_timeout(BUSY)?;
        // Switching a new file to WAL while another process opens it too can be refused at
        // once, without the busy handler: it is tried again until the busy timeout.
        let started = std::time::Instant::now();
        loop {
            match connection.pragma_update(None, "journal_mode", "WAL") {
                Err(rusqlite::Error::SqliteFailure(error, _))
                    if error.code == rusqlite::ErrorCode::DatabaseBusy
                        && started.elapsed() < BUSY =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                other => break other?,
            }
        }
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        // One process at a time creates or migrates the tables.
        let transaction =
            connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        )?;
        let version: Option<String> = transaction
            .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |row| {
                row.get(0)
            })
            .optional()?;
        match version.and_then(|v| v.parse::<i64>().ok()) {
            Some(version) if version > SCHEMA_VERSION => return Err(StoreError::TooNew(version)),
            Some(1) => migrate_from_1(&transaction)?,
            Some(_) => {}
            None => {
                transaction.execute_batch(SCHEMA)?;
                transaction.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema', ?1)",
                    params![SCHEMA_VERSION.to_string()],
                )?;
            }
        }
        transaction.commit()?;
        Ok(Sqlite { connection })
    }
}

/// Version 1 had no subject keys: each tip gets its own from the subject it names.
fn migrate_from_1(transaction: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    transaction.execute_batch("ALTER TABLE tips ADD COLUMN subject_key INTEGER;")?;
    let subjects: Vec<(i64, String)> = transaction
        .prepare("SELECT seq, subject FROM tips WHERE subject IS NOT NULL")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut update = transaction.prepare("UPDATE tips SET subject_key = ?1 WHERE seq = ?2")?;
    for (seq, subject) in subjects {
        update.execute(params![subject_key(Some(&subject)).map(|k| k as i64), seq])?;
    }
    transaction.execute_batch(SCHEMA)?;
    transaction.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'schema'",
        params![SCHEMA_VERSION.to_string()],
    )?;
    Ok(())
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap_or(NaiveDate::MIN)
}

impl Backend for Sqlite {
    fn position(&mut self, id: &str) -> Result<Option<(i64, String)>, StoreError> {
        Ok(self
            .connection
            .prepare_cached("SELECT seq, run FROM tips WHERE id = ?1")?
            .query_row(params![id], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?)
    }

    fn begin(&mut self, run: &str) -> Result<i64, StoreError> {
        // Taken as a writer from the start: a read upgraded to a write while another process
        // commits is refused at once, without the busy handler.
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        transaction.execute(
            "INSERT INTO runs (run, horizon) SELECT ?1, COALESCE(MAX(seq), 0) FROM tips",
            params![run],
        )?;
        let horizon = transaction.query_row(
            "SELECT horizon FROM runs WHERE run = ?1",
            params![run],
            |row| row.get(0),
        )?;
        transaction.commit()?;
        Ok(horizon)
    }

    fn horizon(&mut self, run: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .connection
            .prepare_cached("SELECT horizon FROM runs WHERE run = ?1")?
            .query_row(params![run], |row| row.get(0))
            .optional()?)
    }

    fn candidates(&mut self, query: &Query<'_>) -> Result<Vec<Candidate>, StoreError> {
        let mut seqs: Vec<i64> = Vec::new();
        let mut add = |seq: i64| {
            if !seqs.contains(&seq) {
                seqs.push(seq);
            }
        };
        let mut by_band = self.connection.prepare_cached(
            "SELECT seq FROM bands WHERE band = ?1 AND key = ?2 AND seq <= ?3
             ORDER BY seq DESC LIMIT ?4",
        )?;
        for (band, key) in query.keys.iter().enumerate() {
            let rows = by_band.query_map(
                params![band as i64, i64::from(*key), query.horizon, PER_BAND as i64],
                |row| row.get::<_, i64>(0),
            )?;
            for seq in rows {
                add(seq?);
            }
        }
        if let Some(subject) = query.subject {
            let mut by_subject = self.connection.prepare_cached(
                "SELECT seq FROM tips WHERE subject_key = ?1 AND seq <= ?2
                 ORDER BY seq DESC LIMIT ?3",
            )?;
            let rows = by_subject.query_map(
                params![subject as i64, query.horizon, PER_SUBJECT as i64],
                |row| row.get::<_, i64>(0),
            )?;
            for seq in rows {
                add(seq?);
            }
        }
        let mut fetch = self.connection.prepare_cached(
            "SELECT id, received, signature, subject_key, reporter FROM tips WHERE seq = ?1",
        )?;
        let mut found = Vec::with_capacity(seqs.len());
        // The earliest first, so that between equally similar tips the earliest wins.
        seqs.sort_unstable();
        for seq in seqs {
            let (id, received, bytes, subject, reporter): (
                String,
                String,
                Option<Vec<u8>>,
                Option<i64>,
                Option<String>,
            ) = fetch.query_row(params![seq], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            })?;
            if let Some(signature) = bytes.as_deref().and_then(Signature::from_bytes) {
                found.push(Candidate {
                    id,
                    received: date(&received),
                    signature,
                    subject: subject.map(|k| k as u64),
                    reporter,
                });
            }
        }
        Ok(found)
    }

    fn write(&mut self, run: &str, records: &[Record]) -> Result<(), StoreError> {
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut tip = transaction.prepare_cached(
                "INSERT INTO tips
                 (id, run, received, subject, region, reporter, outcomes, signature, subject_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO NOTHING",
            )?;
            let mut band = transaction.prepare_cached(
                "INSERT OR IGNORE INTO bands (band, key, seq) VALUES (?1, ?2, ?3)",
            )?;
            for record in records {
                let outcomes = serde_json::to_string(&record.outcomes)
                    .map_err(|e| StoreError::Database(e.to_string()))?;
                let inserted = tip.execute(params![
                    record.id,
                    run,
                    record.received.to_string(),
                    record.subject,
                    record.region,
                    record.reporter,
                    outcomes,
                    record.signature.as_ref().map(Signature::to_bytes),
                    record.subject_key.map(|k| k as i64),
                ])?;
                if inserted == 0 {
                    continue;
                }
                let seq = transaction.last_insert_rowid();
                if let Some(signature) = &record.signature {
                    for (index, key) in signature.band_keys().iter().enumerate() {
                        band.execute(params![index as i64, i64::from(*key), seq])?;
                    }
                }
            }
        }
        transaction.commit()?;
        Ok(())
    }

    fn stats(&mut self) -> Result<Stats, StoreError> {
        let connection = &self.connection;
        let (tips, runs, first, last): (i64, i64, Option<String>, Option<String>) = connection
            .query_row(
                "SELECT COUNT(*), COUNT(DISTINCT run), MIN(received), MAX(received) FROM tips",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )?;
        let schema: String =
            connection.query_row("SELECT value FROM meta WHERE key = 'schema'", [], |row| {
                row.get(0)
            })?;
        let mut outcomes: Vec<(String, String, u64)> = Vec::new();
        let mut statement = connection.prepare("SELECT outcomes FROM tips")?;
        let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
        for row in rows {
            tally(&mut outcomes, &row?);
        }
        outcomes.sort();
        Ok(Stats {
            schema: schema.parse().unwrap_or(0),
            tips: tips as u64,
            runs: runs as u64,
            first: first.as_deref().map(date),
            last: last.as_deref().map(date),
            outcomes,
        })
    }

    fn each(
        &mut self,
        visit: &mut dyn FnMut(Record) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut statement = self.connection.prepare(
            "SELECT id, received, subject, region, reporter, outcomes, signature, subject_key
             FROM tips ORDER BY seq",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let received: String = row.get(1)?;
            let outcomes: String = row.get(5)?;
            let signature: Option<Vec<u8>> = row.get(6)?;
            let subject_key: Option<i64> = row.get(7)?;
            visit(Record {
                id: row.get(0)?,
                received: date(&received),
                subject: row.get(2)?,
                region: row.get(3)?,
                subject_key: subject_key.map(|k| k as u64),
                reporter: row.get(4)?,
                outcomes: serde_json::from_str(&outcomes).unwrap_or_default(),
                signature: signature.as_deref().and_then(Signature::from_bytes),
            })?;
        }
        Ok(())
    }
}
