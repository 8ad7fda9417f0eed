//! A store in a PostgreSQL database, for offices that share one history: the same tables as
//! the SQLite store, created on first use. Writers take turns on the tips table, one batch at a
//! time, so that recording order is commit order, as in SQLite, and a tip recorded by two
//! processes at once is recorded once.

use chrono::NaiveDate;
use postgres::{Client, NoTls};

use super::{
    Backend, Candidate, PER_BAND, PER_SUBJECT, Query, Record, SCHEMA_VERSION, Stats, StoreError,
    tally,
};
use crate::eval::{Signature, subject_key};

/// The advisory lock under which one process at a time creates or migrates the tables.
const SCHEMA_LOCK: i64 = 0x0072_6563_7469_6679;

/// Records fetched at a time by an export, so that a large store is never read whole.
const FETCH: i32 = 1000;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tips (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    run TEXT NOT NULL,
    received TEXT NOT NULL,
    subject TEXT,
    region TEXT,
    reporter TEXT,
    outcomes TEXT NOT NULL,
    signature BYTEA,
    subject_key BIGINT
);
CREATE INDEX IF NOT EXISTS tips_by_subject ON tips (subject_key, seq);
CREATE TABLE IF NOT EXISTS runs (run TEXT PRIMARY KEY, horizon BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS bands (
    band INTEGER NOT NULL,
    key BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (band, key, seq)
);
";

/// A PostgreSQL store.
pub(super) struct Postgres {
    client: Client,
}

/// A name for the key file of the database at `url`: its host, port and database, without the
/// user or password, in characters safe in a file name.
pub(super) fn key_name(url: &str) -> String {
    let place = match url.parse::<postgres::Config>() {
        Ok(config) => {
            let host = config
                .get_hosts()
                .first()
                .map(|host| match host {
                    postgres::config::Host::Tcp(name) => name.clone(),
                    postgres::config::Host::Unix(path) => path.display().to_string(),
                })
                .unwrap_or_default();
            let port = config.get_ports().first().copied().unwrap_or(5432);
            let database = config.get_dbname().unwrap_or_default();
            format!("{host}-{port}-{database}")
        }
        Err(_) => String::from("postgres"),
    };
    let safe: String = place
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("postgres-{}", safe.trim_matches('_'))
}

impl Postgres {
    /// Connects to the database at `url`, creating the tables when missing and migrating an
    /// older schema.
    pub(super) fn open(url: &str) -> Result<Postgres, StoreError> {
        let mut client = Client::connect(url, NoTls)?;
        let mut transaction = client.transaction()?;
        transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
        transaction.batch_execute(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        )?;
        let version: Option<String> = transaction
            .query_opt("SELECT value FROM meta WHERE key = 'schema'", &[])?
            .map(|row| row.get(0));
        match version.and_then(|v| v.parse::<i64>().ok()) {
            Some(version) if version > SCHEMA_VERSION => return Err(StoreError::TooNew(version)),
            Some(1) => migrate_from_1(&mut transaction)?,
            Some(_) => {}
            None => {
                transaction.batch_execute(SCHEMA)?;
                transaction.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema', $1)",
                    &[&SCHEMA_VERSION.to_string()],
                )?;
            }
        }
        transaction.commit()?;
        Ok(Postgres { client })
    }
}

/// Version 1 had no subject keys: each tip gets its own from the subject it names.
fn migrate_from_1(transaction: &mut postgres::Transaction<'_>) -> Result<(), StoreError> {
    transaction.batch_execute("ALTER TABLE tips ADD COLUMN IF NOT EXISTS subject_key BIGINT;")?;
    let rows = transaction.query(
        "SELECT seq, subject FROM tips WHERE subject IS NOT NULL",
        &[],
    )?;
    let update = transaction.prepare("UPDATE tips SET subject_key = $1 WHERE seq = $2")?;
    for row in rows {
        let (seq, subject): (i64, String) = (row.get(0), row.get(1));
        let key = subject_key(Some(&subject)).map(|k| k as i64);
        transaction.execute(&update, &[&key, &seq])?;
    }
    transaction.batch_execute(SCHEMA)?;
    transaction.execute(
        "UPDATE meta SET value = $1 WHERE key = 'schema'",
        &[&SCHEMA_VERSION.to_string()],
    )?;
    Ok(())
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap_or(NaiveDate::MIN)
}

impl Backend for Postgres {
    fn position(&mut self, id: &str) -> Result<Option<(i64, String)>, StoreError> {
        let statement = self
            .client
            .prepare("SELECT seq, run FROM tips WHERE id = $1")?;
        Ok(self
            .client
            .query_opt(&statement, &[&id])?
            .map(|row| (row.get(0), row.get(1))))
    }

    fn begin(&mut self, run: &str) -> Result<i64, StoreError> {
        let row = self.client.query_one(
            "INSERT INTO runs (run, horizon) SELECT $1, COALESCE(MAX(seq), 0) FROM tips
             RETURNING horizon",
            &[&run],
        )?;
        Ok(row.get(0))
    }

    fn horizon(&mut self, run: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .client
            .query_opt("SELECT horizon FROM runs WHERE run = $1", &[&run])?
            .map(|row| row.get(0)))
    }

    fn candidates(&mut self, query: &Query<'_>) -> Result<Vec<Candidate>, StoreError> {
        // One round trip a tip: the latest tips of each band bucket and of the subject.
        let statement = self.client.prepare(
            "WITH wanted AS (
                SELECT s.seq FROM unnest($1::BIGINT[]) WITH ORDINALITY AS k(key, band)
                CROSS JOIN LATERAL (
                    SELECT b.seq FROM bands b
                    WHERE b.band = k.band - 1 AND b.key = k.key AND b.seq <= $2
                    ORDER BY b.seq DESC LIMIT $3
                ) s
                UNION
                SELECT seq FROM (
                    SELECT seq FROM tips
                    WHERE $4::BIGINT IS NOT NULL AND subject_key = $4 AND seq <= $2
                    ORDER BY seq DESC LIMIT $5
                ) by_subject
            )
            SELECT t.id, t.received, t.signature, t.subject_key, t.reporter
            FROM tips t JOIN wanted w ON w.seq = t.seq ORDER BY t.seq",
        )?;
        let keys: Vec<i64> = query.keys.iter().map(|k| i64::from(*k)).collect();
        let subject = query.subject.map(|k| k as i64);
        let rows = self.client.query(
            &statement,
            &[
                &keys,
                &query.horizon,
                &(PER_BAND as i64),
                &subject,
                &(PER_SUBJECT as i64),
            ],
        )?;
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            let bytes: Option<Vec<u8>> = row.get(2);
            if let Some(signature) = bytes.as_deref().and_then(Signature::from_bytes) {
                let received: String = row.get(1);
                let subject: Option<i64> = row.get(3);
                found.push(Candidate {
                    id: row.get(0),
                    received: date(&received),
                    signature,
                    subject: subject.map(|k| k as u64),
                    reporter: row.get(4),
                });
            }
        }
        Ok(found)
    }

    fn write(&mut self, run: &str, records: &[Record]) -> Result<(), StoreError> {
        let mut transaction = self.client.transaction()?;
        // Writers take turns, as in SQLite: recording order is commit order, so a re-run
        // compares a tip with what was committed before it.
        transaction.batch_execute("LOCK TABLE tips IN SHARE ROW EXCLUSIVE MODE")?;
        let tip = transaction.prepare(
            "INSERT INTO tips
             (id, run, received, subject, region, reporter, outcomes, signature, subject_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (id) DO NOTHING RETURNING seq",
        )?;
        let (mut bands, mut keys, mut seqs): (Vec<i32>, Vec<i64>, Vec<i64>) = Default::default();
        for record in records {
            let outcomes = serde_json::to_string(&record.outcomes)
                .map_err(|e| StoreError::Database(e.to_string()))?;
            let signature = record.signature.as_ref().map(Signature::to_bytes);
            let subject_key = record.subject_key.map(|k| k as i64);
            let inserted = transaction.query_opt(
                &tip,
                &[
                    &record.id,
                    &run,
                    &record.received.to_string(),
                    &record.subject,
                    &record.region,
                    &record.reporter,
                    &outcomes,
                    &signature,
                    &subject_key,
                ],
            )?;
            let (Some(row), Some(signature)) = (inserted, &record.signature) else {
                continue;
            };
            let seq: i64 = row.get(0);
            for (band, key) in signature.band_keys().iter().enumerate() {
                bands.push(band as i32);
                keys.push(i64::from(*key));
                seqs.push(seq);
            }
        }
        transaction.execute(
            "INSERT INTO bands (band, key, seq)
             SELECT * FROM unnest($1::INTEGER[], $2::BIGINT[], $3::BIGINT[])
             ON CONFLICT DO NOTHING",
            &[&bands, &keys, &seqs],
        )?;
        transaction.commit()?;
        Ok(())
    }

    fn stats(&mut self) -> Result<Stats, StoreError> {
        let row = self.client.query_one(
            "SELECT COUNT(*), COUNT(DISTINCT run), MIN(received), MAX(received) FROM tips",
            &[],
        )?;
        let (tips, runs): (i64, i64) = (row.get(0), row.get(1));
        let (first, last): (Option<String>, Option<String>) = (row.get(2), row.get(3));
        let schema: String = self
            .client
            .query_one("SELECT value FROM meta WHERE key = 'schema'", &[])?
            .get(0);
        let mut outcomes: Vec<(String, String, u64)> = Vec::new();
        self.each_row("SELECT outcomes FROM tips", &mut |row| {
            let text: String = row.get(0);
            tally(&mut outcomes, &text);
            Ok(())
        })?;
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
        self.each_row(
            "SELECT id, received, subject, region, reporter, outcomes, signature, subject_key
             FROM tips ORDER BY seq",
            &mut |row| {
                let received: String = row.get(1);
                let outcomes: String = row.get(5);
                let signature: Option<Vec<u8>> = row.get(6);
                let subject_key: Option<i64> = row.get(7);
                visit(Record {
                    id: row.get(0),
                    received: date(&received),
                    subject: row.get(2),
                    region: row.get(3),
                    subject_key: subject_key.map(|k| k as u64),
                    reporter: row.get(4),
                    outcomes: serde_json::from_str(&outcomes).unwrap_or_default(),
                    signature: signature.as_deref().and_then(Signature::from_bytes),
                })
            },
        )
    }
}

impl Postgres {
    /// Every row of `query`, [`FETCH`] at a time through a cursor.
    fn each_row(
        &mut self,
        query: &str,
        visit: &mut dyn FnMut(&postgres::Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut transaction = self.client.transaction()?;
        let portal = transaction.bind(query, &[])?;
        loop {
            let rows = transaction.query_portal(&portal, FETCH)?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                visit(row)?;
            }
        }
        transaction.commit()?;
        Ok(())
    }
}
