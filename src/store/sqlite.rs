//! A store in a SQLite file: write-ahead logging and a busy timeout, so that several processes
//! may write one store at once, each waiting its turn rather than failing.

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::{Backend, Candidate, PER_BAND, Record, Recorded, SCHEMA_VERSION, Stats, StoreError};
use crate::eval::Signature;

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
    signature BLOB
);
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
        let connection = Connection::open(path)?;
        connection.busy_timeout(BUSY)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.execute_batch(SCHEMA)?;
        let version: Option<String> = connection
            .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |row| {
                row.get(0)
            })
            .optional()?;
        match version.and_then(|v| v.parse::<i64>().ok()) {
            Some(version) if version > SCHEMA_VERSION => return Err(StoreError::TooNew(version)),
            Some(_) => {}
            None => {
                connection.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?1)",
                    params![SCHEMA_VERSION.to_string()],
                )?;
            }
        }
        Ok(Sqlite { connection })
    }
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

    fn candidates(
        &mut self,
        keys: &[u32],
        run: &str,
        before: Option<i64>,
    ) -> Result<Vec<Candidate>, StoreError> {
        let mut seqs: Vec<i64> = Vec::new();
        let mut statement = self.connection.prepare_cached(
            "SELECT b.seq FROM bands b JOIN tips t ON t.seq = b.seq
             WHERE b.band = ?1 AND b.key = ?2 AND t.run != ?4 AND (?3 IS NULL OR b.seq < ?3)
             ORDER BY b.seq DESC LIMIT ?5",
        )?;
        for (band, key) in keys.iter().enumerate() {
            let rows = statement.query_map(
                params![band as i64, i64::from(*key), before, run, PER_BAND as i64],
                |row| row.get::<_, i64>(0),
            )?;
            for seq in rows {
                let seq = seq?;
                if !seqs.contains(&seq) {
                    seqs.push(seq);
                }
            }
        }
        let mut fetch = self
            .connection
            .prepare_cached("SELECT id, received, signature FROM tips WHERE seq = ?1")?;
        let mut found = Vec::with_capacity(seqs.len());
        // The earliest first, so that between equally similar tips the earliest wins.
        seqs.sort_unstable();
        for seq in seqs {
            let (id, received, bytes): (String, String, Option<Vec<u8>>) = fetch
                .query_row(params![seq], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })?;
            if let Some(signature) = bytes.as_deref().and_then(Signature::from_bytes) {
                found.push(Candidate {
                    id,
                    received: date(&received),
                    signature,
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
                "INSERT INTO tips (id, run, received, subject, region, reporter, outcomes, signature)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING",
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
            let recorded: Vec<Recorded> = serde_json::from_str(&row?).unwrap_or_default();
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
            "SELECT id, received, subject, region, reporter, outcomes, signature FROM tips
             ORDER BY seq",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let received: String = row.get(1)?;
            let outcomes: String = row.get(5)?;
            let signature: Option<Vec<u8>> = row.get(6)?;
            visit(Record {
                id: row.get(0)?,
                received: date(&received),
                subject: row.get(2)?,
                region: row.get(3)?,
                reporter: row.get(4)?,
                outcomes: serde_json::from_str(&outcomes).unwrap_or_default(),
                signature: signature.as_deref().and_then(Signature::from_bytes),
            })?;
        }
        Ok(())
    }
}
